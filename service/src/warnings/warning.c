/* A warning: its fields, their checks, its JSON (warning.h). */
#include "warnings/warning.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fidx/str.h"
#include "fidx/normalize.h"
#include "warnings/provinces.h"

#define VN_OFFSET (7 * 3600) /* Vietnam's clock: UTC+7, no summer time */

static const char *const state_names[] = {"draft", "published", "retracted"};
static const char *const severity_names[] = {"low", "medium", "high"};

const char *fidx__warning_state_name(fidx__warning_state_t s)
{
    return (unsigned)s < 3 ? state_names[s] : "?";
}

const char *fidx__severity_name(fidx__severity_t s)
{
    return (unsigned)s < 3 ? severity_names[s] : "?";
}

static int name_index(const char *const *names, int n, const char *p)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], p) == 0)
            return i;
    return -1;
}

void fidx__warning_dispose(fidx__warning_t *w)
{
    for (int l = 0; l < 2; l++) {
        free(w->title[l]);
        free(w->text[l]);
        free(w->advice[l]);
    }
    free(w->issuer);
    free(w->reason);
    free(w->by);
    for (size_t i = 0; i < w->n_ind; i++)
        free(w->ind[i].value);
    memset(w, 0, sizeof *w);
}

static char *dup_or_null(const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *failed = 1;
    return d;
}

int fidx__warning_copy(fidx__warning_t *dst, const fidx__warning_t *src)
{
    int failed = 0;
    *dst = *src;
    for (int l = 0; l < 2; l++) {
        dst->title[l] = dup_or_null(src->title[l], &failed);
        dst->text[l] = dup_or_null(src->text[l], &failed);
        dst->advice[l] = dup_or_null(src->advice[l], &failed);
    }
    dst->issuer = dup_or_null(src->issuer, &failed);
    dst->reason = dup_or_null(src->reason, &failed);
    dst->by = dup_or_null(src->by, &failed);
    for (size_t i = 0; i < src->n_ind; i++)
        dst->ind[i].value = dup_or_null(src->ind[i].value, &failed);
    if (failed) {
        fidx__warning_dispose(dst);
        return FIDX_ENOMEM;
    }
    return 0;
}

/* ---- time ---- */

void fidx__warning_time(int64_t t, char out[21])
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
        strcpy(out, "1970-01-01T00:00:00Z");
}

static int digits(const char *s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *out = *out * 10 + (s[i] - '0');
    }
    return 0;
}

int fidx__warning_parse_time(const char *s, size_t len, int end_of_day, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    if ((len != 10 && len != 20) || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) ||
        digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) || y < 2000 || y > 2200 || mo < 1 ||
        mo > 12 || d < 1 || d > 31)
        return FIDX_EINVAL;
    if (len == 20 &&
        (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' || digits(s + 11, 2, &h) ||
         digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) || h > 23 || mi > 59 || se > 60))
        return FIDX_EINVAL;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    int64_t t = (int64_t)timegm(&tm);
    struct tm back;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &back) || back.tm_mday != d) /* 31 February */
        return FIDX_EINVAL;
    if (len == 10) /* a day in Vietnam */
        t = t - VN_OFFSET + (end_of_day ? 86400 - 1 : 0);
    *out = t;
    return 0;
}

/* ---- reading fields ---- */

static int bad(fidx_err_t *err, const char *why)
{
    return fidx_err_set(err, FIDX_EINVAL, 0, why);
}

/* A string member's text: 0 and *s (NULL for null), 1 when absent, or FIDX_EINVAL. Control
 * characters are refused except newlines and tabs where multiline. */
static int text_of(json_t *v, size_t max, int multiline, const char **s)
{
    if (!v)
        return 1;
    if (json_is_null(v)) {
        *s = NULL;
        return 0;
    }
    if (!json_is_string(v))
        return FIDX_EINVAL;
    size_t len = json_string_length(v);
    const char *p = json_string_value(v);
    if (len > max)
        return FIDX_EINVAL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f)
            return FIDX_EINVAL;
    }
    *s = len ? p : NULL; /* an empty string says "none" */
    return 0;
}

