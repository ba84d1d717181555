/* The durable store of citizens' reports (see reports.h for the file format and guarantees).
 *
 * Memory: the reports of the file are held in an array in file order with their strings, and
 * an open-addressing index maps ids to positions. Every pending report is held (at most
 * max_pending), and of the decided ones the newest max_pending: past twice that, the oldest
 * decided reports are dropped from memory in one pass (amortised O(1) per decision), so memory
 * stays bounded however long the service runs. A dropped report stays in the file, which is
 * the record; the store answers "not found" for it. seq numbers every report line of the file
 * from 1 and survives the dropping, so paging cursors stay valid. Writes go through one
 * O_APPEND descriptor: one write(2) per line, then fdatasync; a failed write or sync is undone
 * with ftruncate to the size before it, so the file never keeps half a line that the next
 * append would glue onto. */
#include "reports/reports.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <xxhash.h>

#include "base/dirs.h"
#include "fidx/durable.h"
#include "fidx/indicator.h"
#include "fidx/str.h"
#include "reports/report_groups.h"

#define FILE_NAME "reports.jsonl"
#define LINE_MAX_BYTES (256 * 1024) /* longer lines are not ours: skipped at replay */
/* The key of the senders' network hashes: random, kept beside the reports, so that the same
 * network hashes alike after a restart and the file alone does not give addresses away. */
#define NET_SALT_FILE "reports.salt"

typedef struct {
    char id[FIDX__REPORT_ID_LEN + 1];
    uint64_t seq;
    int64_t created, decided, amount_vnd;
    uint64_t net, wide; /* salted hashes of the sender's /64 and /48; 0: unknown */
    uint64_t vhash;     /* of kind and value: a walk by value compares this first */
    int8_t kind, category, channel;
    uint8_t state, has_status, status, type, claimed;
    uint16_t categories, date;
    size_t value_len, query_len, description_len, contact_len;
    char *value, *query, *description, *contact, *decided_by, *reason;
    char *reporter; /* the API key's name it came with; NULL: anonymous */
} rec_t;

struct fidx__reports {
    pthread_mutex_t lock;
    int fd;
    off_t size; /* of the file, as far as this store wrote or read it */
    rec_t *recs;
    size_t n, cap;
    uint32_t *index; /* rec position + 1, 0 for an empty slot; index_cap is a power of two */
    size_t index_cap;
    size_t max_pending, pending, approved, rejected, skipped; /* counts of the whole file */
    size_t pending_disputes;
    size_t decided_held;                             /* decided reports in memory */
    uint64_t run_approved, run_rejected, run_upheld; /* decisions since the store opened */
    fidx__groups_t *groups;                          /* the pending reports by value */
    uint64_t last_seq;
    uint16_t counter;
    size_t max_per_net;
    uint64_t salt[2]; /* keys the networks' hashes (the file NET_SALT_FILE) */
};

/* ---- small helpers ---- */

static char *dup_n(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static void rec_dispose(rec_t *r)
{
    free(r->value);
    free(r->query);
    free(r->description);
    free(r->contact);
    free(r->reporter);
    free(r->decided_by);
    free(r->reason);
}

static uint64_t hash_id(const char *id, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)id[i]) * 1099511628211ull;
    return h;
}

static rec_t *find(fidx__reports_t *st, const char *id, size_t len)
{
    if (len != FIDX__REPORT_ID_LEN || !st->index_cap)
        return NULL;
    size_t mask = st->index_cap - 1;
    for (size_t i = hash_id(id, len) & mask;; i = (i + 1) & mask) {
        uint32_t slot = st->index[i];
        if (!slot)
            return NULL;
        if (memcmp(st->recs[slot - 1].id, id, len) == 0)
            return &st->recs[slot - 1];
    }
}

static void index_put(fidx__reports_t *st, size_t pos)
{
    size_t mask = st->index_cap - 1;
    size_t i = hash_id(st->recs[pos].id, FIDX__REPORT_ID_LEN) & mask;
    while (st->index[i])
        i = (i + 1) & mask;
    st->index[i] = (uint32_t)(pos + 1);
}

/* Room for one more report: the array, and an index kept at most half full. */
static int grow(fidx__reports_t *st)
{
    if (st->n >= UINT32_MAX - 1)
        return FIDX_ELIMIT;
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 256;
        rec_t *r = realloc(st->recs, cap * sizeof *r);
        if (!r)
            return FIDX_ENOMEM;
        st->recs = r;
        st->cap = cap;
    }
    if ((st->n + 1) * 2 > st->index_cap) {
        size_t cap = st->index_cap ? st->index_cap * 2 : 512;
        uint32_t *ix = calloc(cap, sizeof *ix);
        if (!ix)
            return FIDX_ENOMEM;
        free(st->index);
        st->index = ix;
        st->index_cap = cap;
        for (size_t i = 0; i < st->n; i++)
            index_put(st, i);
    }
    return 0;
}

static void count_state(fidx__reports_t *st, const rec_t *r, int delta)
{
    size_t *c = r->state == FIDX__REPORT_PENDING    ? &st->pending
                : r->state == FIDX__REPORT_APPROVED ? &st->approved
                                                    : &st->rejected;
    *c = delta > 0 ? *c + 1 : *c - 1;
    if (r->state == FIDX__REPORT_PENDING && r->type == FIDX__REPORT_DISPUTE)
        st->pending_disputes = delta > 0 ? st->pending_disputes + 1 : st->pending_disputes - 1;
}

/* A pending report r (numbered already) joins its value's group, or leaves it. */
static int group_join(fidx__reports_t *st, const rec_t *r)
{
    return fidx__groups_add(st->groups, (fidx_kind_t)r->kind, r->value, r->value_len, r->seq,
                            r->type == FIDX__REPORT_DISPUTE);
}

static void group_leave(fidx__reports_t *st, const rec_t *r)
{
    fidx__groups_remove(st->groups, (fidx_kind_t)r->kind, r->value, r->value_len, r->seq,
                        r->type == FIDX__REPORT_DISPUTE);
}

/* Puts r (numbered, its strings now owned by the store, in its group if pending) at the end;
 * grow() has made room. */
static uint64_t value_hash(fidx_kind_t kind, const char *v, size_t len)
{
    return XXH3_64bits_withSeed(v, len, (XXH64_hash_t)kind);
}

