/* Feed readers, the common part: format names, detection of the format from the content, and
 * the dispatch of fidx_feed_new/next/free to the per-format readers (feed_csv.c, feed_jsonl.c,
 * feed_list.c, feed_misp.c, feed_stix.c). What the readers share is in feed_row.c, feed_line.c
 * and feed_json.c, which call none of them back. */
#include <stdint.h>
#include <string.h>

#include "feed/feed_internal.h"

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
    return fidx_err_set(err, FIDX_EINVAL, 0, "unknown feed format");
}

int fidx_feed_next(fidx_feed_t *f, fidx_row_t *row, fidx_err_t *err)
{
    memset(row, 0, sizeof *row);
    return f->ops->next(f, row, err);
}

size_t fidx_feed_why_empty(const fidx_feed_t *f, char *buf, size_t cap)
{
    if (!f->skips) {
        if (cap)
            buf[0] = '\0';
        return 0;
    }
    return fidx__feed_skips_describe(f->skips, buf, cap);
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

/* Position after the JSON value starting at p[i]. Counts brackets without validating (the
 * reader validates later); iterative, so nesting depth costs nothing. */
static size_t skip_value(const char *p, size_t len, size_t i)
{
    size_t depth = 0;
    while (i < len) {
        char c = p[i];
        if (c == '"') {
            i = fidx__feed_json_skip_string(p, len, i);
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
        i = fidx__feed_json_skip_string(p, len, i);
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
    return fidx_err_set(err, FIDX_EINVAL, i,
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
    fidx_feed_t f = {NULL, p, len, 0, 1, NULL};
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
    size_t start = fidx__feed_skip_bom(p, len);
    size_t i = skip_ws(p, len, start);
    if (i >= len)
        return fidx_err_set(err, FIDX_EINVAL, i, "input is empty");
    if (p[i] == '{' || p[i] == '[')
        return detect_json(p, len, i, fmt, err);
    /* The header is the first non-blank line: blank lines are not records. */
    size_t ls = i;
    while (ls > start && p[ls - 1] != '\n')
        ls--;
    if (fidx__feed_csv_header_has_value(p + ls, len - ls)) {
        *fmt = FIDX_FEED_CSV;
        return 0;
    }
    if (looks_like_list(p + start, len - start)) {
        *fmt = FIDX_FEED_LIST;
        return 0;
    }
    return fidx_err_set(err, FIDX_EINVAL, i,
                        "cannot tell the format: not CSV with a value column, JSON Lines, MISP, "
                        "STIX, nor a list of one value a line");
}
