/* URL canonicalisation as Google Safe Browsing v4 "URLs and Hashing" specifies it, and the
 * splitting of a canonical URL into its parts.
 *
 * Steps, in the order of the specification: trim, drop TAB/CR/LF, drop the fragment, unescape
 * until no "%XY" is left, then parse scheme, authority and path of the unescaped text; host:
 * dots tidied, lower case, IDN to punycode, IPv4 in any numeric form to dotted decimal; path:
 * "." and ".." resolved, "//" collapsed; query kept; and finally bytes <= 0x20, >= 0x7F, '#'
 * and '%' escaped again. Our contract adds: defanged input ("hxxp://", "evil[.]com"), only
 * http and https, user info dropped, a non-default port kept (Safe Browsing drops every port;
 * the lookup expressions never contain one, so matching is the same).
 *
 * Everything runs in fixed stack buffers (the input is at most FIDX_MAX_VALUE_LEN bytes and
 * unescaping only shrinks it): this is on every URL lookup and must not allocate. Only hosts
 * with non-ASCII bytes go to libidn2 (host.c), which does. */
#include "fidx/url.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "normalize/host.h"

/* The text being canonicalised: a mutable copy of the input. */
typedef struct {
    char b[FIDX_MAX_VALUE_LEN];
    size_t n;
} work_t;

/* Bounded output: records overflow instead of writing past cap (one NUL kept in reserve). */
typedef struct {
    char *p;
    size_t cap, n;
    int overflow;
} out_t;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Whether t[0..3) is a defanged dot: "[.]", "(.)" or "{.}". */
static int dot_pattern(const char *t)
{
    return t[1] == '.' && ((t[0] == '[' && t[2] == ']') || (t[0] == '(' && t[2] == ')') ||
                           (t[0] == '{' && t[2] == '}'));
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? (c | 0x20) : c;
}

static int has_prefix_ci(const char *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    if (len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)p[i]) != lit[i])
            return 0;
    return 1;
}

static void put(out_t *o, const char *s, size_t n)
{
    if (o->overflow || o->cap == 0 || n > o->cap - 1 - o->n) {
        o->overflow = 1;
        return;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

/* Escapes what Safe Browsing escapes: bytes <= 0x20, >= 0x7F, '#' and '%', upper-case hex. */
static void put_escaped(out_t *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F || c == '#' || c == '%') {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(o, e, 3);
        } else {
            put(o, (const char *)&s[i], 1);
        }
    }
}

/* Copies p without leading/trailing spaces and controls, without TAB, CR and LF, and stops
 * at the first '#' (the fragment; an escaped "%23" stays part of the URL). */