static void place_rec(fidx__reports_t *st, const rec_t *r)
{
    st->last_seq = r->seq;
    st->recs[st->n] = *r;
    st->recs[st->n].vhash = value_hash((fidx_kind_t)r->kind, r->value, r->value_len);
    index_put(st, st->n);
    st->n++;
    count_state(st, r, 1);
}

/* Adds r (its strings now owned by the store) under a new position, and a pending one to
 * its value's group. */
static int append_rec(fidx__reports_t *st, rec_t *r)
{
    int e = grow(st);
    if (e)
        return e;
    r->seq = st->last_seq + 1;
    if (r->state == FIDX__REPORT_PENDING && (e = group_join(st, r)) != 0)
        return e;
    place_rec(st, r);
    return 0;
}

/* Past twice max_pending decided reports in memory, drops the oldest down to max_pending. */
static void drop_old_decided(fidx__reports_t *st)
{
    size_t keep = st->max_pending;
    if (st->decided_held <= 2 * keep)
        return;
    size_t drop = st->decided_held - keep, j = 0;
    for (size_t i = 0; i < st->n; i++) {
        rec_t *r = &st->recs[i];
        if (drop && r->state != FIDX__REPORT_PENDING) {
            rec_dispose(r);
            drop--;
            st->decided_held--;
            continue;
        }
        st->recs[j++] = *r;
    }
    st->n = j;
    memset(st->index, 0, st->index_cap * sizeof *st->index);
    for (size_t i = 0; i < st->n; i++)
        index_put(st, i);
}

/* ---- time ---- */

static void format_time(int64_t t, char out[21])
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
        strcpy(out, "1970-01-01T00:00:00Z");
}

static int parse_time(const char *s, size_t len, int64_t *out)
{
    struct tm tm = {0};
    if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        s[19] != 'Z')
        return FIDX_EINVAL;
    int f[6], at[6] = {0, 5, 8, 11, 14, 17}, w[6] = {4, 2, 2, 2, 2, 2};
    for (int i = 0; i < 6; i++) {
        f[i] = 0;
        for (int j = 0; j < w[i]; j++) {
            char c = s[at[i] + j];
            if (c < '0' || c > '9')
                return FIDX_EINVAL;
            f[i] = f[i] * 10 + (c - '0');
        }
    }
    tm.tm_year = f[0] - 1900;
    tm.tm_mon = f[1] - 1;
    tm.tm_mday = f[2];
    tm.tm_hour = f[3];
    tm.tm_min = f[4];
    tm.tm_sec = f[5];
    *out = (int64_t)timegm(&tm);
    return 0;
}

/* ---- JSON ---- */

static void put_kv_str(fidx__sbuf_t *b, const char *key, const char *v, size_t len)
{
    fidx__sbuf_printf(b, ",\"%s\":", key);
    fidx__sbuf_json_string(b, v, len);
}

static void put_time(fidx__sbuf_t *b, const char *key, int64_t t)
{
    char iso[21];
    format_time(t, iso);
    put_kv_str(b, key, iso, 20);
}

static void put_categories(fidx__sbuf_t *b, uint16_t mask)
{
    fidx__sbuf_puts(b, ",\"categories\":[");
    for (int c = 0, n = 0; c < FIDX_CAT_COUNT; c++)
        if (mask & (1u << c))
            fidx__sbuf_printf(b, "%s\"%s\"", n++ ? "," : "", fidx_category_name(c));
    fidx__sbuf_puts(b, "]");
}

/* The optional members of a report, each only when set. */
static void put_report_extras(fidx__sbuf_t *b, const rec_t *r)
{
    if (r->channel >= 0)
        fidx__sbuf_printf(b, ",\"channel\":\"%s\"", fidx__report_channel_name(r->channel));
    if (r->date) {
        char day[11];
        fidx_day_format(r->date, day);
        fidx__sbuf_printf(b, ",\"date\":\"%.10s\"", day);
    }
    if (r->amount_vnd >= 0)
        fidx__sbuf_printf(b, ",\"amount_vnd\":%lld", (long long)r->amount_vnd);
    if (r->contact)
        put_kv_str(b, "contact", r->contact, r->contact_len);
    if (r->reporter)
        put_kv_str(b, "reporter", r->reporter, strlen(r->reporter));
}

/* The fields a report line and the API share, after the opening brace and one first field.
 * The line says "report_type" only for a dispute (a line without it is a scam report, as
 * every line was before disputes); the API always says "type". */
static void put_report_body(fidx__sbuf_t *b, const rec_t *r, int api)
{
    put_kv_str(b, "id", r->id, FIDX__REPORT_ID_LEN);
    if (api || r->type == FIDX__REPORT_DISPUTE)
        fidx__sbuf_printf(b, ",\"%s\":\"%s\"", api ? "type" : "report_type",
                          fidx__report_type_name((fidx__report_type_t)r->type));
    put_time(b, "time", r->created);
    fidx__sbuf_printf(b, ",\"kind\":\"%s\"", fidx_kind_name((fidx_kind_t)r->kind));
    put_kv_str(b, "value", r->value, r->value_len);
    put_kv_str(b, "query", r->query, r->query_len);
    if (r->category >= 0)
        fidx__sbuf_printf(b, ",\"category\":\"%s\"", fidx_category_name(r->category));
    else
        fidx__sbuf_puts(b, ",\"category\":null");
    put_kv_str(b, "description", r->description, r->description_len);
    put_report_extras(b, r);
}

/* The file's line adds the networks; the analysts' API does not show them. */
static void put_networks(fidx__sbuf_t *b, const rec_t *r)
{
    if (r->net)
        fidx__sbuf_printf(b, ",\"net\":\"%016llx\"", (unsigned long long)r->net);
    if (r->wide)
        fidx__sbuf_printf(b, ",\"wide\":\"%016llx\"", (unsigned long long)r->wide);
}

static uint64_t hex64(const char *p, size_t len)
{
    uint64_t v = 0;
    if (!p || len != 16)
        return 0;
    for (size_t i = 0; i < len; i++) {
        int d = p[i] >= '0' && p[i] <= '9'   ? p[i] - '0'
                : p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10
                                             : -1;
        if (d < 0)
            return 0;
        v = v << 4 | (uint64_t)d;
    }
    return v;
}

/* The file's decision line says "action" and "by"; the API's report says "state" (already
 * written) and "decided_by". */
