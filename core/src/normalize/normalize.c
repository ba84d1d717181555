/* Kind detection and dispatch to the per-kind normalisers. Detection is a short series of
 * cheap shape tests followed by the normaliser that fits; the first one that accepts wins. */
#include "fidx/normalize.h"

#include <string.h>

#include "fidx/bank.h"
#include "fidx/domain.h"
#include "fidx/email.h"
#include "fidx/phone.h"
#include "fidx/social.h"
#include "fidx/str.h"
#include "fidx/url.h"

static const char *find_byte(const char *p, size_t len, char c)
{
    return len ? memchr(p, c, len) : NULL;
}

/* A scheme ("http://", defanged "hxxps://"), or a '/' after something that looks like a host:
 * a link. A bare host ("www.evil.vn", "http-vcb.com") is a domain. */
static int has_scheme_sep(const char *p, size_t len, size_t n)
{
    return len >= n + 3 && p[n] == ':' && p[n + 1] == '/' && p[n + 2] == '/';
}

static int looks_like_url(const char *p, size_t len)
{
    /* "http://", "https://", "hxxp://", "hxxps://", any case: tested at their places rather
     * than searched for, as this runs for every value given without a kind. */
    if (len >= 7 && (strncasecmp(p, "http", 4) == 0 || strncasecmp(p, "hxxp", 4) == 0) &&
        (has_scheme_sep(p, len, 4) || ((p[4] | 0x20) == 's' && has_scheme_sep(p, len, 5))))
        return 1;
    const char *slash = find_byte(p, len, '/');
    const char *dot = find_byte(p, len, '.');
    return slash && dot && dot < slash;
}

/* Social profile links are detected as url: the lookup also checks them as social accounts. */
static int looks_like_social(const char *p, size_t len)
{
    const char *colon = find_byte(p, len, ':');
    if (!colon)
        return 0;
    size_t n = (size_t)(colon - p);
    return (n == 8 && memcmp(p, "facebook", 8) == 0) || (n == 8 && memcmp(p, "telegram", 8) == 0) ||
           (n == 6 && memcmp(p, "tiktok", 6) == 0) || (n == 4 && memcmp(p, "zalo", 4) == 0);
}

static int has_letter(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')
            return 1;
    return 0;
}

typedef int (*normalize_fn)(const char *, size_t, char *, size_t, size_t *, fidx_err_t *);

static int social_any(const char *p, size_t len, char *out, size_t cap, size_t *out_len,
                      fidx_err_t *err)
{
    return fidx_social_normalize(p, len, NULL, out, cap, out_len, err);
}

static const normalize_fn normalizers[FIDX_KIND_COUNT] = {
    [FIDX_KIND_PHONE] = fidx_phone_normalize, [FIDX_KIND_BANK_ACCOUNT] = fidx_bank_normalize,
    [FIDX_KIND_URL] = fidx_url_canonicalize,  [FIDX_KIND_DOMAIN] = fidx_domain_normalize,
    [FIDX_KIND_SOCIAL] = social_any,          [FIDX_KIND_EMAIL] = fidx_email_normalize,
};

/* Only what a typed phone number is made of: digits, spaces, '+', '.', '-', parentheses. */
static int phone_chars_only(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || strchr(" +.-()", p[i]) != NULL) || p[i] == '\0')
            return 0;
    return len > 0;
}

/* Tries the kinds in detection order; the first normaliser that accepts decides. */
static fidx_kind_t detect(const char *p, size_t len, char *out, size_t cap, size_t *out_len)
{
    fidx_kind_t order[6];
    size_t n = 0;
    fidx_err_t unused;
    /* The commonest value of all, a typed phone number, straight to its normaliser: with no
     * letter, '@', ':' or '/', no kind before the phone in the order below can take it. */
    if (phone_chars_only(p, len) && fidx_phone_normalize(p, len, out, cap, out_len, &unused) == 0)
        return FIDX_KIND_PHONE;
    if (find_byte(p, len, '@') && !looks_like_url(p, len))
        order[n++] = FIDX_KIND_EMAIL;
    if (looks_like_social(p, len))
        order[n++] = FIDX_KIND_SOCIAL;
    if (looks_like_url(p, len))
        order[n++] = FIDX_KIND_URL;
    /* "123456.tk" and "vcb-123456.tk" are hosts, not accounts: a dotted word without spaces is
     * tried as a domain first ("VCB 0123.456.789" has a space; "970436:0123…" no dot). */
    int hostlike = find_byte(p, len, '.') && !find_byte(p, len, ' ') && has_letter(p, len);
    if (hostlike)
        order[n++] = FIDX_KIND_DOMAIN;
    if (has_letter(p, len) || find_byte(p, len, ':'))
        order[n++] = FIDX_KIND_BANK_ACCOUNT; /* "VCB 0123…", "970436:0123…" */
    order[n++] = FIDX_KIND_PHONE;
    if (!hostlike)
        order[n++] = FIDX_KIND_DOMAIN;
    for (size_t i = 0; i < n; i++) {
        fidx_err_t ignored;
        /* A bare number is a bank account only when the caller says so. */
        if (order[i] == FIDX_KIND_BANK_ACCOUNT && !has_letter(p, len) && !find_byte(p, len, ':'))
            continue;
        if (normalizers[order[i]](p, len, out, cap, out_len, &ignored) == 0)
            return order[i];
    }
    return FIDX_KIND_NONE;
}

fidx_kind_t fidx_detect_kind(const char *p, size_t len)
{
    char buf[FIDX_CANON_CAP];
    size_t n;
    if (len > FIDX_MAX_VALUE_LEN)
        return FIDX_KIND_NONE;
    return detect(p, len, buf, sizeof buf, &n);
}

int fidx_normalize(fidx_kind_t kind, const char *platform, const char *p, size_t len,
                   fidx_kind_t *kind_out, char *out, size_t cap, size_t *out_len, fidx_err_t *err)
{
    if (len > FIDX_MAX_VALUE_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, FIDX_MAX_VALUE_LEN, "value too long");
    if (kind == FIDX_KIND_NONE) {
        if (cap < FIDX_CANON_CAP)
            return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
        kind = detect(p, len, out, cap, out_len);
        if (kind == FIDX_KIND_NONE)
            return fidx_err_set(err, FIDX_EINVAL, 0,
                                "cannot tell the kind of this value (phone number, bank account, "
                                "link, domain, social account or e-mail)");
        *kind_out = kind;
        return 0;
    }
    if (kind < 0 || kind >= FIDX_KIND_COUNT)
        return fidx_err_set(err, FIDX_EKIND, 0, "unknown kind");
    *kind_out = kind;
    if (kind == FIDX_KIND_SOCIAL)
        return fidx_social_normalize(p, len, platform, out, cap, out_len, err);
    return normalizers[kind](p, len, out, cap, out_len, err);
}

int fidx_storage_key(fidx_kind_t kind, const char *canon, size_t len, char *out, size_t cap,
                     size_t *out_len)
{
    if (kind == FIDX_KIND_URL)
        return fidx_url_entry_key(canon, len, out, cap, out_len);
    if (len + 1 > cap)
        return FIDX_ENOSPC;
    memcpy(out, canon, len);
    out[len] = '\0';
    *out_len = len;
    return 0;
}
