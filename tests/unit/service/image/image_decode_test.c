/* Unit tests for image_decode.c: PNG (plain, interlaced, transparent), JPEG (baseline,
 * progressive) and WebP (lossy, lossless) decode to the same grayscale picture; bombs are
 * refused by the probe before a decoder runs; files cut short anywhere and damaged files are
 * refused with a reason, never decoded half-grey and never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "image_decode.h"
#include "image_fixture.h"

static fidx__gray_t decode_file(const char *name)
{
    image_file_t f = image_file(name);
    fidx__gray_t g;
    fidx_err_t err = {0, 0, NULL};
    int rc = fidx__image_decode(f.p, f.len, &g, &err);
    free(f.p);
    if (rc != 0)
        fail_msg("%s: %s", name, err.reason);
    return g;
}

static uint8_t at(const fidx__gray_t *g, uint32_t x, uint32_t y)
{
    return g->pixels[(size_t)y * g->width + x];
}

/* The mean absolute difference of two images of the same size. */
static double difference(const fidx__gray_t *a, const fidx__gray_t *b)
{
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    uint64_t sum = 0;
    size_t n = (size_t)a->width * a->height;
    for (size_t i = 0; i < n; i++)
        sum += (uint64_t)abs(a->pixels[i] - b->pixels[i]);
    return (double)sum / (double)n;
}

static void formats_agree(void **state)
{
    (void)state;
    fidx__gray_t png = decode_file("shot.png");
    assert_int_equal(png.width, 1080);
    assert_int_equal(png.height, 2400);
    /* The title bar (#1b5fbf, luma ~85), the page (#f2f2f7, ~242), the bubble (#e3e3e8). */
    assert_in_range(at(&png, 10, 10), 70, 100);
    assert_in_range(at(&png, 540, 2300), 235, 250);
    assert_in_range(at(&png, 1000, 850), 220, 235);
    static const char *same[] = {"shot.jpg", "shot.webp", "shot_lossless.webp"};
    for (size_t i = 0; i < 3; i++) {
        fidx__gray_t g = decode_file(same[i]);
        double d = difference(&png, &g);
        print_message("%s differs from shot.png by %.2f on average\n", same[i], d);
        if (d > 4.0)
            fail_msg("%s decodes to another picture than shot.png (%.2f)", same[i], d);
        fidx__gray_dispose(&g);
    }
    fidx__gray_dispose(&png);
    /* Interlaced PNG and progressive JPEG: the same as their plain siblings. */
    fidx__gray_t a = decode_file("qr_shot.png"), b = decode_file("qr_shot_interlaced.png");
    assert_true(difference(&a, &b) == 0.0);
    fidx__gray_dispose(&b);
    b = decode_file("qr_shot_progressive.jpg");
    fidx__gray_t c = decode_file("qr_shot.jpg");
    assert_true(difference(&a, &b) < 4.0 && difference(&b, &c) < 1.0);
    fidx__gray_dispose(&a);
    fidx__gray_dispose(&b);
    fidx__gray_dispose(&c);
}

static void transparent_on_white(void **state)
{
    (void)state;
    fidx__gray_t g = decode_file("shot_transparent.png");
    assert_int_equal(at(&g, 5, 5), 255); /* transparent: white */
    assert_int_equal(at(&g, 1070, 2390), 255);
    size_t dark = 0; /* the text (#202080) is there */
    for (size_t i = 0; i < (size_t)g.width * g.height; i++)
        dark += g.pixels[i] < 96;
    assert_true(dark > 10000);
    fidx__gray_dispose(&g);
}

