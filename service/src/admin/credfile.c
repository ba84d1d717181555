/* Files of named secrets (see credfile.h). */
#include "admin/credfile.h"

#include "fidx/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "fidx/file.h"

_Static_assert(FIDX__CRED_DIGEST == SHA256_DIGEST_SIZE, "a digest is a SHA-256");

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

static int parse_secret(const char *s, size_t n, fidx__cred_t *c)
{
    if (n > 7 && memcmp(s, "sha256:", 7) == 0) {
        if (n != 7 + 2 * SHA256_DIGEST_SIZE)
            return -1;
        for (size_t j = 0; j < SHA256_DIGEST_SIZE; j++) {
            int hi = hexval(s[7 + 2 * j]), lo = hexval(s[8 + 2 * j]);
            if (hi < 0 || lo < 0)
                return -1;
            c->digest[j] = (uint8_t)(hi << 4 | lo);
        }
        return 0;
    }
    if (n < FIDX__CRED_SECRET_MIN || n > FIDX__CRED_SECRET_MAX)
        return -2;
    sha256(s, n, c->digest);
    return 0;
}

/* NAME, checked and unique among creds[0..n): 0, or -1 with msg. */
static int parse_name(const char *name, size_t nn, fidx__cred_t *creds, size_t n, size_t lineno,
                      char *msg, size_t cap)
{
    if (nn > FIDX__CRED_NAME_MAX)
        return fail(msg, cap, "line %zu: the name is longer than %d characters", lineno,
                    FIDX__CRED_NAME_MAX);
    for (size_t j = 0; j < nn; j++)
        if (!name_char(name[j]))
            return fail(msg, cap, "line %zu: a name may hold letters, digits and _ . @ - only",
                        lineno);
    memcpy(creds[n].name, name, nn);
    creds[n].name[nn] = '\0';
    for (size_t j = 0; j < n; j++)
        if (strcmp(creds[j].name, creds[n].name) == 0)
            return fail(msg, cap, "line %zu: the name %s is given twice", lineno, creds[n].name);
    return 0;
}

/* One line: blank, a comment, or NAME SECRET [THIRD]. Adds to creds; -1 with msg on a bad
 * line. */
static int parse_line(const fidx__credfile_spec_t *spec, fidx__cred_t *creds, size_t *n,
                      const char *line, size_t len, size_t lineno, char *msg, size_t cap)
{
    size_t i = 0;
    const char *name, *secret, *third, *extra;
    size_t nn = word(line, len, &i, &name);
    if (nn == 0 || name[0] == '#')
        return 0;
    size_t sn = word(line, len, &i, &secret);
    size_t tn = word(line, len, &i, &third);
    if (sn == 0 || word(line, len, &i, &extra) != 0)
        return fail(msg, cap, "line %zu: expected %s", lineno, spec->format);
    if (*n >= FIDX__CRED_MAX)
        return fail(msg, cap, "more than %d %ss", FIDX__CRED_MAX, spec->noun);
    if (parse_name(name, nn, creds, *n, lineno, msg, cap) != 0)
        return -1;
    char why[200];
    if (spec->third(spec->arg, *n, third, tn, why, sizeof why) != 0)
        return fail(msg, cap, "line %zu: %s", lineno, why);
    int r = parse_secret(secret, sn, &creds[*n]);
    if (r == -1)
        return fail(msg, cap, "line %zu: sha256: must be followed by 64 hex digits", lineno);
    if (r == -2)
        return fail(msg, cap, "line %zu: a secret must be %d to %d bytes long", lineno,
                    FIDX__CRED_SECRET_MIN, FIDX__CRED_SECRET_MAX);
    (*n)++;
    return 0;
}

static int parse(const fidx__credfile_spec_t *spec, fidx__cred_t *creds, size_t *n, const char *p,
                 size_t len, char *msg, size_t cap)
{
    size_t lineno = 0;
    *n = 0;
    for (size_t off = 0; off < len;) {
        const char *nl = memchr(p + off, '\n', len - off);
        size_t k = nl ? (size_t)(nl - (p + off)) : len - off;
        if (parse_line(spec, creds, n, p + off, k, ++lineno, msg, cap) != 0)
            return -1;
        off += k + 1;
    }
    if (*n == 0)
        return fail(msg, cap, "no %s in the file", spec->noun);
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
    else if ((uint64_t)st.st_size > FIDX__CRED_FILE_MAX)
        fail(msg, cap, "it is larger than %u bytes", FIDX__CRED_FILE_MAX);
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

int fidx__credfile_load(const char *path, const fidx__credfile_spec_t *spec, fidx__cred_t *creds,
                        size_t *n, char *msg, size_t cap)
{
    size_t len = 0;
    char *p = read_file(path, &len, msg, cap);
    if (!p)
        return -1;
    int r = parse(spec, creds, n, p, len, msg, cap);
    /* The file held secrets: do not leave them in freed memory. */
    explicit_bzero(p, len);
    free(p);
    return r;
}

long fidx__credfile_match(const fidx__cred_t *creds, size_t n, const char *auth, size_t len)
{
    size_t i = 0;
    while (i < len && is_blank(auth[i]))
        i++;
    if (!creds || len - i < 7 || strncasecmp(auth + i, "Bearer ", 7) != 0)
        return -1;
    i += 7;
    while (i < len && auth[i] == ' ')
        i++;
    size_t end = len;
    while (end > i && is_blank(auth[end - 1]))
        end--;
    if (end == i || end - i > FIDX__CRED_SECRET_MAX)
        return -1;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256(auth + i, end - i, d);
    /* Every digest is compared, whatever matched before: the time is the same for all. */
    long found = -1;
    for (size_t j = 0; j < n; j++) {
        int eq = memeql_sec(d, creds[j].digest, sizeof d);
        found = eq ? (long)j : found;
    }
    return found;
}
