/* Assertions shared by the normaliser tests: a normaliser gives the expected canonical form,
 * or refuses with the expected code and a reason that names the problem. Include after
 * <cmocka.h>. */
#ifndef FIDX_TEST_NORMALIZER_CHECK_H
#define FIDX_TEST_NORMALIZER_CHECK_H

#include <string.h>

#include "fidx/error.h"
#include "fidx/str.h"

typedef int (*normalizer_fn)(const char *, size_t, char *, size_t, size_t *, fidx_err_t *);

static inline void check_normalizes(normalizer_fn fn, const char *name, const char *in,
                                    const char *want)
{
    char out[FIDX_CANON_CAP];
    size_t n = 0;
    fidx_err_t err = {0};
    int rc = fn(in, strlen(in), out, sizeof out, &n, &err);
    if (rc != 0 || strcmp(out, want) != 0)
        print_error("%s(\"%s\") = %d \"%s\" (%s), want \"%s\"\n", name, in, rc, rc == 0 ? out : "",
                    err.reason ? err.reason : "", want);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static inline void check_refuses(normalizer_fn fn, const char *name, const char *in, size_t len,
                                 int code, const char *reason_part)
{
    char out[FIDX_CANON_CAP];
    size_t n;
    fidx_err_t err = {0};
    int rc = fn(in, len, out, sizeof out, &n, &err);
    if (rc != code)
        print_error("%s(\"%.*s\") = %d \"%s\", want %d\n", name, (int)len, in, rc,
                    rc == 0 ? out : "", code);
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    assert_non_null(err.reason);
    if (reason_part && !strstr(err.reason, reason_part))
        print_error("reason \"%s\" lacks \"%s\"\n", err.reason, reason_part);
    if (reason_part)
        assert_non_null(strstr(err.reason, reason_part));
}

#endif
