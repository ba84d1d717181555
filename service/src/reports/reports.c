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
#include "fidx/str.h"

#define FILE_NAME "reports.jsonl"
#define LINE_MAX_BYTES (256 * 1024) /* longer lines are not ours: skipped at replay */
/* The key of the senders' network hashes: random, kept beside the reports, so that the same
 * network hashes alike after a restart and the file alone does not give addresses away. */
#define NET_SALT_FILE "reports.salt"

typedef struct {
    char id[FIDX__REPORT_ID_LEN + 1];
    uint64_t seq;
    int64_t created, decided;
    uint64_t net, wide; /* salted hashes of the sender's /64 and /48; 0: unknown */
    int8_t kind, category;
    uint8_t state, has_status, status;
    uint16_t categories;
    size_t value_len, query_len, description_len;
    char *value, *query, *description, *decided_by, *reason;
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
    size_t decided_held;                                      /* decided reports in memory */
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

static void count_state(fidx__reports_t *st, fidx__report_state_t s, int delta)
{
    size_t *c = s == FIDX__REPORT_PENDING    ? &st->pending
                : s == FIDX__REPORT_APPROVED ? &st->approved
                                             : &st->rejected;
    *c = delta > 0 ? *c + 1 : *c - 1;
}

/* Adds r (its strings now owned by the store) under a new position. */
static int append_rec(fidx__reports_t *st, rec_t *r)
{
    int e = grow(st);
    if (e)
        return e;
    r->seq = ++st->last_seq;
    st->recs[st->n] = *r;
    index_put(st, st->n);
    st->n++;
    count_state(st, (fidx__report_state_t)r->state, 1);
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

/* The fields a report line and the API share, after the opening brace and one first field. */
static void put_report_body(fidx__sbuf_t *b, const rec_t *r)
{
    put_kv_str(b, "id", r->id, FIDX__REPORT_ID_LEN);
    put_time(b, "time", r->created);
    fidx__sbuf_printf(b, ",\"kind\":\"%s\"", fidx_kind_name((fidx_kind_t)r->kind));
    put_kv_str(b, "value", r->value, r->value_len);
    put_kv_str(b, "query", r->query, r->query_len);
    if (r->category >= 0)
        fidx__sbuf_printf(b, ",\"category\":\"%s\"", fidx_category_name(r->category));
    else
        fidx__sbuf_puts(b, ",\"category\":null");
    put_kv_str(b, "description", r->description, r->description_len);
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
                          r->state == FIDX__REPORT_APPROVED ? "approve" : "reject");
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
        .kind = (int8_t)v->kind,
        .category = (int8_t)v->category,
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
    put_report_body(out, &r);
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

static int replay_report(fidx__reports_t *st, json_t *o)
{
    size_t id_len = 0, t_len = 0, k_len = 0, v_len = 0, q_len = 0, d_len = 0, c_len = 0;
    const char *id = str_field(o, "id", &id_len), *t = str_field(o, "time", &t_len);
    const char *k = str_field(o, "kind", &k_len), *v = str_field(o, "value", &v_len);
    const char *q = str_field(o, "query", &q_len), *d = str_field(o, "description", &d_len);
    const char *c = str_field(o, "category", &c_len);
    size_t n_len = 0, w_len = 0;
    const char *net = str_field(o, "net", &n_len), *wide = str_field(o, "wide", &w_len);
    rec_t r = {.category = -1, .net = hex64(net, n_len), .wide = hex64(wide, w_len)};
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
    r.value = dup_n(v, v_len);
    r.query = dup_n(q, q_len);
    r.description = dup_n(d, d_len);
    r.value_len = v_len;
    r.query_len = q_len;
    r.description_len = d_len;
    int e = r.value && r.query && r.description ? append_rec(st, &r) : FIDX_ENOMEM;
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
    count_state(st, FIDX__REPORT_PENDING, -1);
    r->state = (uint8_t)d->action;
    count_state(st, d->action, 1);
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
    if (a_len == 7 && memcmp(a, "approve", 7) == 0)
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
    if (r->value && r->query && r->description)
        return 0;
    rec_dispose(r);
    return FIDX_ENOMEM;
}

/* A pending report of r's value from r's /64, or NULL. Pending reports are at most
 * max_pending and reports are rate-limited: a scan is cheap beside the fsync that follows. */
static const rec_t *pending_duplicate(const fidx__reports_t *st, const rec_t *r)
{
    for (size_t i = 0; r->net && i < st->n; i++) {
        const rec_t *p = &st->recs[i];
        if (p->state == FIDX__REPORT_PENDING && p->net == r->net && p->kind == r->kind &&
            p->value_len == r->value_len && memcmp(p->value, r->value, r->value_len) == 0)
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
    put_report_body(line, r);
    put_networks(line, r);
    fidx__sbuf_puts(line, "}\n");
    if (line->failed)
        return FIDX_ENOMEM;
    if ((e = grow(st)) != 0 || (e = write_line(st, line)) != 0)
        return e;
    return append_rec(st, r); /* cannot fail now: grow made room */
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

static int decide_locked(fidx__reports_t *st, rec_t *r, const fidx__report_decision_t *d,
                         int64_t now, fidx_err_t *err)
{
    fidx__sbuf_t line;
    rec_t tmp = *r;
    int e;
    if (r->state != FIDX__REPORT_PENDING)
        return fidx_err_set(err, FIDX_EINVAL, 0, "the report is already decided");
    /* The line is built from what the record will be, before anything changes. */
    tmp.state = (uint8_t)d->action;
    tmp.decided_by = (char *)d->by;
    tmp.reason = (char *)d->reason;
    tmp.has_status = (uint8_t)(d->has_status != 0);
    tmp.status = (uint8_t)d->status;
    tmp.categories = d->categories;
    fidx__sbuf_init(&line, LINE_MAX_BYTES);
    fidx__sbuf_puts(&line, "{\"type\":\"decision\"");
    put_kv_str(&line, "id", r->id, FIDX__REPORT_ID_LEN);
    put_time(&line, "time", now);
    put_decision_body(&line, &tmp, 0);
    fidx__sbuf_puts(&line, "}\n");
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
    for (size_t i = lo; i < st->n; i++) {
        if (st->recs[i].state != state)
            continue;
        if (called == limit) {
            *next = i > lo ? st->recs[i - 1].seq : after; /* after the last one looked at */
            break;
        }
        fidx__report_t v;
        view(&st->recs[i], &v);
        called++;
        if (cb(&v, ctx)) {
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
