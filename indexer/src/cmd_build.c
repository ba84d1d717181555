/* `build`: reads every input, validates and merges the rows, writes the snapshot atomically.
 * Bad rows are reported as FILE:LINE: reason and skipped; the build fails only when an input
 * cannot be opened or read, or nothing usable was read (--strict: on the first bad row). */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fidx/feed.h"
#include "fidx/snapshot.h"
#include "indexer.h"

typedef struct {
    const char *out;
    int strict;
    fidx_row_defaults_t def;
    uint64_t rows, rejected;
} build_t;

static int parse_flags(build_t *b, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"status", required_argument, NULL, 's'},
        {"source", required_argument, NULL, 'S'}, {"category", required_argument, NULL, 'c'},
        {"strict", no_argument, NULL, 'x'},       {NULL, 0, NULL, 0}};
    int c;
    fidx_err_t err;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (c == 'o')
            b->out = optarg;
        else if (c == 's' && fidx_status_parse(optarg, strlen(optarg), &b->def.status) != 0)
            return usage_error("--status: '%s' is not confirmed, reported or allowlisted", optarg);
        else if (c == 'S')
            b->def.source = fidx_str(optarg, strlen(optarg));
        else if (c == 'c' &&
                 fidx_categories_parse(optarg, strlen(optarg), &b->def.categories, &err) != 0)
            return usage_error("--category: '%s': %s", optarg, err.reason);
        else if (c == 'x')
            b->strict = 1;
        else if (c == '?')
            return EXIT_USAGE;
    }
    if (!b->out)
        return usage_error("build needs -o OUT.fidx");
    if (optind >= argc)
        return usage_error("build needs at least one INPUT file");
    return 0;
}

static void report(build_t *b, const char *file, size_t line, const char *why)
{
    b->rejected++;
    fprintf(stderr, "%s:%zu: %s\n", file, line, why ? why : "invalid row");
}

/* Shows the input where a problem was found (e.g. the unknown column of a CSV header). */
static void print_context(const char *data, size_t len, size_t off)
{
    size_t n = 0;
    while (off + n < len && n < 40 && data[off + n] != '\n' && data[off + n] != '\r' &&
           data[off + n] != ',')
        n++;
    if (n)
        fprintf(stderr, " (at \"%.*s\")", (int)n, data + off);
    fputc('\n', stderr);
}

/* Reads one input into the builder. 0, or 1 (runtime failure: message printed). */
static int read_input(build_t *b, fidx_builder_t *bu, const char *file, const char *data,
                      size_t len)
{
    fidx_feed_format_t fmt;
    fidx_feed_t *f;
    fidx_err_t err = {0};
    if (fidx_feed_detect(data, len, &fmt, &err) != 0 ||
        fidx_feed_new(data, len, fmt, &f, &err) != 0) {
        fprintf(stderr, "%s: cannot read: %s", file, err.reason ? err.reason : "unknown format");
        print_context(data, len, err.offset);
        return 1;
    }
    static fidx_indicator_t ind; /* 9 KiB: kept off the stack */
    fidx_row_t row;
    int rc, status = 0;
    uint64_t rows_before = b->rows;
    while ((rc = fidx_feed_next(f, &row, &err)) != FIDX_ENOTFOUND) {
        b->rows++;
        if (rc == 0)
            rc = fidx_row_to_indicator(&row, &b->def, &ind, &err);
        if (rc == 0) {
            if (fidx_builder_add(bu, &ind, &err) == 0)
                continue;
            /* A full builder (limits, memory) is not a bad row: stop. */
            fprintf(stderr, "%s:%zu: %s\n", file, row.line, err.reason);
            status = 1;
            break;
        }
        report(b, file, row.line, err.reason);
        if (b->strict) {
            status = 1;
            break;
        }
    }
    /* A document whose every record was skipped silently says why, once. */
    char why[512];
    if (!status && b->rows == rows_before && fidx_feed_why_empty(f, why, sizeof why) > 0)
        fprintf(stderr, "%s: no indicator read: %s\n", file, why);
    fidx_feed_free(f);
    return status;
}

int cmd_build(int argc, char **argv)
{
    build_t b = {0};
    int rc = parse_flags(&b, argc, argv);
    if (rc)
        return rc;
    fidx_builder_t *bu;
    if (fidx_builder_new(&bu) != 0) {
        fputs("fraudidx-indexer: out of memory\n", stderr);
        return 1;
    }
    for (int i = optind; !rc && i < argc; i++) {
        mapped_t m;
        const char *why;
        if (map_input(argv[i], &m, &why) != 0) {
            fprintf(stderr, "fraudidx-indexer: cannot open %s: %s\n", argv[i], why);
            rc = 1;
            break;
        }
        rc = read_input(&b, bu, argv[i], m.p, m.len);
        unmap_input(&m);
    }
    if (!rc && fidx_builder_count(bu) == 0) {
        fputs("fraudidx-indexer: no usable indicator was read; nothing written\n", stderr);
        rc = 1;
    }
    fidx_err_t err = {0};
    if (!rc && fidx_builder_write(bu, b.out, (int64_t)time(NULL), &err) != 0) {
        fprintf(stderr, "fraudidx-indexer: cannot write %s: %s\n", b.out, err.reason);
        rc = 1;
    }
    if (!rc)
        printf("wrote %s: %llu indicators from %llu rows (%llu rejected)\n", b.out,
               (unsigned long long)fidx_builder_count(bu), (unsigned long long)b.rows,
               (unsigned long long)b.rejected);
    fidx_builder_free(bu);
    return rc;
}