static int replace(char **slot, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        return FIDX_ENOMEM;
    free(*slot);
    *slot = d;
    return 0;
}

/* title, text, advice: {"vi":…,"en":…} or a string (Vietnamese). why: the error's sentence. */
static int set_texts(char **slot, json_t *v, size_t max, int multiline, const char *why,
                     fidx_err_t *err)
{
    static const char *const langs[2] = {"vi", "en"};
    const char *s, *key;
    json_t *m;
    if (!v)
        return 0;
    if (!json_is_object(v)) {
        if (text_of(v, max, multiline, &s) != 0)
            return bad(err, why);
        return replace(&slot[0], s);
    }
    json_object_foreach(v, key, m)
    {
        if (strcmp(key, "vi") != 0 && strcmp(key, "en") != 0)
            return bad(err, why);
    }
    for (int l = 0; l < 2; l++) {
        int r = text_of(json_object_get(v, langs[l]), max, multiline, &s);
        if (r == FIDX_EINVAL)
            return bad(err, why);
        if (r == 0 && replace(&slot[l], s) != 0)
            return FIDX_ENOMEM;
    }
    return 0;
}

static int set_regions(fidx__warning_t *w, json_t *v, fidx_err_t *err)
{
    const char *why = "regions: an array of province codes (docs/WARNINGS.md), or [\"all\"]";
    size_t i;
    json_t *m;
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > FIDX__PROVINCE_COUNT + 1)
        return bad(err, why);
    int national = 0;
    uint64_t mask = 0;
    json_array_foreach(v, i, m)
    {
        if (!json_is_string(m))
            return bad(err, why);
        const char *s = json_string_value(m);
        size_t len = json_string_length(m);
        int p = fidx__province_find(s, len);
        if (len == 3 && memcmp(s, "all", 3) == 0)
            national = 1;
        else if (p < 0)
            return bad(err,
                       "regions: unknown province code (the 34 codes are in docs/WARNINGS.md)");
        else
            mask |= 1ull << p;
    }
    w->national = national;
    w->regions = national ? 0 : mask;
    return 0;
}

/* One indicator: a value ("0912 345 678") or {"value":…,"kind":…}, normalised. */
static int read_indicator(json_t *m, fidx__warning_ind_t *out, fidx_err_t *err)
{
    json_t *val = json_is_object(m) ? json_object_get(m, "value") : m;
    json_t *kind_j = json_is_object(m) ? json_object_get(m, "kind") : NULL;
    fidx_kind_t kind = FIDX_KIND_NONE;
    if (!json_is_string(val) || (kind_j && !json_is_string(kind_j)) ||
        (kind_j && fidx_kind_parse(json_string_value(kind_j), json_string_length(kind_j), &kind)))
        return bad(err, "indicators: each a value, or {\"value\":…,\"kind\":…} with a known kind");
    char canon[FIDX_CANON_CAP];
    size_t clen;
    fidx_err_t nerr = {0};
    if (fidx_normalize(kind, NULL, json_string_value(val), json_string_length(val), &kind, canon,
                       sizeof canon, &clen, &nerr) != 0)
        return bad(err, "indicators: a value cannot be read as a phone number, account, link, "
                        "domain, social account or e-mail");
    out->kind = kind;
    out->len = clen;
    out->value = malloc(clen + 1);
    if (!out->value)
        return FIDX_ENOMEM;
    memcpy(out->value, canon, clen);
    out->value[clen] = '\0';
    return 0;
}

