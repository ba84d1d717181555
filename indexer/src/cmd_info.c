/* `info`: format version, build time, size, checksum state and counts per kind, status,
 * category and source. */
#include <stdio.h>
#include <time.h>

#include "fidx/snapshot.h"
#include "indexer.h"

static void print_counts(const fidx_snapshot_info_t *in)
{
    printf("indicators: %llu\n", (unsigned long long)in->total);
    for (int k = 0; k < FIDX_KIND_COUNT; k++)
        printf("  kind %-16s %llu\n", fidx_kind_name((fidx_kind_t)k),
               (unsigned long long)in->by_kind[k]);
    for (int s = 0; s < FIDX_STATUS_COUNT; s++)
        printf("  status %-14s %llu\n", fidx_status_name((fidx_status_t)s),
               (unsigned long long)in->by_status[s]);
    for (int c = 0; c < FIDX_CAT_COUNT; c++)
        printf("  category %-12s %llu\n", fidx_category_name(c),
               (unsigned long long)in->by_category[c]);
    for (unsigned i = 0; i < in->n_sources; i++)
        printf("  source %-14.*s %llu\n", (int)in->source_name[i].len, in->source_name[i].p,
               (unsigned long long)in->by_source[i]);
}

int cmd_info(int argc, char **argv)
{
    if (argc != 2)
        return usage_error("info takes exactly one FILE.fidx");
    fidx_snapshot_t *s;
    fidx_snapshot_info_t in;
    fidx_err_t err = {0};
    if (fidx_snapshot_open(argv[1], FIDX_OPEN_LAZY, &s, &err) != 0) {
        fprintf(stderr, "%s: refused: %s\n", argv[1], err.reason);
        return 1;
    }
    if (fidx_snapshot_info(s, &in, &err) != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], err.reason);
        fidx_snapshot_release(s);
        return 1;
    }
    char when[32];
    time_t t = (time_t)in.build_time;
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    printf("file: %s\nformat version: %u\nbuild time: %s\nsize: %llu bytes\n", argv[1], in.version,
           when, (unsigned long long)in.file_size);
    printf("checksums: ok (header and every section; `verify` checks the contents too)\n");
    print_counts(&in);
    fidx_snapshot_release(s);
    return 0;
}
