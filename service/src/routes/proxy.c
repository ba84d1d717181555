/* The client behind a trusted reverse proxy (proxy.h). */
#include "routes/proxy.h"

#include <string.h>
#include <strings.h>

static int trusted_addr(const fidx__net_t *trusted, size_t n, const fidx__addr_t *a)
{
    for (size_t i = 0; i < n; i++)
        if (fidx__net_contains(&trusted[i], a))
            return 1;
    return 0;
}

static int ows(char c)
{
    return c == ' ' || c == '\t';
}

/* One element of X-Forwarded-For as an address: "203.0.113.5", "2001:db8::1", and the forms
 * with a port some proxies write ("203.0.113.5:4711", "[2001:db8::1]:4711", "[2001:db8::1]").
 * 0, or -1 when it is none. */
static int element_addr(const char *p, size_t len, fidx__addr_t *out)
{
    while (len && ows(*p))
        p++, len--;
    while (len && ows(p[len - 1]))
        len--;
    if (len && p[0] == '[') {
        const char *close = memchr(p, ']', len);
        if (!close)
            return -1;
        size_t rest = len - (size_t)(close - p) - 1;
        if (rest && close[1] != ':')
            return -1;
        return fidx__addr_parse(p + 1, (size_t)(close - p) - 1, out);
    }
    const char *colon = memchr(p, ':', len);
    if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - p) - 1))
        len = (size_t)(colon - p); /* IPv4 with a port: one colon only */
    return fidx__addr_parse(p, len, out);
}

/* Walks X-Forwarded-For from the right (proxy.h says why): the address of the first hop that
 * is not trusted, or the last readable hop. `cut`: the left-most element is a fragment. */
static void from_forwarded_for(fidx_str_t xff, int cut, const fidx__net_t *trusted, size_t n,
                               fidx__client_t *out)
{
    size_t end = xff.len;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff.p[start - 1] != ',')
            start--;
        fidx__addr_t a;
        if ((cut && start == 0) || element_addr(xff.p + start, end - start, &a) != 0)
            return; /* keep the last hop read */
        out->addr = a;
        out->text = NULL;
        if (!trusted_addr(trusted, n, &a))
            return;
        end = start ? start - 1 : 0;
    }
}

static int proto_https(fidx_str_t v)
{
    size_t i = 0, len = v.len;
    while (i < len && ows(v.p[i]))
        i++;
    while (len > i && ows(v.p[len - 1]))
        len--;
    return len - i == 5 && strncasecmp(v.p + i, "https", 5) == 0;
}

void fidx__proxy_client(const fidx__req_t *req, const fidx__net_t *trusted, size_t n,
                        fidx__client_t *out)
{
    out->addr = req->peer_addr;
    out->text = req->peer ? req->peer : "";
    out->via_proxy = out->tls = 0;
    out->loopback = 0;
    if (n == 0 || !trusted_addr(trusted, n, &req->peer_addr)) {
        out->loopback = fidx__addr_loopback(&req->peer_addr) ? 1u : 0u;
        return;
    }
    out->via_proxy = 1;
    fidx_str_t xff = req->kept[FIDX__H_X_FORWARDED_FOR];
    if (xff.len)
        from_forwarded_for(xff, (req->kept_bad >> FIDX__H_X_FORWARDED_FOR) & 1, trusted, n, out);
    if (!out->text) {
        fidx__addr_text(&out->addr, out->text_buf);
        out->text = out->text_buf;
    }
    fidx_str_t proto = req->kept[FIDX__H_X_FORWARDED_PROTO];
    out->tls =
        !((req->kept_bad >> FIDX__H_X_FORWARDED_PROTO) & 1) && proto.len && proto_https(proto);
}

void fidx__proxy_req_client(const fidx__req_t *req, fidx__client_t *out)
{
    const fidx__config_t *cfg = req->w->cfg;
    fidx__proxy_client(req, cfg->trusted_proxies, cfg->n_trusted_proxies, out);
}
