/* In-process lookup latency on a phone snapshot, beside a baseline in the same run: a plain
 * open-addressing hash set of the same 64-bit keys (8-byte key + 8-byte record per slot, load
 * 0.5). Queries are random, half hits and half misses, in random order, so both pay the cache
 * misses a server would. Each lookup is timed alone (clock_gettime, whose own cost is measured
 * and reported); p50/p99 are over all of them.
 *
 *   fidx-bench-lookup SNAPSHOT.fidx [QUERIES] [lazy|populate|resident]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "bench_clock.h"
#include "fidx/lookup.h"
#include "fidx/phone.h"
#include "fidx/snapshot.h"
#include "snapshot/snapshot_internal.h"

typedef struct {
    uint64_t *keys; /* 0 = empty (no phone key is 0) */
    uint64_t *recs;
    size_t mask;
} hashset_t;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

static void hs_put(hashset_t *h, uint64_t k, uint64_t rec)
{
    size_t i = mix(k) & h->mask;
    while (h->keys[i] && h->keys[i] != k)
        i = (i + 1) & h->mask;
    h->keys[i] = k;
    h->recs[i] = rec;
}

static int hs_get(const hashset_t *h, uint64_t k, uint64_t *rec)
{
    size_t i = mix(k) & h->mask;
    while (h->keys[i]) {
        if (h->keys[i] == k) {
            *rec = h->recs[i];
            return 1;
        }
        i = (i + 1) & h->mask;
    }
    return 0;
}

/* Queries alternate hit, miss, hit…: p50/p99 over each half, mean over all. */
static void report(const char *name, uint64_t *t, size_t n, uint64_t overhead, uint64_t total)
{
    size_t h = n / 2;
    uint64_t *hit = malloc(h * sizeof *hit), *miss = malloc(h * sizeof *miss);
    for (size_t i = 0; i < h; i++)
        hit[i] = t[2 * i], miss[i] = t[2 * i + 1];
    qsort(hit, h, sizeof *hit, cmp_u64);
    qsort(miss, h, sizeof *miss, cmp_u64);
    printf("%-32s hit p50 %4llu p99 %5llu | miss p50 %4llu p99 %5llu | mean %5.0f ns "
           "(timer %llu ns incl.)\n",
           name, (unsigned long long)hit[h / 2], (unsigned long long)hit[h * 99 / 100],
           (unsigned long long)miss[h / 2], (unsigned long long)miss[h * 99 / 100],
           (double)total / (double)n, (unsigned long long)overhead);
    free(hit);
    free(miss);
}

static uint64_t rng = 88172645463325252u;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct {
    char q[24];
    size_t len;
    uint64_t key;
} query_t;

