/* Unit tests for image_probe.c: the three formats and their sizes from real files (made by
 * make_images.sh) and from hand-made headers at and over every limit; decompression bombs,
 * cut-short and malformed headers refused with a reason, before any decoder runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "image_fixture.h"
#include "image_probe.h"

static int probe(const uint8_t *p, size_t len, fidx__image_info_t *info, fidx_err_t *err)
{
    uint8_t *copy = malloc(len ? len : 1); /* exactly len bytes */
    assert_non_null(copy);
    if (len)
        memcpy(copy, p, len);
    int rc = fidx__image_probe(copy, len, info, err);
    free(copy);
    return rc;
}

static void assert_refused(const uint8_t *p, size_t len, int code, const char *reason)
{
    fidx__image_info_t info;
    fidx_err_t err = {0, 0, NULL};
    int rc = probe(p, len, &info, &err);
    if (rc != code || !err.reason || strcmp(err.reason, reason) != 0)
        fail_msg("rc %d \"%s\", want %d \"%s\"", rc, err.reason ? err.reason : "", code, reason);
    assert_int_equal(info.width, 0);
}

static void assert_size(const uint8_t *p, size_t len, fidx__image_format_t format, uint32_t w,
                        uint32_t h)
{
    fidx__image_info_t info;
    fidx_err_t err = {0, 0, NULL};
    int rc = probe(p, len, &info, &err);
    if (rc != 0)
        fail_msg("refused: %s", err.reason);
    assert_int_equal(info.format, format);
    assert_int_equal(info.width, w);
    assert_int_equal(info.height, h);
}

static void real_files(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        fidx__image_format_t format;
        uint32_t w, h;
    } files[] = {
        {"shot.png", FIDX__IMAGE_PNG, 1080, 2400},
        {"shot_transparent.png", FIDX__IMAGE_PNG, 1080, 2400},
        {"qr_shot_interlaced.png", FIDX__IMAGE_PNG, 1080, 2400},
        {"qr.png", FIDX__IMAGE_PNG, 450, 450},
        {"two_qr.png", FIDX__IMAGE_PNG, 860, 450},
        {"shot.jpg", FIDX__IMAGE_JPEG, 1080, 2400},
        {"qr_shot_progressive.jpg", FIDX__IMAGE_JPEG, 1080, 2400},
        {"shot.webp", FIDX__IMAGE_WEBP, 1080, 2400},
        {"shot_lossless.webp", FIDX__IMAGE_WEBP, 1080, 2400},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        image_file_t f = image_file(files[i].name);
        assert_size(f.p, f.len, files[i].format, files[i].w, files[i].h);
        free(f.p);
    }
    assert_string_equal(fidx__image_format_name(FIDX__IMAGE_WEBP), "webp");
    assert_string_equal(fidx__image_format_name((fidx__image_format_t)0), "?");
}

static void bombs(void **state)
{
    (void)state;
    /* 100,000 x 100,000 pixels declared, one row of data carried: refused by its header. */
    size_t len;
    uint8_t *bomb = png_bomb(100000, 100000, 1, &len);
    assert_refused(bomb, len, FIDX_ETOOBIG, "image is wider or taller than 16384 pixels");
    free(bomb);
    /* Within the side limit, over the pixel limit. */
    bomb = png_bomb(16384, 16384, 1, &len);
    assert_refused(bomb, len, FIDX_ETOOBIG, "image has more than 24 megapixels");
    free(bomb);
    /* Exactly at both limits: accepted. */
    bomb = png_bomb(4000, 6000, 1, &len);
    assert_size(bomb, len, FIDX__IMAGE_PNG, 4000, 6000);
    free(bomb);
    bomb = png_bomb(16384, 1464, 1, &len);
    assert_size(bomb, len, FIDX__IMAGE_PNG, 16384, 1464);
    free(bomb);
    bomb = png_bomb(16385, 10, 1, &len);
    assert_refused(bomb, len, FIDX_ETOOBIG, "image is wider or taller than 16384 pixels");
    free(bomb);
    bomb = png_bomb(4000, 6001, 1, &len);
    assert_refused(bomb, len, FIDX_ETOOBIG, "image has more than 24 megapixels");
    free(bomb);
    /* The same for JPEG (SOF0 of 65535 x 65535) and WebP (a VP8X canvas of 16384 x 16384). */
    static const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 'J',  'F',  0xFF, 0xC0, 0x00,
                                   0x0B, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x01, 0x11, 0x00};
    assert_refused(jpeg, sizeof jpeg, FIDX_ETOOBIG, "image is wider or taller than 16384 pixels");
    static const uint8_t webp[30] = {'R', 'I', 'F', 'F', 22,   0,    0,    0,    'W',  'E',
                                     'B', 'P', 'V', 'P', '8',  'X',  10,   0,    0,    0,
                                     0,   0,   0,   0,   0xFF, 0x3F, 0x00, 0xFF, 0x3F, 0x00};
    assert_refused(webp, sizeof webp, FIDX_ETOOBIG, "image has more than 24 megapixels");
}