static void put_decision_body(fidx__sbuf_t *b, const rec_t *r, int api)
{
    if (!api)
        fidx__sbuf_printf(b, ",\"action\":\"%s\"",
                          r->state == FIDX__REPORT_REJECTED ? "reject"
                          : r->type == FIDX__REPORT_DISPUTE ? "uphold"
                                                            : "approve");
    put_kv_str(b, api ? "decided_by" : "by", r->decided_by, strlen(r->decided_by));
    if (r->has_status)
        fidx__sbuf_printf(b, ",\"status\":\"%s\"", fidx_status_name((fidx_status_t)r->status));
    put_categories(b, r->categories);
    if (r->reason)
        put_kv_str(b, "reason", r->reason, strlen(r->reason));
}

const char *fidx__report_state_name(fidx__report_state_t s)
{
    return s == FIDX__REPORT_PENDING    ? "pending"
           : s == FIDX__REPORT_APPROVED ? "approved"
                                        : "rejected";
}

static const char *const type_names[] = {"scam", "dispute"};
static const char *const channel_names[FIDX__CHANNEL_COUNT] = {
    "call", "sms", "zalo", "facebook", "telegram", "web", "other"};

static int name_parse(const char *const *names, int n, const char *p, size_t len, int *out)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], p, len) == 0) {
            *out = i;
            return 0;
        }
    return FIDX_EINVAL;
}

const char *fidx__report_type_name(fidx__report_type_t t)
{
    return t == FIDX__REPORT_DISPUTE ? "dispute" : "scam";
}

int fidx__report_type_parse(const char *p, size_t len, fidx__report_type_t *t)
{
    int i;
    if (name_parse(type_names, 2, p, len, &i) != 0)
        return FIDX_EINVAL;
    *t = (fidx__report_type_t)i;
    return 0;
}

const char *fidx__report_channel_name(int c)
{
    return c >= 0 && c < FIDX__CHANNEL_COUNT ? channel_names[c] : "other";
}

int fidx__report_channel_parse(const char *p, size_t len, int *c)
{
    return name_parse(channel_names, FIDX__CHANNEL_COUNT, p, len, c);
}

int fidx__report_state_parse(const char *p, size_t len, fidx__report_state_t *s)
{
    for (int i = FIDX__REPORT_PENDING; i <= FIDX__REPORT_REJECTED; i++) {
        const char *name = fidx__report_state_name((fidx__report_state_t)i);
        if (strlen(name) == len && memcmp(name, p, len) == 0) {
            *s = (fidx__report_state_t)i;
            return 0;
        }
    }
    return FIDX_EINVAL;
}

static void view(const rec_t *r, fidx__report_t *v)
{
    memset(v, 0, sizeof *v);
    memcpy(v->id, r->id, sizeof v->id);
    v->seq = r->seq;
    v->created = r->created;
    v->kind = (fidx_kind_t)r->kind;
    v->value = r->value;
    v->value_len = r->value_len;
    v->query = r->query;
    v->query_len = r->query_len;
    v->description = r->description;
    v->description_len = r->description_len;
    v->category = r->category;
    v->type = (fidx__report_type_t)r->type;
    v->channel = r->channel;
    v->date = r->date;
    v->amount_vnd = r->amount_vnd;
    v->contact = r->contact;
    v->contact_len = r->contact_len;
    v->reporter = r->reporter;
    v->state = (fidx__report_state_t)r->state;
    v->decided = r->decided;
    v->decided_by = r->decided_by;
    v->reason = r->reason;
    v->has_status = r->has_status;
    v->status = (fidx_status_t)r->status;
    v->categories = r->categories;
}

void fidx__report_json(fidx__sbuf_t *out, const fidx__report_t *v)
{
    rec_t r = {
        .created = v->created,
        .amount_vnd = v->amount_vnd,
        .kind = (int8_t)v->kind,
        .category = (int8_t)v->category,
        .channel = (int8_t)v->channel,
        .type = (uint8_t)v->type,
        .date = v->date,
        .contact = (char *)v->contact,
        .contact_len = v->contact_len,
        .reporter = (char *)v->reporter,
        .state = (uint8_t)v->state,
        .has_status = (uint8_t)v->has_status,
        .status = (uint8_t)v->status,
        .categories = v->categories,
        .value_len = v->value_len,
        .query_len = v->query_len,
        .description_len = v->description_len,
        .value = (char *)v->value,
        .query = (char *)v->query,
        .description = (char *)v->description,
        .decided_by = (char *)v->decided_by,
        .reason = (char *)v->reason,
    };
    memcpy(r.id, v->id, sizeof r.id);
    fidx__sbuf_printf(out, "{\"state\":\"%s\"", fidx__report_state_name(v->state));
    put_report_body(out, &r, 1);
    if (v->state != FIDX__REPORT_PENDING) {
        put_time(out, "decided_at", v->decided);
        put_decision_body(out, &r, 1);
    }
    fidx__sbuf_puts(out, "}");
}

/* ---- the file ---- */

/* Appends one line durably, or leaves the file as it was. Only the process holding the data
 * directory's lock opens the store; should another writer have appended all the same (the
 * file is longer than this store wrote it), nothing is written, so that undoing a failed
 * write can never cut a line this store did not write. */
static int write_line(fidx__reports_t *st, const fidx__sbuf_t *line)
{
    struct stat sb;
    if (fstat(st->fd, &sb) != 0)
        return FIDX_EIO;
    if (sb.st_size != st->size) {
        errno = EBUSY;
        return FIDX_EIO;
    }
    size_t off = 0;
    while (off < line->len) {
        ssize_t n = write(st->fd, line->p + off, line->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto undo;
        off += (size_t)n;
    }
    if (fdatasync(st->fd) != 0)
        goto undo;
    st->size += (off_t)line->len;
    return 0;
undo:
    if (ftruncate(st->fd, st->size) != 0) {
        /* Nothing more can be done here; the torn tail is cut at the next open. */
    }
    return FIDX_EIO;
}

/* ---- replay ---- */

static const char *str_field(json_t *o, const char *key, size_t *len)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return NULL;
    *len = json_string_length(v);
    return json_string_value(v);
}

/* The optional members of a report line (report_type, channel, date, amount_vnd, contact,
 * reporter): absent leaves the defaults, present but malformed makes the line unreadable. The
 * contact and the reporter are the strings copied here (r owns them). */
