/* Warnings related to a checked value (related.h). */
#include "routes/related.h"

#include <stdatomic.h>
#include <time.h>

#include "warnings/warnings.h"

const fidx__warnings_view_t *fidx__related_view(fidx__worker_t *w)
{
    fidx__warnings_t *st = atomic_load_explicit(&w->svc->warnings, memory_order_acquire);
    if (!st)
        return NULL;
    uint64_t version = fidx__warnings_version(st);
    if (!w->warn_view || version != w->warn_version) { /* after a change: rare */
        fidx__warnings_view_t *v = fidx__warnings_current(st);
        fidx__warnings_view_release(w->warn_view);
        w->warn_view = v;
        w->warn_version = v->version;
    }
    return w->warn_view;
}

size_t fidx__related_value(fidx__worker_t *w, fidx_kind_t kind, const char *value, size_t len,
                           uint16_t mask, uint32_t *out, size_t max)
{
    const fidx__warnings_view_t *v = fidx__related_view(w);
    if (!v || v->n == 0) /* the common case: one load, one compare */
        return 0;
    return fidx__warnings_view_related(v, kind, value, len, mask, (int64_t)time(NULL), out, max);
}

size_t fidx__related_of(fidx__worker_t *w, const fidx_result_t *res, uint32_t *out, size_t max)
{
    /* An official number's category says nothing of a scam. */
    uint16_t cats =
        res->has_match && res->match.status != FIDX_STATUS_ALLOWLISTED ? res->match.categories : 0;
    return fidx__related_value(w, res->kind, res->canonical, res->canonical_len, cats, out, max);
}

void fidx__related_ids(fidx__worker_t *w, const uint32_t *at, size_t n, fidx__sbuf_t *out)
{
    if (n == 0)
        return;
    fidx__sbuf_puts(out, ",\"warnings\":[");
    for (size_t i = 0; i < n; i++) { /* no printf on the hot path: ids are fixed-size */
        if (i)
            fidx__sbuf_put(out, ",", 1);
        fidx__sbuf_put(out, "\"", 1);
        fidx__sbuf_put(out, w->warn_view->w[at[i]].id, FIDX__WARNING_ID_LEN);
        fidx__sbuf_put(out, "\"", 1);
    }
    fidx__sbuf_put(out, "]", 1);
}

void fidx__related_json(fidx__worker_t *w, const fidx_result_t *res, fidx__sbuf_t *out)
{
    uint32_t at[FIDX__WARNINGS_RELATED_MAX];
    size_t n = fidx__related_of(w, res, at, FIDX__WARNINGS_RELATED_MAX);
    if (n == 0 || out->len == 0 || out->p[out->len - 1] != '}')
        return;
    out->len--; /* the object's closing brace */
    fidx__related_ids(w, at, n, out);
    fidx__sbuf_puts(out, "}");
}
