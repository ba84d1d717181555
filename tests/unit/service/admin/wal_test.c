/* Unit tests of the write-ahead log (service/src/wal.h) at the byte level: records come back in
 * order with their sequence numbers across groups, segments and reopenings; concurrent writers
 * share fsyncs; a torn tail is cut (or, read-only, left alone) and every record before it kept;
 * damage with intact groups after it is refused with the file, the offset and the repair;
 * repairing cuts there and sets the rest aside; rotation and dropping old segments. */
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

#include "../svc_test.h"
#include <pthread.h>

#include "admin/wal.h"

typedef struct {
    uint64_t n, first, last, bad;
    char body[64];
} seen_t;

static int count_cb(void *ctx, uint64_t seq, unsigned type, const char *body, size_t len)
{
    seen_t *s = ctx;
    char want[32];
    snprintf(want, sizeof want, "record %llu", (unsigned long long)seq);
    if (type != FIDX__WAL_PUT || len != strlen(want) || memcmp(body, want, len) != 0 ||
        (s->n && seq != s->last + 1))
        s->bad++;
    if (!s->n)
        s->first = seq;
    s->last = seq;
    s->n++;
    return 0;
}

static uint64_t durable_seen;

static void on_durable(void *ctx, uint64_t seq)
{
    (void)ctx;
    durable_seen = seq;
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

/* Appends n records as one request and waits for them; returns the last sequence number. */
static uint64_t append(fidx__wal_t *w, uint64_t n)
{
    fidx__sbuf_t b;
    uint64_t first = fidx__wal_next_seq(w);
    fidx__sbuf_init(&b, 1 << 20);
    for (uint64_t i = 0; i < n; i++) {
        char body[32];
        snprintf(body, sizeof body, "record %llu", (unsigned long long)(first + i));
        fidx__wal_record(&b, FIDX__WAL_PUT, body, strlen(body));
    }
    assert_int_equal(fidx__wal_append(w, b.p, b.len, n, NULL, 0), 0);
    fidx__sbuf_free(&b);
    assert_int_equal(fidx__wal_wait(w, first + n - 1), 0);
    return first + n - 1;
}

static seen_t replay(const char *d, int mode, int want_rc, char *msg, size_t cap)
{
    seen_t s = {0};
    fidx__wal_replay_t st;
    msg[0] = '\0';
    assert_int_equal(fidx__wal_replay(d, 1, mode, count_cb, &s, &st, msg, cap), want_rc);
    assert_int_equal(s.bad, 0);
    return s;
}

static void segment_path(const char *d, uint64_t n, char *out, size_t cap)
{
    fidx__wal_segment_path(d, n, out, cap);
}

static long file_size(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static void append_bytes(const char *p, const void *b, size_t n)
{
    FILE *f = fopen(p, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

static void test_records_come_back_in_order(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("order");
    char msg[512];
    fidx__wal_t *w = open_log(d, 1);
    assert_int_equal(append(w, 1), 1);
    assert_int_equal(append(w, 10), 11);
    assert_int_equal(durable_seen, 11);
    assert_int_equal(fidx__wal_durable(w), 11);
    assert_false(fidx__wal_failed(w));
    fidx__wal_close(w);
    w = open_log(d, 1); /* a new segment, numbers go on */
    assert_int_equal(append(w, 5), 16);
    fidx__wal_close(w);
    seen_t s = replay(d, FIDX__WAL_READ_ONLY, 0, msg, sizeof msg);
    assert_int_equal(s.n, 16);
    assert_int_equal(s.first, 1);
    assert_int_equal(s.last, 16);
}

typedef struct {
    fidx__wal_t *w;
    pthread_mutex_t *mu;
} writer_t;

static void *writer(void *arg)
{
    writer_t *wr = arg;
    for (int i = 0; i < 50; i++) {
        char body[32];
        fidx__sbuf_t b;
        fidx__sbuf_init(&b, 1024);
        pthread_mutex_lock(wr->mu); /* the service's writers' lock */
        uint64_t seq = fidx__wal_next_seq(wr->w);
        snprintf(body, sizeof body, "record %llu", (unsigned long long)seq);
        fidx__wal_record(&b, FIDX__WAL_PUT, body, strlen(body));
        int rc = fidx__wal_append(wr->w, b.p, b.len, 1, "{}\n", 3);
        pthread_mutex_unlock(wr->mu);
        fidx__sbuf_free(&b);
        if (rc || fidx__wal_wait(wr->w, seq) != 0)
            return (void *)1;
    }
    return NULL;
}

/* Sixteen writers waiting for their own records share fsyncs, and every record is kept. */
static void test_group_commit(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("group");
    char msg[512];
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    fidx__wal_t *w = open_log(d, 1);
    pthread_t th[16];
    writer_t wr = {w, &mu};
    for (int i = 0; i < 16; i++)
        assert_int_equal(pthread_create(&th[i], NULL, writer, &wr), 0);
    for (int i = 0; i < 16; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_null(r);
    }
    fidx__wal_stats_t st;
    fidx__wal_stats(w, &st);
    assert_int_equal(st.records, 800);
    assert_true(st.groups < st.records);
    fidx__wal_close(w);
    assert_int_equal(replay(d, FIDX__WAL_READ_ONLY, 0, msg, sizeof msg).n, 800);
}

/* A torn last group: read-only leaves it, writable cuts it; everything before is kept. */
static void test_torn_tail(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("torn");
    char msg[512], seg[300];
    fidx__wal_t *w = open_log(d, 1);
    append(w, 3);
    append(w, 4);
    fidx__wal_close(w);
    segment_path(d, 1, seg, sizeof seg);
    long size = file_size(seg);
    static const char torn[] = "FWG1\x02\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00garbage";
    append_bytes(seg, torn, sizeof torn - 1);
    assert_int_equal(replay(d, FIDX__WAL_READ_ONLY, 0, msg, sizeof msg).n, 7);
    assert_int_equal(file_size(seg), size + (long)sizeof torn - 1);
    assert_int_equal(replay(d, FIDX__WAL_WRITABLE, 0, msg, sizeof msg).n, 7);
    assert_int_equal(file_size(seg), size);
    /* Zeros (a power cut extends files with them) are a torn tail too. */
    char zeros[5000] = {0};
    append_bytes(seg, zeros, sizeof zeros);
    assert_int_equal(replay(d, FIDX__WAL_WRITABLE, 0, msg, sizeof msg).n, 7);
    assert_int_equal(file_size(seg), size);
}

/* A segment whose header was being written when the crash came holds nothing: removed. */
static void test_torn_segment_header(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("torn-header");
    char msg[512], seg[300];
    fidx__wal_t *w = open_log(d, 1);
    append(w, 2);
    fidx__wal_close(w);
    segment_path(d, 2, seg, sizeof seg);
    append_bytes(seg, "FIDXWAL1\x02", 9);
    assert_int_equal(replay(d, FIDX__WAL_WRITABLE, 0, msg, sizeof msg).n, 2);
    assert_int_equal(file_size(seg), -1);
    w = open_log(d, 1);
    assert_int_equal(append(w, 1), 3);
    fidx__wal_close(w);
}

/* Damage with an intact group after it: refused (whatever the mode but repair), naming the
 * file, the byte and the repair; repairing cuts there, keeps a copy and sets later segments
 * aside. */
static void test_damage_in_the_middle(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("middle");
    char msg[1024], seg[300], saved[320];
    fidx__wal_t *w = open_log(d, 1);
    append(w, 2);
    append(w, 2);
    append(w, 2);
    fidx__wal_close(w);
    w = open_log(d, 1);
    append(w, 1);
    fidx__wal_close(w);
    segment_path(d, 1, seg, sizeof seg);
    /* The second group starts after the segment header, the first group's header and its two
     * records ("record 1", "record 2": 8 + 8 bytes each). */
    long second = 32 + 32 + 2 * (8 + 8);
    FILE *f = fopen(seg, "r+b");
    assert_non_null(f);
    fseek(f, second + 40, SEEK_SET);
    fputc('X', f);
    fclose(f);
    replay(d, FIDX__WAL_WRITABLE, -1, msg, sizeof msg);
    assert_non_null(strstr(msg, seg));
    char at[40];
    snprintf(at, sizeof at, "byte %ld", second);
    assert_non_null(strstr(msg, at));
    assert_non_null(strstr(msg, "--repair-wal"));
    replay(d, FIDX__WAL_READ_ONLY, -1, msg, sizeof msg);
    assert_int_equal(replay(d, FIDX__WAL_REPAIR, 0, msg, sizeof msg).n, 2);
    snprintf(saved, sizeof saved, "%s.damaged", seg);
    assert_true(file_size(saved) > 0);
    assert_int_equal(file_size(seg), second);
    segment_path(d, 2, seg, sizeof seg);
    assert_int_equal(file_size(seg), -1); /* set aside */
    assert_int_equal(replay(d, FIDX__WAL_WRITABLE, 0, msg, sizeof msg).n, 2);
}

/* Rotation starts a segment where numbers go on; old segments can then be dropped and a
 * replay from the new one sees only what came after. */
static void test_rotate_and_drop(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("rotate");
    char msg[512], seg[300];
    fidx__wal_t *w = open_log(d, 1);
    append(w, 3);
    uint64_t segment, last;
    assert_int_equal(fidx__wal_rotate(w, &segment, &last), 0);
    assert_int_equal(segment, 2);
    assert_int_equal(last, 3);
    append(w, 2);
    fidx__wal_drop_before(w, segment);
    fidx__wal_close(w);
    segment_path(d, 1, seg, sizeof seg);
    assert_int_equal(file_size(seg), -1);
    seen_t s = replay(d, FIDX__WAL_READ_ONLY, 0, msg, sizeof msg);
    assert_int_equal(s.first, 4);
    assert_int_equal(s.last, 5);
}

static int stop_cb(void *ctx, uint64_t seq, unsigned type, const char *body, size_t len)
{
    (void)ctx;
    (void)type;
    (void)body;
    (void)len;
    return seq == 2 ? -4 /* FIDX_ENOMEM */ : 0;
}

/* A callback that fails stops the replay with a message. */
static void test_callback_failure(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("cb");
    char msg[512];
    fidx__wal_replay_t st;
    fidx__wal_t *w = open_log(d, 1);
    append(w, 3);
    fidx__wal_close(w);
    assert_int_equal(
        fidx__wal_replay(d, 1, FIDX__WAL_READ_ONLY, stop_cb, NULL, &st, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "out of memory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_come_back_in_order),
        cmocka_unit_test(test_group_commit),
        cmocka_unit_test(test_torn_tail),
        cmocka_unit_test(test_torn_segment_header),
        cmocka_unit_test(test_damage_in_the_middle),
        cmocka_unit_test(test_rotate_and_drop),
        cmocka_unit_test(test_callback_failure),
    };
    return cmocka_run_group_tests(tests, svc_tmp_setup, svc_tmp_teardown);
}
