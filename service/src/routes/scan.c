/* POST /v1/scan: {"text":"…"} → every indicator found in a post, each checked like GET
 * /v1/check, and the post's verdict: block when any indicator is a scam, review when any is
 * suspicious, allow otherwise (an allowlisted one never raises it). The verdict covers every
 * indicator in the text, not only the matches listed (at most FIDX_SCAN_MAX_MATCHES, then
 * "truncated"): decoys placed before a scam number must not hide it. Each distinct value is
 * looked up once, so the cost is bounded by the 64 KiB text (bench/RESULTS.md). Offsets are
 * bytes into the text as sent (the JSON string once decoded). The workspace (~1.9 MiB) is the
 * worker's, made on its first scan and reused.
 *
 * {"texts":[…]} (a batch: at most FIDX__SCAN_MAX_TEXTS texts, FIDX__SCAN_MAX_BATCH_BYTES in
 * all) answers {"results":[…]}, each text as a single scan answers it, or its own error in
 * place. A value found in several texts of a batch is looked up once (the batch's memory of
 * values below); a bot's batch often repeats the same number or link. A batch body of the
 * usual shape is read in place (batch_items.c), as POST /v1/check's is: jansson took half
 * the time of a batch of short posts (bench/RESULTS.md); anything else goes to jansson. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fidx/lookup.h"
#include "fidx/scan.h"
#include "http/json_body.h"
#include "routes/batch_items.h"
#include "routes/common.h"
#include "routes/handlers.h"
#include "routes/related.h"
#include "routes/scan.h"

/* What one scan knows of each of its values: whether it was looked up and its verdict, and
 * where the JSON of its result sits in the answer once a listed match has written it
 * (json_len 0: not written yet). */
typedef struct {
    uint8_t state; /* VALUE_NEW, VALUE_JUDGED, VALUE_UNREADABLE */
    uint8_t verdict;
    uint16_t categories; /* of the entry that decided, for related warnings (0: none) */
    uint32_t json_at, json_len;
} value_state_t;
enum { VALUE_NEW, VALUE_JUDGED, VALUE_UNREADABLE };

/* The batch's memory of values: what an earlier text of the same request learnt of a value
 * (kind and canonical form). Open addressing over SEEN_SLOTS slots, a slot live when its gen
 * is the request's, so nothing is cleared between requests; the canonical forms are copied
 * into key. When it is full (SEEN_MAX values or SEEN_KEY_BYTES of them), further values are
 * looked up as a single scan would: the cap bounds the memory, not the answer. */
#define SEEN_SLOTS 4096 /* a power of two, twice SEEN_MAX */
#define SEEN_MAX 2048
#define SEEN_KEY_BYTES (128 * 1024)
typedef struct {
    uint32_t gen;
    uint32_t key_at, key_len;
    uint64_t hash;
    value_state_t st;
} seen_t;

struct fidx__scan_ws {
    fidx_scan_result_t res;
    value_state_t v[FIDX_SCAN_MAX_FOUND];
    int scam, suspicious;
    /* the batch's memory (used only for {"texts":[…]}) */
    uint32_t gen, nseen, key_len;
    seen_t seen[SEEN_SLOTS];
    uint32_t seen_of[FIDX_SCAN_MAX_FOUND]; /* value i → its slot + 1, 0 when not kept */
    char key[SEEN_KEY_BYTES];
    /* a batch body read in place: the reader, and a text decoded from its escapes */
    fidx__batch_reader_t reader;
    char text[FIDX_SCAN_MAX_TEXT];
};

