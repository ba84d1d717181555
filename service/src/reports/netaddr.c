/* Client addresses as networks (netaddr.h). */
#include "reports/netaddr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Zeroes every bit of key[from_byte*8 ..] past `bits` bits of the 16-byte key. */
static void cut(uint8_t key[16], unsigned bits)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned have = bits > i * 8 ? bits - i * 8 : 0;
        if (have >= 8)
            continue;
        key[i] &= (uint8_t)(0xff00u >> have);
    }
}

void fidx__net_key(const char *client, unsigned v6_bits, unsigned v4_bits, uint8_t key[16])
{
    const uint8_t *v4_mapped = v4_prefix;
    struct in_addr v4;
    memset(key, 0, 16);
    if (!client)
        return;
    if (inet_pton(AF_INET, client, &v4) == 1) {
        memcpy(key, v4_mapped, 12);
        memcpy(key + 12, &v4, 4);
    } else if (inet_pton(AF_INET6, client, key) != 1) {
        memset(key, 0, 16);
        return;
    }
    if (memcmp(key, v4_mapped, 12) == 0)
        cut(key, 96 + (v4_bits > 32 ? 32 : v4_bits));
    else
        cut(key, v6_bits > 128 ? 128 : v6_bits);
}

int fidx__addr_parse(const char *p, size_t len, fidx__addr_t *out)
{
    char text[FIDX__ADDR_TEXT_MAX];
    struct in_addr v4;
    if (len == 0 || len >= sizeof text || memchr(p, '\0', len))
        return -1;
    memcpy(text, p, len);
    text[len] = '\0';
    if (inet_pton(AF_INET, text, &v4) == 1) {
        memcpy(out->b, v4_prefix, 12);
        memcpy(out->b + 12, &v4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, text, out->b) == 1 ? 0 : -1;
}

int fidx__net_parse(const char *s, fidx__net_t *out)
{
    const char *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    if (fidx__addr_parse(s, len, &out->addr) != 0)
        return -1;
    int v4 = memcmp(out->addr.b, v4_prefix, 12) == 0 && memchr(s, ':', len) == NULL;
    unsigned max = v4 ? 32 : 128, prefix = max;
    if (slash) {
        char *end;
        const char *d = slash + 1;
        if (*d < '0' || *d > '9' || strlen(d) > 3)
            return -1;
        unsigned long v = strtoul(d, &end, 10);
        if (*end || v > max)
            return -1;
        prefix = (unsigned)v;
    }
    out->bits = v4 ? 96 + prefix : prefix;
    uint8_t cut_copy[16];
    memcpy(cut_copy, out->addr.b, 16);
    cut(cut_copy, out->bits);
    return memcmp(cut_copy, out->addr.b, 16) == 0 ? 0 : -1;
}

int fidx__net_contains(const fidx__net_t *net, const fidx__addr_t *addr)
{
    unsigned whole = net->bits / 8, rest = net->bits % 8;
    if (memcmp(net->addr.b, addr->b, whole) != 0)
        return 0;
    return rest == 0 || ((net->addr.b[whole] ^ addr->b[whole]) & (uint8_t)(0xff00u >> rest)) == 0;
}

int fidx__addr_loopback(const fidx__addr_t *addr)
{
    static const uint8_t v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return (memcmp(addr->b, v4_prefix, 12) == 0 && addr->b[12] == 127) ||
           memcmp(addr->b, v6_loopback, 16) == 0;
}

void fidx__addr_text(const fidx__addr_t *addr, char out[FIDX__ADDR_TEXT_MAX])
{
    if (memcmp(addr->b, v4_prefix, 12) == 0)
        inet_ntop(AF_INET, addr->b + 12, out, FIDX__ADDR_TEXT_MAX);
    else
        inet_ntop(AF_INET6, addr->b, out, FIDX__ADDR_TEXT_MAX);
}

void fidx__net_key_addr(const fidx__addr_t *addr, unsigned v6_bits, unsigned v4_bits,
                        uint8_t key[16])
{
    memcpy(key, addr->b, 16);
    if (memcmp(key, v4_prefix, 12) == 0)
        cut(key, 96 + (v4_bits > 32 ? 32 : v4_bits));
    else
        cut(key, v6_bits > 128 ? 128 : v6_bits);
}
