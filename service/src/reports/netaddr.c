/* Client addresses as networks (netaddr.h). */
#include "reports/netaddr.h"

#include <arpa/inet.h>
#include <string.h>

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
    static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
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
