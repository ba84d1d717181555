/* Fuzz target for multipart/form-data bodies (service/src/http/multipart.c; libFuzzer;
 * replayed by ctest, see docs/FUZZING.md): what the page's image form posts.
 * Input: byte 0 % 16 + 1 is the boundary's length, the next that many bytes the boundary (an
 * input whose boundary holds a byte RFC 2046 does not allow is skipped), the rest is the body.
 * The boundary is also read back from a Content-Type made of it.
 * Properties: the parser answers 0, FIDX_EINVAL or FIDX_ELIMIT, with a reason and an offset
 * inside the body when it refuses; it never lists more than its room; the parts it lists lie
 * inside the body, in order and apart, each with a name; and the parts written again as a
 * browser would write them (same boundary) read back to the same names, file names, types and
 * contents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "http/multipart.h"

#define MAX_PARTS 8

static int allowed(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != '\0' && strchr("'()+_,-./:=?", c) != NULL);
}

static void put(char **p, const void *s, size_t n)
{
    memcpy(*p, s, n);
    *p += n;
}

/* The parts as a browser writes them; the caller frees. NULL when a part's header would be
 * longer than the reader takes (a canonical header can be a little longer than the one sent). */
static char *encode(fidx_str_t b, const fidx__multipart_part_t *parts, size_t n, size_t total,
                    size_t *len)
{
    char *out = malloc(total + n * 256 + b.len * (n + 2) + 64), *p = out;
    FUZZ_CHECK(out != NULL, "out of memory in the harness");
    for (size_t i = 0; i < n; i++) {
        const fidx__multipart_part_t *q = &parts[i];
        char *head = p;
        put(&p, "--", 2);
        put(&p, b.p, b.len);
        put(&p, "\r\nContent-Disposition: form-data; name=\"", 40);
        put(&p, q->name.p, q->name.len);
        put(&p, "\"", 1);
        if (q->is_file) {
            put(&p, "; filename=\"", 12);
            put(&p, q->filename.p, q->filename.len);
            put(&p, "\"", 1);
        }
        put(&p, "\r\n", 2);
        if (q->type.len) {
            put(&p, "Content-Type: ", 14);
            put(&p, q->type.p, q->type.len);
            put(&p, "\r\n", 2);
        }
        if ((size_t)(p - head) > FIDX__MULTIPART_MAX_HEADER - 8) {
            free(out);
            return NULL;
        }
        put(&p, "\r\n", 2);
        put(&p, q->data.p, q->data.len);
        put(&p, "\r\n", 2);
    }
    put(&p, "--", 2);
    put(&p, b.p, b.len);
    put(&p, "--\r\n", 4);
    *len = (size_t)(p - out);
    return out;
}

static int same(fidx_str_t a, fidx_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t blen = (size_t)(data[0] % 16) + 1;
    if (size < 1 + blen)
        return 0;
    for (size_t i = 0; i < blen; i++)
        if (!allowed((char)data[1 + i]))
            return 0;
    char ct[128];
    int ctlen = snprintf(ct, sizeof ct, "multipart/form-data; boundary=%.*s", (int)blen,
                         (const char *)data + 1);
    fidx_str_t b;
    fidx_err_t err = {0};
    FUZZ_CHECK(fidx__multipart_boundary(ct, (size_t)ctlen, &b, &err) == 0,
               "the boundary is not read back from its Content-Type");
    FUZZ_CHECK(b.len == blen && memcmp(b.p, data + 1, blen) == 0, "another boundary read back");

    size_t len = size - 1 - blen;
    char *body = fuzz_dup(data + 1 + blen, len);
    fidx__multipart_part_t parts[MAX_PARTS];
    size_t n = 0;
    int rc = fidx__multipart_parse(body, len, b, parts, MAX_PARTS, &n, &err);
    FUZZ_CHECK(rc == 0 || rc == FIDX_EINVAL || rc == FIDX_ELIMIT, "an unexpected error code");
    if (rc != 0) {
        FUZZ_CHECK(err.reason != NULL && err.offset <= len, "a refusal without reason or place");
        free(body);
        return 0;
    }
    FUZZ_CHECK(n <= MAX_PARTS, "more parts than room");
    const char *at = body;
    for (size_t i = 0; i < n; i++) {
        const fidx__multipart_part_t *q = &parts[i];
        FUZZ_CHECK(q->name.len > 0, "a part without a name");
        FUZZ_CHECK(q->data.p >= at && q->data.p + q->data.len <= body + len,
                   "a part's content outside the body or out of order");
        at = q->data.p + q->data.len;
    }
    size_t elen;
    char *again = encode(b, parts, n, len, &elen);
    if (again) {
        fidx__multipart_part_t back[MAX_PARTS];
        size_t m = 0;
        FUZZ_CHECK(fidx__multipart_parse(again, elen, b, back, MAX_PARTS, &m, &err) == 0,
                   "the parts written again do not read back");
        FUZZ_CHECK(m == n, "another number of parts read back");
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(same(back[i].name, parts[i].name) &&
                           same(back[i].filename, parts[i].filename) &&
                           back[i].is_file == parts[i].is_file &&
                           same(back[i].type, parts[i].type) && same(back[i].data, parts[i].data),
                       "a part read back differs");
        free(again);
    }
    free(body);
    return 0;
}
