/* The checks every citizen's report passes, whether it comes as JSON (POST /v1/reports,
 * reports.c) or from the page's plain HTML form (POST /report, page.c): a token of the client
 * address's bucket first (429 with Retry-After when empty; given back when the report turns
 * out invalid), then the fields, then the durable store (accepted only once fsynced). */
#include "routes/report_intake.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "fidx/normalize.h"
#include "reports/netaddr.h"
#include "reports/ratelimit.h"
#include "routes/common.h"
#include "routes/proxy.h"

#define PLATFORM_MAX 64
#define READ_ONLY_RETRY_S 5     /* a read-only replica takes over within about a second */
#define QUEUE_FULL_RETRY_S 600  /* analysts empty the queue in hours, not seconds */
#define STORE_FAILED_RETRY_S 60 /* a disk problem is an operator's, not a second's */
#define LOG_PERIOD_MS 1000
#define WIDE_SHARE 4 /* a /48's (or /24's) allowance, in /64 (or single address) allowances */
#define FAIR_SHARE_LEVEL 500 /* thousandths of a bucket: below half, capacity is scarce */
#define SCARCE_RETRY_S 60

/* Failed writes to the store (a full disk refuses every report) are logged once a second. */
static fidx__log_limit_t store_log;

static int pending_full(const fidx_err_t *err)
{
    return err->reason && strcmp(err->reason, FIDX__REPORTS_FULL) == 0;
}

static void refuse(fidx__report_outcome_t *o, int status, const char *code, fidx__field_t field,
                   const char *message)
{
    o->status = status;
    o->code = code;
    o->field = field;
    o->message = message;
}

/* Valid UTF-8 without control characters other than tab and line ends: 0, 1 (not UTF-8) or
 * 2 (a control character). *chars: characters, carriage returns not counted (a browser sends
 * each line end of a textarea as CRLF). */
static int utf8_text(fidx_str_t t, size_t *chars)
{
    *chars = 0;
    for (size_t i = 0; i < t.len;) {
        unsigned char c = (unsigned char)t.p[i];
        size_t n = c < 0x80             ? 1
                   : (c & 0xe0) == 0xc0 ? 2
                   : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4
                                        : 0;
        if (n == 0 || i + n > t.len || (n == 2 && c < 0xc2))
            return 1;
        for (size_t k = 1; k < n; k++)
            if (((unsigned char)t.p[i + k] & 0xc0) != 0x80)
                return 1;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return 2;
        *chars += c != '\r';
        i += n;
    }
    return 0;
}

/* The description: bounded, valid UTF-8, no control characters. NULL, or why not. */
static const char *check_text(fidx_str_t t)
{
    size_t chars;
    if (t.len > FIDX__REPORT_TEXT_MAX_BYTES)
        return "description too long";
    int r = utf8_text(t, &chars);
    return r == 1                                ? "description is not valid UTF-8"
           : r == 2                              ? "description has control characters"
           : chars > FIDX__REPORT_TEXT_MAX_CHARS ? "description too long"
                                                 : NULL;
}

/* amount_vnd: decimal digits, 0..FIDX__REPORT_AMOUNT_MAX. */
static int parse_amount(fidx_str_t s, int64_t *out)
{
    int64_t v = 0;
    if (s.len == 0 || s.len > 16)
        return -1;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return -1;
        v = v * 10 + (s.p[i] - '0');
    }
    if (v > FIDX__REPORT_AMOUNT_MAX)
        return -1;
    *out = v;
    return 0;
}

/* When it happened: a date, not after tomorrow (UTC: Vietnam is ahead of it). */
static int parse_date(fidx_str_t s, uint16_t *out)
{
    fidx_day_t day, today;
    char iso[16];
    time_t t = time(NULL) + 86400;
    struct tm tm;
    if (fidx_day_parse(s.p, s.len, &day) != 0 || !gmtime_r(&t, &tm) ||
        strftime(iso, sizeof iso, "%Y-%m-%d", &tm) != 10 || fidx_day_parse(iso, 10, &today) != 0 ||
        day > today)
        return -1;
    *out = day;
    return 0;
}

