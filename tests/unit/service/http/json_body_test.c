/* Unit tests for http/json_body.c: which Content-Types a JSON body may come with, and the
 * contract's answers to a body that is not one JSON document (400 invalid_json with line and
 * column; duplicate keys refused; deep nesting refused, not a crash). Requests are built by
 * hand, as conn.c fills them, with header values and bodies in blocks of their exact size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../svc_test.h"
#include "http/json_body.h"

/* A request with this Content-Type (NULL: none) and body, and an answer to it. */
typedef struct {
    fidx__req_t req;
    fidx__resp_t resp;
    fidx__sbuf_t out;
    char *ctype, *body;
} exchange_t;

static void exchange_init(exchange_t *x, const char *ctype, const char *body, size_t body_len)
{
    memset(x, 0, sizeof *x);
    x->ctype = ctype ? svc_exact_str(ctype) : NULL;
    x->body = body ? svc_exact(body, body_len) : NULL;
    x->req.content_type = fidx_str(x->ctype, ctype ? strlen(ctype) : 0);
    x->req.body = x->body;
    x->req.body_len = body ? body_len : 0;
    x->req.has_body = body_len > 0;
    fidx__sbuf_init(&x->out, 1 << 20);
    fidx__resp_init(&x->resp, &x->out);
}

static void exchange_dispose(exchange_t *x)
{
    fidx__sbuf_free(&x->out);
    free(x->ctype);
    free(x->body);
}

static int type_accepted(const char *ctype)
{
    exchange_t x;
    exchange_init(&x, ctype, "{}", 2);
    int ok = fidx__json_content_type(&x.req);
    exchange_dispose(&x);
    return ok;
}

static void content_types(void **state)
{
    (void)state;
    static const char *const accepted[] = {
        "application/json",
        "application/json; charset=utf-8",
        "application/json;charset=utf-8",
        "APPLICATION/JSON; CHARSET=UTF-8",
        "application/json; charset=\"utf-8\"",
        "application/json ; charset=utf-8",
        "application/json; charset=utf-8; foo=bar",
        "application/json; foo=bar",
        "application/vnd.api+json",
        "application/merge-patch+json; charset=utf-8",
        "application/x-www-form-urlencoded", /* what `curl -d` sends */
    };
    static const char *const refused[] = {
        "text/plain",
        "text/plain; charset=utf-8",
        "text/json",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "application/json5",
        "+json",
        "application/json; charset=iso-8859-1",
        "application/json; charset=utf-16",
        "application/json; charset=utf-8x",
        "application/json; charset=",
        "",
    };
    assert_true(type_accepted(NULL)); /* no Content-Type at all */
    for (size_t i = 0; i < sizeof accepted / sizeof *accepted; i++)
        if (!type_accepted(accepted[i]))
            fail_msg("Content-Type \"%s\" refused", accepted[i]);
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        if (type_accepted(refused[i]))
            fail_msg("Content-Type \"%s\" accepted", refused[i]);
}

/* The value is read within its length: a charset cut short at the end of the slice is not
 * completed by the bytes that follow it in memory (conn.c keeps the value in a fixed array
 * that an earlier request may have filled further). */
static void content_type_within_len(void **state)
{
    (void)state;
    static const char held[] = "application/json; charset=utf-8";
    fidx__req_t req;
    memset(&req, 0, sizeof req);
    for (size_t cut = sizeof "application/json; charset=" - 1; cut < sizeof held - 1; cut++) {
        req.content_type = fidx_str(held, cut);
        if (fidx__json_content_type(&req))
            fail_msg("\"%.*s\" accepted", (int)cut, held);
    }
    req.content_type = fidx_str(held, sizeof held - 1);
    assert_true(fidx__json_content_type(&req));
    req.content_type = fidx_str(held, 16); /* "application/json" */
    assert_true(fidx__json_content_type(&req));
    req.content_type = fidx_str(held, 15);
    assert_false(fidx__json_content_type(&req));
    /* A value too long to keep is refused, whatever its start. */
    req.content_type = fidx_str(held, 16);
    req.content_type_overflow = 1;
    assert_false(fidx__json_content_type(&req));
}

/* The error an exchange was answered with; its message is copied into msg. */
static void assert_error(const exchange_t *x, const char *code, char *msg, size_t cap)
{
    assert_int_equal(x->resp.status, 400);
    assert_false(x->out.failed);
    json_t *j = svc_json(x->out.p, x->out.len);
    json_t *e = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    const char *m = json_string_value(json_object_get(e, "message"));
    assert_non_null(m);
    snprintf(msg, cap, "%s", m);
    json_decref(j);
}

static void refused_type_is_bad_request(void **state)
{
    (void)state;
    char msg[256];
    exchange_t x;
    exchange_init(&x, "text/plain", "{\"q\":1}", 7);
    assert_null(fidx__json_body(&x.req, &x.resp, 0, 1));
    assert_error(&x, "bad_request", msg, sizeof msg);
    assert_non_null(strstr(msg, "application/json"));
    exchange_dispose(&x);
    /* The type is checked before the body: an invalid body gets the same answer. */
    exchange_init(&x, "text/plain", "{", 1);
    assert_null(fidx__json_body(&x.req, &x.resp, 0, 1));
    assert_error(&x, "bad_request", msg, sizeof msg);
    exchange_dispose(&x);
    /* Without check_type the body is read whatever its type. */
    exchange_init(&x, "text/plain", "{\"q\":1}", 7);
    json_t *j = fidx__json_body(&x.req, &x.resp, 0, 0);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "q")), 1);
    json_decref(j);
    assert_int_equal(x.resp.status, 200);
    assert_int_equal(x.out.len, 0);
    exchange_dispose(&x);
}

