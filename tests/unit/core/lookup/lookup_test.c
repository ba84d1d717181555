/* Unit tests for lookup: verdicts as the contract defines them (shared/API.md, "Status,
 * categories, verdicts"): exact hits, the most specific entry decides, allowlist first on a
 * tie, bank wildcards, a value checked as every indicator it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "snapshot_fixture.h"
#include <jansson.h>

#include "fidx/lookup.h"
#include "fidx/snapshot.h"

static char dir[] = "/tmp/fidx-lookup-test-XXXXXX";
static fidx_snapshot_t *snap;
static fidx_result_t res;

static void add(fidx_builder_t *b, fidx_kind_t kind, const char *value, fidx_status_t status)
{
    static fidx_indicator_t ind;
    fidx_err_t err;
    fixture_indicator(&ind, kind, value, status, 12);
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
}

static int setup(void **state)
{
    (void)state;
    fidx_builder_t *b;
    if (!mkdtemp(dir) || fidx_builder_new(&b) != 0)
        return -1;
    add(b, FIDX_KIND_PHONE, "+84912345678", FIDX_STATUS_CONFIRMED);
    add(b, FIDX_KIND_PHONE, "19001234", FIDX_STATUS_ALLOWLISTED);
    add(b, FIDX_KIND_BANK_ACCOUNT, "*:0123456789", FIDX_STATUS_CONFIRMED);
    add(b, FIDX_KIND_BANK_ACCOUNT, "970436:0123456789", FIDX_STATUS_ALLOWLISTED);
    add(b, FIDX_KIND_BANK_ACCOUNT, "970415:5555666677", FIDX_STATUS_REPORTED);
    add(b, FIDX_KIND_BANK_ACCOUNT, "970422:5555666677", FIDX_STATUS_CONFIRMED);
    add(b, FIDX_KIND_DOMAIN, "evil.example", FIDX_STATUS_CONFIRMED);
    add(b, FIDX_KIND_URL, "evil.example/login", FIDX_STATUS_REPORTED);
    add(b, FIDX_KIND_DOMAIN, "facebook.com", FIDX_STATUS_ALLOWLISTED);
    add(b, FIDX_KIND_SOCIAL, "facebook:nguyen.van.a", FIDX_STATUS_CONFIRMED);
    add(b, FIDX_KIND_URL, "good.example/", FIDX_STATUS_ALLOWLISTED);
    add(b, FIDX_KIND_URL, "good.example/phish/", FIDX_STATUS_CONFIRMED);
    add(b, FIDX_KIND_URL, "good.example/view/scam", FIDX_STATUS_CONFIRMED);
    add(b, FIDX_KIND_EMAIL, "scam@example.com", FIDX_STATUS_REPORTED);
    return fixture_publish(b, dir, "l.fidx", &snap);
}

static int teardown(void **state)
{
    (void)state;
    fidx_snapshot_release(snap);
    return fixture_rmdir(dir);
}

/* Checks q (kind detected unless given) and returns the verdict. */
static fidx_verdict_t check_as(fidx_kind_t kind, const char *q)
{
    fidx_err_t err = {0};
    int rc = fidx_check(snap, NULL, kind, NULL, q, strlen(q), &res, &err);
    if (rc)
        fail_msg("'%s' refused: %s", q, err.reason);
    return res.verdict;
}

static fidx_verdict_t check(const char *q)
{
    return check_as(FIDX_KIND_NONE, q);
}

static void assert_match(const char *kind, const char *value)
{
    assert_true(res.has_match);
    assert_string_equal(fidx_kind_name(res.match.kind), kind);
    assert_int_equal(res.match.value.len, strlen(value));
    assert_memory_equal(res.match.value.p, value, strlen(value));
}

static void phones_in_any_form(void **state)
{
    (void)state;
    const char *forms[] = {"0912345678", "0912 345 678", "+84 (0) 912 345 678", "84912345678"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        assert_int_equal(check(forms[i]), FIDX_VERDICT_SCAM);
        assert_string_equal(res.canonical, "+84912345678");
        assert_match("phone", "+84912345678");
        assert_int_equal(res.match.reports, 12);
    }
    assert_int_equal(check("1900 1234"), FIDX_VERDICT_SAFE);
    assert_int_equal(check("0912345679"), FIDX_VERDICT_UNKNOWN);
    assert_false(res.has_match);
}

