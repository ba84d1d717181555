/* The console's sessions as the routes see them (session.c): the cookie a request carries, the
 * analyst it stands for, and the sign-in limit. The store itself is admin/sessions.h. */
#ifndef FIDX_SERVICE_ROUTES_SESSION_H
#define FIDX_SERVICE_ROUTES_SESSION_H

#include "admin/sessions.h"
#include "http/request.h"

#define FIDX__SESSION_COOKIE "fidx_session"

/* Makes the store and the sign-in limiter (svc->sessions, svc->signin_limit): 0, or -1
 * (logged). */
int fidx__session_start(fidx__service_t *svc);
void fidx__session_stop(fidx__service_t *svc);

/* The session cookie's value in the request's Cookie header: 0 with *id, or -1 when there is
 * none (or the header was too long or repeated). */
int fidx__session_cookie(const fidx__req_t *req, fidx_str_t *id);

/* The request's session, if valid (its idle time restarts): 0 with *se, or -1. */
int fidx__session_of(const fidx__req_t *req, fidx__session_t *se);

/* For the analysts' API without an Authorization header: 0 when the request carries a valid
 * session, with req->principal and req->principal_role set from it; for any method but GET
 * and HEAD the request must also carry the session's X-CSRF-Token (*csrf_bad = 1 and -1 when
 * it does not). -1 when there is no valid session. */
int fidx__session_auth(fidx__req_t *req, int *csrf_bad);

/* Whether a request's X-CSRF-Token is its session's. */
int fidx__session_csrf_ok(const fidx__req_t *req, const fidx__session_t *se);

#endif
