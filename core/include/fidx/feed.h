/* Feed readers: rows of indicators out of CSV (RFC 4180, header row), JSON Lines, plain lists
 * (one value a line), MISP JSON events and STIX 2.1 bundles. They read a buffer the caller
 * holds (a mapped file, a request body); no I/O. */
#ifndef FIDX_FEED_H
#define FIDX_FEED_H

#include <stddef.h>

#include "fidx/error.h"
#include "fidx/indicator.h"

#define FIDX_MAX_LINE_LEN (64 * 1024)          /* CSV record / JSON line / list line */
#define FIDX_MAX_JSON_DOC (256u * 1024 * 1024) /* a whole MISP or STIX document */

typedef enum {
    FIDX_FEED_CSV,
    FIDX_FEED_JSONL,
    FIDX_FEED_LIST,
    FIDX_FEED_MISP,
    FIDX_FEED_STIX,
} fidx_feed_format_t;

const char *fidx_feed_format_name(fidx_feed_format_t fmt); /* "csv", "jsonl", … */

/* Tells the format from the content. FIDX_EINVAL (err->reason) when it is none of them,
 * e.g. a JSON document that is neither a MISP event nor a STIX bundle. */
FIDX_MUST_CHECK int fidx_feed_detect(const char *p, size_t len, fidx_feed_format_t *fmt,
                                     fidx_err_t *err);

typedef struct fidx_feed fidx_feed_t;

/* Opens a reader over p[0..len) (borrowed until fidx_feed_free). MISP and STIX documents are
 * checked whole here, without being built, then read one record at a time (FIDX_ETOOBIG over
 * FIDX_MAX_JSON_DOC; FIDX_EINVAL with err->offset on bad JSON); CSV checks its header (a
 * `value` column is required; unknown columns are an error). Caller owns *out; free with
 * fidx_feed_free. */
FIDX_MUST_CHECK int fidx_feed_new(const char *p, size_t len, fidx_feed_format_t fmt,
                                  fidx_feed_t **out, fidx_err_t *err);

/* The next row. 0: *row is filled (borrowed until the next call). FIDX_ENOTFOUND: no more
 * rows. FIDX_EINVAL: this row is malformed (err->reason, row->line set); the reader has moved
 * past it and the caller may go on. Blank lines and list comments ('#') are skipped. MISP
 * attributes of types that are not indicators are skipped silently. */
FIDX_MUST_CHECK int fidx_feed_next(fidx_feed_t *f, fidx_row_t *row, fidx_err_t *err);

/* Why a reader gave no row, for a MISP event or STIX bundle whose records were all skipped
 * silently: "100000 attributes, none usable: 100000 of a type we do not map (ip-dst 100000)".
 * Written into buf (cut to cap - 1 bytes); returns its length, 0 when the format has nothing
 * to say (the other formats report every row they refuse). Meaningful once fidx_feed_next has
 * returned FIDX_ENOTFOUND. */
size_t fidx_feed_why_empty(const fidx_feed_t *f, char *buf, size_t cap);

void fidx_feed_free(fidx_feed_t *f);

#endif
