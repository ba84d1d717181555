/* Unit tests for the live overlay (fidx/overlay.h), its part in lookups (fidx_check with an
 * overlay) and compaction (fidx/compact.h): an overlay entry replaces the snapshot's entry of
 * the same value, a delisting hides it, bank entries are found by their digits, changes are
 * invisible until published, compaction gives a snapshot that answers as snapshot + overlay
 * did, and readers running during changes never see freed memory (run under ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "snapshot_fixture.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "fidx/compact.h"
#include "fidx/lookup.h"
#include "fidx/overlay.h"
#include "fidx/snapshot.h"

static char dir[] = "/tmp/fidx-overlay-test-XXXXXX";
static fidx_snapshot_t *snap;
static fidx_result_t res;

static fidx_indicator_t *make(fidx_kind_t kind, const char *value, fidx_status_t status)
{
    static fidx_indicator_t ind;
    fixture_indicator(&ind, kind, value, status, 3);
    return &ind;
}

static void add(fidx_builder_t *b, fidx_kind_t kind, const char *value, fidx_status_t status)
{
    fidx_err_t err;
    assert_int_equal(fidx_builder_add(b, make(kind, value, status), &err), 0);
}

static int setup(void **state)
{
    (void)state;
    fidx_builder_t *b;
    if (!mkdtemp(dir) || fidx_builder_new(&b) != 0)
        return -1;
    add(b, FIDX_KIND_PHONE, "+84912345678", FIDX_STATUS_CONFIRMED);
    add(b, FIDX_KIND_PHONE, "+84987654321", FIDX_STATUS_REPORTED);
    add(b, FIDX_KIND_BANK_ACCOUNT, "*:0123456789", FIDX_STATUS_CONFIRMED);
    add(b, FIDX_KIND_BANK_ACCOUNT, "970436:0123456789", FIDX_STATUS_ALLOWLISTED);
    add(b, FIDX_KIND_DOMAIN, "evil.example", FIDX_STATUS_CONFIRMED);
    add(b, FIDX_KIND_EMAIL, "scam@example.com", FIDX_STATUS_REPORTED);
    return fixture_publish(b, dir, "base.fidx", &snap);
}

static int teardown(void **state)
{
    (void)state;
    fidx_snapshot_release(snap);
    return fixture_rmdir(dir);
}

static fidx_verdict_t check_in(const fidx_snapshot_t *s, const fidx_overlay_t *ov, const char *q)
{
    fidx_err_t err = {0};
    if (fidx_check(s, ov, FIDX_KIND_NONE, NULL, q, strlen(q), &res, &err) != 0)
        fail_msg("'%s' refused: %s", q, err.reason);
    return res.verdict;
}

static void assert_match_value(const char *value)
{
    assert_true(res.has_match);
    assert_int_equal(res.match.value.len, strlen(value));
    assert_memory_equal(res.match.value.p, value, strlen(value));
}

static fidx_overlay_t *new_overlay(void)
{
    fidx_overlay_t *ov;
    assert_int_equal(fidx_overlay_new(4, &ov), 0);
    return ov;
}

static void put(fidx_overlay_t *ov, fidx_kind_t kind, const char *v, fidx_status_t st, uint64_t seq)
{
    assert_int_equal(fidx_overlay_put(ov, make(kind, v, st), seq), 0);
}

/* An empty overlay changes nothing; NULL is the snapshot alone. */
static void test_empty_overlay(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    assert_int_equal(check_in(snap, ov, "0912345678"), FIDX_VERDICT_SCAM);
    assert_int_equal(check_in(snap, NULL, "0912345678"), FIDX_VERDICT_SCAM);
    assert_int_equal(check_in(snap, ov, "0911111111"), FIDX_VERDICT_UNKNOWN);
    fidx_overlay_free(ov);
}

