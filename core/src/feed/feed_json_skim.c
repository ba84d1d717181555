/* Checking a JSON document without building it, for the MISP and STIX readers: they keep only
 * where each attribute or object is written and parse one at a time with jansson, so that a
 * 55 MB event costs its mapping and a few bytes per attribute instead of the whole tree
 * (~6.5 times the input). The check is RFC 8259's grammar as jansson applies it: strings
 * without control characters and with valid escapes and UTF-8, numbers, literals, nesting
 * within JSON_PARSER_MAX_DEPTH. Duplicate keys are found where a reader parses with jansson
 * (attributes, objects) and in the members it reads, not inside values it skips. */
#include "feed/feed_internal.h"

#define SKIM_MAX_DEPTH JSON_PARSER_MAX_DEPTH

size_t fidx__feed_json_ws(const char *p, size_t len, size_t i)
{
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i;
}

static int hexdig(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Length of the valid UTF-8 sequence at p[i] (0: invalid), as jansson's utf8 check. */
static size_t utf8_len(const unsigned char *p, size_t len, size_t i)
{
    unsigned c = p[i];
    size_t n = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (n == 0 || i + n > len)
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((p[i + k] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] > 0x9F) ||
        (c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] > 0x8F))
        return 0; /* overlong, surrogate, beyond U+10FFFF */
    return n;
}

/* The string opening at p[i]: its end, or 0 when it is not a valid JSON string. */
static size_t string_end(const char *p, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)p;
    for (i++; i < len;) {
        unsigned char c = u[i];
        if (c == '"')
            return i + 1;
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            if (i + 1 >= len)
                return 0;
            char e = p[i + 1];
            if (e == 'u') {
                if (i + 6 > len || !hexdig(p[i + 2]) || !hexdig(p[i + 3]) || !hexdig(p[i + 4]) ||
                    !hexdig(p[i + 5]))
                    return 0;
                i += 6;
            } else if (e && memchr("\"\\/bfnrt", e, 8)) {
                i += 2;
            } else {
                return 0;
            }
            continue;
        }
        size_t n = utf8_len(u, len, i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 0;
}

static size_t digits(const char *p, size_t len, size_t i)
{
    while (i < len && p[i] >= '0' && p[i] <= '9')
        i++;
    return i;
}

/* The number at p[i]: its end, or 0. */
static size_t number_end(const char *p, size_t len, size_t i)
{
    if (i < len && p[i] == '-')
        i++;
    if (i >= len || p[i] < '0' || p[i] > '9')
        return 0;
    i = p[i] == '0' ? i + 1 : digits(p, len, i);
    if (i < len && p[i] == '.') {
        size_t j = digits(p, len, i + 1);
        if (j == i + 1)
            return 0;
        i = j;
    }
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < len && (p[i] == '+' || p[i] == '-'))
            i++;
        size_t j = digits(p, len, i);
        if (j == i)
            return 0;
        i = j;
    }
    return i;
}

static size_t scalar_end(const char *p, size_t len, size_t i)
{
    static const char *const lit[] = {"true", "false", "null"};
    if (p[i] == '"')
        return string_end(p, len, i);
    for (size_t k = 0; k < 3; k++) {
        size_t n = strlen(lit[k]);
        if (len - i >= n && memcmp(p + i, lit[k], n) == 0)
            return i + n;
    }
    return number_end(p, len, i);
}

static int bad(fidx_err_t *err, size_t at)
{
    return fidx_err_set(err, FIDX_EINVAL, at, "document is not valid JSON");
}

/* One value from p[i] (whitespace first); *end after it. Iterative: the containers open are a
 * bit stack (1: object), so nesting costs no C stack. 0 or FIDX_EINVAL. */
int fidx__feed_json_skim(const char *p, size_t len, size_t i, size_t *end, fidx_err_t *err)
{
    unsigned char obj[SKIM_MAX_DEPTH / 8 + 1] = {0};
    size_t depth = 0;
    for (;;) {
        /* a value at p[i] */
        i = fidx__feed_json_ws(p, len, i);
        if (i >= len)
            return bad(err, i);
        if (p[i] == '{' || p[i] == '[') {
            if (depth >= SKIM_MAX_DEPTH)
                return fidx_err_set(err, FIDX_EINVAL, i, "JSON is nested too deeply");
            int is_obj = p[i] == '{';
            obj[depth / 8] = (unsigned char)((obj[depth / 8] & ~(1u << depth % 8)) |
                                             (unsigned)is_obj << depth % 8);
            depth++;
            i = fidx__feed_json_ws(p, len, i + 1);
            if (i < len && p[i] == (is_obj ? '}' : ']')) {
                depth--;
                i++;
                goto after_value;
            }
            if (is_obj)
                goto key;
            continue;
        }
        {
            size_t e = scalar_end(p, len, i);
            if (e == 0)
                return bad(err, i);
            i = e;
        }
    after_value:
        if (depth == 0) {
            *end = i;
            return 0;
        }
        i = fidx__feed_json_ws(p, len, i);
        if (i >= len)
            return bad(err, i);
        int in_obj = (obj[(depth - 1) / 8] >> (depth - 1) % 8) & 1;
        if (p[i] == (in_obj ? '}' : ']')) {
            depth--;
            i++;
            goto after_value;
        }
        if (p[i] != ',')
            return bad(err, i);
        i = fidx__feed_json_ws(p, len, i + 1);
        if (!in_obj)
            continue;
    key:
        if (i >= len || p[i] != '"' || (i = string_end(p, len, i)) == 0)
            return bad(err, i);
        i = fidx__feed_json_ws(p, len, i);
        if (i >= len || p[i] != ':')
            return bad(err, i);
        i++;
    }
}

/* ---- walking a checked document ---------------------------------------------------------- */

int fidx__feed_json_open(const char *p, size_t len, size_t *i, char open)
{
    *i = fidx__feed_json_ws(p, len, *i);
    if (*i < len && p[*i] == open) {
        (*i)++;
        return 1;
    }
    return 0;
}

int fidx__feed_json_next(const char *p, size_t len, size_t *i, int in_obj, fidx_str_t *key,
                         size_t *vstart, size_t *vend)
{
    size_t j = fidx__feed_json_ws(p, len, *i);
    if (j >= len || p[j] == (in_obj ? '}' : ']'))
        return 0;
    if (p[j] == ',')
        j = fidx__feed_json_ws(p, len, j + 1);
    if (in_obj) {
        size_t k = string_end(p, len, j);
        *key = fidx_str(p + j + 1, k - j - 2);
        j = fidx__feed_json_ws(p, len, k) + 1; /* past ':' */
    }
    *vstart = fidx__feed_json_ws(p, len, j);
    fidx_err_t err;
    if (fidx__feed_json_skim(p, len, *vstart, vend, &err) != 0)
        return 0; /* not reached on a checked document */
    *i = *vend;
    return 1;
}
