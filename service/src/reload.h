/* Snapshot reloads: on SIGHUP and when the snapshot file is replaced (a stat poll of its path,
 * --watch-interval). The new file is copied and fully validated on libuv's thread pool, then
 * handed to the workers from the main thread; the old one goes away when its last holder
 * releases it. A file that does not validate is refused with a log line and the old one keeps
 * serving. */
#ifndef FIDX_SERVICE_RELOAD_H
#define FIDX_SERVICE_RELOAD_H

#include "service.h"

int fidx__reload_start(fidx__service_t *svc);
/* Stops watching (SIGHUP stays caught, so that it cannot kill a draining process). */
void fidx__reload_stop(fidx__service_t *svc);
/* Loads the snapshot file again (off the main loop; one at a time, a request meanwhile runs
 * after it); `why` is for the log. */
void fidx__reload_now(fidx__service_t *svc, const char *why);
void fidx__reload_log_loaded(const fidx__service_t *svc, const fidx_snapshot_t *s,
                             const char *what);

#endif