/* Changes are invisible to lookups until published, and visible to writers at once. */
static void test_publish_makes_visible(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    put(ov, FIDX_KIND_PHONE, "+84911111111", FIDX_STATUS_CONFIRMED, 1);
    assert_int_equal(fidx_overlay_get(ov, FIDX_KIND_PHONE, "+84911111111", 12, NULL),
                     FIDX_OVERLAY_LISTED);
    assert_int_equal(check_in(snap, ov, "0911111111"), FIDX_VERDICT_UNKNOWN);
    fidx_overlay_publish(ov, 1);
    assert_int_equal(check_in(snap, ov, "0911111111"), FIDX_VERDICT_SCAM);
    assert_match_value("+84911111111");
    /* A newer version waits for its own publication; the older one answers meanwhile. */
    put(ov, FIDX_KIND_PHONE, "+84911111111", FIDX_STATUS_ALLOWLISTED, 2);
    assert_int_equal(check_in(snap, ov, "0911111111"), FIDX_VERDICT_SCAM);
    fidx_overlay_publish(ov, 2);
    assert_int_equal(check_in(snap, ov, "0911111111"), FIDX_VERDICT_SAFE);
    assert_int_equal(fidx_overlay_visible(ov), 2);
    fidx_overlay_publish(ov, 1); /* never goes back */
    assert_int_equal(fidx_overlay_visible(ov), 2);
    fidx_overlay_free(ov);
}

/* An overlay entry replaces the snapshot's entry of the same value; a delisting hides it. */
static void test_replace_and_delist(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    put(ov, FIDX_KIND_PHONE, "+84912345678", FIDX_STATUS_REPORTED, 1);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_EMAIL, "scam@example.com", 16, 2), 0);
    fidx_overlay_publish(ov, 2);
    assert_int_equal(check_in(snap, ov, "0912 345 678"), FIDX_VERDICT_SUSPICIOUS);
    assert_int_equal(res.match.reports, 3);
    assert_int_equal(res.match.n_sources, 1);
    assert_int_equal(res.match.sources[0].len, 6);
    assert_memory_equal(res.match.sources[0].p, "police", 6);
    assert_int_equal(check_in(snap, ov, "Scam@Example.COM"), FIDX_VERDICT_UNKNOWN);
    assert_false(res.has_match);
    assert_int_equal(check_in(snap, NULL, "Scam@Example.COM"), FIDX_VERDICT_SUSPICIOUS);
    /* Listed again after the delisting. */
    put(ov, FIDX_KIND_EMAIL, "scam@example.com", FIDX_STATUS_CONFIRMED, 3);
    fidx_overlay_publish(ov, 3);
    assert_int_equal(check_in(snap, ov, "scam@example.com"), FIDX_VERDICT_SCAM);
    fidx_overlay_free(ov);
}

/* Bank accounts: BIN:N finds BIN:N and *:N in both layers; a delisting of one bank's entry
 * leaves the others answering; "*:N" finds N at every bank. */
static void test_bank_digits(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    assert_int_equal(check_in(snap, ov, "970436:0123456789"), FIDX_VERDICT_SAFE);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_BANK_ACCOUNT, "970436:0123456789", 17, 1),
                     0);
    fidx_overlay_publish(ov, 1);
    assert_int_equal(check_in(snap, ov, "970436:0123456789"), FIDX_VERDICT_SCAM);
    assert_match_value("*:0123456789");
    put(ov, FIDX_KIND_BANK_ACCOUNT, "970415:0123456789", FIDX_STATUS_ALLOWLISTED, 2);
    fidx_overlay_publish(ov, 2);
    assert_int_equal(check_in(snap, ov, "970415:0123456789"), FIDX_VERDICT_SAFE);
    assert_match_value("970415:0123456789");
    /* "*:N": every bank's entry is equally specific; allowlisted wins the tie. */
    assert_int_equal(check_in(snap, ov, "*:0123456789"), FIDX_VERDICT_SAFE);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_BANK_ACCOUNT, "*:0123456789", 12, 3), 0);
    fidx_overlay_publish(ov, 3);
    assert_int_equal(check_in(snap, ov, "970422:0123456789"), FIDX_VERDICT_UNKNOWN);
    fidx_overlay_free(ov);
}

/* Links: a domain added live answers for URLs on it and its subdomains; the most specific
 * entry still decides across the two layers. */
