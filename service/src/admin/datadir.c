/* The data directory's files (admin.h lists them): the lock that makes one process its writer,
 * and the names of compacted snapshots and log segments. */
#include "admin/admin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "fidx/durable.h"
#include "fidx/file.h"

#define SNAP_PREFIX "snapshot-"

int fidx__admin_lock_dir(fidx__admin_t *a)
{
    char path[FIDX__ADMIN_PATH_MAX + 16], pid[32];
    snprintf(path, sizeof path, "%s/LOCK", a->dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int busy = errno == EWOULDBLOCK;
        if (!busy)
            fidx__log(FIDX__LOG_ERROR, "cannot lock %s: %s", path, strerror(errno));
        close(fd);
        return busy ? 1 : -1;
    }
    a->lock_fd = fd;
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(a->lock_fd, 0) != 0 || write(a->lock_fd, pid, (size_t)n) != n)
        fidx__log(FIDX__LOG_WARN, "cannot write the pid into %s", path);
    return 0;
}

/* The number of a "snapshot-N.fidx" name, 0 when it is not one. */
static uint64_t snapshot_number(const char *name)
{
    unsigned long long n;
    char tail[8];
    if (strlen(name) != strlen(SNAP_PREFIX) + 16 + 5 ||
        sscanf(name, SNAP_PREFIX "%16llu%5s", &n, tail) != 2 || strcmp(tail, ".fidx") != 0)
        return 0;
    return n;
}

void fidx__admin_snapshot_path(const char *dir, uint64_t n, char *out, size_t cap)
{
    snprintf(out, cap, "%s/" SNAP_PREFIX "%016" PRIu64 ".fidx", dir, n);
}

/* Finds the newest compacted snapshot; with write access also removes older ones and the
 * temporary files of a compaction a crash interrupted. */
void fidx__admin_scan_dir(fidx__admin_t *a)
{
    DIR *d = opendir(a->dir);
    uint64_t newest = 0;
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        uint64_t n = snapshot_number(e->d_name);
        if (n > newest)
            newest = n;
    }
    rewinddir(d);
    for (struct dirent *e; a->writable && (e = readdir(d)) != NULL;) {
        uint64_t n = snapshot_number(e->d_name);
        int tmp = strncmp(e->d_name, SNAP_PREFIX, strlen(SNAP_PREFIX)) == 0 &&
                  strstr(e->d_name, ".fidx.tmp.") != NULL;
        if ((n && n < newest) || tmp) {
            char path[FIDX__ADMIN_PATH_MAX + 300];
            snprintf(path, sizeof path, "%s/%s", a->dir, e->d_name);
            if (unlink(path) == 0)
                fidx__log(FIDX__LOG_INFO, "removed %s (superseded or unfinished)", path);
        }
    }
    closedir(d);
    a->from_segment = newest ? newest : 1;
    if (newest)
        fidx__admin_snapshot_path(a->dir, newest, a->base_path, sizeof a->base_path);
}

/* Whether name is a segment of the log that is not folded into a snapshot. */
static int live_segment(const fidx__admin_t *a, const char *name)
{
    unsigned long long n;
    char tail[8];
    return strlen(name) == 24 && sscanf(name, "wal-%16llu%4s", &n, tail) == 2 &&
           strcmp(tail, ".log") == 0 && n >= a->from_segment;
}

int fidx__admin_has_log(const fidx__admin_t *a)
{
    DIR *d = opendir(a->dir);
    int found = 0;
    if (!d)
        return 0;
    for (struct dirent *e; !found && (e = readdir(d)) != NULL;)
        found = live_segment(a, e->d_name);
    closedir(d);
    return found;
}

int64_t fidx__admin_log_mtime(const fidx__admin_t *a)
{
    DIR *d = opendir(a->dir);
    int64_t newest = 0;
    struct stat st;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (live_segment(a, e->d_name) && fstatat(dirfd(d), e->d_name, &st, 0) == 0 &&
            st.st_mtime > newest)
            newest = st.st_mtime;
    closedir(d);
    return newest;
}

/* ---- the log's history id ----
 *
 * DATA/history names the history of the log: a writer makes one when it first writes, a
 * reader takes its writer's, and a reader promoted to writer makes a new one that records the
 * history it forked from and after which change ("ID PARENT SEQ"). A reader's polls carry its
 * history, and a writer answers 410 diverged unless it is the writer's or the parent up to
 * the fork: so a reader never applies another history's changes on top of its own, and a
 * reader that had applied more than the promoted one before the fork is told so instead of
 * silently following a different log. DATA/following (the URL a reader follows) marks a
 * reader's directory. */

#define HISTORY_FILE "history"
#define FOLLOWING_FILE "following"

static int history_valid(const char *p, size_t len)
{
    if (len != FIDX__HISTORY_LEN)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return 0;
    return 1;
}

