/* Who a request comes from when a reverse proxy may stand in front: the client's address and
 * whether it came over TLS, trusting X-Forwarded-For and X-Forwarded-Proto only from the peers
 * the operator lists (--trusted-proxy). SECURITY.md has the trust model.
 *
 * Which address of X-Forwarded-For: each proxy appends the address it received the request
 * from, so the list read from the right is a chain of hops, and only the hops added by
 * trusted proxies can be believed; everything to their left may be whatever the client wrote.
 * The client is therefore the right-most address that is not a trusted proxy (the first hop
 * that no trusted proxy vouches for). Taking the left-most address instead, as many
 * frameworks do, would let any client choose its own rate-limit bucket by sending
 * "X-Forwarded-For: 1.2.3.4". */
#ifndef FIDX_SERVICE_ROUTES_PROXY_H
#define FIDX_SERVICE_ROUTES_PROXY_H

#include <stddef.h>

#include "http/request.h"
#include "reports/netaddr.h"

typedef struct {
    fidx__addr_t addr;      /* the client; all zero when unknown */
    const char *text;       /* the same as text: req->peer or text_buf; borrowed like the request */
    unsigned via_proxy : 1; /* the peer is a trusted proxy (so the client is not the peer) */
    unsigned loopback : 1;  /* the peer is a loopback address and not a trusted proxy */
    unsigned tls : 1;       /* a trusted proxy says the client used https */
    char text_buf[FIDX__ADDR_TEXT_MAX];
} fidx__client_t;

/* The client of req given the trusted proxies trusted[0..n): the peer itself when it is not
 * one of them (its X-Forwarded-* fields are ignored); otherwise the right-most address of
 * X-Forwarded-For that is not trusted. Reading stops at an element that is not an address
 * ("unknown", a cut value, garbage): the client is then the last hop read (at worst the peer),
 * the nearest point the chain of trust still vouches for. All addresses trusted: the
 * left-most. tls: X-Forwarded-Proto from a trusted peer is exactly one "https" (case
 * insensitive; a list or a repeated field is not believed). */
void fidx__proxy_client(const fidx__req_t *req, const fidx__net_t *trusted, size_t n,
                        fidx__client_t *out);

/* The same with the service's --trusted-proxy list. */
void fidx__proxy_req_client(const fidx__req_t *req, fidx__client_t *out);

#endif
