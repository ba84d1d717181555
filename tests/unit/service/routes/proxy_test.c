/* The client behind a trusted proxy (service/src/routes/proxy.c): which address of
 * X-Forwarded-For is believed, from whom, and what a malformed or cut header gives. Header
 * values sit in blocks of their exact size (svc_test.h), so a read past the end fails under
 * ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../svc_test.h"

#include "reports/netaddr.h"
#include "routes/proxy.h"

/* The proxies the tests trust: one IPv4 address, an IPv4 /24, an IPv6 /64. */
static fidx__net_t trusted[3];

static int setup(void **state)
{
    (void)state;
    if (fidx__net_parse("10.0.0.1", &trusted[0]) || fidx__net_parse("192.0.2.0/24", &trusted[1]) ||
        fidx__net_parse("2001:db8:1::/64", &trusted[2]))
        return -1;
    return 0;
}

typedef struct {
    fidx__req_t req;
    char *xff, *xfp;
    char peer[64];
} fake_t;

/* A request from peer with the given X-Forwarded-For and -Proto values (NULL: absent). */
static void fake(fake_t *f, const char *peer, const char *xff, const char *xfp)
{
    memset(f, 0, sizeof *f);
    snprintf(f->peer, sizeof f->peer, "%s", peer);
    f->req.peer = f->peer;
    assert_int_equal(fidx__addr_parse(peer, strlen(peer), &f->req.peer_addr), 0);
    if (xff) {
        f->xff = svc_exact_str(xff);
        f->req.kept[FIDX__H_X_FORWARDED_FOR] = fidx_str(f->xff, strlen(xff));
    }
    if (xfp) {
        f->xfp = svc_exact_str(xfp);
        f->req.kept[FIDX__H_X_FORWARDED_PROTO] = fidx_str(f->xfp, strlen(xfp));
    }
}

static void unfake(fake_t *f)
{
    free(f->xff);
    free(f->xfp);
}

/* The client's address as text for peer, xff, xfp; *tls and *via set. */
static const char *client(fake_t *f, const char *peer, const char *xff, const char *xfp, int *tls,
                          int *via)
{
    static fidx__client_t c;
    fake(f, peer, xff, xfp);
    fidx__proxy_client(&f->req, trusted, 3, &c);
    if (tls)
        *tls = c.tls;
    if (via)
        *via = c.via_proxy;
    return c.text;
}

static void untrusted_peer_is_the_client(void **state)
{
    (void)state;
    fake_t f;
    int tls, via;
    /* A spoofed X-Forwarded-For and -Proto from a peer no one trusts: ignored. */
    assert_string_equal(client(&f, "203.0.113.9", "1.2.3.4", "https", &tls, &via), "203.0.113.9");
    assert_false(tls);
    assert_false(via);
    unfake(&f);
    assert_string_equal(client(&f, "2001:db8:2::5", "10.0.0.1", NULL, NULL, &via), "2001:db8:2::5");
    assert_false(via);
    unfake(&f);
    /* The /24 holds 192.0.2.x, not 192.0.3.x. */
    assert_string_equal(client(&f, "192.0.3.1", "1.2.3.4", NULL, NULL, NULL), "192.0.3.1");
    unfake(&f);
}

static void rightmost_untrusted_address(void **state)
{
    (void)state;
    fake_t f;
    int via;
    assert_string_equal(client(&f, "10.0.0.1", "198.51.100.7", NULL, NULL, &via), "198.51.100.7");
    assert_true(via);
    unfake(&f);
    /* The client wrote 1.2.3.4 itself; the proxy appended what it saw. */
    assert_string_equal(client(&f, "10.0.0.1", "1.2.3.4, 198.51.100.7", NULL, NULL, NULL),
                        "198.51.100.7");
    unfake(&f);
    /* A chain of trusted proxies is walked through. */
    assert_string_equal(
        client(&f, "10.0.0.1", "1.2.3.4,198.51.100.7 , 192.0.2.77,10.0.0.1", NULL, NULL, NULL),
        "198.51.100.7");
    unfake(&f);
    /* All hops trusted: the left-most. */
    assert_string_equal(client(&f, "10.0.0.1", "192.0.2.5, 10.0.0.1", NULL, NULL, NULL),
                        "192.0.2.5");
    unfake(&f);
    /* A trusted proxy with no X-Forwarded-For (its own health check): the proxy. */
    assert_string_equal(client(&f, "10.0.0.1", NULL, NULL, NULL, &via), "10.0.0.1");
    assert_true(via);
    unfake(&f);
}

