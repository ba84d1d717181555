/* In-process time and memory of the image reader (service/src/image/) per image: decoding
 * alone (the floor), QR codes only, QR codes and OCR; then images per second through the pool
 * with 1 and 2 threads. Each read is timed alone; p50 and p99 are over RUNS runs after two
 * warm-up runs. Memory: the process's peak RSS over one read, from a peak just reset (Linux
 * /proc/self/clear_refs), minus the RSS before it; and what loading one OCR engine adds.
 *
 *   fidx-bench-image [-n RUNS] FILE...        (default 30 runs; bench/image/run.sh)
 *   fidx-bench-image -1 qr|ocr FILE           one read and exit, for the whole process's peak
 *                                             memory under /usr/bin/time
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench_clock.h"
#include "image_pool.h"
#include "image_read.h"

typedef struct {
    uint8_t *p;
    size_t len;
} file_t;

static file_t load(const char *path)
{
    FILE *f = fopen(path, "rb");
    file_t file = {NULL, 0};
    if (!f || fseek(f, 0, SEEK_END) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    file.len = (size_t)ftell(f);
    rewind(f);
    file.p = malloc(file.len);
    if (!file.p || fread(file.p, 1, file.len, f) != file.len) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    return file;
}

/* A field of /proc/self/status in kB ("VmRSS:", "VmHWM:"). */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, strlen(field)) == 0)
            kb = atol(line + strlen(field));
    if (f)
        fclose(f);
    return kb;
}

static void reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f); /* resets VmHWM to the current RSS */
        fclose(f);
    }
}

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

static int read_once(const file_t *f, unsigned what, fidx__ocr_t *ocr, uint64_t *ns)
{
    fidx__image_result_t r;
    fidx_err_t err = {0, 0, NULL};
    uint64_t t = now_ns();
    int rc = fidx__image_read(f->p, f->len, what, ocr, 0, &r, &err);
    *ns = now_ns() - t;
    if (rc != 0)
        fprintf(stderr, "read failed: %s\n", err.reason);
    int timed_out = r.ocr.timed_out;
    fidx__image_result_dispose(&r);
    return rc != 0 ? -1 : timed_out;
}

static int decode_once(const file_t *f, unsigned what, fidx__ocr_t *ocr, uint64_t *ns)
{
    (void)what;
    (void)ocr;
    fidx__gray_t g;
    uint64_t t = now_ns();
    int rc = fidx__image_decode(f->p, f->len, &g, NULL);
    *ns = now_ns() - t;
    fidx__gray_dispose(&g);
    return rc;
}

typedef int (*step_fn)(const file_t *, unsigned, fidx__ocr_t *, uint64_t *);

/* RUNS timed runs after two warm-ups; prints p50 and p99 in ms, and the peak RSS growth of
 * one more run. */
static void measure(const char *name, const char *what_name, step_fn fn, const file_t *f,
                    unsigned what, fidx__ocr_t *ocr, int runs)
{
    uint64_t *t = calloc((size_t)runs, sizeof *t), ns;
    int timeouts = 0;
    for (int i = 0; i < 2; i++)
        fn(f, what, ocr, &ns);
    for (int i = 0; i < runs; i++)
        timeouts += fn(f, what, ocr, &t[i]) > 0;
    qsort(t, (size_t)runs, sizeof *t, cmp_u64);
    size_t p99 = ((size_t)runs * 99 + 99) / 100 - 1;
    malloc_trim(0); /* what earlier runs freed leaves the process: the growth is this run's */
    long base = status_kb("VmRSS:");
    reset_peak();
    fn(f, what, ocr, &ns);
    long peak = status_kb("VmHWM:");
    printf("| %s | %s | %.1f | %.1f | %.1f | %ld |%s\n", name, what_name, ms(t[runs / 2]),
           ms(t[p99]), ms(t[runs - 1]), (peak - base) / 1024, timeouts ? " timed out" : "");
    free(t);
}

