/* Who may ask how much (docs/API.md, "Keys and limits"): the bots' API keys (--api-keys) and
 * the per-network limits of anonymous clients, applied when a request's headers are in (the
 * router calls fidx__limits_head), so a refused request costs no body and no lookup.
 *
 *   - A request with `Authorization: Bearer KEY` and a known key is charged to the key's own
 *     bucket (its RATE), and its name goes on the reports it files. A key that is not known
 *     is 401, never silently anonymous; an analyst's token is accepted as an anonymous client.
 *   - Anonymous lookups (GET/POST /v1/check, POST /v1/scan, POST /v1/image) are charged per
 *     network: the client's address (IPv6 /64) and its wider network (IPv6 /48, IPv4 /24,
 *     WIDE_SHARE times as much), the client as routes/proxy.h finds it behind a trusted proxy.
 *   - Lookups from loopback (a bot on the same host, a benchmark) are not limited, unless they
 *     come through a trusted proxy (the client is then the one it forwards for);
 *     --lookup-limits off turns the lookup limits off altogether. Reports are limited for
 *     everyone (report_intake.c), keyed ones here.
 *   - Limited answers carry RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-
 *     headers, structured-field form); a 429 carries Retry-After.
 * The keys are re-read on SIGHUP (a bad file keeps the old keys); the buckets of the new set
 * start full. Thread-safe: workers read under a read lock, SIGHUP swaps under the write lock. */
#ifndef FIDX_SERVICE_ROUTES_LIMITS_H
#define FIDX_SERVICE_ROUTES_LIMITS_H

#include "http/request.h"
#include "service.h"

typedef struct fidx__limits fidx__limits_t;

typedef enum {
    FIDX__LIMIT_LOOKUP, /* /v1/check, /v1/scan, /v1/image */
    FIDX__LIMIT_REPORT, /* POST /v1/reports, POST /report */
} fidx__limit_kind_t;

/* Loads the keys and makes the lookup tables (main thread, at start). 0, or -1 logged. */
int fidx__limits_start(fidx__service_t *svc);
/* SIGHUP: re-reads --api-keys. */
void fidx__limits_reload(fidx__service_t *svc);
void fidx__limits_stop(fidx__service_t *svc);

/* In the router's on_head, for a route of the given kind: identifies the client, charges its
 * bucket, and writes the RateLimit fields into req->headers. Returns 0 to go on (the handler
 * replaced by a 429 answer when the bucket is empty; req->principal is the key's name when one
 * was given), or -1 with resp set to a 401 when the request, which has a body, must be refused
 * before it is read. */
int fidx__limits_head(fidx__req_t *req, fidx__resp_t *resp, fidx__limit_kind_t kind);

#endif
