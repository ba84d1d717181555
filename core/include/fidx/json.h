/* Writing JSON: escaped strings into a bounded buffer. Parsing JSON is jansson's job (but for
 * the common shape of a batch body, service/src/batch_items.c). */
#ifndef FIDX_JSON_H
#define FIDX_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A bounded output buffer; once a write does not fit, ok becomes 0 and later writes do
 * nothing, so a caller checks once at the end. */
typedef struct {
    char *p;
    size_t cap;
    size_t len;
    int ok;
} fidx_buf_t;

static inline fidx_buf_t fidx_buf(char *p, size_t cap)
{
    fidx_buf_t b = {p, cap, 0, cap > 0};
    return b;
}

/* Inline, as is fidx_buf_puts (so that the length of a literal is known at compile time):
 * an answer is written in dozens of small pieces, and this is the hot path. */
static inline void fidx_buf_put(fidx_buf_t *b, const char *p, size_t len)
{
    if (!b->ok || len > b->cap - b->len) {
        b->ok = 0;
        return;
    }
    memcpy(b->p + b->len, p, len);
    b->len += len;
}

static inline void fidx_buf_puts(fidx_buf_t *b, const char *s)
{
    fidx_buf_put(b, s, strlen(s));
}
void fidx_buf_putu(fidx_buf_t *b, unsigned long long v);

/* Whether the 8 bytes at p are all plain in a JSON string: ASCII, not a control character,
 * '"' or '\\' (so copied as they are, and read as they are). Eight at a time, as most text is
 * plain: the classic "has a byte less than n" word test, exact for bytes below 0x80, and any
 * byte from 0x80 up answers 0 by its high bit. */
static inline int fidx_json_plain8(const char *p)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t v, q, s;
    memcpy(&v, p, 8);
    q = v ^ (ones * '"');
    s = v ^ (ones * '\\');
    return ((((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((s - ones) & ~s) | v) & high) == 0;
}

/* Writes p[0..len) as a JSON string with quotes: '"', '\\' and control characters escaped,
 * U+2028/U+2029 escaped, invalid UTF-8 bytes replaced by U+FFFD, so the output is always valid
 * JSON whatever the input. */
void fidx_json_string(fidx_buf_t *b, const char *p, size_t len);

/* Length of the well-formed UTF-8 sequence at p (1..4), or 0 when the bytes there are not one
 * (overlong forms, surrogates and code points above U+10FFFF are refused). len >= 1. */
size_t fidx_utf8_len(const unsigned char *p, size_t len);

#endif
