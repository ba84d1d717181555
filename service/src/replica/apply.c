/* A reader applies its writer's changes (replica_internal.h): the records go into the overlay
 * under their own sequence numbers (invisible to lookups so far) and, unchanged, into this
 * reader's copy of the log; the log's commit thread makes them durable and only then visible,
 * exactly as for a writer's own changes. The log's sequence numbers therefore match the
 * writer's, which is what makes a restart resume where it stopped and a promoted reader go on
 * with the same numbers. Report decisions are kept in the log (for a promotion) and have no
 * effect here: a reader keeps no reports. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "admin/wal_format.h"
#include "base/le_bytes.h"
#include "base/log.h"
#include "replica/replica_internal.h"

/* Puts the records into the overlay under mu. 0, or the first failure (out of memory). */
static int put_all(fidx__admin_t *a, const char *p, size_t len, uint64_t seq, fidx_indicator_t *ind)
{
    for (size_t off = 0; off < len; seq++) {
        size_t blen;
        unsigned type;
        const char *b = fidx__admin_record_body(p + off, &blen, &type);
        fidx_kind_t kind;
        const char *v;
        size_t vlen;
        int rc = 0;
        if (type == FIDX__WAL_PUT)
            rc = fidx__admin_decode_put(b, blen, ind) ? FIDX_ECORRUPT
                                                      : fidx_overlay_put(a->ov, ind, seq);
        else if (type == FIDX__WAL_DELIST)
            rc = fidx__admin_decode_delist(b, blen, &kind, &v, &vlen)
                     ? FIDX_ECORRUPT
                     : fidx_overlay_delist(a->ov, kind, v, vlen, seq);
        if (rc)
            return rc;
        off += FIDX__WAL_RECORD_HEADER + blen;
    }
    return 0;
}

int fidx__replica_apply(fidx__follower_t *f, const char *p, size_t len, uint64_t first, uint64_t n)
{
    fidx__admin_t *a = f->a;
    fidx_indicator_t *ind = malloc(sizeof *ind);
    int rc = ind ? 0 : FIDX_ENOMEM;
    pthread_mutex_lock(&a->mu);
    uint64_t next = fidx__wal_next_seq(a->wal);
    if (rc == 0 && next != first) {
        fidx__log(FIDX__LOG_ERROR,
                  "replica: the writer sent changes from %" PRIu64 " but %" PRIu64
                  " is the next here",
                  first, next);
        rc = FIDX_EINVAL;
    }
    if (rc == 0)
        rc = put_all(a, p, len, first, ind);
    if (rc == 0)
        rc = fidx__wal_append(a->wal, p, len, n, NULL, 0);
    pthread_mutex_unlock(&a->mu);
    free(ind);
    if (rc == 0)
        rc = fidx__wal_wait(a->wal, first + n - 1);
    if (rc == 0)
        return 0;
    if (rc != FIDX_EINVAL)
        /* What went into the overlay is above the visible number and stays invisible; the
         * log takes nothing more after a failure, so following stops here. */
        fidx__log(FIDX__LOG_ERROR, "replica: cannot apply the writer's changes: %s%s",
                  fidx_strerror(rc),
                  fidx__wal_failure(a->wal) ? " (the log failed; restart the reader)" : "");
    return -1;
}
