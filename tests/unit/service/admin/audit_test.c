/* Unit tests for admin/audit.c: each audit line is one JSON object on one line whatever bytes
 * its values hold, it names the analyst by the token's name (the secret never appears), and
 * its role, its time is UTC with milliseconds, whatever the process's time zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../svc_test.h"
#include "admin/audit.h"
#include "admin/tokens.h"

/* The line in b: ends in its only newline, and is one JSON object (caller owns; json_decref). */
static json_t *line_object(const fidx__sbuf_t *b)
{
    assert_false(b->failed);
    assert_true(b->len > 0 && b->p[b->len - 1] == '\n');
    assert_null(memchr(b->p, '\n', b->len - 1));
    assert_null(memchr(b->p, '\r', b->len));
    json_t *j = svc_json(b->p, b->len - 1);
    assert_true(json_is_object(j));
    return j;
}

static void one_object_per_line(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    fidx__audit_begin(&b, 1714557600123, "alice", "analyst", "delist");
    fidx__audit_str(&b, "kind", "phone", 5);
    fidx__audit_num(&b, "rows", 0);
    fidx__audit_num(&b, "accepted", INT64_MAX);
    fidx__audit_raw(&b, "categories", "[\"impersonation\",\"investment\"]", 30);
    fidx__audit_end(&b);
    json_t *j = line_object(&b);
    assert_string_equal(json_string_value(json_object_get(j, "time")), "2024-05-01T10:00:00.123Z");
    assert_string_equal(json_string_value(json_object_get(j, "token")), "alice");
    assert_string_equal(json_string_value(json_object_get(j, "action")), "delist");
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "phone");
    assert_int_equal(json_integer_value(json_object_get(j, "rows")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "categories")), 2);
    assert_string_equal(json_string_value(json_object_get(j, "role")), "analyst");
    assert_int_equal(json_object_size(j), 8);
    json_decref(j);
    assert_non_null(memmem(b.p, b.len, "\"accepted\":9223372036854775807,", 31));
    /* Lines follow one another in the buffer the log writes. */
    size_t first = b.len;
    fidx__audit_begin(&b, 0, "bob", "analyst", "compact");
    fidx__audit_end(&b);
    fidx__sbuf_t second = b;
    second.p += first;
    second.len -= first;
    j = line_object(&second);
    assert_string_equal(json_string_value(json_object_get(j, "token")), "bob");
    assert_int_equal(json_object_size(j), 4);
    json_decref(j);
    fidx__sbuf_free(&b);
}

/* Values (and keys) of any bytes: the line stays one valid JSON object that says them back,
 * invalid UTF-8 as U+FFFD. */
static void any_bytes_in_values(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    char v[1];
    for (int c = 0; c < 256; c++) {
        v[0] = (char)c;
        fidx__sbuf_reset(&b, 1 << 20);
        fidx__audit_begin(&b, 1, "alice", "analyst", "add");
        fidx__audit_str(&b, "reason", v, 1);
        fidx__audit_end(&b);
        json_t *j = line_object(&b);
        json_t *r = json_object_get(j, "reason");
        if (c < 0x80) {
            assert_int_equal(json_string_length(r), 1);
            assert_int_equal(json_string_value(r)[0], (char)c);
        } else {
            assert_string_equal(json_string_value(r), "\xef\xbf\xbd");
        }
        json_decref(j);
    }
    static const char nasty[] = "\"},\"token\":\"mallory\",\"x\":\"\n\r\t\\\0\x1b[2J\xe2\x80\xa8 "
                                "Vi\xe1\xbb\x87t \xc3\x28";
    fidx__sbuf_reset(&b, 1 << 20);
    fidx__audit_begin(&b, 1, "alice", "analyst", "delist\n");
    fidx__audit_str(&b, "reason", nasty, sizeof nasty - 1);
    fidx__audit_str(&b, "k\"ey", "v", 1);
    fidx__audit_end(&b);
    json_t *j = line_object(&b);
    assert_string_equal(json_string_value(json_object_get(j, "token")), "alice");
    assert_string_equal(json_string_value(json_object_get(j, "action")), "delist\n");
    assert_string_equal(json_string_value(json_object_get(j, "k\"ey")), "v");
    json_t *r = json_object_get(j, "reason");
    size_t n = json_string_length(r);
    const char *s = json_string_value(r);
    assert_int_equal(n, sizeof nasty - 1 - 2 + 3 + 1); /* \xc3 became U+FFFD, '(' stayed */
    assert_memory_equal(s, nasty, sizeof nasty - 1 - 2);
    assert_memory_equal(s + n - 4, "\xef\xbf\xbd(", 4);
    assert_int_equal(json_object_size(j), 6);
    json_decref(j);
    fidx__sbuf_free(&b);
}

/* The time for now_ms, as the line writes it, with TZ set elsewhere than UTC. */
static void assert_time(int64_t now_ms, const char *want)
{
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    fidx__audit_begin(&b, now_ms, "alice", "analyst", "add");
    fidx__audit_end(&b);
    json_t *j = line_object(&b);
    const char *t = json_string_value(json_object_get(j, "time"));
    if (strcmp(t, want) != 0)
        fail_msg("%lld ms: \"%s\", want \"%s\"", (long long)now_ms, t, want);
    json_decref(j);
    fidx__sbuf_free(&b);
}

