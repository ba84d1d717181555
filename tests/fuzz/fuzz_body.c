/* Fuzz target for what the public routes read from a request: JSON bodies (POST /v1/check,
 * /v1/scan, /v1/reports), the citizens' report form (POST /report) and query strings (GET
 * /v1/check, GET /check), through the service's own routing and handlers (routes/router.c,
 * http/json_body.c, each route file, http/query.c) on a real service (service_fixture.h).
 * libFuzzer; replayed by ctest (docs/FUZZING.md).
 *
 * Input: byte 0 picks the request (requests[] below), byte 1 its Content-Type
 * (content_types[]), the rest is the body, or the query string of a GET.
 *
 * Properties:
 * - the status is one the contract names for the route (never 500), the body is valid UTF-8,
 *   a JSON answer parses and an error answer is {"error":{"code":…,"message":…}};
 * - a page names only tags the page's own templates use: whatever the input, it cannot add
 *   markup (every '<' it echoes is escaped). A whole message's page (issue 15) holds markup per
 *   value found: each place highlighted (a <mark> and its verdict's <span>) and each value
 *   listed (an <li class="found">) is counted apart, against the most tags one of them holds
 *   on ordinary message pages, and there are no more of them than the page shows
 *   (FIDX__PAGE_MAX_MARKS, FIDX__PAGE_MAX_FOUND); the rest of the page against ordinary pages;
 * - a batch answers one result per item, in order, each what fidx_check says of that item
 *   (query, kind, canonical form, verdict) or an error where fidx_check refuses it; and the
 *   in-place readers of batch bodies (checks and scans) answer exactly what the jansson
 *   path answers;
 * - a batch scan answers one result per text, each a scan of it or an error for a text that
 *   is not a string or is too long;
 * - a scan's matches lie inside the text, in order, without overlap, each quoting its own
 *   slice of the text; the post's verdict is block exactly when a match is a scam, review
 *   when none is and one is suspicious (when the list is truncated, the indicators not
 *   listed may raise it, never lower it);
 * - a report answered 202 is in the store, pending;
 * - a body that is not JSON (text/plain) is refused with 400 before it is read;
 * - the same request asked twice gets the same answer (reports aside: each is stored). */
#include <jansson.h>
#include <string.h>

#include "fidx/lookup.h"
#include "fidx/scan.h"
#include "fidx/snapshot.h"
#include "fuzz_common.h"
#include "http_parser.h"
#include "reports/reports.h"
#include "routes/handlers.h"
#include "routes/router.h"
#include "service_fixture.h"
#include "web/page_render.h"

enum { R_BATCH, R_SCAN, R_REPORT, R_FORM_REPORT, R_CHECK_GET, R_PAGE_CHECK, R_COUNT };

static const struct {
    int method;
    const char *path;
    int is_json_api; /* the body is JSON and so is the answer */
} requests[R_COUNT] = {
    [R_BATCH] = {HTTP_POST, "/v1/check", 1},    [R_SCAN] = {HTTP_POST, "/v1/scan", 1},
    [R_REPORT] = {HTTP_POST, "/v1/reports", 1}, [R_FORM_REPORT] = {HTTP_POST, "/report", 0},
    [R_CHECK_GET] = {HTTP_GET, "/v1/check", 0}, [R_PAGE_CHECK] = {HTTP_GET, "/check", 0},
};

static const char *const content_types[] = {
    NULL,
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/problem+json; charset=latin1",
};
#define N_CONTENT_TYPES (sizeof content_types / sizeof content_types[0])

typedef struct {
    int status;
    const char *content_type;
    char *body; /* a copy, NUL-terminated */
    size_t len;
} answer_t;

/* request.c splits an origin-form target by hand: into the path and query that
 * http_parser_parse_url finds, for every target http-parser accepts. */
