/* Unit tests of the log read back by sequence number (service/src/admin/wal_feed.h, through
 * fidx__wal_read): the records after any number come back in order and whole, across groups,
 * segments, a reopening (old segments indexed when first read, damage there refused) and
 * index entries; the size bound; what is folded and deleted is gone (ENOTFOUND), what is kept
 * stays until trimmed; a replica's jump ahead leaves a gap that reads never cross; an empty
 * segment made for a reader replays as the start of its log. */
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

#include "admin/wal.h"
#include "base/le_bytes.h"

static char dir[] = "/tmp/fidx-wal-feed-test-XXXXXX";

static void on_durable(void *ctx, uint64_t seq)
{
    (void)ctx;
    (void)seq;
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *fresh(const char *name)
{
    static char path[200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    mkdir(path, 0700);
    return path;
}

static fidx__wal_t *open_log(const char *d, uint64_t from)
{
    fidx__wal_t *w;
    char msg[512];
    fidx__wal_replay_t st;
    assert_int_equal(
        fidx__wal_replay(d, from, FIDX__WAL_WRITABLE, NULL, NULL, &st, msg, sizeof msg), 0);
    assert_int_equal(
        fidx__wal_open(d, from, st.next_seq, -1, on_durable, NULL, NULL, &w, msg, sizeof msg), 0);
    return w;
}

/* The body of record seq: "record SEQ" padded with 'x' to a size that varies with seq (up to
 * pad bytes), so records straddle index steps unevenly. */
static size_t body_of(uint64_t seq, size_t pad, char *out)
{
    int n = snprintf(out, 64, "record %llu", (unsigned long long)seq);
    size_t len = (size_t)n + (pad ? (seq * 7919) % pad : 0);
    memset(out + n, 'x', len - (size_t)n);
    return len;
}

/* Appends n records as one group and waits for them; returns the last sequence number. */
static uint64_t append(fidx__wal_t *w, uint64_t n, size_t pad)
{
    fidx__sbuf_t b;
    char *body = malloc(pad + 64);
    uint64_t first = fidx__wal_next_seq(w);
    fidx__sbuf_init(&b, 64 << 20);
    for (uint64_t i = 0; i < n; i++) {
        size_t len = body_of(first + i, pad, body);
        fidx__wal_record(&b, FIDX__WAL_PUT, body, len);
    }
    assert_int_equal(fidx__wal_append(w, b.p, b.len, n, NULL, 0), 0);
    fidx__sbuf_free(&b);
    free(body);
    assert_int_equal(fidx__wal_wait(w, first + n - 1), 0);
    return first + n - 1;
}

/* Checks that out holds ch->n whole records numbered from ch->first_seq, as appended. */
static void check_records(const fidx__sbuf_t *out, const fidx__wal_chunk_t *ch, size_t pad)
{
    char *want = malloc(pad + 64);
    size_t off = 0;
    for (uint64_t i = 0; i < ch->n; i++) {
        assert_true(out->len - off >= 8);
        size_t len = fidx__get32(out->p + off);
        assert_int_equal(out->p[off + 4], FIDX__WAL_PUT);
        size_t wl = body_of(ch->first_seq + i, pad, want);
        assert_int_equal(len, wl);
        assert_memory_equal(out->p + off + 8, want, wl);
        off += 8 + len;
    }
    assert_int_equal(off, out->len);
    free(want);
}

/* Reads everything after since, in chunks of at most max bytes; returns the records read
 * and checks they follow on from since. */
static uint64_t read_all(fidx__wal_t *w, uint64_t since, size_t max, size_t pad)
{
    fidx__sbuf_t out;
    fidx__wal_chunk_t ch;
    uint64_t total = 0;
    fidx__sbuf_init(&out, 256 << 20);
    for (;;) {
        fidx__sbuf_reset(&out, SIZE_MAX);
        assert_int_equal(fidx__wal_read(w, since, max, &out, &ch), 0);
        if (ch.n == 0)
            break;
        assert_int_equal(ch.first_seq, since + 1);
        check_records(&out, &ch, pad);
        since += ch.n;
        total += ch.n;
    }
    assert_int_equal(since, fidx__wal_durable(w));
    fidx__sbuf_free(&out);
    return total;
}

static void test_records_after_any_number(void **state)
{
    (void)state;
    fidx__wal_t *w = open_log(fresh("after"), 1);
    append(w, 1, 0);
    append(w, 10, 0);
    uint64_t last = append(w, 100, 0);
    for (uint64_t since = 0; since <= last; since += 7)
        assert_int_equal(read_all(w, since, 1 << 20, 0), last - since);
    assert_int_equal(read_all(w, last, 1 << 20, 0), 0);
    fidx__wal_close(w);
}

static void test_size_bound_and_one_record_at_least(void **state)
{
    (void)state;
    fidx__sbuf_t out;
    fidx__wal_chunk_t ch;
    fidx__wal_t *w = open_log(fresh("bound"), 1);
    append(w, 50, 3000);
    fidx__sbuf_init(&out, 1 << 20);
    assert_int_equal(fidx__wal_read(w, 10, 1, &out, &ch), 0);
    assert_int_equal(ch.first_seq, 11);
    assert_int_equal(ch.n, 1); /* one record even when it is larger than the bound */
    check_records(&out, &ch, 3000);
    fidx__sbuf_reset(&out, SIZE_MAX);
    assert_int_equal(fidx__wal_read(w, 0, 10000, &out, &ch), 0);
    assert_true(ch.n >= 3 && ch.n < 50);
    assert_true(out.len >= 10000); /* it stops at the record that reaches the bound */
    check_records(&out, &ch, 3000);
    assert_int_equal(read_all(w, 0, 4096, 3000), 50);
    fidx__sbuf_free(&out);
    fidx__wal_close(w);
}

/* Enough log for many index entries, across a rotation and a reopening: segments written
 * before the reopening are indexed on the first read. */
static void test_across_segments_and_a_reopening(void **state)
{
    (void)state;
    const char *d = fresh("segments");
    fidx__wal_t *w = open_log(d, 1);
    for (int i = 0; i < 20; i++)
        append(w, 25, 2000); /* 500 records, ~500 KB: a few dozen index entries */
    uint64_t segment, last;
    assert_int_equal(fidx__wal_rotate(w, &segment, &last), 0);
    assert_int_equal(last, 500);
    append(w, 30, 2000);
    fidx__wal_close(w);
    w = open_log(d, 1); /* segments 1 and 2 are now old: indexed when read */
    uint64_t top = append(w, 5, 2000);
    assert_int_equal(top, 535);
    for (uint64_t since = 0; since < top; since += 37)
        assert_int_equal(read_all(w, since, 64 * 1024, 2000), top - since);
    assert_int_equal(fidx__wal_oldest(w), 1);
    assert_int_equal(fidx__wal_segment_of(w, 1), 1);
    assert_int_equal(fidx__wal_segment_of(w, 500), 1);
    assert_int_equal(fidx__wal_segment_of(w, 501), 2);
    assert_int_equal(fidx__wal_segment_of(w, 535), 3);
    fidx__wal_close(w);
}

static void test_folded_segments_go_or_stay(void **state)
{
    (void)state;
    fidx__sbuf_t out;
    fidx__wal_chunk_t ch;
    fidx__wal_t *w = open_log(fresh("fold"), 1);
    fidx__sbuf_init(&out, 1 << 20);
    append(w, 10, 0);
    uint64_t segment, last;
    assert_int_equal(fidx__wal_rotate(w, &segment, &last), 0);
    append(w, 5, 0);
    /* Kept for a while: still readable from the start. */
    fidx__wal_drop_before(w, segment, 3600 * 1000);
    assert_int_equal(fidx__wal_oldest(w), 1);
    assert_int_equal(read_all(w, 0, 1 << 20, 0), 15);
    /* Trimmed with nothing kept: gone. */
    fidx__wal_trim(w, 0);
    assert_int_equal(fidx__wal_oldest(w), 11);
    assert_int_equal(fidx__wal_read(w, 3, 1 << 20, &out, &ch), FIDX_ENOTFOUND);
    assert_int_equal(fidx__wal_read(w, 9, 1 << 20, &out, &ch), FIDX_ENOTFOUND);
    assert_int_equal(read_all(w, 10, 1 << 20, 0), 5);
    fidx__sbuf_free(&out);
    fidx__wal_close(w);
}

/* A replica that starts over from a newer snapshot jumps ahead: reads never cross the gap. */
static void test_a_restart_leaves_a_gap(void **state)
{
    (void)state;
    fidx__sbuf_t out;
    fidx__wal_chunk_t ch;
    fidx__wal_t *w = open_log(fresh("restart"), 1);
    fidx__sbuf_init(&out, 1 << 20);
    append(w, 10, 0);
    uint64_t segment;
    assert_int_equal(fidx__wal_restart(w, 5, &segment), FIDX_EINVAL); /* never back */
    assert_int_equal(fidx__wal_restart(w, 101, &segment), 0);
    assert_int_equal(segment, 2);
    assert_int_equal(fidx__wal_durable(w), 100);
    assert_int_equal(fidx__wal_next_seq(w), 101);
    append(w, 3, 0);
    assert_int_equal(read_all(w, 100, 1 << 20, 0), 3);
    /* Before the gap: what is there is read, never past it. */
    assert_int_equal(fidx__wal_read(w, 5, 1 << 20, &out, &ch), 0);
    assert_int_equal(ch.first_seq, 6);
    assert_int_equal(ch.n, 5);
    fidx__sbuf_reset(&out, SIZE_MAX);
    assert_int_equal(fidx__wal_read(w, 50, 1 << 20, &out, &ch), FIDX_ENOTFOUND);
    fidx__sbuf_free(&out);
    fidx__wal_close(w);
}

static void test_an_old_damaged_segment_is_refused(void **state)
{
    (void)state;
    char path[300];
    fidx__sbuf_t out;
    fidx__wal_chunk_t ch;
    const char *d = fresh("damaged");
    fidx__wal_t *w = open_log(d, 1);
    append(w, 10, 0);
    fidx__wal_close(w);
    w = open_log(d, 1);
    append(w, 2, 0);
    fidx__wal_segment_path(d, 1, path, sizeof path);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 70, SEEK_SET); /* inside the first group's records */
    fputc('#', f);
    fclose(f);
    fidx__sbuf_init(&out, 1 << 20);
    assert_int_equal(fidx__wal_read(w, 0, 1 << 20, &out, &ch), FIDX_ECORRUPT);
    fidx__sbuf_reset(&out, SIZE_MAX);
    assert_int_equal(fidx__wal_read(w, 10, 1 << 20, &out, &ch), 0); /* segment 2 is sound */
    assert_int_equal(ch.n, 2);
    fidx__sbuf_free(&out);
    fidx__wal_close(w);
}

static void test_an_empty_segment_starts_a_readers_log(void **state)
{
    (void)state;
    char msg[512];
    const char *d = fresh("empty");
    fidx__wal_replay_t st;
    assert_int_equal(fidx__wal_create_empty(d, 1, 42, msg, sizeof msg), 0);
    assert_int_equal(fidx__wal_create_empty(d, 1, 42, msg, sizeof msg), -1); /* exists */
    assert_int_equal(fidx__wal_replay(d, 1, FIDX__WAL_WRITABLE, NULL, NULL, &st, msg, sizeof msg),
                     0);
    assert_int_equal(st.first_seq, 42);
    assert_int_equal(st.next_seq, 42);
    fidx__wal_t *w = open_log(d, 1);
    assert_int_equal(fidx__wal_next_seq(w), 42);
    append(w, 3, 0);
    assert_int_equal(read_all(w, 41, 1 << 20, 0), 3);
    assert_int_equal(fidx__wal_oldest(w), 42);
    fidx__wal_close(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_after_any_number),
        cmocka_unit_test(test_size_bound_and_one_record_at_least),
        cmocka_unit_test(test_across_segments_and_a_reopening),
        cmocka_unit_test(test_folded_segments_go_or_stay),
        cmocka_unit_test(test_a_restart_leaves_a_gap),
        cmocka_unit_test(test_an_old_damaged_segment_is_refused),
        cmocka_unit_test(test_an_empty_segment_starts_a_readers_log),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