/* The optional fields (type, channel, date, amount_vnd, contact) into in. NULL, or why not
 * and, in *field, which field it is about (the page marks it). */
static const char *read_extras(const fidx__report_fields_t *f, fidx__report_input_t *in,
                               fidx__field_t *field)
{
    size_t chars;
    int channel;
    *field = FIDX__FIELD_NONE;
    if (f->type.len && fidx__report_type_parse(f->type.p, f->type.len, &in->type) != 0)
        return "type must be scam or dispute";
    *field = FIDX__FIELD_CHANNEL;
    if (f->channel.len) {
        if (fidx__report_channel_parse(f->channel.p, f->channel.len, &channel) != 0)
            return "channel must be call, sms, zalo, facebook, telegram, web or other";
        in->has_channel = 1;
        in->channel = (fidx__channel_t)channel;
    }
    *field = FIDX__FIELD_DATE;
    if (f->date.len && parse_date(f->date, &in->date) != 0)
        return "date must be a day (YYYY-MM-DD), not in the future";
    *field = FIDX__FIELD_AMOUNT;
    if (f->amount_vnd.len) {
        if (parse_amount(f->amount_vnd, &in->amount_vnd) != 0)
            return "amount_vnd must be a whole number of dong, 0 to 10^15";
        in->has_amount = 1;
    }
    *field = FIDX__FIELD_CONTACT;
    if (f->contact.len && in->type != FIDX__REPORT_DISPUTE)
        return "contact is for a dispute only: a scam report is stored without who sent it";
    if (f->contact.len > FIDX__REPORT_CONTACT_MAX || utf8_text(f->contact, &chars) != 0)
        return "contact must be at most 256 bytes of text";
    if (f->contact.len) {
        in->contact = f->contact.p;
        in->contact_len = f->contact.len;
    }
    *field = FIDX__FIELD_NONE;
    return NULL;
}

/* Reads kind, bank and category; 0, or -1 having refused. */
static int read_choices(const fidx__report_fields_t *f, fidx__report_outcome_t *o)
{
    if (fidx__kind_param(f->kind.p, f->kind.len, &o->kind) != 0) {
        refuse(o, 400, "bad_request", FIDX__FIELD_KIND, FIDX__KIND_HELP);
        return -1;
    }
    if (f->bank.len && !(o->bank = fidx_bank_find(f->bank.p, f->bank.len))) {
        refuse(o, 400, "bad_request", FIDX__FIELD_VALUE, "unknown bank");
        return -1;
    }
    if (o->bank && o->kind == FIDX_KIND_NONE)
        o->kind = FIDX_KIND_BANK_ACCOUNT;
    if (f->category.len && fidx_category_parse(f->category.p, f->category.len, &o->category)) {
        refuse(o, 400, "bad_request", FIDX__FIELD_CATEGORY, "unknown category");
        return -1;
    }
    return 0;
}

/* Everything but the rate limit and the store: 0 (the optional fields in *in), or -1 having
 * refused. */
static int validate(const fidx__report_fields_t *f, fidx__report_outcome_t *o, char *canon,
                    size_t *canon_len, fidx_kind_t *kind, fidx__report_input_t *in)
{
    char value[FIDX_MAX_VALUE_LEN + 16], platform[PLATFORM_MAX];
    size_t vlen;
    fidx_err_t err = {0};
    const char *bad;
    if (read_choices(f, o) != 0)
        return -1;
    if (f->value.len == 0) {
        refuse(o, 400, "invalid_value", FIDX__FIELD_VALUE, "missing value");
        return -1;
    }
    if (f->value.len > FIDX_MAX_VALUE_LEN ||
        fidx__bank_compose(o->bank, f->value.p, f->value.len, value, sizeof value, &vlen) != 0) {
        refuse(o, 400, "invalid_value", FIDX__FIELD_VALUE, "value too long");
        return -1;
    }
    if (f->platform.len >= PLATFORM_MAX ||
        memchr(f->platform.p ? f->platform.p : "", 0, f->platform.len)) {
        refuse(o, 400, "bad_request", FIDX__FIELD_VALUE, "platform must be a short string");
        return -1;
    }
    memcpy(platform, f->platform.p ? f->platform.p : "", f->platform.len);
    platform[f->platform.len] = '\0';
    if (fidx_normalize(o->kind, f->platform.len ? platform : NULL, value, vlen, kind, canon,
                       FIDX_CANON_CAP, canon_len, &err) != 0) {
        refuse(o, 400, "invalid_value", FIDX__FIELD_VALUE,
               err.reason ? err.reason : "invalid value");
        return -1;
    }
    if ((bad = check_text(f->description)) != NULL) {
        refuse(o, 400, "bad_request", FIDX__FIELD_DESCRIPTION, bad);
        return -1;
    }
    fidx__field_t field;
    if ((bad = read_extras(f, in, &field)) != NULL) {
        refuse(o, 400, "bad_request", field, bad);
        return -1;
    }
    return 0;
}

