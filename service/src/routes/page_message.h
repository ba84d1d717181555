/* The citizens' page given a whole message (page.c): every indicator in it found and looked
 * up as the API does (page_message.c). */
#ifndef FIDX_SERVICE_ROUTE_PAGE_MESSAGE_H
#define FIDX_SERVICE_ROUTE_PAGE_MESSAGE_H

#include <stddef.h>

#include "fidx/error.h"
#include "service.h"
#include "web/page_render.h"

/* Scans text[0..len) (at most FIDX__PAGE_MAX_MESSAGE bytes) and judges every value found:
 * 0 and *out (the worker's, valid until its next message), FIDX_ETOOBIG (text too long),
 * FIDX_ENOMEM, or the scan's FIDX_ELIMIT. Finding nothing is not an error. */
FIDX_MUST_CHECK int fidx__page_message_check(fidx__worker_t *w, const char *text, size_t len,
                                             const fidx__page_message_t **out);

/* A lookup's result r (of the value at bytes [start, end) of a text) as the page lists a value
 * found: its verdict, plain words, owner, the site it imitates, its categories. */
void fidx__page_message_found(fidx__page_found_t *f, const fidx_result_t *r, size_t start,
                              size_t end);

#endif
