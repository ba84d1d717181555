/* POST /v1/admin/indicators, run on libuv's thread pool (admin.h): an upload in any format the
 * indexer reads (CSV, JSON Lines, plain lists, MISP events, STIX 2.1 bundles), row by row.
 *   1. outside the writers' lock: every row read, checked and normalised (the slow part of a
 *      big upload), and encoded as a log record;
 *   2. under it: each row merged with what its value holds now (counted as new, changed or
 *      unchanged), put in the overlay (invisible to lookups so far) and encoded again as the
 *      whole new state; the records and the audit lines (each value's state before and after)
 *      appended to the log's next group;
 *   3. without it: the commit thread makes the group durable, which also makes the rows
 *      visible, and wakes the worker's loop, which only then answers (fidx__admin_job_finish).
 * A dry run (?dry_run=1) stops after counting in step 2: it merges into a map of its own
 * instead of the overlay, so a value given twice counts as the real upload would, and writes
 * nothing — no overlay entry, no log record, no audit line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "admin/admin.h"
#include "admin/audit.h"
#include "base/log.h"

typedef struct {
    fidx__sbuf_t rows; /* parsed rows, encoded as PUT records */
    uint64_t n_rows;
    fidx__sbuf_t rejected; /* JSON objects, comma-separated */
    uint64_t n_rejected;
    uint64_t n_new, n_changed, n_unchanged;
    fidx_indicator_t ind, before, cur;
    fidx__sbuf_t values; /* the audit's {"kind","value","before","after"} of each row */
    size_t *part_end;    /* where each part of FIDX__ADMIN_AUDIT_PART values ends in values */
    size_t n_parts;
    /* A dry run's own view: each value seen, and its state after the rows so far. */
    uint64_t *seen_key; /* 0: an empty slot */
    size_t *seen_off;   /* the state's PUT record in states */
    size_t seen_mask;
    fidx__sbuf_t states;
} add_t;

static void reject(add_t *ad, size_t line, const char *reason)
{
    if (ad->n_rejected++ >= FIDX__ADMIN_MAX_REJECTED)
        return;
    if (ad->rejected.len)
        fidx__sbuf_put(&ad->rejected, ",", 1);
    fidx__sbuf_printf(&ad->rejected, "{\"line\":%zu,\"reason\":", line);
    fidx__sbuf_json_string(&ad->rejected, reason, strlen(reason));
    fidx__sbuf_put(&ad->rejected, "}", 1);
}

/* Step 1: every row read, checked and normalised. -1 (answer set) when the body as a whole
 * cannot be read. */
static int parse_rows(fidx__admin_job_t *j, add_t *ad)
{
    fidx_feed_t *f;
    fidx_err_t err = {0};
    fidx_row_t row;
    if (fidx_feed_new(j->body, j->body_len, j->format, &f, &err) != 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "the body cannot be read as %s: %s",
                 fidx_feed_format_name(j->format), err.reason ? err.reason : "malformed");
        fidx__admin_job_error(j, 400, "bad_request", msg);
        return -1;
    }
    for (;;) {
        memset(&err, 0, sizeof err);
        memset(&row, 0, sizeof row);
        int rc = fidx_feed_next(f, &row, &err);
        if (rc == FIDX_ENOTFOUND)
            break;
        if (rc == 0)
            rc = fidx_row_to_indicator(&row, NULL, &ad->ind, &err);
        if (rc == 0)
            rc = fidx__admin_encode_put(&ad->rows, &ad->ind);
        if (rc == 0)
            ad->n_rows++;
        else if (rc == FIDX_ENOMEM)
            break;
        else
            reject(ad, row.line, err.reason ? err.reason : fidx_strerror(rc));
    }
    fidx_feed_free(f);
    if (ad->rows.failed) {
        fidx__admin_job_error(j, 503, "unavailable", "out of memory reading the rows");
        return -1;
    }
    return 0;
}

