/* The follower (replica.h): its start, and its thread, which polls the writer for changes,
 * checks and applies them, adopts the writer's new base snapshots, and keeps the lag.
 *
 * A poll is GET /v1/replica/changes?since=APPLIED&wait=MS: the writer answers at once with the
 * changes after APPLIED (up to a few MB), or parks the poll until it has some (or MS pass).
 * So a change reaches a reader one round trip after it is durable on the writer, and `since`
 * tells the writer what this reader holds durably (--sync-replicas counts on it).
 *
 * The lag: after an answer that brought everything the writer had made durable, the reader
 * was current at that moment (service.h, replica_current_ms); while the next poll is parked at
 * the writer, which answers as soon as it has more, it stays current (replica_fresh_until_ms:
 * the poll's wait plus a margin). When the writer stops answering, the lag grows from the
 * last moment the reader was known to be current. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin/wal_format.h"
#include "fidx/file.h"
#include "base/clock.h"
#include "base/log.h"
#include "replica/protocol.h"
#include "replica/replica_internal.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000
#define FRESH_SLACK_MS 2000   /* a parked poll's answer may take this long to arrive */
#define ANSWER_SLACK_MS 15000 /* a poll gives up this long after its wait */
#define LOG_EVERY_MS 60000    /* a failure that goes on is logged once a minute */
#define TOKEN_FILE_MAX 4096

