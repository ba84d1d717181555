/* JSON output: a bounded buffer and string escaping that always yields valid JSON. */
#include "fidx/json.h"

#include <stdint.h>
#include <string.h>

void fidx_buf_putu(fidx_buf_t *b, unsigned long long v)
{
    char tmp[24];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    fidx_buf_put(b, tmp + n, sizeof tmp - n);
}

size_t fidx_utf8_len(const unsigned char *p, size_t len)
{
    unsigned c = p[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

static void put_escape(fidx_buf_t *b, unsigned c)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', '0', '0', hex[(c >> 4) & 15], hex[c & 15]};
    switch (c) {
    case '"':
        fidx_buf_put(b, "\\\"", 2);
        return;
    case '\\':
        fidx_buf_put(b, "\\\\", 2);
        return;
    case '\n':
        fidx_buf_put(b, "\\n", 2);
        return;
    case '\r':
        fidx_buf_put(b, "\\r", 2);
        return;
    case '\t':
        fidx_buf_put(b, "\\t", 2);
        return;
    }
    fidx_buf_put(b, e, 6);
}

void fidx_json_string(fidx_buf_t *b, const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, run = 0;
    fidx_buf_put(b, "\"", 1);
    while (i < len) {
        if (len - i >= 8 && fidx_json_plain8(p + i)) {
            run += 8;
            i += 8;
            continue;
        }
        unsigned c = s[i];
        size_t n = 1;
        int plain = c >= 0x20 && c != '"' && c != '\\' && c < 0x80;
        if (!plain && c >= 0x80) {
            n = fidx_utf8_len(s + i, len - i);
            /* U+2028/2029 are valid JSON but break JavaScript string literals. */
            plain =
                n > 0 && !(n == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] & 0xFE) == 0xA8);
        }
        if (plain) {
            run += n;
            i += n;
            continue;
        }
        fidx_buf_put(b, p + i - run, run);
        run = 0;
        if (c < 0x80)
            put_escape(b, c);
        else if (n == 3)
            fidx_buf_puts(b, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
        else
            fidx_buf_puts(b, "\\ufffd");
        i += n ? n : 1;
    }
    fidx_buf_put(b, p + i - run, run);
    fidx_buf_put(b, "\"", 1);
}
