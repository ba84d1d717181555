/* JSON Lines feed reader: one JSON object a line with the CSV schema's field names. There
 * `categories` may be an array of strings (joined with ';') and `reports` a whole number.
 * Members the schema does not name are ignored (feeds carry ids, timestamps and such); a line
 * that is not an object, or a known member of the wrong type, is a bad row. A member that is
 * null counts as absent. Values are copied into a scratch buffer valid until the next row. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed_internal.h"

/* What a line's values can grow to: joining and rendering never outgrow their JSON text. */
#define JSONL_SCRATCH (FIDX_MAX_LINE_LEN + 64)

enum { F_CATEGORIES = 3, F_REPORTS = 5 };

static const char *const wrong_type[FIDX__ROW_NFIELDS] = {
    "kind is not a string",       "value is not a string",
    "status is not a string",     "categories is not a string or an array of strings",
    "source is not a string",     "reports is not a whole number or a string",
    "first_seen is not a string", "last_seen is not a string",
    "note is not a string",       "label is not a string",
};

typedef struct {
    struct fidx_feed base;
    fidx__feed_scratch_t scratch;
} jsonl_feed_t;

static int is_blank(fidx_str_t s)
{
    for (size_t k = 0; k < s.len; k++)
        if (s.p[k] != ' ' && s.p[k] != '\t' && s.p[k] != '\r')
            return 0;
    return 1;
}

/* Joins an array of strings with ';' into the scratch. */
static int join_strings(fidx__feed_scratch_t *sc, const json_t *arr, fidx_str_t *out)
{
    size_t first = sc->len, k;
    json_t *v;
    json_array_foreach(arr, k, v)
    {
        if (!json_is_string(v))
            return FIDX_EINVAL;
        if ((k > 0 && fidx__feed_row_scratch_put(sc, ";", 1, NULL) != 0) ||
            fidx__feed_row_scratch_put(sc, json_string_value(v), json_string_length(v), NULL) != 0)
            return FIDX_ENOSPC;
    }
    *out = fidx_str(sc->p + first, sc->len - first);
    return 0;
}

/* One known member into its row slot: FIDX_EINVAL on a wrong type, FIDX_ENOSPC when full. */
static int take_member(fidx__feed_scratch_t *sc, int k, const json_t *v, fidx_str_t *slot)
{
    if (json_is_string(v))
        return fidx__feed_row_scratch_put(sc, json_string_value(v), json_string_length(v), slot);
    if (k == F_CATEGORIES && json_is_array(v))
        return join_strings(sc, v, slot);
    if (k == F_REPORTS && json_is_integer(v)) {
        char num[24];
        int n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return fidx__feed_row_scratch_put(sc, num, (size_t)n, slot);
    }
    return FIDX_EINVAL;
}

static int fill_row(jsonl_feed_t *j, const json_t *obj, fidx_row_t *row, size_t off,
                    fidx_err_t *err)
{
    for (int k = 0; k < FIDX__ROW_NFIELDS; k++) {
        const json_t *v = json_object_get(obj, fidx__feed_row_field_names[k]);
        if (v == NULL || json_is_null(v))
            continue;
        int rc = take_member(&j->scratch, k, v, fidx__feed_row_field(row, k));
        if (rc == FIDX_EINVAL)
            return fidx_err_set(err, FIDX_EINVAL, off, wrong_type[k]);
        if (rc != 0)
            return fidx_err_set(err, FIDX_EINVAL, off, "row is too large");
    }
    return 0;
}

static int parse_line(jsonl_feed_t *j, fidx_str_t s, size_t off, fidx_row_t *row, fidx_err_t *err)
{
    json_error_t jerr;
    json_t *obj = json_loadb(s.p, s.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj) {
        size_t at = off + (jerr.position > 0 ? (size_t)jerr.position : 0);
        if (json_error_code(&jerr) == json_error_duplicate_key)
            return fidx_err_set(err, FIDX_EINVAL, at, "line has a duplicate key");
        if (json_error_code(&jerr) == json_error_stack_overflow)
            return fidx_err_set(err, FIDX_EINVAL, at, "line is nested too deeply");
        return fidx_err_set(err, FIDX_EINVAL, at, "line is not valid JSON");
    }
    int rc = json_is_object(obj) ? fill_row(j, obj, row, off, err)
                                 : fidx_err_set(err, FIDX_EINVAL, off, "line is not a JSON object");
    json_decref(obj);
    return rc;
}

static int jsonl_next(fidx_feed_t *f, fidx_row_t *row, fidx_err_t *err)
{
    jsonl_feed_t *j = (jsonl_feed_t *)f;
    fidx_str_t s;
    size_t lineno, off;
    j->scratch.len = 0;
    for (;;) {
        int rc = fidx__feed_line(f, &s, &lineno, &off);
        if (rc == FIDX_ENOTFOUND)
            return rc;
        row->line = lineno;
        if (rc != 0)
            return fidx_err_set(err, FIDX_EINVAL, off, "line is longer than the limit");
        if (!is_blank(s))
            break;
    }
    int rc = parse_line(j, s, off, row, err);
    if (rc != 0) { /* a bad row hands back no half-filled fields */
        memset(row, 0, sizeof *row);
        row->line = lineno;
    }
    return rc;
}

static void jsonl_free(fidx_feed_t *f)
{
    jsonl_feed_t *j = (jsonl_feed_t *)f;
    fidx__feed_row_scratch_dispose(&j->scratch);
    free(j);
}

static const fidx__feed_ops_t jsonl_ops = {jsonl_next, jsonl_free};

int fidx__feed_jsonl_new(const char *p, size_t len, fidx_feed_t **out, fidx_err_t *err)
{
    jsonl_feed_t *j = calloc(1, sizeof *j);
    if (!j || fidx__feed_row_scratch_init(&j->scratch, JSONL_SCRATCH) != 0) {
        free(j);
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    }
    j->base = (struct fidx_feed){&jsonl_ops, p, len, fidx__feed_skip_bom(p, len), 1, NULL};
    *out = &j->base;
    return 0;
}