static int replay_extras(json_t *o, rec_t *r)
{
    size_t t_len = 0, c_len = 0, d_len = 0, k_len = 0;
    const char *t = str_field(o, "report_type", &t_len), *c = str_field(o, "channel", &c_len);
    const char *d = str_field(o, "date", &d_len), *k = str_field(o, "contact", &k_len);
    json_t *amount = json_object_get(o, "amount_vnd");
    static const char *const strings[] = {"report_type", "channel", "date", "contact", "reporter"};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (json_object_get(o, strings[i]) && !json_is_string(json_object_get(o, strings[i])))
            return FIDX_EINVAL; /* present but not text: not a line of ours */
    fidx__report_type_t type = FIDX__REPORT_SCAM;
    int channel = -1;
    fidx_day_t day = 0;
    r->amount_vnd = -1;
    if ((t && fidx__report_type_parse(t, t_len, &type)) ||
        (c && fidx__report_channel_parse(c, c_len, &channel)) ||
        (d && fidx_day_parse(d, d_len, &day)) ||
        (k && (k_len > FIDX__REPORT_CONTACT_MAX || memchr(k, 0, k_len))))
        return FIDX_EINVAL;
    if (amount) {
        if (!json_is_integer(amount) || json_integer_value(amount) < 0 ||
            json_integer_value(amount) > FIDX__REPORT_AMOUNT_MAX)
            return FIDX_EINVAL;
        r->amount_vnd = (int64_t)json_integer_value(amount);
    }
    r->type = (uint8_t)type;
    r->channel = (int8_t)channel;
    r->date = day;
    if (k && !(r->contact = dup_n(k, k_len)))
        return FIDX_ENOMEM;
    r->contact_len = k_len;
    size_t p_len = 0;
    const char *rp = str_field(o, "reporter", &p_len);
    if (rp && (p_len == 0 || p_len > FIDX__REPORT_REPORTER_MAX || memchr(rp, 0, p_len)))
        return FIDX_EINVAL;
    if (rp && !(r->reporter = dup_n(rp, p_len)))
        return FIDX_ENOMEM;
    return 0;
}

static int replay_report(fidx__reports_t *st, json_t *o)
{
    size_t id_len = 0, t_len = 0, k_len = 0, v_len = 0, q_len = 0, d_len = 0, c_len = 0;
    const char *id = str_field(o, "id", &id_len), *t = str_field(o, "time", &t_len);
    const char *k = str_field(o, "kind", &k_len), *v = str_field(o, "value", &v_len);
    const char *q = str_field(o, "query", &q_len), *d = str_field(o, "description", &d_len);
    const char *c = str_field(o, "category", &c_len);
    size_t n_len = 0, w_len = 0;
    const char *net = str_field(o, "net", &n_len), *wide = str_field(o, "wide", &w_len);
    rec_t r = {.category = -1,
               .channel = -1,
               .amount_vnd = -1,
               .net = hex64(net, n_len),
               .wide = hex64(wide, w_len)};
    fidx_kind_t kind;
    int cat = -1;
    if (!id || id_len != FIDX__REPORT_ID_LEN || find(st, id, id_len) || !t || !k || !v || !q ||
        !d || parse_time(t, t_len, &r.created) || fidx_kind_parse(k, k_len, &kind) ||
        (c && fidx_category_parse(c, c_len, &cat)))
        return FIDX_EINVAL;
    memcpy(r.id, id, id_len + 1);
    r.kind = (int8_t)kind;
    r.category = (int8_t)cat;
    r.state = FIDX__REPORT_PENDING;
    int e = replay_extras(o, &r);
    if (e) {
        free(r.contact);
        free(r.reporter);
        return e;
    }
    r.value = dup_n(v, v_len);
    r.query = dup_n(q, q_len);
    r.description = dup_n(d, d_len);
    r.value_len = v_len;
    r.query_len = q_len;
    r.description_len = d_len;
    e = r.value && r.query && r.description ? append_rec(st, &r) : FIDX_ENOMEM;
    if (e)
        rec_dispose(&r);
    return e;
}

static int parse_categories(json_t *a, uint16_t *mask)
{
    *mask = 0;
    return fidx_categories_from_json(a, 0, mask, NULL);
}

/* Applies a decision to r (pending): the state, who, when, and what was decided. */
static int apply_decision(fidx__reports_t *st, rec_t *r, const fidx__report_decision_t *d,
                          int64_t when)
{
    char *by = dup_n(d->by, strlen(d->by));
    char *reason = d->reason ? dup_n(d->reason, strlen(d->reason)) : NULL;
    if (!by || (d->reason && !reason)) {
        free(by);
        free(reason);
        return FIDX_ENOMEM;
    }
    group_leave(st, r);
    count_state(st, r, -1);
    r->state = (uint8_t)d->action;
    r->claimed = 0;
    count_state(st, r, 1);
    if (d->action == FIDX__REPORT_REJECTED)
        st->run_rejected++;
    else if (r->type == FIDX__REPORT_DISPUTE)
        st->run_upheld++;
    else
        st->run_approved++;
    r->decided = when;
    r->decided_by = by;
    r->reason = reason;
    r->has_status = (uint8_t)(d->has_status != 0);
    r->status = (uint8_t)d->status;
    r->categories = d->categories;
    st->decided_held++;
    drop_old_decided(st); /* r may be gone from here on */
    return 0;
}

static int replay_decision(fidx__reports_t *st, json_t *o)
{
    size_t id_len = 0, t_len = 0, a_len = 0, by_len = 0, s_len = 0, r_len = 0;
    const char *id = str_field(o, "id", &id_len), *t = str_field(o, "time", &t_len);
    const char *a = str_field(o, "action", &a_len), *by = str_field(o, "by", &by_len);
    const char *s = str_field(o, "status", &s_len), *reason = str_field(o, "reason", &r_len);
    rec_t *r = id ? find(st, id, id_len) : NULL;
    fidx__report_decision_t d = {.by = by, .reason = reason, .has_status = s != NULL};
    int64_t when;
    if (!r || r->state != FIDX__REPORT_PENDING || !t || parse_time(t, t_len, &when) || !a || !by ||
        memchr(by, 0, by_len) || (reason && memchr(reason, 0, r_len)) ||
        (s && fidx_status_parse(s, s_len, &d.status)) ||
        parse_categories(json_object_get(o, "categories"), &d.categories))
        return FIDX_EINVAL;
    if ((a_len == 7 && memcmp(a, "approve", 7) == 0) || (a_len == 6 && memcmp(a, "uphold", 6) == 0))
        d.action = FIDX__REPORT_APPROVED;
    else if (a_len == 6 && memcmp(a, "reject", 6) == 0)
        d.action = FIDX__REPORT_REJECTED;
    else
        return FIDX_EINVAL;
    return apply_decision(st, r, &d, when);
}

