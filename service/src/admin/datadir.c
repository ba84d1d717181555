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
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

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
