/* Fuzz target for warnings (service/src/warnings/): the reader of one warning's JSON (a data
 * file's line, a write-ahead log record) and the replay of DATA_DIR/warnings.jsonl at start.
 * libFuzzer; replayed by ctest (docs/FUZZING.md).
 *
 * Input: byte 0 chooses: even, the rest is one warning's JSON; odd, the rest is the file.
 *
 * Properties: a warning that reads is whole (a Vietnamese title and text, a region, at most 20
 * indicators, each canonical and NUL-terminated); its JSON reads back as the same JSON (a
 * replayed line changes nothing); the store opens any file (a torn last line is cut, other bad
 * lines skipped), its public view holds only published or retracted warnings, newest first,
 * and every published warning's indicators find it; opening the file again gives the same. */
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "warnings/warnings.h"

static void one_warning(const char *p, size_t len)
{
    fidx__warning_t w, again;
    fidx_err_t err = {0};
    if (fidx__warning_parse(p, len, &w, &err) != 0) {
        FUZZ_CHECK(err.reason != NULL, "a warning refused without a reason");
        return;
    }
    FUZZ_CHECK(w.title[0] && w.text[0] && (w.national || w.regions) &&
                   w.n_ind <= FIDX__WARNING_INDICATORS_MAX,
               "a warning read without what it needs");
    for (size_t i = 0; i < w.n_ind; i++)
        FUZZ_CHECK(w.ind[i].value && w.ind[i].value[w.ind[i].len] == '\0' && w.ind[i].len,
                   "an indicator not terminated");
    fidx__sbuf_t a, b;
    fidx__sbuf_init(&a, 1u << 20);
    fidx__sbuf_init(&b, 1u << 20);
    fidx__warning_json(&a, &w, 0);
    FUZZ_CHECK(fidx__warning_parse(a.p, a.len, &again, &err) == 0, "its own JSON does not read");
    fidx__warning_json(&b, &again, 0);
    FUZZ_CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0, "its JSON changed on a re-read");
    fidx__sbuf_free(&a);
    fidx__sbuf_free(&b);
    fidx__warning_dispose(&w);
    fidx__warning_dispose(&again);
}

static size_t check_view(fidx__warnings_t *st)
{
    fidx__warnings_view_t *v = fidx__warnings_current(st);
    for (size_t i = 0; i < v->n; i++) {
        const fidx__warning_t *w = &v->w[i];
        FUZZ_CHECK(w->state != FIDX__WARNING_DRAFT && w->published, "a draft in the view");
        FUZZ_CHECK(i == 0 || v->w[i - 1].published >= w->published, "the view out of order");
        uint32_t at[FIDX__WARNINGS_RELATED_MAX];
        if (w->state == FIDX__WARNING_PUBLISHED && w->n_ind &&
            fidx__warning_current(w, w->published))
            FUZZ_CHECK(fidx__warnings_view_related(v, w->ind[0].kind, w->ind[0].value,
                                                   w->ind[0].len, 0, w->published, at,
                                                   FIDX__WARNINGS_RELATED_MAX) > 0,
                       "a published warning's indicator does not find it");
    }
    size_t n = v->n;
    fidx__warnings_view_release(v);
    return n;
}

static void the_file(const uint8_t *p, size_t len)
{
    char path[256];
    fidx_err_t err = {0};
    snprintf(path, sizeof path, "%s/%s", fuzz_temp_dir(), FIDX__WARNINGS_FILE);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_CHECK(fd >= 0 && write(fd, p, len) == (ssize_t)len, "cannot write the input");
    close(fd);
    fidx__warnings_t *st;
    FUZZ_CHECK(fidx__warnings_open(fuzz_temp_dir(), 1, &st, &err) == 0, "the store did not open");
    size_t n = fidx__warnings_count(st), shown = check_view(st);
    fidx__warnings_free(st);
    FUZZ_CHECK(fidx__warnings_open(fuzz_temp_dir(), 0, &st, &err) == 0, "it did not open again");
    FUZZ_CHECK(fidx__warnings_count(st) == n && check_view(st) == shown,
               "opening again read something else");
    FUZZ_CHECK(fidx__warnings_skipped(st) == 0 || n < FIDX__WARNINGS_MAX + 1,
               "more warnings than kept");
    fidx__warnings_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] % 2 == 0) {
        char *p = fuzz_dup(data + 1, size - 1); /* exactly its bytes: no NUL to rely on */
        one_warning(p, size - 1);
        free(p);
    } else
        the_file(data + 1, size - 1);
    return 0;
}
