/* Files of named secrets: the analysts' tokens (--tokens, tokens.c) and the bots' API keys
 * (--api-keys, apikeys.c) follow the same rules, kept here once.
 *
 * The file: a regular file (opened without following a symlink and without blocking, so a
 * FIFO put in its place cannot hang the service), that neither group nor others may read or
 * write, at most FIDX__CRED_FILE_MAX bytes. Its lines: blank, `# comment`, or
 * `NAME SECRET [THIRD]`, where NAME is 1..64 of [A-Za-z0-9_.@-], unique in the file, SECRET the
 * secret itself (16..512 bytes) or `sha256:HEX` (its SHA-256 in hex), and THIRD a word the
 * caller reads (a role, a rate). Only digests are kept; a presented secret is hashed and
 * compared with every digest in constant time, so neither which secret matched nor how much of
 * one did shows in the time taken. SHA-256 and the comparison come from nettle. */
#ifndef FIDX_SERVICE_ADMIN_CREDFILE_H
#define FIDX_SERVICE_ADMIN_CREDFILE_H

#include <stddef.h>
#include <stdint.h>

#define FIDX__CRED_NAME_MAX 64    /* [A-Za-z0-9_.@-], 1..64 */
#define FIDX__CRED_SECRET_MIN 16  /* plain secrets shorter than this are refused */
#define FIDX__CRED_SECRET_MAX 512 /* bytes of a plain secret (and of a presented one) */
#define FIDX__CRED_MAX 1000       /* entries in one file */
#define FIDX__CRED_FILE_MAX (1u << 20)
#define FIDX__CRED_DIGEST 32

typedef struct {
    char name[FIDX__CRED_NAME_MAX + 1];
    uint8_t digest[FIDX__CRED_DIGEST];
} fidx__cred_t;

/* What a file holds, for reading it and for its messages. */
typedef struct {
    const char *format; /* "NAME SECRET [ROLE]" */
    const char *noun;   /* "token": "no token in the file", "more than 1000 tokens" */
    /* Reads entry i's third word w[0..n) (n 0: absent). 0, or -1 with a sentence in msg (the
     * line number is added in front). */
    int (*third)(void *arg, size_t i, const char *w, size_t n, char *msg, size_t cap);
    void *arg;
} fidx__credfile_spec_t;

/* Reads path into creds[0..FIDX__CRED_MAX), *n entries. Returns 0, or -1 with a sentence in
 * msg: a file that is not a regular file, that group or others may read or write, that is too
 * large, or that has a malformed line (named by its number), a duplicate name, a short plain
 * secret, a third word spec refuses, or no entry at all. The file's bytes are wiped from
 * memory once read. */
int fidx__credfile_load(const char *path, const fidx__credfile_spec_t *spec, fidx__cred_t *creds,
                        size_t *n, char *msg, size_t cap);

/* The entry of creds[0..n) whose secret an Authorization value ("Bearer SECRET", the scheme in
 * any case) carries: its index, or -1 (no such entry, another scheme, a malformed value). Every
 * digest is compared, whichever matches. */
long fidx__credfile_match(const fidx__cred_t *creds, size_t n, const char *auth, size_t len);

#endif
