/* Error codes shared by every fidx module.
 *
 * A function that can fail returns 0 or one of the negative FIDX_E* codes below and hands
 * results back through out-parameters. Parsers of outside input also fill an optional
 * fidx_err_t so that a bad row or request can be reported precisely (what and where). */
#ifndef FIDX_ERROR_H
#define FIDX_ERROR_H

#include <stddef.h>

#define FIDX_MUST_CHECK __attribute__((warn_unused_result))

/* X(name, value, message) */
#define FIDX_ERRNO_MAP(X)                                                                          \
    X(INVAL, -1, "invalid value")                                                                  \
    X(NOSPC, -2, "output buffer too small")                                                        \
    X(TOOBIG, -3, "input too large")                                                               \
    X(NOMEM, -4, "out of memory")                                                                  \
    X(IO, -5, "input/output error")                                                                \
    X(CORRUPT, -6, "file is corrupt")                                                              \
    X(VERSION, -7, "unsupported format version")                                                   \
    X(NOTFOUND, -8, "not found")                                                                   \
    X(LIMIT, -9, "limit exceeded")                                                                 \
    X(KIND, -10, "unknown kind")

enum {
#define FIDX_ERR_ENUM(name, val, msg) FIDX_E##name = (val),
    FIDX_ERRNO_MAP(FIDX_ERR_ENUM)
#undef FIDX_ERR_ENUM
};

/* Detail of a rejected input: the code, the byte offset in the input where the problem was
 * seen, and a static, human-readable reason ("phone number too short"). */
typedef struct {
    int code;
    size_t offset;
    const char *reason;
} fidx_err_t;

/* A static message for a FIDX_E* code (or "unknown error"). */
const char *fidx_strerror(int code);

/* Fills *err (when not NULL) with code, offset and reason (a static string) and returns code,
 * so that a parser fails in one line: `return fidx_err_set(err, FIDX_EINVAL, i, "...");`. */
int fidx_err_set(fidx_err_t *err, int code, size_t offset, const char *reason);

#endif
