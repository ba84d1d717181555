/* The write-ahead log (see wal.h for the format): replay at start, appending with group
 * commit, rotation for compaction.
 *
 * Why one checksum per group rather than per record: a group is what one fsync made durable,
 * so it is the unit that a crash can tear. A torn group is always the last one written (a
 * group is written only after the one before it is durable); damage followed by an intact
 * group can only be damage to something that was acknowledged, and is refused rather than
 * skipped. Pages of the last group reaching the disk out of order (a power cut) make the whole
 * group fail its checksum, and it was never acknowledged, so dropping it loses nothing.
 *
 * Threads: appends happen under the caller's writer lock and take `mu` briefly to hand over
 * their bytes; the commit thread takes the pending buffer under `mu` and does its I/O
 * without it. A failure (write or fsync error) is final: the file is cut back to what was
 * durable, waiters are told, and later appends fail. */
#include "admin/wal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fidx/durable.h"
#include "admin/wal_feed.h"
#include "admin/wal_format.h"
#include "base/clock.h"
#include "base/le_bytes.h"
#include "base/log.h"
#include "fidx/file.h"

#define SEG_MAGIC FIDX__WAL_SEG_MAGIC
#define GROUP_MAGIC FIDX__WAL_GROUP_MAGIC
#define SEG_HEADER FIDX__WAL_SEG_HEADER
#define GROUP_HEADER FIDX__WAL_GROUP_HEADER
#define RECORD_HEADER FIDX__WAL_RECORD_HEADER
#define MAX_SEGMENTS 100000
#define KEEP_BUFFER (1024 * 1024)
#define MALFORMED (-1000) /* a group whose checksum is right but whose records are not */

struct fidx__wal {
    char dir[4096];
    int dir_fd, seg_fd, audit_fd;
    uint64_t audit_bytes; /* durable size of the audit log */
    uint64_t segment;
    uint64_t seg_bytes; /* durable size of the current segment */

    pthread_mutex_t mu;
    pthread_cond_t work; /* the commit thread waits here for appends */
    pthread_cond_t done; /* waiters wait here for durability */
    pthread_t thread;
    fidx__sbuf_t recs[2], audit[2];
    int cur;           /* recs[cur], audit[cur] collect appends */
    uint64_t first, n; /* sequence number of recs[cur]'s first record, and how many */
    uint64_t next_seq; /* writers' next sequence number */
    uint64_t durable;  /* every record <= durable is on disk */
    int busy;          /* the commit thread is writing outside mu */
    uint64_t rounds;   /* rounds the commit thread finished (fidx__wal_flush) */
    int told_failure;  /* an append failed: the commit thread is to tell the waiters */
    int stop;
    char failure[256]; /* "" while the log works */

    _Atomic uint64_t durable_pub; /* durable, for readers without mu */
    atomic_int failed_pub;

    fidx__wal_durable_cb on_durable;
    fidx__wal_round_cb on_round;
    fidx__wal_audit_cb on_audit;
    void *ctx;
    uint64_t groups, records, bytes, fsync_ns_total, fsync_ns_max;

    fidx__wal_feed_t *feed; /* the log read back by sequence number (wal_feed.h) */
    uint64_t fold_below;    /* segments below it are folded into a snapshot (under mu) */
};

static uint64_t group_sum(const char *head, const char *payload, size_t len)
{
    return fidx__wal_group_sum(head, payload, len);
}

void fidx__wal_segment_path(const char *dir, uint64_t segment, char *out, size_t cap)
{
    snprintf(out, cap, "%s/wal-%016" PRIu64 ".log", dir, segment);
}

void fidx__wal_record(fidx__sbuf_t *out, unsigned type, const void *body, size_t len)
{
    char h[RECORD_HEADER] = {0};
    fidx__put32(h, (uint32_t)len);
    h[4] = (char)type;
    fidx__sbuf_put(out, h, sizeof h);
    fidx__sbuf_put(out, body, len);
}

