/* A reader's HTTP client for its writer, on libcurl: one connection kept alive, the replica
 * token on every request, bounded bodies, timeouts, and a stop flag checked while a transfer
 * runs (libcurl calls back about once a second even while a long poll waits). For the
 * follower thread only: a client is not shared between threads. */
#ifndef FIDX_SERVICE_REPLICA_CLIENT_H
#define FIDX_SERVICE_REPLICA_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "replica/protocol.h"

#define FIDX__RCLIENT_URL_MAX 1024
#define FIDX__RCLIENT_ERROR_MAX 256

typedef struct fidx__rclient fidx__rclient_t;

typedef struct {
    long status; /* the HTTP status; 0 when no answer came */
    fidx__replica_headers_t h;
    char error[FIDX__RCLIENT_ERROR_MAX]; /* why no answer came */
} fidx__rresult_t;

/* Once per process, before any thread uses a client. 0 or -1. */
int fidx__rclient_global_init(void);
void fidx__rclient_global_cleanup(void);

/* A client of the writer at base (http://HOST:PORT or https://…, no trailing '/') that
 * presents token; a transfer gives up as soon as *stop is set. Caller owns *out; free with
 * fidx__rclient_free. */
int fidx__rclient_new(const char *base, const char *token, atomic_int *stop, fidx__rclient_t **out);
void fidx__rclient_free(fidx__rclient_t *c);

/* GET base + target into body (its limit bounds the answer), within timeout_ms. 0 when an
 * answer came (any status: res says which, with its header fields); -1 when none did (no
 * connection, a timeout, a body over the limit, stopped: res->error says). */
int fidx__rclient_get(fidx__rclient_t *c, const char *target, uint64_t timeout_ms,
                      fidx__sbuf_t *body, fidx__rresult_t *res);

/* GET base + target, asking for the bytes from `from` on (Range) when from > 0, and writes a
 * 200 or 206 answer's body to fd (at its current offset); *written counts what was written
 * (also when the transfer broke off). Other answers' bodies go to err_body. 0 when the whole
 * answer came, -1 otherwise. The transfer is aborted when it moves slower than 1 KiB/s for
 * 30 s. */
int fidx__rclient_download(fidx__rclient_t *c, const char *target, int fd, uint64_t from,
                           uint64_t *written, fidx__sbuf_t *err_body, fidx__rresult_t *res);

#endif
