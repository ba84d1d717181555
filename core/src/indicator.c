/* Indicators: validation of a feed row into an indicator (the schema of shared/API.md,
 * "Indicator file schema"), the merge of two indicators with the same value, and the day
 * numbers that dates are kept as.
 *
 * A row is rejected whole on its first bad field; err->reason says which field and why (for a
 * value that is not of its kind, the normaliser's own reason) and err->offset is 0: the
 * caller reports "<file>:<line>: <reason>". Fields that are absent or empty take the
 * defaults. Spaces and tabs around kind, status, reports, dates and sources are ignored. */
#include "fidx/indicator.h"

#include <string.h>

#include "fidx/normalize.h"
#include "fidx/social.h"

/* ---- days --------------------------------------------------------------------------------- */

#define DAY_FIRST_YEAR 2000
#define DAY_LAST_YEAR 2179 /* day 65535 is 2179-06-05 */

static int is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[m - 1] + (m == 2 && is_leap(y));
}

/* Leap years in [1, y]. */
static unsigned leaps_through(unsigned y)
{
    return y / 4 - y / 100 + y / 400;
}

static int digits(const char *p, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    *out = v;
    return 0;
}

int fidx_day_parse(const char *p, size_t len, fidx_day_t *out)
{
    static const unsigned short before[12] = {0,   31,  59,  90,  120, 151,
                                              181, 212, 243, 273, 304, 334};
    unsigned y, m, d;
    if (len != 10 || p[4] != '-' || p[7] != '-' || digits(p, 4, &y) || digits(p + 5, 2, &m) ||
        digits(p + 8, 2, &d))
        return FIDX_EINVAL;
    if (y < DAY_FIRST_YEAR || y > DAY_LAST_YEAR || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return FIDX_EINVAL;
    unsigned long n = 365ul * (y - DAY_FIRST_YEAR) + leaps_through(y - 1) -
                      leaps_through(DAY_FIRST_YEAR - 1) + before[m - 1] + (m > 2 && is_leap(y)) +
                      d; /* 2000-01-01 is day 1 */
    if (n > UINT16_MAX)
        return FIDX_EINVAL;
    *out = (fidx_day_t)n;
    return 0;
}

/* Day 0 ("not known") is written as the empty string. */
void fidx_day_format(fidx_day_t day, char out[11])
{
    if (day == 0) {
        out[0] = '\0';
        return;
    }
    /* Constant time (it runs for every match answered): count in 400-year eras starting on
     * 1 March 1600, so leap days fall at the end of each year of the count. */
    unsigned z = (unsigned)day - 1 + 146097 - 60; /* days since 1 March 1600 */
    unsigned era = z / 146097, doe = z % 146097;
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    unsigned y = 1600 + era * 400 + yoe + (m <= 2);
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* ---- fields ------------------------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static fidx_str_t trim(fidx_str_t s)
{
    if (!s.p)
        return s;
    while (s.len > 0 && is_space(s.p[0]))
        s = fidx_str(s.p + 1, s.len - 1);
    while (s.len > 0 && is_space(s.p[s.len - 1]))
        s.len--;
    return s;
}

static int given(fidx_str_t s)
{
    return s.p != NULL && s.len > 0;
}

/* Decimal 0..FIDX_MAX_REPORTS. 0 is a count like any other: an allowlisted official hotline
 * has no reports, and a feed that says so must not be refused (the default, 1, is for rows
 * that say nothing). */
static int parse_reports(fidx_str_t s, uint32_t *out, fidx_err_t *err)
{
    uint64_t v = 0;
    if (s.len == 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "reports is not a number");
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return fidx_err_set(err, FIDX_EINVAL, 0, "reports is not a number");
        v = v * 10 + (uint64_t)(s.p[i] - '0');
        if (v > FIDX_MAX_REPORTS)
            return fidx_err_set(err, FIDX_EINVAL, 0, "reports is over 1000000000");
    }
    *out = (uint32_t)v;
    return 0;
}

/* Inserts name (n bytes) into the sorted, distinct sources. When they are full: FIDX_ELIMIT,
 * or with evict the largest of them all is dropped, so a merge keeps the smallest names
 * whatever order the rows came in. */
static int add_source(fidx_indicator_t *ind, const char *name, size_t n, int evict)
{
    int i = 0;
    for (; i < ind->n_sources; i++) {
        int c = strncmp(ind->sources[i], name, n);
        if (c == 0 && ind->sources[i][n] == '\0')
            return 0; /* there already */
        if (c >= 0)
            break; /* (c == 0 here: the stored name is longer, so it sorts after) */
    }
    if (ind->n_sources >= FIDX_MAX_SOURCES) {
        if (!evict)
            return FIDX_ELIMIT;
        if (i >= FIDX_MAX_SOURCES)
            return 0;
        ind->n_sources--;
    }
    memmove(ind->sources[i + 1], ind->sources[i],
            (size_t)(ind->n_sources - i) * sizeof ind->sources[0]);
    memcpy(ind->sources[i], name, n);
    ind->sources[i][n] = '\0';
    ind->n_sources++;
    return 0;
}

/* One source name, lower-cased into buf; 0 or -1 when it is not [a-z0-9_.-]{1,32}. */
static int source_name(fidx_str_t s, char *buf)
{
    if (s.len == 0 || s.len > FIDX_MAX_SOURCE_LEN)
        return -1;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return -1;
        buf[i] = c;
    }
    return 0;
}

