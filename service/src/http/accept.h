/* Accepting connections on a worker's listening socket (accept.c). */
#ifndef FIDX_SERVICE_HTTP_ACCEPT_H
#define FIDX_SERVICE_HTTP_ACCEPT_H

#include "service.h"

/* Starts watching w->listen_fd (bound and listening) on w's loop. 0 or a libuv error. */
int fidx__accept_start(fidx__worker_t *w);
/* Stops accepting and closes the listening socket (draining, or a failed start). */
void fidx__accept_stop(fidx__worker_t *w);

#endif
