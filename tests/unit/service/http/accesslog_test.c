/* Unit tests for http/accesslog.c: the line format (TIME PEER "METHOD PATH HTTP/x.y" STATUS
 * BYTES MICROSECONDS), a line that stays one line of printable ASCII whatever bytes the path
 * holds (and says them back), the query string never written (it holds the values citizens
 * check), and flushing to a file descriptor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../svc_test.h"
#include "http/accesslog.h"
#include "http/request.h"

#define T_2024_05_01_100000 1714557600 /* 2024-05-01T10:00:00Z */

static void line_format(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    fidx__accesslog_line(&b, T_2024_05_01_100000, "127.0.0.1", "GET", FIDX_STR("/v1/check"), 1, 1,
                         200, 312, 45999);
    static const char want[] =
        "2024-05-01T10:00:00Z 127.0.0.1 \"GET /v1/check HTTP/1.1\" 200 312 45\n";
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.p, want, b.len);
    /* A request that could not be read: no method, no peer known, HTTP/1.0. */
    fidx__sbuf_reset(&b, 1 << 20);
    fidx__accesslog_line(&b, 0, "", NULL, fidx_str(NULL, 0), 1, 0, 400, 0, 0);
    static const char unread[] = "1970-01-01T00:00:00Z - \"-\" 400 0 0\n";
    assert_int_equal(b.len, sizeof unread - 1);
    assert_memory_equal(b.p, unread, b.len);
    /* An empty path is "-"; lines append. */
    fidx__sbuf_reset(&b, 1 << 20);
    fidx__accesslog_line(&b, 0, "::1", "POST", fidx_str("", 0), 1, 0, 413, 18446744073709ull,
                         UINT64_MAX);
    fidx__accesslog_line(&b, 0, "::1", "HEAD", FIDX_STR("/"), 1, 1, 404, 0, 999);
    static const char two[] = "1970-01-01T00:00:00Z ::1 \"POST - HTTP/1.0\" 413 18446744073709 "
                              "18446744073709551\n"
                              "1970-01-01T00:00:00Z ::1 \"HEAD / HTTP/1.1\" 404 0 0\n";
    assert_int_equal(b.len, sizeof two - 1);
    assert_memory_equal(b.p, two, b.len);
    fidx__sbuf_free(&b);
}

/* The line holds exactly these space-separated fields, in printable ASCII; the path field,
 * unescaped, is returned in path. */
static size_t path_of_line(const char *line, size_t len, char *path, size_t cap)
{
    assert_true(len > 0 && line[len - 1] == '\n');
    size_t fields = 1, start = 0, n = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        unsigned char ch = (unsigned char)line[i];
        assert_true(ch >= 0x20 && ch < 0x7f);
        if (ch == ' ' && ++fields == 4)
            start = i + 1;
    }
    assert_int_equal(fields, 8);
    for (size_t i = start; line[i] != ' '; i++) {
        assert_true(n < cap);
        if (line[i] == '\\') {
            assert_int_equal(line[i + 1], 'x');
            unsigned v;
            assert_int_equal(sscanf(line + i + 2, "%2x", &v), 1);
            path[n++] = (char)v;
            i += 3;
        } else {
            assert_true(line[i] != '"');
            path[n++] = line[i];
        }
    }
    return n;
}

static void odd_bytes_escaped(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    static const char path[] = "/a b\"c\\d\n\r\t\x01\x7f\xc3\xa9\xff\x00z";
    char *p = svc_exact(path, sizeof path - 1);
    fidx__accesslog_line(&b, 0, "10.0.0.1", "GET", fidx_str(p, sizeof path - 1), 1, 1, 404, 1, 1);
    static const char want[] = "\"GET /a\\x20b\\x22c\\x5cd\\x0a\\x0d\\x09\\x01\\x7f\\xc3\\xa9\\xff"
                               "\\x00z HTTP/1.1\"";
    assert_non_null(memmem(b.p, b.len, want, sizeof want - 1));
    /* Every byte value: one line, and the path said back exactly. */
    char all[256], back[1024];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    for (size_t len = 1; len <= 256; len += 51) {
        fidx__sbuf_reset(&b, 1 << 20);
        fidx__accesslog_line(&b, 0, "10.0.0.1", "GET", fidx_str(all + 256 - len, len), 1, 1, 200, 0,
                             0);
        assert_int_equal(path_of_line(b.p, b.len, back, sizeof back), len);
        assert_memory_equal(back, all + 256 - len, len);
    }
    free(p);
    fidx__sbuf_free(&b);
}

/* What conn.c logs is the request's path, split from the target: the query, with the value a
 * citizen checked, is not in the line, however the target was written. */
