/* Analysts' tokens (--tokens FILE): one `NAME SECRET [ROLE]` per line, SECRET the token itself
 * or `sha256:HEX` (its SHA-256 in hex), ROLE one of roles.h's names (admin when absent). Only
 * digests are kept in memory; a presented token is hashed and compared with every digest in
 * constant time, so neither which token matched nor how much of one did shows in the time taken. */
#ifndef FIDX_SERVICE_TOKENS_H
#define FIDX_SERVICE_TOKENS_H

#include <stddef.h>

#include "admin/roles.h"

#define FIDX__TOKEN_NAME_MAX 64    /* [A-Za-z0-9_.@-], 1..64 */
#define FIDX__TOKEN_SECRET_MIN 16  /* plain secrets shorter than this are refused */
#define FIDX__TOKEN_SECRET_MAX 512 /* bytes of a plain secret (and of a presented token) */
#define FIDX__TOKENS_MAX 1000      /* tokens in one file */
#define FIDX__TOKENS_FILE_MAX (1u << 20)

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

#endif