/* ---- listing segments ---- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Numbers of dir's segments >= from, sorted; *n of them. Caller frees. NULL when none. */
static uint64_t *list_segments(const char *dir, uint64_t from, size_t *n)
{
    DIR *d = opendir(dir);
    uint64_t *v = NULL;
    size_t cap = 0;
    *n = 0;
    if (!d)
        return NULL;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        unsigned long long num;
        char tail[8];
        if (strlen(e->d_name) != 24 || sscanf(e->d_name, "wal-%16llu%4s", &num, tail) != 2 ||
            strcmp(tail, ".log") != 0 || num < from)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            uint64_t *nv = cap <= MAX_SEGMENTS ? realloc(v, cap * sizeof *v) : NULL;
            if (!nv)
                break;
            v = nv;
        }
        v[(*n)++] = num;
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_u64);
    return v;
}

/* ---- replay ---- */

typedef struct {
    const char *dir;
    int mode;
    fidx__wal_record_cb cb;
    void *ctx;
    fidx__wal_replay_t *st;
    char *msg;
    size_t cap;
    int have_seq; /* next_seq is known (a segment was read) */
} replay_t;

/* Whether p[0..size) holds a sound group at off whose first record follows seq. */
static int group_ok(const char *p, size_t size, size_t off, uint64_t *payload, const char **why)
{
    if (size - off < GROUP_HEADER) {
        *why = "a group header is cut short";
        return 0;
    }
    const char *h = p + off;
    uint64_t len = fidx__get64(h + 16);
    if (memcmp(h, GROUP_MAGIC, 4) != 0) {
        *why = "no group starts here";
        return 0;
    }
    if (len > size - off - GROUP_HEADER) {
        *why = "a group is cut short";
        return 0;
    }
    if (fidx__get32(h + 4) == 0 ||
        group_sum(h, h + GROUP_HEADER, (size_t)len) != fidx__get64(h + 24)) {
        *why = "checksum mismatch";
        return 0;
    }
    *payload = len;
    return 1;
}

/* Whether a sound group follows somewhere after off (then the damage at off is not a torn
 * tail but damage to something that was made durable). */
static int intact_after(const char *p, size_t size, size_t off)
{
    for (size_t at = off + 1; at + GROUP_HEADER <= size;) {
        const char *m = memmem(p + at, size - at, GROUP_MAGIC, 4);
        uint64_t len;
        const char *why;
        if (!m)
            return 0;
        at = (size_t)(m - p);
        if (group_ok(p, size, at, &len, &why))
            return 1;
        at++;
    }
    return 0;
}

