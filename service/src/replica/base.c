/* A reader's base snapshot, from its writer (replica_internal.h): fetched into a temporary
 * file of the data directory (resuming after a broken transfer with a byte range, as long as
 * the writer still serves the same file), checked before use (it opens, which checks every
 * byte against the checksums, and its content hash is the ETag the writer gave), then laid
 * out as a writer's compaction lays one out, so that a restart serves it and replays the log
 * from the right segment:
 *
 *   - the first start: snapshot-1, with an empty segment 1 whose first change is the one
 *     after the snapshot;
 *   - later, when the reader holds every change before the base's next one: the base is
 *     named after the segment that holds that change (a replay from there applies a few
 *     changes the base has already, which changes nothing);
 *   - or, when the reader is further behind: the log goes on in a new segment from the base's
 *     next change (fidx__wal_restart) and the base is named after it.
 * Then the base is swapped in as a compaction's is, and the overlay drops what it holds. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "fidx/durable.h"
#include "replica/replica_internal.h"

#define TMP_NAME "snapshot-replica.tmp"
#define ATTEMPTS 8         /* broken transfers in a row before giving up for now */
#define BOOT_RETRY_MS 1000 /* the first start waits this long between tries */
#define ERROR_BODY_MAX 4096

typedef struct {
    uint64_t hash, next_seq, size;
    char history[FIDX__HISTORY_LEN + 1];
} fetched_t;

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* One answer of a download, checked against what the earlier ones said. 1: go on (more to
 * fetch, or done when *have == size); 0: start again from byte 0; -1: give up (logged). */
static int take_answer(fidx__follower_t *f, const fidx__rresult_t *res, fetched_t *got,
                       uint64_t *have, uint64_t written, const fidx__sbuf_t *err)
{
    const fidx__replica_headers_t *h = &res->h;
    unsigned need = FIDX__RH_ETAG | FIDX__RH_NEXT_SEQ | FIDX__RH_HISTORY;
    if (res->status != 200 && res->status != 206) {
        fidx__log(FIDX__LOG_ERROR, "replica: %s/v1/replica/snapshot answered %ld: %.*s", f->url,
                  res->status, (int)(err->len > 300 ? 300 : err->len), err->p ? err->p : "");
        return -1;
    }
    if ((h->have & need) != need || (res->status == 206 && !(h->have & FIDX__RH_RANGE))) {
        fidx__log(FIDX__LOG_ERROR, "replica: the writer's snapshot answer lacks its ETag, "
                                   "X-Fidx-Next-Seq, X-Fidx-History or Content-Range");
        return -1;
    }
    int same = *have == 0 || (h->etag_hash == got->hash && h->next_seq == got->next_seq);
    if (!same || (res->status == 200 && *have > 0) ||
        (res->status == 206 && h->range_first != *have))
        return 0; /* another file, or not the bytes asked for */
    got->hash = h->etag_hash;
    got->next_seq = h->next_seq;
    memcpy(got->history, h->history, sizeof got->history);
    *have += written;
    got->size = res->status == 206 ? h->range_total : *have;
    return 1;
}

/* Fetches the writer's snapshot into fd (truncated first). 0 with *got; -1 (logged). */
static int download(fidx__follower_t *f, int fd, fetched_t *got)
{
    fidx__sbuf_t err;
    uint64_t have = 0;
    int broken = 0, rc = -1;
    fidx__sbuf_init(&err, ERROR_BODY_MAX);
    memset(got, 0, sizeof *got);
    while (!atomic_load(&f->stop) && broken < ATTEMPTS) {
        fidx__rresult_t res;
        uint64_t written = 0;
        if (have == 0 && (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0))
            break;
        fidx__sbuf_reset(&err, ERROR_BODY_MAX);
        int done = fidx__rclient_download(f->client, "/v1/replica/snapshot", fd, have, &written,
                                          &err, &res) == 0;
        int t = res.status ? take_answer(f, &res, got, &have, written, &err) : 1;
        if (t < 0)
            break;
        if (t == 0) { /* another file than the bytes so far: from the start */
            have = 0;
            broken++;
            continue;
        }
        if (done && res.status && have == got->size) {
            rc = 0;
            break;
        }
        if (!done) {
            broken++;
            fidx__log(FIDX__LOG_WARN,
                      "replica: fetching the writer's snapshot broke off at "
                      "byte %" PRIu64 " (%s); resuming",
                      have, res.error);
            sleep_ms(200u * (unsigned)broken);
        }
    }
    fidx__sbuf_free(&err);
    return rc;
}

