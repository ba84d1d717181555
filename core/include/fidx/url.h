/* URLs: Google Safe Browsing v4 canonicalisation and lookup expressions
 * ("URLs and Hashing", developers.google.com/safe-browsing/v4/urls-hashing).
 *
 * Canonical URL: "scheme://host[:port]/path[?query]" as Safe Browsing canonicalises it (scheme
 * http when missing, lower-case host, IPv4 in any numeric form to dotted decimal, repeated
 * percent-unescaping then minimal re-escaping, "." and ".." resolved, "//" collapsed, no
 * fragment, default port dropped); IDN hosts to punycode (libidn2, UTS#46 non-transitional).
 *
 * Lookup expressions: up to 5 host suffixes × up to 6 path prefixes, each "host/path[?query]"
 * without scheme and port, e.g. "a.b.c/1/2.html?param=1", "b.c/". An indexed url entry is
 * stored as its most specific expression (fidx_url_entry_key). */
#ifndef FIDX_URL_H
#define FIDX_URL_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "fidx/str.h"

/* Also accepts defanged forms: "hxxp://", "hxxps://", "[.]", "(.)", "[:]" . */
FIDX_MUST_CHECK int fidx_url_canonicalize(const char *p, size_t len, char *out, size_t cap,
                                          size_t *out_len, fidx_err_t *err);

/* Parts of a canonical URL (slices into it). path starts with '/'; query excludes '?' and is
 * {NULL,0} when absent (has_query tells "?" with empty query apart). */
typedef struct {
    fidx_str_t scheme, host, path, query;
    int has_query;
    int port; /* 0 when default/absent */
} fidx_url_parts_t;

FIDX_MUST_CHECK int fidx_url_split(const char *canon, size_t len, fidx_url_parts_t *parts);

#define FIDX_URL_MAX_EXPRS 30
typedef struct {
    size_t n;
    fidx_str_t expr[FIDX_URL_MAX_EXPRS]; /* slices into buf */
    /* Specificity, for "the most specific expression decides": number of host labels and
     * length of the path part (path + "?" + query) of each expression. */
    uint8_t host_labels[FIDX_URL_MAX_EXPRS];
    uint16_t path_len[FIDX_URL_MAX_EXPRS];
    char buf[FIDX_URL_MAX_EXPRS * 2 * 1024];
} fidx_url_exprs_t;

/* All lookup expressions of a canonical URL, most specific first, in the order and with the
 * rules of Safe Browsing (exact host first, then up to 4 suffixes formed from the last five
 * components; for an IP address only the address; path with query, path, then prefixes from
 * "/" adding one component at a time, at most 6 paths). FIDX_ENOSPC if buf is too small
 * (expressions longer than 1 KiB are not produced). */
FIDX_MUST_CHECK int fidx_url_expressions(const char *canon, size_t len, fidx_url_exprs_t *out);

/* The key under which a url indicator is stored: its most specific expression
 * ("evil.example/login?x=1"). */
FIDX_MUST_CHECK int fidx_url_entry_key(const char *canon, size_t len, char *out, size_t cap,
                                       size_t *out_len);

#endif
