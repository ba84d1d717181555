/* Analysts' tokens (see tokens.h): the file's rules and the comparison are credfile.c's; here
 * only the third word, a role. */
#include "admin/tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/memops.h>

#include "admin/credfile.h"

struct fidx__tokens {
    size_t n;
    fidx__cred_t creds[FIDX__TOKENS_MAX];
    fidx__role_t roles[FIDX__TOKENS_MAX];
};

/* The optional third word: a role (admin when absent). */
static int read_role(void *arg, size_t i, const char *w, size_t n, char *msg, size_t cap)
{
    fidx__tokens_t *tk = arg;
    tk->roles[i] = FIDX__ROLE_ADMIN;
    if (n == 0 || fidx__role_parse(w, n, &tk->roles[i]) == 0)
        return 0;
    snprintf(msg, cap, "unknown role %.*s (admin, analyst, reviewer, feeder, reader or replica)",
             (int)(n > 32 ? 32 : n), w);
    return -1;
}

int fidx__tokens_load(const char *path, fidx__tokens_t **out, char *msg, size_t cap)
{
    fidx__tokens_t *tk = calloc(1, sizeof *tk);
    if (!tk) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    fidx__credfile_spec_t spec = {"NAME SECRET [ROLE]", "token", read_role, tk};
    if (fidx__credfile_load(path, &spec, tk->creds, &tk->n, msg, cap) != 0) {
        fidx__tokens_free(tk);
        return -1;
    }
    *out = tk;
    return 0;
}

void fidx__tokens_free(fidx__tokens_t *t)
{
    if (t)
        explicit_bzero(t, sizeof *t);
    free(t);
}

size_t fidx__tokens_count(const fidx__tokens_t *t)
{
    return t ? t->n : 0;
}

int fidx__tokens_has(const fidx__tokens_t *t, const char *name,
                     const uint8_t digest[FIDX__CRED_DIGEST], fidx__role_t role)
{
    for (size_t i = 0; t && i < t->n; i++)
        if (strcmp(t->creds[i].name, name) == 0)
            return t->roles[i] == role &&
                   memeql_sec(t->creds[i].digest, digest, FIDX__CRED_DIGEST) != 0;
    return 0;
}

int fidx__tokens_check(const fidx__tokens_t *t, const char *auth, size_t len, char *name,
                       fidx__role_t *role)
{
    if (!t)
        return -1;
    long i = fidx__credfile_match(t->creds, t->n, auth, len);
    if (i < 0)
        return -1;
    memcpy(name, t->creds[i].name, FIDX__TOKEN_NAME_MAX + 1);
    *role = t->roles[i];
    return 0;
}
