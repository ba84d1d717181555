/* A client connection: reading, http-parser callbacks, pipelining, output batching, timeouts
 * and the orderly close. The worker's `app` answers the requests (http/request.h); the worker's
 * `drained` is called once draining has closed its last connection. */
#ifndef FIDX_SERVICE_CONN_H
#define FIDX_SERVICE_CONN_H

#include <uv.h>

#include "service.h"

/* Takes over fd, a connection just accepted on w's listener (closed on failure). */
void fidx__conn_open(fidx__worker_t *w, int fd);

/* Enforces the deadlines of every connection of w (called a few times a second). */
void fidx__conn_sweep(fidx__worker_t *w);

/* The handles that give large requests their turns (the worker inits them on its loop with
 * data = w, and starts the check handle). */
void fidx__conn_take_turns(uv_check_t *h);
void fidx__conn_keep_turning(uv_idle_t *h);

/* Starts draining w's connections (SIGTERM): idle ones close now, the others after their
 * current request is answered, or at the drain deadline. */
void fidx__conn_drain(fidx__worker_t *w);

#endif