static void malformed_elements_stop_the_walk(void **state)
{
    (void)state;
    fake_t f;
    /* Garbage right of the proxy's own hop: the peer, never the address further left. */
    assert_string_equal(client(&f, "10.0.0.1", "1.2.3.4, unknown", NULL, NULL, NULL), "10.0.0.1");
    unfake(&f);
    assert_string_equal(client(&f, "10.0.0.1", "1.2.3.4,", NULL, NULL, NULL), "10.0.0.1");
    unfake(&f);
    assert_string_equal(client(&f, "10.0.0.1", "", NULL, NULL, NULL), "10.0.0.1");
    unfake(&f);
    assert_string_equal(client(&f, "10.0.0.1", " , ,", NULL, NULL, NULL), "10.0.0.1");
    unfake(&f);
    assert_string_equal(client(&f, "10.0.0.1", "1.2.3.4.5", NULL, NULL, NULL), "10.0.0.1");
    unfake(&f);
    assert_string_equal(client(&f, "10.0.0.1", "[2001:db8::1", NULL, NULL, NULL), "10.0.0.1");
    unfake(&f);
    /* A NUL inside an element (the transport refuses control bytes; checked anyway). */
    fidx__client_t c;
    fake(&f, "10.0.0.1", NULL, NULL);
    f.xff = svc_exact("5.6.7.8, 1.2.3.4\0", 17);
    f.req.kept[FIDX__H_X_FORWARDED_FOR] = fidx_str(f.xff, 17);
    fidx__proxy_client(&f.req, trusted, 3, &c);
    assert_string_equal(c.text, "10.0.0.1");
    unfake(&f);
    /* Garbage after a trusted hop: that hop, the last one vouched for. */
    assert_string_equal(client(&f, "10.0.0.1", "junk, 192.0.2.8", NULL, NULL, NULL), "192.0.2.8");
    unfake(&f);
    /* Junk left of the client does not matter. */
    assert_string_equal(client(&f, "10.0.0.1", "x\"<>, 198.51.100.7", NULL, NULL, NULL),
                        "198.51.100.7");
    unfake(&f);
    /* Ports as some proxies write them. */
    assert_string_equal(client(&f, "10.0.0.1", "198.51.100.7:4711", NULL, NULL, NULL),
                        "198.51.100.7");
    unfake(&f);
    assert_string_equal(client(&f, "10.0.0.1", "[2001:db8:9::1]:4711", NULL, NULL, NULL),
                        "2001:db8:9::1");
    unfake(&f);
    assert_string_equal(client(&f, "10.0.0.1", "[2001:db8:9::1]x", NULL, NULL, NULL), "10.0.0.1");
    unfake(&f);
}

static void cut_header_ignores_its_first_element(void **state)
{
    (void)state;
    fake_t f;
    fidx__client_t c;
    /* The transport kept only the tail: "8.7.6.5" may be the end of "198.7.6.5". */
    fake(&f, "10.0.0.1", "8.7.6.5", NULL);
    f.req.kept_bad = 1u << FIDX__H_X_FORWARDED_FOR;
    fidx__proxy_client(&f.req, trusted, 3, &c);
    assert_string_equal(c.text, "10.0.0.1");
    unfake(&f);
    fake(&f, "10.0.0.1", "8.7.6.5, 198.51.100.7", NULL);
    f.req.kept_bad = 1u << FIDX__H_X_FORWARDED_FOR;
    fidx__proxy_client(&f.req, trusted, 3, &c);
    assert_string_equal(c.text, "198.51.100.7");
    unfake(&f);
}

static void ipv6(void **state)
{
    (void)state;
    fake_t f;
    fidx__client_t c;
    assert_string_equal(
        client(&f, "2001:db8:1::9", "2001:db8:5::1, 2001:db8:1::2", NULL, NULL, NULL),
        "2001:db8:5::1");
    unfake(&f);
    /* A v4-mapped peer is the IPv4 proxy. */
    assert_string_equal(client(&f, "::ffff:10.0.0.1", "198.51.100.7", NULL, NULL, NULL),
                        "198.51.100.7");
    unfake(&f);
    fake(&f, "2001:db8:1::9", "::1", NULL);
    fidx__proxy_client(&f.req, trusted, 3, &c);
    assert_string_equal(c.text, "::1");
    assert_true(c.via_proxy);
    assert_false(c.loopback); /* the client says loopback; the peer is not */
    unfake(&f);
}

