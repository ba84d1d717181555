/* The synchronous image reader: probe, decode once, then QR and OCR on the same grayscale
 * image; the decoded image is freed before returning (only texts are kept). */
#include "image_read.h"

#include <stdlib.h>
#include <string.h>

#include "image_internal.h"

static int read_qr(const fidx__gray_t *img, fidx__image_result_t *out, fidx_err_t *err)
{
    uint64_t t = fidx__image_now_us();
    int rc = fidx__image_qr(img, &out->qr, err);
    out->qr_us = fidx__image_now_us() - t;
    return rc;
}

static int read_text(const fidx__gray_t *img, fidx__ocr_t *ocr, int deadline_ms,
                     fidx__image_result_t *out, fidx_err_t *err)
{
    uint64_t t = fidx__image_now_us();
    int rc = fidx__ocr_read(ocr, img, deadline_ms, &out->ocr, err);
    out->ocr_us = fidx__image_now_us() - t;
    /* OCR's scaled copy (when there was one) lived beside the decoded image. */
    size_t copy = (size_t)out->ocr.width * out->ocr.height;
    if (copy == (size_t)img->width * img->height)
        copy = 0;
    out->peak_bytes += copy + out->ocr.len + 1;
    return rc;
}

int fidx__image_read(const uint8_t *p, size_t len, unsigned what, fidx__ocr_t *ocr, int deadline_ms,
                     fidx__image_result_t *out, fidx_err_t *err)
{
    memset(out, 0, sizeof *out);
    if ((what & FIDX__IMAGE_READ_OCR) && !ocr)
        return fidx__image_fail(err, FIDX_EINVAL, 0, "OCR asked without an OCR engine");
    int rc = fidx__image_probe(p, len, &out->info, err);
    if (rc != 0)
        return rc;
    fidx__gray_t img;
    uint64_t t = fidx__image_now_us();
    rc = fidx__image_decode(p, len, &img, err);
    out->decode_us = fidx__image_now_us() - t;
    if (rc != 0)
        return rc;
    out->peak_bytes = (size_t)img.width * img.height;
    if (what & FIDX__IMAGE_READ_QR)
        rc = read_qr(&img, out, err);
    if (rc == 0 && (what & FIDX__IMAGE_READ_OCR))
        rc = read_text(&img, ocr, deadline_ms, out, err);
    fidx__gray_dispose(&img);
    return rc;
}

void fidx__image_result_dispose(fidx__image_result_t *r)
{
    fidx__qr_list_dispose(&r->qr);
    free(r->ocr.text);
    memset(r, 0, sizeof *r);
}
