/* Unit tests for ratelimit.c: the burst, the refill, Retry-After, refunds, addresses counted
 * per IPv4 address and per IPv6 /64, and a flood of new addresses that cannot free a client
 * whose bucket is empty; what a take says for the RateLimit fields (remaining, seconds to
 * full); a bucket of its own (an API key's); rates as flags and files write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "reports/ratelimit.h"

#define HOUR_MS 3600000ull

static fidx__ratelimit_t *limiter(uint32_t rate, uint32_t period_s, uint32_t burst)
{
    fidx__ratelimit_t *rl = NULL;
    assert_int_equal(fidx__ratelimit_new(rate, period_s, burst, &rl), 0);
    return rl;
}

static int take(fidx__ratelimit_t *rl, const char *client, uint64_t now, unsigned *retry)
{
    unsigned r = 0;
    int ok = fidx__ratelimit_take(rl, client, now, &r);
    if (retry)
        *retry = r;
    return ok;
}

static void burst_then_retry_after(void **state)
{
    (void)state;
    fidx__ratelimit_t *rl = limiter(1, 3600, 3); /* 1 an hour, 3 at once */
    unsigned retry;
    uint64_t t = 1000;
    for (int i = 0; i < 3; i++)
        assert_true(take(rl, "203.0.113.5", t, NULL));
    assert_false(take(rl, "203.0.113.5", t, &retry));
    assert_int_equal(retry, 3600);
    /* Half an hour later: half a token, still refused, half the wait. */
    assert_false(take(rl, "203.0.113.5", t + HOUR_MS / 2, &retry));
    assert_int_equal(retry, 1800);
    assert_true(take(rl, "203.0.113.5", t + HOUR_MS, NULL));
    assert_false(take(rl, "203.0.113.5", t + HOUR_MS, NULL));
    /* Refill never exceeds the burst. */
    for (int i = 0; i < 3; i++)
        assert_true(take(rl, "203.0.113.5", t + 100 * HOUR_MS, NULL));
    assert_false(take(rl, "203.0.113.5", t + 100 * HOUR_MS, NULL));
    fidx__ratelimit_free(rl);
}

static void retry_after_is_at_least_one_second(void **state)
{
    (void)state;
    fidx__ratelimit_t *rl = limiter(1000, 1, 1);
    unsigned retry;
    assert_true(take(rl, "198.51.100.1", 5000, NULL));
    assert_false(take(rl, "198.51.100.1", 5000, &retry));
    assert_int_equal(retry, 1);
    fidx__ratelimit_free(rl);
}

static void refund_gives_the_token_back(void **state)
{
    (void)state;
    fidx__ratelimit_t *rl = limiter(1, 3600, 1);
    assert_true(take(rl, "192.0.2.1", 0, NULL));
    fidx__ratelimit_refund(rl, "192.0.2.1", 0);
    assert_true(take(rl, "192.0.2.1", 0, NULL));
    assert_false(take(rl, "192.0.2.1", 0, NULL));
    /* A refund never raises the bucket above its size. */
    fidx__ratelimit_refund(rl, "192.0.2.9", 0);
    assert_true(take(rl, "192.0.2.9", 0, NULL));
    assert_false(take(rl, "192.0.2.9", 0, NULL));
    fidx__ratelimit_free(rl);
}

static void addresses_are_counted_apart(void **state)
{
    (void)state;
    fidx__ratelimit_t *rl = limiter(1, 3600, 1);
    assert_true(take(rl, "192.0.2.1", 0, NULL));
    assert_true(take(rl, "192.0.2.2", 0, NULL));
    assert_false(take(rl, "192.0.2.1", 0, NULL));
    /* One IPv6 /64 is one client; another /64 is another. */
    assert_true(take(rl, "2001:db8:1:2::1", 0, NULL));
    assert_false(take(rl, "2001:db8:1:2:ffff::9", 0, NULL));
    assert_true(take(rl, "2001:db8:1:3::1", 0, NULL));
    /* An IPv4-mapped IPv6 address is that IPv4 address. */
    assert_false(take(rl, "::ffff:192.0.2.2", 0, NULL));
    /* Unreadable addresses share one bucket. */
    assert_true(take(rl, "", 0, NULL));
    assert_false(take(rl, "not an address", 0, NULL));
    fidx__ratelimit_free(rl);
}

