/* Shared by the service's unit tests (tests/unit/service/): inputs in heap blocks of
 * their exact size, so that under AddressSanitizer a read one byte past the end fails the test
 * (the service's parsers take (p, len) and must not rely on a NUL), and a JSON body parsed with
 * jansson. Header-only: each test is one program. Include after <cmocka.h>. */
#ifndef FIDX_SVC_TEST_H
#define FIDX_SVC_TEST_H

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* A copy of p[0..n) in a block of exactly n bytes (1 when n is 0), without a NUL after it.
 * Caller owns; free with free(). */
__attribute__((unused)) static char *svc_exact(const char *p, size_t n)
{
    char *d = malloc(n ? n : 1);
    assert_non_null(d);
    if (n)
        memcpy(d, p, n);
    return d;
}

__attribute__((unused)) static char *svc_exact_str(const char *s)
{
    return svc_exact(s, strlen(s));
}

/* p[0..n) parsed as one JSON document (NUL escapes allowed, duplicate keys refused); fails the
 * test, showing the text, when it is not one. Caller owns; json_decref. */
__attribute__((unused)) static json_t *svc_json(const char *p, size_t n)
{
    json_error_t e;
    json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);
    if (!j)
        fail_msg("not JSON (%s at column %d): %.*s", e.text, e.column, (int)(n > 400 ? 400 : n), p);
    return j;
}

#endif
