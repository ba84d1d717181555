/* Analysts' tokens (see tokens.h). SHA-256 and the constant-time comparison come from nettle
 * (docs/OPERATIONS.md says why nettle): no cryptography is written here. */
#include "admin/tokens.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "fidx/file.h"

typedef struct {
    char name[FIDX__TOKEN_NAME_MAX + 1];
    uint8_t digest[SHA256_DIGEST_SIZE];
    fidx__role_t role;
} token_t;

struct fidx__tokens {
    size_t n;
    token_t t[];
};

static int fail(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    return -1;
}

static void sha256(const char *p, size_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, (const uint8_t *)p);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '@' || c == '-';
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The next whitespace-separated word of line[*i..len). */
static size_t word(const char *line, size_t len, size_t *i, const char **start)
{
    while (*i < len && is_blank(line[*i]))
        (*i)++;
    *start = line + *i;
    size_t n = 0;
    while (*i < len && !is_blank(line[*i]))
        (*i)++, n++;
    return n;
}

static int parse_secret(const char *s, size_t n, token_t *t)
{
    if (n > 7 && memcmp(s, "sha256:", 7) == 0) {
        if (n != 7 + 2 * SHA256_DIGEST_SIZE)
            return -1;
        for (size_t j = 0; j < SHA256_DIGEST_SIZE; j++) {
            int hi = hexval(s[7 + 2 * j]), lo = hexval(s[8 + 2 * j]);
            if (hi < 0 || lo < 0)
                return -1;
            t->digest[j] = (uint8_t)(hi << 4 | lo);
        }
        return 0;
    }
    if (n < FIDX__TOKEN_SECRET_MIN || n > FIDX__TOKEN_SECRET_MAX)
        return -2;
    sha256(s, n, t->digest);
    return 0;
}

/* The optional third word: a role (admin when absent). -1 with msg when it is not one. */
static int parse_role(const char *w, size_t n, size_t lineno, token_t *t, char *msg, size_t cap)
{
    t->role = FIDX__ROLE_ADMIN;
    if (n == 0 || fidx__role_parse(w, n, &t->role) == 0)
        return 0;
    return fail(msg, cap,
                "line %zu: unknown role %.*s (admin, analyst, reviewer, feeder, reader or "
                "replica)",
                lineno, (int)(n > 32 ? 32 : n), w);
}

/* One line: blank, a comment, or NAME SECRET [ROLE]. Adds to tk; -1 with msg on a bad line. */
static int parse_line(fidx__tokens_t *tk, const char *line, size_t len, size_t lineno, char *msg,
                      size_t cap)
{
    size_t i = 0;
    const char *name, *secret, *role, *extra;
    size_t nn = word(line, len, &i, &name);
    if (nn == 0 || name[0] == '#')
        return 0;
    size_t sn = word(line, len, &i, &secret);
    size_t rn = word(line, len, &i, &role);
    if (sn == 0 || word(line, len, &i, &extra) != 0)
        return fail(msg, cap, "line %zu: expected NAME SECRET [ROLE]", lineno);
    if (nn > FIDX__TOKEN_NAME_MAX)
        return fail(msg, cap, "line %zu: the name is longer than %d characters", lineno,
                    FIDX__TOKEN_NAME_MAX);
    for (size_t j = 0; j < nn; j++)
        if (!name_char(name[j]))
            return fail(msg, cap, "line %zu: a name may hold letters, digits and _ . @ - only",
                        lineno);
    if (tk->n >= FIDX__TOKENS_MAX)
        return fail(msg, cap, "more than %d tokens", FIDX__TOKENS_MAX);
    token_t *t = &tk->t[tk->n];
    memcpy(t->name, name, nn);
    t->name[nn] = '\0';
    for (size_t j = 0; j < tk->n; j++)
        if (strcmp(tk->t[j].name, t->name) == 0)
            return fail(msg, cap, "line %zu: the name %s is given twice", lineno, t->name);
    if (parse_role(role, rn, lineno, t, msg, cap) != 0)
        return -1;
    int r = parse_secret(secret, sn, t);
    if (r == -1)
        return fail(msg, cap, "line %zu: sha256: must be followed by 64 hex digits", lineno);
    if (r == -2)
        return fail(msg, cap, "line %zu: a secret must be %d to %d bytes long", lineno,
                    FIDX__TOKEN_SECRET_MIN, FIDX__TOKEN_SECRET_MAX);
    tk->n++;
    return 0;
}

