/* Fuzz target for the feed readers (libFuzzer; replayed by ctest, see docs/FUZZING.md). The
 * first input byte picks the format (CSV, JSON Lines, list, MISP, STIX: byte % 5), the rest is
 * the buffer. Properties:
 * - fidx_feed_new and fidx_feed_next return only documented codes, with a reason on failure;
 * - the reader terminates: it ends (FIDX_ENOTFOUND) after at most one call per input byte;
 * - every row, good or bad, has 1 <= line <= the number of lines of the input;
 * - every field of a row is absent (p == NULL, len 0) or a slice that is readable whole: inside
 *   the buffer, or memory the reader owns (its scratch, the parsed JSON) that ASan sees as
 *   live; never longer than the input allows; a list reader's values are inside the buffer;
 * - fidx_row_to_indicator on each good row returns 0 or a reason, and an indicator it accepts
 *   has a valid kind, status and dates, and a stored value that reads back as itself (the
 *   lookup of a stored entry depends on it).
 * - MISP and STIX check a document without building it (feed_json_skim.c): a document jansson
 *   parses (duplicate keys aside) is never refused as invalid JSON, and one refused as invalid
 *   is one jansson refuses too, unless the difference is jansson's alone (\u escapes it
 *   decodes, numbers too large for it), which the skim does not judge.
 * fidx_feed_detect runs on the buffer too (no property beyond its codes). */
#include <jansson.h>
#include <string.h>

#include "fidx/feed.h"
#include "fidx/normalize.h"
#include "fidx/url.h"

#include "fuzz_common.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#endif

typedef struct {
    const char *p;
    size_t len, lines;
    fidx_feed_format_t fmt;
} input_t;

/* A slice outside the buffer must be memory the reader owns, readable whole. */
static void check_outside(fidx_str_t s, const input_t *in)
{
    FUZZ_CHECK(in->fmt != FIDX_FEED_LIST, "a list reader's value is not a slice of the buffer");
    FUZZ_CHECK(s.len <= in->len + 64, "a field outside the buffer is longer than the input");
#ifdef FUZZ_ASAN
    FUZZ_CHECK(__asan_region_is_poisoned((void *)(uintptr_t)s.p, s.len) == NULL,
               "a field points at memory that is not live (freed or out of bounds)");
#else
    volatile unsigned char sum = 0;
    for (size_t i = 0; i < s.len; i++)
        sum = (unsigned char)(sum + (unsigned char)s.p[i]);
    (void)sum;
#endif
}

static void check_field(fidx_str_t s, const input_t *in)
{
    if (s.p == NULL) {
        FUZZ_CHECK(s.len == 0, "an absent field (p == NULL) has a length");
        return;
    }
    uintptr_t a = (uintptr_t)s.p, b = (uintptr_t)in->p;
    if (a >= b && a <= b + in->len) {
        FUZZ_CHECK(s.len <= in->len - (a - b), "a field runs past the end of the buffer");
        return;
    }
    check_outside(s, in);
}

static void check_row_fields(const fidx_row_t *row, const input_t *in)
{
    FUZZ_CHECK(row->line >= 1 && row->line <= in->lines, "row line outside the input's lines");
    const fidx_str_t *f[] = {&row->kind,   &row->value,   &row->status,     &row->categories,
                             &row->source, &row->reports, &row->first_seen, &row->last_seen,
                             &row->note,   &row->label};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        check_field(*f[i], in);
}

/* The stored value reads back as itself: normalised again as its kind (a url entry key read
 * as a URL gives that key back), so a lookup of it finds the entry. */
static void check_stored_value(const fidx_indicator_t *ind)
{
    char *v = fuzz_dup(ind->value, ind->value_len), *out = malloc(FIDX_CANON_CAP);
    char *key = malloc(FIDX_CANON_CAP);
    size_t n = 0, kn = 0;
    fidx_kind_t k;
    FUZZ_CHECK(out && key, "out of memory in the harness");
    int rc = fidx_normalize(ind->kind, NULL, v, ind->value_len, &k, out, FIDX_CANON_CAP, &n, NULL);
    FUZZ_CHECK(rc == 0, "a stored value is refused when read back as its kind");
    rc = fidx_storage_key(ind->kind, out, n, key, FIDX_CANON_CAP, &kn);
    FUZZ_CHECK(rc == 0 && kn == ind->value_len && memcmp(key, ind->value, kn) == 0,
               "a stored value read back as its kind is stored under another value");
    free(v);
    free(out);
    free(key);
}

