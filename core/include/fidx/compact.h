/* Compaction: a new snapshot made of an old one and the live overlay's changes, through the
 * same builder and writer the indexer uses (fidx/snapshot.h). */
#ifndef FIDX_COMPACT_H
#define FIDX_COMPACT_H

#include <stdint.h>

#include "fidx/error.h"
#include "fidx/overlay.h"
#include "fidx/snapshot.h"

/* Called every so many entries; returning nonzero stops the work with FIDX_EIO ("cancelled"). */
typedef int (*fidx_cancel_fn)(void *arg);

/* Adds every entry of s to b (merging with what b holds, as fidx_builder_add does). */
FIDX_MUST_CHECK int fidx_builder_add_snapshot(fidx_builder_t *b, const fidx_snapshot_t *s,
                                              fidx_cancel_fn cancel, void *arg, fidx_err_t *err);

/* Applies the overlay's changes with sequence numbers <= max_seq: a listed value replaces b's
 * entry of the same kind and value (the overlay holds it merged already), a delisted one
 * removes it. The caller is a writer of ov or an online reader (fidx_overlay_each).
 * *applied: how many values were applied (may be NULL). */
FIDX_MUST_CHECK int fidx_builder_apply_overlay(fidx_builder_t *b, const fidx_overlay_t *ov,
                                               uint64_t max_seq, fidx_cancel_fn cancel, void *arg,
                                               uint64_t *applied, fidx_err_t *err);

#endif
