/* fraudidx-indexer's commands, each in its own file; main.c dispatches, usage.c reports. Every
 * command returns the process exit code: 0 success, 1 runtime failure, 2 usage error. */
#ifndef FIDX_INDEXER_H
#define FIDX_INDEXER_H

#include <stddef.h>
#include <stdio.h>

#define EXIT_USAGE 2

int cmd_build(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* usage.c: prints "fraudidx-indexer: <message>" and the usage text to stderr, returns
 * EXIT_USAGE; or prints the usage text alone (for --help). */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void usage_print(FILE *out);

/* A whole input file, mapped read-only (or an empty buffer for an empty file). */
typedef struct {
    const char *p;
    size_t len;
} mapped_t;

/* Largest input file accepted: bigger ones are refused before they are mapped. */
#define MAX_INPUT_FILE ((size_t)16 << 30)

int map_input(const char *path, mapped_t *m, const char **why);
void unmap_input(mapped_t *m);

#endif
