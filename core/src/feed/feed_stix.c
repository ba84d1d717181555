/* STIX 2.1 feed reader: a bundle ({"type":"bundle","objects":[…]}) is checked whole without
 * being built (feed_json_skim.c), the place of each object noted and each object parsed alone
 * when it is read (memory: the input's mapping and 16 bytes an object); each
 * indicator whose pattern_type is "stix" (or absent) yields one row per comparison of its
 * pattern. The patterns read are observation expressions joined by OR, each a comparison or
 * comparisons joined by OR:
 *   [url:value = 'http://x/'] OR [domain-name:value = 'x.vn' OR email-addr:value = 'a@x.vn']
 * url:value → url, domain-name:value → domain, email-addr:value → email; comparisons of other
 * objects (ipv4-addr, file hashes…) are skipped. A pattern with anything else (AND, other
 * operators, qualifiers, FOLLOWEDBY, parentheses) or that does not parse is a bad row: its
 * comparisons cannot be read as separate indicators. String literals take \' and \\.
 * Skipped silently: objects that are not indicators, revoked indicators, other pattern types.
 * labels and indicator_types give categories when they are names of the vocabulary (others
 * are ignored), valid_from gives first_seen (its date), name (else description) the note.
 * row->line is the line where the indicator's pattern is written. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed_internal.h"

/* Patterns longer than this are refused: a feed line's limit, generous for a few URLs. */
#define STIX_MAX_PATTERN FIDX_MAX_LINE_LEN

typedef struct {
    const char *p;
    size_t len, i;
    int in_obs; /* inside [ ] */
    int any;    /* an observation was read */
} pat_t;

typedef struct {
    const char *kind; /* NULL: an object this reader does not take */
    fidx_str_t raw;   /* the literal's text between the quotes, escapes included */
    int escaped;
} cmp_t;

/* Where an object of the bundle is written. */
typedef struct {
    size_t start, end;
} obj_span_t;

typedef struct {
    struct fidx_feed base;
    obj_span_t *objs; /* every object, in document order */
    size_t n_objs, cap_objs;
    json_t *obj_js;    /* the object being read, parsed (the rows' strings are its) */
    size_t obj;        /* next object */
    const json_t *cur; /* the indicator being read, or NULL */
    pat_t pat;         /* where in its pattern */
    size_t cur_line;
    fidx_str_t cur_first, cur_note, cur_cats;
    char cats_buf[256];
    fidx__feed_scratch_t scratch;
    fidx__feed_json_locator_t loc;
    fidx__feed_skips_t skips;
    int cur_rows; /* rows the current indicator gave */
} stix_feed_t;

static const char *const unsupported = "STIX pattern uses something other than '=' and OR";

static void ws(pat_t *t)
{
    while (t->i < t->len &&
           (t->p[t->i] == ' ' || t->p[t->i] == '\t' || t->p[t->i] == '\n' || t->p[t->i] == '\r'))
        t->i++;
}

