/* Private to the feed readers (feed/): the per-format vtable, the state every reader shares,
 * and the helpers the format files and detection share: building rows (feed_row.c), line
 * splitting (feed_line.c), JSON documents and locating a string in one (feed_json.c). */
#ifndef FIDX_FEED_INTERNAL_H
#define FIDX_FEED_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "fidx/feed.h"

typedef struct {
    int (*next)(fidx_feed_t *f, fidx_row_t *row, fidx_err_t *err);
    void (*free)(fidx_feed_t *f); /* frees the format's own state and f itself */
} fidx__feed_ops_t;

/* ---- feed_skips.c ---- */
/* What a document reader (MISP, STIX) read without making a row of it, so that a file that
 * gives no row can say why (fidx_feed_why_empty). */
#define FIDX__SKIP_TYPES 4
typedef struct {
    const char *records;      /* "attributes", "objects" */
    const char *types_said;   /* "of a type we do not map", "not indicators" */
    const char *context_said; /* "deleted or marked to_ids false", … */
    const char *none_said;    /* NULL, or why the rest gave nothing */
    uint64_t n_records, n_context, n_none, n_other_types;
    struct {
        char name[32];
        uint64_t n;
    } type[FIDX__SKIP_TYPES]; /* the first types skipped, with their counts */
} fidx__feed_skips_t;

/* One record skipped for its type (counted under the first FIDX__SKIP_TYPES names seen). */
void fidx__feed_skips_type(fidx__feed_skips_t *s, fidx_str_t type);
/* The sentence, e.g. "100000 attributes, none usable: 100000 of a type we do not map
 * (ip-dst 100000)". Returns its length (0: nothing to say), cut to cap - 1. */
size_t fidx__feed_skips_describe(const fidx__feed_skips_t *s, char *buf, size_t cap);

/* Every format's reader struct starts with this, so a fidx_feed_t * is also a pointer to it. */
struct fidx_feed {
    const fidx__feed_ops_t *ops;
    const char *p; /* the input, borrowed */
    size_t len;
    size_t pos;                /* next byte to read */
    size_t line;               /* 1-based line of p[pos] */
    fidx__feed_skips_t *skips; /* NULL: a format that skips nothing silently */
};

/* Start of the input after a UTF-8 byte-order mark, if any. */
static inline size_t fidx__feed_skip_bom(const char *p, size_t len)
{
    return (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
}

/* ---- feed_row.c ---- */
/* The text fields of fidx_row_t by their schema names, in the order of the schema; `value`
 * is entry FIDX__ROW_VALUE. */
#define FIDX__ROW_NFIELDS 10
#define FIDX__ROW_VALUE 1
extern const char *const fidx__feed_row_field_names[FIDX__ROW_NFIELDS];
extern const size_t fidx__feed_row_field_offsets[FIDX__ROW_NFIELDS];

static inline fidx_str_t *fidx__feed_row_field(fidx_row_t *row, int k)
{
    return (fidx_str_t *)((char *)row + fidx__feed_row_field_offsets[k]);
}

/* A bounded append-only buffer, reset for each row: slices handed out stay valid until reset. */
typedef struct {
    char *p;
    size_t len, cap;
} fidx__feed_scratch_t;

int fidx__feed_row_scratch_init(fidx__feed_scratch_t *s, size_t cap);
void fidx__feed_row_scratch_dispose(fidx__feed_scratch_t *s);
/* Appends n bytes; *out (may be NULL) points at the copy. FIDX_ENOSPC when it does not fit. */
int fidx__feed_row_scratch_put(fidx__feed_scratch_t *s, const char *p, size_t n, fidx_str_t *out);

/* s cut back to at most max bytes, before a whole UTF-8 character. */
fidx_str_t fidx__feed_row_utf8_cut(fidx_str_t s, size_t max);

/* ---- feed_line.c ---- */
/* The next physical line of f as [*out) without its '\n' or a '\r' before it; sets *lineno and
 * *offset (its first byte) and moves f past it. FIDX_ENOTFOUND at the end; FIDX_ETOOBIG when
 * the line is longer than FIDX_MAX_LINE_LEN (f is moved past it all the same). */
int fidx__feed_line(fidx_feed_t *f, fidx_str_t *out, size_t *lineno, size_t *offset);

/* ---- feed_json.c ---- */

/* ---- feed_json_skim.c ---- */
/* Checks the JSON value at p[i] (after whitespace) without building it; *end: after it.
 * FIDX_EINVAL with err->offset ("document is not valid JSON", "JSON is nested too deeply"). */
int fidx__feed_json_skim(const char *p, size_t len, size_t i, size_t *end, fidx_err_t *err);
/* The first byte at or after p[i] that is not JSON whitespace. */
size_t fidx__feed_json_ws(const char *p, size_t len, size_t i);
/* On a checked document: 1 and *i past `open` ('{' or '[') when the value at *i starts with it. */
int fidx__feed_json_open(const char *p, size_t len, size_t *i, char open);
/* On a checked document, inside an object (in_obj) or array opened with fidx__feed_json_open:
 * 1 with the next member's key (raw, between its quotes; objects only) and value range
 * [*vstart, *vend), *i moved past it; 0 at the container's end. */
int fidx__feed_json_next(const char *p, size_t len, size_t *i, int in_obj, fidx_str_t *key,
                         size_t *vstart, size_t *vend);

/* The string member `key` of obj as a slice of jansson's copy (borrowed while obj lives);
 * p == NULL when absent, not a string or empty. */
fidx_str_t fidx__feed_json_str(const json_t *obj, const char *key);

/* Position after the JSON string opening at p[i] (len when it does not close). Does not
 * validate: escapes are only stepped over. */
size_t fidx__feed_json_skip_string(const char *p, size_t len, size_t i);

/* Finds where the JSON string value s (decoded) is written in the document, scanning forward
 * from a cursor. Objects in arrays are visited in document order, so a forward search finds
 * each value at or before its real place and the scan stays linear in the document. */
typedef struct {
    const char *doc;
    size_t len;
    size_t pos;  /* cursor: nothing before it is searched again */
    size_t line; /* line of doc[pos] */
    unsigned misses;
} fidx__feed_json_locator_t;

void fidx__feed_json_locator_init(fidx__feed_json_locator_t *loc, const char *doc, size_t len);
/* 1-based line of the string's opening quote; when not found, the cursor's line. */
size_t fidx__feed_json_locate(fidx__feed_json_locator_t *loc, const char *s, size_t n);

/* The per-format constructors behind fidx_feed_new. p/len exclude nothing: each skips a BOM
 * itself. */
int fidx__feed_csv_new(const char *p, size_t len, fidx_feed_t **out, fidx_err_t *err);
int fidx__feed_jsonl_new(const char *p, size_t len, fidx_feed_t **out, fidx_err_t *err);
int fidx__feed_list_new(const char *p, size_t len, fidx_feed_t **out, fidx_err_t *err);
int fidx__feed_misp_new(const char *p, size_t len, fidx_feed_t **out, fidx_err_t *err);
int fidx__feed_stix_new(const char *p, size_t len, fidx_feed_t **out, fidx_err_t *err);

/* For detection: does the first record at p[0..len) read as a CSV header with a `value`
 * column (unknown columns allowed)? */
int fidx__feed_csv_header_has_value(const char *p, size_t len);

#endif
