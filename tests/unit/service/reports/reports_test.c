/* Unit tests for reports.c: reports are durable (the store after reopening is the replay of the
 * file), a torn last line is cut and a corrupt one skipped, decisions are recorded once, ids
 * are unique, paging walks the pending reports, the pending limit holds, and decided reports
 * held in memory are bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "fidx/indicator.h"
#include "reports/reports.h"

#define NOW 1764279183 /* 2025-11-27T21:33:03Z */

typedef struct {
    char root[64];
    char dir[128];
    char file[160];
} env_t;

static int setup(void **state)
{
    env_t *e = calloc(1, sizeof *e);
    strcpy(e->root, "/tmp/fidx-reports-XXXXXX");
    assert_non_null(mkdtemp(e->root));
    snprintf(e->dir, sizeof e->dir, "%s/data/sub", e->root);
    snprintf(e->file, sizeof e->file, "%s/reports.jsonl", e->dir);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env_t *e = *state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->root);
    assert_int_equal(system(cmd), 0);
    free(e);
    return 0;
}

static fidx__reports_t *open_store(const env_t *e, size_t max_pending)
{
    fidx__reports_t *st = NULL;
    fidx_err_t err = {0};
    assert_int_equal(fidx__reports_open(e->dir, max_pending, &st, &err), 0);
    assert_non_null(st);
    return st;
}

static void add(fidx__reports_t *st, const char *value, const char *desc, char *id)
{
    fidx__report_input_t in = {
        .kind = FIDX_KIND_PHONE,
        .value = value,
        .value_len = strlen(value),
        .query = value,
        .query_len = strlen(value),
        .category = FIDX_CAT_IMPERSONATION,
        .description = desc,
        .description_len = strlen(desc),
    };
    fidx_err_t err = {0};
    assert_int_equal(fidx__reports_add(st, &in, NOW, id, NULL, &err), 0);
}

static size_t pending(fidx__reports_t *st)
{
    size_t p, a, r;
    fidx__reports_counts(st, &p, &a, &r);
    return p;
}

/* Collects what callbacks are given. */
typedef struct {
    size_t n;
    char ids[16][FIDX__REPORT_ID_LEN + 1];
    fidx__report_t last;
    char last_desc[256];
    char json[1024];
} seen_t;

static int collect(const fidx__report_t *r, void *ctx)
{
    seen_t *s = ctx;
    if (s->n < 16)
        memcpy(s->ids[s->n], r->id, sizeof s->ids[0]);
    s->n++;
    s->last = *r;
    snprintf(s->last_desc, sizeof s->last_desc, "%s", r->description);
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, sizeof s->json - 1);
    fidx__report_json(&b, r);
    snprintf(s->json, sizeof s->json, "%.*s", (int)b.len, b.p);
    fidx__sbuf_free(&b);
    return 0;
}

static void creates_private_directory_and_file(void **state)
{
    env_t *e = *state;
    fidx__reports_t *st = open_store(e, 10);
    struct stat sb;
    assert_int_equal(stat(e->dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(stat(e->file, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    fidx__reports_free(st);
}

static void a_report_survives_reopening(void **state)
{
    env_t *e = *state;
    char id[FIDX__REPORT_ID_LEN + 1];
    fidx__reports_t *st = open_store(e, 10);
    add(st, "+84912345678", "Gọi tự xưng công an \"phường\"\nđòi chuyển tiền", id);
    assert_int_equal(strlen(id), FIDX__REPORT_ID_LEN);
    assert_int_equal(id[0], 'r');
    assert_int_equal(strspn(id + 1, "0123456789abcdef"), FIDX__REPORT_ID_LEN - 1);
    fidx__reports_free(st);

    /* The file holds one line of JSON with the report. */
    FILE *f = fopen(e->file, "r");
    char line[1024];
    assert_non_null(fgets(line, sizeof line, f));
    assert_null(fgets(line + strlen(line), 10, f));
    fclose(f);
    json_error_t jerr;
    json_t *o = json_loads(line, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "type")), "report");
    assert_string_equal(json_string_value(json_object_get(o, "id")), id);
    assert_string_equal(json_string_value(json_object_get(o, "time")), "2025-11-27T21:33:03Z");
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "phone");
    assert_string_equal(json_string_value(json_object_get(o, "category")), "impersonation");
    json_decref(o);

    st = open_store(e, 10);
    seen_t seen = {0};
    assert_int_equal(fidx__reports_get(st, id, strlen(id), collect, &seen), 0);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.last.state, FIDX__REPORT_PENDING);
    assert_int_equal(seen.last.created, NOW);
    assert_int_equal(seen.last.category, FIDX_CAT_IMPERSONATION);
    assert_string_equal(seen.last_desc, "Gọi tự xưng công an \"phường\"\nđòi chuyển tiền");
    assert_non_null(strstr(seen.json, "{\"state\":\"pending\",\"id\":\""));
    assert_int_equal(pending(st), 1);
    assert_int_equal(fidx__reports_skipped(st), 0);
    fidx__reports_free(st);
}

