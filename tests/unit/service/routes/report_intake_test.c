/* The checks every citizen's report passes (service/src/routes/report_intake.c), against a
 * real service (snapshot, report store, limiters) opened in this process, with client
 * addresses given as text as the connection gives them, so that thousands of IPv6 networks
 * need no network setup. What issue 12 found: 2,000 /64s of one /48, five reports each, filled
 * the pending queue with 10,000 reports in 3 s and then every citizen got 503 without
 * Retry-After. Each test here failed against that code. */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../svc_test.h"

#include "fidx/snapshot.h"
#include "reports/ratelimit.h"
#include "reports/reports.h"
#include "routes/report_intake.h"
#include "service.h"

typedef struct {
    fidx__config_t cfg;
    fidx__service_t *svc;
    char data[200], snap[200];
} svc_t;

/* A service on an empty snapshot with its own data directory; tune cfg in `tune`. */
static svc_t *start(const char *name, void (*tune)(fidx__config_t *))
{
    svc_t *s = calloc(1, sizeof *s);
    fidx_builder_t *b;
    fidx_err_t err = {0};
    assert_non_null(s);
    snprintf(s->data, sizeof s->data, "%s/%s", svc_tmp, name);
    snprintf(s->snap, sizeof s->snap, "%s/%s.fidx", svc_tmp, name);
    assert_int_equal(fidx_builder_new(&b), 0);
    assert_int_equal(fidx_builder_write(b, s->snap, 0, &err), 0);
    fidx_builder_free(b);
    fidx__config_defaults(&s->cfg);
    s->cfg.snapshot_path = s->snap;
    s->cfg.data_dir = s->data;
    s->cfg.listen = "127.0.0.1:0";
    s->cfg.threads = 1;
    s->cfg.watch_interval_ms = 0;
    struct sockaddr_in *in = (struct sockaddr_in *)&s->cfg.addr;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (tune)
        tune(&s->cfg);
    assert_int_equal(fidx__service_open(&s->cfg, &s->svc), 0);
    assert_int_equal(fidx__service_add_workers(s->svc), 0);
    return s;
}

static void stop(svc_t *s)
{
    fidx__service_close(s->svc);
    free(s);
}

/* One report of a distinct phone number n from client. */
static fidx__report_outcome_t submit(svc_t *s, const char *client, unsigned n)
{
    char value[32];
    fidx__report_outcome_t o;
    snprintf(value, sizeof value, "09%08u", 12000000 + n % 80000000);
    fidx__report_fields_t f = {.value = fidx_str(value, strlen(value))};
    fidx__report_submit(s->svc->workers[0], client, &f, &o);
    return o;
}

static size_t pending(svc_t *s)
{
    size_t p, a, r;
    fidx__reports_counts(s->svc->reports, &p, &a, &r);
    return p;
}

/* The default allowances, refilling once a day instead of by the hour: what the tests count
 * must not depend on how long they take (a sanitizer build is slow). */
static void slow_refill(fidx__config_t *cfg)
{
    cfg->report_period_s = 86400 * 24;
    cfg->report_global_period_s = 86400 * 24 * 12;
}

static void test_one_48_cannot_fill_the_queue(void **state)
{
    (void)state;
    svc_t *s = start("one48", slow_refill);
    size_t accepted = 0, limited = 0;
    unsigned n = 0;
    for (unsigned net = 0; net < 2000; net++) {
        char client[64];
        snprintf(client, sizeof client, "2001:db8:1:%x::1", net);
        for (int i = 0; i < 5; i++) {
            fidx__report_outcome_t o = submit(s, client, n++);
            if (o.status == 202) {
                accepted++;
            } else {
                assert_int_equal(o.status, 429);
                assert_true(o.retry_after >= 1);
                limited++;
            }
        }
    }
    /* The /48's allowance, not 2,000 subscribers' ones. */
    assert_true(accepted <= (size_t)FIDX__DEFAULT_REPORT_BURST * 4);
    assert_int_equal(accepted + limited, 10000);
    assert_int_equal(pending(s), accepted);
    /* A citizen elsewhere is not locked out. */
    assert_int_equal(submit(s, "2001:db8:2::1", n++).status, 202);
    assert_int_equal(submit(s, "198.51.100.7", n++).status, 202);
    stop(s);
}

