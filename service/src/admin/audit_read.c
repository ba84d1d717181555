/* Reading the audit log back (audit_read.h). Lines are ours: JSON objects whose values are
 * written `"kind":"K","value":"V"`, so the place where a line names a value is found by its
 * bytes, and only the pieces the answer needs are parsed (jansson). */
#include "admin/audit_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#define VALUES_KEY ",\"values\":["
#define HISTORY_LOCS_MAX FIDX__AUDIT_INDEX_PER_VALUE

/* Reads len bytes at off into a new buffer (caller frees); NULL when they are not all there. */
static char *read_at(int fd, uint64_t off, size_t len)
{
    char *p = malloc(len ? len : 1);
    size_t got = 0;
    while (p && got < len) {
        ssize_t n = pread(fd, p + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(p);
            return NULL;
        }
        got += (size_t)n;
    }
    return p;
}

/* `"kind":"K","value":"V"` as this value is written. */
static void value_pattern(fidx__sbuf_t *pat, fidx_kind_t kind, const char *v, size_t len)
{
    fidx__sbuf_puts(pat, "\"kind\":\"");
    fidx__sbuf_puts(pat, fidx_kind_name(kind));
    fidx__sbuf_puts(pat, "\",\"value\":");
    fidx__sbuf_json_string(pat, v, len);
}

/* One change of the value out of the line p[0..len): a JSON object, or NULL when the line does
 * not name the value (or cannot be read). */
static json_t *change_of(const char *p, size_t len, const fidx__sbuf_t *pat)
{
    json_error_t e;
    const char *hit = memmem(p, len, pat->p, pat->len);
    const char *vals = memmem(p, len, VALUES_KEY, sizeof VALUES_KEY - 1);
    if (!hit)
        return NULL;
    if (!vals || hit < vals) /* a line about one value: all of it */
        return json_loadb(p, len, 0, &e);
    /* A line about many: its members up to the list, and the value's own entry. */
    size_t head_len = (size_t)(vals - p);
    char *head = malloc(head_len + 1);
    json_t *o = NULL, *entry = NULL;
    if (head && hit > p && hit[-1] == '{') {
        memcpy(head, p, head_len);
        head[head_len] = '}';
        o = json_loadb(head, head_len + 1, 0, &e);
        entry = json_loadb(hit - 1, len - (size_t)(hit - 1 - p), JSON_DISABLE_EOF_CHECK, &e);
    }
    free(head);
    if (o && json_is_object(entry)) {
        json_t *b = json_object_get(entry, "before"), *a = json_object_get(entry, "after");
        if (b)
            json_object_set(o, "before", b);
        if (a)
            json_object_set(o, "after", a);
    }
    json_decref(entry);
    return o;
}

static void put_json(fidx__sbuf_t *out, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!s) {
        out->failed = 1;
        return;
    }
    fidx__sbuf_puts(out, s);
    free(s);
}

/* The action of a change that left the value listed (its "after" is a state), else NULL. */
static const char *listing_action(json_t *o)
{
    json_t *after = json_object_get(o, "after"), *action = json_object_get(o, "action");
    if (!json_is_string(action))
        return NULL;
    if (json_is_object(after))
        return json_string_value(action);
    /* Lines from before states were written: an upload or an approval lists its values. */
    const char *s = json_string_value(action);
    return !after && (strcmp(s, "add") == 0 || strcmp(s, "approve") == 0) ? s : NULL;
}

size_t fidx__audit_history(fidx__audit_index_t *ix, int fd, fidx_kind_t kind, const char *v,
                           size_t len, size_t max, fidx__sbuf_t *out, int *truncated, char *set_by)
{
    fidx__audit_loc_t *locs = malloc(HISTORY_LOCS_MAX * sizeof *locs);
    fidx__sbuf_t pat;
    size_t listed = 0;
    *truncated = 0;
    set_by[0] = '\0';
    fidx__sbuf_put(out, "[", 1);
    if (!locs) {
        out->failed = 1;
        return 0;
    }
    fidx__sbuf_init(&pat, SIZE_MAX / 2);
    value_pattern(&pat, kind, v, len);
    size_t n = fidx__audit_index_find(ix, kind, v, len, locs,
                                      max < HISTORY_LOCS_MAX ? max : HISTORY_LOCS_MAX, truncated);
    for (size_t i = 0; i < n && !pat.failed; i++) {
        char *line = read_at(fd, locs[i].off, locs[i].len);
        json_t *o = line ? change_of(line, locs[i].len, &pat) : NULL;
        if (json_is_object(o)) {
            const char *act = listed == 0 ? listing_action(o) : NULL;
            if (act)
                snprintf(set_by, 16, "%s", act);
            json_object_del(o, "values");
            if (listed++)
                fidx__sbuf_put(out, ",", 1);
            put_json(out, o);
        }
        json_decref(o);
        free(line);
    }
    fidx__sbuf_put(out, "]", 1);
    fidx__sbuf_free(&pat);
    free(locs);
    return listed;
}

/* ---- pages ---- */

static int given(const char *s)
{
    return s && s[0];
}

/* Whether the line passes f's filters on who, what and when (its raw bytes suffice: the
 * members are written in a fixed order, "time" first). */
