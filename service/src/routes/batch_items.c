/* See batch_items.h. One grammar, read twice: start() checks the whole body and counts the items
 * (nothing decoded), next() reads them again one by one and decodes their strings, so an item
 * is never checked before the body is known to be in the shape (and the count within
 * --max-batch). */
#include "routes/batch_items.h"

#include <stdint.h>
#include <string.h>

#include "fidx/json.h"

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static int hex4(const char *p, const char *end, uint32_t *v)
{
    *v = 0;
    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        unsigned c = (unsigned char)p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        *v = *v << 4 | d;
    }
    return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The code point of a \u escape at p (just after "\u"), a surrogate pair read whole; the bytes
 * it took in *used. -1 for a malformed escape or a lone surrogate (jansson refuses both). */
static int unicode_escape(const char *p, const char *end, uint32_t *cp, size_t *used)
{
    uint32_t hi, lo;
    if (hex4(p, end, &hi) != 0 || (hi >= 0xDC00 && hi <= 0xDFFF))
        return -1;
    *cp = hi;
    *used = 4;
    if (hi < 0xD800 || hi > 0xDBFF)
        return 0;
    if (end - p < 10 || p[4] != '\\' || p[5] != 'u' || hex4(p + 6, end, &lo) != 0 || lo < 0xDC00 ||
        lo > 0xDFFF)
        return -1;
    *cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    *used = 10;
    return 0;
}

/* A string at r->p (the opening quote). *out is its value: a slice of the body when it holds
 * no escape, else decoded into buf ({NULL, length} without a buf). -1 when it is not a string
 * jansson would take the same way (with nul, "\u0000" is taken, as JSON_ALLOW_NUL takes it),
 * or when an escaped one is over cap bytes decoded. */
static int read_string_cap(fidx__batch_reader_t *r, char *buf, size_t cap, int nul, fidx_str_t *out)
{
    const char *p = r->p, *end = r->end, *start;
    size_t n = 0;
    int escaped = 0;
    if (p == end || *p != '"')
        return -1;
    start = ++p;
    while (p < end && *p != '"') {
        if (end - p >= 8 && fidx_json_plain8(p)) { /* most of most strings: as they are */
            if (escaped && buf && n + 8 <= cap)
                memcpy(buf + n, p, 8);
            n += 8;
            p += 8;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        char tmp[4];
        const char *bytes = p;
        size_t len, used;
        if (c == '\\') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *e = p + 1 < end ? memchr(from, p[1], sizeof from - 1) : NULL;
            uint32_t cp;
            if (!escaped && buf && n <= cap)
                memcpy(buf, start, n); /* the text before the first escape: n bytes as sent */
            escaped = 1;
            if (e) {
                tmp[0] = to[e - from];
                len = 1, used = 2;
            } else if (p + 1 < end && p[1] == 'u' && unicode_escape(p + 2, end, &cp, &used) == 0 &&
                       (cp || nul)) {
                len = put_utf8(tmp, cp);
                used += 2;
            } else {
                return -1;
            }
            bytes = tmp;
        } else if (c < 0x20) {
            return -1;
        } else {
            used = len = c < 0x80 ? 1 : fidx_utf8_len((const unsigned char *)p, (size_t)(end - p));
            if (!len)
                return -1;
        }
        if (escaped && buf && n + len <= cap)
            memcpy(buf + n, bytes, len);
        n += len;
        p += used;
    }
    if (p == end || (escaped && n > cap))
        return -1;
    *out = escaped ? fidx_str(buf, n) : fidx_str(start, (size_t)(p - start));
    r->p = p + 1;
    return 0;
}

static int read_string(fidx__batch_reader_t *r, char *buf, fidx_str_t *out)
{
    return read_string_cap(r, buf, FIDX__BATCH_STRING_MAX, 1, out);
}

static int literal(fidx__batch_reader_t *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return -1;
    r->p += n;
    return 0;
}

static int expect(fidx__batch_reader_t *r, char c)
{
    r->p = skip_ws(r->p, r->end);
    if (r->p == r->end || *r->p != c)
        return -1;
    r->p = skip_ws(r->p + 1, r->end);
    return 0;
}

/* One member of an object item; *seen collects which keys came (each at most once). A key
 * written with an escape, another key, or one seen twice is left to jansson. */
static int read_member(fidx__batch_reader_t *r, fidx__batch_item_t *it, unsigned *seen, int decode)
{
    static const char *const keys[] = {"q", "kind", "platform"}; /* and r->buf's order */
    fidx_str_t key, *dst[] = {&it->q, &it->kind, &it->platform};
    int k = -1;
    if (read_string(r, NULL, &key) != 0 || !key.p || expect(r, ':') != 0)
        return -1;
    for (int i = 0; i < 3 && k < 0; i++)
        if (key.len == strlen(keys[i]) && memcmp(key.p, keys[i], key.len) == 0)
            k = i;
    if (k < 0 || (*seen & (1u << k)))
        return -1;
    *seen |= 1u << k;
    if (k > 0 && r->p < r->end && *r->p == 'n') {
        *dst[k] = fidx_str(NULL, 0);
        return literal(r, "null");
    }
    return read_string(r, decode ? r->buf[k] : NULL, dst[k]);
}