static void bank_wildcards(void **state)
{
    (void)state;
    /* The exact bank is more specific than the wildcard entry. */
    assert_int_equal(check("Vietcombank 0123456789"), FIDX_VERDICT_SAFE);
    assert_match("bank_account", "970436:0123456789");
    /* Another bank: only "*:N" applies. */
    assert_int_equal(check("VietinBank 0123 456 789"), FIDX_VERDICT_SCAM);
    assert_match("bank_account", "*:0123456789");
    /* "*:N" sees N at every bank, equally specific: allowlisted first. */
    assert_int_equal(check_as(FIDX_KIND_BANK_ACCOUNT, "0123456789"), FIDX_VERDICT_SAFE);
    assert_int_equal(check_as(FIDX_KIND_BANK_ACCOUNT, "5555666677"), FIDX_VERDICT_SCAM);
    assert_int_equal(check("VCB 5555666677"), FIDX_VERDICT_UNKNOWN);
}

static void urls_most_specific_decides(void **state)
{
    (void)state;
    assert_int_equal(check("https://evil.example/login"), FIDX_VERDICT_SUSPICIOUS);
    assert_match("url", "evil.example/login");
    assert_int_equal(check("http://sub.evil.example/x"), FIDX_VERDICT_SCAM);
    assert_match("domain", "evil.example");
    assert_int_equal(check("http://good.example/phish/page.html"), FIDX_VERDICT_SCAM);
    assert_match("url", "good.example/phish/");
    assert_int_equal(check("http://good.example/other"), FIDX_VERDICT_SAFE);
    /* An entry with a path and no final '/' covers its page and the pages under it, by whole
     * path segments. */
    assert_int_equal(check("https://good.example/view/scam?x=1"), FIDX_VERDICT_SCAM);
    assert_match("url", "good.example/view/scam");
    assert_int_equal(check("https://good.example/view/scam/home"), FIDX_VERDICT_SCAM);
    assert_match("url", "good.example/view/scam");
    assert_int_equal(check("https://good.example/view/scam/a/b/c.html"), FIDX_VERDICT_SCAM);
    assert_int_equal(check("https://good.example/view/scammer"), FIDX_VERDICT_SAFE);
    assert_int_equal(check("https://good.example/view/"), FIDX_VERDICT_SAFE);
    assert_int_equal(check("evil.example"), FIDX_VERDICT_SCAM);
    assert_int_equal(check("notevil.example"), FIDX_VERDICT_UNKNOWN);
    assert_int_equal(check("evil[.]example"), FIDX_VERDICT_SCAM);
}

static void profile_beats_allowlisted_platform(void **state)
{
    (void)state;
    assert_int_equal(check("https://www.facebook.com/nguyen.van.a"), FIDX_VERDICT_SCAM);
    assert_match("social_account", "facebook:nguyen.van.a");
    assert_int_equal(check("https://www.facebook.com/someone.else"), FIDX_VERDICT_SAFE);
    assert_int_equal(check("zalo.me/0912345678"), FIDX_VERDICT_SCAM);
    assert_match("phone", "+84912345678");
    assert_int_equal(check("Scam@Example.COM"), FIDX_VERDICT_SUSPICIOUS);
}

static void invalid_values_say_why(void **state)
{
    (void)state;
    fidx_err_t err = {0};
    assert_int_equal(fidx_check(snap, NULL, FIDX_KIND_PHONE, NULL, "12345", 5, &res, &err),
                     FIDX_EINVAL);
    assert_non_null(err.reason);
    assert_int_equal(fidx_check(snap, NULL, FIDX_KIND_NONE, NULL, "hello", 5, &res, &err),
                     FIDX_EINVAL);
}