static int set_indicators(fidx__warning_t *w, json_t *v, fidx_err_t *err)
{
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > FIDX__WARNING_INDICATORS_MAX)
        return bad(err, "indicators: an array of at most 20 values");
    fidx__warning_ind_t ind[FIDX__WARNING_INDICATORS_MAX];
    size_t n = 0, i;
    json_t *m;
    json_array_foreach(v, i, m)
    {
        int r = read_indicator(m, &ind[n], err);
        if (r) {
            while (n)
                free(ind[--n].value);
            return r;
        }
        n++;
    }
    for (i = 0; i < w->n_ind; i++)
        free(w->ind[i].value);
    memcpy(w->ind, ind, n * sizeof ind[0]);
    w->n_ind = n;
    return 0;
}

static int set_time(int64_t *slot, json_t *v, int end_of_day, const char *why, fidx_err_t *err)
{
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *slot = 0;
        return 0;
    }
    if (!json_is_string(v) ||
        fidx__warning_parse_time(json_string_value(v), json_string_length(v), end_of_day, slot))
        return bad(err, why);
    return 0;
}

static int set_enum(json_t *v, const char *const *names, int n, int *out)
{
    if (!v)
        return 0;
    if (!json_is_string(v) || (*out = name_index(names, n, json_string_value(v))) < 0)
        return FIDX_EINVAL;
    return 0;
}

static int set_category(fidx__warning_t *w, json_t *v, fidx_err_t *err)
{
    if (!v)
        return 0;
    if (json_is_null(v)) {
        w->category = -1;
        return 0;
    }
    if (!json_is_string(v) ||
        fidx_category_parse(json_string_value(v), json_string_length(v), &w->category) != 0)
        return bad(err, "category: one of the contract's categories (impersonation, …)");
    return 0;
}

static const char *const input_keys[] = {"title",    "text",       "advice",     "category",
                                         "regions",  "indicators", "valid_from", "valid_until",
                                         "severity", "issuer",     NULL};

static int known_key(const char *key, const char *const *keys)
{
    for (int i = 0; keys[i]; i++)
        if (strcmp(keys[i], key) == 0)
            return 1;
    return 0;
}

static int set_fields(fidx__warning_t *w, json_t *o, fidx_err_t *err)
{
    int r, sev = (int)w->severity;
    const char *issuer;
    if ((r = set_texts(w->title, json_object_get(o, "title"), FIDX__WARNING_TITLE_MAX, 0,
                       "title: a string or {\"vi\",\"en\"}, one line of at most 300 bytes", err)) ||
        (r = set_texts(w->text, json_object_get(o, "text"), FIDX__WARNING_TEXT_MAX, 1,
                       "text: a string or {\"vi\",\"en\"} of at most 8192 bytes", err)) ||
        (r = set_texts(w->advice, json_object_get(o, "advice"), FIDX__WARNING_ADVICE_MAX, 1,
                       "advice: a string or {\"vi\",\"en\"} of at most 4096 bytes", err)) ||
        (r = set_category(w, json_object_get(o, "category"), err)) ||
        (r = set_regions(w, json_object_get(o, "regions"), err)) ||
        (r = set_indicators(w, json_object_get(o, "indicators"), err)) ||
        (r = set_time(&w->valid_from, json_object_get(o, "valid_from"), 0,
                      "valid_from: \"YYYY-MM-DD\" or \"YYYY-MM-DDTHH:MM:SSZ\"", err)) ||
        (r = set_time(&w->valid_until, json_object_get(o, "valid_until"), 1,
                      "valid_until: \"YYYY-MM-DD\" or \"YYYY-MM-DDTHH:MM:SSZ\"", err)))
        return r;
    if (set_enum(json_object_get(o, "severity"), severity_names, 3, &sev) != 0)
        return bad(err, "severity: low, medium or high");
    w->severity = (fidx__severity_t)sev;
    r = text_of(json_object_get(o, "issuer"), FIDX__WARNING_ISSUER_MAX, 0, &issuer);
    if (r == FIDX_EINVAL)
        return bad(err, "issuer: one line of at most 200 bytes");
    return r == 0 ? replace(&w->issuer, issuer) : 0;
}

