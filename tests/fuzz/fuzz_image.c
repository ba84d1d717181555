/* Fuzz target for the image reader up to OCR (libFuzzer; replayed by ctest, see
 * docs/FUZZING.md): probe, decode, QR codes, and the scaled image OCR would be given
 * (Tesseract itself is too slow to fuzz; what it reads is bounded here). Properties: documented
 * codes with a reason; the probe never accepts what breaks a limit; decoding fails exactly
 * when probing fails, with the same code, or gives the probed size; QR texts lie in their
 * buffer, NUL-terminated, at most FIDX__IMAGE_MAX_QR of them; the OCR image keeps the shape
 * within FIDX__OCR_MAX_PIXELS. */
#include "image_decode.h"
#include "image_ocr.h"
#include "image_probe.h"
#include "image_qr.h"

#include "fuzz_common.h"

static void check_qr(const fidx__gray_t *g)
{
    fidx__qr_list_t list;
    fidx_err_t err = {0, 0, NULL};
    int rc = fidx__image_qr(g, &list, &err);
    FUZZ_CHECK(rc == 0 || (rc == FIDX_ENOMEM && err.reason), "zbar failed on a decoded image");
    FUZZ_CHECK(list.count <= FIDX__IMAGE_MAX_QR, "more QR codes than the limit");
    for (size_t i = 0; i < list.count; i++) {
        fidx_str_t c = list.codes[i];
        FUZZ_CHECK(c.len <= FIDX__IMAGE_QR_MAX_TEXT && c.p[c.len] == '\0',
                   "a QR text is too long or not NUL-terminated");
    }
    fidx__qr_list_dispose(&list);
}

static void check_fit(const fidx__gray_t *g)
{
    fidx__gray_t small;
    fidx_err_t err = {0, 0, NULL};
    FUZZ_CHECK(fidx__ocr_fit(g, &small, &err) == 0, "scaling for OCR failed");
    uint64_t pixels = (uint64_t)g->width * g->height;
    if (!small.pixels) {
        FUZZ_CHECK(pixels <= FIDX__OCR_MAX_PIXELS, "an image over the OCR bound was not scaled");
        return;
    }
    FUZZ_CHECK((uint64_t)small.width * small.height <= FIDX__OCR_MAX_PIXELS &&
                   small.width <= g->width && small.height <= g->height && small.width > 0 &&
                   small.height > 0,
               "the OCR image is over the bound or larger than the image");
    fidx__gray_dispose(&small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fidx__image_info_t info;
    fidx_err_t perr = {0, 0, NULL}, derr = {0, 0, NULL};
    int prc = fidx__image_probe(data, size, &info, &perr);
    FUZZ_CHECK(prc == 0 || prc == FIDX_EINVAL || prc == FIDX_ETOOBIG, "undocumented probe code");
    FUZZ_CHECK(prc == 0 || (perr.code == prc && perr.reason), "probe failure without a reason");
    if (prc == 0)
        FUZZ_CHECK(info.width && info.height && info.width <= FIDX__IMAGE_MAX_SIDE &&
                       info.height <= FIDX__IMAGE_MAX_SIDE &&
                       (uint64_t)info.width * info.height <= FIDX__IMAGE_MAX_PIXELS,
                   "the probe accepted a size over a limit");
    fidx__gray_t g;
    int drc = fidx__image_decode(data, size, &g, &derr);
    FUZZ_CHECK(drc == 0 || drc == FIDX_EINVAL || drc == FIDX_ETOOBIG, "undocumented decode code");
    if (prc != 0) {
        FUZZ_CHECK(drc == prc, "decoding did not fail as probing did");
        return 0;
    }
    if (drc != 0) {
        FUZZ_CHECK(derr.reason && !g.pixels, "decode failure without a reason, or with pixels");
        return 0;
    }
    FUZZ_CHECK(g.pixels && g.width == info.width && g.height == info.height,
               "decoded size differs from the probed size");
    check_qr(&g);
    check_fit(&g);
    fidx__gray_dispose(&g);
    return 0;
}
