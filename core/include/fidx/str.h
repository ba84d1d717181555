/* fidx_str_t: a borrowed slice of bytes (not NUL-terminated), and the limits on values. */
#ifndef FIDX_STR_H
#define FIDX_STR_H

#include <stddef.h>
#include <string.h>

typedef struct {
    const char *p;
    size_t len;
} fidx_str_t;

/* Longest indicator value accepted as input, in bytes. Longer values are refused with
 * FIDX_ETOOBIG before any work is done on them. */
#define FIDX_MAX_VALUE_LEN 2048
/* Size of the buffer a caller gives a normaliser (canonical forms can grow: a URL's bytes may
 * be percent-escaped, three bytes each). Includes the terminating NUL. */
#define FIDX_CANON_CAP 8192

#define FIDX_STR(lit) ((fidx_str_t){(lit), sizeof(lit) - 1})

static inline fidx_str_t fidx_str(const char *p, size_t len)
{
    fidx_str_t s = {p, len};
    return s;
}

static inline int fidx_str_eq(fidx_str_t a, const char *lit)
{
    size_t n = strlen(lit);
    return a.len == n && memcmp(a.p, lit, n) == 0;
}

#endif