static void decisions_are_durable_and_final(void **state)
{
    env_t *e = *state;
    char id[FIDX__REPORT_ID_LEN + 1];
    fidx_err_t err = {0};
    fidx__reports_t *st = open_store(e, 10);
    add(st, "+84912345678", "", id);
    fidx__report_decision_t d = {
        .action = FIDX__REPORT_APPROVED,
        .by = "analyst-1",
        .has_status = 1,
        .status = FIDX_STATUS_CONFIRMED,
        .categories = 1u << FIDX_CAT_PHISHING,
        .reason = "checked with the bank",
    };
    assert_int_equal(fidx__reports_decide(st, id, strlen(id), &d, NOW + 60, &err), 0);
    assert_int_equal(fidx__reports_decide(st, id, strlen(id), &d, NOW + 61, &err), FIDX_EINVAL);
    assert_int_equal(fidx__reports_decide(st, "rnope", 5, &d, NOW, &err), FIDX_ENOTFOUND);
    d.by = "";
    assert_int_equal(fidx__reports_decide(st, id, strlen(id), &d, NOW, &err), FIDX_EINVAL);
    fidx__reports_free(st);

    st = open_store(e, 10);
    seen_t seen = {0};
    assert_int_equal(fidx__reports_get(st, id, strlen(id), collect, &seen), 0);
    assert_int_equal(seen.last.state, FIDX__REPORT_APPROVED);
    assert_int_equal(seen.last.decided, NOW + 60);
    assert_string_equal(seen.last.decided_by, "analyst-1");
    assert_int_equal(seen.last.status, FIDX_STATUS_CONFIRMED);
    assert_int_equal(seen.last.categories, 1u << FIDX_CAT_PHISHING);
    assert_non_null(strstr(seen.json, "\"decided_by\":\"analyst-1\""));
    assert_non_null(strstr(seen.json, "\"categories\":[\"phishing\"]"));
    size_t p, a, r;
    fidx__reports_counts(st, &p, &a, &r);
    assert_int_equal(p, 0);
    assert_int_equal(a, 1);
    assert_int_equal(r, 0);
    fidx__reports_free(st);
}

static void paging_walks_pending_reports(void **state)
{
    env_t *e = *state;
    char ids[5][FIDX__REPORT_ID_LEN + 1];
    fidx_err_t err = {0};
    fidx__reports_t *st = open_store(e, 10);
    for (int i = 0; i < 5; i++)
        add(st, "+84912345678", "", ids[i]);
    fidx__report_decision_t d = {.action = FIDX__REPORT_REJECTED, .by = "a"};
    assert_int_equal(fidx__reports_decide(st, ids[1], FIDX__REPORT_ID_LEN, &d, NOW, &err), 0);

    seen_t seen = {0};
    uint64_t next;
    assert_int_equal(fidx__reports_list(st, FIDX__REPORT_PENDING, 0, 2, collect, &seen, &next), 2);
    assert_string_equal(seen.ids[0], ids[0]);
    assert_string_equal(seen.ids[1], ids[2]);
    assert_true(next > 0);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(fidx__reports_list(st, FIDX__REPORT_PENDING, next, 2, collect, &seen, &next),
                     2);
    assert_string_equal(seen.ids[0], ids[3]);
    assert_string_equal(seen.ids[1], ids[4]);
    assert_int_equal(next, 0);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(fidx__reports_list(st, FIDX__REPORT_REJECTED, 0, 10, collect, &seen, &next),
                     1);
    assert_string_equal(seen.ids[0], ids[1]);
    fidx__reports_free(st);
}

