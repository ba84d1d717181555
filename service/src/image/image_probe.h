/* What an uploaded image is, from its first bytes: PNG, JPEG or WebP, and its width and height
 * read from the header alone, so that anything too large to decode is refused before a
 * decoder allocates a byte (a 100 KB PNG may declare 100,000 x 100,000 pixels). */
#ifndef FIDX_SERVICE_IMAGE_PROBE_H
#define FIDX_SERVICE_IMAGE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"

/* Limits on an image (issue 17): its file size, its pixels and either side. A decoded 8-bit
 * grayscale copy is then at most 24 MB. */
#define FIDX__IMAGE_MAX_BYTES (4u << 20)
#define FIDX__IMAGE_MAX_PIXELS 24000000u
#define FIDX__IMAGE_MAX_SIDE 16384u

typedef enum {
    FIDX__IMAGE_PNG = 1,
    FIDX__IMAGE_JPEG = 2,
    FIDX__IMAGE_WEBP = 3,
} fidx__image_format_t;

typedef struct {
    fidx__image_format_t format;
    uint32_t width, height;
} fidx__image_info_t;

/* Reads the format and size of the image p[0..len) (no NUL needed). Returns 0;
 * FIDX_ETOOBIG (err->reason says which limit: bytes, pixels or a side) or FIDX_EINVAL (not a
 * PNG, JPEG or WebP; a header cut short or malformed; a width or height of 0; an animated
 * WebP). */
FIDX_MUST_CHECK int fidx__image_probe(const uint8_t *p, size_t len, fidx__image_info_t *info,
                                      fidx_err_t *err);

/* "png", "jpeg", "webp" (a static string; "?" for anything else). */
const char *fidx__image_format_name(fidx__image_format_t format);

#endif