static void check_indicator(const fidx_row_t *row)
{
    fidx_indicator_t *ind = malloc(sizeof *ind);
    fidx_err_t err = {0, 0, NULL};
    fidx_row_defaults_t def = {FIDX_STATUS_REPORTED, {NULL, 0}, 0};
    FUZZ_CHECK(ind != NULL, "out of memory in the harness");
    int rc = fidx_row_to_indicator(row, &def, ind, &err);
    FUZZ_CHECK(rc == 0 || rc == FIDX_EINVAL || rc == FIDX_ETOOBIG,
               "fidx_row_to_indicator returned an undocumented code");
    if (rc != 0) {
        FUZZ_CHECK(err.reason != NULL && err.reason[0] != '\0', "a row refused without a reason");
    } else {
        FUZZ_CHECK(ind->kind >= 0 && ind->kind < FIDX_KIND_COUNT, "indicator kind out of range");
        FUZZ_CHECK((unsigned)ind->status < FIDX_STATUS_COUNT, "indicator status out of range");
        FUZZ_CHECK(ind->categories < (1u << FIDX_CAT_COUNT), "unknown category bits");
        FUZZ_CHECK(!ind->first_seen || !ind->last_seen || ind->first_seen <= ind->last_seen,
                   "first_seen after last_seen");
        FUZZ_CHECK(ind->n_sources <= FIDX_MAX_SOURCES, "too many sources");
        FUZZ_CHECK(ind->note_len <= FIDX_MAX_NOTE_LEN && ind->note[ind->note_len] == '\0',
                   "note too long or not terminated");
        FUZZ_CHECK(ind->label_len <= FIDX_MAX_LABEL_LEN && ind->label[ind->label_len] == '\0' &&
                       strlen(ind->label) == ind->label_len,
                   "label too long, not terminated or with a NUL inside");
        FUZZ_CHECK(ind->value_len > 0 && ind->value_len < FIDX_CANON_CAP &&
                       ind->value[ind->value_len] == '\0',
                   "stored value empty, too long or not terminated");
        check_stored_value(ind);
    }
    free(ind);
}

static void read_all(fidx_feed_t *f, const input_t *in)
{
    fidx_row_t row;
    size_t calls = 0;
    for (;;) {
        fidx_err_t err = {0, 0, NULL};
        int rc = fidx_feed_next(f, &row, &err);
        FUZZ_CHECK(++calls <= in->len + 1, "the reader does not terminate");
        if (rc == FIDX_ENOTFOUND)
            break;
        FUZZ_CHECK(rc == 0 || rc == FIDX_EINVAL || rc == FIDX_ENOMEM,
                   "fidx_feed_next returned an undocumented code");
        check_row_fields(&row, in);
        if (rc != 0) {
            FUZZ_CHECK(err.code == rc && err.reason != NULL, "a bad row without a reason");
            continue;
        }
        check_indicator(&row);
    }
    fidx_err_t err;
    FUZZ_CHECK(fidx_feed_next(f, &row, &err) == FIDX_ENOTFOUND, "a reader at its end goes on");
}

static size_t count_lines(const char *p, size_t n)
{
    size_t lines = 1;
    for (const char *q = p; (q = memchr(q, '\n', n - (size_t)(q - p))) != NULL; q++)
        lines++;
    return lines;
}

/* What jansson makes of the document after a BOM: 1 valid, 0 not. */
static int jansson_parses(const char *p, size_t len)
{
    size_t b = len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    json_error_t e;
    json_t *j = json_loadb(p + b, len - b, JSON_DECODE_ANY, &e);
    json_decref(j);
    return j != NULL;
}

/* Inputs where jansson refuses what the skim need not: escapes it decodes (lone surrogates,
 * \u0000) and numbers beyond its integer and double range. */
static int jansson_alone_may_refuse(const char *p, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '\\' || p[i] == 'e' || p[i] == 'E')
            return 1;
        run = (p[i] >= '0' && p[i] <= '9') ? run + 1 : 0;
        if (run >= 15)
            return 1;
    }
    return 0;
}

static void check_json_verdict(const input_t *in, int rc, const fidx_err_t *err)
{
    if (in->fmt != FIDX_FEED_MISP && in->fmt != FIDX_FEED_STIX)
        return;
    int refused_as_json = rc == FIDX_EINVAL && err->reason &&
                          (strcmp(err->reason, "document is not valid JSON") == 0 ||
                           strcmp(err->reason, "JSON is nested too deeply") == 0);
    int parses = jansson_parses(in->p, in->len);
    FUZZ_CHECK(!(parses && refused_as_json), "a document jansson parses refused as invalid JSON");
    FUZZ_CHECK(parses || refused_as_json || rc == FIDX_ETOOBIG ||
                   jansson_alone_may_refuse(in->p, in->len),
               "a document jansson refuses taken as valid JSON");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    input_t in = {(const char *)data + 1, size - 1, 0, (fidx_feed_format_t)(data[0] % 5)};
    in.lines = count_lines(in.p, in.len);
    fidx_feed_format_t detected;
    fidx_err_t err = {0, 0, NULL};
    int rc = fidx_feed_detect(in.p, in.len, &detected, &err);
    FUZZ_CHECK(rc == 0 || (rc == FIDX_EINVAL && err.reason), "fidx_feed_detect broke its contract");
    fidx_feed_t *f = NULL;
    rc = fidx_feed_new(in.p, in.len, in.fmt, &f, &err);
    FUZZ_CHECK(rc == 0 || rc == FIDX_EINVAL || rc == FIDX_ETOOBIG || rc == FIDX_ENOMEM,
               "fidx_feed_new returned an undocumented code");
    check_json_verdict(&in, rc, &err);
    if (rc != 0) {
        FUZZ_CHECK(f == NULL && err.code == rc && err.reason, "a refused feed without a reason");
        return 0;
    }
    read_all(f, &in);
    fidx_feed_free(f);
    return 0;
}