/* Looks value i up: its verdict is kept, and the result is left in w->result. */
static value_state_t *judge(fidx__worker_t *w, size_t i)
{
    struct fidx__scan_ws *ws = w->scan_ws;
    value_state_t *st = &ws->v[i];
    const fidx_scan_value_t *val = &ws->res.values[i];
    fidx_err_t err = {0};
    if (fidx__lookup(w, val->kind, NULL, val->canonical.p, val->canonical.len, &err)) {
        st->state = VALUE_UNREADABLE; /* not a value the snapshot can hold: it judges nothing */
        return st;
    }
    st->state = VALUE_JUDGED;
    st->verdict = (uint8_t)w->result.verdict;
    st->categories = w->result.has_match && w->result.match.status != FIDX_STATUS_ALLOWLISTED
                         ? w->result.match.categories
                         : 0;
    ws->scam |= w->result.verdict == FIDX_VERDICT_SCAM;
    ws->suspicious |= w->result.verdict == FIDX_VERDICT_SUSPICIOUS;
    return st;
}

/* The lookup result's members for a match: written from a fresh lookup the first time its
 * value is listed, copied from the earlier match's after that (in a batch, possibly one of an
 * earlier text). */
static int put_result(fidx__worker_t *w, size_t value, fidx__sbuf_t *out)
{
    value_state_t *st = &w->scan_ws->v[value];
    if (st->state == VALUE_JUDGED && st->json_len) { /* reserved first: growing moves them */
        if (fidx__sbuf_reserve(out, st->json_len) != 0)
            return FIDX_ENOMEM;
        memcpy(out->p + out->len, out->p + st->json_at, st->json_len);
        out->len += st->json_len;
        return 1;
    }
    if (st->state == VALUE_UNREADABLE || judge(w, value)->state != VALUE_JUDGED)
        return 0;
    if (fidx__sbuf_reserve(out, FIDX_CHECK_JSON_MAX) != 0)
        return FIDX_ENOMEM;
    size_t n = fidx_result_json_members(&w->result, out->p + out->len, out->cap - out->len);
    st->json_at = (uint32_t)out->len;
    st->json_len = (uint32_t)n;
    out->len += n;
    return 1;
}

/* A bank account the scanner found as a VietQR payload says so, with what the payload holds
 * (docs/API.md): its result is its account's, shared with every match of that account, so
 * these members are the match's own. */
static int put_payload(const char *p, size_t len, fidx__sbuf_t *out)
{
    fidx_emvco_t q;
    if (!fidx_check_is_payload(p, len) || fidx_emvco_parse(p, len, &q, NULL) != 0)
        return 0;
    if (fidx__sbuf_reserve(out, 4096) != 0)
        return FIDX_ENOMEM;
    out->p[out->len++] = ',';
    out->len += fidx_result_qr_json_members(&q, out->p + out->len, out->cap - out->len);
    return 0;
}

/* Appends one match: where it is, what it reads as, and its lookup result. 1 when written, 0
 * when its value could not be looked up (nothing written), FIDX_ENOMEM. */
static int put_match(fidx__worker_t *w, const char *text, const fidx_scan_match_t *m,
                     fidx__sbuf_t *out)
{
    size_t mark = out->len;
    fidx__sbuf_puts(out, "{\"text\":");
    fidx__sbuf_json_string(out, text + m->start, m->end - m->start);
    fidx__sbuf_puts(out, ",\"start\":");
    fidx__sbuf_putu(out, m->start);
    fidx__sbuf_puts(out, ",\"end\":");
    fidx__sbuf_putu(out, m->end);
    fidx__sbuf_put(out, ",", 1);
    int r = put_result(w, m->value, out);
    if (r <= 0) {
        out->len = mark;
        return r;
    }
    if (m->kind == FIDX_KIND_BANK_ACCOUNT && put_payload(text + m->start, m->end - m->start, out))
        return FIDX_ENOMEM;
    fidx__sbuf_puts(out, "}");
    return r;
}

static int put_matches(fidx__worker_t *w, const char *text, fidx__sbuf_t *out)
{
    const fidx_scan_result_t *res = &w->scan_ws->res;
    int n = 0;
    for (size_t i = 0; i < res->n; i++) {
        size_t mark = out->len;
        if (n)
            fidx__sbuf_put(out, ",", 1);
        int r = put_match(w, text, &res->m[i], out);
        if (r < 0)
            return r;
        if (r == 0)
            out->len = mark;
        n += r;
    }
    return 0;
}