typedef struct {
    char seen[8][FIDX_CANON_CAP];
    fidx_status_t status[8];
    int n;
} bank_seen_t;

static int note_bank(void *arg, const fidx_indicator_t *ind)
{
    bank_seen_t *b = arg;
    assert_int_equal(ind->kind, FIDX_KIND_BANK_ACCOUNT);
    assert_true(b->n < 8);
    snprintf(b->seen[b->n], FIDX_CANON_CAP, "%s", ind->value);
    b->status[b->n++] = ind->status;
    return 0;
}

/* The status a listed bank value has in b, or -1 when it was not given. */
static int bank_status(const bank_seen_t *b, const char *v)
{
    int found = -1;
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->seen[i], v) == 0) {
            assert_int_equal(found, -1); /* each value once */
            found = (int)b->status[i];
        }
    return found;
}

/* Every bank's listed entry for some digits, as writers see them: the overlay's newest state
 * in place of the snapshot's, delistings hiding, other digits left out. */
static void test_view_bank_each(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    bank_seen_t b = {0};
    const char *d = "0123456789";
    assert_int_equal(fidx_view_bank_each(snap, NULL, d, strlen(d), note_bank, &b), 0);
    assert_int_equal(b.n, 2);
    assert_int_equal(bank_status(&b, "*:0123456789"), FIDX_STATUS_CONFIRMED);
    assert_int_equal(bank_status(&b, "970436:0123456789"), FIDX_STATUS_ALLOWLISTED);
    put(ov, FIDX_KIND_BANK_ACCOUNT, "970422:0123456789", FIDX_STATUS_REPORTED, 1);
    put(ov, FIDX_KIND_BANK_ACCOUNT, "970436:0123456789", FIDX_STATUS_REPORTED, 2);
    put(ov, FIDX_KIND_BANK_ACCOUNT, "970436:01234567890", FIDX_STATUS_REPORTED, 3);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_BANK_ACCOUNT, "*:0123456789", 12, 4), 0);
    memset(&b, 0, sizeof b); /* unpublished changes count: this is the writers' view */
    assert_int_equal(fidx_view_bank_each(snap, ov, d, strlen(d), note_bank, &b), 0);
    assert_int_equal(b.n, 2);
    assert_int_equal(bank_status(&b, "970422:0123456789"), FIDX_STATUS_REPORTED);
    assert_int_equal(bank_status(&b, "970436:0123456789"), FIDX_STATUS_REPORTED);
    assert_int_equal(bank_status(&b, "*:0123456789"), -1);
    memset(&b, 0, sizeof b);
    assert_int_equal(fidx_view_bank_each(NULL, ov, "999", 3, note_bank, &b), 0);
    assert_int_equal(b.n, 0);
    fidx_overlay_free(ov);
}

static void test_url_and_domain(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    put(ov, FIDX_KIND_DOMAIN, "bad.example", FIDX_STATUS_CONFIRMED, 1);
    put(ov, FIDX_KIND_URL, "evil.example/ok/", FIDX_STATUS_ALLOWLISTED, 2);
    fidx_overlay_publish(ov, 2);
    assert_int_equal(check_in(snap, ov, "https://a.bad.example/x"), FIDX_VERDICT_SCAM);
    assert_match_value("bad.example");
    assert_int_equal(check_in(snap, ov, "https://evil.example/ok/page"), FIDX_VERDICT_SAFE);
    assert_int_equal(check_in(snap, ov, "https://evil.example/other"), FIDX_VERDICT_SCAM);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_DOMAIN, "evil.example", 12, 3), 0);
    fidx_overlay_publish(ov, 3);
    assert_int_equal(check_in(snap, ov, "https://evil.example/other"), FIDX_VERDICT_UNKNOWN);
    fidx_overlay_free(ov);
}

