/* Client addresses as networks: the unit a limit must count in, since one subscriber holds a
 * whole IPv6 /64 (and a customer often a /48), and an IPv4 address may be shared. */
#ifndef FIDX_SERVICE_REPORTS_NETADDR_H
#define FIDX_SERVICE_REPORTS_NETADDR_H

#include <stddef.h>
#include <stdint.h>

/* The subscriber (IPv6 /64, IPv4 /32) and the customer (IPv6 /48, IPv4 /24) networks. */
#define FIDX__NET_HOST_V6 64
#define FIDX__NET_HOST_V4 32
#define FIDX__NET_WIDE_V6 48
#define FIDX__NET_WIDE_V4 24

/* The 16-byte key of client's network: client is an address as text ("203.0.113.5",
 * "2001:db8::1"); IPv6 cut to its first v6_bits bits, IPv4 (and v4-mapped IPv6) kept as
 * ::ffff:a.b.c.d cut to v4_bits bits of the IPv4 address. Text that is no address gives the
 * all-zero key (all such clients share it). */
void fidx__net_key(const char *client, unsigned v6_bits, unsigned v4_bits, uint8_t key[16]);

/* An address as 16 bytes: IPv6 as it is, IPv4 as v4-mapped IPv6 (::ffff:a.b.c.d), so that one
 * comparison serves both families. */
typedef struct {
    uint8_t b[16];
} fidx__addr_t;

/* A network: an address and how many of its leading bits count (IPv4 /24 is 96 + 24). */
typedef struct {
    fidx__addr_t addr; /* bits past `bits` are zero */
    unsigned bits;     /* 0..128 */
} fidx__net_t;

#define FIDX__ADDR_TEXT_MAX 46 /* INET6_ADDRSTRLEN: an address as text with its NUL */

/* Reads p[0..len) as an address: dotted IPv4 or IPv6 text (no brackets, no zone, no port).
 * 0, or -1 when it is none. */
int fidx__addr_parse(const char *p, size_t len, fidx__addr_t *out);

/* Reads "ADDR" or "ADDR/PREFIX" (PREFIX 0..32 for IPv4, 0..128 for IPv6; without it the one
 * address) as a network; host bits set after the prefix are refused (203.0.113.5/24 is more
 * likely a typing error than a wish). 0, or -1 when it is none. */
int fidx__net_parse(const char *s, fidx__net_t *out);

/* The key of fidx__net_key for an address already read. */
void fidx__net_key_addr(const fidx__addr_t *addr, unsigned v6_bits, unsigned v4_bits,
                        uint8_t key[16]);

/* 1 when addr is in net. */
int fidx__net_contains(const fidx__net_t *net, const fidx__addr_t *addr);

/* 1 for a loopback address: 127.0.0.0/8 or ::1. */
int fidx__addr_loopback(const fidx__addr_t *addr);

/* addr as text (IPv4 dotted for a v4-mapped address) into out[FIDX__ADDR_TEXT_MAX]. */
void fidx__addr_text(const fidx__addr_t *addr, char out[FIDX__ADDR_TEXT_MAX]);

#endif
