/* Feed readers, the common part: format names, detection of the format from the content, the
 * dispatch of fidx_feed_new/next/free to the per-format readers (feed_csv.c, feed_jsonl.c,
 * feed_list.c, feed_misp.c, feed_stix.c), and the helpers they share (feed_internal.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed_internal.h"

const char *const fidx__row_field_names[FIDX__ROW_NFIELDS] = {
    "kind", "value", "status", "categories", "source", "reports", "first_seen", "last_seen", "note",
};
const size_t fidx__row_field_offsets[FIDX__ROW_NFIELDS] = {
    offsetof(fidx_row_t, kind),       offsetof(fidx_row_t, value),
    offsetof(fidx_row_t, status),     offsetof(fidx_row_t, categories),
    offsetof(fidx_row_t, source),     offsetof(fidx_row_t, reports),
    offsetof(fidx_row_t, first_seen), offsetof(fidx_row_t, last_seen),
    offsetof(fidx_row_t, note),
};

static const char *const format_names[] = {"csv", "jsonl", "list", "misp", "stix"};

const char *fidx_feed_format_name(fidx_feed_format_t fmt)
{
    return ((unsigned)fmt < sizeof format_names / sizeof format_names[0]) ? format_names[fmt]
                                                                          : "unknown";
}

int fidx_feed_new(const char *p, size_t len, fidx_feed_format_t fmt, fidx_feed_t **out,
                  fidx_err_t *err)
{
    *out = NULL;
    switch (fmt) {
    case FIDX_FEED_CSV:
        return fidx__feed_csv_new(p, len, out, err);
    case FIDX_FEED_JSONL:
        return fidx__feed_jsonl_new(p, len, out, err);
    case FIDX_FEED_LIST:
        return fidx__feed_list_new(p, len, out, err);
    case FIDX_FEED_MISP:
        return fidx__feed_misp_new(p, len, out, err);
    case FIDX_FEED_STIX:
        return fidx__feed_stix_new(p, len, out, err);
    }
    return fidx__fail(err, FIDX_EINVAL, 0, "unknown feed format");
}

int fidx_feed_next(fidx_feed_t *f, fidx_row_t *row, fidx_err_t *err)
{
    memset(row, 0, sizeof *row);
    return f->ops->next(f, row, err);
}

void fidx_feed_free(fidx_feed_t *f)
{
    if (f)
        f->ops->free(f);
}

/* ---- detection ---------------------------------------------------------------------------- */

/* How many first lines a plain list is judged on. */
#define DETECT_LIST_LINES 16

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_ws(const char *p, size_t len, size_t i)
{
    while (i < len && is_ws(p[i]))
        i++;
    return i;
}

/* Position after the JSON string opening at p[i] (len when it does not close). */
static size_t skip_string(const char *p, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (p[i] == '\\')
            i++;
        else if (p[i] == '"')
            return i + 1;
    }
    return len;
}

/* Position after the JSON value starting at p[i]. Counts brackets without validating (the
 * reader validates later); iterative, so nesting depth costs nothing. */
static size_t skip_value(const char *p, size_t len, size_t i)
{
    size_t depth = 0;
    while (i < len) {
        char c = p[i];
        if (c == '"') {
            i = skip_string(p, len, i);
            if (depth == 0)
                return i;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            if (--depth == 0)
                return i + 1;
        } else if (depth == 0 && c == ',') {
            return i;
        }
        i++;
    }
    return len;
}

enum { KEY_EVENT = 1, KEY_RESPONSE = 2, KEY_ATTRIBUTE = 4, KEY_BUNDLE = 8 };

static int key_is(const char *p, size_t ks, size_t ke, const char *lit)
{
    size_t n = strlen(lit);
    return ke - ks == n + 2 && memcmp(p + ks + 1, lit, n) == 0;
}

/* Which of the keys that tell MISP from STIX the object opening at p[i] has at its top level. */
static unsigned scan_keys(const char *p, size_t len, size_t i)
{
    unsigned seen = 0;
    i = skip_ws(p, len, i + 1);
    while (i < len && p[i] == '"') {
        size_t ks = i;
        i = skip_string(p, len, i);
        size_t ke = i;
        i = skip_ws(p, len, i);
        if (i >= len || p[i] != ':')
            break;
        i = skip_ws(p, len, i + 1);
        if (key_is(p, ks, ke, "Event"))
            seen |= KEY_EVENT;
        else if (key_is(p, ks, ke, "response"))
            seen |= KEY_RESPONSE;
        else if (key_is(p, ks, ke, "Attribute") || key_is(p, ks, ke, "Object"))
            seen |= KEY_ATTRIBUTE;
        else if (key_is(p, ks, ke, "type") && len - i >= 8 && memcmp(p + i, "\"bundle\"", 8) == 0)
            seen |= KEY_BUNDLE;
        i = skip_ws(p, len, skip_value(p, len, i));
        if (i >= len || p[i] != ',')
            break;
        i = skip_ws(p, len, i + 1);
    }
    return seen;
}

/* The first line is a whole JSON object with a "value" member. */
static int first_line_is_jsonl(const char *p, size_t len)
{
    const char *nl = memchr(p, '\n', len < FIDX_MAX_LINE_LEN ? len : FIDX_MAX_LINE_LEN);
    size_t n = nl ? (size_t)(nl - p) : len;
    if (n > FIDX_MAX_LINE_LEN)
        return 0;
    json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES, NULL);
    int ok = json_is_object(j) && json_object_get(j, "value") != NULL;
    json_decref(j);
    return ok;
}

