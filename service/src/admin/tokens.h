/* Analysts' tokens (--tokens FILE): one `NAME SECRET [ROLE]` per line, SECRET the token itself
 * or `sha256:HEX` (its SHA-256 in hex), ROLE one of roles.h's names (admin when absent). The
 * file's rules, the digests and the constant-time comparison are credfile.h's, shared with the
 * bots' API keys. */
#ifndef FIDX_SERVICE_TOKENS_H
#define FIDX_SERVICE_TOKENS_H

#include <stddef.h>

#include "admin/roles.h"

#include "admin/credfile.h"

#define FIDX__TOKEN_NAME_MAX FIDX__CRED_NAME_MAX
#define FIDX__TOKEN_SECRET_MIN FIDX__CRED_SECRET_MIN
#define FIDX__TOKEN_SECRET_MAX FIDX__CRED_SECRET_MAX
#define FIDX__TOKENS_MAX FIDX__CRED_MAX
#define FIDX__TOKENS_FILE_MAX FIDX__CRED_FILE_MAX

typedef struct fidx__tokens fidx__tokens_t;

/* Reads path. Refuses (returns -1 with a sentence in msg) a file that is not a regular file,
 * that group or others may read or write, that is too large, or that has a malformed line
 * (named by its number), a duplicate name, a short plain secret, an unknown role or no token
 * at all.
 * Caller owns *out; free with fidx__tokens_free. */
int fidx__tokens_load(const char *path, fidx__tokens_t **out, char *msg, size_t cap);
void fidx__tokens_free(fidx__tokens_t *t);
size_t fidx__tokens_count(const fidx__tokens_t *t);

/* Checks the value of an Authorization header ("Bearer TOKEN"). Returns 0, the token's name in
 * name (FIDX__TOKEN_NAME_MAX + 1 bytes) and its role in *role when TOKEN is one of t's, -1
 * otherwise. */
int fidx__tokens_check(const fidx__tokens_t *t, const char *auth, size_t len, char *name,
                       fidx__role_t *role);

/* Whether t still holds the token called name with this SHA-256 of its secret and this role
 * (the console's sessions: a token removed, rotated or given another role ends them). */
int fidx__tokens_has(const fidx__tokens_t *t, const char *name,
                     const uint8_t digest[FIDX__CRED_DIGEST], fidx__role_t role);

#endif
