/* JSON for the MISP and STIX readers and for format detection: reading a string member,
 * skipping a string's text, and finding where a decoded string is written in the document,
 * to report a row's line. */
#include <string.h>

#include "feed/feed_internal.h"

size_t fidx__feed_json_skip_string(const char *p, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (p[i] == '\\')
            i++;
        else if (p[i] == '"')
            return i + 1;
    }
    return len;
}

fidx_str_t fidx__feed_json_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fidx_str(NULL, 0);
    return fidx_str(json_string_value(v), json_string_length(v));
}

/* ---- locating a string in its JSON document ----------------------------------------------- */

/* After this many strings that could not be found, stop looking: it bounds the cost of a
 * document whose order does not match the reading order (each miss scans to the end). */
#define LOCATE_MAX_MISSES 8

void fidx__feed_json_locator_init(fidx__feed_json_locator_t *loc, const char *doc, size_t len)
{
    loc->doc = doc;
    loc->len = len;
    loc->pos = 0;
    loc->line = 1;
    loc->misses = 0;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        unsigned d = (c >= '0' && c <= '9')   ? (unsigned)(c - '0')
                     : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10)
                     : (c >= 'A' && c <= 'F') ? (unsigned)(c - 'A' + 10)
                                              : 16u;
        if (d == 16u)
            return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

static size_t utf8_put(unsigned cp, unsigned char *b)
{
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | (cp >> 18));
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escape at d[i] == '\\' into b; returns the bytes of text it took, 0 if bad. */
static size_t decode_escape(const char *d, size_t len, size_t i, unsigned char *b, size_t *bl)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    if (i + 1 >= len)
        return 0;
    const char *k = memchr(from, d[i + 1], sizeof from - 1);
    if (k) {
        b[0] = (unsigned char)to[k - from];
        *bl = 1;
        return 2;
    }
    unsigned cp, lo;
    if (d[i + 1] != 'u' || len - i < 6 || hex4(d + i + 2, &cp) != 0)
        return 0;
    size_t used = 6;
    if (cp >= 0xD800 && cp < 0xDC00 && len - i >= 12 && d[i + 6] == '\\' && d[i + 7] == 'u' &&
        hex4(d + i + 8, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        used = 12;
    }
    *bl = utf8_put(cp, b);
    return used;
}

/* Position after the closing quote when the JSON string text at d[i] (just after its opening
 * quote) decodes to exactly s[0..n); 0 otherwise. */
static size_t match_string(const char *d, size_t len, size_t i, const char *s, size_t n)
{
    size_t k = 0;
    while (i < len) {
        if (d[i] == '"')
            return k == n ? i + 1 : 0;
        if (d[i] != '\\') {
            if (k >= n || s[k] != d[i])
                return 0;
            k++;
            i++;
            continue;
        }
        unsigned char b[4];
        size_t bl = 0, used = decode_escape(d, len, i, b, &bl);
        if (used == 0 || bl > n - k || memcmp(s + k, b, bl) != 0)
            return 0;
        k += bl;
        i += used;
    }
    return 0;
}

static size_t count_lines(const char *p, size_t from, size_t to)
{
    size_t n = 0;
    const char *q = p + from, *end = p + to;
    while (q < end && (q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
        n++;
        q++;
    }
    return n;
}

size_t fidx__feed_json_locate(fidx__feed_json_locator_t *loc, const char *s, size_t n)
{
    if (loc->misses >= LOCATE_MAX_MISSES)
        return loc->line;
    const char *d = loc->doc;
    size_t i = loc->pos;
    while (i < loc->len) {
        const char *q = memchr(d + i, '"', loc->len - i);
        if (!q)
            break;
        size_t at = (size_t)(q - d);
        size_t after = match_string(d, loc->len, at + 1, s, n);
        if (after) {
            loc->line += count_lines(d, loc->pos, at);
            size_t line = loc->line;
            loc->line += count_lines(d, at, after);
            loc->pos = after;
            return line;
        }
        i = fidx__feed_json_skip_string(d, loc->len,
                                        at); /* a string that is not it: go past it whole */
    }
    loc->misses++;
    return loc->line;
}