static void too_many_bytes(void **state)
{
    (void)state;
    image_file_t f = image_file("shot.png");
    size_t big = FIDX__IMAGE_MAX_BYTES + 1;
    uint8_t *p = calloc(big, 1);
    assert_non_null(p);
    memcpy(p, f.p, f.len); /* a real PNG followed by zeros */
    fidx__image_info_t info;
    fidx_err_t err = {0, 0, NULL};
    assert_int_equal(fidx__image_probe(p, big, &info, &err), FIDX_ETOOBIG);
    assert_string_equal(err.reason, "image file larger than 4 MiB");
    assert_int_equal(fidx__image_probe(p, big - 1, &info, &err), 0);
    free(p);
    free(f.p);
}

static void cut_short(void **state)
{
    (void)state;
    static const char *names[] = {"shot.png", "shot.jpg", "shot.webp", "shot_lossless.webp"};
    for (size_t i = 0; i < 4; i++) {
        image_file_t f = image_file(names[i]);
        /* Every prefix shorter than the header: refused, never read past its end. */
        for (size_t n = 0; n < 24; n++) {
            fidx__image_info_t info;
            fidx_err_t err = {0, 0, NULL};
            int rc = probe(f.p, n, &info, &err);
            if (rc != FIDX_EINVAL || !err.reason)
                fail_msg("%s cut to %zu bytes: rc %d", names[i], n, rc);
        }
        free(f.p);
    }
    static const uint8_t png8[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    assert_refused(png8, 8, FIDX_EINVAL, "PNG header cut short");
    static const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F'};
    assert_refused(jpeg, sizeof jpeg, FIDX_EINVAL, "JPEG header cut short");
}

static void malformed(void **state)
{
    (void)state;
    assert_refused((const uint8_t *)"GIF89a\x01\x00\x01\x00", 10, FIDX_EINVAL,
                   "not a PNG, JPEG or WebP image");
    assert_refused((const uint8_t *)"", 0, FIDX_EINVAL, "not a PNG, JPEG or WebP image");
    size_t len;
    uint8_t *png = png_bomb(10, 10, 10, &len);
    memcpy(png + 12, "IDAT", 4);
    assert_refused(png, len, FIDX_EINVAL, "PNG does not start with its IHDR chunk");
    free(png);
    png = png_bomb(0, 10, 0, &len);
    assert_refused(png, len, FIDX_EINVAL, "image has a width or height of 0");
    free(png);
    /* JPEG: image data before the frame header; a height given later (DNL); junk for a
     * marker; a segment length past the end. */
    static const uint8_t sos[] = {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02};
    assert_refused(sos, sizeof sos, FIDX_EINVAL, "JPEG image data before its frame header (SOF)");
    static const uint8_t dnl[] = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00,
                                  0x00, 0x01, 0x00, 0x01, 0x01, 0x11, 0x00};
    assert_refused(dnl, sizeof dnl, FIDX_EINVAL,
                   "JPEG height given after the image data (DNL): not supported");
    static const uint8_t junk[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0x12, 0x34};
    assert_refused(junk, sizeof junk, FIDX_EINVAL, "JPEG marker expected");
    static const uint8_t overrun[] = {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xF0, 0x00, 0x00};
    assert_refused(overrun, sizeof overrun, FIDX_EINVAL, "JPEG header cut short");
    /* A standalone marker and fill bytes before the frame header are skipped. */
    static const uint8_t fill[] = {0xFF, 0xD8, 0xFF, 0xFF, 0xD0, 0xFF, 0xC2, 0x00, 0x0B,
                                   0x08, 0x00, 0x20, 0x00, 0x30, 0x01, 0x01, 0x11, 0x00};
    assert_size(fill, sizeof fill, FIDX__IMAGE_JPEG, 48, 32);
    /* WebP: an animation, a chunk that is none of VP8/VP8L/VP8X, a bad VP8 start code. */
    uint8_t webp[30] = {'R', 'I', 'F', 'F', 22,  0,  0, 0, 'W', 'E', 'B',
                        'P', 'V', 'P', '8', 'X', 10, 0, 0, 0,   0x02};
    assert_refused(webp, sizeof webp, FIDX_EINVAL, "animated WebP is not supported");
    memcpy(webp + 12, "ALPH", 4);
    assert_refused(webp, sizeof webp, FIDX_EINVAL,
                   "WebP does not start with a VP8, VP8L or VP8X chunk");
    memcpy(webp + 12, "VP8 ", 4);
    assert_refused(webp, sizeof webp, FIDX_EINVAL, "WebP VP8 frame header is malformed");
    memcpy(webp + 12, "VP8L", 4);
    assert_refused(webp, sizeof webp, FIDX_EINVAL, "WebP VP8L signature is wrong");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_files), cmocka_unit_test(bombs),     cmocka_unit_test(too_many_bytes),
        cmocka_unit_test(cut_short),  cmocka_unit_test(malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