static size_t listed(fidx__reports_t *st, fidx__report_state_t state)
{
    seen_t seen = {0};
    uint64_t next;
    return fidx__reports_list(st, state, 0, 1000, collect, &seen, &next);
}

static int found(fidx__reports_t *st, const char *id)
{
    seen_t seen = {0};
    return fidx__reports_get(st, id, FIDX__REPORT_ID_LEN, collect, &seen) == 0;
}

/* Memory holds every pending report but only the newest decided ones (max_pending, up to twice
 * that between passes); the file keeps them all, the totals count them all, and a paging cursor
 * taken before old reports were dropped still works. */
static void decided_reports_are_bounded_in_memory(void **state)
{
    env_t *e = *state;
    char keep[2][FIDX__REPORT_ID_LEN + 1], ids[20][FIDX__REPORT_ID_LEN + 1];
    fidx_err_t err = {0};
    fidx__reports_t *st = open_store(e, 3);
    add(st, "+84912345678", "waits", keep[0]);
    add(st, "+84912345679", "waits too", keep[1]);
    seen_t seen = {0};
    uint64_t cursor;
    assert_int_equal(fidx__reports_list(st, FIDX__REPORT_PENDING, 0, 1, collect, &seen, &cursor),
                     1);
    fidx__report_decision_t d = {.action = FIDX__REPORT_APPROVED, .by = "a"};
    for (int i = 0; i < 20; i++) {
        add(st, "+84912345670", "decided", ids[i]);
        assert_int_equal(fidx__reports_decide(st, ids[i], FIDX__REPORT_ID_LEN, &d, NOW, &err), 0);
    }
    for (int round = 0; round < 2; round++) {
        size_t p, a, r;
        fidx__reports_counts(st, &p, &a, &r);
        assert_int_equal(p, 2);
        assert_int_equal(a, 20);
        size_t held = listed(st, FIDX__REPORT_APPROVED);
        assert_true(held >= 3 && held <= 6);
        assert_true(found(st, ids[19]) && found(st, ids[17]));
        assert_false(found(st, ids[0]));
        assert_true(found(st, keep[0]) && found(st, keep[1]));
        memset(&seen, 0, sizeof seen);
        uint64_t next;
        assert_int_equal(
            fidx__reports_list(st, FIDX__REPORT_PENDING, cursor, 10, collect, &seen, &next), 1);
        assert_string_equal(seen.ids[0], keep[1]);
        /* Reopening replays the whole file under the same bound. */
        fidx__reports_free(st);
        st = open_store(e, 3);
    }
    fidx__reports_free(st);
    FILE *f = fopen(e->file, "r");
    char line[2048];
    size_t lines = 0;
    while (fgets(line, sizeof line, f))
        lines++;
    fclose(f);
    assert_int_equal(lines, 2 + 20 + 20); /* every report and decision is still in the file */
}

static void torn_tail_is_cut_and_corrupt_lines_skipped(void **state)
{
    env_t *e = *state;
    char a[FIDX__REPORT_ID_LEN + 1], b[FIDX__REPORT_ID_LEN + 1];
    fidx__reports_t *st = open_store(e, 10);
    add(st, "+84912345678", "one", a);
    fidx__reports_free(st);
    struct stat sb;
    assert_int_equal(stat(e->file, &sb), 0);
    off_t good = sb.st_size;

    /* A line that is not a report, then half a line as a crash would leave it. */
    FILE *f = fopen(e->file, "a");
    fputs("{\"type\":\"report\",\"id\":\"short\"}\nnot json\n{\"type\":\"report\",\"id\":\"r00", f);
    fclose(f);
    st = open_store(e, 10);
    assert_int_equal(pending(st), 1);
    assert_int_equal(fidx__reports_skipped(st), 2);
    add(st, "+84987654321", "two", b);
    fidx__reports_free(st);

    /* The torn bytes are gone: every line of the file is whole. */
    st = open_store(e, 10);
    assert_int_equal(pending(st), 2);
    assert_int_equal(fidx__reports_skipped(st), 2);
    seen_t seen = {0};
    assert_int_equal(fidx__reports_get(st, b, strlen(b), collect, &seen), 0);
    assert_string_equal(seen.last_desc, "two");
    fidx__reports_free(st);
    assert_int_equal(stat(e->file, &sb), 0);
    assert_true(sb.st_size > good);
    f = fopen(e->file, "r");
    char line[2048];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        assert_int_equal(line[strlen(line) - 1], '\n');
        lines++;
    }
    fclose(f);
    assert_int_equal(lines, 4);
}