static void bombs_before_decoding(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bomb = png_bomb(100000, 100000, 64, &len);
    fidx__gray_t g;
    fidx_err_t err = {0, 0, NULL};
    assert_int_equal(fidx__image_decode(bomb, len, &g, &err), FIDX_ETOOBIG);
    assert_string_equal(err.reason, "image is wider or taller than 16384 pixels");
    assert_null(g.pixels);
    free(bomb);
    /* At the limit and carrying every row: decoded (24 MB out of a few KB). */
    bomb = png_bomb(4000, 6000, 6000, &len);
    assert_int_equal(fidx__image_decode(bomb, len, &g, &err), 0);
    assert_int_equal(at(&g, 3999, 5999), 0);
    fidx__gray_dispose(&g);
    free(bomb);
    /* Declaring 6000 rows and carrying 10: the data runs out, an error. */
    bomb = png_bomb(4000, 6000, 10, &len);
    assert_int_equal(fidx__image_decode(bomb, len, &g, &err), FIDX_EINVAL);
    assert_string_equal(err.reason, "PNG data is damaged or cut short");
    free(bomb);
}

static void jpeg_memory_bound(void **state)
{
    (void)state;
    fidx__gray_t g = decode_file("big_progressive_420.jpg");
    assert_int_equal(g.width, 4000);
    assert_int_equal(g.height, 6000);
    fidx__gray_dispose(&g);
    image_file_t f = image_file("big_progressive_444.jpg");
    fidx_err_t err = {0, 0, NULL};
    assert_int_equal(fidx__image_decode(f.p, f.len, &g, &err), FIDX_ETOOBIG);
    assert_string_equal(err.reason, "JPEG needs more working memory than allowed (96 MiB)");
    assert_null(g.pixels);
    free(f.p);
}

/* Cut at 15 places through the file, and within the first 200 bytes: never decoded. */
static void assert_cuts_refused(const char *name)
{
    image_file_t f = image_file(name);
    for (size_t i = 0; i < 15 + 40; i++) {
        size_t n = i < 15 ? f.len * (i + 1) / 16 : (i - 15) * 5;
        uint8_t *p = image_prefix(&f, n);
        fidx__gray_t g;
        fidx_err_t err = {0, 0, NULL};
        int rc = fidx__image_decode(p, n, &g, &err);
        free(p);
        if (rc == 0 || !err.reason || g.pixels)
            fail_msg("%s cut to %zu of %zu bytes: rc %d", name, n, f.len, rc);
    }
    free(f.p);
}

static void cut_short(void **state)
{
    (void)state;
    static const char *names[] = {"shot.png",  "qr_shot_interlaced.png",
                                  "shot.jpg",  "qr_shot_progressive.jpg",
                                  "shot.webp", "shot_lossless.webp"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_cuts_refused(names[i]);
    image_file_t f = image_file("shot.jpg");
    fidx__gray_t g;
    fidx_err_t err = {0, 0, NULL};
    assert_int_equal(fidx__image_decode(f.p, f.len / 2, &g, &err), FIDX_EINVAL);
    assert_string_equal(err.reason, "JPEG data cut short");
    free(f.p);
}

/* Damage (bytes overwritten through the file): an error or a picture, never a crash (the
 * sanitizer build checks every access). */
static void damaged(void **state)
{
    (void)state;
    static const char *names[] = {"shot.png", "qr_shot_progressive.jpg", "shot.jpg", "shot.webp",
                                  "shot_lossless.webp"};
    unsigned seed = 17;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        image_file_t f = image_file(names[i]);
        for (int round = 0; round < 8; round++) {
            uint8_t *p = image_prefix(&f, f.len);
            for (int k = 0; k < 16; k++) {
                seed = seed * 1103515245u + 12345u;
                size_t at_ = 40 + (seed >> 8) % (f.len - 40);
                p[at_] = (uint8_t)(seed >> 3);
            }
            fidx__gray_t g;
            fidx_err_t err = {0, 0, NULL};
            int rc = fidx__image_decode(p, f.len, &g, &err);
            assert_true(rc == 0 ? g.pixels != NULL : err.reason != NULL && g.pixels == NULL);
            fidx__gray_dispose(&g);
            free(p);
        }
        free(f.p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_agree),
        cmocka_unit_test(transparent_on_white),
        cmocka_unit_test(bombs_before_decoding),
        cmocka_unit_test(jpeg_memory_bound),
        cmocka_unit_test(cut_short),
        cmocka_unit_test(damaged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
