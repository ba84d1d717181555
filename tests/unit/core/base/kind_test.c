/* Unit tests for kind.c: the contract's vocabulary round-trips, unknown names are refused,
 * category lists parse from text and from JSON arrays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

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

static uint16_t bits(int a, int b)
{
    return (uint16_t)((1u << a) | (1u << b));
}

/* Reads text as JSON (the test's own input is always valid). */
static json_t *js(const char *text)
{
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    return j;
}

static void categories_from_json_strict(void **state)
{
    (void)state;
    fidx_err_t err = {0};
    uint16_t m = 0xffff;
    json_t *ok = js("[\"phishing\", \"impersonation\", \"phishing\"]");
    assert_int_equal(fidx_categories_from_json(ok, 0, &m, &err), 0);
    assert_int_equal(m, bits(FIDX_CAT_PHISHING, FIDX_CAT_IMPERSONATION));
    json_decref(ok);

    json_t *empty = js("[]");
    assert_int_equal(fidx_categories_from_json(empty, 0, &m, &err), 0);
    assert_int_equal(m, 0);
    json_decref(empty);
    m = 7;
    assert_int_equal(fidx_categories_from_json(NULL, 0, &m, &err), 0); /* absent member */
    assert_int_equal(m, 0);

    const char *bad[] = {"[\"phishing\", \"scammy\"]", "[\"phishing\", 3]", "[\"Phishing\"]"};
    const size_t at[] = {1, 1, 0};
    for (size_t i = 0; i < 3; i++) {
        json_t *j = js(bad[i]);
        m = 5;
        assert_int_equal(fidx_categories_from_json(j, 0, &m, &err), FIDX_EINVAL);
        assert_int_equal(m, 5); /* unchanged on failure */
        assert_int_equal(err.offset, at[i]);
        assert_string_equal(err.reason, "unknown category");
        json_decref(j);
    }
    json_t *notarr = js("\"phishing\"");
    assert_int_equal(fidx_categories_from_json(notarr, 0, &m, &err), FIDX_EINVAL);
    assert_string_equal(err.reason, "categories must be an array of names");
    assert_int_equal(fidx_categories_from_json(notarr, 0, &m, NULL), FIDX_EINVAL);
    json_decref(notarr);
}

static void categories_from_json_skipping(void **state)
{
    (void)state;
    uint16_t m = 0;
    json_t *labels = js("[\"malicious-activity\", \"phishing\", 7, null, \"other\"]");
    assert_int_equal(fidx_categories_from_json(labels, FIDX_CATEGORIES_SKIP_UNKNOWN, &m, NULL), 0);
    assert_int_equal(m, bits(FIDX_CAT_PHISHING, FIDX_CAT_OTHER));
    json_decref(labels);
    json_t *obj = js("{\"phishing\": 1}");
    assert_int_equal(fidx_categories_from_json(obj, FIDX_CATEGORIES_SKIP_UNKNOWN, &m, NULL), 0);
    assert_int_equal(m, 0);
    json_decref(obj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(unknown_names_refused),
        cmocka_unit_test(categories_list),
        cmocka_unit_test(categories_from_json_strict),
        cmocka_unit_test(categories_from_json_skipping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
