/* Replays saved inputs through a fuzz target without libFuzzer: linked with one fuzz_*.c, it
 * feeds every file of the directories (or the files) named on the command line to
 * LLVMFuzzerTestOneInput, in name order. Built by the normal compiler in every build, so ctest
 * runs the seed corpora and every crasher ever found (tests/fuzz/regression/) under the
 * sanitizer build too. A property violation aborts, which fails the test.
 *
 *   replay [--prefix HH] DIR|FILE...
 *
 * --prefix HH puts the byte 0xHH before the contents of every input named after it (a target
 * whose first byte picks a mode can replay plain files, such as freshly built snapshots).
 * A directory that does not exist is skipped: git keeps no empty regression directory. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Inputs larger than this are not test inputs (libFuzzer's own default -max_len is 4 KiB). */
#define REPLAY_MAX_INPUT (64u << 20)

/* Reads path into a heap block of exactly its size (plus the prefix byte, if any): ASan then
 * sees a read past the end of the input, as it does under libFuzzer. */
static uint8_t *read_input(const char *path, int prefix, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
        fclose(f);
        return NULL;
    }
    size_t off = prefix >= 0 ? 1 : 0, n = (size_t)st.st_size;
    uint8_t *buf = malloc(n + off ? n + off : 1);
    if (buf && fread(buf + off, 1, n, f) != n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf && prefix >= 0)
        buf[0] = (uint8_t)prefix;
    *size = n + off;
    return buf;
}

static int run_file(const char *path, int prefix)
{
    size_t size;
    uint8_t *buf = read_input(path, prefix, &size);
    if (!buf) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    /* Named before the run: a crash report then follows the name of the input that caused it. */
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    LLVMFuzzerTestOneInput(buf, size);
    free(buf);
    return 0;
}

static int visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Every regular file of dir, in name order; returns the count run or -1. */
static long run_dir(const char *dir, int prefix)
{
    struct dirent **names;
    int n = scandir(dir, &names, visible, alphasort);
    if (n < 0)
        return errno == ENOENT ? 0 : -1;
    long ran = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        int w = snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (w > 0 && (size_t)w < sizeof path && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(path, prefix) != 0)
                ran = -1;
            else if (ran >= 0)
                ran++;
        }
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    int prefix = -1, failed = 0;
    long total = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc) {
            prefix = (int)strtol(argv[++i], NULL, 16) & 0xFF;
            continue;
        }
        struct stat st;
        long ran = 0;
        if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
            ran = run_file(argv[i], prefix) == 0 ? 1 : -1;
        else
            ran = run_dir(argv[i], prefix);
        if (ran < 0) {
            fprintf(stderr, "replay: cannot read all of %s\n", argv[i]);
            failed = 1;
        } else {
            total += ran;
        }
    }
    fprintf(stderr, "replay: %ld inputs, no property violated\n", total);
    return failed;
}