static int replay_line(fidx__reports_t *st, const char *line, size_t len)
{
    json_error_t jerr;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    size_t t_len = 0;
    const char *type = o && json_is_object(o) ? str_field(o, "type", &t_len) : NULL;
    int e = FIDX_EINVAL;
    if (type && t_len == 6 && memcmp(type, "report", 6) == 0)
        e = replay_report(st, o);
    else if (type && t_len == 8 && memcmp(type, "decision", 8) == 0)
        e = replay_decision(st, o);
    json_decref(o);
    return e;
}

/* Reads the file through; cuts a torn last line (no newline: a write cut short by a crash). */
static int replay(fidx__reports_t *st, int fd)
{
    int rfd = dup(fd); /* fclose closes it; the store keeps fd */
    FILE *f = rfd >= 0 ? fdopen(rfd, "r") : NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    off_t good = 0;
    int e = 0;
    if (!f) {
        if (rfd >= 0)
            close(rfd);
        return FIDX_EIO;
    }
    while (!e && (n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n')
            break; /* torn tail */
        good += n;
        if (n == 1)
            continue;
        if ((size_t)n > LINE_MAX_BYTES)
            st->skipped++;
        else if ((e = replay_line(st, line, (size_t)n - 1)) == FIDX_EINVAL)
            e = 0, st->skipped++;
    }
    free(line);
    fclose(f);
    if (e)
        return e;
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return FIDX_EIO;
    if (sb.st_size > good && ftruncate(fd, good) != 0)
        return FIDX_EIO;
    st->size = good;
    return 0;
}

/* ---- the API ---- */

static int open_file(const char *dir, int *fd_out, int *created)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, FILE_NAME) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
    *created = 0;
    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        *created = fd >= 0;
    }
    if (fd < 0)
        return -1;
    if (*created) {
        /* The new name must survive a crash too. */
        (void)fidx_fsync_dir(dir);
    }
    *fd_out = fd;
    return 0;
}

/* The networks' salt: read from dir, or made and written (0600, fsynced) the first time. */
static int load_salt(fidx__reports_t *st, const char *dir)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, NET_SALT_FILE) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd >= 0) {
        ssize_t n = read(fd, st->salt, sizeof st->salt);
        close(fd);
        if (n == (ssize_t)sizeof st->salt)
            return 0;
    }
    if (getrandom(st->salt, sizeof st->salt, 0) != (ssize_t)sizeof st->salt)
        return -1;
    /* Written whole or not at all: a temporary file, fsynced, renamed. */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    int ok = write(fd, st->salt, sizeof st->salt) == (ssize_t)sizeof st->salt && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return fidx_fsync_dir(dir);
}

int fidx__reports_open(const char *dir, size_t max_pending, fidx__reports_t **out, fidx_err_t *err)
{
    int created, e = FIDX_EIO;
    const char *why = "cannot create the data directory";
    fidx__reports_t *st = calloc(1, sizeof *st);
    if (!st)
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    st->fd = -1;
    st->max_pending = max_pending;
    st->max_per_net = FIDX__DEFAULT_MAX_PENDING_PER_NETWORK;
    pthread_mutex_init(&st->lock, NULL);
    if (fidx__groups_new(&st->groups) != 0) {
        pthread_mutex_destroy(&st->lock);
        free(st);
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    }
    if (fidx__mkdir_p(dir) != 0)
        goto fail;
    why = "cannot open " FILE_NAME " in the data directory";
    if (open_file(dir, &st->fd, &created) != 0)
        goto fail;
    why = "cannot read " FILE_NAME " in the data directory";
    if ((e = replay(st, st->fd)) != 0)
        goto fail;
    why = "cannot read or make " NET_SALT_FILE " in the data directory";
    e = FIDX_EIO;
    if (load_salt(st, dir) != 0)
        goto fail;
    st->run_approved = st->run_rejected = st->run_upheld = 0; /* counted from now on */
    *out = st;
    return 0;
fail : {
    int saved = errno; /* for the caller's message */
    fidx__reports_free(st);
    errno = saved;
    return fidx_err_set(err, e, 0, why);
}
}

void fidx__reports_free(fidx__reports_t *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++)
        rec_dispose(&st->recs[i]);
    free(st->recs);
    free(st->index);
    fidx__groups_free(st->groups);
    if (st->fd >= 0)
        close(st->fd);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

static int new_id(fidx__reports_t *st, int64_t now, char id[FIDX__REPORT_ID_LEN + 1])
{
    uint64_t rnd;
    for (int attempt = 0; attempt < 4; attempt++) {
        if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
            return FIDX_EIO;
        snprintf(id, FIDX__REPORT_ID_LEN + 1, "r%08x%04x%016llx", (unsigned)(uint32_t)now,
                 (unsigned)st->counter++, (unsigned long long)rnd);
        if (!find(st, id, FIDX__REPORT_ID_LEN))
            return 0;
    }
    return FIDX_EIO; /* four collisions in 2^64: the random source is broken */
}

static int check_input(const fidx__report_input_t *in, fidx_err_t *err)
{
    if (in->kind < 0 || in->kind >= FIDX_KIND_COUNT)
        return fidx_err_set(err, FIDX_EINVAL, 0, "unknown kind");
    if (!in->value || in->value_len == 0 || in->value_len > FIDX_CANON_CAP ||
        memchr(in->value, 0, in->value_len))
        return fidx_err_set(err, FIDX_EINVAL, 0, "missing or malformed value");
    if (!in->query || in->query_len > FIDX_MAX_VALUE_LEN)
        return fidx_err_set(err, FIDX_EINVAL, 0, "value too long");
    if (in->category < -1 || in->category >= FIDX_CAT_COUNT)
        return fidx_err_set(err, FIDX_EINVAL, 0, "unknown category");
    if (in->description_len > FIDX__REPORT_DESCRIPTION_MAX)
        return fidx_err_set(err, FIDX_EINVAL, 0, "description too long");
    if (in->type != FIDX__REPORT_SCAM && in->type != FIDX__REPORT_DISPUTE)
        return fidx_err_set(err, FIDX_EINVAL, 0, "unknown report type");
    if (in->has_channel && ((int)in->channel < 0 || in->channel >= FIDX__CHANNEL_COUNT))
        return fidx_err_set(err, FIDX_EINVAL, 0, "unknown channel");
    if (in->has_amount && (in->amount_vnd < 0 || in->amount_vnd > FIDX__REPORT_AMOUNT_MAX))
        return fidx_err_set(err, FIDX_EINVAL, 0, "amount_vnd out of range");
    if (in->contact &&
        (in->contact_len > FIDX__REPORT_CONTACT_MAX || memchr(in->contact, 0, in->contact_len)))
        return fidx_err_set(err, FIDX_EINVAL, 0, "contact too long");
    if (in->reporter && (!in->reporter[0] || strlen(in->reporter) > FIDX__REPORT_REPORTER_MAX))
        return fidx_err_set(err, FIDX_EINVAL, 0, "reporter name too long");
    return 0;
}