static int parse_sources(fidx_str_t s, fidx_indicator_t *ind, fidx_err_t *err)
{
    size_t i = 0;
    while (i < s.len) {
        size_t start = i;
        while (i < s.len && s.p[i] != ';')
            i++;
        fidx_str_t item = trim(fidx_str(s.p + start, i - start));
        i++; /* past ';' */
        if (item.len == 0)
            continue;
        char name[FIDX_MAX_SOURCE_LEN];
        if (source_name(item, name) != 0)
            return fidx_err_set(err, FIDX_EINVAL, 0,
                                "source is not a name of a-z, 0-9, '_', '.', '-' (1 to 32 bytes)");
        if (add_source(ind, name, item.len, 0) != 0)
            return fidx_err_set(err, FIDX_EINVAL, 0, "too many sources (at most 8)");
    }
    return 0;
}

/* Length of the well-formed UTF-8 character at p[0..n) (no overlongs, no surrogates, at most
 * U+10FFFF), or 0. */
static size_t utf8_char(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || p[0] > 0xF4 || len > n)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0) ||
        (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
        return 0;
    return len;
}

static int check_note(fidx_str_t s, fidx_err_t *err)
{
    if (s.len > FIDX_MAX_NOTE_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, 0, "note is longer than 1024 bytes");
    const unsigned char *p = (const unsigned char *)s.p;
    for (size_t i = 0; i < s.len;) {
        if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return fidx_err_set(err, FIDX_EINVAL, 0, "note has a control character");
        size_t n = utf8_char(p + i, s.len - i);
        if (n == 0)
            return fidx_err_set(err, FIDX_EINVAL, 0, "note is not valid UTF-8");
        i += n;
    }
    return 0;
}

/* Whether the UTF-8 character p[0..n) is a control: C0, DEL, C1, the line and paragraph
 * separators, or a bidirectional formatting character (U+200E/F, U+202A..E, U+2066..9). */
static int is_control(const unsigned char *p, size_t n)
{
    if (n == 1)
        return p[0] < 0x20 || p[0] == 0x7F;
    if (n == 2)
        return p[0] == 0xC2 && p[1] < 0xA0;
    if (n != 3 || p[0] != 0xE2)
        return 0;
    unsigned cp = ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3F); /* U+2000 + cp */
    return cp == 0x0E || cp == 0x0F || cp == 0x28 || cp == 0x29 || (cp >= 0x2A && cp <= 0x2E) ||
           (cp >= 0x66 && cp <= 0x69);
}

int fidx_label_check(const char *label, size_t len, fidx_err_t *err)
{
    if (len > FIDX_MAX_LABEL_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, 0, "label is longer than 256 bytes");
    const unsigned char *p = (const unsigned char *)label;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_char(p + i, len - i);
        if (n == 0)
            return fidx_err_set(err, FIDX_EINVAL, i, "label is not valid UTF-8");
        if (is_control(p + i, n))
            return fidx_err_set(err, FIDX_EINVAL, i, "label has a control character");
        i += n;
    }
    return 0;
}

/* The public label, spaces around it dropped; absent or empty: none. */
static int parse_label(fidx_str_t s, fidx_indicator_t *out, fidx_err_t *err)
{
    s = trim(s);
    out->label_len = 0;
    out->label[0] = '\0';
    if (!given(s))
        return 0;
    int rc = fidx_label_check(s.p, s.len, err);
    if (rc) {
        if (err)
            err->offset = 0;
        return rc;
    }
    memcpy(out->label, s.p, s.len);
    out->label[s.len] = '\0';
    out->label_len = s.len;
    return 0;
}

/* first_seen and last_seen: dates or absent (0), and not the wrong way round. */
static int parse_dates(const fidx_row_t *row, fidx_indicator_t *out, fidx_err_t *err)
{
    fidx_str_t fs = trim(row->first_seen), ls = trim(row->last_seen);
    out->first_seen = out->last_seen = 0;
    if (given(fs) && fidx_day_parse(fs.p, fs.len, &out->first_seen) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "first_seen is not a date (YYYY-MM-DD)");
    if (given(ls) && fidx_day_parse(ls.p, ls.len, &out->last_seen) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "last_seen is not a date (YYYY-MM-DD)");
    if (out->first_seen && out->last_seen && out->first_seen > out->last_seen)
        return fidx_err_set(err, FIDX_EINVAL, 0, "first_seen is after last_seen");
    return 0;
}

