/* Plain-list feed reader: one value a line, spaces and tabs around it trimmed, blank lines and
 * lines starting with '#' skipped. Only `value` is set; the kind is detected from it later.
 * A '#' later in a line is part of the value (URLs have fragments). */
#include <stdlib.h>

#include "feed/feed_internal.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static fidx_str_t trim(fidx_str_t s)
{
    while (s.len > 0 && is_space(s.p[0]))
        s = fidx_str(s.p + 1, s.len - 1);
    while (s.len > 0 && is_space(s.p[s.len - 1]))
        s.len--;
    return s;
}

static int list_next(fidx_feed_t *f, fidx_row_t *row, fidx_err_t *err)
{
    for (;;) {
        fidx_str_t s;
        size_t lineno, off;
        int rc = fidx__feed_line(f, &s, &lineno, &off);
        if (rc == FIDX_ENOTFOUND)
            return rc;
        row->line = lineno;
        if (rc != 0)
            return fidx_err_set(err, FIDX_EINVAL, off, "line is longer than the limit");
        s = trim(s);
        if (s.len == 0 || s.p[0] == '#')
            continue;
        row->value = s;
        return 0;
    }
}

static void list_free(fidx_feed_t *f)
{
    free(f);
}

static const fidx__feed_ops_t list_ops = {list_next, list_free};

int fidx__feed_list_new(const char *p, size_t len, fidx_feed_t **out, fidx_err_t *err)
{
    fidx_feed_t *f = malloc(sizeof *f);
    if (!f)
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    *f = (struct fidx_feed){&list_ops, p, len, fidx__feed_skip_bom(p, len), 1, NULL};
    *out = f;
    return 0;
}
