/* Client addresses as networks: the unit a limit must count in, since one subscriber holds a
 * whole IPv6 /64 (and a customer often a /48), and an IPv4 address may be shared. */
#ifndef FIDX_SERVICE_REPORTS_NETADDR_H
#define FIDX_SERVICE_REPORTS_NETADDR_H

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

#endif