int fidx__warning_set(fidx__warning_t *w, json_t *o, fidx_err_t *err)
{
    const char *key;
    json_t *m;
    if (!json_is_object(o))
        return bad(err, "the body must be a JSON object");
    json_object_foreach(o, key, m)
    {
        if (!known_key(key, input_keys))
            return bad(err, "unknown member (title, text, advice, category, regions, indicators, "
                            "valid_from, valid_until, severity, issuer)");
    }
    return set_fields(w, o, err);
}

int fidx__warning_check(const fidx__warning_t *w, fidx_err_t *err)
{
    if (!w->title[FIDX__WL_VI])
        return bad(err, "title: the Vietnamese title (title.vi) is required");
    if (!w->text[FIDX__WL_VI])
        return bad(err, "text: the Vietnamese text (text.vi) is required");
    if (!w->national && !w->regions)
        return bad(err, "regions: name the provinces it concerns, or [\"all\"]");
    if (w->valid_from && w->valid_until && w->valid_until <= w->valid_from)
        return bad(err, "valid_until must be after valid_from");
    return 0;
}

/* ---- the whole warning ---- */

static int read_meta(fidx__warning_t *w, json_t *o)
{
    json_t *id = json_object_get(o, "id"), *uuid = json_object_get(o, "uuid");
    json_t *rev = json_object_get(o, "rev"), *st = json_object_get(o, "state");
    int state;
    if (!json_is_string(id) || json_string_length(id) != FIDX__WARNING_ID_LEN ||
        json_string_value(id)[0] != 'w' || !json_is_string(uuid) ||
        json_string_length(uuid) != 36 || !json_is_integer(rev) || json_integer_value(rev) < 1 ||
        json_integer_value(rev) > UINT32_MAX || set_enum(st, state_names, 3, &state) || !st)
        return FIDX_EINVAL;
    memcpy(w->id, json_string_value(id), FIDX__WARNING_ID_LEN + 1);
    memcpy(w->uuid, json_string_value(uuid), 37);
    w->rev = (uint32_t)json_integer_value(rev);
    w->state = (fidx__warning_state_t)state;
    static const char *const times[] = {"created", "updated", "published", "retracted"};
    int64_t *slots[] = {&w->created, &w->updated, &w->published, &w->retracted};
    for (int i = 0; i < 4; i++) {
        json_t *t = json_object_get(o, times[i]);
        if (t && !json_is_null(t) &&
            (!json_is_string(t) || json_string_length(t) != 20 ||
             fidx__warning_parse_time(json_string_value(t), 20, 0, slots[i])))
            return FIDX_EINVAL;
    }
    const char *reason = NULL, *by = NULL;
    if (text_of(json_object_get(o, "reason"), FIDX__WARNING_REASON_MAX, 1, &reason) ==
            FIDX_EINVAL ||
        text_of(json_object_get(o, "by"), FIDX__WARNING_BY_MAX, 0, &by) == FIDX_EINVAL)
        return FIDX_EINVAL;
    if (replace(&w->reason, reason) || replace(&w->by, by))
        return FIDX_ENOMEM;
    return 0;
}

