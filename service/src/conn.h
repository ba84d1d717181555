/* A client connection: reading, http-parser callbacks, pipelining, output batching, timeouts
 * and the orderly close. */
#ifndef FIDX_SERVICE_CONN_H
#define FIDX_SERVICE_CONN_H

#include <uv.h>

#include "router.h"
#include "service.h"

/* uv_connection_cb of a worker's listener (server->data is the worker). */
void fidx__conn_accept(uv_stream_t *server, int status);

/* Enforces the deadlines of every connection of w (called a few times a second). */
void fidx__conn_sweep(fidx__worker_t *w);

/* Starts draining w's connections (SIGTERM): idle ones close now, the others after their
 * current request is answered, or at the drain deadline. */
void fidx__conn_drain(fidx__worker_t *w);

/* ---- for handlers that answer later (the analysts' routes) ---- */

typedef struct fidx__reply fidx__reply_t;

/* Inside a handler on w's thread: the answer to the request being handled will come later,
 * through fidx__reply_send on the same thread. Meanwhile the connection reads no further
 * request (pipelined ones wait their turn) and no timeout runs. resp is the handler's (route
 * id, close); method the request's. NULL when out of memory: answer at once then. */
fidx__reply_t *fidx__conn_defer(fidx__worker_t *w, const fidx__resp_t *resp, int method);
/* Takes a deferral back inside the same handler (which then answers at once). */
void fidx__conn_undefer(fidx__worker_t *w, fidx__reply_t *r);
/* Sends the deferred answer (a JSON body, copied) and frees r; if the client has gone, only
 * frees r. On the worker's thread. */
void fidx__reply_send(fidx__reply_t *r, int status, const char *body, size_t len);

/* Inside a handler: the request body, handed over (caller owns it; free with free()). */
char *fidx__conn_take_body(fidx__worker_t *w, size_t *len);
/* Inside a handler: the name of the analyst's token the request carries, NULL when it carries
 * none that is valid (checked once, when its headers were read). */
const char *fidx__conn_token(const fidx__worker_t *w);

#endif
