/* CSV feed reader (RFC 4180): a header row names the columns (any order, `value` required,
 * unknown names refused), then one indicator a record. Built for files of millions of rows:
 * no allocation per row, unquoted fields are slices of the input, quoted fields with ""
 * escapes are unescaped into one scratch buffer the size of the longest record. A bad record
 * is reported and the reader goes on at the next line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed_internal.h"

/* Columns kept from a header while checking it; more than this is refused outright. */
#define CSV_MAX_HEADER_COLS 64

/* Bytes that end an unquoted field. */
static const unsigned char stops[256] = {[','] = 1, ['\n'] = 1, ['\r'] = 1};

typedef struct {
    struct fidx_feed base;
    size_t ncols;
    unsigned char col_field[FIDX__ROW_NFIELDS]; /* column → index in field_names */
    fidx__feed_scratch_t scratch;
} csv_feed_t;

/* One parsed record: the first `cap` fields kept, all of them counted. */
typedef struct {
    fidx_str_t *fields;
    size_t cap, n;
    size_t next;     /* where the following record starts */
    size_t newlines; /* '\n' consumed, the terminator included */
    size_t err_at;
    const char *reason;
} csv_rec_t;

/* Does a record end at p[i]? Sets *next past the line end. A lone '\r' is not a line end,
 * except as the last byte of the input. */
static int at_eol(const char *p, size_t len, size_t i, size_t *next)
{
    if (i == len) {
        *next = len;
        return 1;
    }
    if (p[i] == '\n') {
        *next = i + 1;
        return 1;
    }
    if (p[i] == '\r' && (i + 1 == len || p[i + 1] == '\n')) {
        *next = i + 1 == len ? len : i + 2;
        return 1;
    }
    return 0;
}

static size_t count_nl(const char *p, size_t from, size_t to)
{
    size_t n = 0;
    while (from < to) {
        const char *q = memchr(p + from, '\n', to - from);
        if (!q)
            break;
        n++;
        from = (size_t)(q - p) + 1;
    }
    return n;
}

static int rec_fail(csv_rec_t *r, size_t at, const char *reason)
{
    r->err_at = at;
    r->reason = reason;
    return FIDX_EINVAL;
}

/* The quoted field opening at p[*i] == '"', within p[0..lim) (lim < len: the record limit). */
static int quoted_field(const char *p, size_t len, size_t lim, size_t *i, fidx__feed_scratch_t *sc,
                        fidx_str_t *out, csv_rec_t *r)
{
    size_t open = *i, s = open + 1, j = s;
    size_t first = sc->len; /* where an unescaped copy starts, if one is needed */
    int copied = 0;
    for (;;) {
        const char *q = j < lim ? memchr(p + j, '"', lim - j) : NULL;
        if (!q)
            return rec_fail(r, open,
                            lim < len ? "record is longer than the limit"
                                      : "quoted field is not closed");
        size_t qi = (size_t)(q - p);
        if (qi + 1 < len && p[qi + 1] == '"') {
            if (qi + 1 >= lim)
                return rec_fail(r, open, "record is longer than the limit");
            if (fidx__feed_row_scratch_put(sc, p + s, qi + 1 - s, NULL) != 0)
                return rec_fail(r, open, "record is longer than the limit");
            copied = 1;
            j = s = qi + 2;
            continue;
        }
        if (copied) {
            if (fidx__feed_row_scratch_put(sc, p + s, qi - s, NULL) != 0)
                return rec_fail(r, open, "record is longer than the limit");
            *out = fidx_str(sc->p + first, sc->len - first);
        } else {
            *out = fidx_str(p + s, qi - s);
        }
        r->newlines += count_nl(p, open, qi);
        *i = qi + 1;
        return 0;
    }
}