static int parse(fidx__tokens_t *tk, const char *p, size_t len, char *msg, size_t cap)
{
    size_t lineno = 0;
    for (size_t off = 0; off < len;) {
        const char *nl = memchr(p + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (p + off)) : len - off;
        if (parse_line(tk, p + off, n, ++lineno, msg, cap) != 0)
            return -1;
        off += n + 1;
    }
    if (tk->n == 0)
        return fail(msg, cap, "no token in the file");
    return 0;
}

/* Reads the whole file after checking what it is and who may read it. */
static char *read_file(const char *path, size_t *len, char *msg, size_t cap)
{
    struct stat st;
    /* Non-blocking: a FIFO at the path would otherwise hang the main loop (and its signals)
     * on a SIGHUP until some writer opened it. */
    int fd = fidx_file_open_regular(path, O_NOFOLLOW, &st);
    if (fd == FIDX_FILE_NOT_REGULAR) {
        fail(msg, cap, "it is not a regular file");
        return NULL;
    }
    if (fd < 0) {
        fail(msg, cap, "cannot open it: %s", strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        fail(msg, cap, "group or others may read or write it (mode %04o); run chmod 600 on it",
             (unsigned)(st.st_mode & 07777));
    else if ((uint64_t)st.st_size > FIDX__TOKENS_FILE_MAX)
        fail(msg, cap, "it is larger than %u bytes", FIDX__TOKENS_FILE_MAX);
    else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
        fail(msg, cap, "out of memory");
    else {
        ssize_t n = read(fd, buf, (size_t)st.st_size);
        if (n < 0 || n != st.st_size) {
            fail(msg, cap, "cannot read it: %s", n < 0 ? strerror(errno) : "short read");
            free(buf);
            buf = NULL;
        } else {
            *len = (size_t)n;
        }
    }
    close(fd);
    return buf;
}

int fidx__tokens_load(const char *path, fidx__tokens_t **out, char *msg, size_t cap)
{
    size_t len = 0;
    char *p = read_file(path, &len, msg, cap);
    if (!p)
        return -1;
    fidx__tokens_t *tk = calloc(1, sizeof *tk + FIDX__TOKENS_MAX * sizeof(token_t));
    int r = tk ? parse(tk, p, len, msg, cap) : fail(msg, cap, "out of memory");
    /* The file held secrets: do not leave them in freed memory. */
    explicit_bzero(p, len);
    free(p);
    if (r) {
        free(tk);
        return -1;
    }
    *out = tk;
    return 0;
}

void fidx__tokens_free(fidx__tokens_t *t)
{
    if (t)
        explicit_bzero(t, sizeof *t + FIDX__TOKENS_MAX * sizeof(token_t));
    free(t);
}

size_t fidx__tokens_count(const fidx__tokens_t *t)
{
    return t ? t->n : 0;
}

int fidx__tokens_check(const fidx__tokens_t *t, const char *auth, size_t len, char *name,
                       fidx__role_t *role)
{
    size_t i = 0;
    while (i < len && is_blank(auth[i]))
        i++;
    if (!t || len - i < 7 || strncasecmp(auth + i, "Bearer ", 7) != 0)
        return -1;
    i += 7;
    while (i < len && auth[i] == ' ')
        i++;
    size_t end = len;
    while (end > i && is_blank(auth[end - 1]))
        end--;
    if (end == i || end - i > FIDX__TOKEN_SECRET_MAX)
        return -1;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256(auth + i, end - i, d);
    /* Every digest is compared, whatever matched before: the time is the same for all. */
    size_t found = SIZE_MAX;
    for (size_t j = 0; j < t->n; j++) {
        size_t eq = (size_t)memeql_sec(d, t->t[j].digest, sizeof d);
        found = eq ? j : found;
    }
    if (found == SIZE_MAX)
        return -1;
    memcpy(name, t->t[found].name, FIDX__TOKEN_NAME_MAX + 1);
    *role = t->t[found].role;
    return 0;
}
