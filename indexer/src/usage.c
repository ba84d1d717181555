/* fraudidx-indexer's usage text, and the one way every command reports a usage error. */
#include <stdarg.h>
#include <stdio.h>

#include "indexer.h"

static const char usage[] =
    "usage: fraudidx-indexer build -o OUT.fidx [--status S] [--source SRC] [--category C]\n"
    "                              [--strict] INPUT...\n"
    "       fraudidx-indexer info FILE.fidx\n"
    "       fraudidx-indexer lookup [--kind KIND] [--platform P] FILE.fidx VALUE...\n"
    "       fraudidx-indexer verify FILE.fidx\n"
    "\n"
    "build   reads CSV, JSON Lines, plain lists, MISP JSON events and STIX 2.1 bundles (the\n"
    "        format is told from the content) and writes a snapshot atomically. Bad rows are\n"
    "        reported as FILE:LINE: reason and skipped (--strict: fail on the first one).\n"
    "        --status, --source, --category give defaults for rows that do not say.\n"
    "info    format version, build time, counts per kind, status, category and source.\n"
    "lookup  the JSON result of GET /v1/check for each VALUE, one line each.\n"
    "verify  full integrity check: exit 0 when sound, 1 otherwise.\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error.\n";

void usage_print(FILE *out)
{
    fputs(usage, out);
}

int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("fraudidx-indexer: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    fputs(usage, stderr);
    return EXIT_USAGE;
}
