/* Compaction helpers (fidx/compact.h): a builder filled from a snapshot, then the overlay's
 * changes applied over it. Listed values replace rather than merge, since an overlay entry is
 * the whole indicator as it stands after every change (the snapshot's state included). */
#include "fidx/compact.h"

#include <stdlib.h>

#define CANCEL_EVERY 4096

int fidx_builder_add_snapshot(fidx_builder_t *b, const fidx_snapshot_t *s, fidx_cancel_fn cancel,
                              void *arg, fidx_err_t *err)
{
    fidx_indicator_t *ind = malloc(sizeof *ind);
    if (!ind)
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    int rc = 0;
    for (int k = 0; k < FIDX_KIND_COUNT && rc == 0; k++) {
        uint64_t n = fidx_snapshot_count(s, (fidx_kind_t)k);
        for (uint64_t i = 0; i < n && rc == 0; i++) {
            if (cancel && i % CANCEL_EVERY == 0 && cancel(arg)) {
                rc = fidx_err_set(err, FIDX_EIO, 0, "cancelled");
                break;
            }
            rc = fidx_snapshot_entry(s, (fidx_kind_t)k, i, ind);
            if (rc)
                rc = fidx_err_set(err, rc, (size_t)i, "cannot read an entry of the snapshot");
            else
                rc = fidx_builder_add(b, ind, err);
        }
    }
    free(ind);
    return rc;
}

typedef struct {
    fidx_builder_t *b;
    fidx_cancel_fn cancel;
    void *arg;
    uint64_t applied;
    fidx_err_t *err;
} apply_t;

static int apply_one(void *arg, const fidx_indicator_t *ind, int delisted)
{
    apply_t *a = arg;
    if (a->cancel && a->applied % CANCEL_EVERY == 0 && a->cancel(a->arg))
        return fidx_err_set(a->err, FIDX_EIO, 0, "cancelled");
    /* Removed first, so that the add below starts the entry afresh instead of merging. */
    (void)fidx_builder_remove(a->b, ind->kind, ind->value, ind->value_len);
    a->applied++;
    return delisted ? 0 : fidx_builder_add(a->b, ind, a->err);
}

int fidx_builder_apply_overlay(fidx_builder_t *b, const fidx_overlay_t *ov, uint64_t max_seq,
                               fidx_cancel_fn cancel, void *arg, uint64_t *applied, fidx_err_t *err)
{
    apply_t a = {b, cancel, arg, 0, err};
    int rc = fidx_overlay_each(ov, max_seq, apply_one, &a);
    if (rc == FIDX_ENOMEM)
        rc = fidx_err_set(err, rc, 0, "out of memory");
    if (applied)
        *applied = a.applied;
    return rc;
}