/* The unquoted field starting at p[*i]: up to a ',' or a line end, within lim. */
static void plain_field(const char *p, size_t len, size_t lim, size_t *i, fidx_str_t *out)
{
    size_t s = *i, j = s;
    for (;;) {
        while (j < lim && !stops[(unsigned char)p[j]])
            j++;
        size_t next;
        if (j < lim && p[j] == '\r' && !at_eol(p, len, j, &next)) {
            j++; /* a lone CR is data */
            continue;
        }
        break;
    }
    *out = fidx_str(p + s, j - s);
    *i = j;
}

/* Parses the record starting at p[start]. Fields are slices of p or of the scratch. */
static int parse_record(const char *p, size_t len, size_t start, fidx__feed_scratch_t *sc,
                        csv_rec_t *r)
{
    size_t lim = len - start > FIDX_MAX_LINE_LEN ? start + FIDX_MAX_LINE_LEN : len;
    size_t i = start;
    r->n = 0;
    r->newlines = 0;
    for (;;) {
        fidx_str_t v;
        if (i < lim && p[i] == '"') {
            int rc = quoted_field(p, len, lim, &i, sc, &v, r);
            if (rc != 0)
                return rc;
        } else {
            plain_field(p, len, lim, &i, &v);
        }
        if (r->n < r->cap)
            r->fields[r->n] = v;
        r->n++;
        if (i < lim && p[i] == ',') {
            i++;
            continue;
        }
        if (at_eol(p, len, i, &r->next)) {
            r->newlines += (r->next > i && p[r->next - 1] == '\n');
            return 0;
        }
        if (i >= lim)
            return rec_fail(r, start, "record is longer than the limit");
        return rec_fail(r, i, "text after a closing quote");
    }
}

/* A line holding nothing but spaces and tabs, ended by a line end: skipped, not a record. */
static int blank_line(const char *p, size_t len, size_t i, size_t *next)
{
    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return at_eol(p, len, i, next);
}

static int name_eq(fidx_str_t s, const char *name)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t'))
        s = fidx_str(s.p + 1, s.len - 1);
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    if (s.len != strlen(name))
        return 0;
    for (size_t k = 0; k < s.len; k++) {
        char c = s.p[k];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != name[k])
            return 0;
    }
    return 1;
}

static int field_index(fidx_str_t name)
{
    for (int k = 0; k < FIDX__ROW_NFIELDS; k++)
        if (name_eq(name, fidx__feed_row_field_names[k]))
            return k;
    return -1;
}

/* Skips blank lines; returns the start of the first record and counts the lines skipped. */
static size_t skip_blank_lines(const char *p, size_t len, size_t i, size_t *line)
{
    size_t next;
    while (i < len && blank_line(p, len, i, &next)) {
        i = next;
        (*line)++;
    }
    return i;
}

/* Maps the header's columns to fields. err->offset points at the offending column name, so
 * the caller can quote it (the reason is static). */
static int map_header(csv_feed_t *c, const csv_rec_t *r, const char *p, fidx_err_t *err)
{
    unsigned seen = 0;
    for (size_t k = 0; k < r->n; k++) {
        int f = field_index(r->fields[k]);
        size_t at = (size_t)(r->fields[k].p - p);
        if (f < 0)
            return fidx_err_set(err, FIDX_EINVAL, at, "CSV header names an unknown column");
        /* Distinct known names: so at most FIDX__ROW_NFIELDS columns get past here. */
        if (seen & (1u << f) || k >= FIDX__ROW_NFIELDS)
            return fidx_err_set(err, FIDX_EINVAL, at, "CSV header names a column twice");
        seen |= 1u << f;
        c->col_field[k] = (unsigned char)f;
    }
    if (!(seen & (1u << FIDX__ROW_VALUE)))
        return fidx_err_set(err, FIDX_EINVAL, 0, "CSV header has no value column");
    c->ncols = r->n;
    return 0;
}

