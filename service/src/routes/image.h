/* POST /v1/image's answer, for the routes that read an image (image.c; a page route may answer
 * with it too): what the image holds, judged. */
#ifndef FIDX_SERVICE_ROUTES_IMAGE_H
#define FIDX_SERVICE_ROUTES_IMAGE_H

#include "http/request.h"
#include "routes/image_task.h"

/* Checks, on w's thread, what the image task o read, and writes the answer into resp: 200
 * with {"verdict","image","codes","codes_dropped","text","scan","ocr"} (docs/API.md), or the
 * error (400 invalid_image, 413 too_large, 503 unavailable). Each QR code's text is checked as
 * GET /v1/check checks a value (a VietQR payload as the bank account it names), the recognised
 * text is scanned as POST /v1/scan scans a post; the verdict is the worst of them. */
void fidx__image_answer(fidx__worker_t *w, const fidx__image_outcome_t *o, fidx__resp_t *resp);

/* Refuses at once, on the worker, what is not an image within the limits (the header alone is
 * read: a decompression bomb costs nothing) and a PNG, JPEG or WebP cut short (its end
 * marker missing): 0, or -1 with the 400/413 answer in resp. */
int fidx__image_precheck(const uint8_t *p, size_t len, fidx__resp_t *resp);

#endif