static void generous(fidx__config_t *cfg)
{
    cfg->report_burst = 1000;
    cfg->report_rate = 1000;
    cfg->report_global_burst = 100000;
    cfg->report_global_rate = 100000;
    cfg->max_pending_per_network = 30;
    cfg->max_pending_reports = 1000;
}

static void test_pending_queue_is_shared_per_network(void **state)
{
    (void)state;
    svc_t *s = start("share", generous);
    unsigned n = 0;
    for (int i = 0; i < 30; i++)
        assert_int_equal(submit(s, "2001:db8:5:1::1", n++).status, 202);
    /* Another /64 of the same /48 counts against the same share. */
    fidx__report_outcome_t o = submit(s, "2001:db8:5:2::1", n++);
    assert_int_equal(o.status, 429);
    assert_true(o.retry_after >= 1);
    /* The same for IPv4 /24s. */
    for (int i = 0; i < 30; i++)
        assert_int_equal(submit(s, i % 2 ? "203.0.113.1" : "203.0.113.200", n++).status, 202);
    assert_int_equal(submit(s, "203.0.113.77", n++).status, 429);
    /* Other networks still get in. */
    assert_int_equal(submit(s, "2001:db8:6::1", n++).status, 202);
    assert_int_equal(submit(s, "198.51.100.1", n++).status, 202);
    stop(s);
}

static void test_many_networks_are_slowed_not_queued(void **state)
{
    (void)state;
    svc_t *s = start("many", slow_refill);
    size_t accepted = 0;
    unsigned n = 0;
    for (unsigned net = 0; net < 2000; net++) {
        char client[64];
        snprintf(client, sizeof client, "2001:db8:%x::1", 0x100 + net);
        for (int i = 0; i < 5; i++) {
            fidx__report_outcome_t o = submit(s, client, n++);
            accepted += o.status == 202;
            if (o.status != 202) {
                assert_int_equal(o.status, 429);
                assert_true(o.retry_after >= 1);
            }
        }
    }
    /* Everyone's allowance bounds the intake; the queue is far from full. */
    assert_true(accepted <= FIDX__DEFAULT_REPORT_GLOBAL_BURST);
    assert_true(pending(s) < FIDX__DEFAULT_MAX_PENDING_REPORTS / 10);
    stop(s);
}

static void test_a_repeat_is_the_same_report(void **state)
{
    (void)state;
    svc_t *s = start("repeat", NULL);
    fidx__report_outcome_t a = submit(s, "2001:db8:7::1", 42);
    fidx__report_outcome_t b = submit(s, "2001:db8:7::1", 42);
    assert_int_equal(a.status, 202);
    assert_int_equal(b.status, 202);
    assert_string_equal(a.id, b.id);
    assert_false(a.merged);
    assert_true(b.merged);
    assert_int_equal(pending(s), 1);
    /* From another subscriber it is another report. */
    fidx__report_outcome_t c = submit(s, "2001:db8:7:1::1", 42);
    assert_int_equal(c.status, 202);
    assert_string_not_equal(a.id, c.id);
    stop(s);
}

static void tiny_queue(fidx__config_t *cfg)
{
    cfg->max_pending_reports = 2;
}

static void test_a_full_queue_says_when_to_come_back(void **state)
{
    (void)state;
    svc_t *s = start("full", tiny_queue);
    assert_int_equal(submit(s, "192.0.2.1", 1).status, 202);
    assert_int_equal(submit(s, "192.0.2.2", 2).status, 202);
    fidx__report_outcome_t o = submit(s, "198.51.100.3", 3);
    assert_int_equal(o.status, 503);
    assert_true(o.retry_after >= 1);
    stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_48_cannot_fill_the_queue),
        cmocka_unit_test(test_pending_queue_is_shared_per_network),
        cmocka_unit_test(test_many_networks_are_slowed_not_queued),
        cmocka_unit_test(test_a_repeat_is_the_same_report),
        cmocka_unit_test(test_a_full_queue_says_when_to_come_back),
    };
    return cmocka_run_group_tests(tests, svc_tmp_setup, svc_tmp_teardown);
}
