/* `lookup`: the JSON of GET /v1/check for each value, one line each, straight from the file
 * (look-alike links included: the index is built from the file as the service builds it).
 * A value that cannot be read prints its error object; the exit status is then 1. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fidx/lookup.h"
#include "indexer.h"

int cmd_lookup(int argc, char **argv)
{
    static const struct option opts[] = {{"kind", required_argument, NULL, 'k'},
                                         {"platform", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    fidx_kind_t kind = FIDX_KIND_NONE;
    const char *platform = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'k' && fidx_kind_parse(optarg, strlen(optarg), &kind) != 0)
            return usage_error("--kind: unknown kind '%s'", optarg);
        if (c == 'p')
            platform = optarg;
        if (c == '?')
            return EXIT_USAGE;
    }
    if (argc - optind < 2)
        return usage_error("lookup needs FILE.fidx and at least one VALUE");
    fidx_snapshot_t *s;
    fidx_err_t err = {0};
    if (fidx_snapshot_open(argv[optind], FIDX_OPEN_LAZY, &s, &err) != 0) {
        fprintf(stderr, "%s: refused: %s\n", argv[optind], err.reason);
        return 1;
    }
    fidx_lookalike_t *la = NULL;
    if (fidx_lookalike_new(&la, &err) != 0 || fidx_lookalike_add_snapshot(la, s, &err) != 0)
        fprintf(stderr, "%s: no look-alike check: %s\n", argv[optind],
                err.reason ? err.reason : "out of memory");
    static fidx_result_t res;
    static char out[FIDX_CHECK_JSON_MAX];
    int status = 0;
    for (int i = optind + 1; i < argc; i++) {
        size_t qlen = strlen(argv[i]), n;
        if (fidx_check(s, NULL, kind, platform, argv[i], qlen, &res, &err) == 0) {
            (void)fidx_check_lookalike(la, &res);
            n = fidx_result_json(&res, argv[i], qlen, out, sizeof out);
        } else {
            n = fidx_error_item_json(argv[i], qlen, &err, out, sizeof out), status = 1;
        }
        fwrite(out, 1, n, stdout);
        fputc('\n', stdout);
    }
    fidx_lookalike_free(la);
    fidx_snapshot_release(s);
    return status;
}
