/* The post scanner as the routes use it (scan.c): POST /v1/scan, and the citizens' page when
 * it is given a whole message (page_message.c), so both find the same indicators. */
#ifndef FIDX_SERVICE_ROUTE_SCAN_H
#define FIDX_SERVICE_ROUTE_SCAN_H

#include <stddef.h>

#include "fidx/scan.h"
#include "service.h"

/* A batch scan, {"texts":[…]}: at most this many texts, and this many bytes of text in all. */
#define FIDX__SCAN_MAX_TEXTS 100
#define FIDX__SCAN_MAX_BATCH_BYTES (1024 * 1024)

/* Scans text[0..len) with the service's scanner into the worker's scan workspace (made on the
 * first scan): the matches and every distinct value, borrowed until the worker's next scan;
 * or NULL with *rc FIDX_ETOOBIG, FIDX_ELIMIT or FIDX_ENOMEM. */
const fidx_scan_result_t *fidx__scan_found(fidx__worker_t *w, const char *text, size_t len,
                                           int *rc);

/* Scans text[0..len) and writes /v1/scan's answer, {"matches":[…],"truncated":…,
 * "verdict":"…"}, to out; *verdict is the post's verdict ("block", "review" or "allow").
 * Returns 0, or FIDX_ETOOBIG, FIDX_ELIMIT or FIDX_ENOMEM (out then holds a part: discard it).
 * POST /v1/scan, and the recognised text of an image (image.c). */
FIDX_MUST_CHECK int fidx__scan_json(fidx__worker_t *w, const char *text, size_t len,
                                    fidx__sbuf_t *out, const char **verdict);

#endif