static void flood_of_new_addresses_does_not_free_a_limited_one(void **state)
{
    (void)state;
    fidx__ratelimit_t *rl = limiter(1, 3600, 2);
    char addr[32];
    assert_true(take(rl, "198.51.100.7", 0, NULL));
    assert_true(take(rl, "198.51.100.7", 0, NULL));
    assert_false(take(rl, "198.51.100.7", 0, NULL));
    /* Far more addresses than the table holds, each taking one token. */
    for (unsigned i = 0; i < 200000; i++) {
        snprintf(addr, sizeof addr, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        assert_true(take(rl, addr, 1, NULL));
    }
    assert_false(take(rl, "198.51.100.7", 2, NULL));
    fidx__ratelimit_free(rl);
}

static void rate_zero_means_no_limit(void **state)
{
    (void)state;
    fidx__ratelimit_t *rl = limiter(0, 3600, 1);
    for (int i = 0; i < 100; i++)
        assert_true(take(rl, "192.0.2.1", 0, NULL));
    fidx__ratelimit_free(rl);
    fidx__ratelimit_t *bad = NULL;
    assert_int_equal(fidx__ratelimit_new(1, 3600, 0, &bad), FIDX_EINVAL);
    assert_int_equal(fidx__ratelimit_new(1, 0, 1, &bad), FIDX_EINVAL);
}

static void info_says_remaining_and_reset(void **state)
{
    (void)state;
    fidx__ratelimit_t *rl = limiter(60, 60, 3); /* one a second, 3 at once */
    uint8_t key[16] = {1};
    fidx__ratelimit_info_t in;
    assert_true(fidx__ratelimit_take_info(rl, key, 1000, &in));
    assert_int_equal(in.remaining, 2);
    assert_int_equal(in.reset_s, 1); /* one token short: a second */
    assert_int_equal(in.retry_after_s, 0);
    assert_true(fidx__ratelimit_take_info(rl, key, 1000, &in));
    assert_true(fidx__ratelimit_take_info(rl, key, 1000, &in));
    assert_int_equal(in.remaining, 0);
    assert_int_equal(in.reset_s, 3);
    assert_false(fidx__ratelimit_take_info(rl, key, 1500, &in));
    assert_int_equal(in.remaining, 0);
    assert_int_equal(in.retry_after_s, 1);
    assert_true(fidx__ratelimit_take_info(rl, key, 2000, &in)); /* refilled one */
    assert_int_equal(in.remaining, 0);
    fidx__ratelimit_free(rl);
}

static void a_bucket_of_its_own(void **state)
{
    (void)state;
    fidx__ratelimit_bucket_t b;
    fidx__ratelimit_info_t in;
    assert_int_equal(fidx__ratelimit_bucket_init(&b, 2, 60, 0, 0), FIDX_EINVAL);
    assert_int_equal(fidx__ratelimit_bucket_init(&b, 2, 60, 2, 5000), 0);
    assert_true(fidx__ratelimit_bucket_take(&b, 5000, &in));
    assert_int_equal(in.remaining, 1);
    assert_true(fidx__ratelimit_bucket_take(&b, 5000, &in));
    assert_false(fidx__ratelimit_bucket_take(&b, 5000, &in));
    assert_int_equal(in.retry_after_s, 30);
    assert_int_equal(in.reset_s, 60);
    assert_true(fidx__ratelimit_bucket_take(&b, 35000, &in));
    fidx__ratelimit_bucket_dispose(&b);
    assert_int_equal(fidx__ratelimit_bucket_init(&b, 0, 60, 1, 0), 0); /* no limit */
    for (int i = 0; i < 100; i++)
        assert_true(fidx__ratelimit_bucket_take(&b, 0, &in));
    fidx__ratelimit_bucket_dispose(&b);
}

static void rates_as_written(void **state)
{
    (void)state;
    uint32_t rate, period;
    assert_int_equal(fidx__ratelimit_parse_rate("600/min", &rate, &period), 0);
    assert_int_equal(rate, 600);
    assert_int_equal(period, 60);
    assert_int_equal(fidx__ratelimit_parse_rate("10", &rate, &period), 0);
    assert_int_equal(period, 3600); /* an hour when the unit is left out */
    assert_int_equal(fidx__ratelimit_parse_rate("0/s", &rate, &period), 0);
    assert_int_equal(rate, 0);
    assert_int_equal(fidx__ratelimit_parse_rate("1000000/d", &rate, &period), 0);
    assert_int_equal(period, 86400);
    const char *bad[] = {"",        "/min", "x",       "5/week",   "-1",  "+1",
                         "1000001", "5/",   "5/min/s", "12345678", "1e3", " 5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (fidx__ratelimit_parse_rate(bad[i], &rate, &period) == 0)
            fail_msg("accepted '%s'", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_then_retry_after),
        cmocka_unit_test(retry_after_is_at_least_one_second),
        cmocka_unit_test(refund_gives_the_token_back),
        cmocka_unit_test(addresses_are_counted_apart),
        cmocka_unit_test(flood_of_new_addresses_does_not_free_a_limited_one),
        cmocka_unit_test(rate_zero_means_no_limit),
        cmocka_unit_test(info_says_remaining_and_reset),
        cmocka_unit_test(a_bucket_of_its_own),
        cmocka_unit_test(rates_as_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
