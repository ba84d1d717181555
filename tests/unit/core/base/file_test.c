/* Unit tests for file.c: a regular file opens (blocking again), a FIFO without a writer is
 * refused at once instead of blocking the caller, a directory or device is refused, a missing
 * file is -1 with ENOENT. */
#include <errno.h>
#include <fcntl.h>
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

#include "fidx/file.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/fidx-file-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "%s/x", dir);
    unlink(path);
    rmdir(path);
    return rmdir(dir);
}

static void a_regular_file_opens_blocking(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "%s/x", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("hello", f);
    fclose(f);
    struct stat st;
    int fd = fidx_file_open_regular(path, O_NOFOLLOW, &st);
    assert_true(fd >= 0);
    assert_int_equal(st.st_size, 5);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    unlink(path);
}

/* Without O_NONBLOCK this open would wait for a writer forever (the test would hang). */
static void a_fifo_is_refused_without_blocking(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "%s/x", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    errno = 0;
    assert_int_equal(fidx_file_open_regular(path, 0, NULL), FIDX_FILE_NOT_REGULAR);
    assert_int_equal(errno, EINVAL);
    unlink(path);
}

static void directories_and_devices_are_refused(void **state)
{
    (void)state;
    assert_int_equal(fidx_file_open_regular(dir, 0, NULL), FIDX_FILE_NOT_REGULAR);
    assert_int_equal(fidx_file_open_regular("/dev/null", 0, NULL), FIDX_FILE_NOT_REGULAR);
}

static void a_missing_file_is_enoent(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(fidx_file_open_regular(path, 0, NULL), -1);
    assert_int_equal(errno, ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_regular_file_opens_blocking),
        cmocka_unit_test(a_fifo_is_refused_without_blocking),
        cmocka_unit_test(directories_and_devices_are_refused),
        cmocka_unit_test(a_missing_file_is_enoent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
