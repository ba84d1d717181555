/* The image reader in one synchronous call: bytes → the QR codes' texts and the recognised
 * text, with timings. The pool's jobs call it; so do the tests, the benchmark and the fuzz
 * target (without OCR). */
#ifndef FIDX_SERVICE_IMAGE_READ_H
#define FIDX_SERVICE_IMAGE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "image_decode.h"
#include "image_ocr.h"
#include "image_probe.h"
#include "image_qr.h"

/* What to read: the QR codes, the text, or both. */
#define FIDX__IMAGE_READ_QR 1u
#define FIDX__IMAGE_READ_OCR 2u

typedef struct {
    fidx__image_info_t info;           /* format and size, from the probe */
    fidx__qr_list_t qr;                /* the QR codes' texts (count 0 when not asked) */
    fidx__ocr_text_t ocr;              /* the text (ocr.text NULL when not asked) */
    uint64_t decode_us, qr_us, ocr_us; /* time spent in each step */
    /* The most this reader's own buffers held at once: the decoded image, plus OCR's
     * scaled copy and text. The libraries' working memory is not seen from here (zbar about a
     * byte a pixel, Tesseract tens of MB); bench/image/ measures the whole process. */
    size_t peak_bytes;
} fidx__image_result_t;

/* Probes, decodes and reads p[0..len) as `what` asks, OCR with the engine ocr (needed for
 * FIDX__IMAGE_READ_OCR) within deadline_ms (<= 0: FIDX__OCR_DEADLINE_MS). Fills *out; caller
 * owns it, free with fidx__image_result_dispose (also after a failure). Returns 0 or the code
 * of the step that failed (probe and decode: FIDX_ETOOBIG, FIDX_EINVAL; FIDX_ENOMEM), with
 * err->reason. A time-out is not a failure: out->ocr.timed_out says so. */
FIDX_MUST_CHECK int fidx__image_read(const uint8_t *p, size_t len, unsigned what, fidx__ocr_t *ocr,
                                     int deadline_ms, fidx__image_result_t *out, fidx_err_t *err);

void fidx__image_result_dispose(fidx__image_result_t *r);

#endif
