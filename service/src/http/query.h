/* The query string of a request: finding a parameter and decoding its value
 * (application/x-www-form-urlencoded: percent-escapes, '+' as space). */
#ifndef FIDX_SERVICE_QUERY_H
#define FIDX_SERVICE_QUERY_H

#include <stddef.h>

#include "fidx/error.h"
#include "fidx/str.h"

/* Looks for name=VALUE among the '&'-separated pairs of query[0..len) (names compared as sent,
 * not decoded). Returns how many times the name occurs; *value is the raw (still encoded)
 * value of the first occurrence ("" for "name" or "name="). */
size_t fidx__query_find(const char *query, size_t len, const char *name, fidx_str_t *value);

/* Decodes p[0..len) into out (cap bytes; the result is never longer than the input).
 * FIDX_EINVAL for a '%' not followed by two hex digits, FIDX_ENOSPC when cap is too small. */
FIDX_MUST_CHECK int fidx__query_decode(const char *p, size_t len, char *out, size_t cap,
                                       size_t *out_len);

#endif
