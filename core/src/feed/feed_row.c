/* What the feed readers share to fill a row (feed_internal.h): the text fields of fidx_row_t
 * by their schema names, the bounded per-row scratch buffer that decoded text is copied into,
 * and cutting a long text back to a whole UTF-8 character. */
#include <stdlib.h>
#include <string.h>

#include "feed/feed_internal.h"

const char *const fidx__feed_row_field_names[FIDX__ROW_NFIELDS] = {
    "kind",    "value",      "status",    "categories", "source",
    "reports", "first_seen", "last_seen", "note",       "label",
};
const size_t fidx__feed_row_field_offsets[FIDX__ROW_NFIELDS] = {
    offsetof(fidx_row_t, kind),       offsetof(fidx_row_t, value),
    offsetof(fidx_row_t, status),     offsetof(fidx_row_t, categories),
    offsetof(fidx_row_t, source),     offsetof(fidx_row_t, reports),
    offsetof(fidx_row_t, first_seen), offsetof(fidx_row_t, last_seen),
    offsetof(fidx_row_t, note),       offsetof(fidx_row_t, label),
};

int fidx__feed_row_scratch_init(fidx__feed_scratch_t *s, size_t cap)
{
    s->p = malloc(cap);
    s->len = 0;
    s->cap = cap;
    return s->p ? 0 : FIDX_ENOMEM;
}

void fidx__feed_row_scratch_dispose(fidx__feed_scratch_t *s)
{
    free(s->p);
    s->p = NULL;
    s->len = s->cap = 0;
}

int fidx__feed_row_scratch_put(fidx__feed_scratch_t *s, const char *p, size_t n, fidx_str_t *out)
{
    if (n > s->cap - s->len)
        return FIDX_ENOSPC;
    if (n)
        memcpy(s->p + s->len, p, n);
    if (out)
        *out = fidx_str(s->p + s->len, n);
    s->len += n;
    return 0;
}

fidx_str_t fidx__feed_row_utf8_cut(fidx_str_t s, size_t max)
{
    if (s.len > max) {
        s.len = max;
        while (s.len > 0 && ((unsigned char)s.p[s.len] & 0xC0) == 0x80)
            s.len--; /* s.p[len] continues a character: cut before that character */
    }
    return s;
}
