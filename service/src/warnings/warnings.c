/* The durable store of warnings (see warnings.h for the file and its guarantees). Writes go
 * through one O_APPEND descriptor, one write(2) per line, then fdatasync; a failed write or
 * sync is undone with ftruncate to the size before it, so no half line stays for the next one
 * to be glued to. */
#include "warnings/warnings.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sbuf.h"

struct fidx__warnings {
    pthread_mutex_t mu, change_mu;
    int fd; /* -1: read-only */
    off_t size;
    fidx__warning_t *w; /* every warning, in creation order */
    size_t n, skipped;
    _Atomic uint64_t version;
    fidx__warnings_view_t *view; /* under mu */
    uint32_t counter;
};

static fidx__warning_t *find(fidx__warnings_t *st, const char *id, size_t len)
{
    if (len != FIDX__WARNING_ID_LEN)
        return NULL;
    for (size_t i = 0; i < st->n; i++)
        if (memcmp(st->w[i].id, id, len) == 0)
            return &st->w[i];
    return NULL;
}

/* A new view of what is held, swapped in (under mu). A view that cannot be built (out of
 * memory) leaves the old one: the public sees the change at the next one. */
static void republish(fidx__warnings_t *st)
{
    uint64_t version = atomic_load(&st->version) + 1;
    fidx__warnings_view_t *v = fidx__warnings_view_build(st->w, st->n, version);
    if (!v)
        return;
    fidx__warnings_view_release(st->view);
    st->view = v;
    atomic_store(&st->version, version);
}

/* Takes w (moved in: 1) as the newest state of its id, when newer than what is held; else 0
 * or an error, and w stays the caller's. */
static int keep(fidx__warnings_t *st, fidx__warning_t *w)
{
    fidx__warning_t *cur = find(st, w->id, FIDX__WARNING_ID_LEN);
    if (cur) {
        if (cur->rev >= w->rev)
            return 0;
        fidx__warning_dispose(cur);
        *cur = *w;
        return 1;
    }
    if (st->n >= FIDX__WARNINGS_MAX)
        return FIDX_ELIMIT;
    fidx__warning_t *grown = realloc(st->w, (st->n + 1) * sizeof *grown);
    if (!grown)
        return FIDX_ENOMEM;
    st->w = grown;
    st->w[st->n++] = *w;
    return 1;
}

/* ---- open: replay the file ---- */

static int replay_line(fidx__warnings_t *st, const char *p, size_t len)
{
    fidx__warning_t w;
    fidx_err_t err = {0};
    if (len == 0)
        return 0;
    if (fidx__warning_parse(p, len, &w, &err) != 0) {
        st->skipped++;
        return 0;
    }
    int r = keep(st, &w);
    if (r == 1)
        return 0;
    fidx__warning_dispose(&w);
    if (r == FIDX_ELIMIT) /* a file written with a larger limit: kept on disk */
        st->skipped++;
    return r == FIDX_ENOMEM ? r : 0;
}

static int read_all(int fd, char **out, size_t *len)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return -1;
    size_t cap = (size_t)sb.st_size, got = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -1;
    while (got < cap) {
        ssize_t r = pread(fd, buf + got, cap - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    *out = buf;
    *len = got;
    return 0;
}

/* Replays every whole line; a last line without its newline is torn (cut when writable). */
static int replay(fidx__warnings_t *st, int fd)
{
    char *buf;
    size_t len, at = 0;
    if (read_all(fd, &buf, &len) != 0)
        return FIDX_EIO;
    while (at < len) {
        char *nl = memchr(buf + at, '\n', len - at);
        if (!nl)
            break;
        size_t l = (size_t)(nl - (buf + at));
        int r = l > FIDX__WARNING_LINE_MAX ? (st->skipped++, 0) : replay_line(st, buf + at, l);
        if (r) {
            free(buf);
            return r;
        }
        at += l + 1;
    }
    free(buf);
    st->size = (off_t)at;
    if (at < len && st->fd >= 0 && ftruncate(st->fd, st->size) != 0)
        return FIDX_EIO;
    return 0;
}

int fidx__warnings_open(const char *dir, int writable, fidx__warnings_t **out, fidx_err_t *err)
{
    char path[4200];
    *out = NULL;
    fidx__warnings_t *st = calloc(1, sizeof *st);
    if (!st)
        return FIDX_ENOMEM;
    pthread_mutex_init(&st->mu, NULL);
    pthread_mutex_init(&st->change_mu, NULL);
    st->fd = -1;
    snprintf(path, sizeof path, "%s/%s", dir, FIDX__WARNINGS_FILE);
    int fd = writable ? open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600)
                      : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && (writable || errno != ENOENT)) {
        fidx__warnings_free(st);
        return fidx_err_set(err, FIDX_EIO, 0, "cannot open warnings.jsonl");
    }
    st->fd = writable ? fd : -1;
    int r = fd >= 0 ? replay(st, fd) : 0;
    if (fd >= 0 && !writable)
        close(fd);
    if (r == 0) {
        republish(st);
        r = st->view ? 0 : FIDX_ENOMEM;
    }
    if (r) {
        fidx__warnings_free(st);
        return fidx_err_set(err, r, 0, "cannot read warnings.jsonl");
    }
    *out = st;
    return 0;
}

