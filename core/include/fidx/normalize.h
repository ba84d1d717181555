/* Kind detection and normalisation of any value: dispatches to phone, bank, url, domain,
 * social and email. */
#ifndef FIDX_NORMALIZE_H
#define FIDX_NORMALIZE_H

#include <stddef.h>

#include "fidx/error.h"
#include "fidx/kind.h"

/* Normalises p[0..len) as kind (FIDX_KIND_NONE: detect it) into out (cap bytes incl. NUL;
 * FIDX_CANON_CAP is always enough) and sets *kind_out. platform is the social platform hint
 * ("telegram"…) or NULL. For url the output is the canonical URL (not its entry key).
 * Returns 0, FIDX_EINVAL with err->reason ("not a phone number: too short", "cannot tell the
 * kind of this value"), FIDX_ETOOBIG, FIDX_ENOSPC. */
FIDX_MUST_CHECK int fidx_normalize(fidx_kind_t kind, const char *platform, const char *p,
                                   size_t len, fidx_kind_t *kind_out, char *out, size_t cap,
                                   size_t *out_len, fidx_err_t *err);

/* The kind a value reads as, FIDX_KIND_NONE when none. Detection order: e-mail, URL (a scheme
 * or a path after a host), bank account with a bank name or BIN, phone, domain. */
fidx_kind_t fidx_detect_kind(const char *p, size_t len);

/* Converts a canonical value into the form it is stored and matched under: the entry key
 * for url, the value itself for every other kind. */
FIDX_MUST_CHECK int fidx_storage_key(fidx_kind_t kind, const char *canon, size_t len, char *out,
                                     size_t cap, size_t *out_len);

#endif
