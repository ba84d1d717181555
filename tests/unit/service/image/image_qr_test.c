/* Unit tests for image_qr.c: the VietQR code made by qrencode is read back exactly (and parses
 * to its bank and account), alone, in a screenshot in every format, light on dark, and two at
 * once; a picture without a code gives none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fidx/emvco.h"
#include "image_fixture.h"
#include "image_qr.h"

static fidx__qr_list_t qr_of(const char *name)
{
    image_file_t f = image_file(name);
    fidx__gray_t g;
    fidx_err_t err = {0, 0, NULL};
    if (fidx__image_decode(f.p, f.len, &g, &err) != 0)
        fail_msg("%s: %s", name, err.reason);
    free(f.p);
    fidx__qr_list_t list;
    if (fidx__image_qr(&g, &list, &err) != 0)
        fail_msg("%s: %s", name, err.reason);
    fidx__gray_dispose(&g);
    return list;
}

static void one_code(void **state)
{
    (void)state;
    char *want = image_text("qr_vcb.txt");
    static const char *names[] = {"qr.png",      "qr_dark.png",
                                  "qr_shot.png", "qr_shot_interlaced.png",
                                  "qr_shot.jpg", "qr_shot_progressive.jpg",
                                  "qr_shot.webp"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        fidx__qr_list_t list = qr_of(names[i]);
        if (list.count != 1)
            fail_msg("%s: %zu QR codes, want 1", names[i], list.count);
        assert_int_equal(list.codes[0].len, strlen(want));
        assert_memory_equal(list.codes[0].p, want, strlen(want));
        assert_int_equal(list.codes[0].p[list.codes[0].len], '\0');
        fidx_emvco_t q;
        assert_int_equal(fidx_emvco_parse(list.codes[0].p, list.codes[0].len, &q, NULL), 0);
        assert_string_equal(q.canonical, "970436:0011004356782");
        fidx__qr_list_dispose(&list);
    }
    free(want);
}

static void two_codes(void **state)
{
    (void)state;
    char *vcb = image_text("qr_vcb.txt"), *mb = image_text("qr_mb.txt");
    fidx__qr_list_t list = qr_of("two_qr.png");
    assert_int_equal(list.count, 2);
    assert_int_equal(list.dropped, 0);
    int seen_vcb = 0, seen_mb = 0;
    for (size_t i = 0; i < 2; i++) {
        seen_vcb |= fidx_str_eq(list.codes[i], vcb);
        seen_mb |= fidx_str_eq(list.codes[i], mb);
    }
    assert_true(seen_vcb && seen_mb);
    fidx__qr_list_dispose(&list);
    free(vcb);
    free(mb);
}

static void no_code(void **state)
{
    (void)state;
    fidx__qr_list_t list = qr_of("shot.png");
    assert_int_equal(list.count, 0);
    fidx__qr_list_dispose(&list);
    /* A blank image and a one-pixel image. */
    uint8_t pixel = 255;
    fidx__gray_t one = {&pixel, 1, 1};
    fidx_err_t err = {0, 0, NULL};
    assert_int_equal(fidx__image_qr(&one, &list, &err), 0);
    assert_int_equal(list.count, 0);
    fidx__qr_list_dispose(&list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_code),
        cmocka_unit_test(two_codes),
        cmocka_unit_test(no_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
