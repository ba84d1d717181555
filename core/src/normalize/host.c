/* Host-name canonicalisation shared by url.c and domain.c: dots tidied, ASCII lower-cased,
 * internationalised names (UTF-8) turned into punycode with libidn2 (UTS #46 non-transitional,
 * transitional as a fallback). ASCII names never reach libidn2, which allocates: the URL lookup
 * path calls this only for hosts with non-ASCII bytes. No check of the character set here:
 * Safe Browsing keeps odd ASCII hosts as they are, domain.c is the strict one. */
#include "normalize/host.h"

#include <idn2.h>
#include <string.h>

#include "fidx/str.h"

/* Strips leading and trailing dots, collapses runs of dots, lower-cases ASCII letters.
 * out has room for len bytes; returns the length written. */
static size_t tidy(const char *p, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == '.' && (o == 0 || out[o - 1] == '.'))
            continue;
        out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
    }
    if (o > 0 && out[o - 1] == '.')
        o--;
    return o;
}

static int has_non_ascii(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)p[i] >= 0x80)
            return 1;
    return 0;
}

/* Length of the UTF-8 sequence starting at p[0] (strict: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or 0 when it is not valid. NUL counts as invalid: libidn2 takes
 * C strings. */
static size_t utf8_seq(const unsigned char *p, size_t len)
{
    unsigned char c = p[0];
    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (n == 0 || c > 0xF4 || n > len)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0) || (c == 0xF0 && p[1] < 0x90) ||
        (c == 0xF4 && p[1] >= 0x90))
        return 0;
    return n;
}

static int utf8_valid(const char *p, size_t len)
{
    const unsigned char *u = (const unsigned char *)p;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(u + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* Only letters, digits, '-', '_' and '.' may come out of IDNA: a name that maps to anything
 * else ("％４１" → "%41") would read differently the next time round. */
static int ldh_only(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* Runs libidn2 on the NUL-terminated name; writes the tidied ASCII result to out. */
static int to_punycode(const char *name, char *out, size_t cap, size_t *out_len, fidx_err_t *err)
{
    uint8_t *res = NULL;
    int rc = idn2_lookup_u8((const uint8_t *)name, &res, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK)
        rc = idn2_lookup_u8((const uint8_t *)name, &res, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
    if (rc != IDN2_OK)
        return fidx_err_set(err, FIDX_EINVAL, 0, "not a valid internationalised host name");
    size_t n = strlen((const char *)res);
    if (n + 1 > cap) {
        idn2_free(res);
        return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
    }
    /* Mapping can make dots appear ("。" → "."), so tidy once more. */
    n = tidy((const char *)res, n, out);
    idn2_free(res);
    out[n] = '\0';
    if (!ldh_only(out, n))
        return fidx_err_set(err, FIDX_EINVAL, 0,
                            "host name maps to characters not allowed in a host name");
    *out_len = n;
    return 0;
}

int fidx__host_canonicalize(const char *p, size_t len, char *out, size_t cap, size_t *out_len,
                            fidx_err_t *err)
{
    if (len > FIDX_MAX_VALUE_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, FIDX_MAX_VALUE_LEN, "host name too long");
    char name[FIDX_MAX_VALUE_LEN + 1];
    size_t n = tidy(p, len, name);
    if (!has_non_ascii(name, n)) {
        if (n + 1 > cap)
            return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
        memcpy(out, name, n);
        out[n] = '\0';
        *out_len = n;
        return 0;
    }
    if (!utf8_valid(name, n))
        return fidx_err_set(err, FIDX_EINVAL, 0, "host name is not valid UTF-8");
    name[n] = '\0';
    return to_punycode(name, out, cap, out_len, err);
}
