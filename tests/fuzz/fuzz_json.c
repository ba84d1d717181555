/* Fuzz target for fidx_json_string (libFuzzer; replayed by ctest, see docs/FUZZING.md).
 * Properties, for any bytes:
 * - with room for the worst case (6 bytes out per byte in, and the quotes) the write fits;
 * - the output is one valid JSON string (jansson parses it back) that holds no raw control
 *   character and no raw U+2028/U+2029 (it is pasted into HTML and JavaScript);
 * - for valid UTF-8 input it decodes to the input exactly; otherwise to valid UTF-8 in
 *   which each invalid byte became U+FFFD;
 * - a buffer one byte too small leaves ok == 0, never writes past cap, and what was written
 *   is a prefix of the full output. */
#include <jansson.h>

#include "fidx/json.h"

#include "fuzz_common.h"

static void check_escaped(const char *j, size_t n)
{
    FUZZ_CHECK(n >= 2 && j[0] == '"' && j[n - 1] == '"', "output is not quoted");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)j[i];
        FUZZ_CHECK(c >= 0x20, "raw control character in output");
        FUZZ_CHECK(!(c == 0xE2 && i + 2 < n && (unsigned char)j[i + 1] == 0x80 &&
                     ((unsigned char)j[i + 2] == 0xA8 || (unsigned char)j[i + 2] == 0xA9)),
                   "raw U+2028/U+2029 in output");
    }
}

/* Length of the well-formed UTF-8 character at p (Unicode table 3-7), 0 when there is none:
 * the oracle, written from the table rather than from json.c. */
static size_t utf8_char(const uint8_t *p, size_t n)
{
    uint8_t c = p[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}

/* The input with every byte that starts no well-formed character replaced by U+FFFD. */
static char *expected_text(const uint8_t *data, size_t size, size_t *len)
{
    char *e = malloc(size * 3 + 1);
    size_t o = 0;
    FUZZ_CHECK(e != NULL, "out of memory in the harness");
    for (size_t i = 0; i < size;) {
        size_t k = utf8_char(data + i, size - i);
        if (k == 0) {
            memcpy(e + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        memcpy(e + o, data + i, k);
        o += k;
        i += k;
    }
    *len = o;
    return e;
}

static void check_decodes(const char *j, size_t n, const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *v = json_loadb(j, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    FUZZ_CHECK(v != NULL && json_is_string(v), "output is not a valid JSON string");
    size_t elen;
    char *e = expected_text(data, size, &elen);
    FUZZ_CHECK(json_string_length(v) == elen && memcmp(json_string_value(v), e, elen) == 0,
               elen == size ? "valid UTF-8 does not decode back to the input"
                            : "invalid UTF-8 does not decode to the input with U+FFFD for "
                              "each invalid byte");
    free(e);
    json_decref(v);
}

static void check_short_buffer(const uint8_t *data, size_t size, const char *full, size_t n)
{
    char *small = malloc(n - 1);
    FUZZ_CHECK(small != NULL, "out of memory in the harness");
    fidx_buf_t b = fidx_buf(small, n - 1);
    fidx_json_string(&b, (const char *)data, size);
    FUZZ_CHECK(!b.ok, "a buffer one byte too small reports ok");
    FUZZ_CHECK(b.len <= n - 1 && memcmp(small, full, b.len) == 0,
               "a short buffer holds something else than a prefix of the output");
    free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = size * 6 + 2;
    char *out = malloc(cap);
    FUZZ_CHECK(out != NULL, "out of memory in the harness");
    fidx_buf_t b = fidx_buf(out, cap);
    fidx_json_string(&b, (const char *)data, size);
    FUZZ_CHECK(b.ok && b.len <= cap, "the worst-case buffer was not enough");
    check_escaped(out, b.len);
    check_decodes(out, b.len, data, size);
    check_short_buffer(data, size, out, b.len);
    free(out);
    return 0;
}
