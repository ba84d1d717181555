/* Fuzz target for reading the audit log back (service/src/admin/audit_index.c, audit_read.c):
 * the service reads DATA_DIR/audit.jsonl through at every start to index each value's lines,
 * and reads lines again for a value's history and for pages of the log. libFuzzer; replayed by
 * ctest (docs/FUZZING.md).
 *
 * Input: the file's bytes.
 *
 * Properties: every value a whole line names is in bounds and of a known kind; once the file
 * is indexed, each such value finds that line among its own (unless it has more than the
 * index keeps); a value's history is a JSON array of objects, at most the bound; a page of
 * the whole log, filtered or not, is JSON once put in brackets and its cursor moves on; the
 * index's counts add up. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "admin/audit_index.h"
#include "admin/audit_read.h"
#include "fuzz_common.h"

#define VALUES_CHECKED 32

typedef struct {
    fidx_kind_t kind[VALUES_CHECKED];
    char value[VALUES_CHECKED][FIDX_CANON_CAP];
    size_t len[VALUES_CHECKED];
    uint64_t line_off[VALUES_CHECKED];
    size_t n, line_len;
    uint64_t off;
    const char *line;
} seen_t;

static int on_value(void *arg, fidx_kind_t kind, const char *v, size_t len)
{
    seen_t *s = arg;
    FUZZ_CHECK(kind >= 0 && kind < FIDX_KIND_COUNT, "a value of an unknown kind");
    FUZZ_CHECK(len > 0 && len < FIDX_CANON_CAP && len <= s->line_len,
               "a value longer than its line");
    if (s->n < VALUES_CHECKED) {
        s->kind[s->n] = kind;
        memcpy(s->value[s->n], v, len);
        s->len[s->n] = len;
        s->line_off[s->n] = s->off;
        s->n++;
    }
    return 0;
}

static void check_json_array(const fidx__sbuf_t *b, size_t max)
{
    json_t *a = json_loadb(b->p, b->len, 0, NULL);
    FUZZ_CHECK(!b->failed && json_is_array(a) && json_array_size(a) <= max,
               "a history or page that is not a JSON array");
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) FUZZ_CHECK(json_is_object(x), "an item that is not an object");
    json_decref(a);
}

static void check_page(fidx__audit_index_t *ix, int fd, const fidx__audit_filter_t *f)
{
    uint64_t after = 0, next;
    for (int pages = 0; pages < 64; pages++) {
        fidx__sbuf_t b;
        fidx__sbuf_init(&b, SIZE_MAX / 2);
        fidx__sbuf_put(&b, "[", 1);
        FUZZ_CHECK(fidx__audit_page(ix, fd, f, after, 3, &b, &next) == 0, "a page fails");
        fidx__sbuf_put(&b, "]", 1);
        check_json_array(&b, 3);
        fidx__sbuf_free(&b);
        FUZZ_CHECK(next == 0 || next > after, "a page cursor that does not move on");
        if (!next)
            break;
        after = next;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128], msg[256];
    snprintf(path, sizeof path, "%s/audit.jsonl", fuzz_temp_dir());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0 && write(fd, data, size) == (ssize_t)size, "cannot write the file");
    /* The values each whole line names, as the index will see them. */
    seen_t s = {0};
    const char *p = (const char *)data;
    for (size_t at = 0; at < size;) {
        const char *nl = memchr(p + at, '\n', size - at);
        if (!nl)
            break;
        size_t n = (size_t)(nl - (p + at)) + 1;
        char *line = fuzz_dup(p + at, n); /* exactly n bytes: no NUL to lean on */
        s.off = at;
        s.line_len = n;
        if (n <= FIDX__AUDIT_LINE_MAX)
            FUZZ_CHECK(fidx__audit_line_values(line, n, on_value, &s) == 0, "fn's 0 not kept");
        free(line);
        at += n;
    }
    fidx__audit_index_t *ix;
    FUZZ_CHECK(fidx__audit_index_new(&ix) == 0, "out of memory");
    FUZZ_CHECK(fidx__audit_index_load(ix, fd, msg, sizeof msg) == 0, "the file cannot be read");
    fidx__audit_loc_t *locs = malloc(FIDX__AUDIT_INDEX_PER_VALUE * sizeof *locs);
    FUZZ_CHECK(locs != NULL, "out of memory");
    for (size_t i = 0; i < s.n; i++) {
        int truncated, found = 0;
        size_t n = fidx__audit_index_find(ix, s.kind[i], s.value[i], s.len[i], locs,
                                          FIDX__AUDIT_INDEX_PER_VALUE, &truncated);
        for (size_t k = 0; k < n; k++)
            found |= locs[k].off == s.line_off[i];
        FUZZ_CHECK(found || truncated, "a value does not find the line that names it");
        fidx__sbuf_t h;
        char set_by[16];
        fidx__sbuf_init(&h, SIZE_MAX / 2);
        fidx__audit_history(ix, fd, s.kind[i], s.value[i], s.len[i], 10, &h, &truncated, set_by);
        check_json_array(&h, 10);
        FUZZ_CHECK(strlen(set_by) < 16, "set_by overflows");
        fidx__sbuf_free(&h);
    }
    fidx__audit_index_stats_t st;
    fidx__audit_index_stats(ix, &st);
    FUZZ_CHECK(st.values <= st.refs || st.refs == 0, "values without a line");
    fidx__audit_filter_t all = {0}, some = {.since = "2024", .who = "alice", .action = "add"};
    check_page(ix, fd, &all);
    check_page(ix, fd, &some);
    if (s.n) {
        fidx__audit_filter_t one = {
            .has_value = 1, .kind = s.kind[0], .value = s.value[0], .value_len = s.len[0]};
        check_page(ix, fd, &one);
    }
    free(locs);
    fidx__audit_index_free(ix);
    close(fd);
    unlink(path);
    return 0;
}