static void json_is_the_contract(void **state)
{
    (void)state;
    static char out[FIDX_CHECK_JSON_MAX];
    const char *q = "0912 345 678";
    assert_int_equal(check(q), FIDX_VERDICT_SCAM);
    size_t n = fidx_result_json(&res, q, strlen(q), out, sizeof out);
    assert_true(n > 0);
    json_error_t jerr;
    json_t *j = json_loadb(out, n, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "query")), q);
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "phone");
    assert_string_equal(json_string_value(json_object_get(j, "canonical")), "+84912345678");
    assert_string_equal(json_string_value(json_object_get(j, "verdict")), "scam");
    json_t *m = json_object_get(j, "match");
    assert_string_equal(json_string_value(json_object_get(m, "status")), "confirmed");
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "categories"), 0)),
                        "impersonation");
    assert_int_equal(json_integer_value(json_object_get(m, "reports")), 12);
    assert_string_equal(json_string_value(json_object_get(m, "first_seen")), "2024-03-01");
    assert_string_equal(json_string_value(json_object_get(m, "last_seen")), "2024-04-02");
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "sources"), 0)),
                        "police");
    json_decref(j);
    /* A hostile query still gives valid JSON. */
    const char *ugly = "\"\\\x01\xff<0912>";
    fidx_err_t err = {0};
    assert_int_equal(fidx_check(snap, NULL, FIDX_KIND_NONE, NULL, ugly, strlen(ugly), &res, &err),
                     FIDX_EINVAL);
    n = fidx_error_item_json(ugly, strlen(ugly), &err, out, sizeof out);
    j = json_loadb(out, n, 0, &jerr);
    assert_non_null(j);
    json_decref(j);
}

/* A VietQR payload is checked as the bank account it names; its JSON says so. */
static void vietqr_payloads(void **state)
{
    (void)state;
    fidx_emvco_t q = {0};
    char payload[FIDX_EMVCO_MAX_LEN + 1], json[FIDX_CHECK_JSON_MAX];
    size_t n;
    fidx_err_t err = {0};
    q.bin = fidx_str("970422", 6);
    q.account = fidx_str("5555666677", 10);
    q.service = fidx_str("QRIBFTTA", 8);
    q.initiation = fidx_str("12", 2);
    q.amount = fidx_str("100000", 6);
    q.currency = fidx_str("704", 3);
    q.country = fidx_str("VN", 2);
    q.purpose = fidx_str("ung ho", 6);
    assert_int_equal(fidx_emvco_encode(&q, payload, sizeof payload, &n, &err), 0);
    assert_int_equal(check(payload), FIDX_VERDICT_SCAM);
    assert_true(res.has_qr);
    assert_int_equal(res.kind, FIDX_KIND_BANK_ACCOUNT);
    assert_string_equal(res.canonical, "970422:5555666677");
    assert_int_equal(check_as(FIDX_KIND_BANK_ACCOUNT, payload), FIDX_VERDICT_SCAM);
    size_t len = fidx_result_json(&res, payload, n, json, sizeof json);
    assert_true(len > 0);
    json[len] = '\0';
    assert_non_null(strstr(json, ",\"source\":\"vietqr\",\"qr\":{\"bank\":\""));
    assert_non_null(strstr(json, "\"bin\":\"970422\",\"account\":\"5555666677\",\"card\":false,"
                                 "\"amount\":\"100000\",\"currency\":\"VND\","
                                 "\"purpose\":\"ung ho\",\"name\":null}"));
    /* A bare number is no payload: the account check as before, and no qr. */
    assert_int_equal(check_as(FIDX_KIND_BANK_ACCOUNT, "970436:0123456789"), FIDX_VERDICT_SAFE);
    assert_false(res.has_qr);
    /* One altered CRC digit: refused with the parser's reason. */
    payload[n - 1] = payload[n - 1] == '0' ? '1' : '0';
    assert_int_equal(fidx_check(snap, NULL, FIDX_KIND_NONE, NULL, payload, n, &res, &err),
                     FIDX_EINVAL);
    assert_non_null(strstr(err.reason, "CRC"));
    /* Asked as another kind, it is read as that kind. */
    assert_int_equal(fidx_check(snap, NULL, FIDX_KIND_PHONE, NULL, payload, n, &res, &err),
                     FIDX_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(phones_in_any_form),
        cmocka_unit_test(bank_wildcards),
        cmocka_unit_test(urls_most_specific_decides),
        cmocka_unit_test(profile_beats_allowlisted_platform),
        cmocka_unit_test(invalid_values_say_why),
        cmocka_unit_test(json_is_the_contract),
        cmocka_unit_test(vietqr_payloads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
