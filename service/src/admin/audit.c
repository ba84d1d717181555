/* Audit lines (see audit.h): JSON objects built field by field into a buffer that the
 * write-ahead log writes with the changes they describe. */
#include "admin/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "fidx/file.h"

/* The size of the file up to and including its last line end: a crash (or a full disk) in
 * the middle of a write leaves a fragment after it, which the next line would be glued to. */
static off_t whole_lines(int fd, off_t size)
{
    char buf[4096];
    off_t end = size;
    while (end > 0) {
        size_t n = end < (off_t)sizeof buf ? (size_t)end : sizeof buf;
        ssize_t got = pread(fd, buf, n, end - (off_t)n);
        if (got != (ssize_t)n)
            return -1;
        for (size_t i = n; i > 0; i--)
            if (buf[i - 1] == '\n')
                return end - (off_t)n + (off_t)i;
        end -= (off_t)n;
    }
    return 0;
}

int fidx__audit_open(const char *dir, char *msg, size_t cap)
{
    char path[4096];
    struct stat sb;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, FIDX__AUDIT_FILE) >= sizeof path) {
        snprintf(msg, cap, "the data directory's path is too long");
        return -1;
    }
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(msg, cap, "cannot open the audit log %s: %s", path, strerror(errno));
        return -1;
    }
    off_t keep = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? whole_lines(fd, sb.st_size) : -1;
    if (keep < 0) {
        snprintf(msg, cap, "cannot read the audit log %s: %s", path,
                 S_ISREG(sb.st_mode) ? strerror(errno) : "not a regular file");
        close(fd);
        return -1;
    }
    if (keep < sb.st_size) {
        if (ftruncate(fd, keep) != 0 || fdatasync(fd) != 0) {
            snprintf(msg, cap, "cannot cut the torn last line of the audit log %s: %s", path,
                     strerror(errno));
            close(fd);
            return -1;
        }
        fidx__log(FIDX__LOG_WARN,
                  "audit log %s: cut a torn last line (%lld bytes after byte %lld), never "
                  "acknowledged",
                  path, (long long)(sb.st_size - keep), (long long)keep);
    }
    return fd;
}

int fidx__audit_open_read(const char *dir, char *msg, size_t cap)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, FIDX__AUDIT_FILE) >= sizeof path) {
        snprintf(msg, cap, "the data directory's path is too long");
        return -1;
    }
    int fd = fidx_file_open_regular(path, O_NOFOLLOW, NULL);
    if (fd < 0)
        snprintf(msg, cap, "cannot read the audit log %s: %s", path, strerror(errno));
    return fd;
}

static void key(fidx__sbuf_t *out, const char *k)
{
    fidx__sbuf_put(out, ",", 1);
    fidx__sbuf_json_string(out, k, strlen(k));
    fidx__sbuf_put(out, ":", 1);
}

void fidx__audit_begin(fidx__sbuf_t *out, int64_t now_ms, const char *token, const char *role,
                       const char *action)
{
    char ts[40];
    struct tm tm;
    /* Rounded down, not toward zero: a clock set before 1970 still gives a valid time. */
    int64_t sec = now_ms / 1000, ms = now_ms % 1000;
    if (ms < 0)
        sec--, ms += 1000;
    time_t t = (time_t)sec;
    gmtime_r(&t, &tm);
    size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, sizeof ts - n, ".%03dZ", (int)ms);
    fidx__sbuf_puts(out, "{\"time\":\"");
    fidx__sbuf_puts(out, ts);
    fidx__sbuf_puts(out, "\",\"token\":");
    fidx__sbuf_json_string(out, token, strlen(token));
    fidx__sbuf_puts(out, ",\"role\":");
    fidx__sbuf_json_string(out, role, strlen(role));
    fidx__sbuf_puts(out, ",\"action\":");
    fidx__sbuf_json_string(out, action, strlen(action));
}

void fidx__audit_str(fidx__sbuf_t *out, const char *k, const char *v, size_t len)
{
    key(out, k);
    fidx__sbuf_json_string(out, v, len);
}

void fidx__audit_num(fidx__sbuf_t *out, const char *k, uint64_t v)
{
    key(out, k);
    fidx__sbuf_putu(out, v);
}

void fidx__audit_raw(fidx__sbuf_t *out, const char *k, const char *json, size_t len)
{
    key(out, k);
    fidx__sbuf_put(out, json, len);
}

void fidx__audit_end(fidx__sbuf_t *out)
{
    fidx__sbuf_put(out, "}\n", 2);
}

void fidx__audit_state(fidx__sbuf_t *out, const char *k, const fidx_indicator_t *ind)
{
    key(out, k);
    if (ind)
        fidx__audit_state_object(out, ind);
    else
        fidx__sbuf_puts(out, "null");
}

void fidx__audit_state_object(fidx__sbuf_t *out, const fidx_indicator_t *ind)
{
    fidx__sbuf_puts(out, "{\"status\":\"");
    fidx__sbuf_puts(out, fidx_status_name(ind->status));
    fidx__sbuf_puts(out, "\",\"categories\":[");
    for (int c = 0, n = 0; c < FIDX_CAT_COUNT; c++)
        if (ind->categories & (1u << c))
            fidx__sbuf_printf(out, "%s\"%s\"", n++ ? "," : "", fidx_category_name(c));
    fidx__sbuf_printf(out, "],\"reports\":%u,\"sources\":[", ind->reports);
    for (unsigned i = 0; i < ind->n_sources; i++) {
        if (i)
            fidx__sbuf_put(out, ",", 1);
        fidx__sbuf_json_string(out, ind->sources[i], strlen(ind->sources[i]));
    }
    fidx__sbuf_put(out, "]", 1);
    char day[11];
    if (ind->first_seen) {
        fidx_day_format(ind->first_seen, day);
        fidx__sbuf_printf(out, ",\"first_seen\":\"%.10s\"", day);
    }
    if (ind->last_seen) {
        fidx_day_format(ind->last_seen, day);
        fidx__sbuf_printf(out, ",\"last_seen\":\"%.10s\"", day);
    }
    if (ind->label_len) { /* public: who owns the value (issue 15) */
        fidx__sbuf_puts(out, ",\"label\":");
        fidx__sbuf_json_string(out, ind->label, ind->label_len);
    }
    fidx__sbuf_put(out, "}", 1);
}