/* Times fn over every query; returns the total. */
#define TIME_EACH(t, n, ...)                                                                       \
    do {                                                                                           \
        uint64_t start_all = now_ns();                                                             \
        for (size_t i = 0; i < (n); i++) {                                                         \
            uint64_t t0 = now_ns();                                                                \
            __VA_ARGS__;                                                                           \
            (t)[i] = now_ns() - t0;                                                                \
        }                                                                                          \
        total = now_ns() - start_all;                                                              \
    } while (0)

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fidx-bench-lookup SNAPSHOT.fidx [QUERIES]\n");
        return 2;
    }
    size_t nq = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
    const char *mode_name = argc > 3 ? argv[3] : "resident";
    int mode = !strcmp(mode_name, "lazy")       ? FIDX_OPEN_LAZY
               : !strcmp(mode_name, "populate") ? FIDX_OPEN_POPULATE
                                                : FIDX_OPEN_RESIDENT;
    fidx_snapshot_t *s;
    fidx_err_t err;
    if (fidx_snapshot_open(argv[1], mode, &s, &err) != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], err.reason);
        return 1;
    }
    uint64_t n = fidx_snapshot_count(s, FIDX_KIND_PHONE);
    if (!n) {
        fprintf(stderr, "no phone numbers in %s\n", argv[1]);
        return 1;
    }
    hashset_t h;
    size_t cap = 1;
    while (cap < 2 * n)
        cap <<= 1;
    /* The baseline gets huge pages too when the snapshot does: a fair comparison. */
    h.keys = aligned_alloc(2 << 20, cap * 8), h.recs = aligned_alloc(2 << 20, cap * 8);
    if (mode == FIDX_OPEN_RESIDENT) {
        madvise(h.keys, cap * 8, MADV_HUGEPAGE);
        madvise(h.recs, cap * 8, MADV_HUGEPAGE);
    }
    memset(h.keys, 0, cap * 8);
    h.mask = cap - 1;
    static fidx_indicator_t e;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t key;
        if (fidx_snapshot_entry(s, FIDX_KIND_PHONE, i, &e) ||
            fidx_phone_key(e.value, e.value_len, &key))
            return 1;
        hs_put(&h, key, s->kind[FIDX_KIND_PHONE].rec[i]);
    }
    query_t *qs = malloc(nq * sizeof *qs);
    for (size_t i = 0; i < nq; i++) {
        uint64_t rec;
        if (i % 2 == 0) {
            if (fidx_snapshot_entry(s, FIDX_KIND_PHONE, next_rand() % n, &e))
                return 1;
            memcpy(qs[i].q, e.value, e.value_len + 1);
        } else {
            do /* a valid mobile number (VinaPhone 091) not in the set */
                snprintf(qs[i].q, sizeof qs[i].q, "+8491%07llu",
                         (unsigned long long)(next_rand() % 10000000));
            while (fidx_phone_key(qs[i].q, strlen(qs[i].q), &qs[i].key) == 0 &&
                   hs_get(&h, qs[i].key, &rec));
        }
        qs[i].len = strlen(qs[i].q);
        if (fidx_phone_key(qs[i].q, qs[i].len, &qs[i].key))
            return 1;
    }
    uint64_t *t = malloc(nq * sizeof *t), total, sink = 0, overhead;
    TIME_EACH(t, nq, sink += i);
    qsort(t, nq, sizeof *t, cmp_u64);
    overhead = t[nq / 2];
    printf("%llu phone indicators, %zu queries (half hits), snapshot %s opened %s\n",
           (unsigned long long)n, nq, argv[1], mode_name);

    static fidx_result_t res;
    size_t hits = 0;
    TIME_EACH(t, nq,
              hits +=
              (fidx_check(s, NULL, FIDX_KIND_PHONE, NULL, qs[i].q, qs[i].len, &res, &err) == 0 &&
               res.has_match));
    report("fidx_check (normalise+lookup)", t, nq, overhead, total);
    size_t hits2 = 0;
    TIME_EACH(t, nq, {
        char c[32];
        size_t cl;
        uint64_t key, rec;
        if (fidx_phone_normalize(qs[i].q, qs[i].len, c, sizeof c, &cl, &err) == 0 &&
            fidx_phone_key(c, cl, &key) == 0)
            hits2 += hs_get(&h, key, &rec);
    });
    report("baseline: normalise+hash set", t, nq, overhead, total);
    size_t hits3 = 0;
    const snap_kind_t *k = &s->kind[FIDX_KIND_PHONE];
    TIME_EACH(t, nq, {
        uint64_t first;
        hits3 += snap_find(k, snap_phone_sortkey(qs[i].key), &first);
    });
    report("index probe only (fidx)", t, nq, overhead, total);
    size_t hits4 = 0;
    TIME_EACH(t, nq, {
        uint64_t rec;
        hits4 += hs_get(&h, qs[i].key, &rec);
    });
    report("index probe only (hash set)", t, nq, overhead, total);
    printf("hits: %zu %zu %zu %zu (must be equal); hash set %.1f bytes/key, snapshot %.2f "
           "bytes/indicator\n",
           hits, hits2, hits3, hits4, 16.0 * (double)cap / (double)n, (double)s->size / (double)n);
    (void)sink;
    fidx_snapshot_release(s);
    return hits == hits2 && hits2 == hits3 && hits3 == hits4 ? 0 : 1;
}
