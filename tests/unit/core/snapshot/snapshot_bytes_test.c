/* Unit tests of a snapshot as a whole file (snapshot_bytes.c): its bytes are the file's, and
 * its content hash is the same for the same bytes (the same file opened twice, or a copy) and
 * differs when any indicator, or only the build time, differs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fidx/snapshot.h"

static char dir[] = "/tmp/fidx-snapshot-bytes-test-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes a snapshot of the given phone values at build time t; returns it opened. */
static fidx_snapshot_t *make(const char *name, const char *const *values, size_t n, int64_t t)
{
    char path[256];
    fidx_builder_t *b;
    fidx_err_t err = {0};
    fidx_snapshot_t *s;
    fidx_indicator_t ind;
    assert_int_equal(fidx_builder_new(&b), 0);
    for (size_t i = 0; i < n; i++) {
        memset(&ind, 0, sizeof ind);
        ind.kind = FIDX_KIND_PHONE;
        ind.status = FIDX_STATUS_CONFIRMED;
        ind.reports = 1;
        ind.value_len = strlen(values[i]);
        memcpy(ind.value, values[i], ind.value_len);
        assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(fidx_builder_write(b, path, t, &err), 0);
    fidx_builder_free(b);
    assert_int_equal(fidx_snapshot_open(path, FIDX_OPEN_LAZY, &s, &err), 0);
    return s;
}

static char *slurp(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *p = malloc(*len);
    assert_int_equal(fread(p, 1, *len, f), *len);
    fclose(f);
    return p;
}

static void test_bytes_are_the_file(void **state)
{
    (void)state;
    static const char *const v[] = {"+84912345678", "+84987654321"};
    fidx_snapshot_t *s = make("a.fidx", v, 2, 1700000000);
    const char *p;
    size_t len, flen;
    fidx_snapshot_bytes(s, &p, &len);
    char *file = slurp("a.fidx", &flen);
    assert_int_equal(len, flen);
    assert_memory_equal(p, file, len);
    free(file);
    fidx_snapshot_release(s);
}

static void test_hash_names_the_content(void **state)
{
    (void)state;
    static const char *const v[] = {"+84912345678", "+84987654321"};
    static const char *const other[] = {"+84912345678", "+84987654322"};
    fidx_snapshot_t *a = make("h1.fidx", v, 2, 1700000000);
    fidx_snapshot_t *same = make("h2.fidx", v, 2, 1700000000);
    fidx_snapshot_t *diff = make("h3.fidx", other, 2, 1700000000);
    fidx_snapshot_t *later = make("h4.fidx", v, 2, 1700000001);
    assert_true(fidx_snapshot_content_hash(a) == fidx_snapshot_content_hash(same));
    assert_true(fidx_snapshot_content_hash(a) != fidx_snapshot_content_hash(diff));
    assert_true(fidx_snapshot_content_hash(a) != fidx_snapshot_content_hash(later));
    fidx_snapshot_release(a);
    fidx_snapshot_release(same);
    fidx_snapshot_release(diff);
    fidx_snapshot_release(later);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_are_the_file),
        cmocka_unit_test(test_hash_names_the_content),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
