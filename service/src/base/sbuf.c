/* Growable, bounded output buffers (see sbuf.h). Growth doubles, so appending n bytes one
 * piece at a time costs O(n) overall; the bound keeps a hostile request from making a response
 * (or a queue of them) grow without limit. */
#include "base/sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fidx/json.h"

void fidx__sbuf_init(fidx__sbuf_t *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->failed = 0;
}

void fidx__sbuf_free(fidx__sbuf_t *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void fidx__sbuf_reset(fidx__sbuf_t *b, size_t keep)
{
    b->len = 0;
    b->failed = 0;
    if (b->cap > keep)
        fidx__sbuf_free(b);
}

int fidx__sbuf_reserve(fidx__sbuf_t *b, size_t n)
{
    size_t need;
    if (b->failed)
        return -1;
    if (__builtin_add_overflow(b->len, n, &need) || need > b->max) {
        b->failed = 1;
        return -1;
    }
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : b->max < 1024 ? b->max : 1024; /* never more than max */
    while (cap < need)
        cap = cap > b->max / 2 ? b->max : cap * 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void fidx__sbuf_put_grow(fidx__sbuf_t *b, const char *p, size_t n)
{
    if (n == 0 || fidx__sbuf_reserve(b, n) != 0)
        return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void fidx__sbuf_putu(fidx__sbuf_t *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    fidx__sbuf_put(b, tmp + i, sizeof tmp - i);
}

void fidx__sbuf_printf(fidx__sbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    /* vsnprintf also writes a NUL after the text; a text that ends exactly at max has no room
     * for it in the buffer and is formatted apart. */
    size_t len = (size_t)n;
    int at_max = n >= 0 && !b->failed && b->max - b->len == len;
    if (n < 0 || fidx__sbuf_reserve(b, at_max ? len : len + 1) != 0) {
        b->failed = 1;
        return;
    }
    char *tmp = at_max ? malloc(len + 1) : NULL;
    if (at_max && !tmp) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(at_max ? tmp : b->p + b->len, len + 1, fmt, ap);
    va_end(ap);
    if (tmp && len)
        memcpy(b->p + b->len, tmp, len);
    free(tmp);
    b->len += len;
}

void fidx__sbuf_json_string(fidx__sbuf_t *b, const char *p, size_t n)
{
    /* Worst case of fidx_json_string: every byte a control character, "\u00XX". */
    size_t worst;
    if (__builtin_mul_overflow(n, (size_t)6, &worst) || __builtin_add_overflow(worst, 2, &worst) ||
        fidx__sbuf_reserve(b, worst) != 0) {
        b->failed = 1;
        return;
    }
    fidx_buf_t jb = fidx_buf(b->p + b->len, b->cap - b->len);
    fidx_json_string(&jb, p, n);
    if (!jb.ok) {
        b->failed = 1;
        return;
    }
    b->len += jb.len;
}
