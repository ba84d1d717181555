/* Scaffolding shared by the tests that build small snapshots (lookup, overlay, snapshot):
 * a filled-in indicator, writing and opening the snapshot, and the removal of the test's
 * temporary directory. */
#ifndef FIDX_TEST_SNAPSHOT_FIXTURE_H
#define FIDX_TEST_SNAPSHOT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fidx/indicator.h"
#include "fidx/snapshot.h"

/* An impersonation indicator seen from 2024-03-01 to 2024-04-02, source police. */
static inline void fixture_indicator(fidx_indicator_t *ind, fidx_kind_t kind, const char *value,
                                     fidx_status_t status, uint32_t reports)
{
    memset(ind, 0, sizeof *ind);
    ind->kind = kind;
    ind->status = status;
    ind->categories = 1u << FIDX_CAT_IMPERSONATION;
    ind->reports = reports;
    ind->first_seen = 8827; /* 2024-03-01 (day 1 is 2000-01-01) */
    ind->last_seen = 8859;  /* 2024-04-02 */
    ind->n_sources = 1;
    strcpy(ind->sources[0], "police");
    ind->value_len = strlen(value);
    memcpy(ind->value, value, ind->value_len + 1);
}

/* A test's setup, once its builder holds the entries: writes it as dir/name, frees it, and
 * opens the file into *out. 0, or -1 (for cmocka setups). */
static inline int fixture_publish(fidx_builder_t *b, const char *dir, const char *name,
                                  fidx_snapshot_t **out)
{
    char path[300];
    fidx_err_t err;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc =
        fidx_builder_write(b, path, 0, &err) == 0 && fidx_snapshot_open(path, 0, out, &err) == 0
            ? 0
            : -1;
    fidx_builder_free(b);
    return rc;
}

/* Removes a test's temporary directory and all in it; 0 or -1 (for cmocka teardowns). */
static inline int fixture_rmdir(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