static void time_utc_with_milliseconds(void **state)
{
    (void)state;
    setenv("TZ", "ICT-7", 1); /* Vietnam, UTC+7: a local time would show 17:00 */
    tzset();
    assert_time(1714557600123, "2024-05-01T10:00:00.123Z");
    assert_time(1714557600000, "2024-05-01T10:00:00.000Z");
    assert_time(1714557600007, "2024-05-01T10:00:00.007Z");
    assert_time(1714557600999, "2024-05-01T10:00:00.999Z");
    assert_time(1714557599999, "2024-05-01T09:59:59.999Z");
    assert_time(1709164800000 - 1, "2024-02-28T23:59:59.999Z"); /* before a leap day */
    assert_time(0, "1970-01-01T00:00:00.000Z");
    assert_time(253402300799999, "9999-12-31T23:59:59.999Z");
    /* A clock set before 1970 still gives a time (floor, not truncation toward zero). */
    assert_time(-1, "1969-12-31T23:59:59.999Z");
    assert_time(-1000, "1969-12-31T23:59:59.000Z");
    assert_time(-1001, "1969-12-31T23:59:58.999Z");
    unsetenv("TZ");
    tzset();
}

/* The analyst is named by the token's name, as tokens_check gives it for the secret presented;
 * neither the secret nor its digest is in the line. */
static void token_name_never_secret(void **state)
{
    (void)state;
    static const char secret[] = "s3cr3t-t0ken-0123456789abcdef";
    /* sha256("another-secret-token-here") */
    static const char digest[] = "sha256:"
                                 "cd2249709bc93c21eb3050faba6afbfec17f32afb1473cdf61f6fa592ab1034a";
    char dir[] = "/tmp/fidx-audit-XXXXXX", path[64], msg[256], name[FIDX__TOKEN_NAME_MAX + 1];
    fidx__role_t role;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/tokens", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "alice.nguyen %s\nbob %s\n", secret, digest);
    fclose(f);
    assert_int_equal(chmod(path, 0600), 0);
    fidx__tokens_t *t = NULL;
    if (fidx__tokens_load(path, &t, msg, sizeof msg) != 0)
        fail_msg("tokens: %s", msg);
    char auth[128];
    snprintf(auth, sizeof auth, "Bearer %s", secret);
    assert_int_equal(fidx__tokens_check(t, auth, strlen(auth), name, &role), 0);
    assert_string_equal(name, "alice.nguyen");
    auth[strlen(auth) - 1] ^= 1;
    assert_int_equal(fidx__tokens_check(t, auth, strlen(auth), name, &role), -1);
    static const char bob[] = "Bearer another-secret-token-here";
    assert_int_equal(fidx__tokens_check(t, bob, sizeof bob - 1, name, &role), 0);
    assert_string_equal(name, "bob");
    assert_int_equal(fidx__tokens_check(t, auth, strlen(auth) - 1, name, &role), -1);
    snprintf(auth, sizeof auth, "Bearer %s", secret);
    assert_int_equal(fidx__tokens_check(t, auth, strlen(auth), name, &role), 0);

    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    fidx__audit_begin(&b, 1714557600123, name, "analyst", "add");
    fidx__audit_num(&b, "accepted", 3);
    fidx__audit_end(&b);
    json_t *j = line_object(&b);
    assert_string_equal(json_string_value(json_object_get(j, "token")), "alice.nguyen");
    json_decref(j);
    assert_null(memmem(b.p, b.len, secret, sizeof secret - 1));
    assert_null(memmem(b.p, b.len, "s3cr3t", 6));
    assert_null(memmem(b.p, b.len, digest + 7, 16));
    fidx__sbuf_free(&b);
    fidx__tokens_free(t);
    unlink(path);
    rmdir(dir);
}

static void open_appends(void **state)
{
    (void)state;
    char dir[] = "/tmp/fidx-audit-XXXXXX", path[64], msg[256];
    assert_non_null(mkdtemp(dir));
    int fd = fidx__audit_open(dir, msg, sizeof msg);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "1\n", 2), 2);
    close(fd);
    fd = fidx__audit_open(dir, msg, sizeof msg); /* again: appended, not truncated */
    assert_int_equal(write(fd, "2\n", 2), 2);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_size, 4);
    assert_int_equal(st.st_mode & 0077, 0); /* the analysts' record is private */
    close(fd);
    snprintf(path, sizeof path, "%s/" FIDX__AUDIT_FILE, dir);
    unlink(path);
    rmdir(dir);
    msg[0] = '\0';
    assert_int_equal(fidx__audit_open("/nonexistent-dir", msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "/nonexistent-dir/" FIDX__AUDIT_FILE));
    char longdir[5000];
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[sizeof longdir - 1] = '\0';
    msg[0] = '\0';
    assert_int_equal(fidx__audit_open(longdir, msg, sizeof msg), -1);
    assert_true(msg[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_object_per_line),
        cmocka_unit_test(any_bytes_in_values),
        cmocka_unit_test(time_utc_with_milliseconds),
        cmocka_unit_test(token_name_never_secret),
        cmocka_unit_test(open_appends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
