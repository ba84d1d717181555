/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c): a property check that reports where it
 * failed and aborts (libFuzzer then keeps the input; the replay test under ctest fails), and
 * the checks every normaliser's contract implies, so each target states only what is
 * particular to its kind. Header-only: each target is one program. */
#ifndef FIDX_FUZZ_COMMON_H
#define FIDX_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fidx/error.h"
#include "fidx/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Property checks stay on in every build (NDEBUG or not): they are the point of the target. */
#define FUZZ_CHECK(cond, what)                                                                     \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, #cond, (what));                                          \
    } while (0)

__attribute__((noreturn, unused)) static void fuzz_fail(const char *file, int line,
                                                        const char *cond, const char *what)
{
    fprintf(stderr, "%s:%d: property violated: %s\n    check: %s\n", file, line, what, cond);
    abort();
}

/* A copy in a heap block of exactly n bytes (never NULL), so that ASan sees a read one byte
 * past the end: parsers must not rely on a terminating NUL. */
__attribute__((unused)) static char *fuzz_dup(const void *p, size_t n)
{
    char *d = malloc(n ? n : 1);
    FUZZ_CHECK(d != NULL, "out of memory in the harness");
    if (n)
        memcpy(d, p, n);
    return d;
}

__attribute__((unused)) static char *fuzz_temp_dir_name(void)
{
    static char dir[64];
    return dir;
}

__attribute__((unused)) static void fuzz_remove_temp_dir(void)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_temp_dir_name());
    if (fuzz_temp_dir_name()[0] && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", fuzz_temp_dir_name());
}

/* A fresh directory for the files a target reads (under /dev/shm: no disk I/O; else /tmp), made
 * on the first call and removed with all in it at exit. */