static void valid_body_is_parsed(void **state)
{
    (void)state;
    static const char body[] = "{\"items\":[\"0912345678\",{\"q\":\"Vi\xe1\xbb\x87t\"}]}";
    exchange_t x;
    exchange_init(&x, "application/json; charset=utf-8", body, sizeof body - 1);
    json_t *j = fidx__json_body(&x.req, &x.resp, 0, 1);
    assert_non_null(j);
    json_t *items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(json_string_value(json_array_get(items, 0)), "0912345678");
    json_decref(j);
    assert_int_equal(x.resp.status, 200);
    assert_int_equal(x.out.len, 0); /* nothing answered */
    exchange_dispose(&x);
}

/* Parses body (no type check) and expects invalid_json naming this line; returns the column. */
static int invalid_at(const char *body, size_t len, size_t flags, int line)
{
    char msg[512];
    exchange_t x;
    int l = -1, col = -1;
    exchange_init(&x, NULL, body, len);
    json_t *j = fidx__json_body(&x.req, &x.resp, flags, 1);
    if (j)
        fail_msg("accepted: %.*s", (int)(len > 200 ? 200 : len), body);
    assert_error(&x, "invalid_json", msg, sizeof msg);
    if (sscanf(msg, "invalid JSON at line %d column %d:", &l, &col) != 2)
        fail_msg("no line and column in \"%s\"", msg);
    assert_int_equal(l, line);
    exchange_dispose(&x);
    return col;
}

#define INVALID_AT(lit, line) invalid_at(lit, sizeof(lit) - 1, 0, line)

static void invalid_json_names_line_and_column(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("{\"q\":1,}", 1), 8); /* the '}' after the comma */
    assert_int_equal(INVALID_AT("{\n  \"q\": tru\n}", 2), 10);
    assert_int_equal(INVALID_AT("{\"q\":\n\n\"abc", 3), 4);  /* the end, inside the string */
    assert_true(INVALID_AT("{} {}", 1) >= 4);                /* one document only */
    assert_true(INVALID_AT("{\"q\":\"\xff\"}", 1) > 0);      /* not UTF-8 */
    assert_true(INVALID_AT("{\"q\":\"a\\u0000b\"}", 1) > 0); /* NUL refused */
    assert_true(INVALID_AT("{\"q\":1}\0", 1) > 0);           /* a NUL byte after it */
    assert_true(INVALID_AT("\"just a string\"", 1) > 0);     /* an object or array */
    assert_true(INVALID_AT("", 1) >= 0);
    /* No body at all (NULL) is read as an empty one. */
    char msg[256];
    exchange_t x;
    exchange_init(&x, NULL, NULL, 0);
    assert_null(fidx__json_body(&x.req, &x.resp, 0, 1));
    assert_error(&x, "invalid_json", msg, sizeof msg);
    exchange_dispose(&x);
}

static void duplicate_keys_refused(void **state)
{
    (void)state;
    char msg[512];
    exchange_t x;
    static const char body[] = "{\"q\":\"0912345678\",\"kind\":\"phone\",\"q\":\"x\"}";
    exchange_init(&x, NULL, body, sizeof body - 1);
    assert_null(fidx__json_body(&x.req, &x.resp, 0, 1));
    assert_error(&x, "invalid_json", msg, sizeof msg);
    assert_non_null(strstr(msg, "duplicate"));
    exchange_dispose(&x);
    /* Also inside nested objects, and whatever flags the route adds. */
    static const char nested[] = "{\"items\":[{\"q\":1,\"q\":2}]}";
    assert_true(invalid_at(nested, sizeof nested - 1, JSON_DECODE_ANY, 1) > 0);
}

/* A route's flags are added to the defaults. */
static void flags_are_added(void **state)
{
    (void)state;
    exchange_t x;
    exchange_init(&x, NULL, "\"a string\"", 10);
    json_t *j = fidx__json_body(&x.req, &x.resp, JSON_DECODE_ANY, 1);
    assert_true(json_is_string(j));
    json_decref(j);
    exchange_dispose(&x);
}

/* Nesting far past jansson's depth limit is refused cleanly, whether it is closed or not. */
static void deep_nesting_refused(void **state)
{
    (void)state;
    size_t depth = 100000;
    char *b = malloc(2 * depth);
    assert_non_null(b);
    memset(b, '[', depth);
    memset(b + depth, ']', depth);
    assert_true(invalid_at(b, 2 * depth, 0, 1) > 0);
    assert_true(invalid_at(b, depth, 0, 1) > 0);
    for (size_t i = 0; i + 5 <= depth; i += 5)
        memcpy(b + i, "{\"a\":", 5);
    assert_true(invalid_at(b, depth, 0, 1) > 0);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_types),
        cmocka_unit_test(content_type_within_len),
        cmocka_unit_test(refused_type_is_bad_request),
        cmocka_unit_test(valid_body_is_parsed),
        cmocka_unit_test(invalid_json_names_line_and_column),
        cmocka_unit_test(duplicate_keys_refused),
        cmocka_unit_test(flags_are_added),
        cmocka_unit_test(deep_nesting_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
