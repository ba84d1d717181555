/* Lookup expressions of a canonical URL (Safe Browsing v4 "suffix/prefix expressions") and
 * the key a url entry is stored under.
 *
 * Hosts: the exact host, then up to four suffixes formed from the last five labels by
 * removing the leading one each time, never the top-level label alone; an IP address only as
 * itself. Paths: the path with its query, the path, then "/" and up to three more prefixes
 * adding one directory at a time. Every expression is a host slice followed by a path slice
 * of the canonical URL, so building one is a copy into the caller's fixed buffer: no
 * allocation on the lookup path. */
#include <string.h>

#include "fidx/url.h"

#define EXPR_MAX_LEN 1024
#define MAX_HOSTS 5
#define MAX_PATHS 6

static int is_digits(const char *p, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/* A canonical host is an address when bracketed (IPv6) or four dotted decimal numbers. */
static int host_is_ip(fidx_str_t h)
{
    if (h.len > 0 && h.p[0] == '[')
        return 1;
    size_t parts = 0, start = 0;
    for (size_t i = 0; i <= h.len; i++) {
        if (i < h.len && h.p[i] != '.')
            continue;
        if (!is_digits(h.p + start, i - start))
            return 0;
        parts++;
        start = i + 1;
    }
    return parts == 4;
}

static uint8_t count_labels(fidx_str_t h)
{
    size_t n = 1;
    for (size_t i = 0; i < h.len; i++)
        n += h.p[i] == '.';
    return (uint8_t)(n > 255 ? 255 : n);
}

/* The exact host, then suffixes of 5, 4, 3 and 2 labels (those shorter than the host). */
static size_t host_variants(fidx_str_t h, fidx_str_t *out)
{
    size_t n = 0;
    out[n++] = h;
    if (host_is_ip(h))
        return 1;
    size_t labels = 1;
    for (size_t i = 0; i < h.len; i++)
        labels += h.p[i] == '.';
    for (size_t k = labels - 1 < 5 ? labels - 1 : 5; k >= 2; k--) {
        /* The suffix of k labels starts after the (labels - k)-th dot. */
        size_t skip = labels - k, i = 0;
        while (skip > 0)
            skip -= h.p[i++] == '.';
        out[n++] = fidx_str(h.p + i, h.len - i);
    }
    return n;
}

/* Path with query (when the query is not empty), path, "/" and up to three more directory
 * prefixes; never the same string twice. */
static size_t path_variants(const fidx_url_parts_t *u, fidx_str_t *out)
{
    size_t n = 0;
    if (u->has_query && u->query.len > 0)
        out[n++] = fidx_str(u->path.p, u->path.len + 1 + u->query.len);
    out[n++] = u->path;
    size_t prefixes = 0;
    for (size_t i = 0; i < u->path.len && prefixes < 4; i++) {
        if (u->path.p[i] != '/')
            continue;
        prefixes++;
        if (i + 1 != u->path.len)
            out[n++] = fidx_str(u->path.p, i + 1);
    }
    return n;
}

static int add_expr(fidx_url_exprs_t *out, size_t *used, fidx_str_t h, fidx_str_t p)
{
    size_t len = h.len + p.len;
    if (len > EXPR_MAX_LEN)
        return 0; /* too long to be a lookup expression: skipped, not an error */
    if (out->n == FIDX_URL_MAX_EXPRS || len > sizeof out->buf - *used)
        return FIDX_ENOSPC;
    char *dst = out->buf + *used;
    memcpy(dst, h.p, h.len);
    memcpy(dst + h.len, p.p, p.len);
    out->expr[out->n] = fidx_str(dst, len);
    out->host_labels[out->n] = count_labels(h);
    out->path_len[out->n] = (uint16_t)p.len;
    out->n++;
    *used += len;
    return 0;
}

int fidx_url_expressions(const char *canon, size_t len, fidx_url_exprs_t *out)
{
    fidx_url_parts_t u;
    out->n = 0;
    int rc = fidx_url_split(canon, len, &u);
    if (rc != 0)
        return rc;
    fidx_str_t hosts[MAX_HOSTS], paths[MAX_PATHS];
    size_t nh = host_variants(u.host, hosts), np = path_variants(&u, paths);
    size_t used = 0;
    for (size_t i = 0; i < nh; i++)
        for (size_t j = 0; j < np; j++)
            if ((rc = add_expr(out, &used, hosts[i], paths[j])) != 0)
                return rc;
    return 0;
}

int fidx_url_entry_key(const char *canon, size_t len, char *out, size_t cap, size_t *out_len)
{
    fidx_url_parts_t u;
    int rc = fidx_url_split(canon, len, &u);
    if (rc != 0)
        return rc;
    size_t pl = u.path.len;
    if (u.has_query && u.query.len > 0)
        pl += 1 + u.query.len;
    /* The key must be an expression lookups produce: drop a query that makes it too long. */
    if (u.host.len + pl > EXPR_MAX_LEN)
        pl = u.path.len;
    if (u.host.len + pl > EXPR_MAX_LEN)
        return FIDX_ETOOBIG;
    if (u.host.len + pl + 1 > cap)
        return FIDX_ENOSPC;
    memcpy(out, u.host.p, u.host.len);
    memcpy(out + u.host.len, u.path.p, pl);
    out[u.host.len + pl] = '\0';
    *out_len = u.host.len + pl;
    return 0;
}