static const char *post_verdict(const struct fidx__scan_ws *ws)
{
    return ws->scam ? "block" : ws->suspicious ? "review" : "allow";
}

/* The worker's scan workspace, made on its first scan; NULL when out of memory. */
static struct fidx__scan_ws *workspace(fidx__worker_t *w)
{
    if (!w->scan_ws)
        w->scan_ws = calloc(1, sizeof *w->scan_ws);
    return w->scan_ws;
}

/* Scans text into the worker's workspace. */
static int scan_text(fidx__worker_t *w, const char *text, size_t len)
{
    fidx_err_t err = {0};
    if (!workspace(w))
        return FIDX_ENOMEM;
    return fidx_scan(w->svc->scanner, text, len, &w->scan_ws->res, &err);
}

const fidx_scan_result_t *fidx__scan_found(fidx__worker_t *w, const char *text, size_t len, int *rc)
{
    *rc = scan_text(w, text, len);
    return *rc ? NULL : &w->scan_ws->res;
}

/* FNV-1a over the kind and the canonical form: values are short, and the table is small. */
static uint64_t value_hash(const fidx_scan_value_t *val)
{
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)val->kind;
    for (size_t i = 0; i < val->canonical.len; i++)
        h = (h ^ (unsigned char)val->canonical.p[i]) * 0x100000001b3ull;
    return h;
}

/* The slot of value val in the batch's memory, added when new; NULL when the memory is full. */
static seen_t *seen_slot(struct fidx__scan_ws *ws, const fidx_scan_value_t *val)
{
    uint64_t h = value_hash(val);
    for (uint32_t k = (uint32_t)h & (SEEN_SLOTS - 1);; k = (k + 1) & (SEEN_SLOTS - 1)) {
        seen_t *s = &ws->seen[k];
        if (s->gen != ws->gen) {
            size_t n = val->canonical.len;
            if (ws->nseen >= SEEN_MAX || n > SEEN_KEY_BYTES - ws->key_len)
                return NULL;
            *s = (seen_t){.gen = ws->gen, .key_at = ws->key_len, .key_len = (uint32_t)n, .hash = h};
            memcpy(ws->key + ws->key_len, val->canonical.p, n);
            ws->key_len += (uint32_t)n;
            ws->nseen++;
            return s;
        }
        if (s->hash == h && s->key_len == val->canonical.len &&
            memcmp(ws->key + s->key_at, val->canonical.p, s->key_len) == 0)
            return s; /* the kind is in the hash; a clash of kinds is judged again, harmless */
    }
}

/* Before a batch's text is answered: each value an earlier text judged starts from what it
 * learnt (its verdict counts for this post too; its JSON is copied, not written again). */
static void recall_values(struct fidx__scan_ws *ws)
{
    for (size_t i = 0; i < ws->res.nvalues; i++) {
        seen_t *s = seen_slot(ws, &ws->res.values[i]);
        ws->seen_of[i] = s ? (uint32_t)(s - ws->seen) + 1 : 0;
        if (!s || s->st.state == VALUE_NEW)
            continue;
        ws->v[i] = s->st;
        ws->scam |= s->st.state == VALUE_JUDGED && s->st.verdict == FIDX_VERDICT_SCAM;
        ws->suspicious |= s->st.state == VALUE_JUDGED && s->st.verdict == FIDX_VERDICT_SUSPICIOUS;
    }
}

/* After: what this text learnt is kept for the next ones. */
static void remember_values(struct fidx__scan_ws *ws)
{
    for (size_t i = 0; i < ws->res.nvalues; i++)
        if (ws->seen_of[i] && ws->v[i].state != VALUE_NEW)
            ws->seen[ws->seen_of[i] - 1].st = ws->v[i];
}

/* ,"warnings":[…]: the warnings related to the post's values (routes/related.h), once each,
 * when there are some. */
