/* The look-alike check on a list of hosts or links, for the measurements in
 * bench/lookalike/run.sh: one line of input (a host, domain or URL) → one line of output,
 * tab-separated: the input, the verdict of a plain lookup, and what the look-alike check says
 * (rule, imitated value, what was recognised) when the lookup found nothing.
 *
 *   fidx-lookalike SNAPSHOT.fidx < hosts.txt
 *   fidx-lookalike --time SNAPSHOT.fidx < hosts.txt   (median ns of a lookup, of a lookup
 *                                                      followed by the check, of the check)
 *   fidx-lookalike --build-time SNAPSHOT.fidx         (median ms to build the index of a
 *                                                      snapshot, as the service does for each
 *                                                      one it publishes)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench_clock.h"
#include "fidx/lookalike.h"
#include "fidx/lookup.h"

#define MAX_HOSTS 100000
#define ROUNDS 21

typedef struct {
    char *q;
    size_t len;
} query_t;

static size_t read_queries(query_t *qs)
{
    char line[4096];
    size_t n = 0;
    while (n < MAX_HOSTS && fgets(line, sizeof line, stdin)) {
        size_t len = strcspn(line, "\r\n");
        if (len == 0 || line[0] == '#')
            continue;
        qs[n].q = strndup(line, len);
        qs[n++].len = len;
    }
    return n;
}

static int check_one(const fidx_snapshot_t *s, const fidx_lookalike_t *la, const query_t *q,
                     fidx_result_t *res, fidx_lookalike_match_t *m)
{
    fidx_err_t err;
    if (fidx_check(s, NULL, FIDX_KIND_NONE, NULL, q->q, q->len, res, &err) != 0)
        return -1;
    if (res->verdict != FIDX_VERDICT_UNKNOWN)
        return 0;
    return fidx_lookalike_check_canonical(la, res->kind, res->canonical, res->canonical_len, m);
}

static void list(const fidx_snapshot_t *s, const fidx_lookalike_t *la, query_t *qs, size_t n,
                 fidx_result_t *res)
{
    for (size_t i = 0; i < n; i++) {
        fidx_lookalike_match_t m;
        int r = check_one(s, la, &qs[i], res, &m);
        printf("%s\t%s", qs[i].q, r < 0 ? "invalid" : fidx_verdict_name(res->verdict));
        if (r == 1)
            printf("\t%s\t%.*s\t%.*s", fidx_lookalike_rule_name(m.rule), (int)m.value.len,
                   m.value.p, (int)m.brand.len, m.brand.p);
        printf("\n");
    }
}

/* Median over ROUNDS passes of the mean ns per query of: 0 lookup, 1 lookup + check, 2 the
 * check alone (on the canonical forms the lookup gave). */
static void timing(const fidx_snapshot_t *s, const fidx_lookalike_t *la, query_t *qs, size_t n,
                   fidx_result_t *res)
{
    uint64_t t[3][ROUNDS];
    fidx_lookalike_match_t m;
    fidx_err_t err;
    volatile int sink = 0;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = now_ns();
        for (size_t i = 0; i < n; i++)
            sink += fidx_check(s, NULL, FIDX_KIND_NONE, NULL, qs[i].q, qs[i].len, res, &err);
        uint64_t t1 = now_ns();
        for (size_t i = 0; i < n; i++)
            sink += check_one(s, la, &qs[i], res, &m);
        uint64_t t2 = now_ns();
        t[0][r] = (t1 - t0) / n;
        t[1][r] = (t2 - t1) / n;
    }
    static fidx_result_t canon[1];
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            if (fidx_check(s, NULL, FIDX_KIND_NONE, NULL, qs[i].q, qs[i].len, canon, &err) != 0)
                continue;
            uint64_t t0 = now_ns();
            sink += fidx_lookalike_check_canonical(la, canon->kind, canon->canonical,
                                                   canon->canonical_len, &m);
            sum += now_ns() - t0;
        }
        t[2][r] = sum / n;
    }
    const char *what[3] = {"lookup", "lookup+lookalike", "lookalike alone (incl. clock)"};
    for (int k = 0; k < 3; k++) {
        qsort(t[k], ROUNDS, sizeof t[k][0], cmp_u64);
        printf("%-30s median %6llu ns/query (min %llu, max %llu; %d rounds of %zu)\n", what[k],
               (unsigned long long)t[k][ROUNDS / 2], (unsigned long long)t[k][0],
               (unsigned long long)t[k][ROUNDS - 1], ROUNDS, n);
    }
    uint64_t t0 = now_ns(), c = 0;
    for (int i = 0; i < 100000; i++)
        c += now_ns() - t0;
    printf("clock_gettime pair: ~%llu ns (subtract from 'alone')\n",
           (unsigned long long)((now_ns() - t0) / 100000));
    (void)c;
    (void)sink;
}