/* Writes text as DATA/name: temporary file, fsync, rename, fsync of the directory. */
static int write_small(fidx__admin_t *a, const char *name, const char *text)
{
    char path[FIDX__ADMIN_PATH_MAX + 32], tmp[FIDX__ADMIN_PATH_MAX + 48];
    size_t n = strlen(text);
    snprintf(path, sizeof path, "%s/%s", a->dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    int ok = fd >= 0 && write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0 || fidx_fsync_dir(a->dir) != 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int fidx__admin_history_set(fidx__admin_t *a, const char *id, const char *parent, uint64_t fork_seq)
{
    char line[128];
    if (parent)
        snprintf(line, sizeof line, "%s %s %llu\n", id, parent, (unsigned long long)fork_seq);
    else
        snprintf(line, sizeof line, "%s\n", id);
    if (write_small(a, HISTORY_FILE, line) != 0)
        return -1;
    snprintf(a->history, sizeof a->history, "%s", id);
    snprintf(a->parent, sizeof a->parent, "%s", parent ? parent : "");
    a->fork_seq = parent ? fork_seq : 0;
    return 0;
}

static int random_id(char *id)
{
    unsigned char raw[FIDX__HISTORY_LEN / 2];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        fidx__log(FIDX__LOG_ERROR, "cannot make a history id: %s", strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(id + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

/* "ID" or "ID PARENT SEQ" into a. 0 or -1. */
static int parse_history(fidx__admin_t *a, const char *buf, size_t n)
{
    char id[64], parent[64];
    unsigned long long seq = 0;
    char text[128];
    if (n >= sizeof text)
        return -1;
    memcpy(text, buf, n);
    text[n] = '\0';
    int k = sscanf(text, "%63s %63s %llu", id, parent, &seq);
    if ((k != 1 && k != 3) || !history_valid(id, strlen(id)) ||
        (k == 3 && !history_valid(parent, strlen(parent))))
        return -1;
    /* history_valid checked both are FIDX__HISTORY_LEN digits long. */
    snprintf(a->history, sizeof a->history, "%.32s", id);
    snprintf(a->parent, sizeof a->parent, "%.32s", k == 3 ? parent : "");
    a->fork_seq = k == 3 ? seq : 0;
    return 0;
}

int fidx__admin_history(fidx__admin_t *a, int create)
{
    char path[FIDX__ADMIN_PATH_MAX + 32], buf[128];
    snprintf(path, sizeof path, "%s/" HISTORY_FILE, a->dir);
    a->history[0] = a->parent[0] = '\0';
    a->fork_seq = 0;
    int fd = fidx_file_open_regular(path, O_NOFOLLOW, NULL);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf);
        close(fd);
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
        if (n > 0 && parse_history(a, buf, (size_t)n) == 0)
            return 0;
        fidx__log(FIDX__LOG_ERROR, "%s does not hold a history id (%d hex digits)", path,
                  FIDX__HISTORY_LEN);
        return -1;
    }
    if (errno != ENOENT) {
        fidx__log(FIDX__LOG_ERROR, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char id[FIDX__HISTORY_LEN + 1];
    if (!create)
        return 0;
    return random_id(id) == 0 ? fidx__admin_history_set(a, id, NULL, 0) : -1;
}

int fidx__admin_following_set(fidx__admin_t *a, const char *url)
{
    char text[FIDX__ADMIN_PATH_MAX];
    snprintf(text, sizeof text, "%s\n", url);
    return write_small(a, FOLLOWING_FILE, text);
}

int fidx__admin_history_promote(fidx__admin_t *a, uint64_t last)
{
    char path[FIDX__ADMIN_PATH_MAX + 32], id[FIDX__HISTORY_LEN + 1], was[FIDX__HISTORY_LEN + 1];
    snprintf(path, sizeof path, "%s/" FOLLOWING_FILE, a->dir);
    if (access(path, F_OK) != 0)
        return 1;
    snprintf(was, sizeof was, "%s", a->history);
    if (!was[0] || random_id(id) != 0 || fidx__admin_history_set(a, id, was, last) != 0)
        return -1;
    if (unlink(path) != 0 || fidx_fsync_dir(a->dir) != 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot remove %s: %s", path, strerror(errno));
        return -1;
    }
    fidx__log(FIDX__LOG_INFO,
              "promoted: this reader's data directory %s is now a writer's, going on from "
              "change %llu (history %s, forked from %s)",
              a->dir, (unsigned long long)last, id, was);
    return 0;
}

int fidx__admin_history_accepts(const fidx__admin_t *a, const char *history, uint64_t since)
{
    if (strcmp(history, a->history) == 0)
        return 1;
    return a->parent[0] && strcmp(history, a->parent) == 0 && since <= a->fork_seq;
}