/* Logs a failure of the follower, at most once a minute while failures go on. */
static void note_failure(fidx__follower_t *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note_failure(fidx__follower_t *f, const char *fmt, ...)
{
    char msg[512];
    uint64_t now = fidx__clock_mono_ms();
    if (f->log_ms && now - f->log_ms < LOG_EVERY_MS)
        return;
    f->log_ms = now;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fidx__log(FIDX__LOG_WARN, "replica: %s", msg);
}

static void not_current(fidx__follower_t *f)
{
    f->caught_up = 0;
    atomic_store(&f->svc->replica_fresh_until_ms, 0);
}

static void publish_applied(fidx__follower_t *f)
{
    atomic_store(&f->svc->replica_applied, f->applied);
}

/* ---- an answer ---- */

/* A 200 answer: checked whole before anything is applied. 0 or -1 (logged). */
static int take_changes(fidx__follower_t *f, const fidx__replica_headers_t *h)
{
    const unsigned need = FIDX__RH_FIRST_SEQ | FIDX__RH_COUNT | FIDX__RH_DURABLE |
                          FIDX__RH_SNAPSHOT | FIDX__RH_SNAPSHOT_NEXT | FIDX__RH_CHECKSUM |
                          FIDX__RH_HISTORY;
    fidx_err_t err = {0};
    const fidx__sbuf_t *b = &f->body;
    if ((h->have & need) != need) {
        note_failure(f, "the writer's answer lacks X-Fidx fields (0x%x of 0x%x)", h->have, need);
        return -1;
    }
    if (XXH3_64bits(b->p, b->len) != h->checksum || (h->count && h->first_seq != f->applied + 1) ||
        fidx__replica_check_changes(b->p, b->len, h->count, &err) != 0) {
        note_failure(f, "the writer's changes are damaged or out of order (%s at byte %zu)",
                     err.reason ? err.reason : "checksum or first change", err.offset);
        return -1;
    }
    /* The writer took this reader's history: a promoted writer's is its own, forked from it. */
    if (strcmp(h->history, f->a->history) != 0 &&
        fidx__admin_history_set(f->a, h->history, NULL, 0) != 0)
        return -1;
    if (h->count && fidx__replica_apply(f, b->p, b->len, h->first_seq, h->count) != 0)
        return -1;
    f->applied += h->count;
    publish_applied(f);
    return 0;
}

/* After changes are applied: the lag, and the writer's base. */
static int after_changes(fidx__follower_t *f, const fidx__replica_headers_t *h)
{
    fidx__admin_t *a = f->a;
    uint64_t hash, next;
    f->caught_up = f->applied >= h->durable_seq;
    if (f->caught_up)
        atomic_store(&f->svc->replica_current_ms, fidx__clock_mono_ms());
    else
        not_current(f);
    if (f->caught_up && !f->caught_up_once) {
        uint64_t ms = fidx__clock_mono_ms() - f->start_ms;
        f->caught_up_once = 1;
        fidx__log(FIDX__LOG_INFO,
                  "replica: caught up with the writer at change %" PRIu64 " (%" PRIu64
                  " changes applied in %.3f s since the start)",
                  f->applied, f->applied - f->start_applied, (double)ms / 1000.0);
    }
    fidx__admin_base_id(a, &hash, &next);
    if (h->snapshot_hash == hash)
        return 0;
    int rc = fidx__replica_new_base(f);
    publish_applied(f);
    return rc;
}

/* A 410: too far behind (start again from the writer's snapshot), or diverged (stop). */
static int gone(fidx__follower_t *f)
{
    const char *code = "\"code\":\"diverged\"";
    if (f->body.len && memmem(f->body.p, f->body.len, code, strlen(code))) {
        fidx__log(FIDX__LOG_ERROR,
                  "replica: the writer %s says this reader's log is not its own (%.*s); "
                  "following stops and this reader keeps answering from what it has. To follow "
                  "it, stop this reader, empty its data directory %s and start it again",
                  f->url, (int)(f->body.len > 300 ? 300 : f->body.len), f->body.p, f->a->dir);
        f->diverged = 1;
        return -1;
    }
    fidx__log(FIDX__LOG_INFO,
              "replica: the writer no longer keeps the changes after %" PRIu64
              ": starting again from its snapshot",
              f->applied);
    int rc = fidx__replica_new_base(f);
    publish_applied(f);
    return rc;
}

/* One poll of the writer. 0, or -1 after a failure (the caller backs off). */
static int poll_once(fidx__follower_t *f)
{
    char target[512];
    fidx__rresult_t res;
    uint64_t wait = f->caught_up ? FIDX__FOLLOW_WAIT_MS : 0;
    snprintf(target, sizeof target,
             "/v1/replica/changes?since=%" PRIu64 "&wait=%" PRIu64 "&max=%u&replica=%s&history=%s",
             f->applied, wait, FIDX__FOLLOW_ANSWER_MAX, f->id, f->a->history);
    uint64_t t0 = fidx__clock_mono_ms();
    atomic_store(&f->svc->replica_fresh_until_ms, wait ? t0 + wait + FRESH_SLACK_MS : 0);
    fidx__sbuf_reset(&f->body, 1u << 20);
    if (fidx__rclient_get(f->client, target, wait + ANSWER_SLACK_MS, &f->body, &res) != 0) {
        not_current(f);
        if (!atomic_load(&f->stop))
            note_failure(f, "the writer %s does not answer: %s", f->url, res.error);
        return -1;
    }
    if (res.status == 410) {
        not_current(f);
        return gone(f);
    }
    if (res.status != 200) {
        not_current(f);
        note_failure(f, "the writer %s answered %ld: %.*s", f->url, res.status,
                     (int)(f->body.len > 300 ? 300 : f->body.len), f->body.p ? f->body.p : "");
        return -1;
    }
    if (take_changes(f, &res.h) != 0) {
        not_current(f);
        return -1;
    }
    f->log_ms = 0; /* working again: the next failure is logged at once */
    return after_changes(f, &res.h);
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void follow_main(void *arg)
{
    fidx__follower_t *f = arg;
    uint64_t backoff = 0;
    while (!atomic_load(&f->stop) && !f->diverged) {
        if (poll_once(f) == 0) {
            backoff = 0;
            continue;
        }
        backoff = backoff ? backoff * 2 : BACKOFF_MIN_MS;
        if (backoff > BACKOFF_MAX_MS)
            backoff = BACKOFF_MAX_MS;
        for (uint64_t t = 0; t < backoff && !atomic_load(&f->stop); t += 50)
            sleep_ms(50);
    }
    not_current(f);
}

/* ---- start ---- */

/* The token in path: its first line, 16 to 512 bytes without spaces, in a file that group and
 * others may neither read nor write (as the analysts' tokens file). 0 or -1 (logged). */
static int read_token(const char *path, char *out)
{
    char buf[TOKEN_FILE_MAX + 1];
    struct stat sb;
    int fd = fidx_file_open_regular(path, 0, &sb);
    ssize_t n = -1;
    if (fd >= 0 && !(sb.st_mode & 077))
        n = read(fd, buf, TOKEN_FILE_MAX);
    else if (fd >= 0 || fd == FIDX_FILE_NOT_REGULAR)
        errno = EPERM;
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (n < 0) {
        fidx__log(FIDX__LOG_ERROR, "--follow-token-file %s: %s", path,
                  e == EPERM ? "not a regular file, or group or others may read or write it "
                               "(run chmod 600 on it)"
                             : strerror(e));
        return -1;
    }
    buf[n] = '\0';
    size_t len = strcspn(buf, "\r\n");
    buf[len] = '\0';
    if (len < FIDX__TOKEN_SECRET_MIN || len > FIDX__FOLLOW_TOKEN_MAX || strpbrk(buf, " \t")) {
        fidx__log(FIDX__LOG_ERROR,
                  "--follow-token-file %s: the first line must be the token "
                  "(16 to 512 bytes, no spaces)",
                  path);
        return -1;
    }
    memcpy(out, buf, len + 1);
    return 0;
}

/* DATA/replica-id: how the writer tells this reader from others (made at the first start). */
static int load_id(fidx__follower_t *f)
{
    char path[FIDX__ADMIN_PATH_MAX + 32], host[64] = "reader";
    unsigned char raw[4];
    snprintf(path, sizeof path, "%s/replica-id", f->a->dir);
    FILE *fp = fopen(path, "r");
    if (fp) {
        int ok = fscanf(fp, "%64s", f->id) == 1;
        fclose(fp);
        if (ok &&
            strspn(f->id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                strlen(f->id))
            return 0;
    }
    gethostname(host, sizeof host - 1);
    host[strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")] = '\0';
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        memset(raw, 0, sizeof raw);
    snprintf(f->id, sizeof f->id, "%.40s-%02x%02x%02x%02x", host[0] ? host : "reader", raw[0],
             raw[1], raw[2], raw[3]);
    fp = fopen(path, "w");
    if (!fp || fprintf(fp, "%s\n", f->id) < 0 || fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot write %s: %s", path, strerror(errno));
        if (fp)
            fclose(fp);
        return -1;
    }
    fclose(fp);
    return 0;
}

int fidx__follower_prepare(fidx__service_t *svc)
{
    fidx__follower_t *f = calloc(1, sizeof *f);
    if (!f) {
        fidx__log(FIDX__LOG_ERROR, "out of memory");
        return -1;
    }
    svc->follower = f;
    f->svc = svc;
    f->a = svc->admin;
    atomic_init(&f->stop, 0);
    fidx__sbuf_init(&f->body, FIDX__FOLLOW_ANSWER_MAX + FIDX__WAL_MAX_RECORD + 4096);
    snprintf(f->url, sizeof f->url, "%s", svc->cfg.follow_url);
    for (size_t n = strlen(f->url); n > 0 && f->url[n - 1] == '/'; n--)
        f->url[n - 1] = '\0';
    if (read_token(svc->cfg.follow_token_path, f->token) != 0 || load_id(f) != 0)
        return -1;
    f->curl_ready = fidx__rclient_global_init() == 0;
    if (!f->curl_ready || fidx__rclient_new(f->url, f->token, &f->stop, &f->client) != 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot start the HTTP client (libcurl)");
        return -1;
    }
    if (!f->a->base_path[0]) {
        if (fidx__replica_bootstrap(f) != 0)
            return -1;
        fidx__admin_scan_dir(f->a);
    } else if (fidx__admin_following_set(f->a, f->url) != 0) {
        return -1;
    }
    svc->cfg.snapshot_path = f->a->base_path;
    fidx__log(FIDX__LOG_INFO, "replica %s of %s: serving %s", f->id, f->url, f->a->base_path);
    return 0;
}

int fidx__follower_start(fidx__service_t *svc)
{
    fidx__follower_t *f = svc->follower;
    f->applied = f->start_applied = fidx__wal_durable(f->a->wal);
    f->start_ms = fidx__clock_mono_ms();
    publish_applied(f);
    if (uv_thread_create(&f->thread, follow_main, f) != 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot start the follower thread");
        return -1;
    }
    f->started = 1;
    return 0;
}

void fidx__follower_stopping(fidx__service_t *svc)
{
    if (svc->follower)
        atomic_store(&svc->follower->stop, 1);
}

void fidx__follower_free(fidx__service_t *svc)
{
    fidx__follower_t *f = svc->follower;
    if (!f)
        return;
    atomic_store(&f->stop, 1);
    if (f->started)
        uv_thread_join(&f->thread);
    fidx__rclient_free(f->client);
    if (f->curl_ready)
        fidx__rclient_global_cleanup();
    fidx__sbuf_free(&f->body);
    svc->follower = NULL;
    free(f);
}