/* A dispute with every optional field survives reopening; the line says "report_type" only for
 * a dispute, so a scam report's line reads as before. */
static void disputes_and_optional_fields_survive(void **state)
{
    env_t *e = *state;
    char a[FIDX__REPORT_ID_LEN + 1], b[FIDX__REPORT_ID_LEN + 1];
    fidx__reports_t *st = open_store(e, 10);
    add(st, "+84912345678", "", a);
    fidx_day_t day;
    assert_int_equal(fidx_day_parse("2025-11-20", 10, &day), 0);
    fidx__report_input_t in = {.kind = FIDX_KIND_PHONE,
                               .value = "+84912345678",
                               .value_len = 12,
                               .query = "0912345678",
                               .query_len = 10,
                               .category = -1,
                               .description = "số của tôi",
                               .description_len = strlen("số của tôi"),
                               .type = FIDX__REPORT_DISPUTE,
                               .has_channel = 1,
                               .channel = FIDX__CHANNEL_ZALO,
                               .date = day,
                               .has_amount = 1,
                               .amount_vnd = 0,
                               .contact = "lan@example.vn",
                               .contact_len = 14};
    fidx_err_t err = {0};
    assert_int_equal(fidx__reports_add(st, &in, NOW, b, NULL, &err), 0);
    size_t disputes;
    uint64_t ap, rj, up;
    fidx__reports_backlog(st, &disputes, &ap, &rj, &up);
    assert_int_equal(disputes, 1);
    fidx__reports_free(st);
    st = open_store(e, 10);
    seen_t s = {0};
    assert_int_equal(fidx__reports_get(st, b, FIDX__REPORT_ID_LEN, collect, &s), 0);
    assert_int_equal(s.last.type, FIDX__REPORT_DISPUTE);
    assert_int_equal(s.last.channel, FIDX__CHANNEL_ZALO);
    assert_int_equal(s.last.date, day);
    assert_int_equal(s.last.amount_vnd, 0);
    assert_non_null(strstr(s.json, "\"type\":\"dispute\""));
    assert_non_null(strstr(s.json, "\"channel\":\"zalo\",\"date\":\"2025-11-20\",\"amount_vnd\":0,"
                                   "\"contact\":\"lan@example.vn\""));
    memset(&s, 0, sizeof s);
    assert_int_equal(fidx__reports_get(st, a, FIDX__REPORT_ID_LEN, collect, &s), 0);
    assert_int_equal(s.last.type, FIDX__REPORT_SCAM);
    assert_int_equal(s.last.channel, -1);
    assert_int_equal(s.last.amount_vnd, -1);
    assert_null(s.last.contact);
    assert_null(strstr(s.json, "channel"));
    fidx__reports_backlog(st, &disputes, &ap, &rj, &up);
    assert_int_equal(disputes, 1);
    /* Upheld: the line says so, and reads back as approved. */
    fidx__report_decision_t d = {.action = FIDX__REPORT_APPROVED, .by = "lan", .reason = "hers"};
    assert_int_equal(fidx__reports_decide(st, b, FIDX__REPORT_ID_LEN, &d, NOW + 60, &err), 0);
    fidx__reports_backlog(st, &disputes, &ap, &rj, &up);
    assert_int_equal(disputes, 0);
    assert_int_equal(up, 1);
    assert_int_equal(ap, 0);
    fidx__reports_free(st);
    FILE *f = fopen(e->file, "r");
    char line[2048], all[8192] = "";
    while (fgets(line, sizeof line, f))
        strcat(all, line);
    fclose(f);
    assert_non_null(strstr(all, "\"report_type\":\"dispute\""));
    assert_non_null(strstr(all, "\"action\":\"uphold\""));
    assert_int_equal(strstr(all, "report_type") - all > (long)strlen(all) / 3, 1);
    st = open_store(e, 10);
    memset(&s, 0, sizeof s);
    assert_int_equal(fidx__reports_get(st, b, FIDX__REPORT_ID_LEN, collect, &s), 0);
    assert_int_equal(s.last.state, FIDX__REPORT_APPROVED);
    assert_int_equal(pending(st), 1);
    fidx__reports_free(st);
}

