/* The text of a grayscale image, with Tesseract (Vietnamese and English models). */
#ifndef FIDX_SERVICE_IMAGE_OCR_H
#define FIDX_SERVICE_IMAGE_OCR_H

#include <stddef.h>

#include "fidx/error.h"
#include "image_decode.h"

/* Images over this many pixels are scaled down (area average) before OCR: the work and
 * Tesseract's memory grow with the pixels, and its time limit does not cover the layout
 * analysis that runs first. 4 MP keeps a 1440 x 2560 phone screenshot whole. */
#define FIDX__OCR_MAX_PIXELS 4000000u
/* Text kept per image: what /v1/scan reads (FIDX_SCAN_MAX_TEXT); the rest is cut. */
#define FIDX__OCR_MAX_TEXT (64 * 1024)
/* Tesseract's languages, and the time limit per image when the caller gives none. */
#define FIDX__OCR_LANGS "vie+eng"
#define FIDX__OCR_DEADLINE_MS 10000

/* One Tesseract engine with its models loaded (~0.2 s and ~30 MB to make; keep it). Used by
 * one thread at a time: each pool thread has its own. */
typedef struct fidx__ocr fidx__ocr_t;

/* Loads Tesseract with the languages langs (NULL: FIDX__OCR_LANGS) from datapath (NULL: the
 * system's tessdata). Caller owns *out; free with fidx__ocr_free. Returns 0, FIDX_ENOMEM, or
 * FIDX_EINVAL when the models cannot be loaded. */
FIDX_MUST_CHECK int fidx__ocr_new(const char *datapath, const char *langs, fidx__ocr_t **out,
                                  fidx_err_t *err);
void fidx__ocr_free(fidx__ocr_t *ocr);

typedef struct {
    char *text;    /* owned, NUL-terminated UTF-8; free with free() */
    size_t len;    /* at most FIDX__OCR_MAX_TEXT */
    int timed_out; /* the time limit stopped recognition: text holds what was read by then */
    int truncated; /* text was cut at FIDX__OCR_MAX_TEXT (on a character boundary) */
    uint32_t width, height; /* the image Tesseract read (after scaling down) */
} fidx__ocr_text_t;

/* Reads the text of img within deadline_ms (<= 0: FIDX__OCR_DEADLINE_MS) on the calling
 * thread, single-threaded. Fills *out (caller owns out->text). Returns 0, FIDX_ENOMEM or
 * FIDX_EINVAL (Tesseract failed). */
FIDX_MUST_CHECK int fidx__ocr_read(fidx__ocr_t *ocr, const fidx__gray_t *img, int deadline_ms,
                                   fidx__ocr_text_t *out, fidx_err_t *err);

/* The image OCR reads for img: when img has more than FIDX__OCR_MAX_PIXELS, a scaled-down copy
 * in *out (caller owns; fidx__gray_dispose), else *out zeroed (read img itself). Returns 0 or
 * FIDX_ENOMEM. Shared with the fuzz target, which stops here. */
FIDX_MUST_CHECK int fidx__ocr_fit(const fidx__gray_t *img, fidx__gray_t *out, fidx_err_t *err);

#endif
