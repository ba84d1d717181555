/* The write-ahead log when the disk misbehaves (issue 12): fdatasync and writev are wrapped at
 * link time (-Wl,--wrap, see service/CMakeLists.txt), so the test decides when a sync returns
 * and which write fails. What it holds the log to:
 *   - an append is acknowledged (durable, on_durable called) only after its segment's fdatasync
 *     and its audit line's have returned, never before or without them;
 *   - a failed sync answers an error to the waiting writer and cuts the segment back to its
 *     last durable group;
 *   - a change whose audit line cannot be written whole is not acknowledged, and neither a torn
 *     audit line nor its group is left behind. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../svc_test.h"

#include "admin/audit.h"
#include "admin/wal.h"

/* ---- the wrapped calls ---- */

int __real_fdatasync(int fd);
ssize_t __real_writev(int fd, const struct iovec *iov, int n);
int __real_ftruncate(int fd, off_t len);

int __wrap_ftruncate(int fd, off_t len)
{
    return __real_ftruncate(fd, len);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int gate_fd = -1; /* fdatasync on it waits until opened */
static int gate_open = 1;
static int sync_calls;         /* fdatasync calls on gate_fd or fail_sync_fd */
static int fail_sync_fd = -1;  /* fdatasync on it fails with EIO */
static int tear_write_fd = -1; /* writev on it writes half, then fails with ENOSPC */

int __wrap_fdatasync(int fd)
{
    pthread_mutex_lock(&mu);
    if (fd == gate_fd || fd == fail_sync_fd)
        sync_calls++;
    pthread_cond_broadcast(&cond);
    while (fd == gate_fd && !gate_open)
        pthread_cond_wait(&cond, &mu);
    int fail = fd == fail_sync_fd;
    pthread_mutex_unlock(&mu);
    if (fail) {
        errno = EIO;
        return -1;
    }
    return __real_fdatasync(fd);
}

ssize_t __wrap_writev(int fd, const struct iovec *iov, int n)
{
    if (fd == tear_write_fd && n >= 1 && iov[0].iov_len > 1) {
        ssize_t w = write(fd, iov[0].iov_base, iov[0].iov_len / 2);
        (void)w;
        errno = ENOSPC;
        return -1;
    }
    return __real_writev(fd, iov, n);
}

/* ---- helpers ---- */

static _Atomic uint64_t durable_seen;

static void on_durable(void *ctx, uint64_t seq)
{
    (void)ctx;
    durable_seen = seq;
}

static fidx__wal_t *open_log(const char *d, int audit_fd)
{
    fidx__wal_t *w;
    char msg[512];
    fidx__wal_replay_t st;
    assert_int_equal(fidx__wal_replay(d, 1, FIDX__WAL_WRITABLE, NULL, NULL, &st, msg, sizeof msg),
                     0);
    assert_int_equal(
        fidx__wal_open(d, 1, st.next_seq, audit_fd, on_durable, NULL, NULL, &w, msg, sizeof msg),
        0);
    durable_seen = 0;
    return w;
}

/* Appends one record (and an audit line when `audit`) without waiting; its sequence number. */
static uint64_t append_one(fidx__wal_t *w, const char *audit)
{
    fidx__sbuf_t b;
    uint64_t seq = fidx__wal_next_seq(w);
    fidx__sbuf_init(&b, 1 << 20);
    fidx__wal_record(&b, FIDX__WAL_PUT, "a record", 8);
    assert_int_equal(fidx__wal_append(w, b.p, b.len, 1, audit, audit ? strlen(audit) : 0), 0);
    fidx__sbuf_free(&b);
    return seq;
}

static long file_size(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static uint64_t replayed(const char *d)
{
    char msg[512];
    fidx__wal_replay_t st;
    assert_int_equal(fidx__wal_replay(d, 1, FIDX__WAL_READ_ONLY, NULL, NULL, &st, msg, sizeof msg),
                     0);
    return st.records;
}

/* The descriptor this process has open on path (found through /proc/self/fd). */
static int fd_of(const char *path)
{
    char want[PATH_MAX], link[64], got[PATH_MAX];
    assert_non_null(realpath(path, want));
    for (int fd = 0; fd < 1024; fd++) {
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, got, sizeof got - 1);
        if (n <= 0)
            continue;
        got[n] = '\0';
        if (strcmp(got, want) == 0)
            return fd;
    }
    fail_msg("no descriptor open on %s", path);
    return -1;
}

static int segment_fd(const char *d)
{
    char p[300];
    fidx__wal_segment_path(d, 1, p, sizeof p);
    return fd_of(p);
}

/* ---- tests ---- */

static void test_acknowledged_only_after_the_sync(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("gate");
    fidx__wal_t *w = open_log(d, -1);
    int seg = segment_fd(d);
    pthread_mutex_lock(&mu);
    gate_fd = seg;
    gate_open = 0;
    sync_calls = 0;
    pthread_mutex_unlock(&mu);

    uint64_t seq = append_one(w, NULL);
    /* Wait (bounded) until the commit thread is inside the segment's fdatasync. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&mu);
    while (sync_calls == 0 && pthread_cond_timedwait(&cond, &mu, &until) == 0)
        ;
    int synced = sync_calls;
    pthread_mutex_unlock(&mu);
    assert_true(synced > 0); /* the append reached fdatasync on its segment */
    assert_true(fidx__wal_durable(w) < seq);
    assert_true(durable_seen < seq);

    pthread_mutex_lock(&mu);
    gate_open = 1;
    gate_fd = -1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&mu);
    assert_int_equal(fidx__wal_wait(w, seq), 0);
    assert_true(fidx__wal_durable(w) >= seq);
    assert_true(durable_seen >= seq);
    fidx__wal_close(w);
}