/* Hands the records of a sound group to the callback: 0, MALFORMED, or the callback's code. */
static int group_records(replay_t *r, const char *h, uint64_t len)
{
    uint32_t n = fidx__get32(h + 4);
    const char *q = h + GROUP_HEADER, *end = q + len;
    uint64_t seq = fidx__get64(h + 8);
    for (uint32_t i = 0; i < n; i++) {
        if ((size_t)(end - q) < RECORD_HEADER)
            return MALFORMED;
        uint32_t blen = fidx__get32(q);
        unsigned type = (unsigned char)q[4];
        if (blen > (size_t)(end - q) - RECORD_HEADER || type < FIDX__WAL_PUT ||
            type > FIDX__WAL_WARNING)
            return MALFORMED;
        if (r->cb) {
            int rc = r->cb(r->ctx, seq, type, q + RECORD_HEADER, blen);
            if (rc)
                return rc;
        }
        seq++;
        q += RECORD_HEADER + blen;
    }
    if (q != end)
        return MALFORMED;
    r->st->records += n;
    r->st->groups++;
    r->st->next_seq = seq;
    return 0;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
    char buf[65536];
    if (in >= 0)
        out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (in >= 0 && out >= 0) {
        ssize_t n;
        while ((n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                break;
        rc = n == 0 && fsync(out) == 0 ? 0 : -1;
    }
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return rc;
}

/* Cuts path at off (keeping a copy of the whole file as path.damaged when repairing). A
 * segment whose very header is damaged holds nothing: it is removed, so that it cannot sit in
 * the middle of the log once later segments are written. */
static int cut(replay_t *r, const char *path, size_t off, size_t size)
{
    char saved[4200];
    if (r->mode == FIDX__WAL_REPAIR) {
        snprintf(saved, sizeof saved, "%s.damaged", path);
        if (copy_file(path, saved) != 0) {
            snprintf(r->msg, r->cap, "cannot keep a copy of %s as %s: %s", path, saved,
                     strerror(errno));
            return -1;
        }
        fidx__log(FIDX__LOG_WARN, "repair: kept the damaged %s as %s", path, saved);
    }
    r->st->cut_bytes += size - off;
    if (off == 0) {
        if (unlink(path) == 0)
            return 0;
        snprintf(r->msg, r->cap, "cannot remove %s: %s", path, strerror(errno));
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)off) != 0 || fsync(fd) != 0) {
        snprintf(r->msg, r->cap, "cannot cut %s at byte %zu: %s", path, off, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Damage at off of segment path: a torn tail (last segment, nothing sound after it) is cut
 * or ignored; anything else is refused, or cut when repairing. */
static int damage(replay_t *r, const char *path, const char *p, size_t size, size_t off, int last,
                  const char *why)
{
    int torn = last && !intact_after(p, size, off);
    if (torn && r->mode == FIDX__WAL_READ_ONLY) {
        fidx__log(FIDX__LOG_WARN,
                  "%s: ignoring %zu bytes of a torn write at byte %zu (%s); read-only, the "
                  "file is left as it is",
                  path, size - off, off, why);
        return 0;
    }
    if (torn) {
        if (cut(r, path, off, size) != 0)
            return -1;
        fidx__log(FIDX__LOG_WARN,
                  "%s: dropped a torn write at the tail: %zu bytes at byte %zu (%s), never "
                  "acknowledged; every change before it is kept",
                  path, size - off, off, why);
        return 0;
    }
    if (r->mode == FIDX__WAL_REPAIR) {
        if (cut(r, path, off, size) != 0)
            return -1;
        fidx__log(FIDX__LOG_WARN, "repair: %s cut at byte %zu (%s): %zu bytes set aside", path, off,
                  why, size - off);
        return 1; /* later segments are set aside too */
    }
    snprintf(r->msg, r->cap,
             "the write-ahead log %s is damaged at byte %zu (%s) and intact changes follow; "
             "the service will not start on it. To keep every change before that point and "
             "set the rest aside (copies are kept as *.damaged), run: fraudidx-service "
             "--repair-wal --data-dir %s (docs/OPERATIONS.md, \"Repairing the write-ahead "
             "log\")",
             path, off, why, r->dir);
    return -1;
}

/* Checks a segment's header. 0: sound; otherwise a reason. */
static const char *header_problem(const char *p, size_t size, uint64_t num)
{
    if (size < SEG_HEADER)
        return "the segment header is cut short";
    if (memcmp(p, SEG_MAGIC, 8) != 0)
        return "not a write-ahead log segment";
    if (XXH3_64bits(p, 24) != fidx__get64(p + 24))
        return "segment header checksum mismatch";
    if (fidx__get64(p + 8) != num)
        return "the segment's number does not match its file name";
    return NULL;
}

/* Replays one mapped segment. 0, 1 (repaired: set the later segments aside), -1. */
static int replay_mapped(replay_t *r, const char *path, uint64_t num, const char *p, size_t size,
                         int last)
{
    const char *why = header_problem(p, size, num);
    if (why)
        return damage(r, path, p, size, 0, last, why);
    uint64_t first = fidx__get64(p + 16);
    if (r->have_seq && first != r->st->next_seq)
        return damage(r, path, p, size, 0, last, "sequence numbers do not follow on");
    if (!r->have_seq)
        r->st->first_seq = first;
    r->st->next_seq = first;
    r->have_seq = 1;
    for (size_t off = SEG_HEADER; off < size;) {
        uint64_t len;
        if (!group_ok(p, size, off, &len, &why))
            return damage(r, path, p, size, off, last, why);
        if (fidx__get64(p + off + 8) != r->st->next_seq)
            return damage(r, path, p, size, off, last, "sequence numbers do not follow on");
        int rc = group_records(r, p + off, len);
        if (rc == MALFORMED)
            snprintf(r->msg, r->cap,
                     "the write-ahead log %s has a malformed group at byte %zu whose checksum "
                     "is right: written by another program or version?",
                     path, off);
        else if (rc)
            snprintf(r->msg, r->cap, "replaying %s failed at byte %zu: %s", path, off,
                     fidx_strerror(rc));
        if (rc)
            return -1;
        off += GROUP_HEADER + (size_t)len;
    }
    r->st->bytes += size;
    return 0;
}

static int replay_segment(replay_t *r, uint64_t num, int last)
{
    char path[4200];
    struct stat sb;
    fidx__wal_segment_path(r->dir, num, path, sizeof path);
    int fd = fidx_file_open_regular(path, 0, NULL);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(r->msg, r->cap, "cannot read the write-ahead log %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t size = (size_t)sb.st_size;
    const char *p = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : "";
    close(fd);
    if (p == MAP_FAILED) {
        snprintf(r->msg, r->cap, "cannot map the write-ahead log %s: %s", path, strerror(errno));
        return -1;
    }
    r->st->segments++;
    r->st->last_segment = num;
    int rc = replay_mapped(r, path, num, p, size, last);
    if (size)
        munmap((void *)p, size);
    return rc;
}

/* Repair: the segments after a cut one hold changes that followed the damage. */
static void set_aside(const char *dir, const uint64_t *nums, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char path[4200], to[4300];
        fidx__wal_segment_path(dir, nums[i], path, sizeof path);
        snprintf(to, sizeof to, "%s.damaged", path);
        if (rename(path, to) == 0)
            fidx__log(FIDX__LOG_WARN, "repair: set %s aside as %s", path, to);
    }
}

int fidx__wal_replay(const char *dir, uint64_t from, int mode, fidx__wal_record_cb cb, void *ctx,
                     fidx__wal_replay_t *st, char *msg, size_t cap)
{
    size_t n;
    memset(st, 0, sizeof *st);
    st->next_seq = 1;
    uint64_t *nums = list_segments(dir, from, &n);
    replay_t r = {dir, mode, cb, ctx, st, msg, cap, 0};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = replay_segment(&r, nums[i], i + 1 == n);
        if (rc == 1) {
            set_aside(dir, nums + i + 1, n - i - 1);
            rc = 0;
            break;
        }
    }
    if (rc == 0 && mode != FIDX__WAL_READ_ONLY && st->cut_bytes)
        fidx_fsync_dir(dir);
    free(nums);
    return rc ? -1 : 0;
}

/* ---- writing ---- */

static int write_all(int fd, const struct iovec *iov, int n)
{
    struct iovec v[2];
    memcpy(v, iov, (size_t)n * sizeof *v);
    for (int i = 0; i < n;) {
        ssize_t w = writev(fd, v + i, n - i);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        size_t left = (size_t)w;
        while (i < n && left >= v[i].iov_len)
            left -= v[i++].iov_len;
        if (i < n) {
            v[i].iov_base = (char *)v[i].iov_base + left;
            v[i].iov_len -= left;
        }
    }
    return 0;
}

/* Writes and syncs one group; on failure cuts the segment back to its durable size. */
static int write_group(fidx__wal_t *w, uint64_t first, uint64_t n, const fidx__sbuf_t *recs)
{
    char h[GROUP_HEADER];
    memcpy(h, GROUP_MAGIC, 4);
    fidx__put32(h + 4, (uint32_t)n);
    fidx__put64(h + 8, first);
    fidx__put64(h + 16, recs->len);
    fidx__put64(h + 24, group_sum(h, recs->p, recs->len));
    struct iovec iov[2] = {{h, sizeof h}, {recs->p, recs->len}};
    uint64_t t0 = fidx__clock_mono_ns();
    if (write_all(w->seg_fd, iov, 2) != 0 || fdatasync(w->seg_fd) != 0) {
        int e = errno;
        if (ftruncate(w->seg_fd, (off_t)w->seg_bytes) != 0)
            e = errno;
        errno = e;
        return -1;
    }
    uint64_t dt = fidx__clock_mono_ns() - t0;
    w->fsync_ns_total += dt;
    if (dt > w->fsync_ns_max)
        w->fsync_ns_max = dt;
    w->seg_bytes += sizeof h + recs->len;
    w->groups++;
    w->records += n;
    w->bytes += sizeof h + recs->len;
    return 0;
}

/* Writes and syncs a round's audit lines; on failure cuts the audit log back to its last
 * whole line, so no torn line stays for the next one to be glued to. */
static int write_audit(fidx__wal_t *w, const fidx__sbuf_t *a)
{
    if (w->audit_fd < 0 || a->len == 0)
        return 0;
    struct iovec iov[1] = {{a->p, a->len}};
    if (write_all(w->audit_fd, iov, 1) == 0 && fdatasync(w->audit_fd) == 0) {
        /* O_APPEND: the file offset is now the end of what was just written. The offset, not
         * a count, says where: a rotation (copy and truncate) may have cut the file since. */
        off_t end = lseek(w->audit_fd, 0, SEEK_CUR);
        w->audit_bytes = end >= (off_t)a->len ? (uint64_t)end : w->audit_bytes + a->len;
        if (w->on_audit && end >= (off_t)a->len)
            w->on_audit(w->ctx, (uint64_t)end - a->len, a->p, a->len);
        return 0;
    }
    int e = errno;
    if (ftruncate(w->audit_fd, (off_t)w->audit_bytes) != 0) {
        /* The torn line is cut when the audit log is next opened. */
    }
    errno = e;
    return -1;
}

/* A round whose group is durable but whose audit lines could not be written is taken back:
 * a change is acknowledged only with its audit line. */
static void undo_group(fidx__wal_t *w, uint64_t size_before)
{
    if (ftruncate(w->seg_fd, (off_t)size_before) != 0 || fdatasync(w->seg_fd) != 0) {
        /* The group stays; its changes may reappear at the next start, as the 503 said. */
        return;
    }
    w->seg_bytes = size_before;
}

/* One round of the commit thread, with mu held on entry and exit. */
static void commit_round(fidx__wal_t *w)
{
    int take = w->cur;
    uint64_t first = w->first, n = w->n;
    w->cur ^= 1;
    w->n = 0;
    w->first = w->next_seq;
    w->busy = 1;
    pthread_mutex_unlock(&w->mu);
    uint64_t size_before = w->seg_bytes;
    int rc = n ? write_group(w, first, n, &w->recs[take]) : 0;
    int e = errno;
    int arc = rc == 0 ? write_audit(w, &w->audit[take]) : 0;
    int ae = errno;
    if (arc && n)
        undo_group(w, size_before);
    if (rc == 0 && arc == 0 && n) {
        fidx__wal_feed_group(w->feed, w->segment, size_before, first, w->recs[take].p,
                             w->recs[take].len);
        w->on_durable(w->ctx, first + n - 1);
    }
    pthread_mutex_lock(&w->mu);
    w->busy = 0;
    fidx__sbuf_reset(&w->recs[take], KEEP_BUFFER);
    fidx__sbuf_reset(&w->audit[take], KEEP_BUFFER);
    w->rounds++;
    if (rc == 0 && arc == 0 && n)
        w->durable = first + n - 1;
    if (rc)
        snprintf(w->failure, sizeof w->failure, "the write-ahead log cannot be written: %s",
                 strerror(e));
    else if (arc)
        snprintf(w->failure, sizeof w->failure, "the audit log cannot be written: %s",
                 strerror(ae));
    if (rc || arc)
        fidx__log(FIDX__LOG_ERROR, "%s; analysts' changes are refused until a restart", w->failure);
    atomic_store(&w->durable_pub, w->durable);
    atomic_store(&w->failed_pub, w->failure[0] != 0);
    pthread_cond_broadcast(&w->done);
    if (w->on_round) {
        pthread_mutex_unlock(&w->mu);
        w->on_round(w->ctx);
        pthread_mutex_lock(&w->mu);
    }
}

static void *commit_main(void *arg)
{
    fidx__wal_t *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && w->n == 0 && w->audit[w->cur].len == 0 && !w->told_failure)
            pthread_cond_wait(&w->work, &w->mu);
        if (w->failure[0]) { /* nothing more is written once the log failed */
            w->n = 0;
            fidx__sbuf_reset(&w->recs[w->cur], KEEP_BUFFER);
            fidx__sbuf_reset(&w->audit[w->cur], KEEP_BUFFER);
            pthread_cond_broadcast(&w->done);
            w->told_failure = 0;
            if (w->on_round) {
                pthread_mutex_unlock(&w->mu);
                w->on_round(w->ctx);
                pthread_mutex_lock(&w->mu);
            }
            if (w->stop)
                break;
            continue;
        }
        if (w->n == 0 && w->audit[w->cur].len == 0)
            break; /* stopping, and everything is written */
        commit_round(w);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Creates segment num whose first record is first_seq, durably (file and directory). */
static int create_segment(fidx__wal_t *w, uint64_t num, uint64_t first_seq, char *msg, size_t cap)
{
    char path[4200], h[SEG_HEADER];
    fidx__wal_segment_path(w->dir, num, path, sizeof path);
    memcpy(h, SEG_MAGIC, 8);
    fidx__put64(h + 8, num);
    fidx__put64(h + 16, first_seq);
    fidx__put64(h + 24, XXH3_64bits(h, 24));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    struct iovec iov[1] = {{h, sizeof h}};
    if (fd < 0 || write_all(fd, iov, 1) != 0 || fdatasync(fd) != 0 || fsync(w->dir_fd) != 0) {
        snprintf(msg, cap, "cannot create the write-ahead log segment %s: %s", path,
                 strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return -1;
    }
    if (w->seg_fd >= 0)
        close(w->seg_fd);
    w->seg_fd = fd;
    w->segment = num;
    w->seg_bytes = SEG_HEADER;
    if (fidx__wal_feed_segment(w->feed, num, first_seq, 1) != 0)
        fidx__log(FIDX__LOG_WARN, "out of memory indexing %s: replicas cannot read it", path);
    return 0;
}

/* The first sequence number of an existing segment, from its header. 0 or -1. */
static int segment_first_seq(const char *dir, uint64_t num, uint64_t *first)
{
    char path[4200], h[SEG_HEADER];
    fidx__wal_segment_path(dir, num, path, sizeof path);
    int fd = fidx_file_open_regular(path, 0, NULL);
    if (fd < 0)
        return -1;
    ssize_t n = pread(fd, h, sizeof h, 0);
    close(fd);
    if (n != (ssize_t)sizeof h || memcmp(h, SEG_MAGIC, 8) != 0 ||
        XXH3_64bits(h, 24) != fidx__get64(h + 24) || fidx__get64(h + 8) != num)
        return -1;
    *first = fidx__get64(h + 16);
    return 0;
}

/* Tells the feed the segments that exist before this process writes any. */
static int register_segments(fidx__wal_t *w, char *msg, size_t cap)
{
    size_t n;
    uint64_t *nums = list_segments(w->dir, 0, &n);
    int rc = fidx__wal_feed_new(w->dir, &w->feed) == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t first;
        if (segment_first_seq(w->dir, nums[i], &first) == 0 &&
            fidx__wal_feed_segment(w->feed, nums[i], first, 0) == FIDX_ENOMEM)
            rc = -1;
    }
    free(nums);
    if (rc)
        snprintf(msg, cap, "out of memory");
    return rc;
}

int fidx__wal_open(const char *dir, uint64_t from, uint64_t next_seq, int audit_fd,
                   fidx__wal_durable_cb cb, fidx__wal_round_cb round_cb, void *ctx,
                   fidx__wal_t **out, char *msg, size_t cap)
{
    fidx__wal_t *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    w->seg_fd = -1;
    w->audit_fd = audit_fd;
    struct stat asb;
    w->audit_bytes = audit_fd >= 0 && fstat(audit_fd, &asb) == 0 ? (uint64_t)asb.st_size : 0;
    w->on_durable = cb;
    w->on_round = round_cb;
    w->ctx = ctx;
    w->next_seq = w->first = next_seq;
    w->durable = next_seq - 1;
    atomic_init(&w->durable_pub, w->durable);
    atomic_init(&w->failed_pub, 0);
    for (int i = 0; i < 2; i++) {
        fidx__sbuf_init(&w->recs[i], SIZE_MAX / 2);
        fidx__sbuf_init(&w->audit[i], SIZE_MAX / 2);
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->done, NULL);
    size_t n;
    uint64_t *nums = list_segments(dir, 0, &n);
    uint64_t num = n && nums[n - 1] >= from ? nums[n - 1] + 1 : from;
    free(nums);
    w->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (w->dir_fd < 0) {
        snprintf(msg, cap, "cannot open the data directory %s: %s", dir, strerror(errno));
        goto fail;
    }
    if (register_segments(w, msg, cap) != 0)
        goto fail;
    if (create_segment(w, num ? num : 1, next_seq, msg, cap) != 0)
        goto fail;
    if (pthread_create(&w->thread, NULL, commit_main, w) != 0) {
        snprintf(msg, cap, "cannot start the commit thread");
        goto fail;
    }
    *out = w;
    return 0;
fail:
    if (w->seg_fd >= 0)
        close(w->seg_fd);
    if (w->dir_fd >= 0)
        close(w->dir_fd);
    fidx__wal_feed_free(w->feed);
    free(w);
    return -1;
}

void fidx__wal_close(fidx__wal_t *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    for (int i = 0; i < 2; i++) {
        fidx__sbuf_free(&w->recs[i]);
        fidx__sbuf_free(&w->audit[i]);
    }
    close(w->seg_fd);
    close(w->dir_fd);
    fidx__wal_feed_free(w->feed);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->done);
    free(w);
}

void fidx__wal_on_audit(fidx__wal_t *w, fidx__wal_audit_cb cb)
{
    pthread_mutex_lock(&w->mu);
    w->on_audit = cb;
    pthread_mutex_unlock(&w->mu);
}

uint64_t fidx__wal_next_seq(fidx__wal_t *w)
{
    pthread_mutex_lock(&w->mu);
    uint64_t s = w->next_seq;
    pthread_mutex_unlock(&w->mu);
    return s;
}

int fidx__wal_append(fidx__wal_t *w, const char *records, size_t len, uint64_t n, const char *audit,
                     size_t audit_len)
{
    pthread_mutex_lock(&w->mu);
    int rc = 0;
    if (w->failure[0] || w->stop) {
        rc = FIDX_EIO;
    } else {
        fidx__sbuf_put(&w->recs[w->cur], records, len);
        fidx__sbuf_put(&w->audit[w->cur], audit, audit_len);
        if (w->recs[w->cur].failed || w->audit[w->cur].failed) {
            snprintf(w->failure, sizeof w->failure, "out of memory appending to the log");
            atomic_store(&w->failed_pub, 1);
            pthread_cond_broadcast(&w->done);
            w->told_failure = 1;
            pthread_cond_signal(&w->work); /* a round tells the waiters without a thread */
            rc = FIDX_EIO;
        } else {
            if (w->n == 0)
                w->first = w->next_seq;
            w->n += n;
            w->next_seq += n;
            pthread_cond_signal(&w->work);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

uint64_t fidx__wal_durable(fidx__wal_t *w)
{
    return atomic_load(&w->durable_pub);
}

int fidx__wal_failed(fidx__wal_t *w)
{
    return atomic_load(&w->failed_pub);
}

int fidx__wal_wait(fidx__wal_t *w, uint64_t seq)
{
    pthread_mutex_lock(&w->mu);
    while (w->durable < seq && !w->failure[0])
        pthread_cond_wait(&w->done, &w->mu);
    int rc = w->durable >= seq ? 0 : FIDX_EIO;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

const char *fidx__wal_failure(fidx__wal_t *w)
{
    pthread_mutex_lock(&w->mu);
    const char *f = w->failure[0] ? w->failure : NULL;
    pthread_mutex_unlock(&w->mu);
    return f;
}

int fidx__wal_flush(fidx__wal_t *w)
{
    pthread_mutex_lock(&w->mu);
    /* What is appended waits in recs[cur] and audit[cur]: the round after the one writing
     * now (if any) takes it. Counting rounds, not waiting for an idle log, keeps a steady
     * stream of later appends from holding this caller back. */
    int pending = w->n || w->audit[w->cur].len;
    uint64_t until = w->rounds + (uint64_t)w->busy + (uint64_t)pending;
    while (w->rounds < until && !w->failure[0])
        pthread_cond_wait(&w->done, &w->mu);
    int rc = w->rounds >= until && !w->failure[0] ? 0 : FIDX_EIO;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int fidx__wal_rotate(fidx__wal_t *w, uint64_t *segment, uint64_t *last)
{
    char msg[512];
    pthread_mutex_lock(&w->mu);
    while ((w->n || w->busy || w->audit[w->cur].len) && !w->failure[0])
        pthread_cond_wait(&w->done, &w->mu);
    int rc = FIDX_EIO;
    if (!w->failure[0]) {
        /* The commit thread is idle and writers are held off by the caller: the segment
         * descriptor is ours to change. */
        if (create_segment(w, w->segment + 1, w->next_seq, msg, sizeof msg) == 0) {
            *segment = w->segment;
            *last = w->next_seq - 1;
            rc = 0;
        } else {
            fidx__log(FIDX__LOG_ERROR, "%s", msg);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void fidx__wal_drop_before(fidx__wal_t *w, uint64_t segment, uint64_t keep_ms)
{
    pthread_mutex_lock(&w->mu);
    if (segment > w->fold_below)
        w->fold_below = segment;
    segment = w->fold_below;
    pthread_mutex_unlock(&w->mu);
    uint64_t below = fidx__wal_feed_fold(w->feed, segment, fidx__clock_mono_ms(), keep_ms);
    size_t n;
    uint64_t *nums = list_segments(w->dir, 0, &n);
    int any = 0;
    for (size_t i = 0; i < n && nums[i] < below; i++) {
        char path[4200];
        fidx__wal_segment_path(w->dir, nums[i], path, sizeof path);
        if (unlink(path) == 0)
            any = 1;
        else if (errno != ENOENT) /* ENOENT: another thread trimmed it first */
            fidx__log(FIDX__LOG_WARN, "cannot delete %s: %s", path, strerror(errno));
    }
    free(nums);
    fidx__wal_feed_drop_before(w->feed, below);
    if (any)
        fsync(w->dir_fd);
}

void fidx__wal_trim(fidx__wal_t *w, uint64_t keep_ms)
{
    fidx__wal_drop_before(w, 0, keep_ms);
}

int fidx__wal_read(fidx__wal_t *w, uint64_t since, size_t max, fidx__sbuf_t *out,
                   fidx__wal_chunk_t *ch)
{
    return fidx__wal_feed_read(w->feed, since, fidx__wal_durable(w), max, out, ch);
}

uint64_t fidx__wal_oldest(fidx__wal_t *w)
{
    return fidx__wal_feed_oldest(w->feed);
}

uint64_t fidx__wal_segment_of(fidx__wal_t *w, uint64_t seq)
{
    return fidx__wal_feed_segment_of(w->feed, seq);
}

int fidx__wal_create_empty(const char *dir, uint64_t num, uint64_t first_seq, char *msg, size_t cap)
{
    fidx__wal_t w;
    memset(&w, 0, sizeof w);
    snprintf(w.dir, sizeof w.dir, "%s", dir);
    w.seg_fd = -1;
    w.dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = w.dir_fd >= 0 && fidx__wal_feed_new(dir, &w.feed) == 0
                 ? create_segment(&w, num, first_seq, msg, cap)
                 : (snprintf(msg, cap, "cannot open %s: %s", dir, strerror(errno)), -1);
    if (w.seg_fd >= 0)
        close(w.seg_fd);
    if (w.dir_fd >= 0)
        close(w.dir_fd);
    fidx__wal_feed_free(w.feed);
    return rc;
}

int fidx__wal_restart(fidx__wal_t *w, uint64_t next_seq, uint64_t *segment)
{
    char msg[512];
    pthread_mutex_lock(&w->mu);
    while ((w->n || w->busy || w->audit[w->cur].len) && !w->failure[0])
        pthread_cond_wait(&w->done, &w->mu);
    int rc = FIDX_EIO;
    if (!w->failure[0] && next_seq >= w->next_seq) {
        /* As in rotate: the commit thread is idle and the caller holds writers off. */
        if (create_segment(w, w->segment + 1, next_seq, msg, sizeof msg) == 0) {
            w->next_seq = w->first = next_seq;
            w->durable = next_seq - 1;
            atomic_store(&w->durable_pub, w->durable);
            *segment = w->segment;
            rc = 0;
        } else {
            fidx__log(FIDX__LOG_ERROR, "%s", msg);
        }
    } else if (!w->failure[0]) {
        rc = FIDX_EINVAL; /* the log never goes back */
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void fidx__wal_stats(fidx__wal_t *w, fidx__wal_stats_t *st)
{
    pthread_mutex_lock(&w->mu);
    st->segment = w->segment;
    st->segment_bytes = w->seg_bytes;
    st->next_seq = w->next_seq;
    st->durable_seq = w->durable;
    st->groups = w->groups;
    st->records = w->records;
    st->bytes = w->bytes;
    st->fsync_ns_total = w->fsync_ns_total;
    st->fsync_ns_max = w->fsync_ns_max;
    st->failed = w->failure[0] != 0;
    pthread_mutex_unlock(&w->mu);
}