static void same_split_as_http_parser(const fidx__req_t *req)
{
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(req->target.p, req->target.len, 0, &u) != 0)
        return; /* http-parser refuses it in the request line: it never reaches a route */
    fidx_str_t path = FIDX_STR("/"), query = fidx_str(NULL, 0);
    if (u.field_set & (1 << UF_PATH))
        path = fidx_str(req->target.p + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
    if (u.field_set & (1 << UF_QUERY))
        query = fidx_str(req->target.p + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
    FUZZ_CHECK(req->path.len == path.len && memcmp(req->path.p, path.p, path.len) == 0 &&
                   req->query.len == query.len && (query.p == NULL) == (req->query.p == NULL) &&
                   (!query.len || memcmp(req->query.p, query.p, query.len) == 0),
               "the target was split otherwise than http_parser_parse_url splits it");
}

typedef void (*handler_t)(const fidx__req_t *req, fidx__resp_t *resp);

/* The answer of `handler` (NULL: the router) to one request. */
static answer_t ask_with(handler_t handler, int method, const char *path, const char *query,
                         size_t query_len, const char *ctype, const char *body, size_t body_len)
{
    const fuzz_service_t *fs = fuzz_service();
    fidx__worker_t *w = fs->w;
    size_t plen = strlen(path);
    char *target = malloc(plen + 1 + query_len); /* exactly the target: ASan sees past it */
    FUZZ_CHECK(target != NULL, "out of memory in the harness");
    memcpy(target, path, plen);
    size_t tlen = plen;
    if (query) {
        target[tlen++] = '?';
        memcpy(target + tlen, query, query_len);
        tlen += query_len;
    }
    fidx__req_t req = {
        .w = w,
        .method = method,
        .http_major = 1,
        .http_minor = 1,
        .target = fidx_str(target, tlen),
        .body = body,
        .body_len = body_len,
        .content_type = fidx_str(ctype, ctype ? strlen(ctype) : 0),
        .peer = "127.0.0.1",
    };
    fidx__resp_t resp;
    answer_t a = {0, NULL, NULL, 0};
    /* As conn.c does: the target split and the application's on_head when the headers are in,
     * then the handler it picked. */
    fidx__sbuf_reset(&w->scratch, 1024 * 1024);
    fidx__resp_init(&resp, &w->scratch);
    if (fidx__req_split_target(&req) != 0) {
        free(target);
        return a; /* status 0: the connection answers 400 before any route (fuzz_conn) */
    }
    same_split_as_http_parser(&req);
    req.has_body = body_len > 0;
    req.max_body = w->cfg->max_body_bytes;
    if (w->app->on_head(&req, &resp) == 0) {
        resp.route = req.route;
        if (handler)
            handler(&req, &resp);
        else
            req.handler(&req, &resp);
    }
    FUZZ_CHECK(!resp.body->failed, "an answer outgrew the response buffer");
    a.status = resp.status;
    a.content_type = resp.content_type;
    a.len = resp.body->len;
    a.body = fuzz_dup(resp.body->p, a.len + 1);
    a.body[a.len] = '\0';
    free(target);
    return a;
}

static answer_t ask(int method, const char *path, const char *query, size_t query_len,
                    const char *ctype, const char *body, size_t body_len)
{
    return ask_with(NULL, method, path, query, query_len, ctype, body, body_len);
}

/* Well-formed UTF-8 (Unicode table 3-7: no overlong forms, surrogates or code points past
 * U+10FFFF). */
static int valid_utf8(const unsigned char *p, size_t n)
{
    static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t k = c < 0x80             ? 0
                   : (c & 0xe0) == 0xc0 ? 1
                   : (c & 0xf0) == 0xe0 ? 2
                   : (c & 0xf8) == 0xf0 ? 3
                                        : 4;
        if (k == 4 || k >= n - i)
            return 0;
        uint32_t cp = k == 0 ? c : c & (0x3fu >> k);
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + j] & 0x3fu);
        }
        if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* ---- pages: the tags they may contain ---- */

#define MAX_TAGS 96
typedef struct {
    char name[16];
    unsigned most; /* the most times one ordinary page (or one segment of one) holds it */
} tag_t;
typedef struct {
    tag_t tags[MAX_TAGS];
    size_t n;
} tag_set_t;

/* The parts of a message page that repeat once per value found (page_answer.c): a place
 * highlighted, from its <mark> to the </span> of the verdict after it, and a value listed, its
 * <li class="found"> to its </li>. */