/* The writers' view merges like the builder: overlay first, else the snapshot. */
static void test_view_get(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    fidx_indicator_t *got = malloc(sizeof *got);
    assert_int_equal(fidx_view_get(snap, ov, FIDX_KIND_PHONE, "+84912345678", 12, got), 0);
    assert_int_equal(got->status, FIDX_STATUS_CONFIRMED);
    assert_int_equal(fidx_view_get(snap, ov, FIDX_KIND_PHONE, "+84900000000", 12, got),
                     FIDX_ENOTFOUND);
    assert_int_equal(fidx_view_get(snap, ov, FIDX_KIND_BANK_ACCOUNT, "970436:0123456789", 17, got),
                     0);
    assert_int_equal(got->status, FIDX_STATUS_ALLOWLISTED);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_PHONE, "+84912345678", 12, 1), 0);
    assert_int_equal(fidx_view_get(snap, ov, FIDX_KIND_PHONE, "+84912345678", 12, got),
                     FIDX_ENOTFOUND);
    fidx_indicator_t *ind = make(FIDX_KIND_DOMAIN, "new.example", FIDX_STATUS_REPORTED);
    strcpy(ind->note, "seen in a group");
    ind->note_len = strlen(ind->note);
    ind->n_sources = 2;
    strcpy(ind->sources[1], "telco");
    assert_int_equal(fidx_overlay_put(ov, ind, 2), 0);
    assert_int_equal(fidx_view_get(NULL, ov, FIDX_KIND_DOMAIN, "new.example", 11, got), 0);
    assert_string_equal(got->value, "new.example");
    assert_string_equal(got->note, "seen in a group");
    assert_int_equal(got->n_sources, 2);
    assert_string_equal(got->sources[1], "telco");
    assert_int_equal(got->reports, 3);
    free(got);
    fidx_overlay_free(ov);
}

/* A live entry's public label is kept beside its note and answered in the match; the note
 * never is. */
static void test_labels(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    fidx_indicator_t *got = malloc(sizeof *got);
    fidx_indicator_t *ind = make(FIDX_KIND_PHONE, "+84911112222", FIDX_STATUS_ALLOWLISTED);
    strcpy(ind->note, "checked by phone");
    ind->note_len = strlen(ind->note);
    strcpy(ind->label, "Ngân hàng X — tổng đài");
    ind->label_len = strlen(ind->label);
    assert_int_equal(fidx_overlay_put(ov, ind, 1), 0);
    fidx_overlay_publish(ov, 1);
    assert_int_equal(check_in(snap, ov, "0911 112 222"), FIDX_VERDICT_SAFE);
    assert_int_equal(res.match.label.len, strlen("Ngân hàng X — tổng đài"));
    assert_memory_equal(res.match.label.p, "Ngân hàng X — tổng đài", res.match.label.len);
    assert_int_equal(fidx_view_get(snap, ov, FIDX_KIND_PHONE, "+84911112222", 12, got), 0);
    assert_string_equal(got->label, "Ngân hàng X — tổng đài");
    assert_string_equal(got->note, "checked by phone");
    /* A snapshot entry has none; an overlong label is refused. */
    assert_int_equal(check_in(snap, ov, "0912345678"), FIDX_VERDICT_SCAM);
    assert_int_equal(res.match.label.len, 0);
    ind->label_len = FIDX_MAX_LABEL_LEN + 1;
    assert_int_equal(fidx_overlay_put(ov, ind, 2), FIDX_EINVAL);
    free(got);
    fidx_overlay_free(ov);
}

/* allow_seq follows the changes that can change the allowlisted sites, and only those. */
static void test_allow_seq(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    assert_int_equal(fidx_overlay_allow_seq(ov), 0);
    put(ov, FIDX_KIND_DOMAIN, "scam.example", FIDX_STATUS_CONFIRMED, 1);
    put(ov, FIDX_KIND_PHONE, "+84911111111", FIDX_STATUS_ALLOWLISTED, 2);
    assert_int_equal(fidx_overlay_allow_seq(ov), 0);
    put(ov, FIDX_KIND_DOMAIN, "bank.example", FIDX_STATUS_ALLOWLISTED, 3);
    assert_int_equal(fidx_overlay_allow_seq(ov), 3);
    put(ov, FIDX_KIND_URL, "other.example/x", FIDX_STATUS_REPORTED, 4);
    assert_int_equal(fidx_overlay_allow_seq(ov), 3);
    put(ov, FIDX_KIND_URL, "site.example/", FIDX_STATUS_ALLOWLISTED, 5);
    assert_int_equal(fidx_overlay_allow_seq(ov), 5);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_DOMAIN, "gone.example", 12, 6), 0);
    assert_int_equal(fidx_overlay_allow_seq(ov), 6);
    put(ov, FIDX_KIND_DOMAIN, "scam.example", FIDX_STATUS_REPORTED, 7);
    assert_int_equal(fidx_overlay_allow_seq(ov), 6);
    fidx_overlay_free(ov);
}