/* new, changed (the merge changed its state) or unchanged. */
static void count(add_t *ad, int listed)
{
    if (!listed)
        ad->n_new++;
    else if (fidx__admin_same(&ad->before, &ad->cur))
        ad->n_unchanged++;
    else
        ad->n_changed++;
}

/* ---- the audit lines ---- */

static void audit_value(add_t *ad, int listed)
{
    fidx__sbuf_t *v = &ad->values;
    uint64_t i = ad->n_new + ad->n_changed + ad->n_unchanged - 1; /* this row's number */
    if (i % FIDX__ADMIN_AUDIT_PART == 0 && i) {
        ad->part_end[ad->n_parts++] = v->len;
    }
    fidx__sbuf_puts(v, i % FIDX__ADMIN_AUDIT_PART ? ",{\"kind\":\"" : "{\"kind\":\"");
    fidx__sbuf_puts(v, fidx_kind_name(ad->cur.kind));
    fidx__sbuf_puts(v, "\",\"value\":");
    fidx__sbuf_json_string(v, ad->cur.value, ad->cur.value_len);
    fidx__audit_state(v, "before", listed ? &ad->before : NULL);
    fidx__audit_state(v, "after", &ad->cur);
    fidx__sbuf_put(v, "}", 1);
}

/* The audit lines of an upload of n rows: counts, then every value with its state before and
 * after, FIDX__ADMIN_AUDIT_PART a line (a larger upload writes several, "part" k of "parts"). */
static void audit_add(fidx__admin_job_t *j, add_t *ad, uint64_t n, fidx__sbuf_t *audit)
{
    const char *fmt = fidx_feed_format_name(j->format);
    ad->part_end[ad->n_parts] = ad->values.len;
    size_t parts = ad->n_parts + 1, from = 0;
    for (size_t p = 0; p < parts; p++) {
        fidx__audit_begin(audit, j->now_ms, j->token, fidx__role_name(j->role), "add");
        fidx__audit_str(audit, "format", fmt, strlen(fmt));
        fidx__audit_num(audit, "accepted", n);
        fidx__audit_num(audit, "rejected", ad->n_rejected + (ad->n_rows - n));
        fidx__audit_num(audit, "new", ad->n_new);
        fidx__audit_num(audit, "changed", ad->n_changed);
        fidx__audit_num(audit, "unchanged", ad->n_unchanged);
        fidx__audit_num(audit, "body_bytes", j->body_len);
        if (parts > 1) {
            fidx__audit_num(audit, "part", p + 1);
            fidx__audit_num(audit, "parts", parts);
        }
        fidx__sbuf_puts(audit, ",\"values\":[");
        fidx__sbuf_put(audit, ad->values.p + from, ad->part_end[p] - from);
        fidx__sbuf_put(audit, "]", 1);
        fidx__audit_end(audit);
        from = ad->part_end[p];
    }
}

/* ---- step 2 ---- */

/* Merges, puts and encodes the rows under mu; stops early only when out of memory (what is in
 * the overlay is then exactly what is encoded, so it is logged all the same). */
static uint64_t merge_rows(fidx__admin_t *a, add_t *ad, uint64_t seq, fidx__sbuf_t *recs)
{
    size_t off = 0;
    uint64_t n = 0;
    for (; n < ad->n_rows; n++) {
        size_t blen, before = recs->len;
        unsigned type;
        const char *b = fidx__admin_record_body(ad->rows.p + off, &blen, &type);
        off += 8 + blen;
        if (fidx__admin_decode_put(b, blen, &ad->ind) != 0)
            break;
        int listed = fidx__admin_view_merge(a, &ad->ind, &ad->before, &ad->cur);
        if (fidx__admin_encode_put(recs, &ad->cur) != 0) {
            recs->len = before;
            recs->failed = 0;
            break;
        }
        if (fidx_overlay_put(a->ov, &ad->cur, seq + n) != 0) {
            recs->len = before;
            break;
        }
        count(ad, listed);
        audit_value(ad, listed);
    }
    if (n < ad->n_rows)
        fidx__log(FIDX__LOG_ERROR, "out of memory applying an upload: %llu of %llu rows kept",
                  (unsigned long long)n, (unsigned long long)ad->n_rows);
    return n;
}