enum { SEG_PAGE, SEG_MARK, SEG_FOUND, SEG_COUNT };
static const struct {
    const char *open, *close;
    unsigned cap; /* the most of them one page shows */
} segs[SEG_COUNT] = {
    [SEG_MARK] = {"<mark class=\"m-", "</span>", FIDX__PAGE_MAX_MARKS},
    [SEG_FOUND] = {"<li class=\"found ", "</li>", FIDX__PAGE_MAX_FOUND},
};
static tag_set_t known[SEG_COUNT]; /* learned: the whole page but the segments; each segment */

/* The tag name after '<' at p (with its '/' or '!'), lower-cased; "" when none. */
static void tag_at(const char *p, const char *end, char name[16])
{
    size_t n = 0;
    if (p < end && (*p == '/' || *p == '!'))
        name[n++] = *p++;
    while (p < end && n < 15 &&
           ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-'))
        name[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p++ + 32 : *p++);
    name[n] = '\0';
    if (n == 0 || (n == 1 && (name[0] == '/' || name[0] == '!')))
        name[0] = '\0';
}

static tag_t *find_tag(tag_set_t *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->tags[i].name, name) == 0)
            return &set->tags[i];
    return NULL;
}

/* Adds the tags of [p, end) to set; a '<' that starts no tag counts as "". */
static void count_tags(const char *p, const char *end, tag_set_t *set)
{
    for (; p < end && (p = memchr(p, '<', (size_t)(end - p))); p++) {
        char name[16];
        tag_at(p + 1, end, name);
        tag_t *t = find_tag(set, name);
        if (!t) {
            FUZZ_CHECK(set->n < MAX_TAGS, "a page holds more kinds of tag than the harness counts");
            t = &set->tags[set->n++];
            strcpy(t->name, name);
            t->most = 0;
        }
        t->most++;
    }
}

/* The segment that starts at p, if one does: its kind, and *end past its close. */
static int segment_at(const char *p, const char *end, const char **seg_end)
{
    for (int s = SEG_MARK; s < SEG_COUNT; s++) {
        size_t n = strlen(segs[s].open);
        if ((size_t)(end - p) < n || memcmp(p, segs[s].open, n) != 0)
            continue;
        const char *c = memmem(p, (size_t)(end - p), segs[s].close, strlen(segs[s].close));
        if (s == SEG_MARK) { /* the verdict's </span> after the </mark> */
            const char *m = memmem(p, (size_t)(end - p), "</mark>", 7);
            c = m ? memmem(m, (size_t)(end - m), segs[s].close, strlen(segs[s].close)) : NULL;
        }
        if (!c)
            return SEG_PAGE; /* not closed: counted with the page, as anything else */
        *seg_end = c + strlen(segs[s].close);
        return s;
    }
    return SEG_PAGE;
}

/* Splits a page into its segments and the rest: seen(ctx, kind, tags) for each segment, then
 * once for the rest of the page (SEG_PAGE). */
static void split_page(const answer_t *a, void (*seen)(void *ctx, int kind, tag_set_t *tags),
                       void *ctx)
{
    const char *p = a->body, *end = a->body + a->len, *from = p;
    tag_set_t page = {.n = 0};
    unsigned n[SEG_COUNT] = {0};
    while ((p = memchr(p, '<', (size_t)(end - p)))) {
        const char *seg_end;
        int s = segment_at(p, end, &seg_end);
        if (s == SEG_PAGE) {
            p++;
            continue;
        }
        count_tags(from, p, &page);
        tag_set_t tags = {.n = 0};
        count_tags(p, seg_end, &tags);
        FUZZ_CHECK(++n[s] <= segs[s].cap, "a page shows more values found than it may");
        seen(ctx, s, &tags);
        from = p = seg_end;
    }
    count_tags(from, end, &page);
    seen(ctx, SEG_PAGE, &page);
}

static void learn_seen(void *ctx, int kind, tag_set_t *tags)
{
    (void)ctx;
    for (size_t i = 0; i < tags->n; i++) {
        tag_t *k = find_tag(&known[kind], tags->tags[i].name);
        if (!k) {
            FUZZ_CHECK(known[kind].n < MAX_TAGS,
                       "a page holds more kinds of tag than the harness counts");
            k = &known[kind].tags[known[kind].n++];
            *k = tags->tags[i];
        } else if (tags->tags[i].most > k->most) {
            k->most = tags->tags[i].most;
        }
    }
}