/* Bad changes are refused: sequence numbers must grow, kinds and values must be sound. */
static void test_refusals(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    fidx_overlay_reader_t *r;
    put(ov, FIDX_KIND_PHONE, "+84911111111", FIDX_STATUS_CONFIRMED, 5);
    assert_int_equal(fidx_overlay_put(ov, make(FIDX_KIND_PHONE, "+84922222222", 0), 5),
                     FIDX_EINVAL);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_NONE, "x", 1, 6), FIDX_EINVAL);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_EMAIL, "", 0, 6), FIDX_EINVAL);
    assert_int_equal(fidx_overlay_last_seq(ov), 5);
    for (int i = 0; i < 4; i++)
        assert_int_equal(fidx_overlay_reader_add(ov, &r), 0);
    assert_int_equal(fidx_overlay_reader_add(ov, &r), FIDX_ELIMIT);
    fidx_overlay_t *bad;
    assert_int_equal(fidx_overlay_new(0, &bad), FIDX_EINVAL);
    fidx_overlay_free(ov);
}

/* Many values: the table grows and every value stays findable, old tables are freed. */
static void test_growth(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    char v[32];
    for (unsigned i = 0; i < 20000; i++) {
        snprintf(v, sizeof v, "+8491%07u", i);
        put(ov, FIDX_KIND_PHONE, v, i % 2 ? FIDX_STATUS_CONFIRMED : FIDX_STATUS_REPORTED, i + 1);
    }
    fidx_overlay_publish(ov, 20000);
    fidx_overlay_reclaim(ov);
    fidx_overlay_stats_t st;
    fidx_overlay_stats(ov, &st);
    assert_int_equal(st.values, 20000);
    assert_int_equal(st.retired, 0);
    for (unsigned i = 0; i < 20000; i += 997) {
        snprintf(v, sizeof v, "091%07u", i);
        assert_int_equal(check_in(snap, ov, v),
                         i % 2 ? FIDX_VERDICT_SCAM : FIDX_VERDICT_SUSPICIOUS);
    }
    fidx_overlay_free(ov);
}

/* A reader that is online holds back the freeing of what it may still see; offline, it does
 * not. */
static void test_reclaim_waits_for_readers(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    fidx_overlay_reader_t *r;
    fidx_overlay_stats_t st;
    assert_int_equal(fidx_overlay_reader_add(ov, &r), 0);
    put(ov, FIDX_KIND_EMAIL, "a@b.example", FIDX_STATUS_REPORTED, 1);
    fidx_overlay_publish(ov, 1);
    fidx_overlay_online(r);
    assert_true(fidx_overlay_is_online(r));
    put(ov, FIDX_KIND_EMAIL, "a@b.example", FIDX_STATUS_CONFIRMED, 2);
    fidx_overlay_reclaim(ov);
    fidx_overlay_stats(ov, &st);
    assert_int_equal(st.retired, 1); /* not visible yet: still the answer */
    fidx_overlay_publish(ov, 2);
    fidx_overlay_reclaim(ov);
    fidx_overlay_stats(ov, &st);
    assert_int_equal(st.retired, 1); /* visible, but the reader may hold the old version */
    fidx_overlay_online(r);          /* a quiescent point */
    fidx_overlay_reclaim(ov);
    fidx_overlay_stats(ov, &st);
    assert_int_equal(st.retired, 0);
    put(ov, FIDX_KIND_EMAIL, "a@b.example", FIDX_STATUS_ALLOWLISTED, 3);
    fidx_overlay_publish(ov, 3);
    fidx_overlay_offline(r);
    assert_false(fidx_overlay_is_online(r));
    fidx_overlay_reclaim(ov);
    fidx_overlay_stats(ov, &st);
    assert_int_equal(st.retired, 0);
    assert_int_equal(st.listed, 1);
    fidx_overlay_free(ov);
}

