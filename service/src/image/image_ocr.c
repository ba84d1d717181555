/* OCR with Tesseract's C API.
 *
 * Single-threaded on purpose: Debian's Tesseract parallelises with OpenMP, and on this 2-core
 * machine OpenMP's threads make a 1080 x 2400 screenshot slower, not faster (0.55 s against
 * 0.18 s on one thread, measured in-process here; the design notes saw 1.7-1.9 s against
 * 0.33 s); the pool runs images side by side instead.
 * Setting OMP_THREAD_LIMIT=1 from inside the process does not work: libgomp reads it once, when
 * it is loaded, which is at program start since libtesseract links it (measured: setenv before
 * the first init changes nothing). What does work, per thread, is OpenMP's
 * max-active-levels = 0, which runs every parallel region on the calling thread alone; it is an
 * OpenMP per-thread setting, so it is applied on the thread that recognises, every time.
 * The function is looked up at run time, so nothing here needs OpenMP's headers, and a Tesseract
 * built without OpenMP needs nothing. (OMP_THREAD_LIMIT=1 in the service's environment also
 * works.)
 *
 * Time limit: Tesseract's progress monitor (ETEXT_DESC) takes a deadline through the C API and
 * stops word recognition there, keeping what it read; layout analysis before it is not covered,
 * so the image is also bounded (FIDX__OCR_MAX_PIXELS). */
#include "image_ocr.h"

#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <tesseract/capi.h>

#include "image_internal.h"

struct fidx__ocr {
    TessBaseAPI *api;
    void (*set_max_active_levels)(int); /* libgomp's omp_set_max_active_levels, or NULL */
};

int fidx__ocr_new(const char *datapath, const char *langs, fidx__ocr_t **out, fidx_err_t *err)
{
    *out = NULL;
    fidx__ocr_t *ocr = calloc(1, sizeof *ocr);
    if (!ocr || !(ocr->api = TessBaseAPICreate())) {
        free(ocr);
        return fidx__image_fail(err, FIDX_ENOMEM, 0, "out of memory");
    }
    if (TessBaseAPIInit3(ocr->api, datapath, langs ? langs : FIDX__OCR_LANGS) != 0) {
        fidx__ocr_free(ocr);
        return fidx__image_fail(err, FIDX_EINVAL, 0,
                                "Tesseract could not load its models (tesseract-ocr-vie, -eng)");
    }
    /* Tesseract's notes ("Estimating resolution as …") would go to stderr. */
    TessBaseAPISetVariable(ocr->api, "debug_file", "/dev/null");
    *(void **)&ocr->set_max_active_levels = dlsym(RTLD_DEFAULT, "omp_set_max_active_levels");
    *out = ocr;
    return 0;
}

void fidx__ocr_free(fidx__ocr_t *ocr)
{
    if (!ocr)
        return;
    TessBaseAPIEnd(ocr->api);
    TessBaseAPIDelete(ocr->api);
    free(ocr);
}

/* Averages the source box of every output pixel (boxes tile the source exactly). */
static void shrink(const fidx__gray_t *in, fidx__gray_t *out, const uint32_t *col)
{
    for (uint32_t y = 0; y < out->height; y++) {
        uint32_t r0 = (uint32_t)((uint64_t)y * in->height / out->height);
        uint32_t r1 = (uint32_t)((uint64_t)(y + 1) * in->height / out->height);
        for (uint32_t x = 0; x < out->width; x++) {
            uint64_t sum = 0;
            for (uint32_t r = r0; r < r1; r++) {
                const uint8_t *row = in->pixels + (size_t)r * in->width;
                for (uint32_t c = col[x]; c < col[x + 1]; c++)
                    sum += row[c];
            }
            uint64_t area = (uint64_t)(r1 - r0) * (col[x + 1] - col[x]);
            out->pixels[(size_t)y * out->width + x] = (uint8_t)((sum + area / 2) / area);
        }
    }
}

