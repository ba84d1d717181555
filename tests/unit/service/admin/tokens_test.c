/* Unit tests of the analysts' tokens (service/src/admin/tokens.h) and roles (roles.h): plain
 * and sha256:HEX secrets, the role each line gives and the rights of each role,
 * the Authorization forms accepted and refused, and the files refused (mode, malformed lines,
 * duplicate names, short secrets, no token), each with a reason naming the line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "admin/tokens.h"

static char dir[] = "/tmp/fidx-tokens-test-XXXXXX";
static char path[200];

/* 64 hex digits: a well-formed digest (of nothing in particular) */
#define BOB_SHA "sha256:3f1c2f5bbf9e6e8c5d2bb0ac4c07b8c4d8e5b3a0e0fd8e1b5b5cb2b6c7c3f9a1"

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/tokens", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(dir);
}

static void write_file(const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static fidx__tokens_t *load_ok(const char *text)
{
    fidx__tokens_t *t = NULL;
    char msg[256] = "";
    write_file(text, 0600);
    if (fidx__tokens_load(path, &t, msg, sizeof msg) != 0)
        fail_msg("refused: %s", msg);
    return t;
}

static void assert_refused(const char *text, mode_t mode, const char *reason)
{
    fidx__tokens_t *t = NULL;
    char msg[256] = "";
    write_file(text, mode);
    assert_int_equal(fidx__tokens_load(path, &t, msg, sizeof msg), -1);
    assert_null(t);
    if (!strstr(msg, reason))
        fail_msg("'%s' does not say '%s'", msg, reason);
}

static fidx__role_t last_role;

static int check(const fidx__tokens_t *t, const char *auth, char *name)
{
    last_role = FIDX__ROLE_COUNT;
    return fidx__tokens_check(t, auth, strlen(auth), name, &last_role);
}

static void test_plain_and_hashed(void **state)
{
    (void)state;
    char name[FIDX__TOKEN_NAME_MAX + 1];
    /* The hash of "password" (a well-known SHA-256) stands for a hashed token. */
    fidx__tokens_t *t = load_ok(
        "# analysts\n"
        "alice   alice-token-0123456789abcdef\n"
        "\n"
        "carol sha256:5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8\r\n");
    assert_int_equal(fidx__tokens_count(t), 2);
    assert_int_equal(check(t, "Bearer alice-token-0123456789abcdef", name), 0);
    assert_string_equal(name, "alice");
    assert_int_equal(last_role, FIDX__ROLE_ADMIN); /* no role: admin, as before roles */
    assert_int_equal(check(t, "Bearer password", name), 0);
    assert_string_equal(name, "carol");
    assert_int_equal(check(t, "bearer  password  ", name), 0); /* scheme any case, spaces */
    assert_int_equal(check(t, "Bearer alice-token-0123456789abcde", name), -1);
    assert_int_equal(check(t, "Bearer alice-token-0123456789abcdefx", name), -1);
    assert_int_equal(check(t, "Basic alice-token-0123456789abcdef", name), -1);
    assert_int_equal(check(t, "alice-token-0123456789abcdef", name), -1);
    assert_int_equal(check(t, "Bearer ", name), -1);
    assert_int_equal(check(t, "", name), -1);
    assert_int_equal(fidx__tokens_check(NULL, "Bearer password", 15, name, &last_role), -1);
    /* A token is compared whole, not as a prefix, and case matters. */
    assert_int_equal(check(t, "Bearer PASSWORD", name), -1);
    fidx__tokens_free(t);
}

/* The whole digest is compared, all 32 bytes: a comparison of fewer (one byte, the first 31)
 * lets through a wrong secret whose digest shares them. Thousands of wrong secrets are all
 * refused (comparing one byte, about one in 256 would pass), and a sha256: entry that differs
 * from the right digest only in its last hex digit does not accept the secret. */
static void test_whole_digest_compared(void **state)
{
    (void)state;
    char name[FIDX__TOKEN_NAME_MAX + 1];
    fidx__tokens_t *t =
        load_ok("alice alice-token-0123456789abcdef\n"
                "carol sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d9\n");
    assert_int_equal(check(t, "Bearer password", name), -1); /* its digest ends in ...d8 */
    char auth[64];
    for (int i = 0; i < 4096; i++) {
        snprintf(auth, sizeof auth, "Bearer wrong-secret-%06d", i);
        if (check(t, auth, name) != -1)
            fail_msg("%s accepted as %s", auth, name);
    }
    /* The same length and all but the last character of alice's. */
    for (char c = '0'; c <= 'z'; c++) {
        snprintf(auth, sizeof auth, "Bearer alice-token-0123456789abcde%c", c);
        assert_int_equal(check(t, auth, name), c == 'f' ? 0 : -1);
    }
    fidx__tokens_free(t);
}

/* The third word is the role; it rides with the token, whatever its secret's form. */
static void test_roles(void **state)
{
    (void)state;
    char name[FIDX__TOKEN_NAME_MAX + 1];
    static const char *const names[] = {"admin",  "analyst", "reviewer",
                                        "feeder", "reader",  "replica"};
    char text[1024] = "";
    for (int i = 0; i < FIDX__ROLE_COUNT; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "u%d secret-number-%d-0123456789 %s\n", i, i, names[i]);
    strcat(text, "hashed sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 "
                 "\tfeeder\r\n");
    fidx__tokens_t *t = load_ok(text);
    for (int i = 0; i < FIDX__ROLE_COUNT; i++) {
        char auth[64], want[8];
        snprintf(auth, sizeof auth, "Bearer secret-number-%d-0123456789", i);
        snprintf(want, sizeof want, "u%d", i);
        assert_int_equal(check(t, auth, name), 0);
        assert_string_equal(name, want);
        assert_int_equal(last_role, i);
        assert_string_equal(fidx__role_name(last_role), names[i]);
    }
    assert_int_equal(check(t, "Bearer password", name), 0);
    assert_string_equal(name, "hashed");
    assert_int_equal(last_role, FIDX__ROLE_FEEDER);
    fidx__tokens_free(t);
}

/* What each role may do: the table docs/OPERATIONS.md shows. */
static void test_rights(void **state)
{
    (void)state;
    const unsigned all = FIDX__RIGHT_STATUS | FIDX__RIGHT_LOOKUP | FIDX__RIGHT_REPORTS |
                         FIDX__RIGHT_LOAD | FIDX__RIGHT_DELIST | FIDX__RIGHT_REVIEW |
                         FIDX__RIGHT_COMPACT | FIDX__RIGHT_REPLICATE | FIDX__RIGHT_WARN;
    assert_int_equal(fidx__role_rights(FIDX__ROLE_ADMIN), all);
    assert_int_equal(fidx__role_rights(FIDX__ROLE_ANALYST),
                     all & ~(FIDX__RIGHT_COMPACT | FIDX__RIGHT_REPLICATE));
    assert_int_equal(fidx__role_rights(FIDX__ROLE_REVIEWER),
                     FIDX__RIGHT_LOOKUP | FIDX__RIGHT_REPORTS | FIDX__RIGHT_REVIEW);
    assert_int_equal(fidx__role_rights(FIDX__ROLE_FEEDER), FIDX__RIGHT_LOAD);
    assert_int_equal(fidx__role_rights(FIDX__ROLE_READER),
                     FIDX__RIGHT_STATUS | FIDX__RIGHT_LOOKUP | FIDX__RIGHT_REPORTS);
    assert_int_equal(fidx__role_rights(FIDX__ROLE_REPLICA), FIDX__RIGHT_REPLICATE);
    assert_int_equal(fidx__role_rights(FIDX__ROLE_COUNT), 0);
    assert_true(fidx__role_may(FIDX__ROLE_REPLICA, 0)); /* a route that needs nothing */
    assert_false(fidx__role_may(FIDX__ROLE_FEEDER, FIDX__RIGHT_DELIST));
    assert_false(fidx__role_may(FIDX__ROLE_READER, FIDX__RIGHT_REPLICATE));
    assert_false(fidx__role_may(FIDX__ROLE_READER, FIDX__RIGHT_WARN)); /* reads, never publishes */
    assert_true(fidx__role_may(FIDX__ROLE_ANALYST, FIDX__RIGHT_WARN));
    assert_false(fidx__role_may(FIDX__ROLE_REPLICA, FIDX__RIGHT_STATUS));
    assert_false(fidx__role_may(FIDX__ROLE_REVIEWER, FIDX__RIGHT_REVIEW | FIDX__RIGHT_LOAD));
    fidx__role_t r;
    assert_int_equal(fidx__role_parse("reader", 6, &r), 0);
    assert_int_equal(r, FIDX__ROLE_READER);
    assert_int_equal(fidx__role_parse("read", 4, &r), -1);
    assert_int_equal(fidx__role_parse("readers", 7, &r), -1);
    assert_string_equal(fidx__role_name(FIDX__ROLE_COUNT), "?");
}

static void test_refused_files(void **state)
{
    (void)state;
    const char *good = "alice alice-token-0123456789abcdef\n";
    assert_refused(good, 0644, "chmod 600");
    assert_refused(good, 0640, "group or others");
    assert_refused(good, 0602, "group or others");
    assert_refused("alice short\n", 0600, "line 1");
    assert_refused("\nalice sha256:abcd\n", 0600, "line 2");
    assert_refused("alice " BOB_SHA "0\n", 0600, "64 hex digits");
    assert_refused("alice a b c\n", 0600, "NAME SECRET [ROLE]");
    assert_refused("alice alice-token-0123456789abcdef root\n", 0600, "unknown role root");
    assert_refused("alice alice-token-0123456789abcdef Admin\n", 0600, "line 1: unknown role");
    assert_refused("alice\n", 0600, "NAME SECRET");
    assert_refused("bad/name alice-token-0123456789abcdef\n", 0600, "name");
    assert_refused("x alice-token-0123456789abcdef\nx bob-token-fedcba9876543210\n", 0600,
                   "given twice");
    assert_refused("# nothing\n\n", 0600, "no token");
    fidx__tokens_t *t;
    char msg[256];
    unlink(path);
    assert_int_equal(fidx__tokens_load(path, &t, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "cannot open"));
    assert_int_equal(fidx__tokens_load(dir, &t, msg, sizeof msg), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_hashed),
        cmocka_unit_test(test_whole_digest_compared),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_rights),
        cmocka_unit_test(test_refused_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
