/* The analysts' reads that need the disk, run on libuv's thread pool like the changes:
 *   - GET /v1/admin/indicators?q=VALUE: every stored entry the value stands for (one, or for a
 *     bank account without its bank every bank's), each in full, where it came from, its
 *     history (the audit lines that name it, newest first, found through the audit index and
 *     read with preads) and its citizens' reports; a value no longer listed is answered too
 *     when it has a history (it was delisted);
 *   - GET /v1/admin/audit: a page of the audit log, filtered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/admin.h"
#include "admin/audit.h"
#include "admin/audit_read.h"

#define SEARCH_MAX 64   /* entries one search answers */
#define HISTORY_MAX 256 /* changes listed per entry (the index keeps no more) */
#define REPORTS_MAX 100 /* reports listed per entry */

typedef struct {
    fidx_kind_t kind;
    char *value;
    size_t len;
    int listed;
    fidx__sbuf_t entry; /* its state as JSON, when listed */
} cand_t;

typedef struct {
    cand_t c[SEARCH_MAX];
    size_t n;
    int truncated; /* more entries than SEARCH_MAX */
} found_t;

static cand_t *find_cand(found_t *f, fidx_kind_t kind, const char *v, size_t len)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->c[i].kind == kind && f->c[i].len == len && memcmp(f->c[i].value, v, len) == 0)
            return &f->c[i];
    return NULL;
}

/* Adds (kind, v) unless it is there; NULL when full (or out of memory). */
static cand_t *add_cand(found_t *f, fidx_kind_t kind, const char *v, size_t len)
{
    cand_t *c = find_cand(f, kind, v, len);
    if (c)
        return c;
    if (f->n == SEARCH_MAX) {
        f->truncated = 1;
        return NULL;
    }
    c = &f->c[f->n];
    if (!(c->value = malloc(len + 1)))
        return NULL;
    memcpy(c->value, v, len);
    c->value[len] = '\0';
    c->len = len;
    c->kind = kind;
    fidx__sbuf_init(&c->entry, SIZE_MAX / 2);
    f->n++;
    return c;
}

/* The entry in full: its state as the audit log writes it, and the analysts' note. */
static void entry_json(fidx__sbuf_t *out, const fidx_indicator_t *ind)
{
    fidx__audit_state_object(out, ind);
    if (out->failed)
        return;
    out->len--; /* its closing brace: the note goes in */
    fidx__sbuf_puts(out, ",\"note\":");
    fidx__sbuf_json_string(out, ind->note, ind->note_len);
    fidx__sbuf_puts(out, "}");
}

/* A listed entry the value matches (under mu). */
static int found_listed(void *arg, const fidx_indicator_t *ind)
{
    cand_t *c = add_cand(arg, ind->kind, ind->value, ind->value_len);
    if (c) {
        c->listed = 1;
        entry_json(&c->entry, ind);
    }
    return 0;
}

typedef struct {
    found_t *f;
    const char *digits;
    size_t len;
} bank_hist_t;

/* A bank value an audit line names, with the digits searched for: a candidate. */
static int found_in_line(void *arg, fidx_kind_t kind, const char *v, size_t len)
{
    bank_hist_t *b = arg;
    const char *colon = memchr(v, ':', len);
    if (kind == FIDX_KIND_BANK_ACCOUNT && colon && len - (size_t)(colon - v) - 1 == b->len &&
        memcmp(colon + 1, b->digits, b->len) == 0)
        add_cand(b->f, kind, v, len);
    return 0;
}

/* For `*:N`: the bank values of N that the audit log names (delisted ones among them). */
static void bank_history(fidx__admin_t *a, const char *v, size_t len, found_t *f)
{
    fidx__audit_loc_t *locs = malloc(FIDX__AUDIT_INDEX_PER_VALUE * sizeof *locs);
    int truncated;
    if (!locs)
        return;
    size_t n = fidx__audit_index_find(a->audit_ix, FIDX_KIND_BANK_ACCOUNT, v, len, locs,
                                      FIDX__AUDIT_INDEX_PER_VALUE, &truncated);
    bank_hist_t b = {f, v + 2, len - 2};
    for (size_t i = 0; i < n; i++) {
        char *line = malloc(locs[i].len);
        if (line &&
            pread(a->audit_rfd, line, locs[i].len, (off_t)locs[i].off) == (ssize_t)locs[i].len)
            (void)fidx__audit_line_values(line, locs[i].len, found_in_line, &b);
        free(line);
    }
    free(locs);
}

