/* Fuzz target for the client behind a trusted proxy (service/src/routes/proxy.c; libFuzzer;
 * replayed by ctest, see docs/FUZZING.md): X-Forwarded-For and X-Forwarded-Proto as any bytes.
 * Input: byte 0 picks the peer (bit 0: a trusted proxy or not; bit 1: IPv4 or IPv6) and whether
 * the transport cut the X-Forwarded-For (bit 2) or saw -Proto twice (bit 3); the rest is
 * X-Forwarded-For, then after the first '\n' X-Forwarded-Proto.
 * Properties: from an untrusted peer the client is the peer, without TLS, whatever the fields
 * say; from a trusted one the client is the peer or an address written in the header, as
 * text that reads back as an address; TLS only when -Proto holds "https" and was sent once;
 * nothing read past either field (blocks of their exact size). */
#include <strings.h>

#include "routes/proxy.h"

#include "fuzz_common.h"

static fidx__net_t trusted[2];

/* Is a (as text) one of the elements of x, read naively: split at ',', trimmed, brackets and a
 * port taken off? */
static int written_in(const char *x, size_t len, const fidx__addr_t *a)
{
    for (size_t start = 0; start <= len;) {
        size_t end = start;
        while (end < len && x[end] != ',')
            end++;
        for (size_t i = start; i < end; i++)
            for (size_t j = i + 1; j <= end; j++) {
                fidx__addr_t b;
                if (fidx__addr_parse(x + i, j - i, &b) == 0 && memcmp(a->b, b.b, 16) == 0)
                    return 1;
            }
        start = end + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!trusted[0].bits) {
        FUZZ_CHECK(fidx__net_parse("10.0.0.0/8", &trusted[0]) == 0, "a network");
        FUZZ_CHECK(fidx__net_parse("2001:db8::/32", &trusted[1]) == 0, "a network");
    }
    unsigned flags = data[0];
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    const char *nl = memchr(rest, '\n', n);
    size_t xlen = nl ? (size_t)(nl - rest) : n;
    char *xff = fuzz_dup(rest, xlen);
    char *xfp = nl ? fuzz_dup(nl + 1, n - xlen - 1) : NULL;
    static const char *const peers[4] = {"203.0.113.1", "10.1.2.3", "2001:db9::1", "2001:db8::7"};
    const char *peer = peers[(flags & 1) | ((flags & 2))];
    fidx__req_t req;
    memset(&req, 0, sizeof req);
    req.peer = peer;
    FUZZ_CHECK(fidx__addr_parse(peer, strlen(peer), &req.peer_addr) == 0, "the peer");
    req.kept[FIDX__H_X_FORWARDED_FOR] = fidx_str(xff, xlen);
    if (xfp)
        req.kept[FIDX__H_X_FORWARDED_PROTO] = fidx_str(xfp, n - xlen - 1);
    req.kept_bad = ((flags >> 2) & 1u) << FIDX__H_X_FORWARDED_FOR |
                   ((flags >> 3) & 1u) << FIDX__H_X_FORWARDED_PROTO;
    fidx__client_t c;
    fidx__proxy_client(&req, trusted, 2, &c);
    fidx__addr_t back;
    FUZZ_CHECK(fidx__addr_parse(c.text, strlen(c.text), &back) == 0, "the client reads back");
    FUZZ_CHECK(memcmp(back.b, c.addr.b, 16) == 0, "text and address agree");
    int is_peer = memcmp(c.addr.b, req.peer_addr.b, 16) == 0;
    if (!(flags & 1)) {
        FUZZ_CHECK(is_peer && !c.via_proxy && !c.tls, "an untrusted peer is the client");
    } else {
        FUZZ_CHECK(c.via_proxy, "a trusted peer");
        FUZZ_CHECK(is_peer || written_in(xff, xlen, &c.addr), "the client was in the header");
        if (c.tls) {
            size_t plen = n - xlen - 1, i = 0;
            while (xfp && i < plen && (xfp[i] == ' ' || xfp[i] == '\t'))
                i++;
            FUZZ_CHECK(!(flags & 8) && xfp && plen - i >= 5 &&
                           strncasecmp(xfp + i, "https", 5) == 0,
                       "TLS only from https sent once");
        }
    }
    free(xff);
    free(xfp);
    return 0;
}