static void learn_tags(const answer_t *a)
{
    split_page(a, learn_seen, NULL);
}

/* A message page in both languages: q (a query string's value, escaped) and the page that
 * lists, highlights and judges every value in it. */
static void learn_message(const char *q, size_t len)
{
    for (int en = 0; en < 2; en++) {
        char *query = malloc(len + 16);
        FUZZ_CHECK(query != NULL, "out of memory in the harness");
        size_t n = (size_t)snprintf(query, len + 16, "%sq=", en ? "lang=en&" : "");
        memcpy(query + n, q, len);
        answer_t a = ask(HTTP_GET, "/check", query, n + len, NULL, NULL, 0);
        learn_tags(&a);
        free(a.body);
        free(query);
    }
}

/* Message pages holding every value of the snapshot, a few at a time, one per line (a line
 * break makes q a message): every kind of value listed, with its categories or its label. */
#define MESSAGE_VALUES 8
typedef struct {
    char q[3 * FIDX__PAGE_MAX_MESSAGE];
    size_t len;
    unsigned values;
} message_t;

static void message_add(message_t *m, const char *v, size_t len)
{
    if (m->values == MESSAGE_VALUES || m->len + 3 * (len + 1) >= sizeof m->q) {
        learn_message(m->q, m->len);
        m->len = m->values = 0;
    }
    if (m->values++)
        m->len += (size_t)snprintf(m->q + m->len, sizeof m->q - m->len, "%%0A");
    for (size_t j = 0; j < len; j++)
        m->len +=
            (size_t)snprintf(m->q + m->len, sizeof m->q - m->len, "%%%02X", (unsigned char)v[j]);
}

/* The page of every value of the snapshot, in both languages: every kind of match there is
 * (a phone found through its Zalo account shows one value more than one found directly; the
 * first 10-minute run found the harness had not seen that page). And message pages holding
 * them all (message_add), so a value listed or highlighted is known in every form. */
static void learn_entry_pages(void)
{
    const fuzz_service_t *fs = fuzz_service();
    fidx_indicator_t *e = malloc(sizeof *e);
    message_t *msg = calloc(1, sizeof *msg);
    char q[3 * FIDX_CANON_CAP + 16];
    FUZZ_CHECK(e != NULL && msg != NULL, "out of memory in the harness");
    for (int k = 0; k < FIDX_KIND_COUNT; k++) {
        uint64_t n = fidx_snapshot_count(fs->w->snap, (fidx_kind_t)k);
        for (uint64_t i = 0; i < n; i++) {
            if (fidx_snapshot_entry(fs->w->snap, (fidx_kind_t)k, i, e) != 0)
                continue;
            /* A Zalo account is also looked up as the phone number it is. */
            int zalo = e->value_len > 5 && memcmp(e->value, "zalo:", 5) == 0;
            message_add(msg, e->value, e->value_len);
            for (int form = 0; form < (zalo ? 4 : 2); form++) {
                size_t skip = form >= 2 ? 5 : 0;
                size_t len = (size_t)snprintf(q, sizeof q, "%sq=", form & 1 ? "lang=en&" : "");
                for (size_t j = skip; j < e->value_len; j++)
                    len += (size_t)snprintf(q + len, sizeof q - len, "%%%02X",
                                            (unsigned char)e->value[j]);
                answer_t a = ask(HTTP_GET, "/check", q, len, NULL, NULL, 0);
                learn_tags(&a);
                free(a.body);
            }
        }
    }
    /* Links that imitate an allowlisted site, or hide where they lead (a shortener's). */
    static const char *const lookalikes[] = {
        "vietcornbank.com.vn", "vietc0mbank.com.vn",
        "vietcombank-vn.com",  "http://vietcombank.com.vn.login-xac-minh.com/",
        "bit.ly/3abcd",        "https://t.ly/x"};
    for (size_t i = 0; i < sizeof lookalikes / sizeof lookalikes[0]; i++)
        message_add(msg, lookalikes[i], strlen(lookalikes[i]));
    if (msg->len)
        learn_message(msg->q, msg->len);
    free(msg);
    free(e);
}

