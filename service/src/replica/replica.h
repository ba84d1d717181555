/* A reader that follows one writer (--follow URL; docs/OPERATIONS.md, "Replication"; the
 * design in docs/ARCHITECTURE.md, "Replicas"). Its follower thread polls the writer's
 * /v1/replica/changes, checks what comes, applies it to the overlay and its own copy of the
 * log (visible only once durable here), adopts the writer's new base snapshots as a compaction
 * would swap one in, and keeps the lag the routes report (service.h, replica_*). Its data
 * directory is laid out as a writer's, so a restart resumes where it stopped, and a reader
 * started with --tokens and without --follow is the writer (promotion). */
#ifndef FIDX_SERVICE_REPLICA_H
#define FIDX_SERVICE_REPLICA_H

#include "service.h"

/* After fidx__admin_prepare, before the snapshot is loaded: reads the token file, and when
 * the data directory holds no snapshot yet, bootstraps it from the writer (retrying until
 * the writer answers); svc->cfg.snapshot_path then names the reader's snapshot. -1 when the
 * reader cannot start (logged). */
int fidx__follower_prepare(fidx__service_t *svc);
/* Once the service is open: starts the follower thread. -1 (logged). */
int fidx__follower_start(fidx__service_t *svc);
/* SIGTERM: the follower stops at its next step (a transfer gives up within a second). */
void fidx__follower_stopping(fidx__service_t *svc);
/* Before the analysts' side is freed: joins the thread, frees the follower. */
void fidx__follower_free(fidx__service_t *svc);

#endif
