/* Splitting a feed's input into physical lines, for the line-based readers (JSON Lines, list)
 * and format detection. Every line is bounded by FIDX_MAX_LINE_LEN, so a line without end
 * costs one bounded search, never a scan of the rest of the input per call. */
#include <string.h>

#include "feed/feed_internal.h"

/* Moves f past the line that starts at f->pos, however long. */
static void skip_line(fidx_feed_t *f)
{
    const char *nl = memchr(f->p + f->pos, '\n', f->len - f->pos);
    f->pos = nl ? (size_t)(nl - f->p) + 1 : f->len;
    f->line++;
}

int fidx__feed_line(fidx_feed_t *f, fidx_str_t *out, size_t *lineno, size_t *offset)
{
    if (f->pos >= f->len)
        return FIDX_ENOTFOUND;
    const char *s = f->p + f->pos;
    size_t rest = f->len - f->pos;
    /* Room for a longest line and its "\r\n": the search is bounded even on a line without
     * end. */
    size_t scan = rest < FIDX_MAX_LINE_LEN + 2 ? rest : FIDX_MAX_LINE_LEN + 2;
    const char *nl = memchr(s, '\n', scan);
    *lineno = f->line;
    *offset = f->pos;
    if (!nl && scan < rest) {
        skip_line(f);
        return FIDX_ETOOBIG;
    }
    size_t n = nl ? (size_t)(nl - s) : rest;
    size_t end = (n > 0 && s[n - 1] == '\r') ? n - 1 : n;
    f->pos += nl ? n + 1 : n;
    f->line++;
    if (end > FIDX_MAX_LINE_LEN)
        return FIDX_ETOOBIG;
    *out = fidx_str(s, end);
    return 0;
}
