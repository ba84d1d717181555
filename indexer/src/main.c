/* fraudidx-indexer: builds snapshots from indicator files and inspects them
 * (build, info, lookup, verify). See shared/API.md, "Programs". This file only dispatches to
 * the commands (cmd_*.c); the usage text they all report with is in usage.c. */
#include <stdio.h>
#include <string.h>

#include "indexer.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("missing command");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage_print(stdout);
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