static int count_one(void *arg, const fidx_indicator_t *ind, int delisted)
{
    int *n = arg;
    (void)ind;
    n[delisted ? 1 : 0]++;
    return 0;
}

/* Iteration sees each value's newest change up to a sequence number. */
static void test_each(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    put(ov, FIDX_KIND_PHONE, "+84911111111", FIDX_STATUS_CONFIRMED, 1);
    put(ov, FIDX_KIND_PHONE, "+84922222222", FIDX_STATUS_CONFIRMED, 2);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_PHONE, "+84911111111", 12, 3), 0);
    int n[2] = {0, 0};
    assert_int_equal(fidx_overlay_each(ov, 2, count_one, n), 0);
    assert_int_equal(n[0], 2);
    assert_int_equal(n[1], 0);
    n[0] = n[1] = 0;
    assert_int_equal(fidx_overlay_each(ov, 3, count_one, n), 0);
    assert_int_equal(n[0], 1);
    assert_int_equal(n[1], 1);
    fidx_overlay_free(ov);
}

static const char *const queries[] = {
    "0912345678",        "0987654321",           "0911111111",
    "970436:0123456789", "*:0123456789",         "https://evil.example/x",
    "scam@example.com",  "https://new.example/", "0922222222",
};

/* Compaction: snapshot + overlay folded into a new snapshot answers every query as before;
 * after dropping the folded changes, snapshot + overlay still do. */
static void test_compaction(void **state)
{
    (void)state;
    fidx_overlay_t *ov = new_overlay();
    put(ov, FIDX_KIND_PHONE, "+84911111111", FIDX_STATUS_CONFIRMED, 1);
    put(ov, FIDX_KIND_PHONE, "+84912345678", FIDX_STATUS_ALLOWLISTED, 2);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_EMAIL, "scam@example.com", 16, 3), 0);
    assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_BANK_ACCOUNT, "970436:0123456789", 17, 4),
                     0);
    put(ov, FIDX_KIND_DOMAIN, "new.example", FIDX_STATUS_REPORTED, 5);
    /* Made after the compaction began: kept in the overlay. */
    put(ov, FIDX_KIND_PHONE, "+84922222222", FIDX_STATUS_REPORTED, 6);
    fidx_overlay_publish(ov, 6);
    fidx_verdict_t before[sizeof queries / sizeof queries[0]];
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        before[i] = check_in(snap, ov, queries[i]);

    fidx_builder_t *b;
    fidx_err_t err = {0};
    uint64_t applied;
    char path[300];
    fidx_snapshot_t *s2;
    assert_int_equal(fidx_builder_new(&b), 0);
    assert_int_equal(fidx_builder_add_snapshot(b, snap, NULL, NULL, &err), 0);
    assert_int_equal(fidx_builder_apply_overlay(b, ov, 5, NULL, NULL, &applied, &err), 0);
    assert_int_equal(applied, 5);
    snprintf(path, sizeof path, "%s/compacted.fidx", dir);
    assert_int_equal(fidx_builder_write(b, path, 1, &err), 0);
    fidx_builder_free(b);
    assert_int_equal(fidx_snapshot_open(path, 0, &s2, &err), 0);
    assert_int_equal(fidx_snapshot_verify(s2, &err), 0);
    assert_int_equal(fidx_overlay_drop_through(ov, 5), 0);
    fidx_overlay_reclaim(ov);
    fidx_overlay_stats_t st;
    fidx_overlay_stats(ov, &st);
    assert_int_equal(st.values, 1);
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        assert_int_equal(check_in(s2, ov, queries[i]), before[i]);
    assert_int_equal(check_in(s2, NULL, "0922222222"), FIDX_VERDICT_UNKNOWN);
    assert_int_equal(check_in(s2, ov, "0912345678"), FIDX_VERDICT_SAFE);
    fidx_snapshot_release(s2);
    fidx_overlay_free(ov);
}

