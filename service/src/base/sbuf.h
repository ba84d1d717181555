/* A growable output buffer with a hard size limit, used for response bodies and for a
 * connection's queued output. Once a write fails (limit or out of memory), `failed` is set and
 * later writes do nothing, so callers check once at the end (the fidx_buf_t habit). */
#ifndef FIDX_SERVICE_SBUF_H
#define FIDX_SERVICE_SBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    char *p;
    size_t len;
    size_t cap;
    size_t max; /* never grows beyond this many bytes */
    int failed;
} fidx__sbuf_t;

void fidx__sbuf_init(fidx__sbuf_t *b, size_t max);
void fidx__sbuf_free(fidx__sbuf_t *b);
/* Empties the buffer and clears `failed`; keeps the memory unless it grew beyond keep bytes. */
void fidx__sbuf_reset(fidx__sbuf_t *b, size_t keep);

/* Makes room for n more bytes. Returns 0, or -1 (and sets failed) past max or out of memory. */
int fidx__sbuf_reserve(fidx__sbuf_t *b, size_t n);

/* Appends p[0..n): grows the buffer first when it must (sbuf.c). */
void fidx__sbuf_put_grow(fidx__sbuf_t *b, const char *p, size_t n);
/* Inline: a response is written in many small pieces that nearly always fit. */
static inline void fidx__sbuf_put(fidx__sbuf_t *b, const char *p, size_t n)
{
    if (!b->failed && n && n <= b->cap - b->len) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
        return;
    }
    fidx__sbuf_put_grow(b, p, n);
}
/* Inline so that the length of a literal is known at compile time (the profile showed strlen
 * on the response path). */
static inline void fidx__sbuf_puts(fidx__sbuf_t *b, const char *s)
{
    fidx__sbuf_put(b, s, strlen(s));
}
void fidx__sbuf_putu(fidx__sbuf_t *b, uint64_t v);
void fidx__sbuf_printf(fidx__sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* p[0..n) as a quoted, escaped JSON string (fidx_json_string: always valid JSON). */
void fidx__sbuf_json_string(fidx__sbuf_t *b, const char *p, size_t n);

#endif