/* Median over ROUNDS of building the index of s (what the service's main thread does per
 * snapshot published, fidx_lookalike_add_view without live changes). */
static int build_time(const fidx_snapshot_t *s)
{
    uint64_t t[ROUNDS];
    size_t sites = 0;
    for (int r = 0; r < ROUNDS; r++) {
        fidx_lookalike_t *la;
        fidx_err_t err = {0};
        uint64_t t0 = now_ns();
        if (fidx_lookalike_new(&la, &err) != 0 || fidx_lookalike_add_view(la, s, NULL, &err) != 0)
            return 1;
        t[r] = now_ns() - t0;
        sites = fidx_lookalike_count(la);
        fidx_lookalike_free(la);
    }
    qsort(t, ROUNDS, sizeof t[0], cmp_u64);
    uint64_t n = 0;
    for (int k = 0; k < FIDX_KIND_COUNT; k++)
        n += fidx_snapshot_count(s, (fidx_kind_t)k);
    printf("index of %zu sites from %llu entries: median %.2f ms (min %.2f, max %.2f; %d "
           "rounds)\n",
           sites, (unsigned long long)n, (double)t[ROUNDS / 2] / 1e6, (double)t[0] / 1e6,
           (double)t[ROUNDS - 1] / 1e6, ROUNDS);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--build-time") == 0) {
        fidx_snapshot_t *s;
        fidx_err_t err = {0};
        if (fidx_snapshot_open(argv[2], FIDX_OPEN_POPULATE, &s, &err) != 0) {
            fprintf(stderr, "fidx-lookalike: %s\n", err.reason ? err.reason : "cannot open");
            return 1;
        }
        int rc = build_time(s);
        fidx_snapshot_release(s);
        return rc;
    }
    int time_it = argc > 1 && strcmp(argv[1], "--time") == 0;
    if (argc != 2 + time_it) {
        fprintf(stderr, "usage: fidx-lookalike [--time] SNAPSHOT.fidx < hosts\n");
        return 2;
    }
    fidx_snapshot_t *s;
    fidx_lookalike_t *la;
    fidx_err_t err = {0};
    if (fidx_snapshot_open(argv[1 + time_it], FIDX_OPEN_POPULATE, &s, &err) != 0 ||
        fidx_lookalike_new(&la, &err) != 0 || fidx_lookalike_add_snapshot(la, s, &err) != 0) {
        fprintf(stderr, "fidx-lookalike: %s\n", err.reason ? err.reason : "cannot open");
        return 1;
    }
    query_t *qs = calloc(MAX_HOSTS, sizeof *qs);
    fidx_result_t *res = malloc(sizeof *res);
    size_t n = qs && res ? read_queries(qs) : 0;
    if (n == 0) {
        fprintf(stderr, "fidx-lookalike: no input\n");
        return 1;
    }
    fprintf(stderr, "index: %zu sites, %zu brands\n", fidx_lookalike_count(la),
            fidx_lookalike_brand_count(la));
    if (time_it)
        timing(s, la, qs, n, res);
    else
        list(s, la, qs, n, res);
    for (size_t i = 0; i < n; i++)
        free(qs[i].q);
    free(qs);
    free(res);
    fidx_lookalike_free(la);
    fidx_snapshot_release(s);
    return 0;
}
