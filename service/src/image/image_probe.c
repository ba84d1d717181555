/* Telling PNG, JPEG and WebP apart and reading their size from the header, without a decoder.
 *
 * Each reader looks only at the bytes it was given and checks every length before reading:
 * PNG's IHDR is at a fixed place after the signature; JPEG's frame header (SOF) is found by
 * walking the marker segments before it, each by its length; WebP's first chunk (VP8, VP8L or
 * VP8X) holds the size in a fixed layout. Sources: PNG (ISO/IEC 15948, section 11.2.2 IHDR),
 * JPEG (ITU-T T.81, B.1.1 and B.2.2), WebP container and lossless bitstream specifications
 * (RFC 9649). */
#include "image_probe.h"

#include <string.h>

#include "image_internal.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le24(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/* Signature, then the IHDR chunk: length 13, "IHDR", width, height (big-endian). */
static int probe_png(const uint8_t *p, size_t len, fidx__image_info_t *info, fidx_err_t *err)
{
    if (len < 8 + 8 + 8)
        return fidx__image_fail(err, FIDX_EINVAL, len, "PNG header cut short");
    if (be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
        return fidx__image_fail(err, FIDX_EINVAL, 8, "PNG does not start with its IHDR chunk");
    info->width = be32(p + 16);
    info->height = be32(p + 20);
    return 0;
}

/* A frame header: SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
static int is_sof(uint8_t m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* Walks the marker segments after SOI to the frame header: precision, height, width. */
static int probe_jpeg(const uint8_t *p, size_t len, fidx__image_info_t *info, fidx_err_t *err)
{
    size_t pos = 2;
    while (pos < len) {
        if (p[pos] != 0xFF)
            return fidx__image_fail(err, FIDX_EINVAL, pos, "JPEG marker expected");
        while (pos < len && p[pos] == 0xFF) /* fill bytes */
            pos++;
        if (pos == len)
            break;
        uint8_t m = p[pos++];
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) /* markers without a segment */
            continue;
        if (m == 0xD9 || m == 0xDA)
            return fidx__image_fail(err, FIDX_EINVAL, pos - 1,
                                    "JPEG image data before its frame header (SOF)");
        if (len - pos < 2 || be16(p + pos) < 2 || be16(p + pos) > len - pos)
            return fidx__image_fail(err, FIDX_EINVAL, pos, "JPEG header cut short");
        size_t seg = be16(p + pos);
        if (is_sof(m)) {
            if (seg < 8)
                return fidx__image_fail(err, FIDX_EINVAL, pos, "JPEG frame header too short");
            info->height = be16(p + pos + 3);
            info->width = be16(p + pos + 5);
            if (info->height == 0)
                return fidx__image_fail(err, FIDX_EINVAL, pos + 3,
                                        "JPEG height given after the image data (DNL): not "
                                        "supported");
            return 0;
        }
        pos += seg;
    }
    return fidx__image_fail(err, FIDX_EINVAL, len, "JPEG header cut short");
}

/* RIFF header, then the first chunk's fixed fields. */
static int probe_webp(const uint8_t *p, size_t len, fidx__image_info_t *info, fidx_err_t *err)
{
    if (len < 30)
        return fidx__image_fail(err, FIDX_EINVAL, len, "WebP header cut short");
    const uint8_t *d = p + 20; /* the first chunk's data */
    if (memcmp(p + 12, "VP8 ", 4) == 0) {
        if ((d[0] & 1) != 0 || d[3] != 0x9D || d[4] != 0x01 || d[5] != 0x2A)
            return fidx__image_fail(err, FIDX_EINVAL, 20, "WebP VP8 frame header is malformed");
        info->width = le16(d + 6) & 0x3FFF;
        info->height = le16(d + 8) & 0x3FFF;
    } else if (memcmp(p + 12, "VP8L", 4) == 0) {
        if (d[0] != 0x2F)
            return fidx__image_fail(err, FIDX_EINVAL, 20, "WebP VP8L signature is wrong");
        uint32_t bits = le16(d + 1) | (uint32_t)le16(d + 3) << 16;
        info->width = (bits & 0x3FFF) + 1;
        info->height = (bits >> 14 & 0x3FFF) + 1;
    } else if (memcmp(p + 12, "VP8X", 4) == 0) {
        if (d[0] & 0x02)
            return fidx__image_fail(err, FIDX_EINVAL, 20, "animated WebP is not supported");
        info->width = le24(d + 4) + 1;
        info->height = le24(d + 7) + 1;
    } else {
        return fidx__image_fail(err, FIDX_EINVAL, 12,
                                "WebP does not start with a VP8, VP8L or VP8X chunk");
    }
    return 0;
}

static int probe_size(const fidx__image_info_t *info, fidx_err_t *err)
{
    if (info->width == 0 || info->height == 0)
        return fidx__image_fail(err, FIDX_EINVAL, 0, "image has a width or height of 0");
    if (info->width > FIDX__IMAGE_MAX_SIDE || info->height > FIDX__IMAGE_MAX_SIDE)
        return fidx__image_fail(err, FIDX_ETOOBIG, 0, "image is wider or taller than 16384 pixels");
    if ((uint64_t)info->width * info->height > FIDX__IMAGE_MAX_PIXELS)
        return fidx__image_fail(err, FIDX_ETOOBIG, 0, "image has more than 24 megapixels");
    return 0;
}

int fidx__image_probe(const uint8_t *p, size_t len, fidx__image_info_t *info, fidx_err_t *err)
{
    memset(info, 0, sizeof *info);
    if (len > FIDX__IMAGE_MAX_BYTES)
        return fidx__image_fail(err, FIDX_ETOOBIG, FIDX__IMAGE_MAX_BYTES,
                                "image file larger than 4 MiB");
    int rc;
    if (len >= 8 && memcmp(p, png_signature, 8) == 0) {
        info->format = FIDX__IMAGE_PNG;
        rc = probe_png(p, len, info, err);
    } else if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
        info->format = FIDX__IMAGE_JPEG;
        rc = probe_jpeg(p, len, info, err);
    } else if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0) {
        info->format = FIDX__IMAGE_WEBP;
        rc = probe_webp(p, len, info, err);
    } else {
        return fidx__image_fail(err, FIDX_EINVAL, 0, "not a PNG, JPEG or WebP image");
    }
    if (rc == 0)
        rc = probe_size(info, err);
    if (rc != 0)
        memset(info, 0, sizeof *info);
    return rc;
}

const char *fidx__image_format_name(fidx__image_format_t format)
{
    switch (format) {
    case FIDX__IMAGE_PNG:
        return "png";
    case FIDX__IMAGE_JPEG:
        return "jpeg";
    case FIDX__IMAGE_WEBP:
        return "webp";
    }
    return "?";
}
