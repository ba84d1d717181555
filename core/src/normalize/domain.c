/* Domain names: "evil.com", "xn--ngnhng-ltan.vn". The input goes through the URL
 * canonicaliser and the host is taken from it, so that a domain entry and the host of a URL
 * being checked are always in the same form (case, IDNA, defanged dots, trailing dot, user
 * info and port are all handled once, in url.c and host.c). Then the host must be a real
 * host name: no address, at least one dot, labels of 1-63 bytes of [a-z0-9_-] not starting
 * or ending with '-', at most 253 bytes. Underscores are allowed: phishing hosts use them. */
#include "fidx/domain.h"

#include <string.h>

#include "fidx/str.h"
#include "fidx/url.h"

#define DOMAIN_MAX_LEN 253
#define LABEL_MAX_LEN 63

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_ldh(char c)
{
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_';
}

/* Four dotted decimal numbers: the canonicaliser has already turned every other numeric
 * form ("3279880203", "0x7f.1") into this one. */
static int is_ipv4(const char *p, size_t len)
{
    size_t parts = 0, digits = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && is_digit(p[i])) {
            digits++;
            continue;
        }
        if (digits == 0 || (i < len && p[i] != '.'))
            return 0;
        parts++;
        digits = 0;
    }
    return parts == 4;
}

static int check_label(const char *p, size_t len, size_t off, fidx_err_t *err)
{
    if (len == 0)
        return fidx_err_set(err, FIDX_EINVAL, off, "empty label in domain name");
    if (len > LABEL_MAX_LEN)
        return fidx_err_set(err, FIDX_EINVAL, off, "domain label longer than 63 bytes");
    for (size_t i = 0; i < len; i++)
        if (!is_ldh(p[i]))
            return fidx_err_set(err, FIDX_EINVAL, off + i,
                                "character not allowed in a domain name (letters, digits, '-', "
                                "'_' and dots; or not a valid internationalised name)");
    if (p[0] == '-' || p[len - 1] == '-')
        return fidx_err_set(err, FIDX_EINVAL, off, "domain label starts or ends with '-'");
    return 0;
}

/* Checks a canonical host (from fidx_url_split) as a domain name. */
static int check_domain(const char *h, size_t len, fidx_err_t *err)
{
    if ((len > 0 && h[0] == '[') || is_ipv4(h, len))
        return fidx_err_set(err, FIDX_EINVAL, 0, "an IP address is not a domain name");
    if (len > DOMAIN_MAX_LEN)
        return fidx_err_set(err, FIDX_EINVAL, 0, "domain name longer than 253 bytes");
    const char *dot = memchr(h, '.', len);
    if (!dot)
        return fidx_err_set(err, FIDX_EINVAL, 0, "domain name needs a dot (\"example.vn\")");
    size_t start = 0, tld = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && h[i] != '.')
            continue;
        int rc = check_label(h + start, i - start, start, err);
        if (rc != 0)
            return rc;
        tld = start;
        start = i + 1;
    }
    /* Every top-level domain is letters, or punycode for an IDN one: "0912.345-678" is not a
     * host name but a phone number written with dots. */
    if (len - tld > 4 && memcmp(h + tld, "xn--", 4) == 0)
        return 0;
    for (size_t i = tld; i < len; i++)
        if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z')))
            return fidx_err_set(err, FIDX_EINVAL, tld,
                                "top-level label of a domain must be letters (or xn-- punycode)");
    return 0;
}

int fidx_domain_normalize(const char *p, size_t len, char *out, size_t cap, size_t *out_len,
                          fidx_err_t *err)
{
    if (len > FIDX_MAX_VALUE_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, FIDX_MAX_VALUE_LEN, "domain name too long");
    while (len > 0 && (unsigned char)p[0] <= 0x20)
        p++, len--;
    if (len >= 2 && p[0] == '*' && p[1] == '.') /* "*.evil.com": every subdomain, as ours */
        p += 2, len -= 2;
    char canon[FIDX_CANON_CAP];
    size_t n;
    int rc = fidx_url_canonicalize(p, len, canon, sizeof canon, &n, err);
    if (rc != 0)
        return rc;
    fidx_url_parts_t u;
    if (fidx_url_split(canon, n, &u) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "not a domain name");
    rc = check_domain(u.host.p, u.host.len, err);
    if (rc != 0)
        return rc;
    if (u.host.len + 1 > cap)
        return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
    memcpy(out, u.host.p, u.host.len);
    out[u.host.len] = '\0';
    *out_len = u.host.len;
    return 0;
}
