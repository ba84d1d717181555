/* The report store on a file system that turns read-only under it (issue 12): the report's
 * line is written, its fdatasync fails, and so does cutting it off again, so the line stays
 * although the citizen was answered 503. Retrying then must not make a second report: after a
 * restart the line is a pending report, and the same value from the same address is that
 * report (its id, nothing appended). fdatasync and ftruncate are wrapped at link time
 * (service/CMakeLists.txt, *_faults_test). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "../svc_test.h"

#include "reports/reports.h"

#define NOW 1764279183

int __real_fdatasync(int fd);
int __real_ftruncate(int fd, off_t len);
ssize_t __real_writev(int fd, const struct iovec *iov, int n);

static int read_only; /* fdatasync and ftruncate fail with EROFS */

int __wrap_fdatasync(int fd)
{
    if (read_only) {
        errno = EROFS;
        return -1;
    }
    return __real_fdatasync(fd);
}

int __wrap_ftruncate(int fd, off_t len)
{
    if (read_only) {
        errno = EROFS;
        return -1;
    }
    return __real_ftruncate(fd, len);
}

ssize_t __wrap_writev(int fd, const struct iovec *iov, int n)
{
    return __real_writev(fd, iov, n);
}

static const uint8_t net[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2};
static const uint8_t wide[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1};

static int add(fidx__reports_t *st, char *id, int *merged)
{
    static const char value[] = "+84912345678";
    fidx__report_input_t in = {
        .kind = FIDX_KIND_PHONE,
        .value = value,
        .value_len = strlen(value),
        .query = "0912345678",
        .query_len = 10,
        .category = -1,
        .description = "",
        .net_key = net,
        .wide_key = wide,
    };
    fidx_err_t err = {0};
    return fidx__reports_add(st, &in, NOW, id, merged, &err);
}

static long file_size(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static void test_a_retry_after_a_failed_sync_is_the_same_report(void **state)
{
    (void)state;
    char file[128], id1[FIDX__REPORT_ID_LEN + 1], id2[FIDX__REPORT_ID_LEN + 1];
    fidx__reports_t *st;
    fidx_err_t err = {0};
    int merged = -1;
    snprintf(file, sizeof file, "%s/reports.jsonl", svc_tmp);
    assert_int_equal(fidx__reports_open(svc_tmp, 100, &st, &err), 0);

    read_only = 1;
    assert_int_equal(add(st, id1, &merged), FIDX_EIO); /* answered 503 */
    read_only = 0;
    long size = file_size(file);
    assert_true(size > 0); /* the line could not be taken back */
    fidx__reports_free(st);

    /* The restart finds it pending; the citizen's retry is recognised as it. */
    assert_int_equal(fidx__reports_open(svc_tmp, 100, &st, &err), 0);
    size_t p, a, r;
    fidx__reports_counts(st, &p, &a, &r);
    assert_int_equal(p, 1);
    assert_int_equal(add(st, id2, &merged), 0);
    assert_int_equal(merged, 1);
    assert_int_equal(file_size(file), size);
    fidx__reports_counts(st, &p, &a, &r);
    assert_int_equal(p, 1);
    fidx__reports_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_retry_after_a_failed_sync_is_the_same_report),
    };
    return cmocka_run_group_tests(tests, svc_tmp_setup, svc_tmp_teardown);
}