/* The entries to answer: what is listed, the value itself, and for a bank account the other
 * form a lookup matches (*:N for BIN:N) or, for *:N, every bank's value the log names. */
static void collect(fidx__admin_job_t *j, found_t *f)
{
    fidx__admin_t *a = j->admin;
    pthread_mutex_lock(&a->mu);
    int rc = fidx__admin_view_matches(a, j->kind, j->value, j->value_len, found_listed, f);
    pthread_mutex_unlock(&a->mu);
    (void)rc; /* out of memory: fewer entries */
    add_cand(f, j->kind, j->value, j->value_len);
    const char *colon =
        j->kind == FIDX_KIND_BANK_ACCOUNT ? memchr(j->value, ':', j->value_len) : NULL;
    if (!colon)
        return;
    if (colon == j->value + 1 && j->value[0] == '*') {
        bank_history(a, j->value, j->value_len, f);
        return;
    }
    char any[FIDX_CANON_CAP];
    size_t dl = j->value_len - (size_t)(colon - j->value) - 1;
    snprintf(any, sizeof any, "*:%.*s", (int)dl, colon + 1);
    add_cand(f, j->kind, any, dl + 2);
}

static int stop_at_first(const fidx__report_t *r, void *ctx)
{
    (void)r;
    (void)ctx;
    return 1;
}

/* The value of a report of c: the canonical one asked for when c is the value asked for (a
 * URL's report keeps the canonical URL, its entry the URL's expression), else c's own. */
static void report_value(const fidx__admin_job_t *j, const cand_t *c, const char **v, size_t *len)
{
    int asked = c->len == j->value_len && memcmp(c->value, j->value, c->len) == 0;
    *v = asked ? j->canonical : c->value;
    *len = asked ? j->canonical_len : c->len;
}

/* Whether there is anything to say of a value that is not listed: a change, or a report. */
static int worth_answering(fidx__admin_job_t *j, const cand_t *c)
{
    fidx__audit_loc_t loc;
    int truncated;
    const char *v;
    size_t len;
    if (c->listed)
        return 1;
    if (fidx__audit_index_find(j->admin->audit_ix, c->kind, c->value, c->len, &loc, 1,
                               &truncated)) {
        if (c->kind != FIDX_KIND_BANK_ACCOUNT || c->value[0] != '*')
            return 1;
        /* "*:N" is also where every bank's lines for N are filed: are any its own? */
        fidx__sbuf_t h;
        char set_by[16];
        fidx__sbuf_init(&h, SIZE_MAX / 2);
        size_t own =
            fidx__audit_history(j->admin->audit_ix, j->admin->audit_rfd, c->kind, c->value, c->len,
                                FIDX__AUDIT_INDEX_PER_VALUE, &h, &truncated, set_by);
        fidx__sbuf_free(&h);
        if (own)
            return 1;
    }
    report_value(j, c, &v, &len);
    return j->admin->svc->reports && fidx__reports_of_value(j->admin->svc->reports, c->kind, v, len,
                                                            0, stop_at_first, NULL) > 0;
}

static int report_one(const fidx__report_t *r, void *ctx)
{
    fidx__sbuf_t *out = ctx;
    if (out->len > 1)
        fidx__sbuf_put(out, ",", 1);
    fidx__report_json(out, r);
    return 0;
}

/* Where a listed entry came from: the newest change that listed it, else the snapshot. */
static const char *origin(const cand_t *c, const char *set_by)
{
    if (!c->listed)
        return NULL;
    if (strcmp(set_by, "add") == 0)
        return "load";
    if (strcmp(set_by, "approve") == 0)
        return "review";
    return "snapshot";
}