/* The pages for ordinary input, one of each outcome: which tags they use, and how many times
 * at most. Input can then neither add a tag of its own nor one more of the page's. */
static void learn_page_tags(void)
{
    static const char *const queries[] = {"q=0910001001",
                                          "q=",
                                          "q=abc",
                                          "q=vietcombank.com.vn",
                                          "q=1900545413",
                                          "q=0123",
                                          "kind=bank_account&bank=VCB&q=0011001234567",
                                          "q=http%3A%2F%2Fx.vn",
                                          "lang=en&q=1"};
    static const char *const forms[] = {
        "value=0987654321&category=impersonation&description=g%E1%BB%8Di+gi%E1%BA%A3",
        "value=&description=", "value=abc", "kind=bank_account&bank=VCB&value=123"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        answer_t a = ask(HTTP_GET, "/check", queries[i], strlen(queries[i]), NULL, NULL, 0);
        learn_tags(&a);
        free(a.body);
    }
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        answer_t a =
            ask(HTTP_POST, "/report", NULL, 0, content_types[3], forms[i], strlen(forms[i]));
        learn_tags(&a);
        free(a.body);
    }
    answer_t a = ask(HTTP_GET, "/", NULL, 0, NULL, NULL, 0);
    learn_tags(&a);
    free(a.body);
    learn_entry_pages();
}

static void check_seen(void *ctx, int kind, tag_set_t *tags)
{
    static const char *const what[SEG_COUNT] = {"page", "place highlighted", "value listed"};
    (void)ctx;
    for (size_t i = 0; i < tags->n; i++) {
        const tag_t *t = &tags->tags[i], *k = find_tag(&known[kind], t->name);
        if (!(t->name[0] && k && t->most <= k->most))
            fprintf(stderr, "tag <%s> %u times in one %s (ordinary pages: at most %u)\n", t->name,
                    t->most, what[kind], k ? k->most : 0);
        FUZZ_CHECK(t->name[0] && k && t->most <= k->most,
                   "a page holds markup its templates never put there");
    }
}

static void check_page(const answer_t *a)
{
    FUZZ_CHECK(strncmp(a->content_type, "text/html", 9) == 0 || a->status >= 400,
               "a page answered with another type than HTML");
    if (strncmp(a->content_type, "text/html", 9) != 0)
        return;
    split_page(a, check_seen, NULL);
}

/* ---- JSON answers ---- */

static json_t *parse_answer(const answer_t *a)
{
    json_error_t e;
    json_t *j = json_loadb(a->body, a->len, JSON_ALLOW_NUL, &e);
    FUZZ_CHECK(j && json_is_object(j), "a JSON answer is not a JSON object");
    if (a->status >= 400) {
        json_t *err = json_object_get(j, "error");
        FUZZ_CHECK(json_is_object(err) && json_is_string(json_object_get(err, "code")) &&
                       json_is_string(json_object_get(err, "message")) && json_object_size(j) == 1,
                   "an error answer is not {\"error\":{\"code\",\"message\"}}");
    }
    return j;
}

static int str_is(json_t *v, const char *p, size_t n)
{
    return json_is_string(v) && json_string_length(v) == n &&
           memcmp(json_string_value(v), p, n) == 0;
}

/* One batch item against fidx_check of the same value (a string item, or an object's q with
 * neither kind nor platform). */