static int read_header(csv_feed_t *c, fidx_err_t *err)
{
    fidx_feed_t *f = &c->base;
    fidx_str_t names[CSV_MAX_HEADER_COLS];
    csv_rec_t r = {.fields = names, .cap = CSV_MAX_HEADER_COLS};
    f->pos = skip_blank_lines(f->p, f->len, f->pos, &f->line);
    if (f->pos >= f->len)
        return fidx_err_set(err, FIDX_EINVAL, f->pos, "CSV input has no header row");
    if (parse_record(f->p, f->len, f->pos, &c->scratch, &r) != 0)
        return fidx_err_set(err, FIDX_EINVAL, r.err_at, r.reason);
    if (r.n > CSV_MAX_HEADER_COLS)
        return fidx_err_set(err, FIDX_EINVAL, f->pos, "CSV header has too many columns");
    int rc = map_header(c, &r, f->p, err);
    if (rc != 0)
        return rc;
    f->pos = r.next;
    f->line += r.newlines;
    c->scratch.len = 0;
    return 0;
}

/* Moves past a bad record: the next line after its start, so one stray quote costs one
 * record, not the rest of the file. */
static void resync(fidx_feed_t *f)
{
    const char *nl = memchr(f->p + f->pos, '\n', f->len - f->pos);
    f->pos = nl ? (size_t)(nl - f->p) + 1 : f->len;
    f->line++;
}

static int csv_next(fidx_feed_t *f, fidx_row_t *row, fidx_err_t *err)
{
    csv_feed_t *c = (csv_feed_t *)f;
    fidx_str_t fields[FIDX__ROW_NFIELDS];
    csv_rec_t r = {.fields = fields, .cap = c->ncols};
    f->pos = skip_blank_lines(f->p, f->len, f->pos, &f->line);
    if (f->pos >= f->len)
        return FIDX_ENOTFOUND;
    c->scratch.len = 0;
    row->line = f->line;
    if (parse_record(f->p, f->len, f->pos, &c->scratch, &r) != 0) {
        resync(f);
        return fidx_err_set(err, FIDX_EINVAL, r.err_at, r.reason);
    }
    size_t at = f->pos;
    f->pos = r.next;
    f->line += r.newlines;
    if (r.n != c->ncols)
        return fidx_err_set(err, FIDX_EINVAL, at,
                            r.n < c->ncols ? "row has fewer fields than the header"
                                           : "row has more fields than the header");
    for (size_t k = 0; k < c->ncols; k++)
        *fidx__feed_row_field(row, c->col_field[k]) = fields[k];
    return 0;
}

static void csv_free(fidx_feed_t *f)
{
    csv_feed_t *c = (csv_feed_t *)f;
    fidx__feed_row_scratch_dispose(&c->scratch);
    free(c);
}

static const fidx__feed_ops_t csv_ops = {csv_next, csv_free};

int fidx__feed_csv_new(const char *p, size_t len, fidx_feed_t **out, fidx_err_t *err)
{
    csv_feed_t *c = calloc(1, sizeof *c);
    if (!c || fidx__feed_row_scratch_init(&c->scratch, FIDX_MAX_LINE_LEN) != 0) {
        free(c);
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    }
    c->base = (struct fidx_feed){&csv_ops, p, len, fidx__feed_skip_bom(p, len), 1, NULL};
    int rc = read_header(c, err);
    if (rc != 0) {
        csv_free(&c->base);
        return rc;
    }
    *out = &c->base;
    return 0;
}

int fidx__feed_csv_header_has_value(const char *p, size_t len)
{
    fidx__feed_scratch_t sc;
    fidx_str_t names[CSV_MAX_HEADER_COLS];
    csv_rec_t r = {.fields = names, .cap = CSV_MAX_HEADER_COLS};
    if (fidx__feed_row_scratch_init(&sc, FIDX_MAX_LINE_LEN) != 0)
        return 0;
    int found = 0;
    if (parse_record(p, len, 0, &sc, &r) == 0 && r.n <= CSV_MAX_HEADER_COLS)
        for (size_t k = 0; k < r.n && !found; k++)
            found = name_eq(names[k], "value");
    fidx__feed_row_scratch_dispose(&sc);
    return found;
}
