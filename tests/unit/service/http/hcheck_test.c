/* Unit tests for http/hcheck.c, each framing check on its own, with its verdict and reason.
 * Through the integration tests a request also passes http-parser, which refuses some of these
 * shapes itself: a check that stopped working there could go unnoticed (a mutant that dropped
 * "Content-Length with Transfer-Encoding" survived). Here nothing stands in front of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../svc_test.h"
#include "http/hcheck.h"

#define MAX_HEAD 8192
#define MAX_BODY 1000

/* The header fields of one request, as name/value pairs ending with NULL, judged for an
 * HTTP/major.minor request that http-parser found chunked or not. Names and values go in two
 * pieces each, as the parser may hand them over. Returns the code; *reason the reason. */
static int judge(const char *const *f, unsigned major, unsigned minor, int chunked,
                 fidx__hcheck_t *c)
{
    fidx__hcheck_init(c, MAX_HEAD, MAX_BODY);
    c->reason = NULL;
    for (size_t i = 0; f[i]; i += 2) {
        size_t nl = strlen(f[i]), vl = strlen(f[i + 1]);
        char *n = svc_exact(f[i], nl), *v = svc_exact(f[i + 1], vl);
        int r = fidx__hcheck_field(c, n, nl / 2);
        if (!r)
            r = fidx__hcheck_field(c, n + nl / 2, nl - nl / 2);
        if (!r)
            r = fidx__hcheck_value(c, v, vl / 2);
        if (!r)
            r = fidx__hcheck_value(c, v + vl / 2, vl - vl / 2);
        free(n);
        free(v);
        if (r)
            return r;
    }
    return fidx__hcheck_headers_done(c, major, minor, chunked);
}

#define REFUSED(code, why, chunked, ...)                                                           \
    do {                                                                                           \
        const char *f_[] = {__VA_ARGS__, NULL};                                                    \
        fidx__hcheck_t c_;                                                                         \
        assert_int_equal(judge(f_, 1, 1, chunked, &c_), code);                                     \
        assert_non_null(c_.reason);                                                                \
        assert_string_equal(c_.reason, why);                                                       \
    } while (0)

#define ACCEPTED(chunked, ...)                                                                     \
    do {                                                                                           \
        const char *f_[] = {__VA_ARGS__, NULL};                                                    \
        fidx__hcheck_t c_;                                                                         \
        assert_int_equal(judge(f_, 1, 1, chunked, &c_), 0);                                        \
        assert_int_equal(c_.phase, chunked ? FIDX__HC_CHUNKED : FIDX__HC_BODY);                    \
    } while (0)

static void content_length(void **state)
{
    (void)state;
    ACCEPTED(0, "Host", "a", "Content-Length", "5");
    ACCEPTED(0, "Host", "a", "content-length", " 1000 "); /* at the limit, blanks trimmed */
    REFUSED(FIDX_ETOOBIG, "request body too large", 0, "Host", "a", "Content-Length", "1001");
    REFUSED(FIDX_EINVAL, "repeated Content-Length", 0, "Host", "a", "Content-Length", "5",
            "Content-Length", "5");
    REFUSED(FIDX_EINVAL, "repeated Content-Length", 0, "Content-Length", "5", "Host", "a",
            "CONTENT-LENGTH", "6");
    REFUSED(FIDX_EINVAL, "Content-Length list", 0, "Host", "a", "Content-Length", "5, 5");
    REFUSED(FIDX_EINVAL, "Content-Length list", 0, "Host", "a", "Content-Length", "5,5");
    REFUSED(FIDX_EINVAL, "invalid Content-Length", 0, "Host", "a", "Content-Length", "");
    REFUSED(FIDX_EINVAL, "invalid Content-Length", 0, "Host", "a", "Content-Length", "+5");
    REFUSED(FIDX_EINVAL, "invalid Content-Length", 0, "Host", "a", "Content-Length", "0x5");
    REFUSED(FIDX_EINVAL, "invalid Content-Length", 0, "Host", "a", "Content-Length", "5 5");
    REFUSED(FIDX_EINVAL, "invalid Content-Length", 0, "Host", "a", "Content-Length",
            "00000000000000000001"); /* 20 digits */
    REFUSED(FIDX_ETOOBIG, "request body too large", 0, "Host", "a", "Content-Length",
            "9999999999999999999"); /* 19 digits: read, then over the limit */
}

static void content_length_with_transfer_encoding(void **state)
{
    (void)state;
    /* Both orders, and whatever http-parser decided. */
    REFUSED(FIDX_EINVAL, "Content-Length with Transfer-Encoding", 1, "Host", "a", "Content-Length",
            "5", "Transfer-Encoding", "chunked");
    REFUSED(FIDX_EINVAL, "Content-Length with Transfer-Encoding", 1, "Host", "a",
            "Transfer-Encoding", "chunked", "Content-Length", "5");
    REFUSED(FIDX_EINVAL, "Content-Length with Transfer-Encoding", 0, "Host", "a",
            "Transfer-Encoding", "chunked", "Content-Length", "0");
}

