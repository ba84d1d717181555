/* See service_fixture.h. */
#include "service_fixture.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fidx/feed.h"
#include "fuzz_common.h"
#include "fidx/snapshot.h"
#include "reports/reports.h"
#include "routes/report_intake.h"

#ifndef FIDX_SOURCE_DIR
#error "FIDX_SOURCE_DIR names the source tree (tests/fuzz/CMakeLists.txt sets it)"
#endif

static fuzz_service_t the;
static char dir[64];
static char snap_path[96];

__attribute__((noreturn)) static void die(const char *what)
{
    fprintf(stderr, "fuzz service fixture: %s\n", what);
    exit(1);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (!p || fread(p, 1, (size_t)n, f) != (size_t)n)
        die(path);
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* Adds every row of a CSV file of the source tree; a row the builder refuses is a fault of the
 * sample, not of the input under test. */
static void add_csv(fidx_builder_t *b, const char *rel)
{
    char path[512];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", FIDX_SOURCE_DIR, rel);
    char *text = slurp(path, &len);
    fidx_feed_t *f;
    fidx_err_t err = {0};
    fidx_row_t row;
    fidx_indicator_t *ind = malloc(sizeof *ind);
    if (!ind || fidx_feed_new(text, len, FIDX_FEED_CSV, &f, &err) != 0)
        die(path);
    int r;
    while ((r = fidx_feed_next(f, &row, &err)) == 0) {
        if (fidx_row_to_indicator(&row, NULL, ind, &err) != 0 || fidx_builder_add(b, ind, &err))
            die(err.reason ? err.reason : path);
    }
    if (r != FIDX_ENOTFOUND)
        die(err.reason ? err.reason : path);
    fidx_feed_free(f);
    free(ind);
    free(text);
}

static void build_snapshot(void)
{
    fidx_builder_t *b;
    fidx_err_t err = {0};
    if (fidx_builder_new(&b) != 0)
        die("out of memory");
    add_csv(b, "data/sample/indicators.csv");
    add_csv(b, "data/allowlist.csv");
    snprintf(snap_path, sizeof snap_path, "%s/sample.fidx", dir);
    if (fidx_builder_write(b, snap_path, 0, &err) != 0)
        die(err.reason ? err.reason : "cannot write the snapshot");
    fidx_builder_free(b);
}

const fuzz_service_t *fuzz_service(void)
{
    static fidx__config_t cfg;
    if (the.w)
        return &the;
    snprintf(dir, sizeof dir, "%s", fuzz_temp_dir());
    build_snapshot();
    fidx__config_defaults(&cfg);
    cfg.snapshot_path = snap_path;
    cfg.data_dir = dir;
    cfg.listen = "127.0.0.1:0";
    cfg.threads = 1;
    cfg.watch_interval_ms = 0;
    cfg.report_rate = 0; /* no limit */
    struct sockaddr_in *in = (struct sockaddr_in *)&cfg.addr;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    in->sin_port = 0;
    if (fidx__service_open(&cfg, &the.svc) != 0 || fidx__service_add_workers(the.svc) != 0)
        die("the service did not start (its log says why)");
    the.w = the.svc->workers[0];
    const char *colon = strrchr(the.svc->bound, ':');
    the.port = (uint16_t)atoi(colon + 1);
    return &the;
}

void fuzz_service_trim_reports(size_t keep_at_most)
{
    size_t pending, approved, rejected;
    fidx__reports_counts(the.svc->reports, &pending, &approved, &rejected);
    if (pending + approved + rejected <= keep_at_most)
        return;
    char path[128];
    fidx__report_intake_stop(the.svc);
    snprintf(path, sizeof path, "%s/reports.jsonl", dir);
    unlink(path);
    if (fidx__report_intake_start(the.svc, 1) != 0)
        die("cannot reopen the report store");
}