void fidx__warnings_free(fidx__warnings_t *st)
{
    if (!st)
        return;
    if (st->fd >= 0)
        close(st->fd);
    for (size_t i = 0; i < st->n; i++)
        fidx__warning_dispose(&st->w[i]);
    free(st->w);
    fidx__warnings_view_release(st->view);
    pthread_mutex_destroy(&st->mu);
    pthread_mutex_destroy(&st->change_mu);
    free(st);
}

size_t fidx__warnings_skipped(fidx__warnings_t *st)
{
    return st->skipped;
}

size_t fidx__warnings_count(fidx__warnings_t *st)
{
    pthread_mutex_lock(&st->mu);
    size_t n = st->n;
    pthread_mutex_unlock(&st->mu);
    return n;
}

void fidx__warnings_lock(fidx__warnings_t *st)
{
    pthread_mutex_lock(&st->change_mu);
}

void fidx__warnings_unlock(fidx__warnings_t *st)
{
    pthread_mutex_unlock(&st->change_mu);
}

void fidx__warnings_new_id(fidx__warnings_t *st, int64_t now, char id[FIDX__WARNING_ID_LEN + 1],
                           char uuid[37])
{
    uint8_t r[20];
    pthread_mutex_lock(&st->mu);
    uint32_t c = ++st->counter;
    pthread_mutex_unlock(&st->mu);
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) /* never short for 20 bytes; but: */
        for (size_t i = 0; i < sizeof r; i++)
            r[i] = (uint8_t)((uint64_t)now * 2654435761u >> (i % 24)) ^ (uint8_t)(c * 31 + i);
    snprintf(id, FIDX__WARNING_ID_LEN + 1, "w%08x%02x%02x%02x%02x", (unsigned)(uint32_t)now, r[0],
             r[1], r[2], r[3]);
    r[10] = (uint8_t)((r[10] & 0x0f) | 0x40); /* UUID version 4 (random) */
    r[12] = (uint8_t)((r[12] & 0x3f) | 0x80); /* variant 10 */
    snprintf(uuid, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[4],
             r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15], r[16], r[17],
             r[18], r[19]);
}

int fidx__warnings_get(fidx__warnings_t *st, const char *id, size_t len, fidx__warning_t *out)
{
    pthread_mutex_lock(&st->mu);
    const fidx__warning_t *w = find(st, id, len);
    int r = !w ? FIDX_ENOTFOUND : fidx__warning_copy(out, w);
    pthread_mutex_unlock(&st->mu);
    return r;
}

/* Appends line durably (one write, fdatasync), or leaves the file as it was. */
static int append_line(fidx__warnings_t *st, const char *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t r = write(st->fd, p + done, len - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            goto fail;
        done += (size_t)r;
    }
    if (fdatasync(st->fd) != 0)
        goto fail;
    st->size += (off_t)len;
    return 0;
fail:;
    int e = errno;
    if (ftruncate(st->fd, st->size) != 0) {
        /* the torn line is cut at the next open */
    }
    errno = e;
    return FIDX_EIO;
}

int fidx__warnings_put(fidx__warnings_t *st, const fidx__warning_t *w, fidx_err_t *err)
{
    fidx__sbuf_t line;
    fidx__warning_t copy;
    if (st->fd < 0)
        return fidx_err_set(err, FIDX_EIO, 0, "the warnings store is read-only here");
    fidx__sbuf_init(&line, FIDX__WARNING_LINE_MAX + 2);
    fidx__warning_json(&line, w, 0);
    fidx__sbuf_puts(&line, "\n");
    int r = line.failed ? FIDX_ETOOBIG : fidx__warning_copy(&copy, w);
    if (r) {
        fidx__sbuf_free(&line);
        return fidx_err_set(err, r, 0, "warning too large");
    }
    pthread_mutex_lock(&st->mu);
    fidx__warning_t *cur = find(st, w->id, FIDX__WARNING_ID_LEN);
    int kept = 0;
    if (cur && cur->rev >= w->rev)
        r = 0; /* held already: a replayed record */
    else if (!cur && st->n >= FIDX__WARNINGS_MAX)
        r = fidx_err_set(err, FIDX_ELIMIT, 0, "too many warnings are kept (2000)");
    else if (append_line(st, line.p, line.len) != 0)
        r = fidx_err_set(err, FIDX_EIO, 0, "warnings.jsonl cannot be written");
    else if ((r = keep(st, &copy)) == 1) { /* copy moved in */
        kept = 1;
        r = 0;
        republish(st);
    }
    pthread_mutex_unlock(&st->mu);
    if (!kept)
        fidx__warning_dispose(&copy); /* keep() leaves it to us unless it took it */
    fidx__sbuf_free(&line);
    return r;
}

void fidx__warnings_each(fidx__warnings_t *st, fidx__warnings_cb cb, void *ctx)
{
    pthread_mutex_lock(&st->mu);
    for (size_t i = st->n; i-- > 0;)
        if (cb(&st->w[i], ctx))
            break;
    pthread_mutex_unlock(&st->mu);
}

uint64_t fidx__warnings_version(fidx__warnings_t *st)
{
    return atomic_load_explicit(&st->version, memory_order_acquire);
}

fidx__warnings_view_t *fidx__warnings_current(fidx__warnings_t *st)
{
    pthread_mutex_lock(&st->mu);
    fidx__warnings_view_t *v = st->view;
    fidx__warnings_view_acquire(v);
    pthread_mutex_unlock(&st->mu);
    return v;
}