static void query_never_logged(void **state)
{
    (void)state;
    static const char *const targets[] = {
        "/v1/check?q=0912345678",         "/v1/check?q=0912345678#top",
        "/check?kind=phone&q=0912345678", "http://127.0.0.1:8080/v1/check?q=0912345678",
        "http://h?q=0912345678",          "/v1/check?q=%30%39%31%32%33%34%35%36%37%38",
    };
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        fidx__req_t req;
        memset(&req, 0, sizeof req);
        char *t = svc_exact_str(targets[i]);
        req.target = fidx_str(t, strlen(targets[i]));
        assert_int_equal(fidx__req_split_target(&req), 0);
        fidx__sbuf_reset(&b, 1 << 20);
        fidx__accesslog_line(&b, T_2024_05_01_100000, "127.0.0.1", "GET", req.path, 1, 1, 200, 10,
                             10);
        if (memmem(b.p, b.len, "0912", 4) || memmem(b.p, b.len, "%30", 3) ||
            memchr(b.p, '?', b.len) || memmem(b.p, b.len, "q=", 2))
            fail_msg("the query of %s is in the line %.*s", targets[i], (int)b.len, b.p);
        char path[256];
        size_t n = path_of_line(b.p, b.len, path, sizeof path);
        assert_true(n == req.path.len && memcmp(path, req.path.p, n) == 0);
        free(t);
    }
    fidx__sbuf_free(&b);
}

/* Reads all of fd from the start. */
static size_t slurp(int fd, char *out, size_t cap)
{
    size_t n = 0;
    ssize_t r;
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    while ((r = read(fd, out + n, cap - n)) > 0)
        n += (size_t)r;
    assert_true(r == 0);
    return n;
}

static void flush_to_a_pipe(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    fidx__accesslog_line(&b, 0, "a", "GET", FIDX_STR("/healthz"), 1, 1, 200, 2, 3000);
    fidx__accesslog_line(&b, 0, "b", "GET", FIDX_STR("/metrics"), 1, 1, 200, 4, 5000);
    size_t len = b.len;
    char *want = svc_exact(b.p, len);
    fidx__accesslog_flush(fds[1], &b);
    assert_int_equal(b.len, 0); /* emptied */
    assert_false(b.failed);
    close(fds[1]);
    char got[512];
    size_t n = 0;
    ssize_t r;
    while ((r = read(fds[0], got + n, sizeof got - n)) > 0)
        n += (size_t)r;
    close(fds[0]);
    assert_int_equal(n, len);
    assert_memory_equal(got, want, len);
    free(want);
    fidx__sbuf_free(&b);
}

static void flush_appends_to_the_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/fidx-accesslog-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/access.log", dir);
    /* A file that is there already is appended to, never truncated. */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("earlier line\n", f);
    fclose(f);
    int fd = fidx__accesslog_open(path);
    assert_true(fd >= 0);
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 4 * 1024 * 1024);
    /* More than one write's worth, in two flushes. */
    size_t lines = 0;
    while (b.len < 300 * 1024) {
        fidx__accesslog_line(&b, 0, "127.0.0.1", "GET", FIDX_STR("/v1/check"), 1, 1, 200, 1, 1);
        lines++;
    }
    size_t first = b.len;
    fidx__accesslog_flush(fd, &b);
    assert_int_equal(b.len, 0);
    assert_true(b.cap <= 256 * 1024); /* a large buffer is given back */
    fidx__accesslog_line(&b, 0, "127.0.0.1", "GET", FIDX_STR("/last"), 1, 1, 200, 1, 1);
    size_t second = b.len;
    fidx__accesslog_flush(fd, &b);
    int rfd = open(path, O_RDONLY);
    assert_true(rfd >= 0);
    char *all = malloc(first + second + 64);
    assert_non_null(all);
    size_t n = slurp(rfd, all, first + second + 64);
    assert_int_equal(n, 13 + first + second);
    assert_memory_equal(all, "earlier line\n", 13);
    assert_memory_equal(all + n - second, "1970-01-01T00:00:00Z 127.0.0.1 \"GET /last", 41);
    size_t newlines = 0;
    for (size_t i = 0; i < n; i++)
        newlines += all[i] == '\n';
    assert_int_equal(newlines, 1 + lines + 1);
    free(all);
    close(rfd);
    close(fd);
    fidx__sbuf_free(&b);
    unlink(path);
    /* A file the log creates is not for others to read. */
    int nfd = fidx__accesslog_open(path);
    struct stat st;
    assert_true(nfd >= 0);
    assert_int_equal(fstat(nfd, &st), 0);
    assert_int_equal(st.st_mode & 0007, 0);
    close(nfd);
    unlink(path);
    rmdir(dir);
    assert_int_equal(fidx__accesslog_open("/nonexistent-dir/access.log"), -1);
}

/* A write that fails drops the lines with a warning on stderr: the buffer is emptied, so a
 * broken log never holds the service's memory. */
static void failed_write_drops(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    close(fds[1]); /* a descriptor that is closed: EBADF */
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    fidx__accesslog_line(&b, 0, "a", "GET", FIDX_STR("/"), 1, 1, 200, 0, 0);
    fidx__accesslog_flush(fds[1], &b);
    assert_int_equal(b.len, 0);
    assert_false(b.failed);
    fidx__sbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_format),
        cmocka_unit_test(odd_bytes_escaped),
        cmocka_unit_test(query_never_logged),
        cmocka_unit_test(flush_to_a_pipe),
        cmocka_unit_test(flush_appends_to_the_file),
        cmocka_unit_test(failed_write_drops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
