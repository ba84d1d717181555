/* Unit tests for http/request.c: the request-target split (which takes a shortcut for
 * origin-form, so it is held against http_parser_parse_url on many targets), the error answers
 * of the contract ({"error":{"code","message"}}, valid JSON whatever the message), and the
 * reason phrases of the statuses the service sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <http_parser.h>

#include "../svc_test.h"
#include "http/request.h"

/* ---- the target split ---- */

typedef struct {
    size_t url_len; /* bytes of the target http-parser passed on */
    int done;
} parsed_t;

static int on_url(http_parser *p, const char *at, size_t len)
{
    (void)at;
    ((parsed_t *)p->data)->url_len += len;
    return 0;
}

static int on_message_complete(http_parser *p)
{
    ((parsed_t *)p->data)->done = 1;
    return 0;
}

/* Whether http-parser takes "GET <target> HTTP/1.1" as a request with that whole target: only
 * such targets reach fidx__req_split_target (conn.c answers 400 to the others before it). */
static int request_line_takes(const char *target, size_t len)
{
    static const char pre[] = "GET ", post[] = " HTTP/1.1\r\nHost: h\r\n\r\n";
    size_t n = sizeof pre - 1 + len + sizeof post - 1;
    char *msg = malloc(n);
    assert_non_null(msg);
    memcpy(msg, pre, sizeof pre - 1);
    memcpy(msg + sizeof pre - 1, target, len);
    memcpy(msg + sizeof pre - 1 + len, post, sizeof post - 1);
    http_parser parser;
    http_parser_settings settings;
    parsed_t parsed = {0, 0};
    http_parser_init(&parser, HTTP_REQUEST);
    http_parser_settings_init(&settings);
    settings.on_url = on_url;
    settings.on_message_complete = on_message_complete;
    parser.data = &parsed;
    size_t used = http_parser_execute(&parser, &settings, msg, n);
    free(msg);
    return parsed.done && used == n && HTTP_PARSER_ERRNO(&parser) == HPE_OK &&
           parsed.url_len == len;
}