__attribute__((unused)) static const char *fuzz_temp_dir(void)
{
    char *dir = fuzz_temp_dir_name();
    if (dir[0])
        return dir;
    snprintf(dir, 64, "%s/fidx-fuzz-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    FUZZ_CHECK(mkdtemp(dir) != NULL, "the harness cannot make a temporary directory");
    atexit(fuzz_remove_temp_dir);
    return dir;
}

/* The signature every per-kind normaliser shares (fidx_phone_normalize, …). */
typedef int (*fuzz_norm_fn)(const char *p, size_t len, char *out, size_t cap, size_t *out_len,
                            fidx_err_t *err);

/* What any normaliser's result must satisfy, whatever the input: a documented return code;
 * on failure a filled error detail; on success a NUL-terminated value without inner NUL that
 * fits in FIDX_CANON_CAP ("always enough"). */
__attribute__((unused)) static void fuzz_check_result(int rc, const fidx_err_t *err, size_t in_len,
                                                      const char *out, size_t out_len)
{
    FUZZ_CHECK(rc == 0 || rc == FIDX_EINVAL || rc == FIDX_ETOOBIG,
               "a normaliser returned a code its contract does not list (or ENOSPC with "
               "FIDX_CANON_CAP bytes)");
    if (in_len > FIDX_MAX_VALUE_LEN)
        FUZZ_CHECK(rc == FIDX_ETOOBIG, "an input over FIDX_MAX_VALUE_LEN was not refused");
    if (rc != 0) {
        FUZZ_CHECK(err->code == rc, "err->code differs from the code returned");
        FUZZ_CHECK(err->reason != NULL && err->reason[0] != '\0', "failure without a reason");
        return;
    }
    FUZZ_CHECK(out_len > 0, "a normaliser accepted a value and produced nothing");
    FUZZ_CHECK(out_len < FIDX_CANON_CAP, "output longer than the buffer");
    FUZZ_CHECK(out[out_len] == '\0', "output is not NUL-terminated at out_len");
    FUZZ_CHECK(memchr(out, '\0', out_len) == NULL, "output holds a NUL byte");
}

/* Runs fn on p[0..n) into out (FIDX_CANON_CAP bytes) with the generic checks; returns rc. */
__attribute__((unused)) static int fuzz_normalize(fuzz_norm_fn fn, const char *p, size_t n,
                                                  char *out, size_t *out_len)
{
    fidx_err_t err = {0, 0, NULL};
    *out_len = 0;
    int rc = fn(p, n, out, FIDX_CANON_CAP, out_len, &err);
    fuzz_check_result(rc, &err, n, out, *out_len);
    return rc;
}

/* The output buffer's bound is exact: with cap = out_len + 1 the same value comes out, with
 * cap = out_len FIDX_ENOSPC does (heap blocks of exactly cap bytes: ASan sees any overflow). */
__attribute__((unused)) static void fuzz_check_cap(fuzz_norm_fn fn, const char *p, size_t n,
                                                   const char *want, size_t want_len)
{
    char *tight = malloc(want_len + 1);
    size_t len = 0;
    fidx_err_t err = {0, 0, NULL};
    FUZZ_CHECK(tight != NULL, "out of memory in the harness");
    int rc = fn(p, n, tight, want_len + 1, &len, &err);
    FUZZ_CHECK(rc == 0, "a buffer of exactly out_len + 1 bytes was refused");
    FUZZ_CHECK(len == want_len && memcmp(tight, want, len) == 0 && tight[len] == '\0',
               "a buffer of exactly out_len + 1 bytes gave another value");
    free(tight);
    char *small = malloc(want_len);
    rc = fn(p, n, small, want_len, &len, &err);
    FUZZ_CHECK(rc == FIDX_ENOSPC, "a buffer without room for the NUL was not refused (ENOSPC)");
    free(small);
}

/* Normalises a canonical form again (from an exact-size copy): the code, and the result in a
 * FIDX_CANON_CAP block the caller frees. */
__attribute__((unused)) static char *fuzz_read_again(fuzz_norm_fn fn, const char *canon, size_t len,
                                                     int *rc, size_t *again_len)
{
    char *again = malloc(FIDX_CANON_CAP);
    FUZZ_CHECK(again != NULL, "out of memory in the harness");
    char *in = fuzz_dup(canon, len);
    *rc = fuzz_normalize(fn, in, len, again, again_len);
    free(in);
    return again;
}

/* The central property of a canonical form: normalising it again gives it back. */
__attribute__((unused)) static void fuzz_check_idempotent(fuzz_norm_fn fn, const char *canon,
                                                          size_t len)
{
    int rc;
    size_t again_len;
    char *again = fuzz_read_again(fn, canon, len, &rc, &again_len);
    FUZZ_CHECK(rc == 0, "the canonical form is refused when normalised again");
    FUZZ_CHECK(again_len == len && memcmp(again, canon, len) == 0,
               "normalising twice differs from normalising once");
    free(again);
}

__attribute__((unused)) static void fuzz_check_too_big(fuzz_norm_fn fn, const char *canon,
                                                       size_t len)
{
    int rc;
    size_t again_len;
    free(fuzz_read_again(fn, canon, len, &rc, &again_len));
    FUZZ_CHECK(rc == FIDX_ETOOBIG, "a canonical form over FIDX_MAX_VALUE_LEN was read again");
}

/* The whole contract of a per-kind normaliser on one input; returns the canonical value
 * (caller frees) and its length, or NULL when the input was refused. */
__attribute__((unused)) static char *fuzz_normalizer_contract(fuzz_norm_fn fn, const uint8_t *data,
                                                              size_t size, size_t *canon_len)
{
    char *out = malloc(FIDX_CANON_CAP);
    FUZZ_CHECK(out != NULL, "out of memory in the harness");
    int rc = fuzz_normalize(fn, (const char *)data, size, out, canon_len);
    if (rc != 0) {
        free(out);
        return NULL;
    }
    /* A canonical form may outgrow the input limit (a URL's escapes take three bytes each):
     * it cannot be read again then, and says so. */
    if (*canon_len <= FIDX_MAX_VALUE_LEN)
        fuzz_check_idempotent(fn, out, *canon_len);
    else
        fuzz_check_too_big(fn, out, *canon_len);
    fuzz_check_cap(fn, (const char *)data, size, out, *canon_len);
    return out;
}

/* Every byte in [p, p+n) is of the given set. */
__attribute__((unused)) static int fuzz_all_of(const char *p, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\0' || !strchr(set, p[i]))
            return 0;
    return 1;
}

#define FUZZ_DIGITS "0123456789"

#endif