/* Opens and checks a fetched snapshot: sound (open checks every byte against its section's
 * checksum, and the structure that keeps lookups in bounds), and the content the writer named
 * (its content hash is the ETag). The O(n) verification of fidx_snapshot_verify is not run:
 * the writer does not run it on the snapshots it serves either, it checks the builder rather
 * than the transfer, and it costs 2.6 s of CPU for 10M indicators (bench/RESULTS.md). */
static int check(fidx__follower_t *f, const char *path, const fetched_t *got, fidx_snapshot_t **out)
{
    fidx_err_t err = {0};
    fidx_snapshot_t *s;
    if (fidx_snapshot_open(path, f->svc->cfg.load_mode, &s, &err) != 0) {
        fidx__log(FIDX__LOG_ERROR, "replica: the writer's snapshot does not open: %s",
                  err.reason ? err.reason : "damaged");
        return -1;
    }
    if (fidx_snapshot_content_hash(s) != got->hash) {
        fidx__log(FIDX__LOG_ERROR, "replica: the writer's snapshot is not the one its ETag names");
        fidx_snapshot_release(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* Fetches and checks the writer's snapshot into DATA/TMP_NAME (fsynced). 0 with *s open. */
static int fetch(fidx__follower_t *f, char *tmp, size_t cap, fetched_t *got, fidx_snapshot_t **s)
{
    snprintf(tmp, cap, "%s/" TMP_NAME, f->a->dir);
    int fd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        fidx__log(FIDX__LOG_ERROR, "replica: cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    uint64_t t0 = fidx__clock_mono_ms();
    int rc = download(f, fd, got);
    if (rc == 0 && fsync(fd) != 0) {
        fidx__log(FIDX__LOG_ERROR, "replica: cannot write %s: %s", tmp, strerror(errno));
        rc = -1;
    }
    close(fd);
    uint64_t t1 = fidx__clock_mono_ms();
    if (rc == 0)
        rc = check(f, tmp, got, s);
    if (rc == 0)
        fidx__log(FIDX__LOG_INFO,
                  "replica: fetched the writer's snapshot %016" PRIx64 " (%" PRIu64
                  " bytes, changes from %" PRIu64 " on) in %.3f s (%.3f s to fetch and "
                  "fsync, %.3f s to check)",
                  got->hash, got->size, got->next_seq,
                  (double)(fidx__clock_mono_ms() - t0) / 1000.0, (double)(t1 - t0) / 1000.0,
                  (double)(fidx__clock_mono_ms() - t1) / 1000.0);
    else
        unlink(tmp);
    return rc;
}

/* Renames tmp to the snapshot named after segment k, durably; its path into path. */
static int place(fidx__follower_t *f, const char *tmp, uint64_t k, char *path, size_t cap)
{
    fidx__admin_snapshot_path(f->a->dir, k, path, cap);
    if (rename(tmp, path) != 0 || fidx_fsync_dir(f->a->dir) != 0) {
        fidx__log(FIDX__LOG_ERROR, "replica: cannot put the snapshot in place as %s: %s", path,
                  strerror(errno));
        return -1;
    }
    return 0;
}

/* Segments in a data directory without a snapshot: none, or only empty ones (an earlier
 * first start that stopped half-way), which are removed. -1 when one holds changes: the
 * directory is not a reader's. */
static int clear_empty_log(fidx__follower_t *f)
{
    for (uint64_t num = 1; num <= 64; num++) {
        char path[FIDX__ADMIN_PATH_MAX + 64];
        fidx__wal_segment_path(f->a->dir, num, path, sizeof path);
        FILE *fp = fopen(path, "rb");
        if (!fp)
            continue;
        fseek(fp, 0, SEEK_END);
        long size = ftell(fp);
        fclose(fp);
        if (size > 32) {
            fidx__log(FIDX__LOG_ERROR,
                      "the data directory %s holds a log of changes but no snapshot: it is not "
                      "a reader's; give a reader an empty directory",
                      f->a->dir);
            return -1;
        }
        unlink(path);
    }
    if (!fidx__admin_has_log(f->a))
        return 0;
    fidx__log(FIDX__LOG_ERROR,
              "the data directory %s holds a log of changes but no snapshot: give "
              "a reader an empty directory",
              f->a->dir);
    return -1;
}

int fidx__replica_bootstrap(fidx__follower_t *f)
{
    char tmp[FIDX__ADMIN_PATH_MAX + 64], path[FIDX__ADMIN_PATH_MAX + 64], msg[512];
    fetched_t got;
    fidx_snapshot_t *s = NULL;
    if (clear_empty_log(f) != 0)
        return -1;
    fidx__log(FIDX__LOG_INFO, "replica: %s holds no snapshot yet: fetching the writer's from %s",
              f->a->dir, f->url);
    while (fetch(f, tmp, sizeof tmp, &got, &s) != 0) {
        if (atomic_load(&f->stop))
            return -1;
        sleep_ms(BOOT_RETRY_MS);
    }
    fidx_snapshot_release(s); /* the start opens it again, as any start does */
    if (fidx__admin_history_set(f->a, got.history, NULL, 0) != 0 ||
        fidx__admin_following_set(f->a, f->url) != 0 ||
        fidx__wal_create_empty(f->a->dir, 1, got.next_seq, msg, sizeof msg) != 0) {
        fidx__log(FIDX__LOG_ERROR, "replica: %s", msg);
        return -1;
    }
    return place(f, tmp, 1, path, sizeof path);
}

/* The segment to name the new base after, going on in a new one when the reader is behind
 * the base (and then holding it as applied). 0 or -1. */
static int base_segment(fidx__follower_t *f, const fetched_t *got, uint64_t *k)
{
    if (f->applied + 1 >= got->next_seq) {
        *k = fidx__wal_segment_of(f->a->wal, got->next_seq);
        return *k ? 0 : -1;
    }
    if (fidx__wal_restart(f->a->wal, got->next_seq, k) != 0)
        return -1;
    fidx_overlay_publish(f->a->ov, got->next_seq - 1);
    f->applied = got->next_seq - 1;
    return 0;
}

int fidx__replica_new_base(fidx__follower_t *f)
{
    char tmp[FIDX__ADMIN_PATH_MAX + 64], path[FIDX__ADMIN_PATH_MAX + 64];
    char old[sizeof f->a->base_path];
    fetched_t got;
    fidx_snapshot_t *s;
    uint64_t k;
    fidx__admin_t *a = f->a;
    if (fetch(f, tmp, sizeof tmp, &got, &s) != 0)
        return -1;
    if (strcmp(got.history, a->history) != 0) {
        fidx__log(FIDX__LOG_ERROR, "replica: the writer's snapshot is of another history");
        fidx_snapshot_release(s);
        unlink(tmp);
        return -1;
    }
    uint64_t applied = f->applied;
    if (base_segment(f, &got, &k) != 0) {
        fidx_snapshot_release(s);
        unlink(tmp);
        return -1;
    }
    if (place(f, tmp, k, path, sizeof path) != 0) {
        fidx_snapshot_release(s);
        unlink(tmp);
        if (f->applied != applied) { /* the log went on past changes this reader lacks */
            fidx__log(FIDX__LOG_ERROR, "replica: following stops; restart the reader");
            f->diverged = 1;
        }
        return -1;
    }
    pthread_mutex_lock(&a->mu);
    snprintf(old, sizeof old, "%s", a->base_path);
    pthread_mutex_unlock(&a->mu);
    /* A reload racing with the swap refuses it: the file is in place, so try again. */
    int rc = -1;
    for (int tries = 0; rc != 0 && tries < 10 && !atomic_load(&f->stop); tries++)
        rc = fidx__admin_adopt_base(a, fidx_snapshot_acquire(s), path, got.next_seq - 1);
    fidx_snapshot_release(s);
    if (rc != 0) {
        if (f->applied != applied) { /* the log went on past changes this reader lacks */
            fidx__log(FIDX__LOG_ERROR, "replica: the writer's new snapshot could not be swapped "
                                       "in; following stops (a restart serves it)");
            f->diverged = 1;
        }
        return -1;
    }
    pthread_mutex_lock(&a->mu);
    a->from_segment = k;
    pthread_mutex_unlock(&a->mu);
    fidx__wal_drop_before(a->wal, k, 0);
    if (old[0] && strcmp(old, path) != 0 && unlink(old) != 0 && errno != ENOENT)
        fidx__log(FIDX__LOG_WARN, "cannot delete %s: %s", old, strerror(errno));
    return 0;
}