static int is_word(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* The keyword OR, as a whole word. */
static int take_or(pat_t *t)
{
    if (t->len - t->i >= 2 && memcmp(t->p + t->i, "OR", 2) == 0 &&
        (t->len - t->i == 2 || !is_word(t->p[t->i + 2]))) {
        t->i += 2;
        return 1;
    }
    return 0;
}

/* A quoted literal at t->p[t->i] == '\''. */
static int take_string(pat_t *t, fidx_str_t *raw, int *escaped, const char **reason)
{
    size_t s = ++t->i;
    *escaped = 0;
    while (t->i < t->len) {
        char c = t->p[t->i];
        if (c == '\'') {
            *raw = fidx_str(t->p + s, t->i - s);
            t->i++;
            return 0;
        }
        if (c == '\\') {
            if (t->i + 1 >= t->len || (t->p[t->i + 1] != '\'' && t->p[t->i + 1] != '\\')) {
                *reason = "STIX pattern string has a bad escape";
                return FIDX_EINVAL;
            }
            *escaped = 1;
            t->i++;
        }
        t->i++;
    }
    *reason = "STIX pattern string is not closed";
    return FIDX_EINVAL;
}

/* An object path such as url:value or file:hashes.'SHA-256'. */
static int take_path(pat_t *t, fidx_str_t *path, const char **reason)
{
    size_t s = t->i;
    while (t->i < t->len && is_word(t->p[t->i]))
        t->i++;
    if (t->i == s || t->i >= t->len || t->p[t->i] != ':') {
        *reason = "STIX pattern has no object path where one is expected";
        return FIDX_EINVAL;
    }
    t->i++;
    while (t->i < t->len) {
        char c = t->p[t->i];
        if (c == '\'') {
            fidx_str_t q;
            int e;
            if (take_string(t, &q, &e, reason) != 0)
                return FIDX_EINVAL;
        } else if (is_word(c) || c == '.') {
            t->i++;
        } else if (c == '[') { /* a list index: [0] or [*] */
            t->i++;
            while (t->i < t->len && ((t->p[t->i] >= '0' && t->p[t->i] <= '9') || t->p[t->i] == '*'))
                t->i++;
            if (t->i >= t->len || t->p[t->i] != ']') {
                *reason = "STIX pattern has a bad list index in an object path";
                return FIDX_EINVAL;
            }
            t->i++;
        } else {
            break;
        }
    }
    *path = fidx_str(t->p + s, t->i - s);
    return 0;
}

static const char *kind_of_path(fidx_str_t path)
{
    if (fidx_str_eq(path, "url:value"))
        return "url";
    if (fidx_str_eq(path, "domain-name:value"))
        return "domain";
    if (fidx_str_eq(path, "email-addr:value"))
        return "email";
    return NULL;
}

/* path = literal. Literals other than plain strings are fine for objects not taken. */
static int take_comparison(pat_t *t, cmp_t *c, const char **reason)
{
    fidx_str_t path;
    ws(t);
    if (take_path(t, &path, reason) != 0)
        return FIDX_EINVAL;
    ws(t);
    if (t->i >= t->len || t->p[t->i] != '=') {
        *reason = unsupported;
        return FIDX_EINVAL;
    }
    t->i++;
    ws(t);
    c->kind = kind_of_path(path);
    if (t->i < t->len && t->p[t->i] == '\'')
        return take_string(t, &c->raw, &c->escaped, reason);
    if (c->kind) {
        *reason = "STIX pattern compares a value to something that is not a string";
        return FIDX_EINVAL;
    }
    if (t->i + 1 < t->len && memchr("htb", t->p[t->i], 3) && t->p[t->i + 1] == '\'') {
        t->i++; /* h'…', b'…', t'…' literals */
        return take_string(t, &c->raw, &c->escaped, reason);
    }
    size_t s = t->i;
    while (t->i < t->len && (is_word(t->p[t->i]) || t->p[t->i] == '.' || t->p[t->i] == '+'))
        t->i++;
    if (t->i == s) {
        *reason = "STIX pattern has no value after '='";
        return FIDX_EINVAL;
    }
    return 0;
}

/* The next comparison: 0, FIDX_ENOTFOUND at the end of the pattern, FIDX_EINVAL. */
static int pattern_next(pat_t *t, cmp_t *c, const char **reason)
{
    ws(t);
    if (t->in_obs && t->i < t->len && t->p[t->i] == ']') {
        t->in_obs = 0;
        t->i++;
        ws(t);
    }
    if (!t->in_obs) {
        if (t->i >= t->len && t->any)
            return FIDX_ENOTFOUND;
        if (t->any && !take_or(t)) {
            *reason = unsupported;
            return FIDX_EINVAL;
        }
        ws(t);
        if (t->i >= t->len || t->p[t->i] != '[') {
            *reason =
                t->any ? "STIX pattern ends after OR" : "STIX pattern does not start with '['";
            return FIDX_EINVAL;
        }
        t->i++;
        t->in_obs = t->any = 1;
    } else if (!take_or(t)) {
        *reason = t->i >= t->len ? "STIX pattern has no closing ']'" : unsupported;
        return FIDX_EINVAL;
    }
    return take_comparison(t, c, reason);
}

static int pattern_check(const char *p, size_t len, const char **reason)
{
    pat_t t = {p, len, 0, 0, 0};
    cmp_t c;
    int rc;
    while ((rc = pattern_next(&t, &c, reason)) == 0)
        ;
    return rc == FIDX_ENOTFOUND ? 0 : rc;
}

/* Vocabulary names among labels and indicator_types, joined with ';'. */
static fidx_str_t categories_of(stix_feed_t *s, const json_t *ind)
{
    static const char *const keys[] = {"labels", "indicator_types"};
    unsigned mask = 0;
    for (size_t n = 0; n < 2; n++) {
        uint16_t m;
        if (fidx_categories_from_json(json_object_get(ind, keys[n]), FIDX_CATEGORIES_SKIP_UNKNOWN,
                                      &m, NULL) == 0)
            mask |= m;
    }
    size_t len = 0;
    for (int cat = 0; cat < FIDX_CAT_COUNT; cat++) {
        if (!(mask & (1u << cat)))
            continue;
        const char *name = fidx_category_name(cat);
        size_t n = strlen(name);
        if (len)
            s->cats_buf[len++] = ';';
        memcpy(s->cats_buf + len, name, n); /* 12 names of < 20 bytes fit in cats_buf */
        len += n;
    }
    return fidx_str(len ? s->cats_buf : NULL, len);
}

/* Makes ind current once its pattern checks out; FIDX_EINVAL with the reason otherwise. */
static int enter_indicator(stix_feed_t *s, const json_t *ind, fidx_row_t *row, fidx_err_t *err)
{
    json_t *pv = json_object_get(ind, "pattern");
    const char *reason = NULL;
    if (!json_is_string(pv)) {
        row->line = s->loc.line;
        return fidx_err_set(err, FIDX_EINVAL, 0, "STIX indicator has no pattern");
    }
    const char *p = json_string_value(pv);
    size_t len = json_string_length(pv);
    row->line = s->cur_line = fidx__feed_json_locate(&s->loc, p, len);
    if (len > STIX_MAX_PATTERN)
        return fidx_err_set(err, FIDX_EINVAL, 0, "STIX pattern is too long");
    if (pattern_check(p, len, &reason) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, reason);
    s->cur = ind;
    s->pat = (pat_t){p, len, 0, 0, 0};
    s->cur_first = fidx__feed_json_str(ind, "valid_from");
    if (s->cur_first.len > 10)
        s->cur_first.len = 10;
    fidx_str_t note = fidx__feed_json_str(ind, "name");
    s->cur_note = fidx__feed_row_utf8_cut(note.p ? note : fidx__feed_json_str(ind, "description"),
                                          FIDX_MAX_NOTE_LEN);
    s->cur_cats = categories_of(s, ind);
    return 0;
}

/* The literal with its escapes undone, in the scratch when it has any. */
static int literal_value(stix_feed_t *s, const cmp_t *c, fidx_str_t *out)
{
    if (!c->escaped) {
        *out = c->raw;
        return 0;
    }
    s->scratch.len = 0;
    for (size_t k = 0; k < c->raw.len; k++) {
        if (c->raw.p[k] == '\\')
            k++; /* the check pass saw that a ' or \ follows */
        if (fidx__feed_row_scratch_put(&s->scratch, c->raw.p + k, 1, NULL) != 0)
            return FIDX_ENOSPC;
    }
    *out = fidx_str(s->scratch.p, s->scratch.len);
    return 0;
}

/* An indicator read for its pattern; anything else is counted for fidx_feed_why_empty. */
static int wanted(stix_feed_t *s, const json_t *o)
{
    fidx_str_t type = fidx__feed_json_str(o, "type"), pt = fidx__feed_json_str(o, "pattern_type");
    s->skips.n_records++;
    if (!fidx_str_eq(type, "indicator")) {
        fidx__feed_skips_type(&s->skips, type);
        return 0;
    }
    if (json_is_true(json_object_get(o, "revoked")) || (pt.p && !fidx_str_eq(pt, "stix"))) {
        s->skips.n_context++;
        return 0;
    }
    return 1;
}

/* The next comparison of the current indicator that names an object taken; 0 or ENOTFOUND. */
static int next_comparison(stix_feed_t *s, fidx_row_t *row)
{
    cmp_t c;
    const char *reason;
    while (pattern_next(&s->pat, &c, &reason) == 0) {
        if (!c.kind || literal_value(s, &c, &row->value) != 0)
            continue;
        row->line = s->cur_line;
        row->kind = fidx_str(c.kind, strlen(c.kind));
        row->categories = s->cur_cats;
        row->first_seen = s->cur_first;
        row->note = s->cur_note;
        s->cur_rows++;
        return 0;
    }
    if (s->cur_rows == 0)
        s->skips.n_none++;
    s->cur = NULL;
    return FIDX_ENOTFOUND;
}

static int stix_next(fidx_feed_t *f, fidx_row_t *row, fidx_err_t *err)
{
    stix_feed_t *s = (stix_feed_t *)f;
    for (;;) {
        if (s->cur && next_comparison(s, row) == 0)
            return 0;
        if (s->obj >= s->n_objs)
            return FIDX_ENOTFOUND;
        const obj_span_t *x = &s->objs[s->obj++];
        json_error_t jerr;
        json_decref(s->obj_js);
        s->obj_js = json_loadb(s->base.p + x->start, x->end - x->start,
                               JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
        const json_t *o = s->obj_js;
        if (!o) {
            s->skips.n_records++;
            row->line = s->loc.line;
            return fidx_err_set(err, FIDX_EINVAL, 0, "STIX object has a duplicate key");
        }
        if (!wanted(s, o))
            continue;
        s->cur_rows = 0;
        int rc = enter_indicator(s, o, row, err);
        if (rc != 0)
            return rc;
    }
}

static int push_object(stix_feed_t *s, size_t start, size_t end)
{
    if (s->n_objs == s->cap_objs) {
        size_t cap = s->cap_objs ? s->cap_objs * 2 : 256;
        obj_span_t *o = realloc(s->objs, cap * sizeof *o);
        if (!o)
            return FIDX_ENOMEM;
        s->objs = o;
        s->cap_objs = cap;
    }
    s->objs[s->n_objs++] = (obj_span_t){start, end};
    return 0;
}

/* The bundle at p[i] (a checked document): "type" must be "bundle"; every element of
 * "objects" (absent: an empty bundle) noted. */
static int collect_objects(stix_feed_t *s, size_t i, fidx_err_t *err)
{
    const char *p = s->base.p;
    size_t len = s->base.len, vs, ve, list = SIZE_MAX;
    fidx_str_t key;
    int bundle = 0;
    if (fidx__feed_json_open(p, len, &i, '{')) {
        while (fidx__feed_json_next(p, len, &i, 1, &key, &vs, &ve)) {
            if (fidx_str_eq(key, "objects"))
                list = vs;
            else if (fidx_str_eq(key, "type"))
                bundle = ve - vs == 8 && memcmp(p + vs, "\"bundle\"", 8) == 0;
        }
    }
    if (!bundle)
        return fidx_err_set(err, FIDX_EINVAL, 0, "JSON document is not a STIX bundle");
    if (list == SIZE_MAX || !fidx__feed_json_open(p, len, &list, '['))
        return 0;
    while (fidx__feed_json_next(p, len, &list, 0, &key, &vs, &ve))
        if (push_object(s, vs, ve) != 0)
            return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    return 0;
}

static void stix_free(fidx_feed_t *f)
{
    stix_feed_t *s = (stix_feed_t *)f;
    json_decref(s->obj_js);
    free(s->objs);
    fidx__feed_row_scratch_dispose(&s->scratch);
    free(s);
}

static const fidx__feed_ops_t stix_ops = {stix_next, stix_free};

int fidx__feed_stix_new(const char *p, size_t len, fidx_feed_t **out, fidx_err_t *err)
{
    stix_feed_t *s = calloc(1, sizeof *s);
    if (!s || fidx__feed_row_scratch_init(&s->scratch, STIX_MAX_PATTERN) != 0) {
        free(s);
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    }
    s->base = (struct fidx_feed){&stix_ops, p, len, 0, 1, &s->skips};
    s->skips.records = "objects";
    s->skips.types_said = "not indicators";
    s->skips.context_said = "revoked or with another pattern type than stix";
    s->skips.none_said = "indicators comparing only objects we do not map (IP addresses, file "
                         "hashes…)";
    size_t b = fidx__feed_skip_bom(p, len), end;
    int rc = 0;
    if (len > FIDX_MAX_JSON_DOC)
        rc = fidx_err_set(err, FIDX_ETOOBIG, 0, "JSON document is too large");
    else if ((rc = fidx__feed_json_skim(p, len, b, &end, err)) == 0 &&
             fidx__feed_json_ws(p, len, end) < len)
        rc = fidx_err_set(err, FIDX_EINVAL, end, "document is not valid JSON");
    if (rc == 0)
        rc = collect_objects(s, b, err);
    if (rc != 0) {
        stix_free(&s->base);
        return rc;
    }
    fidx__feed_json_locator_init(&s->loc, p, len);
    *out = &s->base;
    return 0;
}