static void check_item(json_t *item, json_t *result)
{
    json_t *qv = json_is_object(item) ? json_object_get(item, "q") : item;
    FUZZ_CHECK(json_is_object(result), "a batch result is not an object");
    if (!json_is_string(qv)) {
        FUZZ_CHECK(json_is_object(json_object_get(result, "error")),
                   "an item without a string q was answered");
        return;
    }
    const char *q = json_string_value(qv);
    size_t qlen = json_string_length(qv);
    FUZZ_CHECK(str_is(json_object_get(result, "query"), q, qlen),
               "a batch result does not quote its item");
    if (json_is_object(item) && json_object_size(item) != 1)
        return; /* kind or platform: checked by the route, not restated here */
    const fuzz_service_t *fs = fuzz_service();
    fidx_result_t res;
    fidx_err_t err = {0};
    fidx__worker_online(fs->w);
    int r = fidx_check(fs->w->snap, fs->w->ov, FIDX_KIND_NONE, NULL, q, qlen, &res, &err);
    if (r) {
        FUZZ_CHECK(json_is_object(json_object_get(result, "error")),
                   "a batch answered a value fidx_check refuses");
        return;
    }
    FUZZ_CHECK(!json_object_get(result, "error"), "a batch refused a value fidx_check accepts");
    FUZZ_CHECK(str_is(json_object_get(result, "kind"), fidx_kind_name(res.kind),
                      strlen(fidx_kind_name(res.kind))) &&
                   str_is(json_object_get(result, "canonical"), res.canonical, res.canonical_len) &&
                   str_is(json_object_get(result, "verdict"), fidx_verdict_name(res.verdict),
                          strlen(fidx_verdict_name(res.verdict))),
               "a batch result differs from fidx_check of its item");
}

static void check_batch(const char *body, size_t len, json_t *answer)
{
    json_t *req = json_loadb(body, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, NULL);
    json_t *items = json_is_object(req) ? json_object_get(req, "items") : NULL;
    json_t *results = json_object_get(answer, "results");
    FUZZ_CHECK(json_is_array(items), "a batch without an items array was answered 200");
    FUZZ_CHECK(json_is_array(results) && json_array_size(results) == json_array_size(items),
               "a batch answered another number of results than it had items");
    for (size_t i = 0; i < json_array_size(items); i++)
        check_item(json_array_get(items, i), json_array_get(results, i));
    json_decref(req);
}

/* One text's scan answer. */
static void check_one_scan(json_t *text, json_t *answer)
{
    const char *t = json_string_value(text);
    size_t tlen = json_string_length(text), prev_end = 0;
    json_t *matches = json_object_get(answer, "matches");
    FUZZ_CHECK(json_is_array(matches), "a scan answered without matches");
    int scam = 0, suspicious = 0;
    for (size_t i = 0; i < json_array_size(matches); i++) {
        json_t *m = json_array_get(matches, i);
        json_int_t s = json_integer_value(json_object_get(m, "start"));
        json_int_t e = json_integer_value(json_object_get(m, "end"));
        FUZZ_CHECK(s >= 0 && (size_t)s >= prev_end && s < e && (size_t)e <= tlen,
                   "a match lies outside the text, out of order or over another");
        FUZZ_CHECK(str_is(json_object_get(m, "text"), t + s, (size_t)(e - s)),
                   "a match does not quote its slice of the text");
        prev_end = (size_t)e;
        const char *v = json_string_value(json_object_get(m, "verdict"));
        FUZZ_CHECK(v, "a match without a verdict");
        scam |= strcmp(v, "scam") == 0;
        suspicious |= strcmp(v, "suspicious") == 0;
    }
    /* Unlisted indicators (truncated) may raise the verdict, never lower it. */
    const char *verdict = json_string_value(json_object_get(answer, "verdict"));
    const char *listed = scam ? "block" : suspicious ? "review" : "allow";
    FUZZ_CHECK(verdict, "a scan answered without a verdict");
    if (json_is_true(json_object_get(answer, "truncated")))
        FUZZ_CHECK(strcmp(verdict, "block") == 0 ||
                       (strcmp(verdict, "review") == 0 && strcmp(listed, "block") != 0) ||
                       strcmp(listed, "allow") == 0,
                   "the post's verdict is below one of its matches");
    else
        FUZZ_CHECK(strcmp(verdict, listed) == 0,
                   "the post's verdict does not follow from its matches");
}

/* A scan, or a batch of them: one answer per text, in order, each a scan of its text or an
 * error (a text that is not a string, or too long). */