static void cand_json(fidx__admin_job_t *j, const cand_t *c, fidx__sbuf_t *out)
{
    fidx__admin_t *a = j->admin;
    char set_by[16];
    int truncated;
    fidx__sbuf_printf(out, "{\"kind\":\"%s\",\"value\":", fidx_kind_name(c->kind));
    fidx__sbuf_json_string(out, c->value, c->len);
    fidx__sbuf_printf(out, ",\"listed\":%s,\"entry\":", c->listed ? "true" : "false");
    if (c->listed)
        fidx__sbuf_put(out, c->entry.p, c->entry.len);
    else
        fidx__sbuf_puts(out, "null");
    fidx__sbuf_puts(out, ",\"history\":");
    fidx__audit_history(a->audit_ix, a->audit_rfd, c->kind, c->value, c->len, HISTORY_MAX, out,
                        &truncated, set_by);
    const char *from = origin(c, set_by);
    fidx__sbuf_printf(out, ",\"history_truncated\":%s,\"origin\":", truncated ? "true" : "false");
    if (from)
        fidx__sbuf_printf(out, "\"%s\"", from);
    else
        fidx__sbuf_puts(out, "null");
    const char *rv;
    size_t rlen;
    report_value(j, c, &rv, &rlen);
    fidx__sbuf_t reports;
    fidx__sbuf_init(&reports, SIZE_MAX / 2);
    fidx__sbuf_put(&reports, "[", 1);
    if (a->svc->reports)
        fidx__reports_of_value(a->svc->reports, c->kind, rv, rlen, 0, report_one, &reports);
    fidx__sbuf_puts(&reports, "]");
    fidx__sbuf_puts(out, ",\"reports\":");
    fidx__sbuf_put(out, reports.p, reports.len);
    fidx__sbuf_free(&reports);
    fidx__sbuf_puts(out, "}");
}

void fidx__admin_run_search(fidx__admin_job_t *j)
{
    found_t *f = calloc(1, sizeof *f);
    if (!f || !j->admin->audit_ix) {
        free(f);
        fidx__admin_job_error(j, 503, "unavailable", f ? "out of memory" : "no audit log here");
        return;
    }
    collect(j, f);
    fidx__sbuf_t *out = &j->out;
    fidx__sbuf_puts(out, "{\"query\":");
    fidx__sbuf_json_string(out, j->query, j->query_len);
    fidx__sbuf_printf(out, ",\"kind\":\"%s\",\"canonical\":", fidx_kind_name(j->kind));
    fidx__sbuf_json_string(out, j->canonical, j->canonical_len);
    fidx__sbuf_puts(out, ",\"entries\":[");
    size_t shown = 0;
    for (size_t i = 0; i < f->n; i++) {
        const cand_t *c = &f->c[i];
        if (!worth_answering(j, c))
            continue;
        fidx__sbuf_puts(out, shown++ ? "," : "");
        cand_json(j, c, out);
    }
    fidx__sbuf_printf(out, "],\"truncated\":%s}", f->truncated ? "true" : "false");
    j->http_status = 200;
    for (size_t i = 0; i < f->n; i++) {
        free(f->c[i].value);
        fidx__sbuf_free(&f->c[i].entry);
    }
    free(f);
}

/* ---- GET /v1/admin/audit ---- */

void fidx__admin_run_audit(fidx__admin_job_t *j)
{
    fidx__admin_t *a = j->admin;
    uint64_t next = 0;
    fidx__audit_filter_t f = {.since = j->since,
                              .who = j->who,
                              .action = j->what,
                              .has_value = j->has_value,
                              .kind = j->kind,
                              .value = j->value,
                              .value_len = j->value_len,
                              .brief = j->brief};
    if (!a->audit_ix) {
        fidx__admin_job_error(j, 503, "unavailable", "no audit log here");
        return;
    }
    fidx__sbuf_puts(&j->out, "{\"lines\":[");
    if (fidx__audit_page(a->audit_ix, a->audit_rfd, &f, j->after, j->limit, &j->out, &next) != 0) {
        fidx__admin_job_error(j, 500, "internal", "the audit log cannot be read");
        return;
    }
    fidx__sbuf_puts(&j->out, "],\"next\":");
    if (next)
        fidx__sbuf_printf(&j->out, "\"%llu\"}", (unsigned long long)next);
    else
        fidx__sbuf_puts(&j->out, "null}");
    j->http_status = 200;
}
