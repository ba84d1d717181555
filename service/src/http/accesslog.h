/* The optional access log (--access-log FILE): one line per answered request, buffered per
 * worker and appended to the file (O_APPEND) about once a second. The query string is never
 * logged: it holds the values citizens check. */
#ifndef FIDX_SERVICE_ACCESSLOG_H
#define FIDX_SERVICE_ACCESSLOG_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/str.h"
#include "base/sbuf.h"

/* Opens FILE for appending; -1 with errno on failure. */
int fidx__accesslog_open(const char *path);

/* Appends: TIME PEER "METHOD PATH HTTP/x.y" STATUS BYTES MICROSECONDS ("-" for the request when
 * it could not be read: method NULL). Bytes of the path that are not printable ASCII, '"' and
 * '\\' are written as \xNN so a line stays one line. */
void fidx__accesslog_line(fidx__sbuf_t *buf, int64_t now, const char *peer, const char *method,
                          fidx_str_t path, unsigned http_major, unsigned http_minor, int status,
                          size_t bytes, uint64_t duration_ns);

/* Writes buf to fd (blocking, a few KiB) and empties it. */
void fidx__accesslog_flush(int fd, fidx__sbuf_t *buf);

#endif
