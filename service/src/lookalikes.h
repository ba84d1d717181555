/* The look-alike index the workers check unknown links and domains with (fidx/lookalike.h),
 * kept beside the snapshot. It is built on the main thread from the allowlisted domain and url
 * entries as lookups see them (the snapshot's, and the analysts' live changes over it): at
 * load, whenever a snapshot is published (reload, compaction), and when a live change touched
 * an allowlisted site (a timer looks once a second: fidx_overlay_allow_seq). Each new index is
 * handed to every worker through an atomic swap and its wake-up, as snapshots are, and freed
 * when the last worker has let the old one go. */
#ifndef FIDX_SERVICE_LOOKALIKES_H
#define FIDX_SERVICE_LOOKALIKES_H

#include "fidx/lookalike.h"
#include "fidx/snapshot.h"
#include "service.h"

/* One index and its reference count (a worker's reference, and the main thread's). */
struct fidx__lookalikes {
    atomic_long refs;
    fidx_lookalike_t *la;
};

/* After the snapshot is loaded and the analysts' log replayed, before the workers are made:
 * builds the first index and starts watching the live changes. A failure to build is logged
 * and the service runs without look-alike answers (they are advice on top of the data); -1
 * only when out of memory. */
int fidx__lookalikes_start(fidx__service_t *svc);
/* Main thread: builds the index for snapshot s (the one being published) and the overlay as
 * it is now, and hands it to every worker. `why` is for the log. */
void fidx__lookalikes_rebuild(fidx__service_t *svc, fidx_snapshot_t *s, const char *why);
/* SIGTERM: stops watching. */
void fidx__lookalikes_stop(fidx__service_t *svc);

/* Reference counting; release frees the index with the last reference. */
struct fidx__lookalikes *fidx__lookalikes_acquire(struct fidx__lookalikes *l);
void fidx__lookalikes_release(struct fidx__lookalikes *l);

/* Worker thread: takes the index the main thread handed over, if any (the wake-up callback
 * calls it, between requests). */
void fidx__lookalikes_take(fidx__worker_t *w);

#endif