int fidx__warning_parse(const char *p, size_t len, fidx__warning_t *w, fidx_err_t *err)
{
    json_error_t jerr;
    memset(w, 0, sizeof *w);
    w->category = -1;
    if (len > FIDX__WARNING_LINE_MAX)
        return fidx_err_set(err, FIDX_ETOOBIG, 0, "warning too long");
    json_t *o = json_loadb(p, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return fidx_err_set(err, FIDX_ECORRUPT, 0, "not JSON");
    int r = json_is_object(o) ? read_meta(w, o) : FIDX_EINVAL;
    if (r == FIDX_EINVAL)
        fidx_err_set(err, FIDX_ECORRUPT, 0, "a warning's id, uuid, rev, state or times");
    if (r == 0)
        r = set_fields(w, o, err);
    if (r == 0)
        r = fidx__warning_check(w, err);
    json_decref(o);
    if (r)
        fidx__warning_dispose(w);
    return r;
}

static void put_str(fidx__sbuf_t *out, const char *key, const char *s)
{
    fidx__sbuf_printf(out, ",\"%s\":", key);
    if (s)
        fidx__sbuf_json_string(out, s, strlen(s));
    else
        fidx__sbuf_puts(out, "null");
}

static void put_texts(fidx__sbuf_t *out, const char *key, char *const *t)
{
    fidx__sbuf_printf(out, ",\"%s\":{\"vi\":", key);
    if (t[0])
        fidx__sbuf_json_string(out, t[0], strlen(t[0]));
    else
        fidx__sbuf_puts(out, "null");
    fidx__sbuf_puts(out, ",\"en\":");
    if (t[1])
        fidx__sbuf_json_string(out, t[1], strlen(t[1]));
    else
        fidx__sbuf_puts(out, "null");
    fidx__sbuf_puts(out, "}");
}

static void put_time(fidx__sbuf_t *out, const char *key, int64_t t)
{
    char iso[21];
    if (!t) {
        fidx__sbuf_printf(out, ",\"%s\":null", key);
        return;
    }
    fidx__warning_time(t, iso);
    fidx__sbuf_printf(out, ",\"%s\":\"%s\"", key, iso);
}

static void put_regions(fidx__sbuf_t *out, const fidx__warning_t *w)
{
    fidx__sbuf_puts(out, ",\"regions\":[");
    if (w->national)
        fidx__sbuf_puts(out, "\"all\"");
    for (int i = 0, n = 0; i < FIDX__PROVINCE_COUNT; i++)
        if (w->regions & (1ull << i))
            fidx__sbuf_printf(out, "%s\"%s\"", n++ ? "," : "", fidx__province_at(i)->code);
    fidx__sbuf_puts(out, "]");
}

void fidx__warning_json(fidx__sbuf_t *out, const fidx__warning_t *w, int public_view)
{
    fidx__sbuf_printf(out, "{\"id\":\"%s\",\"uuid\":\"%s\",\"rev\":%u,\"state\":\"%s\"", w->id,
                      w->uuid, w->rev, fidx__warning_state_name(w->state));
    put_time(out, "created", w->created);
    put_time(out, "updated", w->updated);
    put_time(out, "published", w->published);
    put_time(out, "retracted", w->retracted);
    put_texts(out, "title", w->title);
    put_texts(out, "text", w->text);
    put_texts(out, "advice", w->advice);
    if (w->category >= 0)
        fidx__sbuf_printf(out, ",\"category\":\"%s\"", fidx_category_name(w->category));
    else
        fidx__sbuf_puts(out, ",\"category\":null");
    put_regions(out, w);
    fidx__sbuf_puts(out, ",\"indicators\":[");
    for (size_t i = 0; i < w->n_ind; i++) {
        fidx__sbuf_printf(out, "%s{\"kind\":\"%s\",\"value\":", i ? "," : "",
                          fidx_kind_name(w->ind[i].kind));
        fidx__sbuf_json_string(out, w->ind[i].value, w->ind[i].len);
        fidx__sbuf_puts(out, "}");
    }
    fidx__sbuf_puts(out, "]");
    put_time(out, "valid_from", w->valid_from);
    put_time(out, "valid_until", w->valid_until);
    fidx__sbuf_printf(out, ",\"severity\":\"%s\"", fidx__severity_name(w->severity));
    put_str(out, "issuer", w->issuer);
    put_str(out, "reason", w->reason);
    if (!public_view)
        put_str(out, "by", w->by);
    fidx__sbuf_puts(out, "}");
}

int fidx__warning_in_region(const fidx__warning_t *w, int p)
{
    return w->national || (p >= 0 && p < FIDX__PROVINCE_COUNT && (w->regions & (1ull << p)));
}

int fidx__warning_current(const fidx__warning_t *w, int64_t now)
{
    return w->state == FIDX__WARNING_PUBLISHED && (!w->valid_from || w->valid_from <= now) &&
           (!w->valid_until || now <= w->valid_until);
}
