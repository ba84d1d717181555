/* The application as the transport sees it (http/request.h): the route table. When a request's
 * headers are in, the router picks its handler by method and path (404 for an unknown path,
 * 405 with Allow for a known path and another method; HEAD is served wherever GET is), its
 * metrics label, and its body limit; for the analysts' API it also checks the token, so that
 * their larger body limit is granted only to a valid token and an unauthenticated upload is
 * refused before its body is read. */
#ifndef FIDX_SERVICE_ROUTES_ROUTER_H
#define FIDX_SERVICE_ROUTES_ROUTER_H

#include "http/request.h"

/* Every route of the analysts' API is under this path prefix. */
#define FIDX__ADMIN_PREFIX "/v1/admin"

/* The worker's `app` (set by the server). */
extern const fidx__app_t fidx__router_app;

#endif
