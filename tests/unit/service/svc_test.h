/* Shared by the service's unit tests (tests/unit/service/): inputs in heap blocks of
 * their exact size, so that under AddressSanitizer a read one byte past the end fails the test
 * (the service's parsers take (p, len) and must not rely on a NUL), a JSON body parsed with
 * jansson, and a temporary directory for the program. Header-only: each test is one program.
 * Include after <cmocka.h>. */
#ifndef FIDX_SVC_TEST_H
#define FIDX_SVC_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* A temporary directory for a whole test program, made by svc_tmp_setup and removed with all
 * it holds by svc_tmp_teardown (pass both to cmocka_run_group_tests). */
static char svc_tmp[] = "/tmp/fidx-svc-test-XXXXXX";

__attribute__((unused)) static int svc_tmp_setup(void **state)
{
    (void)state;
    return mkdtemp(svc_tmp) ? 0 : -1;
}

__attribute__((unused)) static int svc_tmp_teardown(void **state)
{
    char cmd[sizeof svc_tmp + 16];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", svc_tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* A fresh subdirectory of svc_tmp for one test (static storage: the next call replaces it). */
__attribute__((unused)) static const char *svc_tmp_subdir(const char *name)
{
    static char path[sizeof svc_tmp + 128];
    snprintf(path, sizeof path, "%s/%s", svc_tmp, name);
    mkdir(path, 0700);
    return path;
}

#endif
