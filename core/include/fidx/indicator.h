/* An indicator as the indexer's schema describes it (shared/API.md, "Indicator file schema"):
 * the raw row a feed reader yields, the validated indicator, and the merge of duplicates. */
#ifndef FIDX_INDICATOR_H
#define FIDX_INDICATOR_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "fidx/kind.h"
#include "fidx/str.h"

#define FIDX_MAX_SOURCES 8     /* sources kept per indicator; more are refused */
#define FIDX_MAX_SOURCE_LEN 32 /* a source name: [a-z0-9_.-], 1..32 bytes */
#define FIDX_MAX_NOTE_LEN 1024 /* analysts' free text, bytes */
#define FIDX_MAX_LABEL_LEN 256 /* the public label, bytes (one line of UTF-8) */
#define FIDX_MAX_REPORTS 1000000000u

/* A row as read from a file or request body: slices borrowed from the reader until its next
 * row. A field that is absent has p == NULL. categories is ';'-separated (readers join JSON
 * arrays), reports is text (readers render JSON numbers). */
typedef struct {
    size_t line; /* 1-based line of the row in its input */
    fidx_str_t kind, value, status, categories, source, reports, first_seen, last_seen, note, label;
} fidx_row_t;

/* Defaults for fields a row does not give (the indexer's --status, --source, --category). */
typedef struct {
    fidx_status_t status; /* FIDX_STATUS_REPORTED unless set */
    fidx_str_t source;    /* ';'-separated, may be empty */
    uint16_t categories;  /* mask */
} fidx_row_defaults_t;

/* Days since 2000-01-01 (day 1 is 2000-01-01); 0 means "not known". */
typedef uint16_t fidx_day_t;

typedef struct {
    fidx_kind_t kind;
    fidx_status_t status;
    uint16_t categories;
    uint32_t reports;
    fidx_day_t first_seen, last_seen;
    uint8_t n_sources;
    char sources[FIDX_MAX_SOURCES][FIDX_MAX_SOURCE_LEN + 1]; /* sorted, distinct */
    size_t note_len; /* analysts' only: never answered to a lookup */
    char note[FIDX_MAX_NOTE_LEN + 1];
    size_t label_len; /* public: who owns it or what it is ("Vietcombank — tổng đài …") */
    char label[FIDX_MAX_LABEL_LEN + 1];
    size_t value_len;
    char value[FIDX_CANON_CAP]; /* storage form: fidx_storage_key() of the canonical value */
} fidx_indicator_t;

/* Validates and normalises a row into *out. Rejects the whole row (FIDX_EINVAL, err->reason
 * names the field: "unknown kind", "unknown status", "unknown category", "value is not a
 * phone number: …", "first_seen is not a date (YYYY-MM-DD)", "reports is not a number",
 * "label has a control character") */
FIDX_MUST_CHECK int fidx_row_to_indicator(const fidx_row_t *row, const fidx_row_defaults_t *def,
                                          fidx_indicator_t *out, fidx_err_t *err);

/* Whether label[0..len) may be a public label: at most FIDX_MAX_LABEL_LEN bytes of valid
 * UTF-8 without a control character (C0, DEL, C1, line and paragraph separators, bidirectional
 * formatting: it is shown to citizens as one line). 0, or FIDX_ETOOBIG / FIDX_EINVAL with
 * err->reason and err->offset. */
FIDX_MUST_CHECK int fidx_label_check(const char *label, size_t len, fidx_err_t *err);

/* Merges src into dst (same kind and value): reports add up (saturating at
 * FIDX_MAX_REPORTS), categories and sources unite (at most FIDX_MAX_SOURCES kept), dates widen,
 * the strongest status wins, a note is kept when dst has none, and src's label (when it has
 * one) replaces dst's: the later statement of who owns a value is the correction. */
void fidx_indicator_merge(fidx_indicator_t *dst, const fidx_indicator_t *src);

/* "YYYY-MM-DD" (2000-01-01 .. 2179-06-05) ↔ day number. */
FIDX_MUST_CHECK int fidx_day_parse(const char *p, size_t len, fidx_day_t *out);
void fidx_day_format(fidx_day_t day, char out[11]);

#endif