/* Readers doing lookups in a loop while a writer changes, publishes, grows, drops and
 * reclaims: no lookup may see freed memory (ASan) or a value that was never written. */
typedef struct {
    fidx_overlay_t *ov;
    fidx_overlay_reader_t *r;
    atomic_int stop;
    atomic_long lookups;
    long bad;
} stress_t;

static void *stress_reader(void *arg)
{
    stress_t *st = arg;
    fidx_result_t *rr = malloc(sizeof *rr);
    char q[32];
    unsigned i = 0;
    while (!atomic_load(&st->stop)) {
        fidx_err_t err = {0};
        fidx_overlay_online(st->r);
        snprintf(q, sizeof q, "0913%06u", i++ % 3000);
        if (fidx_check(snap, st->ov, FIDX_KIND_PHONE, NULL, q, strlen(q), rr, &err) != 0)
            st->bad++;
        else if (rr->has_match && (rr->match.value.len != 12 || rr->match.reports != 3))
            st->bad++;
        st->lookups++;
        if (i % 64 == 0)
            fidx_overlay_offline(st->r);
    }
    fidx_overlay_offline(st->r);
    free(rr);
    return NULL;
}

static void test_concurrent_readers(void **state)
{
    (void)state;
    enum { READERS = 3 };
    fidx_overlay_t *ov;
    stress_t st[READERS];
    pthread_t th[READERS];
    assert_int_equal(fidx_overlay_new(READERS, &ov), 0);
    for (int i = 0; i < READERS; i++) {
        memset(&st[i], 0, sizeof st[i]);
        st[i].ov = ov;
        assert_int_equal(fidx_overlay_reader_add(ov, &st[i].r), 0);
        assert_int_equal(pthread_create(&th[i], NULL, stress_reader, &st[i]), 0);
    }
    char v[32];
    uint64_t seq = 0;
    for (unsigned round = 0; round < 40; round++) {
        for (unsigned i = 0; i < 3000; i += 1 + round % 7) {
            snprintf(v, sizeof v, "+84913%06u", i);
            if ((i + round) % 5 == 0)
                assert_int_equal(fidx_overlay_delist(ov, FIDX_KIND_PHONE, v, 12, ++seq), 0);
            else
                put(ov, FIDX_KIND_PHONE, v, (fidx_status_t)((i + round) % 3), ++seq);
            if (seq % 101 == 0)
                fidx_overlay_publish(ov, seq);
        }
        fidx_overlay_publish(ov, seq);
        if (round % 10 == 9)
            assert_int_equal(fidx_overlay_drop_through(ov, seq - 500), 0);
        fidx_overlay_reclaim(ov);
    }
    /* On a loaded machine a reader may not have run yet: let each do some lookups first
     * (counting is what matters here, not timing). */
    for (int i = 0; i < READERS; i++)
        while (atomic_load(&st[i].lookups) < 100)
            sched_yield();
    for (int i = 0; i < READERS; i++)
        atomic_store(&st[i].stop, 1);
    for (int i = 0; i < READERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(st[i].bad, 0);
        assert_true(st[i].lookups > 0);
    }
    fidx_overlay_reclaim(ov);
    fidx_overlay_stats_t s;
    fidx_overlay_stats(ov, &s);
    assert_int_equal(s.retired, 0);
    fidx_overlay_free(ov);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_overlay),
        cmocka_unit_test(test_publish_makes_visible),
        cmocka_unit_test(test_replace_and_delist),
        cmocka_unit_test(test_bank_digits),
        cmocka_unit_test(test_view_bank_each),
        cmocka_unit_test(test_url_and_domain),
        cmocka_unit_test(test_view_get),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_allow_seq),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_reclaim_waits_for_readers),
        cmocka_unit_test(test_each),
        cmocka_unit_test(test_compaction),
        cmocka_unit_test(test_concurrent_readers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