/* The salted hash of a network key (never 0: 0 means unknown). */
static uint64_t net_hash(const fidx__reports_t *st, const uint8_t *key)
{
    if (!key)
        return 0;
    uint64_t h = XXH3_64bits_withSeed(key, 16, st->salt[0] ^ st->salt[1] * 0x9e3779b97f4a7c15ull);
    return h ? h : 1;
}

static int make_rec(const fidx__reports_t *st, const fidx__report_input_t *in, rec_t *r)
{
    r->net = net_hash(st, in->net_key);
    r->wide = net_hash(st, in->wide_key);
    r->kind = (int8_t)in->kind;
    r->category = (int8_t)in->category;
    r->state = FIDX__REPORT_PENDING;
    r->value = dup_n(in->value, in->value_len);
    r->query = dup_n(in->query, in->query_len);
    r->description = dup_n(in->description ? in->description : "", in->description_len);
    r->value_len = in->value_len;
    r->query_len = in->query_len;
    r->description_len = in->description_len;
    r->type = (uint8_t)in->type;
    r->channel = (int8_t)(in->has_channel ? (int)in->channel : -1);
    r->date = in->date;
    r->amount_vnd = in->has_amount ? in->amount_vnd : -1;
    r->contact = in->contact ? dup_n(in->contact, in->contact_len) : NULL;
    r->contact_len = in->contact ? in->contact_len : 0;
    r->reporter = in->reporter ? dup_n(in->reporter, strlen(in->reporter)) : NULL;
    if (r->value && r->query && r->description && (r->contact || !in->contact) &&
        (r->reporter || !in->reporter))
        return 0;
    rec_dispose(r);
    return FIDX_ENOMEM;
}

