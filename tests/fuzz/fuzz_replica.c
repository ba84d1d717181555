/* Fuzz target for what a reader reads from its writer (service/src/replica/protocol.c;
 * libFuzzer; replayed by ctest, see docs/FUZZING.md): the header fields of the replica routes'
 * answers, and the body of a changes answer.
 *
 * Input: byte 0 bit 0 picks the mode. Headers: the rest split into lines at '\n', each given
 * to fidx__replica_header_line. Changes: bytes 1..2 a record count (little-endian), the rest
 * the body.
 *
 * Properties. Headers: a field is never both present and bad; a present range has first <=
 * last < total; a present history is 32 lower-case hex digits; each present number, written
 * back as a line, parses to the same value; the same lines give the same result twice.
 * Changes: 0 or FIDX_ECORRUPT with a reason and an offset inside the body (or at its end);
 * accepted exactly when a plain walk finds `count` records with zero padding, a known type and
 * a body inside the input, and then no other count is accepted. */
#include <inttypes.h>

#include "fuzz_common.h"
#include "replica/protocol.h"

static void feed_lines(fidx__replica_headers_t *h, const char *p, size_t n)
{
    fidx__replica_headers_reset(h);
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) + 1 : n;
        char *line = fuzz_dup(p, len); /* exact size: a read past it is seen */
        fidx__replica_header_line(h, line, len);
        free(line);
        p += len;
        n -= len;
    }
}

static void number_again(uint64_t v, const char *name, size_t field)
{
    char line[80];
    fidx__replica_headers_t h;
    int n = snprintf(line, sizeof line, "%s: %" PRIu64 "\r\n", name, v);
    fidx__replica_headers_reset(&h);
    fidx__replica_header_line(&h, line, (size_t)n);
    FUZZ_CHECK(*(uint64_t *)((char *)&h + field) == v, "a number written back parses the same");
}

static void headers(const char *p, size_t n)
{
    fidx__replica_headers_t h, again;
    feed_lines(&h, p, n);
    feed_lines(&again, p, n);
    FUZZ_CHECK(memcmp(&h, &again, sizeof h) == 0, "the same lines give the same fields");
    FUZZ_CHECK((h.have & h.bad) == 0, "a field is present or bad, not both");
    if (h.have & FIDX__RH_RANGE)
        FUZZ_CHECK(h.range_first <= h.range_last && h.range_last < h.range_total,
                   "a range lies inside its total");
    if (h.have & FIDX__RH_HISTORY) {
        FUZZ_CHECK(strlen(h.history) == FIDX__HISTORY_LEN, "a history has 32 digits");
        FUZZ_CHECK(strspn(h.history, "0123456789abcdef") == FIDX__HISTORY_LEN,
                   "a history is lower-case hex");
    }
    if (h.have & FIDX__RH_FIRST_SEQ)
        number_again(h.first_seq, "X-Fidx-First-Seq", offsetof(fidx__replica_headers_t, first_seq));
    if (h.have & FIDX__RH_COUNT)
        number_again(h.count, "x-fidx-count", offsetof(fidx__replica_headers_t, count));
    if (h.have & FIDX__RH_DURABLE)
        number_again(h.durable_seq, "X-Fidx-Durable-Seq",
                     offsetof(fidx__replica_headers_t, durable_seq));
}

/* The plain walk: how many records p[0..n) holds, or -1 when it is not records. */
static int64_t walk(const uint8_t *p, size_t n)
{
    int64_t count = 0;
    for (size_t off = 0; off < n; count++) {
        if (n - off < 8)
            return -1;
        uint32_t len = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
                       (uint32_t)p[off + 3] << 24;
        if (p[off + 4] < 1 || p[off + 4] > 3 || p[off + 5] || p[off + 6] || p[off + 7] ||
            len > n - off - 8)
            return -1;
        off += 8 + len;
    }
    return count;
}

static void changes(const uint8_t *p, size_t n)
{
    if (n < 2)
        return;
    uint64_t count = (uint64_t)p[0] | (uint64_t)p[1] << 8;
    char *body = fuzz_dup(p + 2, n - 2);
    fidx_err_t err = {0};
    int rc = fidx__replica_check_changes(body, n - 2, count, &err);
    FUZZ_CHECK(rc == 0 || rc == FIDX_ECORRUPT, "0 or ECORRUPT");
    if (rc) {
        FUZZ_CHECK(err.reason != NULL && err.offset <= n - 2, "a refusal says where and why");
    } else {
        FUZZ_CHECK(walk(p + 2, n - 2) == (int64_t)count, "what is accepted is count records");
        FUZZ_CHECK(fidx__replica_check_changes(body, n - 2, count + 1, &err) == FIDX_ECORRUPT,
                   "another count is refused");
    }
    free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        changes(data + 1, size - 1);
    else
        headers((const char *)data + 1, size - 1);
    return 0;
}
