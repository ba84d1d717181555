/* Phone numbers: any way people write them → the contract's canonical form.
 *
 * Canonical: E.164 with '+' ("+84912345678"); Vietnamese toll-free/premium service numbers
 * (1800…, 1900…) as their national digits alone ("19001234"). Numbers are validated against
 * Vietnam's numbering plan (libphonenumber's metadata for region VN, see phone.c), so "12345"
 * or a date is not a phone number. Default region VN; numbers written with another +CC (or
 * 00CC) stay in that country and are checked only for E.164 length (8–15 digits). */
#ifndef FIDX_PHONE_H
#define FIDX_PHONE_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"

/* Normalises p[0..len) into out (NUL-terminated, at most cap bytes including the NUL) and sets
 * *out_len. Accepts separators ' ', '.', '-', '(', ')' ('/' is refused: it makes dates), ASCII and
 * full-width digits (U+FF10..U+FF19) and '+' (U+FF0B), "+84 (0) 912…", "84912…", "0084…", and
 * pre-2018 11-digit mobile numbers (mapped to today's prefixes). Returns 0, FIDX_EINVAL (not a
 * phone number; err->reason says why), FIDX_ETOOBIG (len > FIDX_MAX_VALUE_LEN) or FIDX_ENOSPC. */
FIDX_MUST_CHECK int fidx_phone_normalize(const char *p, size_t len, char *out, size_t cap,
                                         size_t *out_len, fidx_err_t *err);

/* The exact 64-bit key of a canonical phone value: the E.164 digits as an integer, or for a
 * service number its digits plus FIDX_PHONE_SERVICE_BIT. Keys are below 2^51.
 * FIDX_EINVAL when canon is not a canonical phone value. */
#define FIDX_PHONE_SERVICE_BIT (UINT64_C(1) << 50)
FIDX_MUST_CHECK int fidx_phone_key(const char *canon, size_t len, uint64_t *key);

/* Writes the canonical form for a key made by fidx_phone_key (inverse). */
FIDX_MUST_CHECK int fidx_phone_from_key(uint64_t key, char *out, size_t cap, size_t *out_len);

#endif