/* The client's networks: a subscriber's /64 and a customer's /48 (IPv4: /32 and /24). */
typedef struct {
    uint8_t host[16], wide[16], all[16];
} nets_t;

static void store(fidx__worker_t *w, const fidx__report_fields_t *f, const char *canon,
                  size_t canon_len, fidx_kind_t kind, const nets_t *nets, fidx__report_input_t *in,
                  fidx__report_outcome_t *o)
{
    in->net_key = nets->host;
    in->wide_key = nets->wide;
    in->kind = kind;
    in->value = canon;
    in->value_len = canon_len;
    in->query = f->value.p ? f->value.p : "";
    in->query_len = f->value.len;
    in->category = o->category;
    in->description = f->description.p ? f->description.p : "";
    in->description_len = f->description.len;
    fidx_err_t err = {0};
    int e = fidx__reports_add(w->svc->reports, in, (int64_t)time(NULL), o->id, &o->merged, &err);
    if (e == 0) {
        o->status = 202;
        o->kind = kind;
        return;
    }
    if (e == FIDX_EIO)
        fidx__log_limited(&store_log, LOG_PERIOD_MS, FIDX__LOG_ERROR,
                          "cannot store a report in %s: %s", w->cfg->data_dir, strerror(errno));
    if (e == FIDX_EINVAL) {
        refuse(o, 400, "bad_request", FIDX__FIELD_NONE, err.reason);
    } else if (e == FIDX_ELIMIT && pending_full(&err)) {
        refuse(o, 503, "unavailable", FIDX__FIELD_NONE,
               "too many reports are waiting for review; try again later");
        o->retry_after = QUEUE_FULL_RETRY_S;
    } else if (e == FIDX_ELIMIT) {
        refuse(o, 429, "rate_limited", FIDX__FIELD_NONE,
               "too many reports from your network are waiting for review; try again later");
        o->retry_after = QUEUE_FULL_RETRY_S;
    } else {
        refuse(o, 503, "unavailable", FIDX__FIELD_NONE,
               "the report cannot be stored now; try again later");
        o->retry_after = STORE_FAILED_RETRY_S;
    }
}

/* The RateLimit fields of an anonymous report (routes/limits.h has the form): the address's
 * bucket and, when it was asked, the network's. */
static void ratelimit_lines(const fidx__config_t *cfg, const fidx__ratelimit_info_t *host,
                            const fidx__ratelimit_info_t *wide, fidx__report_outcome_t *o)
{
    uint64_t wide_rate = (uint64_t)cfg->report_rate * WIDE_SHARE;
    int n = snprintf(o->ratelimit, sizeof o->ratelimit,
                     "RateLimit-Policy: \"addr\";q=%u;w=%u, \"net\";q=%llu;w=%u\r\n"
                     "RateLimit: \"addr\";r=%u;t=%u",
                     (unsigned)cfg->report_rate, (unsigned)cfg->report_period_s,
                     (unsigned long long)wide_rate, (unsigned)cfg->report_period_s, host->remaining,
                     host->reset_s);
    if (n > 0 && (size_t)n < sizeof o->ratelimit && wide)
        n += snprintf(o->ratelimit + n, sizeof o->ratelimit - (size_t)n, ", \"net\";r=%u;t=%u",
                      wide->remaining, wide->reset_s);
    if (n > 0 && (size_t)n + 3 <= sizeof o->ratelimit)
        memcpy(o->ratelimit + n, "\r\n", 3);
    else
        o->ratelimit[0] = '\0';
}