/* kind and value: the value normalised as its kind (detected when not given), stored in the
 * form it is matched under. */
static int parse_value(const fidx_row_t *row, fidx_indicator_t *out, fidx_err_t *err)
{
    fidx_kind_t kind = FIDX_KIND_NONE;
    fidx_str_t k = trim(row->kind);
    if (given(k) && fidx_kind_parse(k.p, k.len, &kind) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "unknown kind");
    if (!given(row->value))
        return fidx_err_set(err, FIDX_EINVAL, 0, "value is missing");
    if (row->value.len > FIDX_MAX_VALUE_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, 0, "value is longer than 2048 bytes");
    char canon[FIDX_CANON_CAP];
    size_t n;
    int rc = fidx_normalize(kind, NULL, row->value.p, row->value.len, &out->kind, canon,
                            sizeof canon, &n, err);
    if (rc != 0) {
        if (err)
            err->offset = 0;
        return rc;
    }
    /* A profile link given without a kind is stored as the account it names, so that every
     * way of writing the account finds it (a lookup of the link checks the account too). */
    char social[FIDX_CANON_CAP];
    size_t sn;
    if (kind == FIDX_KIND_NONE && out->kind == FIDX_KIND_URL &&
        fidx_social_from_url(canon, n, social, sizeof social, &sn) == 0) {
        memcpy(canon, social, sn + 1);
        n = sn;
        out->kind = FIDX_KIND_SOCIAL;
    }
    if (fidx_storage_key(out->kind, canon, n, out->value, sizeof out->value, &out->value_len))
        return fidx_err_set(err, FIDX_ETOOBIG, 0, "value is too long once normalised");
    return 0;
}

static int parse_labels(const fidx_row_t *row, const fidx_row_defaults_t *def,
                        fidx_indicator_t *out, fidx_err_t *err)
{
    fidx_str_t st = trim(row->status);
    out->status = def ? def->status : FIDX_STATUS_REPORTED;
    if (given(st) && fidx_status_parse(st.p, st.len, &out->status) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "unknown status");
    out->categories = def ? def->categories : 0;
    if (given(row->categories) &&
        fidx_categories_parse(row->categories.p, row->categories.len, &out->categories, err))
        return fidx_err_set(err, FIDX_EINVAL, 0, "unknown category");
    fidx_str_t src = given(row->source) ? row->source : def ? def->source : fidx_str(NULL, 0);
    out->n_sources = 0;
    memset(out->sources, 0, sizeof out->sources);
    return src.p ? parse_sources(src, out, err) : 0;
}

int fidx_row_to_indicator(const fidx_row_t *row, const fidx_row_defaults_t *def,
                          fidx_indicator_t *out, fidx_err_t *err)
{
    int rc = parse_value(row, out, err);
    if (rc == 0)
        rc = parse_labels(row, def, out, err);
    if (rc == 0)
        rc = parse_dates(row, out, err);
    if (rc != 0)
        return rc;
    out->reports = 1;
    fidx_str_t rep = trim(row->reports);
    if (given(rep) && (rc = parse_reports(rep, &out->reports, err)) != 0)
        return rc;
    fidx_str_t note = given(row->note) ? row->note : fidx_str("", 0);
    if ((rc = check_note(note, err)) != 0)
        return rc;
    memcpy(out->note, note.p, note.len);
    out->note[note.len] = '\0';
    out->note_len = note.len;
    return parse_label(row->label, out, err);
}

/* ---- merge -------------------------------------------------------------------------------- */

static fidx_day_t earliest(fidx_day_t a, fidx_day_t b)
{
    return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

void fidx_indicator_merge(fidx_indicator_t *dst, const fidx_indicator_t *src)
{
    uint64_t reports = (uint64_t)dst->reports + src->reports;
    dst->reports = reports > FIDX_MAX_REPORTS ? FIDX_MAX_REPORTS : (uint32_t)reports;
    dst->categories = (uint16_t)(dst->categories | src->categories);
    if (src->status > dst->status)
        dst->status = src->status;
    dst->first_seen = earliest(dst->first_seen, src->first_seen);
    dst->last_seen = dst->last_seen > src->last_seen ? dst->last_seen : src->last_seen;
    for (int i = 0; i < src->n_sources; i++)
        (void)add_source(dst, src->sources[i], strlen(src->sources[i]), 1);
    if (dst->note_len == 0 && src->note_len > 0) {
        memcpy(dst->note, src->note, src->note_len + 1);
        dst->note_len = src->note_len;
    }
    if (src->label_len > 0) {
        memcpy(dst->label, src->label, src->label_len + 1);
        dst->label_len = src->label_len;
    }
}