static void put_related(fidx__worker_t *w, fidx__sbuf_t *out)
{
    const struct fidx__scan_ws *ws = w->scan_ws;
    uint32_t all[FIDX__WARNINGS_RELATED_MAX], at[FIDX__WARNINGS_RELATED_MAX];
    size_t n_all = 0;
    for (size_t i = 0; i < ws->res.nvalues && n_all < FIDX__WARNINGS_RELATED_MAX; i++) {
        const fidx_scan_value_t *val = &ws->res.values[i];
        if (ws->v[i].state != VALUE_JUDGED)
            continue;
        size_t n = fidx__related_value(w, val->kind, val->canonical.p, val->canonical.len,
                                       ws->v[i].categories, at, FIDX__WARNINGS_RELATED_MAX);
        for (size_t k = 0; k < n && n_all < FIDX__WARNINGS_RELATED_MAX; k++) {
            size_t j = 0;
            while (j < n_all && all[j] != at[k])
                j++;
            if (j == n_all)
                all[n_all++] = at[k];
        }
    }
    fidx__related_ids(w, all, n_all, out);
}

/* Appends one text's answer. 0; FIDX_ENOMEM; or a scan's error (nothing appended). */
static int put_scan(fidx__worker_t *w, const char *text, size_t len, int batch, fidx__sbuf_t *out)
{
    int rc = scan_text(w, text, len);
    if (rc != 0)
        return rc;
    struct fidx__scan_ws *ws = w->scan_ws;
    memset(ws->v, 0, ws->res.nvalues * sizeof ws->v[0]);
    ws->scam = ws->suspicious = 0;
    if (batch)
        recall_values(ws);
    fidx__sbuf_puts(out, "{\"matches\":[");
    if (put_matches(w, text, out) != 0)
        return FIDX_ENOMEM;
    /* The values no listed match showed: they judge the post all the same. */
    for (size_t i = 0; i < ws->res.nvalues; i++)
        if (ws->v[i].state == VALUE_NEW)
            (void)judge(w, i);
    if (batch)
        remember_values(ws);
    fidx__sbuf_puts(out, ws->res.truncated ? "],\"truncated\":true,\"verdict\":\""
                                           : "],\"truncated\":false,\"verdict\":\"");
    fidx__sbuf_puts(out, post_verdict(ws));
    fidx__sbuf_puts(out, "\"");
    put_related(w, out); /* "warnings" when some concern the post */
    fidx__sbuf_puts(out, "}");
    return out->failed ? FIDX_ENOMEM : 0;
}

int fidx__scan_json(fidx__worker_t *w, const char *text, size_t len, fidx__sbuf_t *out,
                    const char **verdict)
{
    int rc = put_scan(w, text, len, 0, out);
    if (rc == 0)
        *verdict = post_verdict(w->scan_ws);
    return rc;
}

static const char *scan_error(int rc)
{
    return rc == FIDX_ETOOBIG ? "text is longer than 64 KiB"
                              : "text holds more indicators than a scan can judge";
}

static void answer(fidx__worker_t *w, const char *text, size_t len, fidx__resp_t *resp)
{
    int rc = put_scan(w, text, len, 0, resp->body);
    if (rc == FIDX_ENOMEM)
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
    else if (rc != 0)
        fidx__resp_error(resp, 413, "too_large", scan_error(rc));
}

static void item_error(fidx__sbuf_t *out, const char *code, const char *message)
{
    fidx__sbuf_puts(out, "{\"error\":{\"code\":\"");
    fidx__sbuf_puts(out, code);
    fidx__sbuf_puts(out, "\",\"message\":");
    fidx__sbuf_json_string(out, message, strlen(message));
    fidx__sbuf_puts(out, "}}");
}

/* The texts of a batch, from jansson's array or read in place. */
typedef struct {
    json_t *array; /* NULL: in place, from the workspace's reader */
    size_t i;
} texts_t;

/* The next text: 1 and *t (a string), 0 for an item that is not a string, -1 after the last. */
static int next_text(struct fidx__scan_ws *ws, texts_t *it, fidx_str_t *t)
{
    if (!it->array)
        return fidx__batch_texts_next(&ws->reader, ws->text, sizeof ws->text, t) == 0 ? 1 : -1;
    if (it->i >= json_array_size(it->array))
        return -1;
    json_t *v = json_array_get(it->array, it->i++);
    if (!json_is_string(v))
        return 0;
    *t = fidx_str(json_string_value(v), json_string_length(v));
    return 1;
}

