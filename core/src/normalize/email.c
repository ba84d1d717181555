/* E-mail addresses: "scam@example.com". Unwraps what surrounds an address in the wild
 * ("mailto:…?subject=…", "Name <x@y.z>"), undoes defanging ("x[@]y[.]z"), then checks the
 * shape: one '@', a local part of 1-64 bytes of RFC 5322 atext separated by single dots, and
 * a domain that fidx_domain_normalize accepts (so IDN domains come out as punycode, the same
 * form as domain entries). The whole address is lower-cased, as the contract says. */
#include "fidx/email.h"

#include <string.h>

#include "fidx/domain.h"
#include "fidx/str.h"

#define LOCAL_MAX_LEN 64
#define EMAIL_MAX_LEN 254

static int has_prefix_ci(const char *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    if (len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((p[i] >= 'A' && p[i] <= 'Z' ? p[i] | 0x20 : p[i]) != lit[i])
            return 0;
    return 1;
}

/* The address inside what surrounds it: spaces, "mailto:" and its query, "<…>" (with an
 * optional display name before it). Returns the slice through *p, *len. */
static void unwrap(const char **p, size_t *len)
{
    const char *s = *p;
    size_t n = *len;
    while (n > 0 && (unsigned char)s[0] <= 0x20)
        s++, n--;
    while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
        n--;
    if (n > 0 && s[n - 1] == '>') {
        const char *lt = NULL;
        for (size_t i = n - 1; i > 0 && !lt; i--)
            if (s[i - 1] == '<')
                lt = s + i;
        if (lt) {
            n = (size_t)(s + n - 1 - lt);
            s = lt;
        }
    }
    if (has_prefix_ci(s, n, "mailto:")) {
        s += 7, n -= 7;
        const char *q = memchr(s, '?', n);
        if (q)
            n = (size_t)(q - s);
    }
    *p = s;
    *len = n;
}

/* Copies p into out undoing "[@]", "(@)", "{@}" and "[.]", "(.)", "{.}"; reduces at the
 * tail so that nothing defanged is left ("[[.]]" → "."). Returns the length. */
static size_t defang(const char *p, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        out[o++] = p[i];
        while (o >= 3) {
            const char *t = out + o - 3;
            int wrapped = (t[0] == '[' && t[2] == ']') || (t[0] == '(' && t[2] == ')') ||
                          (t[0] == '{' && t[2] == '}');
            if (!wrapped || (t[1] != '.' && t[1] != '@'))
                break;
            out[o - 3] = t[1];
            o -= 2;
        }
    }
    return o;
}

static int is_atext(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Local part: dot-atom (atext runs separated by single dots), 1-64 bytes. */
static int check_local(const char *p, size_t len, fidx_err_t *err)
{
    if (len == 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "e-mail address has nothing before the @");
    if (len > LOCAL_MAX_LEN)
        return fidx_err_set(err, FIDX_EINVAL, 0, "part before the @ is longer than 64 bytes");
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '.') {
            if (i == 0 || i + 1 == len || p[i + 1] == '.')
                return fidx_err_set(err, FIDX_EINVAL, i,
                                    "dot at the start or end of the part before the @, or two "
                                    "dots in a row");
        } else if (!is_atext(p[i])) {
            return fidx_err_set(err, FIDX_EINVAL, i,
                                "character not allowed in the part before the @");
        }
    }
    return 0;
}

/* Bytes a domain part may not hold before IDNA: URL syntax and controls, which the domain
 * normaliser would otherwise read as scheme, port, path or escapes. */
static int check_domain_bytes(const char *p, size_t len, size_t off, fidx_err_t *err)
{
    if (len == 0)
        return fidx_err_set(err, FIDX_EINVAL, off, "e-mail address has nothing after the @");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)p[i] <= 0x20 || strchr("/\\:?#%[]<>()\",;", p[i]) != NULL)
            return fidx_err_set(err, FIDX_EINVAL, off + i,
                                "character not allowed in the domain of an e-mail address");
    return 0;
}

int fidx_email_normalize(const char *p, size_t len, char *out, size_t cap, size_t *out_len,
                         fidx_err_t *err)
{
    if (len > FIDX_MAX_VALUE_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, FIDX_MAX_VALUE_LEN, "e-mail address too long");
    unwrap(&p, &len);
    char buf[FIDX_MAX_VALUE_LEN];
    size_t n = defang(p, len, buf);
    const char *at = memchr(buf, '@', n);
    if (!at || memchr(at + 1, '@', n - (size_t)(at - buf) - 1))
        return fidx_err_set(err, FIDX_EINVAL, at ? (size_t)(at - buf) : 0,
                            "an e-mail address has exactly one @");
    size_t ll = (size_t)(at - buf), dl = n - ll - 1;
    int rc = check_local(buf, ll, err);
    if (rc == 0)
        rc = check_domain_bytes(at + 1, dl, ll + 1, err);
    if (rc != 0)
        return rc;
    char dom[FIDX_CANON_CAP];
    size_t dn;
    rc = fidx_domain_normalize(at + 1, dl, dom, sizeof dom, &dn, err);
    if (rc != 0)
        return rc;
    if (ll + 1 + dn > EMAIL_MAX_LEN)
        return fidx_err_set(err, FIDX_EINVAL, 0, "e-mail address longer than 254 bytes");
    if (ll + 1 + dn + 1 > cap)
        return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
    for (size_t i = 0; i < ll; i++)
        out[i] = (buf[i] >= 'A' && buf[i] <= 'Z') ? (char)(buf[i] | 0x20) : buf[i];
    out[ll] = '@';
    memcpy(out + ll + 1, dom, dn);
    out[ll + 1 + dn] = '\0';
    *out_len = ll + 1 + dn;
    return 0;
}
