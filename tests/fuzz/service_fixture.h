/* A real service for the fuzz targets of the HTTP path (fuzz_conn.c, fuzz_body.c): made by
 * server.c's own fidx__service_open and fidx__service_add_workers, with one worker whose libuv
 * loop the target runs itself on its own thread (the worker thread is never started).
 *
 * It serves a snapshot built once per process from data/sample/indicators.csv and
 * data/allowlist.csv, keeps reports in a fresh directory under /dev/shm (or /tmp), removed
 * at exit, and has every limit at its default except the report rate, which is unlimited:
 * a report's answer must not depend on how many inputs came before. */
#ifndef FIDX_FUZZ_SERVICE_FIXTURE_H
#define FIDX_FUZZ_SERVICE_FIXTURE_H

#include <stdint.h>

#include "service.h"

typedef struct {
    fidx__service_t *svc;
    fidx__worker_t *w;
    uint16_t port; /* the worker listens on 127.0.0.1:port */
} fuzz_service_t;

/* Made on the first call; exits the process when it cannot be. */
const fuzz_service_t *fuzz_service(void);

/* Between inputs: starts an empty report store once this many reports wait (the store keeps
 * them all in memory, and refuses more than max_pending). */
void fuzz_service_trim_reports(size_t keep_at_most);

#endif
