/* Every QR code in a grayscale image, as text, with zbar. */
#ifndef FIDX_SERVICE_IMAGE_QR_H
#define FIDX_SERVICE_IMAGE_QR_H

#include <stddef.h>

#include "fidx/error.h"
#include "fidx/str.h"
#include "image_decode.h"

/* At most this many QR codes are reported per image (the rest are counted in `dropped`), each
 * at most this many bytes (a QR code holds at most 7089 characters; longer text is dropped). */
#define FIDX__IMAGE_MAX_QR 16
#define FIDX__IMAGE_QR_MAX_TEXT 8192

typedef struct {
    size_t count;
    fidx_str_t codes[FIDX__IMAGE_MAX_QR]; /* in zbar's order; borrowed from buf */
    size_t dropped;                       /* codes over the count or size limit */
    char *buf;                            /* owned: the codes' bytes, NUL after each */
} fidx__qr_list_t;

/* Finds the QR codes of img (zbar reads it in place; dark-on-light and light-on-dark codes).
 * Fills *out; caller owns it, free with fidx__qr_list_dispose (also after a failure). Returns 0
 * (count may be 0), FIDX_ENOMEM, or FIDX_EINVAL when zbar fails. */
FIDX_MUST_CHECK int fidx__image_qr(const fidx__gray_t *img, fidx__qr_list_t *out, fidx_err_t *err);

void fidx__qr_list_dispose(fidx__qr_list_t *list);

#endif