int fidx__ocr_fit(const fidx__gray_t *img, fidx__gray_t *out, fidx_err_t *err)
{
    memset(out, 0, sizeof *out);
    uint64_t pixels = (uint64_t)img->width * img->height;
    if (pixels <= FIDX__OCR_MAX_PIXELS)
        return 0;
    /* The same shape, each side scaled by sqrt(max / pixels), rounded down (a step less when
     * rounding still leaves too many). */
    double s = sqrt((double)FIDX__OCR_MAX_PIXELS / (double)pixels);
    uint32_t w, h;
    for (;;) {
        w = (uint32_t)(img->width * s);
        h = (uint32_t)(img->height * s);
        w = w ? w : 1;
        h = h ? h : 1;
        if ((uint64_t)w * h <= FIDX__OCR_MAX_PIXELS)
            break;
        s *= 0.999;
    }
    uint32_t *col = malloc(((size_t)w + 1) * sizeof *col);
    out->pixels = malloc((size_t)w * h);
    if (!col || !out->pixels) {
        free(col);
        fidx__gray_dispose(out);
        return fidx__image_fail(err, FIDX_ENOMEM, 0, "out of memory");
    }
    out->width = w;
    out->height = h;
    for (uint32_t x = 0; x <= w; x++)
        col[x] = (uint32_t)((uint64_t)x * img->width / w);
    shrink(img, out, col);
    free(col);
    return 0;
}

/* Keeps at most FIDX__OCR_MAX_TEXT bytes of t, cut before a UTF-8 continuation byte. */
static int keep_text(const char *t, fidx__ocr_text_t *out, fidx_err_t *err)
{
    size_t n = strlen(t);
    if (n > FIDX__OCR_MAX_TEXT) {
        n = FIDX__OCR_MAX_TEXT;
        while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
            n--;
        out->truncated = 1;
    }
    out->text = malloc(n + 1);
    if (!out->text)
        return fidx__image_fail(err, FIDX_ENOMEM, 0, "out of memory");
    memcpy(out->text, t, n);
    out->text[n] = '\0';
    out->len = n;
    return 0;
}

static int recognise(fidx__ocr_t *ocr, const fidx__gray_t *img, int deadline_ms,
                     fidx__ocr_text_t *out, fidx_err_t *err)
{
    ETEXT_DESC *monitor = TessMonitorCreate();
    if (!monitor)
        return fidx__image_fail(err, FIDX_ENOMEM, 0, "out of memory");
    int ms = deadline_ms > 0 ? deadline_ms : FIDX__OCR_DEADLINE_MS;
    TessBaseAPISetImage(ocr->api, img->pixels, (int)img->width, (int)img->height, 1,
                        (int)img->width);
    uint64_t start = fidx__image_now_us();
    TessMonitorSetDeadlineMSecs(monitor, ms);
    int rc = TessBaseAPIRecognize(ocr->api, monitor);
    TessMonitorDelete(monitor);
    /* Recognize fails when the deadline stopped it; the text read by then is kept. */
    out->timed_out = fidx__image_now_us() - start >= (uint64_t)ms * 1000u;
    if (rc != 0 && !out->timed_out)
        return fidx__image_fail(err, FIDX_EINVAL, 0, "Tesseract could not read the image");
    char *t = TessBaseAPIGetUTF8Text(ocr->api);
    rc = keep_text(t ? t : "", out, err);
    TessDeleteText(t);
    return rc;
}

int fidx__ocr_read(fidx__ocr_t *ocr, const fidx__gray_t *img, int deadline_ms,
                   fidx__ocr_text_t *out, fidx_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (ocr->set_max_active_levels)
        ocr->set_max_active_levels(0);
    fidx__gray_t small;
    int rc = fidx__ocr_fit(img, &small, err);
    if (rc != 0)
        return rc;
    const fidx__gray_t *use = small.pixels ? &small : img;
    out->width = use->width;
    out->height = use->height;
    rc = recognise(ocr, use, deadline_ms, out, err);
    TessBaseAPIClear(ocr->api); /* drop the page's results; the models stay loaded */
    fidx__gray_dispose(&small);
    if (rc != 0) {
        free(out->text);
        memset(out, 0, sizeof *out);
    }
    return rc;
}