/* The limits of a batch as a whole, before any text is scanned: 0, or the answer is set. */
static int batch_limits(size_t n, size_t bytes, fidx__resp_t *resp)
{
    if (n > FIDX__SCAN_MAX_TEXTS) {
        fidx__resp_errorf(resp, 413, "too_large", "at most %d texts per request",
                          FIDX__SCAN_MAX_TEXTS);
        return -1;
    }
    if (bytes > FIDX__SCAN_MAX_BATCH_BYTES) {
        fidx__resp_error(resp, 413, "too_large", "the texts hold more than 1 MiB in all");
        return -1;
    }
    return 0;
}

static void answer_batch(fidx__worker_t *w, texts_t *texts, fidx__resp_t *resp)
{
    struct fidx__scan_ws *ws = w->scan_ws;
    fidx__sbuf_t *out = resp->body;
    fidx_str_t t;
    int got;
    if (++ws->gen == 0) { /* wrapped: every slot's gen could be live again */
        memset(ws->seen, 0, sizeof ws->seen);
        ws->gen = 1;
    }
    ws->nseen = ws->key_len = 0;
    fidx__sbuf_puts(out, "{\"results\":[");
    for (size_t i = 0; (got = next_text(ws, texts, &t)) >= 0; i++) {
        if (i)
            fidx__sbuf_put(out, ",", 1);
        int rc = got ? put_scan(w, t.p, t.len, 1, out) : FIDX_EINVAL;
        if (rc == FIDX_ENOMEM) {
            fidx__resp_error(resp, 503, "unavailable", "out of memory");
            return;
        }
        if (rc == FIDX_EINVAL)
            item_error(out, "bad_request", "a text must be a string");
        else if (rc != 0)
            item_error(out, "too_large", scan_error(rc));
    }
    fidx__sbuf_puts(out, "]}");
}

/* A body jansson reads: {"text":…}, or {"texts":[…]} of another shape than the usual. */
void fidx__route_scan_jansson(const fidx__req_t *req, fidx__resp_t *resp)
{
    json_t *root = fidx__json_body(req, resp, 0, 1);
    if (!root)
        return;
    json_t *text = json_is_object(root) ? json_object_get(root, "text") : NULL;
    json_t *texts = json_is_object(root) ? json_object_get(root, "texts") : NULL;
    if (text && !texts && json_is_string(text)) {
        answer(req->w, json_string_value(text), json_string_length(text), resp);
    } else if (texts && !text && json_is_array(texts)) {
        size_t i, bytes = 0;
        json_t *v;
        json_array_foreach(texts, i, v) bytes += json_is_string(v) ? json_string_length(v) : 0;
        texts_t it = {texts, 0};
        if (batch_limits(json_array_size(texts), bytes, resp) == 0) {
            if (workspace(req->w))
                answer_batch(req->w, &it, resp);
            else
                fidx__resp_error(resp, 503, "unavailable", "out of memory");
        }
    } else {
        fidx__resp_error(resp, 400, "bad_request",
                         "the body must be {\"text\":\"...\"} or {\"texts\":[...]}");
    }
    json_decref(root);
}

void fidx__route_scan(const fidx__req_t *req, fidx__resp_t *resp)
{
    struct fidx__scan_ws *ws = workspace(req->w);
    size_t n, bytes;
    if (!ws || !fidx__json_content_type(req) ||
        fidx__batch_texts_start(&ws->reader, req->body, req->body_len, sizeof ws->text, &n,
                                &bytes) != 0) {
        fidx__route_scan_jansson(req, resp); /* it also answers the errors */
        return;
    }
    texts_t it = {NULL, 0};
    if (batch_limits(n, bytes, resp) == 0)
        answer_batch(req->w, &it, resp);
}