/* Takes a token from each of the client's buckets: its /64, its /48 and everyone's. 1, or 0
 * with the ones taken given back and the refusal set. */
static int take_tokens(fidx__service_t *svc, const nets_t *n, int keyed, uint64_t now,
                       fidx__report_outcome_t *o)
{
    if (keyed) { /* the key's bucket decided; everyone's still counts */
        if (fidx__ratelimit_take_key(svc->report_limit_all, n->all, now, &o->retry_after))
            return 1;
        refuse(o, 429, "rate_limited", FIDX__FIELD_NONE,
               "too many reports are arriving right now; try again later");
        return 0;
    }
    fidx__ratelimit_info_t hi, wi = {0};
    int host_ok = fidx__ratelimit_take_info(svc->report_limit, n->host, now, &hi);
    int wide_ok = host_ok && fidx__ratelimit_take_info(svc->report_limit_wide, n->wide, now, &wi);
    if (svc->cfg.report_rate)
        ratelimit_lines(&svc->cfg, &hi, host_ok ? &wi : NULL, o);
    if (!host_ok) {
        o->retry_after = hi.retry_after_s;
        refuse(o, 429, "rate_limited", FIDX__FIELD_NONE,
               "too many reports from this address; try again later");
        return 0;
    }
    if (!wide_ok) {
        o->retry_after = wi.retry_after_s;
        fidx__ratelimit_refund_key(svc->report_limit, n->host, now);
        refuse(o, 429, "rate_limited", FIDX__FIELD_NONE,
               "too many reports from this network; try again later");
        return 0;
    }
    /* Fair shares: once everyone's bucket is half empty, networks that have used more than
     * half of their own allowance lately wait, so that those who sent little still get in
     * while a flood from many networks drains what is left. */
    int scarce = fidx__ratelimit_level_key(svc->report_limit_all, n->all, now) < FAIR_SHARE_LEVEL &&
                 fidx__ratelimit_level_key(svc->report_limit_wide, n->wide, now) < FAIR_SHARE_LEVEL;
    if (scarce || !fidx__ratelimit_take_key(svc->report_limit_all, n->all, now, &o->retry_after)) {
        fidx__ratelimit_refund_key(svc->report_limit, n->host, now);
        fidx__ratelimit_refund_key(svc->report_limit_wide, n->wide, now);
        refuse(o, 429, "rate_limited", FIDX__FIELD_NONE,
               "too many reports are arriving right now; try again later");
        if (scarce)
            o->retry_after = SCARCE_RETRY_S;
        return 0;
    }
    return 1;
}

static void refund_tokens(fidx__service_t *svc, const nets_t *n, int keyed, uint64_t now)
{
    if (!keyed) {
        fidx__ratelimit_refund_key(svc->report_limit, n->host, now);
        fidx__ratelimit_refund_key(svc->report_limit_wide, n->wide, now);
    }
    fidx__ratelimit_refund_key(svc->report_limit_all, n->all, now);
}

void fidx__report_submit(fidx__worker_t *w, const char *client, const fidx__report_fields_t *f,
                         fidx__report_outcome_t *o)
{
    char canon[FIDX_CANON_CAP];
    size_t canon_len = 0;
    fidx_kind_t kind = FIDX_KIND_NONE;
    uint64_t now = fidx__clock_mono_ms();
    memset(o, 0, sizeof *o);
    o->kind = FIDX_KIND_NONE;
    o->category = -1;
    if (!w->svc->report_limit) {
        refuse(o, 503, "unavailable", FIDX__FIELD_NONE, "reports are not accepted here");
        return;
    }
    if (w->cfg->follow_url) {
        refuse(o, 503, "not_writer", FIDX__FIELD_NONE,
               "this server is a read-only replica: reports go to its writer");
        o->retry_after = READ_ONLY_RETRY_S;
        return;
    }
    if (!w->svc->reports) {
        refuse(o, 503, "read_only", FIDX__FIELD_NONE,
               "this server does not take reports now (another process holds its data "
               "directory); try again shortly");
        o->retry_after = READ_ONLY_RETRY_S;
        return;
    }
    nets_t nets;
    fidx__net_key(client, FIDX__NET_HOST_V6, FIDX__NET_HOST_V4, nets.host);
    fidx__net_key(client, FIDX__NET_WIDE_V6, FIDX__NET_WIDE_V4, nets.wide);
    memset(nets.all, 0, sizeof nets.all);
    int keyed = f->reporter != NULL;
    if (!take_tokens(w->svc, &nets, keyed, now, o))
        return;
    fidx__report_input_t in = {0};
    in.reporter = f->reporter;
    if (validate(f, o, canon, &canon_len, &kind, &in) == 0)
        store(w, f, canon, canon_len, kind, &nets, &in, o);
    if (o->status == 400)
        refund_tokens(w->svc, &nets, keyed, now);
}

