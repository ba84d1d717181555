/* stderr logging for the service: "TIME LEVEL: message". Each line is formatted into a stack
 * buffer and written with one write(2); lines longer than the buffer are cut, never split. */
#include "base/log.h"

#include "base/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 1024

void fidx__time_iso(int64_t unix_sec, char *out, unsigned long cap)
{
    struct tm tm;
    time_t t = (time_t)unix_sec;
    if (cap == 0)
        return;
    if (!gmtime_r(&t, &tm) || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        out[0] = '\0';
}

static const char *level_name(fidx__log_level_t level)
{
    switch (level) {
    case FIDX__LOG_ERROR:
        return "error";
    case FIDX__LOG_WARN:
        return "warning";
    default:
        return "info";
    }
}

static void vlog(fidx__log_level_t level, unsigned suppressed, const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    char ts[32];
    fidx__time_iso((int64_t)time(NULL), ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%s fraudidx-service %s: ", ts, level_name(level));
    if (n < 0)
        return;
    size_t len = (size_t)n;
    int m = vsnprintf(line + len, sizeof line - len - 1, fmt, ap);
    if (m < 0)
        return;
    len += (size_t)m;
    if (suppressed && len < sizeof line - 2) {
        m = snprintf(line + len, sizeof line - len - 1, " (and %u more like it since the last)",
                     suppressed);
        if (m > 0)
            len += (size_t)m;
    }
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    /* A failed write to stderr has nowhere to be reported. */
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

void fidx__log(fidx__log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, 0, fmt, ap);
    va_end(ap);
}

void fidx__log_limited(fidx__log_limit_t *lim, uint64_t period_ms, fidx__log_level_t level,
                       const char *fmt, ...)
{
    uint64_t now = fidx__clock_mono_ms(), next = atomic_load(&lim->next_ms);
    /* One thread wins the period; the others count what they leave out. */
    if (now < next || !atomic_compare_exchange_strong(&lim->next_ms, &next, now + period_ms)) {
        atomic_fetch_add(&lim->suppressed, 1);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vlog(level, atomic_exchange(&lim->suppressed, 0), fmt, ap);
    va_end(ap);
}
