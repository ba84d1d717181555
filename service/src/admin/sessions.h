/* The analysts' console's sessions (docs/CONSOLE.md): a token typed once is exchanged for a
 * session, held by the browser in an HttpOnly cookie, so the token itself is never stored by
 * the page nor sent again.
 *
 * A session id is 256 random bits (getrandom); the store keeps only its SHA-256, so a memory
 * dump or a log of the table names no usable cookie. Each session is bound to the token's name
 * and role as they were at sign-in, carries its own CSRF token (256 random bits, which the page
 * reads once and sends as X-CSRF-Token with every change), and ends after `idle_ms` without use
 * or `max_ms` after sign-in, whichever comes first. The table is fixed (FIDX__SESSIONS_MAX): a
 * sign-in when it is full replaces the session used least recently.
 *
 * Thread-safe (one mutex; sessions are checked once per console request, never on lookups). */
#ifndef FIDX_SERVICE_SESSIONS_H
#define FIDX_SERVICE_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"

#define FIDX__SESSIONS_MAX 1024
#define FIDX__SESSION_ID_HEX 64   /* the cookie's value: 32 bytes as hex */
#define FIDX__SESSION_CSRF_HEX 64 /* the CSRF token: 32 bytes as hex */
#define FIDX__SESSION_NAME_MAX 71 /* a token's name (tokens.h allows 64) */

typedef struct fidx__sessions fidx__sessions_t;

/* What a valid session says of its analyst. */
typedef struct {
    char name[FIDX__SESSION_NAME_MAX + 1];
    int role; /* fidx__role_t */
    char csrf[FIDX__SESSION_CSRF_HEX + 1];
    uint8_t token_digest[32]; /* SHA-256 of the token signed in with: the session is its */
    uint64_t expires_ms;      /* when it ends if unused from now on (monotonic) */
} fidx__session_t;

/* idle_ms and max_ms > 0. Caller owns *out; free with fidx__sessions_free. FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx__sessions_new(uint64_t idle_ms, uint64_t max_ms, fidx__sessions_t **out);
void fidx__sessions_free(fidx__sessions_t *s);

/* A new session for name and role, signed in at now_ms (monotonic) with the token whose
 * SHA-256 is token_digest (32 bytes): its id (hex, NUL-terminated) goes to id, its description
 * to *out. FIDX_EIO when the system has no randomness to give. */
FIDX_MUST_CHECK int fidx__sessions_create(fidx__sessions_t *s, const char *name, int role,
                                          const uint8_t *token_digest, uint64_t now_ms,
                                          char id[FIDX__SESSION_ID_HEX + 1], fidx__session_t *out);

/* The session whose id is (id, len), if it is still valid at now_ms: 0 with *out filled and
 * its idle time restarted; -1 when there is none (unknown, malformed or expired: an expired
 * one is dropped). */
int fidx__sessions_use(fidx__sessions_t *s, const char *id, size_t len, uint64_t now_ms,
                       fidx__session_t *out);

/* Ends the session (sign-out); nothing when there is none. */
void fidx__sessions_end(fidx__sessions_t *s, const char *id, size_t len);

/* Whether (p, len) is the session's CSRF token, compared in constant time. */
int fidx__sessions_csrf_ok(const fidx__session_t *se, const char *p, size_t len);

#endif
