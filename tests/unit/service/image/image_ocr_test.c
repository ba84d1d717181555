/* Unit tests for image_ocr.c and image_read.c: the text of the PNG, JPEG and WebP screenshots
 * holds the phone number and the account digits, Vietnamese diacritics included; the time
 * limit stops recognition and keeps what was read; large images are scaled down to the OCR
 * bound with their shape and brightness kept; the synchronous reader gives QR and text with
 * timings. One Tesseract engine serves every test (loading one takes a while). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "image_fixture.h"
#include "image_read.h"

static int setup(void **state)
{
    fidx__ocr_t *ocr = NULL;
    fidx_err_t err = {0, 0, NULL};
    if (fidx__ocr_new(NULL, NULL, &ocr, &err) != 0) {
        fprintf(stderr, "no OCR engine: %s\n", err.reason);
        return -1;
    }
    *state = ocr;
    return 0;
}

static int teardown(void **state)
{
    fidx__ocr_free(*state);
    return 0;
}

/* The digits of s, in order (separators dropped): what a phone or account check reads. */
static void digits_of(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++)
        if (*s >= '0' && *s <= '9')
            out[n++] = *s;
    out[n] = '\0';
}

static fidx__image_result_t read_file(fidx__ocr_t *ocr, const char *name, unsigned what,
                                      int deadline_ms)
{
    image_file_t f = image_file(name);
    fidx__image_result_t r;
    fidx_err_t err = {0, 0, NULL};
    int rc = fidx__image_read(f.p, f.len, what, ocr, deadline_ms, &r, &err);
    free(f.p);
    if (rc != 0)
        fail_msg("%s: %s", name, err.reason);
    return r;
}

static void screenshot_text(void **state)
{
    static const char *names[] = {"shot.png", "shot.jpg", "shot.webp", "shot_transparent.png"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        fidx__image_result_t r = read_file(*state, names[i], FIDX__IMAGE_READ_OCR, 0);
        const char *t = r.ocr.text;
        assert_non_null(t);
        assert_int_equal(strlen(t), r.ocr.len);
        char digits[4096];
        digits_of(t, digits, sizeof digits);
        if (!strstr(t, "0912.345.678") || !strstr(digits, "0011004356782"))
            fail_msg("%s: the phone number or the account is not in the text:\n%s", names[i], t);
        if (!strstr(t, "Chuyển tiền") || !strstr(t, "BỘ CÔNG AN"))
            fail_msg("%s: Vietnamese words lost their diacritics:\n%s", names[i], t);
        assert_false(r.ocr.timed_out);
        assert_int_equal(r.ocr.width, 1080);
        fidx__image_result_dispose(&r);
    }
}

static void time_limit(void **state)
{
    /* 1 ms: layout analysis alone takes longer, so recognition is stopped at once. */
    fidx__image_result_t r = read_file(*state, "shot.png", FIDX__IMAGE_READ_OCR, 1);
    assert_true(r.ocr.timed_out);
    assert_non_null(r.ocr.text);
    assert_true(r.ocr.len < 200);
    fidx__image_result_dispose(&r);
    /* The engine is sound afterwards. */
    r = read_file(*state, "shot.png", FIDX__IMAGE_READ_OCR, 0);
    assert_non_null(strstr(r.ocr.text, "0912.345.678"));
    fidx__image_result_dispose(&r);
}

static void fit(void **state)
{
    (void)state;
    /* 4000 x 6000 (24 MP) of 2 x 2 black-and-white squares: 4 MP of mid grey, same shape. */
    fidx__gray_t big = {malloc(4000u * 6000u), 4000, 6000}, small;
    assert_non_null(big.pixels);
    for (uint32_t y = 0; y < big.height; y++)
        for (uint32_t x = 0; x < big.width; x++)
            big.pixels[(size_t)y * big.width + x] = ((x / 2 + y / 2) & 1) ? 255 : 0;
    fidx_err_t err = {0, 0, NULL};
    assert_int_equal(fidx__ocr_fit(&big, &small, &err), 0);
    assert_true((uint64_t)small.width * small.height <= FIDX__OCR_MAX_PIXELS);
    assert_true((uint64_t)small.width * small.height > FIDX__OCR_MAX_PIXELS * 99 / 100);
    assert_in_range(small.width * 3, small.height * 2 - 3, small.height * 2 + 3);
    uint64_t sum = 0;
    for (size_t i = 0; i < (size_t)small.width * small.height; i++)
        sum += small.pixels[i];
    assert_in_range(sum / ((uint64_t)small.width * small.height), 120, 135);
    fidx__gray_dispose(&small);
    /* At the bound: no copy. */
    big.width = 2000;
    big.height = 2000;
    assert_int_equal(fidx__ocr_fit(&big, &small, &err), 0);
    assert_null(small.pixels);
    free(big.pixels);
}

static void read_both(void **state)
{
    char *want = image_text("qr_vcb.txt");
    fidx__image_result_t r =
        read_file(*state, "qr_shot.jpg", FIDX__IMAGE_READ_QR | FIDX__IMAGE_READ_OCR, 0);
    assert_int_equal(r.info.format, FIDX__IMAGE_JPEG);
    assert_int_equal(r.qr.count, 1);
    assert_true(fidx_str_eq(r.qr.codes[0], want));
    assert_non_null(strstr(r.ocr.text, "0912.345.678"));
    assert_true(r.decode_us > 0 && r.qr_us > 0 && r.ocr_us > 0);
    assert_true(r.peak_bytes >= 1080u * 2400u);
    fidx__image_result_dispose(&r);
    /* QR only: no OCR engine needed, no text. */
    r = read_file(NULL, "qr.png", FIDX__IMAGE_READ_QR, 0);
    assert_int_equal(r.qr.count, 1);
    assert_null(r.ocr.text);
    assert_int_equal(r.ocr_us, 0);
    fidx__image_result_dispose(&r);
    free(want);
}

static void read_errors(void **state)
{
    fidx__image_result_t r;
    fidx_err_t err = {0, 0, NULL};
    assert_int_equal(
        fidx__image_read((const uint8_t *)"hello", 5, FIDX__IMAGE_READ_QR, NULL, 0, &r, &err),
        FIDX_EINVAL);
    assert_string_equal(err.reason, "not a PNG, JPEG or WebP image");
    fidx__image_result_dispose(&r);
    image_file_t f = image_file("shot.png");
    assert_int_equal(fidx__image_read(f.p, f.len, FIDX__IMAGE_READ_OCR, NULL, 0, &r, &err),
                     FIDX_EINVAL);
    assert_string_equal(err.reason, "OCR asked without an OCR engine");
    assert_int_equal(fidx__image_read(f.p, f.len / 3, FIDX__IMAGE_READ_OCR, *state, 0, &r, &err),
                     FIDX_EINVAL);
    assert_string_equal(err.reason, "PNG data is damaged or cut short");
    assert_null(r.ocr.text);
    fidx__image_result_dispose(&r);
    free(f.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(screenshot_text), cmocka_unit_test(time_limit),  cmocka_unit_test(fit),
        cmocka_unit_test(read_both),       cmocka_unit_test(read_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
