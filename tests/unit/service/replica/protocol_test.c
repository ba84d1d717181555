/* Unit tests of what a reader checks in its writer's answers (service/src/replica/protocol.h):
 * header fields parse only when whole and in range (names without case, values trimmed; a
 * malformed one is absent and marked bad; a later good one clears that), byte ranges are
 * consistent, and a changes body is exactly the records X-Fidx-Count says, each of a known
 * type that decodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "admin/admin.h"
#include "base/le_bytes.h"
#include "replica/protocol.h"

static void line(fidx__replica_headers_t *h, const char *s)
{
    fidx__replica_header_line(h, s, strlen(s));
}

static void test_numbers_and_hashes(void **state)
{
    (void)state;
    fidx__replica_headers_t h;
    fidx__replica_headers_reset(&h);
    line(&h, "HTTP/1.1 200 OK\r\n");
    line(&h, "X-Fidx-First-Seq: 12\r\n");
    line(&h, "x-fidx-count:3");
    line(&h, "X-FIDX-DURABLE-SEQ:   18446744073709551615  \r\n");
    line(&h, "X-Fidx-Snapshot: \"00ff00ff00ff00fF\"\r\n");
    line(&h, "X-Fidx-Checksum: 0123456789abcdef\r\n");
    line(&h, "ETag: \"fedcba9876543210\"\r\n");
    line(&h, "X-Fidx-History: 0123456789abcdef0123456789abcdef\r\n");
    line(&h, "Content-Type: application/vnd.fraudidx.changes\r\n");
    line(&h, "\r\n");
    assert_int_equal(h.have, FIDX__RH_FIRST_SEQ | FIDX__RH_COUNT | FIDX__RH_DURABLE |
                                 FIDX__RH_SNAPSHOT | FIDX__RH_CHECKSUM | FIDX__RH_ETAG |
                                 FIDX__RH_HISTORY);
    assert_int_equal(h.bad, 0);
    assert_int_equal(h.first_seq, 12);
    assert_int_equal(h.count, 3);
    assert_true(h.durable_seq == UINT64_MAX);
    assert_true(h.snapshot_hash == 0x00ff00ff00ff00ffull);
    assert_true(h.checksum == 0x0123456789abcdefull);
    assert_true(h.etag_hash == 0xfedcba9876543210ull);
    assert_string_equal(h.history, "0123456789abcdef0123456789abcdef");
}

static void test_malformed_fields_are_absent(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "X-Fidx-First-Seq: 18446744073709551616", /* one past the largest */
        "X-Fidx-First-Seq: 123456789012345678901",
        "X-Fidx-First-Seq: -1",
        "X-Fidx-First-Seq: 1 2",
        "X-Fidx-First-Seq: 0x10",
        "X-Fidx-First-Seq:",
        "X-Fidx-Snapshot: \"00ff00ff00ff00f\"",
        "X-Fidx-Snapshot: 00ff00ff00ff00ffa",
        "X-Fidx-Snapshot: \"00ff00ff00ff00fg\"",
        "X-Fidx-History: 0123456789ABCDEF0123456789abcdef",
        "X-Fidx-History: 0123456789abcdef",
        "Content-Range: bytes 5-4/10",
        "Content-Range: bytes 0-10/10",
        "Content-Range: bytes */10",
        "Content-Range: 0-1/10",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fidx__replica_headers_t h;
        fidx__replica_headers_reset(&h);
        line(&h, bad[i]);
        assert_int_equal(h.have, 0);
        assert_int_not_equal(h.bad, 0);
    }
    fidx__replica_headers_t h;
    fidx__replica_headers_reset(&h);
    line(&h, "X-Fidx-Count: 5");
    line(&h, "X-Fidx-Count: five"); /* the later one counts: absent, and bad */
    assert_int_equal(h.have, 0);
    assert_int_equal(h.bad, FIDX__RH_COUNT);
    line(&h, "X-Fidx-Count: 6");
    assert_int_equal(h.have, FIDX__RH_COUNT);
    assert_int_equal(h.bad, 0);
    assert_int_equal(h.count, 6);
    /* Not ours, or not a field: ignored. */
    char longline[FIDX__REPLICA_HEADER_MAX + 10];
    memset(longline, '1', sizeof longline);
    memcpy(longline, "X-Fidx-Count: ", 14);
    fidx__replica_header_line(&h, longline, sizeof longline);
    line(&h, "X-Fidx-Countx: 1");
    line(&h, ": 1");
    line(&h, "no colon");
    assert_int_equal(h.count, 6);
    assert_int_equal(h.bad, 0);
}

static void test_content_range(void **state)
{
    (void)state;
    fidx__replica_headers_t h;
    fidx__replica_headers_reset(&h);
    line(&h, "Content-Range: bytes 100-199/1000\r\n");
    assert_int_equal(h.have, FIDX__RH_RANGE);
    assert_int_equal(h.range_first, 100);
    assert_int_equal(h.range_last, 199);
    assert_int_equal(h.range_total, 1000);
}

/* ---- changes bodies ---- */

static void put_record(fidx__sbuf_t *b, const char *value)
{
    fidx_indicator_t ind;
    memset(&ind, 0, sizeof ind);
    ind.kind = FIDX_KIND_PHONE;
    ind.status = FIDX_STATUS_CONFIRMED;
    ind.reports = 1;
    ind.value_len = strlen(value);
    memcpy(ind.value, value, ind.value_len);
    assert_int_equal(fidx__admin_encode_put(b, &ind), 0);
}

static void body3(fidx__sbuf_t *b)
{
    fidx__admin_decision_t d;
    memset(&d, 0, sizeof d);
    strcpy(d.id, "r0123456789abcdef");
    strcpy(d.by, "lan");
    d.action = FIDX__REPORT_REJECTED;
    put_record(b, "+84912345678");
    fidx__admin_encode_delist(b, FIDX_KIND_DOMAIN, "evil.example", 12);
    fidx__admin_encode_decision(b, &d);
}

static void test_changes_bodies(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx_err_t err = {0};
    fidx__sbuf_init(&b, 1 << 20);
    assert_int_equal(fidx__replica_check_changes("", 0, 0, &err), 0);
    body3(&b);
    assert_int_equal(fidx__replica_check_changes(b.p, b.len, 3, &err), 0);
    assert_int_equal(fidx__replica_check_changes(b.p, b.len, 2, &err), FIDX_ECORRUPT);
    assert_int_equal(fidx__replica_check_changes(b.p, b.len, 4, &err), FIDX_ECORRUPT);
    for (size_t cut = 1; cut < b.len; cut++) /* any shorter body is refused */
        assert_int_equal(fidx__replica_check_changes(b.p, cut, 3, &err), FIDX_ECORRUPT);
    b.p[5] = 1; /* a header byte that must be zero */
    assert_int_equal(fidx__replica_check_changes(b.p, b.len, 3, &err), FIDX_ECORRUPT);
    assert_int_equal(err.offset, 0);
    b.p[5] = 0;
    b.p[4] = 9; /* an unknown type */
    assert_int_equal(fidx__replica_check_changes(b.p, b.len, 3, &err), FIDX_ECORRUPT);
    b.p[4] = FIDX__WAL_PUT;
    b.p[8] = (char)FIDX_KIND_COUNT; /* a body that does not decode */
    assert_int_equal(fidx__replica_check_changes(b.p, b.len, 3, &err), FIDX_ECORRUPT);
    assert_non_null(err.reason);
    fidx__sbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_and_hashes),
        cmocka_unit_test(test_malformed_fields_are_absent),
        cmocka_unit_test(test_content_range),
        cmocka_unit_test(test_changes_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