/* A line an older version wrote (no optional members) is a scam report; a line with a bad
 * optional member is skipped like any unreadable line. */
static void older_and_malformed_extras(void **state)
{
    env_t *e = *state;
    fidx__reports_t *st = open_store(e, 10);
    fidx__reports_free(st);
    FILE *f = fopen(e->file, "a");
    fputs("{\"type\":\"report\",\"id\":\"r0000000100000000000000000001\",\"time\":"
          "\"2025-11-27T21:33:03Z\",\"kind\":\"phone\",\"value\":\"+84911111111\",\"query\":\"x\","
          "\"category\":null,\"description\":\"\"}\n",
          f);
    const char *bad[] = {"\"report_type\":\"praise\"", "\"channel\":\"pigeon\"",
                         "\"date\":\"2025-02-30\"",    "\"amount_vnd\":-5",
                         "\"amount_vnd\":1.5",         "\"contact\":7"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        fprintf(f,
                "{\"type\":\"report\",\"id\":\"r000000010000000000000000000%zu\",\"time\":"
                "\"2025-11-27T21:33:03Z\",\"kind\":\"phone\",\"value\":\"+84911111111\","
                "\"query\":\"x\",\"category\":null,\"description\":\"\",%s}\n",
                i, bad[i]);
    fclose(f);
    st = open_store(e, 10);
    assert_int_equal(pending(st), 1);
    assert_int_equal(fidx__reports_skipped(st), sizeof bad / sizeof bad[0]);
    seen_t s = {0};
    assert_int_equal(
        fidx__reports_get(st, "r0000000100000000000000000001", FIDX__REPORT_ID_LEN, collect, &s),
        0);
    assert_int_equal(s.last.type, FIDX__REPORT_SCAM);
    fidx__reports_free(st);
}

/* A claimed report cannot be claimed twice; a decision lets it go; several decisions are
 * recorded with one write, each one's outcome reported. */
static void claims_and_bulk_decisions(void **state)
{
    env_t *e = *state;
    char id[4][FIDX__REPORT_ID_LEN + 1];
    fidx__reports_t *st = open_store(e, 10);
    for (int i = 0; i < 4; i++)
        add(st, i < 3 ? "+84912345678" : "+84987654321", "", id[i]);
    seen_t s = {0};
    assert_int_equal(fidx__reports_claim(st, id[0], FIDX__REPORT_ID_LEN, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(fidx__reports_claim(st, id[0], FIDX__REPORT_ID_LEN, NULL, NULL), FIDX_ELIMIT);
    fidx__reports_unclaim(st, id[0], FIDX__REPORT_ID_LEN);
    assert_int_equal(fidx__reports_claim(st, id[0], FIDX__REPORT_ID_LEN, NULL, NULL), 0);
    assert_int_equal(fidx__reports_claim(st,
                                         "r"
                                         "0000000000000000000000000000",
                                         29, NULL, NULL),
                     FIDX_ENOTFOUND);
    const char *ids[] = {id[0], id[1], id[1], "r0000000000000000000000000000"};
    fidx__report_decision_t d[4];
    for (int i = 0; i < 4; i++)
        d[i] =
            (fidx__report_decision_t){.action = FIDX__REPORT_REJECTED, .by = "lan", .reason = "no"};
    int rc[4];
    assert_int_equal(fidx__reports_decide_many(st, ids, d, 4, NOW + 1, rc), 0);
    assert_int_equal(rc[0], 0);
    assert_int_equal(rc[1], 0);
    assert_int_equal(rc[2], FIDX_EINVAL); /* the same report twice: the first counts */
    assert_int_equal(rc[3], FIDX_ENOTFOUND);
    assert_int_equal(pending(st), 2);
    assert_int_equal(fidx__reports_claim(st, id[0], FIDX__REPORT_ID_LEN, NULL, NULL), FIDX_EINVAL);
    /* The value's pending reports, from its group; every state from memory. */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        fidx__reports_of_value(st, FIDX_KIND_PHONE, "+84912345678", 12, 1, collect, &s), 1);
    assert_string_equal(s.ids[0], id[2]);
    memset(&s, 0, sizeof s);
    assert_int_equal(
        fidx__reports_of_value(st, FIDX_KIND_PHONE, "+84912345678", 12, 0, collect, &s), 3);
    fidx__reports_free(st);
    st = open_store(e, 10); /* one write: both decisions are in the file */
    assert_int_equal(pending(st), 2);
    fidx__reports_free(st);
}

typedef struct {
    char values[8][32];
    size_t counts[8], members[8];
    int n;
} groups_seen_t;

static int on_group(const fidx__report_group_t *g, void *ctx)
{
    groups_seen_t *s = ctx;
    snprintf(s->values[s->n], sizeof s->values[0], "%s", g->value);
    s->counts[s->n] = g->count;
    return 0;
}

static void on_member(const fidx__report_t *r, void *ctx)
{
    groups_seen_t *s = ctx;
    (void)r;
    s->members[s->n]++;
}

static void on_end(const fidx__report_group_t *g, void *ctx)
{
    (void)g;
    ((groups_seen_t *)ctx)->n++;
}

/* The queue grouped by value, in the order the groups opened, paged, and rebuilt at open. */
static void groups_of_the_queue(void **state)
{
    env_t *e = *state;
    char id[6][FIDX__REPORT_ID_LEN + 1];
    const char *values[6] = {"+84911111111", "+84922222222", "+84911111111",
                             "+84933333333", "+84911111111", "+84922222222"};
    fidx__reports_t *st = open_store(e, 10);
    for (int i = 0; i < 6; i++)
        add(st, values[i], "", id[i]);
    fidx__report_decision_t d = {.action = FIDX__REPORT_REJECTED, .by = "lan", .reason = "no"};
    fidx_err_t err = {0};
    assert_int_equal(fidx__reports_decide(st, id[3], FIDX__REPORT_ID_LEN, &d, NOW, &err), 0);
    for (int reopen = 0; reopen < 2; reopen++) {
        groups_seen_t s = {0};
        fidx__group_visit_t v = {on_group, on_member, on_end, 2, &s};
        uint64_t next;
        assert_int_equal(fidx__reports_groups(st, 0, 1, 0, FIDX_KIND_NONE, &v, &next), 1);
        assert_string_equal(s.values[0], "+84911111111");
        assert_int_equal(s.counts[0], 3);
        assert_int_equal(s.members[0], 2); /* members_max */
        assert_true(next != 0);
        assert_int_equal(fidx__reports_groups(st, next, 10, 0, FIDX_KIND_NONE, &v, &next), 1);
        assert_string_equal(s.values[1], "+84922222222"); /* +84933333333's group closed */
        assert_int_equal(next, 0);
        assert_int_equal(fidx__reports_groups(st, 0, 10, 1, FIDX_KIND_NONE, &v, &next), 0);
        assert_int_equal(fidx__reports_groups(st, 0, 10, 0, FIDX_KIND_EMAIL, &v, &next), 0);
        fidx__reports_free(st);
        st = open_store(e, 10);
    }
    fidx__reports_free(st);
}

static void pending_limit_refuses_more(void **state)
{
    env_t *e = *state;
    char id[FIDX__REPORT_ID_LEN + 1];
    fidx__reports_t *st = open_store(e, 2);
    add(st, "+84912345678", "", id);
    add(st, "+84912345678", "", id);
    fidx__report_input_t in = {
        .kind = FIDX_KIND_PHONE, .value = "x", .value_len = 1, .query = "x", .category = -1};
    fidx_err_t err = {0};
    assert_int_equal(fidx__reports_add(st, &in, NOW, id, NULL, &err), FIDX_ELIMIT);
    assert_non_null(err.reason);
    /* A decision makes room. */
    seen_t seen = {0};
    uint64_t next;
    fidx__reports_list(st, FIDX__REPORT_PENDING, 0, 1, collect, &seen, &next);
    fidx__report_decision_t d = {.action = FIDX__REPORT_REJECTED, .by = "a"};
    assert_int_equal(fidx__reports_decide(st, seen.ids[0], FIDX__REPORT_ID_LEN, &d, NOW, &err), 0);
    assert_int_equal(fidx__reports_add(st, &in, NOW, id, NULL, &err), 0);
    fidx__reports_free(st);
}

static void input_is_checked(void **state)
{
    env_t *e = *state;
    char id[FIDX__REPORT_ID_LEN + 1];
    fidx_err_t err = {0};
    fidx__reports_t *st = open_store(e, 10);
    fidx__report_input_t in = {.kind = FIDX_KIND_PHONE,
                               .value = "v",
                               .value_len = 1,
                               .query = "v",
                               .category = FIDX_CAT_COUNT};
    assert_int_equal(fidx__reports_add(st, &in, NOW, id, NULL, &err), FIDX_EINVAL);
    in.category = -1;
    in.kind = FIDX_KIND_NONE;
    assert_int_equal(fidx__reports_add(st, &in, NOW, id, NULL, &err), FIDX_EINVAL);
    in.kind = FIDX_KIND_PHONE;
    in.value_len = 0;
    assert_int_equal(fidx__reports_add(st, &in, NOW, id, NULL, &err), FIDX_EINVAL);
    in.value_len = 1;
    in.description = "";
    in.description_len = FIDX__REPORT_DESCRIPTION_MAX + 1;
    assert_int_equal(fidx__reports_add(st, &in, NOW, id, NULL, &err), FIDX_EINVAL);
    assert_int_equal(pending(st), 0);
    fidx__reports_free(st);
}

static void ids_are_unique(void **state)
{
    env_t *e = *state;
    enum { N = 2000 };
    static char ids[N][FIDX__REPORT_ID_LEN + 1];
    fidx__reports_t *st = open_store(e, N);
    for (int i = 0; i < N; i++)
        add(st, "+84912345678", "", ids[i]);
    qsort(ids, N, sizeof ids[0], (int (*)(const void *, const void *))strcmp);
    for (int i = 1; i < N; i++)
        assert_true(strcmp(ids[i - 1], ids[i]) != 0);
    fidx__reports_free(st);
    st = open_store(e, N);
    assert_int_equal(pending(st), N);
    fidx__reports_free(st);
}

static void unusable_directory_is_an_error(void **state)
{
    env_t *e = *state;
    char path[200];
    fidx__reports_t *st = NULL;
    fidx_err_t err = {0};
    snprintf(path, sizeof path, "%s/file", e->root);
    FILE *f = fopen(path, "w");
    fclose(f);
    assert_int_equal(fidx__reports_open(path, 10, &st, &err), FIDX_EIO);
    assert_null(st);
    assert_non_null(err.reason);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(creates_private_directory_and_file, setup, teardown),
        cmocka_unit_test_setup_teardown(a_report_survives_reopening, setup, teardown),
        cmocka_unit_test_setup_teardown(decisions_are_durable_and_final, setup, teardown),
        cmocka_unit_test_setup_teardown(paging_walks_pending_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(decided_reports_are_bounded_in_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(torn_tail_is_cut_and_corrupt_lines_skipped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(disputes_and_optional_fields_survive, setup, teardown),
        cmocka_unit_test_setup_teardown(older_and_malformed_extras, setup, teardown),
        cmocka_unit_test_setup_teardown(claims_and_bulk_decisions, setup, teardown),
        cmocka_unit_test_setup_teardown(groups_of_the_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(pending_limit_refuses_more, setup, teardown),
        cmocka_unit_test_setup_teardown(input_is_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(ids_are_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(unusable_directory_is_an_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