static void transfer_encoding(void **state)
{
    (void)state;
    ACCEPTED(1, "Host", "a", "Transfer-Encoding", "chunked");
    ACCEPTED(1, "Host", "a", "transfer-encoding", "\tChunked ");
    REFUSED(FIDX_EINVAL, "Transfer-Encoding other than chunked", 1, "Host", "a",
            "Transfer-Encoding", "gzip, chunked");
    REFUSED(FIDX_EINVAL, "Transfer-Encoding other than chunked", 1, "Host", "a",
            "Transfer-Encoding", "chunked, gzip");
    REFUSED(FIDX_EINVAL, "Transfer-Encoding other than chunked", 1, "Host", "a",
            "Transfer-Encoding", "xchunked");
    REFUSED(FIDX_EINVAL, "Transfer-Encoding other than chunked", 0, "Host", "a",
            "Transfer-Encoding", "identity");
    REFUSED(FIDX_EINVAL, "repeated Transfer-Encoding", 1, "Host", "a", "Transfer-Encoding",
            "chunked", "Transfer-Encoding", "chunked");
    /* http-parser's verdict must agree with the fields'. */
    REFUSED(FIDX_EINVAL, "ambiguous message framing", 0, "Host", "a", "Transfer-Encoding",
            "chunked");
    REFUSED(FIDX_EINVAL, "ambiguous message framing", 1, "Host", "a");
    const char *te[] = {"Transfer-Encoding", "chunked", NULL};
    fidx__hcheck_t c;
    assert_int_equal(judge(te, 1, 0, 1, &c), FIDX_EINVAL);
    assert_string_equal(c.reason, "Transfer-Encoding in an HTTP/1.0 request");
}

static void host_and_version(void **state)
{
    (void)state;
    REFUSED(FIDX_EINVAL, "missing Host header", 0, "Accept", "*/*");
    REFUSED(FIDX_EINVAL, "repeated Host header", 0, "Host", "a", "host", "b");
    const char *none[] = {NULL}, *host[] = {"Host", "a", NULL};
    fidx__hcheck_t c;
    assert_int_equal(judge(none, 1, 0, 0, &c), 0); /* HTTP/1.0 needs no Host */
    assert_int_equal(judge(host, 1, 1, 0, &c), 0);
    unsigned bad[][2] = {{2, 0}, {1, 2}, {0, 9}, {3, 1}};
    for (size_t i = 0; i < 4; i++) {
        c.reason = NULL;
        assert_int_equal(judge(host, bad[i][0], bad[i][1], 0, &c), FIDX_EINVAL);
        assert_string_equal(c.reason, "unsupported HTTP version");
    }
}

static void header_names(void **state)
{
    (void)state;
    REFUSED(FIDX_EINVAL, "invalid character in a header name", 0, "Host", "a", "Content-Length ",
            "5");
    REFUSED(FIDX_EINVAL, "invalid character in a header name", 0, "Host", "a", "X:Y", "5");
    REFUSED(FIDX_EINVAL, "invalid character in a header name", 0, "Host", "a", "X\x80", "5");
    fidx__hcheck_t c;
    fidx__hcheck_init(&c, MAX_HEAD, MAX_BODY);
    assert_int_equal(fidx__hcheck_value(&c, "v", 1), FIDX_EINVAL);
    assert_string_equal(c.reason, "empty header name");
    fidx__hcheck_init(&c, MAX_HEAD, MAX_BODY);
    assert_int_equal(fidx__hcheck_field(&c, "Host", 4), 0);
    assert_int_equal(fidx__hcheck_headers_done(&c, 1, 1, 0), FIDX_EINVAL);
    assert_string_equal(c.reason, "header name without a value");
}

/* The raw scanner of the header section: where it ends, and each refusal. */
static int head(const char *text, size_t max, size_t *used, const char **reason)
{
    fidx__hcheck_t c;
    fidx__hcheck_init(&c, max, MAX_BODY);
    size_t n = strlen(text);
    char *p = svc_exact(text, n);
    *used = SIZE_MAX;
    int r = fidx__hcheck_head(&c, p, n, used);
    free(p);
    *reason = c.reason;
    if (!r && c.phase != FIDX__HC_HEAD_END)
        *used = SIZE_MAX - 1; /* not ended */
    return r;
}

