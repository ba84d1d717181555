/* The live overlay: analysts' changes made since the snapshot was built, consulted by every
 * lookup together with the snapshot (fidx_check).
 *
 * It holds one entry per (kind, storage value): either the whole indicator as it stands now
 * (already merged with what the snapshot and earlier changes said, so it replaces the
 * snapshot's entry of the same value) or a delisting (a tombstone that hides it). Bank accounts
 * are findable by their account digits, like in the snapshot.
 *
 * Every change carries a sequence number (its position in the service's write-ahead log) and
 * stays invisible to lookups until fidx_overlay_publish() covers it: the service publishes a
 * change once it is durable. Writers see every change at once (fidx_overlay_get), so a change
 * can be merged onto one that is still on its way to the disk.
 *
 * Threads: writer calls (put, delist, get, reclaim, drop_through, reader_add, each) must be
 * serialised by the caller (one mutex among writers). Lookups take no lock: a thread that
 * reads the overlay registers once as a reader and is "online" while it uses the overlay or any
 * result borrowed from it, "offline" otherwise (quiescent-state-based reclamation: an entry
 * version or table that a change made unreachable is freed only once every reader that was
 * online at that moment has gone offline or come online again). A reader that stays online
 * holds back that freeing, nothing else. */
#ifndef FIDX_OVERLAY_H
#define FIDX_OVERLAY_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "fidx/indicator.h"
#include "fidx/kind.h"
#include "fidx/snapshot.h"

#define FIDX_OVERLAY_MAX_READERS 4096

typedef struct fidx_overlay fidx_overlay_t;
typedef struct fidx_overlay_reader fidx_overlay_reader_t;

/* An empty overlay for at most max_readers reader threads (1..FIDX_OVERLAY_MAX_READERS).
 * Caller owns *out; free with fidx_overlay_free once no reader is online. */
FIDX_MUST_CHECK int fidx_overlay_new(unsigned max_readers, fidx_overlay_t **out);
void fidx_overlay_free(fidx_overlay_t *ov);

/* ---- readers --------------------------------------------------------------------------- */

/* Registers a reader (a writer call). Borrowed until fidx_overlay_free; starts offline.
 * FIDX_ELIMIT when max_readers are registered. */
FIDX_MUST_CHECK int fidx_overlay_reader_add(fidx_overlay_t *ov, fidx_overlay_reader_t **out);

/* Before using the overlay (a lookup with it, or anything borrowed from one). Calling it again
 * while online is a quiescent point: everything borrowed before may be gone after it. */
void fidx_overlay_online(fidx_overlay_reader_t *r);
/* Done with the overlay and everything borrowed from it, until the next online. */
void fidx_overlay_offline(fidx_overlay_reader_t *r);
int fidx_overlay_is_online(const fidx_overlay_reader_t *r);

/* ---- writers (serialised by the caller) ---------------------------------------------------- */

/* Records ind (value in storage form, merged already) as the current state of its value, with
 * sequence number seq (larger than any before). Invisible to lookups until published. */
FIDX_MUST_CHECK int fidx_overlay_put(fidx_overlay_t *ov, const fidx_indicator_t *ind, uint64_t seq);

/* Records the delisting of (kind, value) with sequence number seq. */
FIDX_MUST_CHECK int fidx_overlay_delist(fidx_overlay_t *ov, fidx_kind_t kind, const char *value,
                                        size_t len, uint64_t seq);

enum { FIDX_OVERLAY_ABSENT = 0, FIDX_OVERLAY_LISTED = 1, FIDX_OVERLAY_DELISTED = 2 };

/* The newest state of (kind, value), published or not: FIDX_OVERLAY_ABSENT (the overlay says
 * nothing: the snapshot decides), _LISTED (*out filled when out is not NULL) or _DELISTED. */
int fidx_overlay_get(const fidx_overlay_t *ov, fidx_kind_t kind, const char *value, size_t len,
                     fidx_indicator_t *out);

/* The writers' view of one value: the overlay's newest state, else the snapshot's entry (s may
 * be NULL). 0 with *out filled, or FIDX_ENOTFOUND when the value is not listed (absent or
 * delisted). */
FIDX_MUST_CHECK int fidx_view_get(const fidx_snapshot_t *s, const fidx_overlay_t *ov,
                                  fidx_kind_t kind, const char *value, size_t len,
                                  fidx_indicator_t *out);

/* The writers' view of every bank's entry for the account digits d[0..len): each listed
 * entry `BIN:d` or `*:d` of the overlay (its newest state) or, unless the overlay knows that
 * value, of the snapshot (s may be NULL), in no particular order. fn gets each one (borrowed
 * for the call); nonzero stops and is returned. FIDX_ENOMEM when out of memory. What a lookup
 * of `*:d` considers, for the analysts' search and delisting by digits. */
typedef int (*fidx_view_each_fn)(void *arg, const fidx_indicator_t *ind);
FIDX_MUST_CHECK int fidx_view_bank_each(const fidx_snapshot_t *s, const fidx_overlay_t *ov,
                                        const char *d, size_t len, fidx_view_each_fn fn, void *arg);

/* Makes every change with a sequence number <= seq visible to lookups, all at once. Any thread
 * (an atomic store); seq never goes back. */
void fidx_overlay_publish(fidx_overlay_t *ov, uint64_t seq);
uint64_t fidx_overlay_visible(const fidx_overlay_t *ov);
/* The largest sequence number recorded (writers' view). */
uint64_t fidx_overlay_last_seq(const fidx_overlay_t *ov);

/* Frees what no reader can reach any more. Cheap when there is nothing to free. */
void fidx_overlay_reclaim(fidx_overlay_t *ov);

/* Forgets every value whose newest change has a sequence number <= seq (they are in a new
 * snapshot now). Call only once every reader answers from that snapshot. */
FIDX_MUST_CHECK int fidx_overlay_drop_through(fidx_overlay_t *ov, uint64_t seq);

/* Calls fn for each value's newest change with a sequence number <= max_seq, in no particular
 * order (ind is borrowed for the call; delisted: only kind and value are set). Stops when fn
 * returns nonzero and returns that. The caller is a writer or an online reader. */
typedef int (*fidx_overlay_each_fn)(void *arg, const fidx_indicator_t *ind, int delisted);
FIDX_MUST_CHECK int fidx_overlay_each(const fidx_overlay_t *ov, uint64_t max_seq,
                                      fidx_overlay_each_fn fn, void *arg);

/* The sequence number of the newest change that may have changed the allowlisted domain and
 * url entries (a domain or url allowlisted before or after it, or delisted), 0 before any.
 * Whoever keeps something derived from them (the look-alike index) rebuilds it once this
 * passes what it was built from and is visible. Any thread. */
uint64_t fidx_overlay_allow_seq(const fidx_overlay_t *ov);

/* The sequence number of the newest change of any value (put or delisting), 0 before any: a
 * reader that tells people when the data last changed compares it with what it saw before.
 * Any thread. */
uint64_t fidx_overlay_change_seq(const fidx_overlay_t *ov);

typedef struct {
    uint64_t values;   /* distinct values with a change (listed + delisted) */
    uint64_t listed;   /* of which listed */
    uint64_t delisted; /* of which delisted */
    uint64_t bytes;    /* memory held by entries and tables, old versions included */
    uint64_t retired;  /* versions and tables waiting to be freed */
} fidx_overlay_stats_t;

/* Writers' view (published or not). */
void fidx_overlay_stats(const fidx_overlay_t *ov, fidx_overlay_stats_t *st);

#endif
