/* Access log lines and their flushing (see accesslog.h). Writes are whole buffers of whole
 * lines with O_APPEND, so workers sharing the file never interleave inside a line. */
#include "http/accesslog.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

int fidx__accesslog_open(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

static void put_escaped(fidx__sbuf_t *b, fidx_str_t s)
{
    static const char hexd[] = "0123456789abcdef";
    if (!s.p || s.len == 0) {
        fidx__sbuf_put(b, "-", 1);
        return;
    }
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        if (ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\') {
            char e[4] = {'\\', 'x', hexd[ch >> 4], hexd[ch & 15]};
            fidx__sbuf_put(b, e, 4);
        } else {
            fidx__sbuf_put(b, (const char *)&s.p[i], 1);
        }
    }
}

void fidx__accesslog_line(fidx__sbuf_t *buf, int64_t now, const char *peer, const char *method,
                          fidx_str_t path, unsigned http_major, unsigned http_minor, int status,
                          size_t bytes, uint64_t duration_ns)
{
    char ts[32];
    fidx__time_iso(now, ts, sizeof ts);
    fidx__sbuf_printf(buf, "%s %s ", ts, peer[0] ? peer : "-");
    if (method) {
        fidx__sbuf_printf(buf, "\"%s ", method);
        put_escaped(buf, path);
        fidx__sbuf_printf(buf, " HTTP/%u.%u\"", http_major, http_minor);
    } else {
        fidx__sbuf_puts(buf, "\"-\"");
    }
    fidx__sbuf_printf(buf, " %d %zu %llu\n", status, bytes,
                      (unsigned long long)(duration_ns / 1000));
}

void fidx__accesslog_flush(int fd, fidx__sbuf_t *buf)
{
    size_t off = 0;
    while (off < buf->len) {
        ssize_t n = write(fd, buf->p + off, buf->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fidx__log(FIDX__LOG_WARN, "access log write failed: %s; %zu bytes dropped",
                      n < 0 ? strerror(errno) : "short write", buf->len - off);
            break;
        }
        off += (size_t)n;
    }
    fidx__sbuf_reset(buf, 256 * 1024);
}
