/* Unit tests for sessions.c: a session is found by its exact id only, carries its name, role
 * and CSRF token, ends when idle or at its maximum age (whichever first), at sign-out, and the
 * least recently used one makes room when the table is full. Times are given, not read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "admin/sessions.h"

#define MIN_MS 60000ull

static const uint8_t DIGEST[32] = {1, 2, 3};

static fidx__sessions_t *store(uint64_t idle_ms, uint64_t max_ms)
{
    fidx__sessions_t *s = NULL;
    assert_int_equal(fidx__sessions_new(idle_ms, max_ms, &s), 0);
    return s;
}

static int use(fidx__sessions_t *s, const char *id, uint64_t now, fidx__session_t *out)
{
    fidx__session_t tmp;
    return fidx__sessions_use(s, id, strlen(id), now, out ? out : &tmp);
}

static void found_by_its_exact_id(void **state)
{
    (void)state;
    fidx__sessions_t *s = store(30 * MIN_MS, 600 * MIN_MS);
    char id[FIDX__SESSION_ID_HEX + 1], other[FIDX__SESSION_ID_HEX + 1];
    fidx__session_t se, got;
    assert_int_equal(fidx__sessions_create(s, "alice", 2, DIGEST, 1000, id, &se), 0);
    assert_int_equal(fidx__sessions_create(s, "bob", 1, DIGEST, 1000, other, &got), 0);
    assert_int_equal(strlen(id), FIDX__SESSION_ID_HEX);
    assert_string_not_equal(id, other);
    assert_string_not_equal(se.csrf, got.csrf);
    assert_string_not_equal(id, se.csrf);
    assert_int_equal(use(s, id, 2000, &got), 0);
    assert_string_equal(got.name, "alice");
    assert_int_equal(got.role, 2);
    assert_string_equal(got.csrf, se.csrf);
    /* Not a prefix, not one digit off, not upper case, not the CSRF token. */
    char bad[FIDX__SESSION_ID_HEX + 2];
    memcpy(bad, id, sizeof id);
    assert_int_equal(fidx__sessions_use(s, id, FIDX__SESSION_ID_HEX - 1, 2000, &got), -1);
    bad[0] = bad[0] == '0' ? '1' : '0';
    assert_int_equal(use(s, bad, 2000, NULL), -1);
    memcpy(bad, id, sizeof id);
    for (char *p = bad; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    if (strcmp(bad, id) != 0)
        assert_int_equal(use(s, bad, 2000, NULL), -1);
    assert_int_equal(use(s, se.csrf, 2000, NULL), -1);
    assert_int_equal(use(s, "", 2000, NULL), -1);
    fidx__sessions_free(s);
}

static void the_csrf_token_is_compared_whole(void **state)
{
    (void)state;
    fidx__sessions_t *s = store(MIN_MS, 10 * MIN_MS);
    char id[FIDX__SESSION_ID_HEX + 1];
    fidx__session_t se;
    assert_int_equal(fidx__sessions_create(s, "alice", 0, DIGEST, 0, id, &se), 0);
    assert_true(fidx__sessions_csrf_ok(&se, se.csrf, FIDX__SESSION_CSRF_HEX));
    assert_false(fidx__sessions_csrf_ok(&se, se.csrf, FIDX__SESSION_CSRF_HEX - 1));
    assert_false(fidx__sessions_csrf_ok(&se, NULL, 0));
    assert_false(fidx__sessions_csrf_ok(&se, id, FIDX__SESSION_ID_HEX));
    fidx__sessions_free(s);
}

static void idle_and_absolute_timeouts(void **state)
{
    (void)state;
    fidx__sessions_t *s = store(30 * MIN_MS, 60 * MIN_MS);
    char id[FIDX__SESSION_ID_HEX + 1], id2[FIDX__SESSION_ID_HEX + 1];
    fidx__session_t se;
    assert_int_equal(fidx__sessions_create(s, "alice", 0, DIGEST, 0, id, &se), 0);
    assert_int_equal(se.expires_ms, 30 * MIN_MS);
    /* Used every 20 minutes: the idle time restarts, but not past the hour. */
    assert_int_equal(use(s, id, 20 * MIN_MS, &se), 0);
    assert_int_equal(se.expires_ms, 50 * MIN_MS);
    assert_int_equal(use(s, id, 40 * MIN_MS, &se), 0);
    assert_int_equal(se.expires_ms, 60 * MIN_MS);
    assert_int_equal(use(s, id, 60 * MIN_MS - 1, NULL), 0);
    assert_int_equal(use(s, id, 60 * MIN_MS, NULL), -1);
    assert_int_equal(use(s, id, 61 * MIN_MS, NULL), -1); /* dropped, not back */
    /* Unused for its idle time. */
    assert_int_equal(fidx__sessions_create(s, "bob", 0, DIGEST, 100 * MIN_MS, id2, &se), 0);
    assert_int_equal(use(s, id2, 130 * MIN_MS, NULL), -1);
    fidx__sessions_free(s);
}

static void signout_ends_only_that_session(void **state)
{
    (void)state;
    fidx__sessions_t *s = store(MIN_MS, 10 * MIN_MS);
    char a[FIDX__SESSION_ID_HEX + 1], b[FIDX__SESSION_ID_HEX + 1];
    fidx__session_t se;
    assert_int_equal(fidx__sessions_create(s, "alice", 0, DIGEST, 0, a, &se), 0);
    assert_int_equal(fidx__sessions_create(s, "alice", 0, DIGEST, 0, b, &se), 0);
    fidx__sessions_end(s, a, strlen(a));
    fidx__sessions_end(s, "nonsense", 8);
    assert_int_equal(use(s, a, 1, NULL), -1);
    assert_int_equal(use(s, b, 1, NULL), 0);
    fidx__sessions_free(s);
}

static void a_full_table_drops_the_least_recently_used(void **state)
{
    (void)state;
    fidx__sessions_t *s = store(600 * MIN_MS, 600 * MIN_MS);
    static char ids[FIDX__SESSIONS_MAX + 1][FIDX__SESSION_ID_HEX + 1];
    fidx__session_t se;
    for (size_t i = 0; i < FIDX__SESSIONS_MAX; i++)
        assert_int_equal(fidx__sessions_create(s, "x", 0, DIGEST, 10 + i, ids[i], &se), 0);
    assert_int_equal(use(s, ids[0], 5000, NULL), 0); /* the oldest, used again */
    assert_int_equal(fidx__sessions_create(s, "y", 0, DIGEST, 6000, ids[FIDX__SESSIONS_MAX], &se),
                     0);
    assert_int_equal(use(s, ids[0], 6001, NULL), 0);
    assert_int_equal(use(s, ids[1], 6001, NULL), -1); /* the least recently used went */
    assert_int_equal(use(s, ids[2], 6001, NULL), 0);
    assert_int_equal(use(s, ids[FIDX__SESSIONS_MAX], 6001, NULL), 0);
    fidx__sessions_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(found_by_its_exact_id),
        cmocka_unit_test(the_csrf_token_is_compared_whole),
        cmocka_unit_test(idle_and_absolute_timeouts),
        cmocka_unit_test(signout_ends_only_that_session),
        cmocka_unit_test(a_full_table_drops_the_least_recently_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