/* ---- Throughput through the pool ------------------------------------------------------- */

typedef struct {
    fidx__image_job_t job;
    const file_t *file;
} bench_job_t;

static void job_work(fidx__image_job_t *job, fidx__ocr_t *ocr)
{
    uint64_t ns;
    read_once(((bench_job_t *)job)->file, FIDX__IMAGE_READ_QR | FIDX__IMAGE_READ_OCR, ocr, &ns);
}

static void job_done(fidx__image_job_t *job)
{
    (void)job;
}

static void throughput(const file_t *f, const char *name, unsigned threads, int images)
{
    fidx__image_pool_config_t cfg = {threads, (unsigned)images, 1, NULL, 0, 0};
    fidx__image_pool_t *pool;
    if (fidx__image_pool_new(&cfg, &pool, NULL) != 0) {
        fprintf(stderr, "no pool\n");
        exit(1);
    }
    bench_job_t *jobs = calloc((size_t)images, sizeof *jobs);
    uint64_t t = now_ns();
    for (int i = 0; i < images; i++) {
        jobs[i] = (bench_job_t){{job_work, job_done, NULL}, f};
        if (fidx__image_pool_submit(pool, &jobs[i].job) != 0)
            exit(1);
    }
    fidx__image_pool_free(pool); /* waits for every job */
    double s = ms(now_ns() - t) / 1e3;
    printf("| %s | %u | %d | %.2f | %.2f |\n", name, threads, images, s, images / s);
    free(jobs);
}

/* One read (QR, or QR and OCR with an engine loaded first) in a fresh process. */
static int read_one(const char *what, const char *path)
{
    int ocr_too = strcmp(what, "ocr") == 0;
    fidx__ocr_t *ocr = NULL;
    if (ocr_too && fidx__ocr_new(NULL, NULL, &ocr, NULL) != 0)
        return 1;
    file_t f = load(path);
    uint64_t ns;
    int rc = read_once(&f, FIDX__IMAGE_READ_QR | (ocr_too ? FIDX__IMAGE_READ_OCR : 0), ocr, &ns);
    free(f.p);
    fidx__ocr_free(ocr);
    return rc < 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "-1") == 0)
        return read_one(argv[2], argv[3]);
    int runs = 30, first = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        runs = atoi(argv[2]);
        first = 3;
    }
    if (first >= argc || runs < 1) {
        fprintf(stderr, "usage: fidx-bench-image [-n RUNS] FILE...\n");
        return 2;
    }
    long before = status_kb("VmRSS:");
    uint64_t t = now_ns();
    fidx__ocr_t *ocr;
    if (fidx__ocr_new(NULL, NULL, &ocr, NULL) != 0)
        return 1;
    printf("OCR engine: loaded in %.0f ms, RSS +%ld MB\n\n", ms(now_ns() - t),
           (status_kb("VmRSS:") - before) / 1024);
    printf("| image | step | p50 ms | p99 ms | max ms | peak RSS growth MB |\n"
           "| --- | --- | --- | --- | --- | --- |\n");
    for (int i = first; i < argc; i++) {
        file_t f = load(argv[i]);
        const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        measure(name, "decode only (floor)", decode_once, &f, 0, NULL, runs);
        measure(name, "QR only", read_once, &f, FIDX__IMAGE_READ_QR, NULL, runs);
        measure(name, "QR + OCR", read_once, &f, FIDX__IMAGE_READ_QR | FIDX__IMAGE_READ_OCR, ocr,
                runs);
        free(f.p);
    }
    fidx__ocr_free(ocr);
    file_t f = load(argv[first]);
    const char *name = strrchr(argv[first], '/') ? strrchr(argv[first], '/') + 1 : argv[first];
    printf(
        "\n| image | pool threads | images | seconds | images/s |\n| --- | --- | --- | --- | --- "
        "|\n");
    throughput(&f, name, 1, runs);
    throughput(&f, name, 2, runs);
    free(f.p);
    return 0;
}
