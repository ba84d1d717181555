/* Unit tests for kind.c: the contract's vocabulary round-trips, unknown names are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fidx/kind.h"

static void names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < FIDX_KIND_COUNT; k++) {
        const char *name = fidx_kind_name((fidx_kind_t)k);
        fidx_kind_t back;
        assert_int_equal(fidx_kind_parse(name, strlen(name), &back), 0);
        assert_int_equal(back, k);
    }
    assert_string_equal(fidx_kind_name(FIDX_KIND_BANK_ACCOUNT), "bank_account");
    assert_string_equal(fidx_kind_name(FIDX_KIND_SOCIAL), "social_account");
}

static void unknown_names_refused(void **state)
{
    (void)state;
    fidx_kind_t k;
    fidx_status_t s;
    assert_int_equal(fidx_kind_parse("Phone", 5, &k), FIDX_EKIND);
    assert_int_equal(fidx_status_parse("blocked", 7, &s), FIDX_EINVAL);
}

static void categories_list(void **state)
{
    (void)state;
    uint16_t m = 0;
    fidx_err_t err = {0};
    const char *ok = " impersonation ; phishing;;other";
    assert_int_equal(fidx_categories_parse(ok, strlen(ok), &m, &err), 0);
    assert_int_equal(m, (1u << FIDX_CAT_IMPERSONATION) | (1u << FIDX_CAT_PHISHING) |
                            (1u << FIDX_CAT_OTHER));
    const char *bad = "phishing;scammy";
    assert_int_equal(fidx_categories_parse(bad, strlen(bad), &m, &err), FIDX_EINVAL);
    assert_int_equal(err.offset, 9);
    assert_non_null(err.reason);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(unknown_names_refused),
        cmocka_unit_test(categories_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