/* The record numbered seq (records are in seq order), or NULL when it was dropped. */
static rec_t *by_seq(fidx__reports_t *st, uint64_t seq)
{
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->recs[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < st->n && st->recs[lo].seq == seq ? &st->recs[lo] : NULL;
}

/* A pending report of r's value and type from r's /64, or NULL: its value's group lists them. */
static const rec_t *pending_duplicate(fidx__reports_t *st, const rec_t *r)
{
    fidx__group_t g;
    if (!r->net || !fidx__groups_get(st->groups, (fidx_kind_t)r->kind, r->value, r->value_len, &g))
        return NULL;
    for (size_t i = 0; i < g.n; i++) {
        const rec_t *p = by_seq(st, g.seqs[i]);
        if (p && p->net == r->net && p->type == r->type)
            return p;
    }
    return NULL;
}

static size_t pending_from(const fidx__reports_t *st, uint64_t wide)
{
    size_t n = 0;
    for (size_t i = 0; wide && i < st->n; i++)
        n += st->recs[i].state == FIDX__REPORT_PENDING && st->recs[i].wide == wide;
    return n;
}

/* Adds r, or finds the pending report it repeats (*dup). */
static int add_locked(fidx__reports_t *st, rec_t *r, fidx__sbuf_t *line, const rec_t **dup,
                      const char **why)
{
    if ((*dup = pending_duplicate(st, r)) != NULL)
        return 0;
    *why = FIDX__REPORTS_FULL;
    if (st->pending >= st->max_pending)
        return FIDX_ELIMIT;
    *why = "too many reports from this network are waiting for review";
    if (r->wide && pending_from(st, r->wide) >= st->max_per_net)
        return FIDX_ELIMIT;
    int e = new_id(st, r->created, r->id);
    if (e)
        return e;
    fidx__sbuf_puts(line, "{\"type\":\"report\"");
    put_report_body(line, r, 0);
    put_networks(line, r);
    fidx__sbuf_puts(line, "}\n");
    if (line->failed)
        return FIDX_ENOMEM;
    /* Everything that can fail for lack of memory before the line is written: once it is on
     * disk, the report must be in memory too. */
    r->seq = st->last_seq + 1;
    if ((e = grow(st)) != 0 || (e = group_join(st, r)) != 0)
        return e;
    if ((e = write_line(st, line)) != 0) {
        group_leave(st, r);
        return e;
    }
    place_rec(st, r);
    return 0;
}

int fidx__reports_add(fidx__reports_t *st, const fidx__report_input_t *in, int64_t now,
                      char *id_out, int *merged, fidx_err_t *err)
{
    rec_t r = {.created = now};
    fidx__sbuf_t line;
    const rec_t *dup = NULL;
    const char *why = NULL;
    int e = check_input(in, err);
    if (merged)
        *merged = 0;
    if (e)
        return e;
    if ((e = make_rec(st, in, &r)) != 0)
        return fidx_err_set(err, e, 0, "out of memory");
    fidx__sbuf_init(&line, LINE_MAX_BYTES);
    pthread_mutex_lock(&st->lock);
    e = add_locked(st, &r, &line, &dup, &why);
    if (!e && dup) {
        memcpy(id_out, dup->id, FIDX__REPORT_ID_LEN + 1);
        if (merged)
            *merged = 1;
    }
    pthread_mutex_unlock(&st->lock);
    fidx__sbuf_free(&line);
    if (e || dup) {
        rec_dispose(&r);
        return e ? fidx_err_set(err, e, 0,
                                e == FIDX_ELIMIT ? why
                                : e == FIDX_EIO  ? "cannot write the report to disk"
                                                 : "out of memory")
                 : 0;
    }
    memcpy(id_out, r.id, FIDX__REPORT_ID_LEN + 1);
    return 0;
}

void fidx__reports_set_network_cap(fidx__reports_t *st, size_t max_per_network)
{
    pthread_mutex_lock(&st->lock);
    st->max_per_net = max_per_network ? max_per_network : 1;
    pthread_mutex_unlock(&st->lock);
}

static int check_decision(const fidx__report_decision_t *d, fidx_err_t *err)
{
    if (d->action != FIDX__REPORT_APPROVED && d->action != FIDX__REPORT_REJECTED)
        return fidx_err_set(err, FIDX_EINVAL, 0, "action must be approve or reject");
    if (!d->by || !d->by[0] || strlen(d->by) > FIDX__REPORT_BY_MAX)
        return fidx_err_set(err, FIDX_EINVAL, 0, "a decision needs who decided");
    if (d->reason && strlen(d->reason) > FIDX__REPORT_REASON_MAX)
        return fidx_err_set(err, FIDX_EINVAL, 0, "reason too long");
    if (d->has_status && (d->status < 0 || d->status >= FIDX_STATUS_COUNT))
        return fidx_err_set(err, FIDX_EINVAL, 0, "unknown status");
    return 0;
}

/* The decision line of d on r (pending), built from what the record will be, before anything
 * changes. */
static void decision_line(fidx__sbuf_t *line, const rec_t *r, const fidx__report_decision_t *d,
                          int64_t now)
{
    rec_t tmp = *r;
    tmp.state = (uint8_t)d->action;
    tmp.decided_by = (char *)d->by;
    tmp.reason = (char *)d->reason;
    tmp.has_status = (uint8_t)(d->has_status != 0);
    tmp.status = (uint8_t)d->status;
    tmp.categories = d->categories;
    fidx__sbuf_puts(line, "{\"type\":\"decision\"");
    put_kv_str(line, "id", r->id, FIDX__REPORT_ID_LEN);
    put_time(line, "time", now);
    put_decision_body(line, &tmp, 0);
    fidx__sbuf_puts(line, "}\n");
}

static int decide_locked(fidx__reports_t *st, rec_t *r, const fidx__report_decision_t *d,
                         int64_t now, fidx_err_t *err)
{
    fidx__sbuf_t line;
    int e;
    if (r->state != FIDX__REPORT_PENDING)
        return fidx_err_set(err, FIDX_EINVAL, 0, "the report is already decided");
    fidx__sbuf_init(&line, LINE_MAX_BYTES);
    decision_line(&line, r, d, now);
    e = line.failed ? FIDX_ENOMEM : write_line(st, &line);
    fidx__sbuf_free(&line);
    if (!e)
        e = apply_decision(st, r, d, now);
    return e ? fidx_err_set(err, e, 0,
                            e == FIDX_EIO ? "cannot write the decision to disk" : "out of memory")
             : 0;
}

int fidx__reports_decide(fidx__reports_t *st, const char *id, size_t id_len,
                         const fidx__report_decision_t *d, int64_t now, fidx_err_t *err)
{
    int e = check_decision(d, err);
    if (e)
        return e;
    pthread_mutex_lock(&st->lock);
    rec_t *r = find(st, id, id_len);
    e = r ? decide_locked(st, r, d, now, err)
          : fidx_err_set(err, FIDX_ENOTFOUND, 0, "no such report");
    pthread_mutex_unlock(&st->lock);
    return e;
}

size_t fidx__reports_list(fidx__reports_t *st, fidx__report_state_t state, uint64_t after,
                          size_t limit, fidx__report_cb cb, void *ctx, uint64_t *next)
{
    size_t called = 0, lo = 0, hi;
    *next = 0;
    pthread_mutex_lock(&st->lock);
    /* The first report after the cursor: seqs grow along the array. */
    for (hi = st->n; lo < hi;) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->recs[mid].seq <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t looked = after; /* the last report looked at */
    for (size_t i = lo; i < st->n; i++) {
        if (st->recs[i].state != state)
            continue;
        if (called == limit) {
            *next = looked;
            break;
        }
        fidx__report_t v;
        view(&st->recs[i], &v);
        int r = cb(&v, ctx);
        looked = st->recs[i].seq;
        if (r == FIDX__REPORT_SKIP)
            continue;
        called++;
        if (r) {
            *next = i + 1 < st->n ? st->recs[i].seq : 0;
            break;
        }
    }
    pthread_mutex_unlock(&st->lock);
    return called;
}

int fidx__reports_get(fidx__reports_t *st, const char *id, size_t id_len, fidx__report_cb cb,
                      void *ctx)
{
    pthread_mutex_lock(&st->lock);
    rec_t *r = find(st, id, id_len);
    if (r) {
        fidx__report_t v;
        view(r, &v);
        cb(&v, ctx);
    }
    pthread_mutex_unlock(&st->lock);
    return r ? 0 : FIDX_ENOTFOUND;
}

void fidx__reports_counts(fidx__reports_t *st, size_t *pending, size_t *approved, size_t *rejected)
{
    pthread_mutex_lock(&st->lock);
    if (pending)
        *pending = st->pending;
    if (approved)
        *approved = st->approved;
    if (rejected)
        *rejected = st->rejected;
    pthread_mutex_unlock(&st->lock);
}

size_t fidx__reports_skipped(fidx__reports_t *st)
{
    pthread_mutex_lock(&st->lock);
    size_t n = st->skipped;
    pthread_mutex_unlock(&st->lock);
    return n;
}

/* ---- bulk decisions, claims ---- */

/* The lines of the decisions that can be recorded (rc[i] says which) into line. */
static void bulk_lines(fidx__reports_t *st, const char *const *ids,
                       const fidx__report_decision_t *d, size_t n, int64_t now, int *rc,
                       fidx__sbuf_t *line)
{
    for (size_t i = 0; i < n; i++) {
        fidx_err_t err = {0};
        rec_t *r = find(st, ids[i], strlen(ids[i]));
        rc[i] = check_decision(&d[i], &err);
        if (rc[i] == 0 && !r)
            rc[i] = FIDX_ENOTFOUND;
        else if (rc[i] == 0 && r->state != FIDX__REPORT_PENDING)
            rc[i] = FIDX_EINVAL;
        for (size_t k = 0; rc[i] == 0 && k < i; k++)
            if (rc[k] == 0 && strcmp(ids[k], ids[i]) == 0)
                rc[i] = FIDX_EINVAL; /* the same report twice: the first decision counts */
        if (rc[i] == 0)
            decision_line(line, r, &d[i], now);
    }
}

int fidx__reports_decide_many(fidx__reports_t *st, const char *const *ids,
                              const fidx__report_decision_t *d, size_t n, int64_t now, int *rc)
{
    fidx__sbuf_t line;
    int e = 0;
    fidx__sbuf_init(&line, SIZE_MAX / 2);
    pthread_mutex_lock(&st->lock);
    bulk_lines(st, ids, d, n, now, rc, &line);
    if (line.failed)
        e = FIDX_ENOMEM;
    else if (line.len)
        e = write_line(st, &line);
    for (size_t i = 0; i < n && e == 0; i++) {
        rec_t *r = rc[i] == 0 ? find(st, ids[i], strlen(ids[i])) : NULL;
        if (r)
            rc[i] = apply_decision(st, r, &d[i], now); /* may move records: found again */
    }
    pthread_mutex_unlock(&st->lock);
    fidx__sbuf_free(&line);
    return e ? FIDX_EIO : 0;
}

int fidx__reports_claim(fidx__reports_t *st, const char *id, size_t id_len, fidx__report_cb cb,
                        void *ctx)
{
    int e = 0;
    pthread_mutex_lock(&st->lock);
    rec_t *r = find(st, id, id_len);
    if (!r)
        e = FIDX_ENOTFOUND;
    else if (r->state != FIDX__REPORT_PENDING)
        e = FIDX_EINVAL;
    else if (r->claimed)
        e = FIDX_ELIMIT;
    if (r && cb && e != FIDX_ELIMIT) {
        fidx__report_t v;
        view(r, &v);
        cb(&v, ctx);
    }
    if (e == 0)
        r->claimed = 1;
    pthread_mutex_unlock(&st->lock);
    return e;
}

void fidx__reports_unclaim(fidx__reports_t *st, const char *id, size_t id_len)
{
    pthread_mutex_lock(&st->lock);
    rec_t *r = find(st, id, id_len);
    if (r)
        r->claimed = 0;
    pthread_mutex_unlock(&st->lock);
}

/* ---- by value, by group ---- */

static int is_value(const rec_t *r, uint64_t h, fidx_kind_t kind, const char *v, size_t len)
{
    return r->vhash == h && r->kind == (int8_t)kind && r->value_len == len &&
           memcmp(r->value, v, len) == 0;
}

size_t fidx__reports_of_value(fidx__reports_t *st, fidx_kind_t kind, const char *value, size_t len,
                              int pending_only, fidx__report_cb cb, void *ctx)
{
    size_t n = 0, stop = 0;
    fidx__group_t g = {0};
    fidx__report_t v;
    uint64_t h = value_hash(kind, value, len);
    pthread_mutex_lock(&st->lock);
    /* Pending: the group's reports, found by number. Any state: a walk of what memory holds. */
    int grouped = pending_only && fidx__groups_get(st->groups, kind, value, len, &g);
    size_t end = pending_only ? g.n : st->n;
    for (size_t i = 0; i < end && !stop; i++) {
        const rec_t *r = grouped ? by_seq(st, g.seqs[i]) : &st->recs[i];
        if (!r || !is_value(r, h, kind, value, len))
            continue;
        view(r, &v);
        n++;
        stop = (size_t)cb(&v, ctx);
    }
    pthread_mutex_unlock(&st->lock);
    return n;
}

typedef struct {
    fidx__reports_t *st;
    const fidx__group_visit_t *v;
    fidx_kind_t kind;
    size_t limit, listed;
    uint64_t last; /* the last group looked at */
    int more;      /* a group follows the page */
} groups_walk_t;

/* One group: asked whether to list it, then its newest members, then done. */
static int visit_group(fidx__reports_t *st, const fidx__group_t *g, const fidx__group_visit_t *v)
{
    const rec_t *first = g->n ? by_seq(st, g->seqs[0]) : NULL;
    const rec_t *last = g->n ? by_seq(st, g->seqs[g->n - 1]) : NULL;
    fidx__report_group_t rg = {g->kind,
                               g->value,
                               g->value_len,
                               g->opened,
                               g->n,
                               g->disputes,
                               first ? first->created : 0,
                               last ? last->created : 0};
    if (v->group(&rg, v->ctx))
        return 0;
    fidx__report_t view_;
    for (size_t i = g->n, k = 0; i-- > 0 && k < v->members_max;) {
        const rec_t *r = by_seq(st, g->seqs[i]);
        if (r) {
            view(r, &view_);
            v->member(&view_, v->ctx);
            k++;
        }
    }
    v->end(&rg, v->ctx);
    return 1;
}

static int walk_one(const fidx__group_t *g, void *arg)
{
    groups_walk_t *w = arg;
    if (w->kind != FIDX_KIND_NONE && g->kind != w->kind)
        return 0;
    if (w->listed == w->limit) {
        w->more = 1; /* one more exists: the page ends before it */
        return 1;
    }
    w->last = g->opened;
    w->listed += (size_t)visit_group(w->st, g, w->v);
    return 0;
}

size_t fidx__reports_groups(fidx__reports_t *st, uint64_t after, size_t limit, int disputes_only,
                            fidx_kind_t kind, const fidx__group_visit_t *v, uint64_t *next)
{
    groups_walk_t w = {st, v, kind, limit, 0, 0, 0};
    pthread_mutex_lock(&st->lock);
    (void)fidx__groups_each(st->groups, after, disputes_only, walk_one, &w);
    *next = w.more ? w.last : 0;
    pthread_mutex_unlock(&st->lock);
    return w.listed;
}

int fidx__reports_group(fidx__reports_t *st, fidx_kind_t kind, const char *value, size_t len,
                        const fidx__group_visit_t *v)
{
    fidx__group_t g;
    pthread_mutex_lock(&st->lock);
    int found = fidx__groups_get(st->groups, kind, value, len, &g);
    if (found)
        visit_group(st, &g, v);
    pthread_mutex_unlock(&st->lock);
    return found;
}

void fidx__reports_backlog(fidx__reports_t *st, size_t *disputes, uint64_t *approved,
                           uint64_t *rejected, uint64_t *upheld)
{
    pthread_mutex_lock(&st->lock);
    *disputes = st->pending_disputes;
    *approved = st->run_approved;
    *rejected = st->run_rejected;
    *upheld = st->run_upheld;
    pthread_mutex_unlock(&st->lock);
}
