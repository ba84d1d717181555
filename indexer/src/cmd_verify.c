/* `verify`: opens the snapshot (header, bounds, every checksum) and runs the full integrity
 * check. Exit 0 when sound, 1 with the reason otherwise. */
#include <stdio.h>

#include "fidx/snapshot.h"
#include "indexer.h"

int cmd_verify(int argc, char **argv)
{
    if (argc != 2)
        return usage_error("verify takes exactly one FILE.fidx");
    fidx_snapshot_t *s;
    fidx_err_t err = {0};
    if (fidx_snapshot_open(argv[1], FIDX_OPEN_LAZY, &s, &err) != 0) {
        fprintf(stderr, "%s: refused: %s\n", argv[1], err.reason);
        return 1;
    }
    int rc = fidx_snapshot_verify(s, &err);
    uint64_t n = 0;
    for (int k = 0; k < FIDX_KIND_COUNT; k++)
        n += fidx_snapshot_count(s, (fidx_kind_t)k);
    fidx_snapshot_release(s);
    if (rc) {
        fprintf(stderr, "%s: corrupt: %s (at %zu)\n", argv[1], err.reason, err.offset);
        return 1;
    }
    printf("%s: ok (%llu indicators)\n", argv[1], (unsigned long long)n);
    return 0;
}