/* One item at r->p; the next non-blank byte after it is left at r->p. */
static int read_item(fidx__batch_reader_t *r, fidx__batch_item_t *it, int decode)
{
    memset(it, 0, sizeof *it);
    if (r->p < r->end && *r->p == '"') {
        if (read_string(r, decode ? r->buf[0] : NULL, &it->q) != 0)
            return -1;
        r->p = skip_ws(r->p, r->end);
        return 0;
    }
    unsigned seen = 0;
    it->object = 1;
    if (expect(r, '{') != 0)
        return -1;
    for (;;) {
        if (read_member(r, it, &seen, decode) != 0)
            return -1;
        r->p = skip_ws(r->p, r->end);
        if (r->p < r->end && *r->p == '}')
            break;
        if (expect(r, ',') != 0)
            return -1;
    }
    r->p = skip_ws(r->p + 1, r->end);
    return (seen & 1u) ? 0 : -1; /* without q: the item's error is worded by the jansson path */
}

int fidx__batch_items_start(fidx__batch_reader_t *r, const char *body, size_t len, size_t *n_items)
{
    fidx_str_t key;
    fidx__batch_item_t it;
    size_t n = 0;
    *n_items = 0;
    if (!body) /* no body at all (a POST without one): not even null + 0 is computed */
        return FIDX_EINVAL;
    r->p = body;
    r->end = body + len;
    if (expect(r, '{') != 0 || read_string(r, NULL, &key) != 0 || key.len != 5 || !key.p ||
        memcmp(key.p, "items", 5) != 0 || expect(r, ':') != 0 || expect(r, '[') != 0)
        return FIDX_EINVAL;
    const char *first = r->p;
    if (r->p < r->end && *r->p != ']') {
        for (;;) {
            if (read_item(r, &it, 0) != 0)
                return FIDX_EINVAL;
            n++;
            if (r->p < r->end && *r->p == ']')
                break;
            if (expect(r, ',') != 0)
                return FIDX_EINVAL;
        }
    }
    if (expect(r, ']') != 0 || r->p == r->end || *r->p != '}' ||
        skip_ws(r->p + 1, r->end) != r->end)
        return FIDX_EINVAL;
    r->p = first;
    *n_items = n;
    return 0;
}

int fidx__batch_items_next(fidx__batch_reader_t *r, fidx__batch_item_t *item)
{
    if (r->p == r->end || *r->p == ']')
        return FIDX_ENOTFOUND;
    if (read_item(r, item, 1) != 0)
        return FIDX_EINVAL; /* cannot happen after a start that returned 0 */
    if (*r->p == ',')
        r->p = skip_ws(r->p + 1, r->end);
    return 0;
}

/* ---- {"texts":[…]} ---- */

int fidx__batch_texts_start(fidx__batch_reader_t *r, const char *body, size_t len, size_t cap,
                            size_t *n_texts, size_t *bytes)
{
    fidx_str_t key, t;
    size_t n = 0, total = 0;
    *n_texts = *bytes = 0;
    if (!body)
        return FIDX_EINVAL;
    r->p = body;
    r->end = body + len;
    if (expect(r, '{') != 0 || read_string(r, NULL, &key) != 0 || key.len != 5 || !key.p ||
        memcmp(key.p, "texts", 5) != 0 || expect(r, ':') != 0 || expect(r, '[') != 0)
        return FIDX_EINVAL;
    const char *first = r->p;
    while (r->p < r->end && *r->p != ']') {
        if (read_string_cap(r, NULL, cap, 0, &t) != 0)
            return FIDX_EINVAL;
        n++;
        total += t.len;
        r->p = skip_ws(r->p, r->end);
        if (r->p < r->end && *r->p == ']')
            break;
        if (expect(r, ',') != 0)
            return FIDX_EINVAL;
    }
    if (expect(r, ']') != 0 || r->p == r->end || *r->p != '}' ||
        skip_ws(r->p + 1, r->end) != r->end)
        return FIDX_EINVAL;
    r->p = first;
    *n_texts = n;
    *bytes = total;
    return 0;
}

int fidx__batch_texts_next(fidx__batch_reader_t *r, char *buf, size_t cap, fidx_str_t *text)
{
    if (r->p == r->end || *r->p == ']')
        return FIDX_ENOTFOUND;
    if (read_string_cap(r, buf, cap, 0, text) != 0)
        return FIDX_EINVAL; /* cannot happen after a start that returned 0 with this cap */
    r->p = skip_ws(r->p, r->end);
    if (r->p < r->end && *r->p == ',')
        r->p = skip_ws(r->p + 1, r->end);
    return 0;
}
