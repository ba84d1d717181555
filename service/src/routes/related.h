/* Warnings related to a checked value (issue 19): a bot answering a post can quote the
 * police's own words. GET /v1/check and POST /v1/check, the page and POST /v1/scan name the
 * published, current warnings whose indicators include the value, or whose category is one of
 * its entry's, through the worker's view of the warnings (warnings/warnings_view.h): an index
 * lookup, no lock, no allocation; the view is taken again only when the store's version moved. */
#ifndef FIDX_SERVICE_ROUTES_RELATED_H
#define FIDX_SERVICE_ROUTES_RELATED_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/lookup.h"
#include "service.h"
#include "warnings/warnings_view.h"

/* The worker's view, current (NULL without a warnings store). Borrowed until the worker takes
 * another: within one request. */
const fidx__warnings_view_t *fidx__related_view(fidx__worker_t *w);

/* The related warnings of res: their indices into the view's w (at most max). */
size_t fidx__related_of(fidx__worker_t *w, const fidx_result_t *res, uint32_t *out, size_t max);

/* The same for a value and the categories of its entry (mask; 0: none). */
size_t fidx__related_value(fidx__worker_t *w, fidx_kind_t kind, const char *value, size_t len,
                           uint16_t mask, uint32_t *out, size_t max);

/* out ends with a result's JSON object: adds "warnings":["w…",…] to it when some are related
 * (nothing otherwise, so answers without warnings stay as they were). */
void fidx__related_json(fidx__worker_t *w, const fidx_result_t *res, fidx__sbuf_t *out);

/* ,"warnings":["w…",…] for the view's warnings at[0..n) (nothing when n is 0). */
void fidx__related_ids(fidx__worker_t *w, const uint32_t *at, size_t n, fidx__sbuf_t *out);

#endif