static int line_passes(const char *p, size_t len, const fidx__audit_filter_t *f,
                       fidx__sbuf_t *scratch)
{
    static const char time_key[] = "{\"time\":\"";
    size_t tl = sizeof time_key - 1;
    if (given(f->since)) {
        size_t sl = strlen(f->since);
        if (len < tl + sl || memcmp(p, time_key, tl) != 0 || memcmp(p + tl, f->since, sl) < 0)
            return 0;
    }
    if (given(f->who)) {
        fidx__sbuf_reset(scratch, SIZE_MAX);
        fidx__sbuf_puts(scratch, ",\"token\":");
        fidx__sbuf_json_string(scratch, f->who, strlen(f->who));
        fidx__sbuf_put(scratch, ",", 1);
        if (!memmem(p, len, scratch->p, scratch->len))
            return 0;
    }
    if (given(f->action)) {
        fidx__sbuf_reset(scratch, SIZE_MAX);
        fidx__sbuf_printf(scratch, ",\"action\":\"%s\"", f->action);
        if (!memmem(p, len, scratch->p, scratch->len))
            return 0;
    }
    return 1;
}

typedef struct {
    const fidx__audit_filter_t *f;
    fidx__sbuf_t *out, scratch;
    size_t limit, listed;
} page_t;

/* Whether a line is a JSON object (the log is ours, but a damaged or edited file must not
 * break the answer it is copied into). */
static int is_object(const char *p, size_t len)
{
    json_error_t e;
    json_t *o = json_loadb(p, len, 0, &e);
    int ok = json_is_object(o);
    json_decref(o);
    return ok;
}

/* How many values a line's "values" list (from vals on) names: each is an object starting
 * {"kind": (audit.c writes them so). */
static size_t count_values(const char *vals, const char *end)
{
    size_t n = 0;
    for (const char *q = vals; (q = memmem(q, (size_t)(end - q), "{\"kind\":", 8)) != NULL; q += 8)
        n++;
    return n;
}

/* Adds a line (newline included) when it passes; 1 once the page is full. A brief line is
 * the line up to its "values" list (audit.c writes it last), closed with the count: only that
 * part is checked, since parsing a list of 1,000 values is what made a page slow. */
static int page_line(page_t *pg, const char *p, size_t len)
{
    if (len < 2 || !line_passes(p, len - 1, pg->f, &pg->scratch))
        return 0;
    const char *vals = pg->f->brief ? memmem(p, len - 1, VALUES_KEY, sizeof VALUES_KEY - 1) : NULL;
    fidx__sbuf_t *line = &pg->scratch;
    fidx__sbuf_reset(line, SIZE_MAX);
    if (vals) {
        fidx__sbuf_put(line, p, (size_t)(vals - p));
        fidx__sbuf_printf(line, ",\"values_count\":%zu}", count_values(vals, p + len - 1));
    }
    const char *text = vals ? line->p : p;
    size_t text_len = vals ? line->len : len - 1;
    if (!is_object(text, text_len))
        return 0;
    if (pg->listed == pg->limit || pg->out->len > FIDX__AUDIT_PAGE_BYTES)
        return 1;
    if (pg->listed++)
        fidx__sbuf_put(pg->out, ",", 1);
    fidx__sbuf_put(pg->out, text, text_len);
    return 0;
}

/* The lines from `after` on, in chunks, up to FIDX__AUDIT_PAGE_SCAN bytes. */
static int page_scan(page_t *pg, int fd, uint64_t after, uint64_t *next)
{
    size_t cap = FIDX__AUDIT_LINE_MAX + (1u << 20);
    char *buf = malloc(cap);
    uint64_t off = after, stop = after + FIDX__AUDIT_PAGE_SCAN;
    int rc = 0, full = 0;
    if (!buf)
        return -1;
    while (!full && off < stop) {
        ssize_t n = pread(fd, buf, cap, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        size_t at = 0;
        for (const char *nl; !full && (nl = memchr(buf + at, '\n', (size_t)n - at));) {
            size_t len = (size_t)(nl - (buf + at)) + 1;
            full = page_line(pg, buf + at, len);
            if (!full)
                at += len;
        }
        if (at == 0 && !full) { /* a line longer than the buffer: not ours, skipped */
            const char *nl = memchr(buf, '\n', (size_t)n);
            at = nl ? (size_t)(nl - buf) + 1 : (size_t)n;
        }
        off += at;
        if ((size_t)n < cap && !full)
            break; /* the end of what is written (a torn last line waits for its end) */
    }
    free(buf);
    *next = full || off >= stop ? off : 0;
    return rc;
}

/* The lines the index has for f's value, from `after` on (the index lists newest first). */
static int page_value(page_t *pg, fidx__audit_index_t *ix, int fd, uint64_t after, uint64_t *next)
{
    fidx__audit_loc_t *locs = malloc(HISTORY_LOCS_MAX * sizeof *locs);
    int truncated, full = 0;
    if (!locs)
        return -1;
    size_t n = fidx__audit_index_find(ix, pg->f->kind, pg->f->value, pg->f->value_len, locs,
                                      HISTORY_LOCS_MAX, &truncated);
    *next = 0;
    for (size_t i = n; i-- > 0 && !full;) {
        if (locs[i].off < after)
            continue;
        char *line = read_at(fd, locs[i].off, locs[i].len);
        full = line ? page_line(pg, line, locs[i].len) : 0;
        if (full)
            *next = locs[i].off;
        free(line);
    }
    free(locs);
    return 0;
}

int fidx__audit_page(fidx__audit_index_t *ix, int fd, const fidx__audit_filter_t *f, uint64_t after,
                     size_t limit, fidx__sbuf_t *out, uint64_t *next)
{
    page_t pg = {.f = f, .out = out, .limit = limit};
    fidx__sbuf_init(&pg.scratch, SIZE_MAX / 2);
    int rc = f->has_value ? page_value(&pg, ix, fd, after, next) : page_scan(&pg, fd, after, next);
    fidx__sbuf_free(&pg.scratch);
    return rc;
}
