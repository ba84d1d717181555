/* What the public sees of the warnings at one moment: every warning ever published (published
 * or retracted since), newest publication first, with an index from an indicator's canonical
 * value and from a category to the published ones. Immutable once built and shared by every
 * worker: the store builds a new view on each change and swaps it in (warnings.h); a worker
 * keeps a reference to the view it answers from and takes the new one only when the store's
 * version moved (one atomic load per request: no lock on the lookup path).
 *
 * ETag and Last-Modified of the public answers come from here: etag is a hash of the listed
 * warnings' ids and revisions (the same content has the same tag across restarts). */
#ifndef FIDX_SERVICE_WARNINGS_VIEW_H
#define FIDX_SERVICE_WARNINGS_VIEW_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "warnings/warning.h"

#define FIDX__WARNINGS_RELATED_MAX 5 /* related warnings named in one answer */

typedef struct {
    uint64_t key; /* XXH3 of kind and canonical value */
    uint32_t at;  /* index into w */
} fidx__warnings_key_t;

typedef struct fidx__warnings_view {
    atomic_uint refs;
    uint64_t version;      /* the store's, when built */
    char etag[19];         /* 16 hex digits and quotes: "\"0123456789abcdef\"" */
    int64_t last_modified; /* the newest listed change (seconds), 0 when none */
    size_t n;
    fidx__warning_t *w; /* owned copies, published newest first */
    size_t n_keys;
    fidx__warnings_key_t *keys;       /* sorted by key; published warnings' indicators */
    uint32_t *by_cat[FIDX_CAT_COUNT]; /* the published warnings of each category, newest first */
    size_t n_cat[FIDX_CAT_COUNT];
} fidx__warnings_view_t;

/* Builds a view (refs 1) of the warnings of all[0..n) that were ever published. NULL when out
 * of memory. */
fidx__warnings_view_t *fidx__warnings_view_build(const fidx__warning_t *all, size_t n,
                                                 uint64_t version);
void fidx__warnings_view_acquire(fidx__warnings_view_t *v);
void fidx__warnings_view_release(fidx__warnings_view_t *v); /* NULL: nothing */

/* Up to max published warnings current at now that concern (kind, canonical value) — an
 * indicator of theirs — or one of the categories of mask, those naming the value first, each
 * newest first. Their indices into v->w go to out. No allocation, no lock. */
size_t fidx__warnings_view_related(const fidx__warnings_view_t *v, fidx_kind_t kind,
                                   const char *value, size_t len, uint16_t mask, int64_t now,
                                   uint32_t *out, size_t max);

/* The index of warning id in v, or -1. */
long fidx__warnings_view_find(const fidx__warnings_view_t *v, const char *id, size_t len);

#endif
