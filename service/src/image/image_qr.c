/* QR codes with zbar: one scanner per call (creating one is cheap next to a scan), QR codes
 * only (no 1-D barcodes to mistake a line of text for), and a second pass over the inverted
 * image when the first finds nothing, for codes shown light on dark. zbar reads our buffer in
 * place (no copy); its own working memory is about one byte a pixel for binarising. */
#include "image_qr.h"

#include <stdlib.h>
#include <string.h>

#include <zbar.h>

#include "image_internal.h"

/* Copies the decoded symbols into out (one buffer for all). */
static int collect(const zbar_image_t *zimg, fidx__qr_list_t *out, fidx_err_t *err)
{
    size_t total = 0;
    const zbar_symbol_t *s;
    for (s = zbar_image_first_symbol(zimg); s; s = zbar_symbol_next(s)) {
        size_t n = zbar_symbol_get_data_length(s);
        if (zbar_symbol_get_type(s) == ZBAR_QRCODE && n <= FIDX__IMAGE_QR_MAX_TEXT)
            total += n + 1;
    }
    out->buf = malloc(total ? total : 1);
    if (!out->buf)
        return fidx__image_fail(err, FIDX_ENOMEM, 0, "out of memory");
    size_t used = 0;
    for (s = zbar_image_first_symbol(zimg); s; s = zbar_symbol_next(s)) {
        size_t n = zbar_symbol_get_data_length(s);
        if (zbar_symbol_get_type(s) != ZBAR_QRCODE)
            continue;
        if (n > FIDX__IMAGE_QR_MAX_TEXT || out->count == FIDX__IMAGE_MAX_QR) {
            out->dropped++;
            continue;
        }
        memcpy(out->buf + used, zbar_symbol_get_data(s), n);
        out->buf[used + n] = '\0';
        out->codes[out->count++] = fidx_str(out->buf + used, n);
        used += n + 1;
    }
    return 0;
}

int fidx__image_qr(const fidx__gray_t *img, fidx__qr_list_t *out, fidx_err_t *err)
{
    memset(out, 0, sizeof *out);
    zbar_image_scanner_t *scanner = zbar_image_scanner_create();
    zbar_image_t *zimg = zbar_image_create();
    int rc = 0;
    if (!scanner || !zimg) {
        rc = fidx__image_fail(err, FIDX_ENOMEM, 0, "out of memory");
        goto fail;
    }
    zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_TEST_INVERTED, 1);
    zbar_image_set_format(zimg, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(zimg, img->width, img->height);
    zbar_image_set_data(zimg, img->pixels, (unsigned long)img->width * img->height, NULL);
    if (zbar_scan_image(scanner, zimg) < 0) {
        rc = fidx__image_fail(err, FIDX_EINVAL, 0, "zbar could not scan the image");
        goto fail;
    }
    rc = collect(zimg, out, err);
fail:
    if (zimg)
        zbar_image_destroy(zimg);
    if (scanner)
        zbar_image_scanner_destroy(scanner);
    return rc;
}

void fidx__qr_list_dispose(fidx__qr_list_t *list)
{
    free(list->buf);
    memset(list, 0, sizeof *list);
}
