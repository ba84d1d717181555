/* Query-string parameters (see query.h). Works on slices of the request target; decoding
 * writes into a caller's buffer, never allocates. */
#include "http/query.h"

#include <string.h>

size_t fidx__query_find(const char *query, size_t len, const char *name, fidx_str_t *value)
{
    size_t nlen = strlen(name), count = 0, i = 0;
    if (len == 0)
        return 0;
    while (i <= len) { /* i == len: an empty last pair after a trailing '&' */
        const char *amp = memchr(query + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - query) : len;
        const char *pair = query + i;
        size_t plen = end - i;
        const char *eq = memchr(pair, '=', plen);
        size_t klen = eq ? (size_t)(eq - pair) : plen;
        if (klen == nlen && memcmp(pair, name, nlen) == 0) {
            if (count++ == 0)
                *value = eq ? fidx_str(eq + 1, plen - klen - 1) : fidx_str(pair + plen, 0);
        }
        i = end + 1;
    }
    return count;
}

static int hex(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch |= 0x20;
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

int fidx__query_decode(const char *p, size_t len, char *out, size_t cap, size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (o >= cap)
            return FIDX_ENOSPC;
        unsigned char ch = (unsigned char)p[i];
        if (ch == '+') {
            out[o++] = ' ';
        } else if (ch == '%') {
            if (len - i < 3)
                return FIDX_EINVAL;
            int hi = hex((unsigned char)p[i + 1]), lo = hex((unsigned char)p[i + 2]);
            if (hi < 0 || lo < 0)
                return FIDX_EINVAL;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = (char)ch;
        }
    }
    *out_len = o;
    return 0;
}
