/* The contract's JSON for a lookup result and for a failed batch item. */
#include <string.h>

#include "fidx/json.h"
#include "fidx/lookup.h"

static void put_key(fidx_buf_t *b, const char *key)
{
    fidx_buf_puts(b, ",\"");
    fidx_buf_puts(b, key);
    fidx_buf_puts(b, "\":");
}

static void put_day(fidx_buf_t *b, const char *key, fidx_day_t day)
{
    char d[11];
    if (!day)
        return;
    fidx_day_format(day, d);
    put_key(b, key);
    fidx_buf_put(b, "\"", 1); /* YYYY-MM-DD: nothing to escape */
    fidx_buf_put(b, d, 10);
    fidx_buf_put(b, "\"", 1);
}

static void put_match(fidx_buf_t *b, const fidx_match_t *m)
{
    fidx_buf_puts(b, ",\"match\":{\"kind\":\"");
    fidx_buf_puts(b, fidx_kind_name(m->kind));
    fidx_buf_puts(b, "\",\"value\":");
    fidx_json_string(b, m->value.p, m->value.len);
    fidx_buf_puts(b, ",\"status\":\"");
    fidx_buf_puts(b, fidx_status_name(m->status));
    fidx_buf_puts(b, "\",\"categories\":[");
    const char *sep = "";
    for (int c = 0; c < FIDX_CAT_COUNT; c++)
        if (m->categories & (1u << c)) {
            fidx_buf_puts(b, sep);
            fidx_buf_puts(b, "\"");
            fidx_buf_puts(b, fidx_category_name(c));
            fidx_buf_puts(b, "\"");
            sep = ",";
        }
    fidx_buf_puts(b, "]");
    put_key(b, "reports");
    fidx_buf_putu(b, m->reports);
    put_day(b, "first_seen", m->first_seen);
    put_day(b, "last_seen", m->last_seen);
    put_key(b, "sources");
    fidx_buf_puts(b, "[");
    for (unsigned i = 0; i < m->n_sources; i++) {
        if (i)
            fidx_buf_puts(b, ",");
        fidx_json_string(b, m->sources[i].p, m->sources[i].len);
    }
    fidx_buf_puts(b, "]");
    if (m->label.len) {
        put_key(b, "label");
        fidx_json_string(b, m->label.p, m->label.len);
    }
    fidx_buf_puts(b, "}");
}

/* "reason":"imitates","imitates":{…} or "reason":"shortener",…, written in place. */
static void put_lookalike(fidx_buf_t *b, const fidx_lookalike_match_t *m)
{
    fidx_buf_puts(b, ",");
    size_t n = b->ok ? fidx_lookalike_json_members(m, b->p + b->len, b->cap - b->len) : 0;
    if (n == 0)
        b->ok = 0;
    b->len += n;
}

/* A field of a payload, or null when it does not carry it. */
static void put_field(fidx_buf_t *b, const char *key, fidx_str_t v)
{
    put_key(b, key);
    if (v.len)
        fidx_json_string(b, v.p, v.len);
    else
        fidx_buf_puts(b, "null");
}

/* "source":"vietqr","qr":{…}: what the payload says besides the account (docs/API.md). */
static void put_qr(fidx_buf_t *b, const fidx_emvco_t *q)
{
    fidx_buf_puts(b, ",\"source\":\"vietqr\",\"qr\":{\"bank\":");
    const char *bank = q->bank ? q->bank->short_name : NULL;
    if (bank)
        fidx_json_string(b, bank, strlen(bank));
    else
        fidx_buf_puts(b, "null");
    put_field(b, "bin", q->bin);
    put_field(b, "account", q->account);
    put_key(b, "card");
    fidx_buf_puts(b, q->is_card ? "true" : "false");
    put_field(b, "amount", q->amount);
    /* VND is the only currency of a domestic transfer; another code is shown as given. */
    if (q->currency.len == 3 && memcmp(q->currency.p, "704", 3) == 0)
        put_field(b, "currency", fidx_str("VND", 3));
    else
        put_field(b, "currency", q->currency);
    put_field(b, "purpose", q->purpose);
    put_field(b, "name", q->name);
    fidx_buf_puts(b, "}");
}

static void put_members(fidx_buf_t *b, const fidx_result_t *res)
{
    fidx_buf_puts(b, "\"kind\":\"");
    fidx_buf_puts(b, fidx_kind_name(res->kind));
    fidx_buf_puts(b, "\",\"canonical\":");
    fidx_json_string(b, res->canonical, res->canonical_len);
    fidx_buf_puts(b, ",\"verdict\":\"");
    fidx_buf_puts(b, fidx_verdict_name(res->verdict));
    fidx_buf_puts(b, "\"");
    if (res->has_match)
        put_match(b, &res->match);
    else if (res->has_lookalike)
        put_lookalike(b, &res->lookalike);
    if (res->has_qr)
        put_qr(b, &res->qr);
}

size_t fidx_result_json(const fidx_result_t *res, const char *query, size_t query_len, char *out,
                        size_t cap)
{
    fidx_buf_t b = fidx_buf(out, cap);
    fidx_buf_puts(&b, "{\"query\":");
    fidx_json_string(&b, query, query_len);
    fidx_buf_puts(&b, ",");
    put_members(&b, res);
    fidx_buf_puts(&b, "}");
    return b.ok ? b.len : 0;
}

size_t fidx_result_json_members(const fidx_result_t *res, char *out, size_t cap)
{
    fidx_buf_t b = fidx_buf(out, cap);
    put_members(&b, res);
    return b.ok ? b.len : 0;
}

size_t fidx_result_qr_json_members(const fidx_emvco_t *q, char *out, size_t cap)
{
    fidx_buf_t b = fidx_buf(out, cap);
    put_qr(&b, q);
    if (!b.ok || b.len == 0)
        return 0;
    memmove(out, out + 1, b.len - 1); /* without put_qr's leading comma */
    return b.len - 1;
}

size_t fidx_error_item_json(const char *query, size_t query_len, const fidx_err_t *err, char *out,
                            size_t cap)
{
    fidx_buf_t b = fidx_buf(out, cap);
    const char *code = err && err->code == FIDX_ETOOBIG ? "too_large" : "invalid_value";
    const char *msg = err && err->reason ? err->reason : "invalid value";
    fidx_buf_puts(&b, "{\"query\":");
    fidx_json_string(&b, query, query_len);
    fidx_buf_puts(&b, ",\"error\":{\"code\":\"");
    fidx_buf_puts(&b, code);
    fidx_buf_puts(&b, "\",\"message\":");
    fidx_json_string(&b, msg, strlen(msg));
    fidx_buf_puts(&b, "}}");
    return b.ok ? b.len : 0;
}
