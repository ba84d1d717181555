/* Unit tests for error.c: every FIDX_E* code has its own message, an unknown code still gets
 * one, and fidx_err_set fills the detail (or only returns the code when there is none). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fidx/error.h"

/* Every code of the one list, generated from it so that a new code is tested too. */
static const int codes[] = {
#define CODE(name, val, msg) FIDX_E##name,
    FIDX_ERRNO_MAP(CODE)
#undef CODE
};
#define NCODES (sizeof codes / sizeof codes[0])

static void every_code_has_its_own_message(void **state)
{
    (void)state;
    const char *success = fidx_strerror(0);
    const char *unknown = fidx_strerror(-1000);
    for (size_t i = 0; i < NCODES; i++) {
        const char *m = fidx_strerror(codes[i]);
        assert_non_null(m);
        assert_true(strlen(m) > 0);
        assert_string_not_equal(m, success);
        assert_string_not_equal(m, unknown);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(m, fidx_strerror(codes[j]));
    }
}

static void messages_follow_the_list(void **state)
{
    (void)state;
    assert_string_equal(fidx_strerror(FIDX_EINVAL), "invalid value");
    assert_string_equal(fidx_strerror(FIDX_EKIND), "unknown kind");
    assert_string_equal(fidx_strerror(0), "success");
}

static void unknown_codes_still_get_a_message(void **state)
{
    (void)state;
    const int odd[] = {-1000, 1, 42, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        const char *m = fidx_strerror(odd[i]);
        assert_non_null(m);
        assert_string_equal(m, "unknown error");
    }
}

static void err_set_fills_the_detail(void **state)
{
    (void)state;
    fidx_err_t err = {0};
    assert_int_equal(fidx_err_set(&err, FIDX_ETOOBIG, 17, "value too long"), FIDX_ETOOBIG);
    assert_int_equal(err.code, FIDX_ETOOBIG);
    assert_int_equal(err.offset, 17);
    assert_string_equal(err.reason, "value too long");
    assert_int_equal(fidx_err_set(NULL, FIDX_EIO, 3, "no detail"), FIDX_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_its_own_message),
        cmocka_unit_test(messages_follow_the_list),
        cmocka_unit_test(unknown_codes_still_get_a_message),
        cmocka_unit_test(err_set_fills_the_detail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
