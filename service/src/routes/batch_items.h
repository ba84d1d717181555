/* The items of a POST /v1/check body read in place, without allocating (route_batch.c), and
 * the texts of a POST /v1/scan batch (scan.c).
 *
 * Nearly every batch has one shape: {"items":[ITEM,…]}, each ITEM a string or an object whose
 * members are "q" (a string) and optionally "kind" and "platform" (strings or null), each at
 * most once, in any order, with JSON whitespace anywhere. This reader takes exactly that
 * shape: strings are checked (UTF-8, control characters, escapes and surrogate pairs) as
 * strictly as jansson checks them and decoded only when they hold an escape. Anything else,
 * valid or not (another member, a number, a string over FIDX__BATCH_STRING_MAX bytes, a
 * duplicate key, a syntax error), is not read here: the route then parses the body with
 * jansson, which also words the error. So the two readers must agree on every body this one
 * takes; fuzz_body checks they do. */
#ifndef FIDX_SERVICE_BATCH_ITEMS_H
#define FIDX_SERVICE_BATCH_ITEMS_H

#include <stddef.h>

#include "fidx/error.h"
#include "fidx/str.h"

#define FIDX__BATCH_STRING_MAX 4096 /* a longer string with an escape goes to jansson */

/* One item. Slices of the body, or of the reader's buffers (valid until the next item). */
typedef struct {
    int object;      /* an object item (else a string item: q alone) */
    fidx_str_t q;    /* the value */
    fidx_str_t kind; /* {NULL,0} when absent or null */
    fidx_str_t platform;
} fidx__batch_item_t;

typedef struct {
    const char *p, *end;
    char buf[3][FIDX__BATCH_STRING_MAX]; /* decoded q, kind, platform */
} fidx__batch_reader_t;

/* Reads the whole body once: 0 and the number of items when it has the shape above, or
 * FIDX_EINVAL when it does not (then read it with jansson). */
FIDX_MUST_CHECK int fidx__batch_items_start(fidx__batch_reader_t *r, const char *body, size_t len,
                                            size_t *n_items);

/* The next item after a start that returned 0: 0, or FIDX_ENOTFOUND after the last. */
FIDX_MUST_CHECK int fidx__batch_items_next(fidx__batch_reader_t *r, fidx__batch_item_t *item);

/* POST /v1/scan's batches read the same way: {"texts":[STRING,…]} and nothing else (no other
 * member, only strings, no "\u0000": the scan route's jansson refuses it), strings decoded
 * into at most cap bytes (a longer escaped one: FIDX_EINVAL, and jansson decides). start
 * checks the whole body and gives the number of texts and their bytes once decoded; next
 * gives each text: a slice of the body, or decoded into buf (cap bytes; valid until the next
 * text). */
FIDX_MUST_CHECK int fidx__batch_texts_start(fidx__batch_reader_t *r, const char *body, size_t len,
                                            size_t cap, size_t *n_texts, size_t *bytes);
FIDX_MUST_CHECK int fidx__batch_texts_next(fidx__batch_reader_t *r, char *buf, size_t cap,
                                           fidx_str_t *text);

#endif