static void load(const char *p, size_t len, work_t *w)
{
    while (len > 0 && (unsigned char)p[0] <= 0x20)
        p++, len--;
    while (len > 0 && (unsigned char)p[len - 1] <= 0x20)
        len--;
    w->n = 0;
    for (size_t i = 0; i < len && p[i] != '#'; i++)
        if (p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            w->b[w->n++] = p[i];
}

/* Unescapes until no "%XY" is left, in one pass: after each byte, the tail is decoded while
 * it reads "%XY" (a decoded '%' can start a new escape: "%2541" → "%41" → "A"). Escapes never
 * overlap, so every order of decoding ends in the same text; this one is linear. */
static void unescape_all(work_t *w)
{
    size_t o = 0;
    for (size_t i = 0; i < w->n; i++) {
        w->b[o++] = w->b[i];
        while (o >= 3 && w->b[o - 3] == '%' && hexval(w->b[o - 2]) >= 0 &&
               hexval(w->b[o - 1]) >= 0) {
            w->b[o - 3] = (char)(hexval(w->b[o - 2]) * 16 + hexval(w->b[o - 1]));
            o -= 2;
        }
    }
    w->n = o;
}

/* "[.]", "(.)", "{.}" → '.', "[:]" → ':' within w->b[from, to); returns the new end of the
 * range (the rest of the text moves up). Reduces at the tail like unescape_all so that no
 * pattern is left ("[[.]]" → "[.]" → "."): the output must not change when read again. */
static size_t defang_range(work_t *w, size_t from, size_t to)
{
    size_t o = from;
    for (size_t i = from; i < to; i++) {
        w->b[o++] = w->b[i];
        while (o - from >= 3) {
            const char *t = w->b + o - 3;
            int dot = dot_pattern(t);
            int colon = t[0] == '[' && t[1] == ':' && t[2] == ']';
            if (!dot && !colon)
                break;
            w->b[o - 3] = dot ? '.' : ':';
            o -= 2;
        }
    }
    memmove(w->b + o, w->b + to, w->n - to);
    w->n -= to - o;
    return o;
}

/* Length of a scheme name ([A-Za-z][A-Za-z0-9+.-]*) at the start of p that is followed by
 * ':', or 0. */
static size_t scheme_len(const char *p, size_t len)
{
    size_t i = 0;
    if (len == 0 || !((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z'))
        return 0;
    while (i < len && (((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z') ||
                       (p[i] >= '0' && p[i] <= '9') || p[i] == '+' || p[i] == '-' || p[i] == '.'))
        i++;
    return (i < len && p[i] == ':') ? i : 0;
}

/* Whether "name:rest" is "host:port" rather than "scheme:…": the name has a dot or a digit,
 * or what follows the colon up to '/' or '?' is all digits. */
static int reads_as_port(const char *p, size_t sl, size_t len)
{
    for (size_t i = 0; i < sl; i++)
        if (!((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z'))
            return 1;
    for (size_t i = sl + 1; i < len && p[i] != '/' && p[i] != '?'; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/* Undoes defanged schemes: "hxxp://", "hxxps://" (any case) and "[:]" after a scheme name
 * ("http[:]//"). */
static void defang_scheme(work_t *w)
{
    size_t k = 0;
    while (k < w->n && (w->b[k] | 0x20) >= 'a' && (w->b[k] | 0x20) <= 'z')
        k++;
    if (k > 0 && w->n - k >= 3 && memcmp(w->b + k, "[:]", 3) == 0)
        defang_range(w, k, k + 3);
    if ((k == 4 || k == 5) && k < w->n && w->b[k] == ':' && has_prefix_ci(w->b, k, "hxxp") &&
        (k == 4 || (w->b[4] | 0x20) == 's'))
        w->b[1] = w->b[2] = 't';
}

/* Finds the scheme (http when absent) and where the authority starts. */
static int parse_scheme(work_t *w, int *https, size_t *auth, fidx_err_t *err)
{
    defang_scheme(w);
    size_t sl = scheme_len(w->b, w->n);
    int http = sl == 4 && has_prefix_ci(w->b, sl, "http");
    *https = sl == 5 && has_prefix_ci(w->b, sl, "https");
    if (sl > 0 && !http && !*https) {
        if ((w->n > sl + 2 && w->b[sl + 1] == '/' && w->b[sl + 2] == '/') ||
            !reads_as_port(w->b, sl, w->n))
            return fidx_err_set(err, FIDX_EINVAL, 0,
                                "unsupported URL scheme (only http and https)");
        sl = 0; /* "localhost:8080/…", "evil.com:81" */
    }
    *auth = 0;
    if (sl > 0) {
        *auth = sl + 1;
        while (*auth < w->n && w->b[*auth] == '/')
            (*auth)++;
    } else if (w->n >= 2 && w->b[0] == '/' && w->b[1] == '/') {
        *auth = 2; /* "//host/path" */
    }
    return 0;
}

/* Parses the decimal port after ':' (empty means default); 0 for the scheme's default. */
static int parse_port(const char *p, size_t len, int https, int *port, fidx_err_t *err)
{
    unsigned long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return fidx_err_set(err, FIDX_EINVAL, 0, "invalid port in URL");
        v = v * 10 + (unsigned long)(p[i] - '0');
        if (v > 65535)
            return fidx_err_set(err, FIDX_EINVAL, 0, "port out of range in URL");
    }
    if (len > 0 && v == 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "port out of range in URL");
    *port = (v == 0 || v == (https ? 443u : 80u)) ? 0 : (int)v;
    return 0;
}

/* One part of an inet_aton-style address: "0x" hex, leading-zero octal, else decimal. */
static int ip_part(const char *p, size_t len, uint64_t *v)
{
    unsigned base = 10;
    size_t i = 0;
    if (len == 0)
        return -1;
    if (len >= 2 && p[0] == '0' && (p[1] | 0x20) == 'x')
        base = 16, i = 2;
    else if (len >= 2 && p[0] == '0')
        base = 8, i = 1;
    uint64_t x = 0;
    for (; i < len; i++) {
        int d = hexval(p[i]);
        if (d < 0 || (unsigned)d >= base)
            return -1;
        x = x * base + (unsigned)d;
        if (x > 0xFFFFFFFFu)
            return -1;
    }
    *v = x;
    return 0;
}

/* IPv4 in any form inet_aton accepts (1 to 4 parts, the last filling the remaining bytes)
 * to dotted decimal in out (16 bytes). Returns the length, or 0 when host is no address. */
static size_t ipv4_canonical(const char *host, size_t len, char out[16])
{
    uint64_t part[4];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && host[i] != '.')
            continue;
        if (n == 4 || ip_part(host + start, i - start, &part[n]) != 0)
            return 0;
        n++;
        start = i + 1;
    }
    uint64_t addr = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (part[i] > 255)
            return 0;
        addr |= part[i] << (8 * (3 - i));
    }
    if (part[n - 1] >= (UINT64_C(1) << (8 * (5 - n))))
        return 0;
    addr |= part[n - 1];
    size_t o = 0;
    for (int k = 0; k < 4; k++) {
        unsigned x = (unsigned)(addr >> (24 - 8 * k)) & 255;
        if (k)
            out[o++] = '.';
        if (x >= 100)
            out[o++] = (char)('0' + x / 100);
        if (x >= 10)
            out[o++] = (char)('0' + x / 10 % 10);
        out[o++] = (char)('0' + x % 10);
    }
    return o;
}

/* Dots tidied (no leading, trailing or doubled ones), ASCII lower-cased, defanged dots
 * reduced: the host when IDNA does not apply or fails (Safe Browsing then escapes the raw
 * bytes: "\x01\x80.com" → "%01%80.com"). Reduces at the tail so that dropping a dot cannot
 * leave a pattern behind ("[..]" → "[.]" → "."). */
static size_t host_tidy(const char *p, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        out[o++] = (char)lower((unsigned char)p[i]);
        for (;;) {
            if (out[o - 1] == '.' && (o == 1 || out[o - 2] == '.')) {
                o--;
                break;
            }
            if (o < 3 || !dot_pattern(out + o - 3))
                break;
            out[o - 3] = '.';
            o -= 2;
        }
    }
    if (o > 0 && out[o - 1] == '.')
        o--;
    return o;
}

/* A bracketed IPv6 host: its compressed lower-case form when it parses, else lower-cased
 * as it is. No dot tidying: that could take the ']' away and change how it reads. */
static size_t host_v6(const char *p, size_t len, char *out)
{
    char in[INET6_ADDRSTRLEN + 1];
    unsigned char addr[16];
    size_t inner = len - 2;
    if (inner < sizeof in && !memchr(p + 1, '\0', inner)) {
        memcpy(in, p + 1, inner);
        in[inner] = '\0';
        if (inet_pton(AF_INET6, in, addr) == 1 && inet_ntop(AF_INET6, addr, in, sizeof in)) {
            size_t m = strlen(in);
            out[0] = '[';
            memcpy(out + 1, in, m);
            out[m + 1] = ']';
            return m + 2;
        }
    }
    for (size_t i = 0; i < len; i++)
        out[i] = (char)lower((unsigned char)p[i]);
    return len;
}

/* Canonical host into out (room for FIDX_MAX_VALUE_LEN + 1 bytes). */
static size_t host_canonical(const char *p, size_t len, char *out)
{
    if (len >= 2 && p[0] == '[' && memchr(p, ']', len) == p + len - 1)
        return host_v6(p, len, out);
    size_t n = host_tidy(p, len, out);
    int ascii = 1;
    for (size_t i = 0; i < n; i++)
        ascii &= (unsigned char)out[i] < 0x80;
    if (!ascii) {
        char idn[FIDX_MAX_VALUE_LEN + 1];
        size_t m;
        if (fidx__host_canonicalize(out, n, idn, sizeof idn, &m, NULL) == 0) {
            memcpy(out, idn, m);
            n = m;
        }
    }
    char ip[16];
    size_t ipn = n > 0 ? ipv4_canonical(out, n, ip) : 0;
    if (ipn > 0) {
        memcpy(out, ip, ipn);
        n = ipn;
    }
    return n;
}

/* Resolves "." and ".." segments and drops empty ones ("//"), keeping a trailing '/'. The
 * result always starts with '/'; out needs len + 1 bytes. */
static size_t path_canonical(const char *p, size_t len, char *out)
{
    size_t o = 0, i = 0;
    out[o++] = '/';
    while (i < len) {
        while (i < len && p[i] == '/')
            i++;
        size_t s = i;
        while (i < len && p[i] != '/')
            i++;
        size_t sl = i - s;
        if (sl == 0 || (sl == 1 && p[s] == '.'))
            continue;
        if (sl == 2 && p[s] == '.' && p[s + 1] == '.') {
            if (o > 1)
                o--;
            while (o > 1 && out[o - 1] != '/')
                o--;
            continue;
        }
        memcpy(out + o, p + s, sl);
        o += sl;
        if (i < len)
            out[o++] = '/';
    }
    return o;
}

/* Splits the authority a[0, len) into host and port, dropping user info ("user:pw@"). */
static int split_authority(const char *a, size_t len, int https, const char **host, size_t *hlen,
                           int *port, fidx_err_t *err)
{
    for (size_t i = len; i > 0; i--)
        if (a[i - 1] == '@') {
            a += i, len -= i;
            break;
        }
    const char *colon = memchr(a, ':', len);
    const char *rb = (len > 0 && a[0] == '[') ? memchr(a, ']', len) : NULL;
    size_t hl = rb ? (size_t)(rb - a) + 1 : 0;
    if (rb && (hl == len || a[hl] == ':')) /* "[v6]" or "[v6]:port"; else '[' is a byte */
        colon = hl < len ? a + hl : NULL;
    *host = a;
    *hlen = colon ? (size_t)(colon - a) : len;
    *port = 0;
    if (colon)
        return parse_port(colon + 1, len - *hlen - 1, https, port, err);
    return 0;
}

/* Writes "scheme://host[:port]" of the canonical URL; w->b[auth..) holds the authority. */
static int emit_origin(out_t *o, const work_t *w, size_t auth, size_t end, int https,
                       fidx_err_t *err)
{
    const char *h;
    size_t hl;
    int port;
    int rc = split_authority(w->b + auth, end - auth, https, &h, &hl, &port, err);
    if (rc != 0)
        return rc;
    char host[FIDX_MAX_VALUE_LEN + 1];
    size_t n = host_canonical(h, hl, host);
    if (n == 0)
        return fidx_err_set(err, FIDX_EINVAL, auth, "URL has no host");
    put(o, https ? "https://" : "http://", https ? 8 : 7);
    put_escaped(o, host, n);
    if (port) {
        char pb[8];
        size_t pn = 0;
        pb[pn++] = ':';
        for (int div = 10000; div > 0; div /= 10)
            if (port >= div || div == 1)
                pb[pn++] = (char)('0' + port / div % 10);
        put(o, pb, pn);
    }
    return 0;
}

int fidx_url_canonicalize(const char *p, size_t len, char *out, size_t cap, size_t *out_len,
                          fidx_err_t *err)
{
    if (len > FIDX_MAX_VALUE_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, FIDX_MAX_VALUE_LEN, "URL too long");
    work_t w;
    load(p, len, &w);
    unescape_all(&w);
    int https = 0;
    size_t auth = 0;
    int rc = parse_scheme(&w, &https, &auth, err);
    if (rc != 0)
        return rc;
    size_t end = auth;
    while (end < w.n && w.b[end] != '/' && w.b[end] != '?')
        end++;
    end = defang_range(&w, auth, end);

    out_t o = {out, cap, 0, 0};
    rc = emit_origin(&o, &w, auth, end, https, err);
    if (rc != 0)
        return rc;
    const char *q = memchr(w.b + end, '?', w.n - end);
    size_t pend = q ? (size_t)(q - w.b) : w.n;
    char path[FIDX_MAX_VALUE_LEN + 1];
    size_t pn = path_canonical(w.b + end, pend - end, path);
    put_escaped(&o, path, pn);
    if (q) {
        put(&o, "?", 1);
        put_escaped(&o, q + 1, w.n - pend - 1);
    }
    if (o.overflow)
        return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
    out[o.n] = '\0';
    *out_len = o.n;
    return 0;
}

/* Parses the port of a canonical URL (1..65535, no sign, no leading zero needed). */
static int split_port(const char *p, size_t len, int *port)
{
    long v = 0;
    if (len == 0 || len > 5)
        return FIDX_EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return FIDX_EINVAL;
        v = v * 10 + (p[i] - '0');
    }
    if (v < 1 || v > 65535)
        return FIDX_EINVAL;
    *port = (int)v;
    return 0;
}

/* End of the host of a canonical URL whose host starts at s. */
static size_t host_end(const char *canon, size_t s, size_t len)
{
    size_t i = s;
    while (i < len && canon[i] != ':' && canon[i] != '/' && canon[i] != '?')
        i++;
    if (s < len && canon[s] == '[') { /* "[v6]" as split_authority reads it */
        size_t e = s;
        while (e < len && canon[e] != ']' && canon[e] != '/' && canon[e] != '?')
            e++;
        if (e + 1 < len && canon[e] == ']' &&
            (canon[e + 1] == ':' || canon[e + 1] == '/' || canon[e + 1] == '?'))
            i = e + 1;
    }
    return i;
}

int fidx_url_split(const char *canon, size_t len, fidx_url_parts_t *parts)
{
    size_t s;
    if (len >= 7 && memcmp(canon, "http://", 7) == 0)
        s = 7;
    else if (len >= 8 && memcmp(canon, "https://", 8) == 0)
        s = 8;
    else
        return FIDX_EINVAL;
    memset(parts, 0, sizeof *parts);
    parts->scheme = fidx_str(canon, s - 3);
    size_t i = host_end(canon, s, len);
    if (i == s)
        return FIDX_EINVAL;
    parts->host = fidx_str(canon + s, i - s);
    if (i < len && canon[i] == ':') {
        size_t ps = ++i;
        while (i < len && canon[i] != '/')
            i++;
        if (split_port(canon + ps, i - ps, &parts->port) != 0)
            return FIDX_EINVAL;
    }
    if (i >= len || canon[i] != '/')
        return FIDX_EINVAL;
    const char *q = memchr(canon + i, '?', len - i);
    size_t pend = q ? (size_t)(q - canon) : len;
    parts->path = fidx_str(canon + i, pend - i);
    if (q) {
        parts->has_query = 1;
        parts->query = fidx_str(q + 1, len - pend - 1);
        if (parts->query.len == 0)
            parts->query.p = NULL;
    }
    return 0;
}