/* Step 2 for an upload. Returns the last sequence number to wait for (0: nothing to wait
 * for), or -1 (answer set). */
static int64_t apply_rows(fidx__admin_job_t *j, add_t *ad, uint64_t *applied)
{
    fidx__admin_t *a = j->admin;
    fidx__sbuf_t recs, audit;
    fidx__sbuf_init(&recs, SIZE_MAX / 2);
    fidx__sbuf_init(&audit, SIZE_MAX / 2);
    int64_t last = -1;
    pthread_mutex_lock(&a->mu);
    if (!fidx__admin_job_log_unavailable(j)) {
        uint64_t seq = fidx__wal_next_seq(a->wal);
        uint64_t n = merge_rows(a, ad, seq, &recs);
        *applied = n;
        last = 0;
        if (n) {
            audit_add(j, ad, n, &audit);
            if (!audit.failed && !ad->values.failed &&
                fidx__wal_append(a->wal, recs.p, recs.len, n, audit.p, audit.len) == 0) {
                last = (int64_t)(seq + n - 1);
                a->n_adds++;
            } else {
                if (!fidx__admin_job_log_unavailable(j))
                    fidx__admin_job_error(j, 503, "unavailable", "out of memory");
                last = -1;
            }
        }
    }
    pthread_mutex_unlock(&a->mu);
    fidx__sbuf_free(&recs);
    fidx__sbuf_free(&audit);
    return last;
}

/* ---- a dry run ---- */

static uint64_t value_key(const fidx_indicator_t *ind)
{
    uint64_t k = XXH3_64bits_withSeed(ind->value, ind->value_len, (XXH64_hash_t)ind->kind);
    return k ? k : 1;
}

/* The slot of ind's value in the dry run's map (its state there in *found when set). */
static size_t seen_find(add_t *ad, uint64_t key, const fidx_indicator_t *ind, int *found)
{
    size_t i = key & ad->seen_mask;
    *found = 0;
    for (; ad->seen_key[i]; i = (i + 1) & ad->seen_mask) {
        size_t blen;
        unsigned type;
        if (ad->seen_key[i] != key)
            continue;
        const char *b = fidx__admin_record_body(ad->states.p + ad->seen_off[i], &blen, &type);
        if (fidx__admin_decode_put(b, blen, &ad->before) == 0 && ad->before.kind == ind->kind &&
            ad->before.value_len == ind->value_len &&
            memcmp(ad->before.value, ind->value, ind->value_len) == 0) {
            *found = 1;
            break;
        }
    }
    return i;
}

static int dry_alloc(add_t *ad)
{
    size_t cap = 16;
    while (cap < 2 * ad->n_rows)
        cap *= 2;
    ad->seen_key = calloc(cap, sizeof *ad->seen_key);
    ad->seen_off = malloc(cap * sizeof *ad->seen_off);
    ad->seen_mask = cap - 1;
    fidx__sbuf_init(&ad->states, SIZE_MAX / 2);
    return ad->seen_key && ad->seen_off ? 0 : FIDX_ENOMEM;
}

/* Step 2 of a dry run, under mu: the same merges and counts, into the map alone. */
static int dry_rows(fidx__admin_t *a, add_t *ad)
{
    size_t off = 0;
    for (uint64_t n = 0; n < ad->n_rows; n++) {
        size_t blen;
        unsigned type;
        int seen;
        const char *b = fidx__admin_record_body(ad->rows.p + off, &blen, &type);
        off += 8 + blen;
        if (fidx__admin_decode_put(b, blen, &ad->ind) != 0)
            return FIDX_ECORRUPT;
        uint64_t key = value_key(&ad->ind);
        size_t slot = seen_find(ad, key, &ad->ind, &seen);
        int listed = seen;
        if (seen) {
            memcpy(&ad->cur, &ad->before, sizeof ad->cur);
            fidx_indicator_merge(&ad->cur, &ad->ind);
        } else {
            listed = fidx__admin_view_merge(a, &ad->ind, &ad->before, &ad->cur);
            ad->seen_key[slot] = key;
        }
        ad->seen_off[slot] = ad->states.len;
        if (fidx__admin_encode_put(&ad->states, &ad->cur) != 0)
            return FIDX_ENOMEM;
        count(ad, listed);
    }
    return 0;
}

