/* The review queue grouped by value, kept as reports come and go (reports.c owns one): for
 * each canonical value with pending reports, its group — the sequence numbers of its pending
 * reports in order, how many of them are disputes — and the groups in the order they were
 * opened (a group opens with its value's first pending report), so that the grouped listing
 * pages through them without sorting every report per request. Not thread-safe: the store's
 * lock guards it. Knows nothing of the reports themselves beyond their numbers. */
#ifndef FIDX_SERVICE_REPORT_GROUPS_H
#define FIDX_SERVICE_REPORT_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "fidx/kind.h"

typedef struct fidx__groups fidx__groups_t;

/* A group as the store sees it. Borrowed until the next change of the groups. */
typedef struct {
    fidx_kind_t kind;
    const char *value; /* canonical, NUL-terminated */
    size_t value_len;
    uint64_t opened;      /* the sequence number of the report that opened it: its cursor */
    const uint64_t *seqs; /* its pending reports' sequence numbers, ascending */
    size_t n;             /* how many */
    size_t disputes;      /* of which disputes */
} fidx__group_t;

FIDX_MUST_CHECK int fidx__groups_new(fidx__groups_t **out);
void fidx__groups_free(fidx__groups_t *g);

/* A pending report (seq, larger than any added before) of (kind, value) joins its group,
 * which opens if needed. FIDX_ENOMEM leaves the groups as they were. */
FIDX_MUST_CHECK int fidx__groups_add(fidx__groups_t *g, fidx_kind_t kind, const char *value,
                                     size_t len, uint64_t seq, int dispute);
/* A pending report left the queue (decided); its group closes with its last report. */
void fidx__groups_remove(fidx__groups_t *g, fidx_kind_t kind, const char *value, size_t len,
                         uint64_t seq, int dispute);

/* The group of (kind, value), or 0 when it has no pending report. */
int fidx__groups_get(const fidx__groups_t *g, fidx_kind_t kind, const char *value, size_t len,
                     fidx__group_t *out);

/* Calls fn for the open groups in the order they opened, from the first opened after `after`
 * (0: from the first); fn returns 0 to go on, nonzero to stop. Returns the `opened` of the
 * last group fn was called for (0 when none). disputes_only: only groups holding a dispute. */
typedef int (*fidx__group_fn)(const fidx__group_t *grp, void *arg);
uint64_t fidx__groups_each(fidx__groups_t *g, uint64_t after, int disputes_only, fidx__group_fn fn,
                           void *arg);

/* Open groups; of them, those holding a dispute. */
size_t fidx__groups_count(const fidx__groups_t *g, size_t *with_disputes);

#endif