static int detect_json(const char *p, size_t len, size_t i, fidx_feed_format_t *fmt,
                       fidx_err_t *err)
{
    if (p[i] == '{' && first_line_is_jsonl(p + i, len - i)) {
        *fmt = FIDX_FEED_JSONL;
        return 0;
    }
    unsigned keys = 0;
    if (p[i] == '{') {
        keys = scan_keys(p, len, i);
    } else {
        size_t j = skip_ws(p, len, i + 1); /* a bare list of events: judge the first */
        if (j < len && p[j] == '{')
            keys = scan_keys(p, len, j) & (KEY_EVENT | KEY_ATTRIBUTE);
    }
    if (keys & KEY_BUNDLE) {
        *fmt = FIDX_FEED_STIX;
        return 0;
    }
    if (keys & (KEY_EVENT | KEY_RESPONSE | KEY_ATTRIBUTE)) {
        *fmt = FIDX_FEED_MISP;
        return 0;
    }
    return fidx__fail(err, FIDX_EINVAL, i,
                      "JSON input is neither JSON Lines with \"value\", a MISP event nor a "
                      "STIX bundle");
}

/* A line a plain list may hold: not too long, printable UTF-8-ish text (no control bytes). */
static int list_line_ok(fidx_str_t s)
{
    if (s.len > FIDX_MAX_VALUE_LEN)
        return 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f || c == 0xff || c == 0xfe)
            return 0;
    }
    return 1;
}

static int looks_like_list(const char *p, size_t len)
{
    fidx_feed_t f = {NULL, p, len, 0, 1};
    fidx_str_t s;
    size_t lineno, off;
    int judged = 0;
    while (judged < DETECT_LIST_LINES) {
        int rc = fidx__feed_line(&f, &s, &lineno, &off);
        if (rc == FIDX_ENOTFOUND)
            break;
        if (rc != 0)
            return 0;
        while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t'))
            s = fidx_str(s.p + 1, s.len - 1);
        if (s.len == 0 || s.p[0] == '#')
            continue;
        if (!list_line_ok(s))
            return 0;
        judged++;
    }
    return 1;
}

int fidx_feed_detect(const char *p, size_t len, fidx_feed_format_t *fmt, fidx_err_t *err)
{
    size_t start = fidx__skip_bom(p, len);
    size_t i = skip_ws(p, len, start);
    if (i >= len)
        return fidx__fail(err, FIDX_EINVAL, i, "input is empty");
    if (p[i] == '{' || p[i] == '[')
        return detect_json(p, len, i, fmt, err);
    /* The header is the first non-blank line: blank lines are not records. */
    size_t ls = i;
    while (ls > start && p[ls - 1] != '\n')
        ls--;
    if (fidx__csv_header_has_value(p + ls, len - ls)) {
        *fmt = FIDX_FEED_CSV;
        return 0;
    }
    if (looks_like_list(p + start, len - start)) {
        *fmt = FIDX_FEED_LIST;
        return 0;
    }
    return fidx__fail(err, FIDX_EINVAL, i,
                      "cannot tell the format: not CSV with a value column, JSON Lines, MISP, "
                      "STIX, nor a list of one value a line");
}

/* ---- shared helpers ----------------------------------------------------------------------- */

size_t fidx__skip_bom(const char *p, size_t len)
{
    return (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
}

int fidx__scratch_init(fidx__scratch_t *s, size_t cap)
{
    s->p = malloc(cap);
    s->len = 0;
    s->cap = cap;
    return s->p ? 0 : FIDX_ENOMEM;
}

void fidx__scratch_dispose(fidx__scratch_t *s)
{
    free(s->p);
    s->p = NULL;
    s->len = s->cap = 0;
}

int fidx__scratch_put(fidx__scratch_t *s, const char *p, size_t n, fidx_str_t *out)
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

fidx_str_t fidx__utf8_cut(fidx_str_t s, size_t max)
{
    if (s.len > max) {
        s.len = max;
        while (s.len > 0 && ((unsigned char)s.p[s.len] & 0xC0) == 0x80)
            s.len--; /* s.p[len] continues a character: cut before that character */
    }
    return s;
}

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

int fidx__json_doc_load(const char *p, size_t len, json_t **root, fidx_err_t *err)
{
    *root = NULL;
    if (len > FIDX_MAX_JSON_DOC)
        return fidx__fail(err, FIDX_ETOOBIG, 0, "JSON document is too large");
    size_t b = fidx__skip_bom(p, len);
    json_error_t jerr;
    json_t *j = json_loadb(p + b, len - b, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        size_t at = b + (jerr.position > 0 ? (size_t)jerr.position : 0);
        switch (json_error_code(&jerr)) {
        case json_error_out_of_memory:
            return fidx__fail(err, FIDX_ENOMEM, at, "out of memory parsing JSON");
        case json_error_stack_overflow:
            return fidx__fail(err, FIDX_EINVAL, at, "JSON is nested too deeply");
        case json_error_duplicate_key:
            return fidx__fail(err, FIDX_EINVAL, at, "JSON object has a duplicate key");
        default:
            return fidx__fail(err, FIDX_EINVAL, at, "document is not valid JSON");
        }
    }
    *root = j;
    return 0;
}

fidx_str_t fidx__json_str(const json_t *obj, const char *key)
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

void fidx__json_locator_init(fidx__json_locator_t *loc, const char *doc, size_t len)
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

size_t fidx__json_locate(fidx__json_locator_t *loc, const char *s, size_t n)
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
        i = skip_string(d, loc->len, at); /* a string that is not it: go past it whole */
    }
    loc->misses++;
    return loc->line;
}