static int same_str(fidx_str_t a, fidx_str_t b)
{
    return a.len == b.len && (a.p == NULL) == (b.p == NULL) &&
           (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Splits target[0..len) (an exact copy) and holds the result against http_parser_parse_url:
 * EINVAL exactly when it refuses, else the same path ("/" when it finds none) and query
 * ({NULL,0} when it finds none). The origin-form shortcut is held to that for every target a
 * request line can carry. */
static void check_split(const char *target, size_t len)
{
    fidx__req_t req;
    memset(&req, 0, sizeof req);
    char *t = svc_exact(target, len);
    req.target = fidx_str(t, len);
    int rc = fidx__req_split_target(&req);
    if (len > UINT16_MAX) { /* http-parser's offsets are 16 bits */
        assert_int_equal(rc, FIDX_EINVAL);
        free(t);
        return;
    }
    struct http_parser_url u;
    http_parser_url_init(&u);
    int refused = http_parser_parse_url(t, len, 0, &u) != 0;
    int origin = len > 0 && t[0] == '/';
    if (origin && refused && !request_line_takes(t, len)) {
        free(t); /* never reaches the split in the service: either answer will do */
        return;
    }
    if (refused != (rc != 0))
        fail_msg("target \"%.*s\": split %d, http_parser_parse_url %s", (int)len, target, rc,
                 refused ? "refuses" : "accepts");
    if (rc != 0) {
        assert_int_equal(rc, FIDX_EINVAL);
        free(t);
        return;
    }
    fidx_str_t path = FIDX_STR("/"), query = fidx_str(NULL, 0);
    if (u.field_set & (1 << UF_PATH))
        path = fidx_str(t + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
    if (u.field_set & (1 << UF_QUERY))
        query = fidx_str(t + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
    if (!same_str(req.path, path) || !same_str(req.query, query))
        fail_msg(
            "target \"%.*s\": path \"%.*s\" query \"%.*s\"%s, http-parser: \"%.*s\" \"%.*s\"%s",
            (int)len, target, (int)req.path.len, req.path.p ? req.path.p : "", (int)req.query.len,
            req.query.p ? req.query.p : "", req.query.p ? "" : " (none)", (int)path.len, path.p,
            (int)query.len, query.p ? query.p : "", query.p ? "" : " (none)");
    free(t);
}

/* The path and query of an accepted target, as text. */
static void assert_split(const char *target, const char *path, const char *query)
{
    fidx__req_t req;
    memset(&req, 0, sizeof req);
    char *t = svc_exact_str(target);
    req.target = fidx_str(t, strlen(target));
    assert_int_equal(fidx__req_split_target(&req), 0);
    assert_int_equal(req.path.len, strlen(path));
    assert_memory_equal(req.path.p, path, req.path.len);
    if (query) {
        assert_non_null(req.query.p);
        assert_int_equal(req.query.len, strlen(query));
        assert_memory_equal(req.query.p, query, req.query.len);
    } else {
        assert_null(req.query.p);
        assert_int_equal(req.query.len, 0);
    }
    free(t);
}

static void split_known_targets(void **state)
{
    (void)state;
    assert_split("/v1/check?q=0912", "/v1/check", "q=0912");
    assert_split("/v1/check", "/v1/check", NULL);
    assert_split("/v1/check?", "/v1/check", NULL); /* an empty query is none */
    assert_split("/v1/check?#", "/v1/check", NULL);
    assert_split("/v1/check#frag", "/v1/check", NULL);
    assert_split("/v1/check#frag?q=1", "/v1/check", NULL);
    assert_split("/v1/check?q=1#frag", "/v1/check", "q=1");
    assert_split("/p??q", "/p", "?q");
    assert_split("http://h/p?q=1", "/p", "q=1");
    assert_split("http://h", "/", NULL);
    assert_split("http://h?q=1", "/", "q=1");
    assert_split("http://h:8080/v1/check?q=1#f", "/v1/check", "q=1");
    assert_split("*", "*", NULL);
}

static void split_agrees_with_http_parser(void **state)
{
    (void)state;
    static const char *const targets[] = {
        "/",
        "/v1/check?q=0912%20345",
        "/v1/check?",
        "/v1/check?#",
        "/v1/check#",
        "/v1/check#a#b?c",
        "/p?a?b#c?d",
        "//double/slash",
        "/a%zz",
        "/?",
        "/#",
        "http://h/p?q",
        "http://h",
        "http://h/",
        "http://h?",
        "http://h#f",
        "http://h:8080/p?q",
        "https://user:pw@h/p?q",
        "http://[::1]:80/p?q",
        "http://[::1/p",
        "http:///p",
        "http://h:port/p",
        "http://",
        "http:",
        "ftp://h/p?q",
        "*",
        "**",
        "*?q",
        "garbage",
        "a:b",
        "?q=1",
        "#",
        "h/p",
        "",
        " /",
        "/a b",
        "/\x01",
        "/\x7f",
        "/caf\xc3\xa9?q=\xe1\xbb\x87",
    };
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++)
        check_split(targets[i], strlen(targets[i]));
}

/* Every target of up to four bytes from an alphabet of the characters that matter. */
static void split_agrees_on_every_short_target(void **state)
{
    (void)state;
    static const char alphabet[] = "/?#a:*@[]% \x80";
    const size_t k = sizeof alphabet - 1;
    char t[4];
    for (size_t len = 1; len <= 4; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= k;
        for (size_t n = 0; n < total; n++) {
            for (size_t i = 0, m = n; i < len; i++, m /= k)
                t[i] = alphabet[m % k];
            check_split(t, len);
        }
    }
}

static void split_long_targets(void **state)
{
    (void)state;
    size_t cap = 70000;
    char *t = malloc(cap);
    assert_non_null(t);
    memset(t, 'a', cap);
    t[0] = '/';
    check_split(t, UINT16_MAX); /* the longest that can be split */
    check_split(t, (size_t)UINT16_MAX + 1);
    check_split(t, cap);
    memcpy(t, "http://h/", 9);
    check_split(t, UINT16_MAX);
    check_split(t, (size_t)UINT16_MAX + 1);
    t[UINT16_MAX - 2] = '?';
    check_split(t, UINT16_MAX);
    free(t);
}

/* ---- error answers ---- */

/* The error in resp's body: checks its shape and copies code and message (message_len set). */
static void error_of(const fidx__resp_t *resp, char *code, char *message, size_t cap,
                     size_t *message_len)
{
    assert_false(resp->body->failed);
    assert_string_equal(resp->content_type, FIDX__CT_JSON);
    json_t *j = svc_json(resp->body->p, resp->body->len);
    assert_true(json_is_object(j));
    assert_int_equal(json_object_size(j), 1);
    json_t *e = json_object_get(j, "error");
    assert_true(json_is_object(e));
    assert_int_equal(json_object_size(e), 2);
    json_t *c = json_object_get(e, "code"), *m = json_object_get(e, "message");
    assert_true(json_is_string(c));
    assert_true(json_is_string(m));
    assert_true(json_string_length(c) < cap && json_string_length(m) < cap);
    memcpy(code, json_string_value(c), json_string_length(c) + 1);
    *message_len = json_string_length(m);
    memcpy(message, json_string_value(m), *message_len + 1);
    json_decref(j);
}

static void error_answers(void **state)
{
    (void)state;
    fidx__sbuf_t body;
    fidx__resp_t resp;
    char code[512], msg[512];
    size_t n;
    fidx__sbuf_init(&body, 1 << 20);
    fidx__resp_init(&resp, &body);
    assert_int_equal(resp.status, 200);
    fidx__sbuf_puts(&body, "{\"partial\":"); /* a handler's half-written answer is replaced */
    resp.content_type = "text/html; charset=utf-8";
    fidx__resp_error(&resp, 404, "not_found", "no such route");
    assert_int_equal(resp.status, 404);
    error_of(&resp, code, msg, sizeof code, &n);
    assert_string_equal(code, "not_found");
    assert_string_equal(msg, "no such route");

    fidx__resp_error_n(&resp, 400, "invalid_value", "a value\"cut here", 7);
    assert_int_equal(resp.status, 400);
    error_of(&resp, code, msg, sizeof code, &n);
    assert_string_equal(code, "invalid_value");
    assert_string_equal(msg, "a value");

    fidx__resp_errorf(&resp, 413, "too_large", "more than %d items (%s)", 1000, "batch");
    assert_int_equal(resp.status, 413);
    error_of(&resp, code, msg, sizeof code, &n);
    assert_string_equal(msg, "more than 1000 items (batch)");
    fidx__sbuf_free(&body);
}

/* A message holding what a client sent stays valid JSON and says the same (invalid UTF-8 as
 * U+FFFD). */
static void error_messages_are_escaped(void **state)
{
    (void)state;
    fidx__sbuf_t body;
    fidx__resp_t resp;
    char code[512], msg[512];
    size_t n;
    fidx__sbuf_init(&body, 1 << 20);
    fidx__resp_init(&resp, &body);
    static const char nasty[] = "q\"}\\,\n\r\t\x01\x1f\x7f\0</script>\xe2\x80\xa8";
    fidx__resp_error_n(&resp, 400, "bad\"code", nasty, sizeof nasty - 1);
    error_of(&resp, code, msg, sizeof code, &n);
    assert_string_equal(code, "bad\"code");
    assert_int_equal(n, sizeof nasty - 1);
    assert_memory_equal(msg, nasty, n);
    assert_null(memchr(body.p, '\n', body.len)); /* no raw control byte in the body */
    assert_null(memchr(body.p, '\x01', body.len));

    static const char bad_utf8[] = "a\xff"
                                   "b\xc0\xaf"
                                   "c\xed\xa0\x80"
                                   "d\xe1\xbb";
    fidx__resp_error(&resp, 400, "invalid_value", bad_utf8);
    error_of(&resp, code, msg, sizeof code, &n);
    assert_int_equal(msg[0], 'a');
    assert_memory_equal(msg + 1, "\xef\xbf\xbd", 3);
    assert_non_null(strstr(msg, "d\xef\xbf\xbd"));
    fidx__sbuf_free(&body);
}

/* errorf keeps 255 bytes of a longer message, and a character cut in two there does not make
 * the body invalid. */
static void errorf_truncates_to_valid_json(void **state)
{
    (void)state;
    fidx__sbuf_t body;
    fidx__resp_t resp;
    char code[1024], msg[1024], arg[600];
    size_t n;
    fidx__sbuf_init(&body, 1 << 20);
    fidx__resp_init(&resp, &body);
    memset(arg, 'a', 599);
    arg[599] = '\0';
    fidx__resp_errorf(&resp, 400, "invalid_json", "%s", arg);
    error_of(&resp, code, msg, sizeof code, &n);
    assert_int_equal(n, 255);
    /* 254 ASCII bytes and then "ệ" (3 bytes): the cut leaves its first byte. */
    memset(arg, 'b', 254);
    memcpy(arg + 254, "\xe1\xbb\x87 more", 8);
    fidx__resp_errorf(&resp, 400, "invalid_json", "%s", arg);
    error_of(&resp, code, msg, sizeof code, &n);
    assert_int_equal(n, 254 + 3);
    assert_memory_equal(msg + 254, "\xef\xbf\xbd", 3);
    /* Exactly 255 bytes are kept whole. */
    memset(arg, 'c', 255);
    arg[255] = '\0';
    fidx__resp_errorf(&resp, 400, "x", "%s", arg);
    error_of(&resp, code, msg, sizeof code, &n);
    assert_int_equal(n, 255);
    assert_int_equal(msg[254], 'c');
    fidx__sbuf_free(&body);
}

/* An answer that had outgrown its buffer is replaced by the error, which fits. */
static void error_after_a_failed_body(void **state)
{
    (void)state;
    fidx__sbuf_t body;
    fidx__resp_t resp;
    char code[512], msg[512], big[600];
    size_t n;
    fidx__sbuf_init(&body, 512);
    fidx__resp_init(&resp, &body);
    memset(big, 'x', sizeof big);
    fidx__sbuf_put(&body, big, sizeof big);
    assert_true(body.failed);
    fidx__resp_error(&resp, 503, "unavailable", "try again");
    error_of(&resp, code, msg, sizeof code, &n);
    assert_int_equal(resp.status, 503);
    assert_string_equal(code, "unavailable");
    fidx__sbuf_free(&body);
}

/* ---- status reasons ---- */

static void status_reasons(void **state)
{
    (void)state;
    static const struct {
        int status;
        const char *reason;
    } sent[] = {
        {100, "Continue"},
        {200, "OK"},
        {202, "Accepted"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {413, "Content Too Large"},
        {429, "Too Many Requests"},
        {500, "Internal Server Error"},
        {503, "Service Unavailable"},
    };
    for (size_t i = 0; i < sizeof sent / sizeof *sent; i++)
        assert_string_equal(fidx__status_reason(sent[i].status), sent[i].reason);
    /* Any other status still gets a phrase a status line may carry (RFC 9112: SP, HTAB,
     * VCHAR, obs-text; no CR or LF). */
    for (int s = 100; s < 600; s++) {
        const char *r = fidx__status_reason(s);
        assert_non_null(r);
        assert_true(r[0] != '\0');
        for (const char *p = r; *p; p++)
            assert_true(*p == ' ' || *p == '\t' || ((unsigned char)*p > 0x20 && *p != 0x7f));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_known_targets),
        cmocka_unit_test(split_agrees_with_http_parser),
        cmocka_unit_test(split_agrees_on_every_short_target),
        cmocka_unit_test(split_long_targets),
        cmocka_unit_test(error_answers),
        cmocka_unit_test(error_messages_are_escaped),
        cmocka_unit_test(errorf_truncates_to_valid_json),
        cmocka_unit_test(error_after_a_failed_body),
        cmocka_unit_test(status_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
