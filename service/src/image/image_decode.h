/* Decoding a PNG, JPEG or WebP into the 8-bit grayscale image that zbar and Tesseract read,
 * with Debian's libpng, libjpeg-turbo and libwebp. */
#ifndef FIDX_SERVICE_IMAGE_DECODE_H
#define FIDX_SERVICE_IMAGE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "image_probe.h"

/* Working memory libjpeg may take for one image besides the output; a JPEG that needs more is
 * refused. A progressive JPEG keeps every coefficient, 2 bytes per pixel and component, even
 * for grayscale output: 96 MiB holds 24 MP in 4:2:0 (72 MB) and 16 MP in 4:4:4. */
#define FIDX__IMAGE_JPEG_MEMORY (96u << 20)

/* A grayscale image: width * height bytes, row after row, 0 black to 255 white. */
typedef struct {
    uint8_t *pixels;
    uint32_t width, height;
} fidx__gray_t;

/* Probes p[0..len) (every limit of image_probe.h is checked before a decoder starts), then
 * decodes it into *out. Caller owns out->pixels; free with fidx__gray_dispose. Transparent
 * PNG pixels are put on white; WebP gives its luma, and its alpha is ignored. Returns 0,
 * FIDX_ETOOBIG, FIDX_EINVAL (the decoder's complaint as err->reason: a truncated or damaged
 * file, a header that disagrees with the probe, an unsupported kind of JPEG) or
 * FIDX_ENOMEM. *out is zeroed on failure. Peak memory: the output, plus at most
 * FIDX__IMAGE_JPEG_MEMORY for a JPEG, 4 bytes a pixel for a lossless WebP (libwebp decodes
 * it whole as ARGB), half a byte a pixel for a lossy one, a few rows for a PNG. */
FIDX_MUST_CHECK int fidx__image_decode(const uint8_t *p, size_t len, fidx__gray_t *out,
                                       fidx_err_t *err);

void fidx__gray_dispose(fidx__gray_t *g);

#endif
