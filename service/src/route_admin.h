/* The analysts' routes, everything under /v1/admin (route_admin.c): the router hands them the
 * whole prefix, and they route methods and paths among themselves. */
#ifndef FIDX_SERVICE_ROUTE_ADMIN_H
#define FIDX_SERVICE_ROUTE_ADMIN_H

#include "router.h"

/* Whether a request path is an analysts' route (/v1/admin or below it). */
int fidx__route_is_admin(fidx_str_t path);

void fidx__route_admin(const fidx__req_t *req, fidx__resp_t *resp);

#endif