static void head_scanner(void **state)
{
    (void)state;
    size_t used;
    const char *why;
    const char *req = "GET / HTTP/1.1\r\nHost: a\r\n\r\nNEXT";
    assert_int_equal(head(req, MAX_HEAD, &used, &why), 0);
    assert_int_equal(used, strlen(req) - 4);
    assert_int_equal(head("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", MAX_HEAD, &used, &why), 0);
    assert_int_equal(used, 29);
    struct {
        const char *text, *why;
        size_t len; /* 0: strlen */
    } bad[] = {
        {"GET / HTTP/1.1\nHost: a\r\n\r\n", "bare LF line end", 0},
        {"GET / HTTP/1.1\r\nHost: a\n\r\n", "bare LF line end", 0},
        {"GET / HTTP/1.1\rHost: a\r\n\r\n", "CR without LF", 0},
        {"GET / HTTP/1.1\r\nHost: a\r\n\rX", "CR without LF", 0},
        {"GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n", "folded header line", 0},
        {"GET / HTTP/1.1\r\nHost: a\r\n\tb\r\n\r\n", "folded header line", 0},
        {" GET / HTTP/1.1\r\n\r\n", "whitespace before the request line", 0},
        {"GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", "control character in the header section", 0},
        {"GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", "control character in the header section", 0},
        {"GET / HTTP/1.1\r\nX: \0a\r\n\r\n", "control character in the header section", 25},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fidx__hcheck_t c;
        fidx__hcheck_init(&c, MAX_HEAD, MAX_BODY);
        size_t n = bad[i].len ? bad[i].len : strlen(bad[i].text);
        char *p = svc_exact(bad[i].text, n);
        assert_int_equal(fidx__hcheck_head(&c, p, n, &used), FIDX_EINVAL);
        free(p);
        assert_string_equal(c.reason, bad[i].why);
    }
    /* The size limit, exact and one byte over. */
    assert_int_equal(head(req, strlen(req) - 4, &used, &why), 0);
    assert_int_equal(used, strlen(req) - 4);
    assert_int_equal(head(req, strlen(req) - 5, &used, &why), FIDX_ETOOBIG);
    assert_string_equal(why, "request header section too large");
}

static int chunked(const char *body, size_t *used, const char **reason)
{
    const char *te[] = {"Host", "a", "Transfer-Encoding", "chunked", NULL};
    fidx__hcheck_t c;
    assert_int_equal(judge(te, 1, 1, 1, &c), 0);
    size_t n = strlen(body);
    char *p = svc_exact(body, n);
    int r = fidx__hcheck_chunked(&c, p, n, used);
    free(p);
    *reason = c.reason;
    if (!r && c.phase != FIDX__HC_BODY)
        *used = SIZE_MAX; /* not ended */
    return r;
}

static void chunked_scanner(void **state)
{
    (void)state;
    size_t used;
    const char *why;
    const char *ok = "5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\nNEXT";
    assert_int_equal(chunked(ok, &used, &why), 0);
    assert_int_equal(used, strlen(ok) - 4);
    struct {
        const char *text, *why;
        int code;
    } bad[] = {
        {"5\nhello\r\n0\r\n\r\n", "invalid chunk size line", FIDX_EINVAL},
        {"5\r\r\nhello\r\n0\r\n\r\n", "chunk size line must end with CRLF", FIDX_EINVAL},
        {"5;a\nb\r\n", "invalid chunk extension", FIDX_EINVAL},
        {"5\r\nhelloXY0\r\n\r\n", "chunk data must end with CRLF", FIDX_EINVAL},
        {"5\r\nhello\n0\r\n\r\n", "chunk data must end with CRLF", FIDX_EINVAL},
        {"g\r\n", "invalid chunk size", FIDX_EINVAL},
        {"11111111111111111\r\n", "chunk size too large", FIDX_EINVAL},
        {"3e9\r\n", "request body too large", FIDX_ETOOBIG},
        {"0\r\nX: a\n\r\n", "bare LF line end in trailer", FIDX_EINVAL},
        {"0\r\nX: a\r\n b\r\n\r\n", "folded trailer line", FIDX_EINVAL},
        {"0\r\n\rX", "chunked body must end with CRLF", FIDX_EINVAL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = chunked(bad[i].text, &used, &why);
        if (r != bad[i].code || !why || strcmp(why, bad[i].why) != 0)
            fail_msg("%zu: got %d (%s), expected %d (%s)", i, r, why ? why : "-", bad[i].code,
                     bad[i].why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_length),
        cmocka_unit_test(content_length_with_transfer_encoding),
        cmocka_unit_test(transfer_encoding),
        cmocka_unit_test(host_and_version),
        cmocka_unit_test(header_names),
        cmocka_unit_test(head_scanner),
        cmocka_unit_test(chunked_scanner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