int fidx__report_intake_open_store(fidx__service_t *svc)
{
    const fidx__config_t *cfg = &svc->cfg;
    fidx_err_t err = {0};
    fidx__reports_t *st;
    if (fidx__reports_open(cfg->data_dir, cfg->max_pending_reports, &st, &err) != 0) {
        fidx__log(FIDX__LOG_ERROR, "%s: %s: %s", cfg->data_dir, err.reason, strerror(errno));
        return -1;
    }
    if (fidx__reports_skipped(st))
        fidx__log(FIDX__LOG_WARN, "%s/reports.jsonl: %zu lines could not be read and were skipped",
                  cfg->data_dir, fidx__reports_skipped(st));
    fidx__reports_set_network_cap(st, cfg->max_pending_per_network);
    atomic_store(&svc->reports, st); /* workers see the whole store or none */
    return 0;
}

int fidx__report_intake_start(fidx__service_t *svc, int holds_data_dir)
{
    const fidx__config_t *cfg = &svc->cfg;
    if (holds_data_dir && fidx__report_intake_open_store(svc) != 0)
        return -1;
    /* A customer's /48 (or an IPv4 /24) may send what WIDE_SHARE subscribers may; everyone
     * together, what --report-global-rate allows. rate 0 turns every limit off. */
    uint32_t wide_rate =
        cfg->report_rate > UINT32_MAX / WIDE_SHARE ? UINT32_MAX : cfg->report_rate * WIDE_SHARE;
    uint32_t wide_burst = cfg->report_burst * WIDE_SHARE;
    if (fidx__ratelimit_new(cfg->report_rate, cfg->report_period_s, cfg->report_burst,
                            &svc->report_limit) != 0 ||
        fidx__ratelimit_new(
            wide_rate > FIDX__RATELIMIT_RATE_MAX ? FIDX__RATELIMIT_RATE_MAX : wide_rate,
            cfg->report_period_s,
            wide_burst > FIDX__RATELIMIT_BURST_MAX ? FIDX__RATELIMIT_BURST_MAX : wide_burst,
            &svc->report_limit_wide) != 0 ||
        fidx__ratelimit_new(cfg->report_rate ? cfg->report_global_rate : 0,
                            cfg->report_global_period_s, cfg->report_global_burst,
                            &svc->report_limit_all) != 0) {
        fidx__log(FIDX__LOG_ERROR, "out of memory");
        return -1;
    }
    return 0;
}

void fidx__report_intake_stop(fidx__service_t *svc)
{
    fidx__reports_free(svc->reports);
    svc->reports = NULL;
    fidx__ratelimit_free(svc->report_limit);
    fidx__ratelimit_free(svc->report_limit_wide);
    fidx__ratelimit_free(svc->report_limit_all);
    svc->report_limit = svc->report_limit_wide = svc->report_limit_all = NULL;
}

void fidx__report_submit_req(const fidx__req_t *req, const fidx__report_fields_t *f,
                             fidx__report_outcome_t *out)
{
    fidx__client_t client;
    fidx__proxy_req_client(req, &client);
    fidx__report_fields_t fields = *f;
    fields.reporter = req->principal[0] ? req->principal : NULL;
    fidx__report_submit(req->w, client.text, &fields, out);
}