static void loopback_peer(void **state)
{
    (void)state;
    fake_t f;
    fidx__client_t c;
    fake(&f, "127.0.0.1", "198.51.100.7", NULL);
    fidx__proxy_client(&f.req, trusted, 3, &c);
    assert_true(c.loopback);
    assert_string_equal(c.text, "127.0.0.1");
    unfake(&f);
    fake(&f, "::1", NULL, NULL);
    fidx__proxy_client(&f.req, trusted, 3, &c);
    assert_true(c.loopback);
    unfake(&f);
    /* Loopback listed as a trusted proxy: not exempt, the forwarded client counts. */
    fidx__net_t lo;
    assert_int_equal(fidx__net_parse("127.0.0.0/8", &lo), 0);
    fake(&f, "127.0.0.5", "198.51.100.7", NULL);
    fidx__proxy_client(&f.req, &lo, 1, &c);
    assert_false(c.loopback);
    assert_true(c.via_proxy);
    assert_string_equal(c.text, "198.51.100.7");
    unfake(&f);
}

static void forwarded_proto(void **state)
{
    (void)state;
    fake_t f;
    int tls;
    client(&f, "10.0.0.1", NULL, "https", &tls, NULL);
    assert_true(tls);
    unfake(&f);
    client(&f, "10.0.0.1", NULL, " HTTPS ", &tls, NULL);
    assert_true(tls);
    unfake(&f);
    client(&f, "10.0.0.1", NULL, "http", &tls, NULL);
    assert_false(tls);
    unfake(&f);
    client(&f, "10.0.0.1", NULL, "https, http", &tls, NULL);
    assert_false(tls);
    unfake(&f);
    client(&f, "10.0.0.1", NULL, "httpsx", &tls, NULL);
    assert_false(tls);
    unfake(&f);
    fidx__client_t c;
    fake(&f, "10.0.0.1", NULL, "https");
    f.req.kept_bad = 1u << FIDX__H_X_FORWARDED_PROTO; /* sent twice */
    fidx__proxy_client(&f.req, trusted, 3, &c);
    assert_false(c.tls);
    unfake(&f);
}

static void networks_parsed_strictly(void **state)
{
    (void)state;
    fidx__net_t n;
    fidx__addr_t a;
    assert_int_equal(fidx__net_parse("10.1.2.0/24", &n), 0);
    assert_int_equal(n.bits, 96 + 24);
    assert_int_equal(fidx__addr_parse("10.1.2.200", 10, &a), 0);
    assert_true(fidx__net_contains(&n, &a));
    assert_int_equal(fidx__addr_parse("10.1.3.1", 8, &a), 0);
    assert_false(fidx__net_contains(&n, &a));
    assert_int_equal(fidx__net_parse("0.0.0.0/0", &n), 0);
    assert_true(fidx__net_contains(&n, &a));
    assert_int_equal(fidx__net_parse("::/0", &n), 0);
    assert_int_equal(fidx__net_parse("2001:db8::/33", &n), 0);
    assert_int_equal(fidx__net_parse("fe80::1/128", &n), 0);
    const char *bad[] = {"10.1.2.3/24",
                         "10.0.0.0/33",
                         "10.0.0.0/",
                         "10.0.0.0/-1",
                         "10.0.0.0/ 8",
                         "2001:db8::/129",
                         "2001:db8::1/64",
                         "localhost",
                         "",
                         "/8",
                         "10.0.0.0/0008",
                         "[::1]",
                         "10.0.0.0/8x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (fidx__net_parse(bad[i], &n) == 0)
            fail_msg("accepted '%s'", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(untrusted_peer_is_the_client),
        cmocka_unit_test(rightmost_untrusted_address),
        cmocka_unit_test(malformed_elements_stop_the_walk),
        cmocka_unit_test(cut_header_ignores_its_first_element),
        cmocka_unit_test(ipv6),
        cmocka_unit_test(loopback_peer),
        cmocka_unit_test(forwarded_proto),
        cmocka_unit_test(networks_parsed_strictly),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