static int64_t dry_run(fidx__admin_job_t *j, add_t *ad, uint64_t *applied)
{
    fidx__admin_t *a = j->admin;
    if (dry_alloc(ad) != 0) {
        fidx__admin_job_error(j, 503, "unavailable", "out of memory");
        return -1;
    }
    pthread_mutex_lock(&a->mu);
    int rc = dry_rows(a, ad);
    pthread_mutex_unlock(&a->mu);
    if (rc) {
        fidx__admin_job_error(j, 503, "unavailable", "out of memory");
        return -1;
    }
    *applied = ad->n_rows;
    return 0;
}

/* ---- the whole upload ---- */

static void answer(fidx__admin_job_t *j, const add_t *ad, uint64_t applied)
{
    j->http_status = 200;
    fidx__sbuf_printf(&j->out,
                      "{%s\"accepted\":%llu,\"new\":%llu,\"changed\":%llu,\"unchanged\":%llu,"
                      "\"rejected\":[",
                      j->dry_run ? "\"dry_run\":true," : "", (unsigned long long)applied,
                      (unsigned long long)ad->n_new, (unsigned long long)ad->n_changed,
                      (unsigned long long)ad->n_unchanged);
    fidx__sbuf_put(&j->out, ad->rejected.p, ad->rejected.len);
    fidx__sbuf_put(&j->out, "]", 1);
    uint64_t total = ad->n_rejected + (ad->n_rows - applied);
    if (total > FIDX__ADMIN_MAX_REJECTED || applied < ad->n_rows)
        fidx__sbuf_printf(&j->out, ",\"rejected_total\":%llu,\"rejected_listed\":%llu",
                          (unsigned long long)total,
                          (unsigned long long)(ad->n_rejected < FIDX__ADMIN_MAX_REJECTED
                                                   ? ad->n_rejected
                                                   : FIDX__ADMIN_MAX_REJECTED));
    fidx__sbuf_put(&j->out, "}", 1);
}

static void add_free(add_t *ad)
{
    fidx__sbuf_free(&ad->rows);
    fidx__sbuf_free(&ad->rejected);
    fidx__sbuf_free(&ad->values);
    fidx__sbuf_free(&ad->states);
    free(ad->part_end);
    free(ad->seen_key);
    free(ad->seen_off);
    free(ad);
}

void fidx__admin_run_add(fidx__admin_job_t *j)
{
    add_t *ad = calloc(1, sizeof *ad);
    if (!ad) {
        fidx__admin_job_error(j, 503, "unavailable", "out of memory");
        return;
    }
    fidx__sbuf_init(&ad->rows, SIZE_MAX / 2);
    fidx__sbuf_init(&ad->rejected, SIZE_MAX / 2);
    fidx__sbuf_init(&ad->values, SIZE_MAX / 2);
    uint64_t applied = 0;
    int64_t last = -1;
    if (parse_rows(j, ad) == 0) {
        ad->part_end = malloc((ad->n_rows / FIDX__ADMIN_AUDIT_PART + 2) * sizeof *ad->part_end);
        if (!ad->part_end)
            fidx__admin_job_error(j, 503, "unavailable", "out of memory");
        else
            last = j->dry_run ? dry_run(j, ad, &applied) : apply_rows(j, ad, &applied);
    }
    free(j->body); /* the rows are parsed: the upload itself is not needed any more */
    j->body = NULL;
    if (last > 0)
        j->wait_seq = (uint64_t)last; /* answered by the worker once durable */
    if (last >= 0)
        answer(j, ad, applied);
    add_free(ad);
}