static void check_scan(const char *body, size_t len, json_t *answer)
{
    json_t *req = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *text = json_is_object(req) ? json_object_get(req, "text") : NULL;
    json_t *texts = json_is_object(req) ? json_object_get(req, "texts") : NULL;
    FUZZ_CHECK(json_is_string(text) != json_is_array(texts),
               "a scan without a text was answered 200");
    if (text) {
        check_one_scan(text, answer);
    } else {
        json_t *results = json_object_get(answer, "results");
        FUZZ_CHECK(json_is_array(results) && json_array_size(results) == json_array_size(texts),
                   "a batch scan answered another number of results than texts");
        for (size_t i = 0; i < json_array_size(texts); i++) {
            json_t *t = json_array_get(texts, i), *r = json_array_get(results, i);
            if (json_object_get(r, "error"))
                FUZZ_CHECK(!json_is_string(t) || json_string_length(t) > FIDX_SCAN_MAX_TEXT,
                           "a text the scanner takes answered an error");
            else
                check_one_scan(t, r);
        }
    }
    json_decref(req);
}

static int found_report(const fidx__report_t *r, void *ctx)
{
    *(int *)ctx = r->state == FIDX__REPORT_PENDING ? 1 : 2;
    return 0;
}

static void check_report(json_t *answer)
{
    const char *id = json_string_value(json_object_get(answer, "id"));
    int state = 0;
    FUZZ_CHECK(id && strlen(id) == FIDX__REPORT_ID_LEN, "a report accepted without its id");
    FUZZ_CHECK(fidx__reports_get(fuzz_service()->svc->reports, id, strlen(id), found_report,
                                 &state) == 0 &&
                   state == 1,
               "a report answered 202 is not in the store, pending");
}

static int allowed_status(int route, int status)
{
    switch (status) {
    case 200:
        return route != R_REPORT;
    case 202:
        return route == R_REPORT;
    case 400:
    case 413:
        return 1;
    case 429:
    case 503: /* the store refuses more pending reports */
        return route == R_REPORT || route == R_FORM_REPORT;
    default:
        return 0;
    }
}

static int same(const answer_t *a, const answer_t *b)
{
    return a->status == b->status && a->len == b->len && memcmp(a->body, b->body, a->len) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    if (!known[SEG_PAGE].n)
        learn_page_tags();
    int route = data[0] % R_COUNT;
    const char *ctype = content_types[data[1] % N_CONTENT_TYPES];
    char *in = fuzz_dup(data + 2, size - 2);
    size_t len = size - 2;
    int get = requests[route].method == HTTP_GET;
    answer_t a = get ? ask(HTTP_GET, requests[route].path, in, len, NULL, NULL, 0)
                     : ask(HTTP_POST, requests[route].path, NULL, 0, ctype, in, len);
    if (a.status == 0) { /* a query string http-parser refuses */
        free(in);
        return 0;
    }
    FUZZ_CHECK(allowed_status(route, a.status), "a status the route does not answer");
    FUZZ_CHECK(valid_utf8((const unsigned char *)a.body, a.len), "an answer is not valid UTF-8");
    if (requests[route].is_json_api && ctype && strcmp(ctype, "text/plain") == 0)
        FUZZ_CHECK(a.status == 400, "a text/plain body was read as JSON");
    if (route == R_FORM_REPORT || route == R_PAGE_CHECK) {
        check_page(&a);
    } else {
        json_t *j = parse_answer(&a);
        if (a.status == 200 && route == R_BATCH)
            check_batch(in, len, j);
        else if (a.status == 200 && route == R_SCAN)
            check_scan(in, len, j);
        else if (a.status == 202)
            check_report(j);
        json_decref(j);
    }
    if (route == R_BATCH || route == R_SCAN) {
        /* The in-place readers (batch_items.c) and jansson answer every body alike. */
        answer_t j =
            ask_with(route == R_BATCH ? fidx__route_batch_jansson : fidx__route_scan_jansson,
                     HTTP_POST, requests[route].path, NULL, 0, ctype, in, len);
        FUZZ_CHECK(same(&a, &j), "the in-place batch reader and jansson answered differently");
        free(j.body);
    }
    if (route != R_REPORT && route != R_FORM_REPORT) {
        answer_t b = get ? ask(HTTP_GET, requests[route].path, in, len, NULL, NULL, 0)
                         : ask(HTTP_POST, requests[route].path, NULL, 0, ctype, in, len);
        FUZZ_CHECK(same(&a, &b), "the same request got another answer");
        free(b.body);
    }
    free(a.body);
    free(in);
    fuzz_service_trim_reports(1000);
    return 0;
}
