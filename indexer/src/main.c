/* fraudidx-indexer: builds snapshots from indicator files and inspects them
 * (build, info, lookup, verify). See shared/API.md, "Programs". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("missing command");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "build"))
        return cmd_build(argc - 1, argv + 1);
    if (!strcmp(cmd, "info"))
        return cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "lookup"))
        return cmd_lookup(argc - 1, argv + 1);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(argc - 1, argv + 1);
    return usage_error("unknown command '%s'", cmd);
}
