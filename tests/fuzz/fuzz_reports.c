/* Fuzz target for the replay of the citizens' report store (service/src/reports.c), which
 * the service runs over DATA_DIR/reports.jsonl at every start. libFuzzer; replayed by ctest
 * (docs/FUZZING.md).
 *
 * Input: the file, written as reports.jsonl into a fresh directory under /dev/shm; byte 0
 * gives max_pending (1 + byte % 16, small so that the bound on decided reports held in memory
 * is exercised).
 *
 * Properties: the store opens (a torn last line is cut, another bad line skipped and counted,
 * never fatal); it lists as many pending reports as it counts, each with the fields a report
 * has and rendered as JSON that parses; it holds at most 2 * max_pending decided reports;
 * each listed report is found by its id; every pending report is in exactly one of the queue's
 * groups by value, which page through; and opening the file again gives the same counts, the
 * same lists and nothing more to cut or skip than the first time. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <xxhash.h>

#include "fuzz_common.h"
#include "reports/reports.h"

static char path[128];

static void make_dir(void)
{
    if (!path[0])
        snprintf(path, sizeof path, "%s/reports.jsonl", fuzz_temp_dir());
}

#define IDS_KEPT 16

typedef struct {
    fidx__reports_t *st;
    size_t n;
    uint64_t sum, last_seq;
    char ids[IDS_KEPT][FIDX__REPORT_ID_LEN + 1]; /* the first ones, looked up afterwards */
    uint64_t seqs[IDS_KEPT];
} listing_t;

static int on_report(const fidx__report_t *r, void *ctx)
{
    listing_t *l = ctx;
    FUZZ_CHECK(strlen(r->id) == FIDX__REPORT_ID_LEN, "a report without a whole id");
    FUZZ_CHECK(r->seq > l->last_seq, "reports listed out of order");
    FUZZ_CHECK(r->kind >= 0 && r->kind < FIDX_KIND_COUNT && r->value && r->query &&
                   r->description && r->value[r->value_len] == '\0',
               "a report with a field missing");
    l->last_seq = r->seq;
    if (l->n < IDS_KEPT) {
        memcpy(l->ids[l->n], r->id, sizeof l->ids[0]);
        l->seqs[l->n] = r->seq;
    }
    l->n++;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1u << 20);
    fidx__report_json(&b, r);
    json_t *j = json_loadb(b.p, b.len, JSON_ALLOW_NUL, NULL);
    FUZZ_CHECK(!b.failed && j && json_is_object(j), "a report's JSON does not parse");
    json_decref(j);
    l->sum += XXH3_64bits_withSeed(b.p, b.len, l->n);
    fidx__sbuf_free(&b);
    return 0;
}

static int same_id(const fidx__report_t *r, void *ctx)
{
    *(uint64_t *)ctx = r->seq;
    return 0;
}

/* Lists every report in one state, page by page as the analysts' API does. */
static listing_t list(fidx__reports_t *st, fidx__report_state_t state)
{
    listing_t l = {.st = st};
    uint64_t after = 0, next;
    do {
        size_t before = l.n;
        fidx__reports_list(st, state, after, 7, on_report, &l, &next);
        FUZZ_CHECK(next == 0 || l.n > before, "a page cursor that does not move on");
        after = next;
    } while (after);
    for (size_t i = 0; i < l.n && i < IDS_KEPT; i++) {
        uint64_t seq = 0;
        FUZZ_CHECK(fidx__reports_get(st, l.ids[i], FIDX__REPORT_ID_LEN, same_id, &seq) == 0 &&
                       seq == l.seqs[i],
                   "a listed report is not found by its id");
    }
    return l;
}

typedef struct {
    size_t groups, counted, disputes, members;
} groups_t;

static int on_group(const fidx__report_group_t *g, void *ctx)
{
    groups_t *s = ctx;
    /* first and last are the times the lines say: a clock set back makes them any order. */
    FUZZ_CHECK(g->count >= 1 && g->disputes <= g->count && g->value[g->value_len] == '\0',
               "a group that does not hold together");
    s->groups++;
    s->counted += g->count;
    s->disputes += g->disputes;
    return 0;
}

static void on_member(const fidx__report_t *r, void *ctx)
{
    FUZZ_CHECK(r->state == FIDX__REPORT_PENDING, "a decided report in the queue's groups");
    ((groups_t *)ctx)->members++;
}

static void on_end(const fidx__report_group_t *g, void *ctx)
{
    (void)g;
    (void)ctx;
}

/* The queue by value, page by page: every pending report in exactly one group. */
static void check_groups(fidx__reports_t *st, size_t pending)
{
    groups_t s = {0};
    fidx__group_visit_t v = {on_group, on_member, on_end, 2, &s};
    uint64_t after = 0, next;
    do {
        size_t before = s.groups;
        fidx__reports_groups(st, after, 3, 0, FIDX_KIND_NONE, &v, &next);
        FUZZ_CHECK(next == 0 || s.groups > before, "a group cursor that does not move on");
        after = next;
    } while (after);
    size_t disputes;
    uint64_t ap, rj, up;
    fidx__reports_backlog(st, &disputes, &ap, &rj, &up);
    FUZZ_CHECK(s.counted == pending, "pending reports in groups != counted");
    FUZZ_CHECK(s.disputes == disputes, "disputes in groups != counted");
    FUZZ_CHECK(s.members <= 2 * s.groups, "more members listed than asked for");
}

typedef struct {
    size_t pending, approved, rejected, skipped;
    listing_t lists[3];
} state_t;

static state_t open_and_read(size_t max_pending)
{
    fidx__reports_t *st;
    fidx_err_t err = {0};
    state_t s;
    FUZZ_CHECK(fidx__reports_open(fuzz_temp_dir(), max_pending, &st, &err) == 0,
               "the report store does not open its own directory");
    fidx__reports_counts(st, &s.pending, &s.approved, &s.rejected);
    s.skipped = fidx__reports_skipped(st);
    for (int k = 0; k < 3; k++)
        s.lists[k] = list(st, (fidx__report_state_t)k);
    FUZZ_CHECK(s.lists[FIDX__REPORT_PENDING].n == s.pending, "pending reports listed != counted");
    check_groups(st, s.pending);
    FUZZ_CHECK(s.lists[FIDX__REPORT_APPROVED].n + s.lists[FIDX__REPORT_REJECTED].n <=
                   2 * max_pending,
               "more decided reports held in memory than the bound");
    FUZZ_CHECK(s.lists[FIDX__REPORT_APPROVED].n <= s.approved &&
                   s.lists[FIDX__REPORT_REJECTED].n <= s.rejected,
               "more decided reports listed than counted");
    fidx__reports_free(st);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    make_dir();
    size_t max_pending = 1 + data[0] % 16;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0 && write(fd, data + 1, size - 1) == (ssize_t)(size - 1),
               "the harness cannot write the file");
    close(fd);
    state_t a = open_and_read(max_pending), b = open_and_read(max_pending);
    FUZZ_CHECK(a.pending == b.pending && a.approved == b.approved && a.rejected == b.rejected &&
                   a.skipped == b.skipped,
               "opening the store again gave other counts");
    for (int k = 0; k < 3; k++)
        FUZZ_CHECK(a.lists[k].n == b.lists[k].n && a.lists[k].sum == b.lists[k].sum,
                   "opening the store again listed other reports");
    unlink(path);
    return 0;
}