/* The same for the audit line: a change is acknowledged only once its audit line is synced
 * too (a mutant that dropped the audit's fdatasync survived the test above). */
static void test_acknowledged_only_after_the_audit_sync(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("audit-gate");
    char msg[512];
    int afd = fidx__audit_open(d, msg, sizeof msg);
    assert_true(afd >= 0);
    fidx__wal_t *w = open_log(d, afd);
    pthread_mutex_lock(&mu);
    gate_fd = afd;
    gate_open = 0;
    sync_calls = 0;
    pthread_mutex_unlock(&mu);

    uint64_t seq = append_one(w, "{\"n\":1}\n");
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&mu);
    while (sync_calls == 0 && pthread_cond_timedwait(&cond, &mu, &until) == 0)
        ;
    int synced = sync_calls;
    pthread_mutex_unlock(&mu);
    assert_true(synced > 0); /* the append reached fdatasync on the audit log */
    assert_true(fidx__wal_durable(w) < seq);
    assert_true(durable_seen < seq);

    pthread_mutex_lock(&mu);
    gate_open = 1;
    gate_fd = -1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&mu);
    assert_int_equal(fidx__wal_wait(w, seq), 0);
    assert_true(durable_seen >= seq);
    fidx__wal_close(w);
    close(afd);
}

static void test_failed_sync_is_an_error_and_cuts_back(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("failsync");
    char seg_path[300];
    fidx__wal_t *w = open_log(d, -1);
    int seg = segment_fd(d);
    assert_int_equal(fidx__wal_wait(w, append_one(w, NULL)), 0);
    fidx__wal_segment_path(d, 1, seg_path, sizeof seg_path);
    long before = file_size(seg_path);

    fail_sync_fd = seg;
    uint64_t seq = append_one(w, NULL);
    assert_int_not_equal(fidx__wal_wait(w, seq), 0);
    fail_sync_fd = -1;
    assert_true(fidx__wal_failed(w));
    assert_true(fidx__wal_durable(w) < seq);
    assert_int_equal(file_size(seg_path), before);
    fidx__wal_close(w);
    assert_int_equal(replayed(d), 1);
}

static void test_a_change_without_its_audit_line_is_not_acknowledged(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("audit");
    char msg[512], seg_path[300], audit_path[300];
    int afd = fidx__audit_open(d, msg, sizeof msg);
    assert_true(afd >= 0);
    fidx__wal_t *w = open_log(d, afd);
    assert_int_equal(fidx__wal_wait(w, append_one(w, "{\"n\":1}\n")), 0);
    fidx__wal_segment_path(d, 1, seg_path, sizeof seg_path);
    snprintf(audit_path, sizeof audit_path, "%s/%s", d, FIDX__AUDIT_FILE);
    long seg_before = file_size(seg_path), audit_before = file_size(audit_path);

    tear_write_fd = afd;
    uint64_t seq = append_one(w, "{\"n\":2,\"a longer line\":\"to tear in the middle\"}\n");
    assert_int_not_equal(fidx__wal_wait(w, seq), 0);
    tear_write_fd = -1;
    assert_true(fidx__wal_durable(w) < seq);
    assert_true(durable_seen < seq);
    /* Neither a torn audit line nor the group it belonged to is left. */
    assert_int_equal(file_size(audit_path), audit_before);
    assert_int_equal(file_size(seg_path), seg_before);
    fidx__wal_close(w);
    close(afd);
    assert_int_equal(replayed(d), 1);
}

static void test_a_torn_audit_tail_is_cut_at_open(void **state)
{
    (void)state;
    const char *d = svc_tmp_subdir("torn-audit");
    char msg[512], path[300];
    snprintf(path, sizeof path, "%s/%s", d, FIDX__AUDIT_FILE);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"n\":1}\n{\"n\":2}\n{\"n\":3,\"torn", f);
    fclose(f);
    int afd = fidx__audit_open(d, msg, sizeof msg);
    assert_true(afd >= 0);
    assert_int_equal(file_size(path), (long)strlen("{\"n\":1}\n{\"n\":2}\n"));
    close(afd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acknowledged_only_after_the_sync),
        cmocka_unit_test(test_acknowledged_only_after_the_audit_sync),
        cmocka_unit_test(test_failed_sync_is_an_error_and_cuts_back),
        cmocka_unit_test(test_a_change_without_its_audit_line_is_not_acknowledged),
        cmocka_unit_test(test_a_torn_audit_tail_is_cut_at_open),
    };
    return cmocka_run_group_tests(tests, svc_tmp_setup, svc_tmp_teardown);
}
