/* Confusable skeletons of host names, for the look-alike check: punycode decoding (RFC 3492)
 * and folding through the table generated from ICU (confusables.h). Allocation-free: the
 * check calls this on every host it is given. */
#include <string.h>

#include "lookup/confusables.h"
#include "lookup/lookalike_internal.h"

static const fidx__confusable_t *find_cp(uint32_t cp)
{
    size_t lo = 0, hi = fidx__confusables_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fidx__confusables[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < fidx__confusables_count && fidx__confusables[lo].cp == cp ? &fidx__confusables[lo]
                                                                          : NULL;
}

void fidx__la_ascii_init(fidx__la_ascii_t map[128])
{
    for (uint32_t c = 0; c < 128; c++) {
        const fidx__confusable_t *e = find_cp(c);
        map[c].len = e ? e->len : 1;
        if (e)
            memcpy(map[c].s, e->s, sizeof map[c].s);
        else
            map[c].s[0] = (char)c;
    }
}

/* RFC 3492's parameters for IDNA. */
enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700, INITIAL_BIAS = 72, INITIAL_N = 128 };

static uint32_t adapt(uint32_t delta, uint32_t points, int first)
{
    uint32_t k = 0;
    delta = first ? delta / DAMP : delta / 2;
    delta += delta / points;
    while (delta > ((BASE - TMIN) * TMAX) / 2) {
        delta /= BASE - TMIN;
        k += BASE;
    }
    return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

static int digit_value(char c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '0' && c <= '9')
        return c - '0' + 26;
    return -1;
}

/* Reads one generalized variable-length integer from p[*in..len) into *i (section 6.2's
 * inner loop). 0, or -1 on a bad digit, a truncated number or an overflow. */
static int read_delta(const char *p, size_t len, size_t *in, uint32_t bias, uint32_t *i)
{
    uint32_t w = 1;
    for (uint32_t k = BASE;; k += BASE) {
        if (*in >= len)
            return -1;
        int d = digit_value(p[(*in)++]);
        if (d < 0 || (uint32_t)d > (UINT32_MAX - *i) / w)
            return -1;
        *i += (uint32_t)d * w;
        uint32_t t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
        if ((uint32_t)d < t)
            return 0;
        if (w > UINT32_MAX / (BASE - t))
            return -1;
        w *= BASE - t;
    }
}

int fidx__punycode_decode(const char *p, size_t len, uint32_t *cp, size_t cap)
{
    const char *delim = memrchr(p, '-', len);
    size_t out = delim ? (size_t)(delim - p) : 0, in = delim ? out + 1 : 0;
    if (out > cap)
        return -1;
    for (size_t j = 0; j < out; j++) {
        if ((unsigned char)p[j] >= 0x80)
            return -1;
        cp[j] = (unsigned char)p[j];
    }
    uint32_t n = INITIAL_N, bias = INITIAL_BIAS, i = 0;
    while (in < len) {
        uint32_t old = i;
        if (read_delta(p, len, &in, bias, &i) != 0)
            return -1;
        bias = adapt(i - old, (uint32_t)out + 1, old == 0);
        if (i / (out + 1) > 0x10FFFF - n)
            return -1;
        n += i / (uint32_t)(out + 1);
        i %= (uint32_t)(out + 1);
        if (out >= cap || (n >= 0xD800 && n <= 0xDFFF))
            return -1;
        memmove(cp + i + 1, cp + i, (out - i) * sizeof *cp);
        cp[i++] = n;
        out++;
    }
    return (int)out;
}

static size_t put_utf8(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static size_t fold_ascii(const fidx__la_ascii_t map[128], const char *p, size_t len, char *out)
{
    size_t n = 0;
    for (size_t j = 0; j < len; j++) {
        const fidx__la_ascii_t *m = &map[(unsigned char)p[j] & 0x7F];
        memcpy(out + n, m->s, m->len);
        n += m->len;
    }
    return n;
}

/* One label: an "xn--" label is decoded and each code point folded; anything else (or an
 * "xn--" label that does not decode) is folded byte by byte as ASCII. */
static size_t fold_label(const fidx__la_ascii_t map[128], const char *p, size_t len, char *out)
{
    uint32_t cp[FIDX__LA_MAX_LABEL];
    int n = -1;
    if (len > 4 && memcmp(p, "xn--", 4) == 0)
        n = fidx__punycode_decode(p + 4, len - 4, cp, FIDX__LA_MAX_LABEL);
    if (n < 0)
        return fold_ascii(map, p, len, out);
    size_t w = 0;
    for (int j = 0; j < n; j++) {
        if (cp[j] < 128) {
            memcpy(out + w, map[cp[j]].s, map[cp[j]].len);
            w += map[cp[j]].len;
            continue;
        }
        const fidx__confusable_t *e = find_cp(cp[j]);
        if (e) {
            memcpy(out + w, e->s, e->len);
            w += e->len;
        } else {
            w += put_utf8(out + w, cp[j]);
        }
    }
    return w;
}

size_t fidx__la_skeleton(const fidx__la_ascii_t map[128], const char *host, size_t len, char *out)
{
    size_t w = 0;
    if (len > FIDX__LA_MAX_HOST)
        len = FIDX__LA_MAX_HOST; /* callers check; this keeps the bound of out even if not */
    for (size_t at = 0; at <= len;) {
        const char *dot = memchr(host + at, '.', len - at);
        size_t end = dot ? (size_t)(dot - host) : len;
        size_t label = end - at > FIDX__LA_MAX_LABEL ? FIDX__LA_MAX_LABEL : end - at;
        w += fold_label(map, host + at, label, out + w);
        if (!dot)
            break;
        out[w++] = '.';
        at = end + 1;
    }
    return w;
}
