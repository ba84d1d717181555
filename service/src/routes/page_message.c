/* A whole message checked on the citizens' page (page_message.h): the same scan as POST
 * /v1/scan, every value found looked up as GET /v1/check looks it up (look-alike links
 * included), and what the page shows of it: each value once, in the order it first appears,
 * with every place it appears, and the message's one verdict over all of them. */
#include "routes/page_message.h"

#include <stdlib.h>
#include <string.h>

#include "routes/common.h"
#include "routes/scan.h"

/* The worker's message workspace (service.h: page_msg), made on the first message. */
struct fidx__page_msg {
    fidx__page_message_t m;
    int32_t found_of[FIDX_SCAN_MAX_FOUND]; /* a value's index in m.found; -1: not listed */
};

/* How bad a verdict is for a message: an unknown value is worse than an official one. */
static int rank(fidx_verdict_t v)
{
    return v == FIDX_VERDICT_SCAM         ? 3
           : v == FIDX_VERDICT_SUSPICIOUS ? 2
           : v == FIDX_VERDICT_SAFE       ? 0
                                          : 1;
}

static size_t copy_str(char *dst, size_t cap, fidx_str_t s)
{
    size_t n = s.len < cap ? s.len : 0; /* too long: not kept (shown as written instead) */
    memcpy(dst, s.p, n);
    return n;
}

void fidx__page_message_found(fidx__page_found_t *f, const fidx_result_t *r, size_t start,
                              size_t end)
{
    memset(f, 0, offsetof(fidx__page_found_t, canonical)); /* the fields before the strings */
    f->start = start;
    f->end = end;
    f->kind = r->kind;
    f->verdict = r->verdict;
    f->canonical_len =
        copy_str(f->canonical, sizeof f->canonical, fidx_str(r->canonical, r->canonical_len));
    f->label_len = f->site_len = 0;
    if (r->has_match) {
        f->community = r->verdict == FIDX_VERDICT_SCAM && fidx__page_community_only(&r->match);
        f->categories = r->match.categories;
        f->label_len = copy_str(f->label, sizeof f->label, r->match.label);
    } else if (r->has_lookalike) {
        f->reason = r->lookalike.rule == FIDX_LOOKALIKE_SHORTENER ? FIDX__REASON_SHORTENER
                                                                  : FIDX__REASON_IMITATES;
        fidx_str_t site =
            f->reason == FIDX__REASON_SHORTENER ? r->lookalike.brand : r->lookalike.value;
        if (site.len > 1 && site.p[site.len - 1] == '/')
            site.len--;
        f->site_len = copy_str(f->site, sizeof f->site, site);
        f->label_len = copy_str(f->label, sizeof f->label, r->lookalike.label);
    }
}

/* Looks value v up; 0 and its verdict, or -1 when it cannot be (it then judges nothing). A
 * scam whose entry more than the community vouches for makes the message's scam verified. */
static int judge(fidx__worker_t *w, const fidx_scan_value_t *v, fidx__page_message_t *m,
                 fidx_verdict_t *verdict)
{
    fidx_err_t err = {0};
    const fidx_result_t *r = &w->result;
    if (fidx__lookup(w, v->kind, NULL, v->canonical.p, v->canonical.len, &err) != 0)
        return -1;
    *verdict = r->verdict;
    if (r->verdict == FIDX_VERDICT_SCAM && r->has_match && !fidx__page_community_only(&r->match))
        m->verified = 1;
    return 0;
}

static void worsen(fidx__page_message_t *m, fidx_verdict_t v, int *any)
{
    if (!*any || rank(v) > rank(m->verdict))
        m->verdict = v;
    *any = 1;
}

/* The listed matches, in text order: each new value looked up and listed, each place marked. */
static void list_matches(fidx__worker_t *w, const fidx_scan_result_t *res,
                         struct fidx__page_msg *pm, int *any)
{
    fidx__page_message_t *m = &pm->m;
    for (size_t i = 0; i < res->n; i++) {
        const fidx_scan_match_t *k = &res->m[i];
        int32_t *at = &pm->found_of[k->value];
        fidx_verdict_t v;
        if (*at == -2) { /* first seen */
            *at = -1;
            if (judge(w, &res->values[k->value], m, &v) != 0)
                continue;
            worsen(m, v, any);
            if (m->n_found == FIDX__PAGE_MAX_FOUND) {
                m->more = 1;
                continue;
            }
            *at = (int32_t)m->n_found;
            fidx__page_message_found(&m->found[m->n_found++], &w->result, (k)->start, (k)->end);
        }
        if (*at < 0)
            continue;
        if (m->n_marks == FIDX__PAGE_MAX_MARKS) {
            m->more = 1;
            continue;
        }
        m->marks[m->n_marks++] = (fidx__page_mark_t){k->start, k->end, (unsigned)*at};
    }
}

int fidx__page_message_check(fidx__worker_t *w, const char *text, size_t len,
                             const fidx__page_message_t **out)
{
    int rc, any = 0;
    if (len > FIDX__PAGE_MAX_MESSAGE)
        return FIDX_ETOOBIG;
    if (!w->page_msg && !(w->page_msg = malloc(sizeof *w->page_msg)))
        return FIDX_ENOMEM;
    const fidx_scan_result_t *res = fidx__scan_found(w, text, len, &rc);
    if (!res)
        return rc;
    struct fidx__page_msg *pm = w->page_msg;
    fidx__page_message_t *m = &pm->m;
    m->n_found = m->n_marks = 0;
    m->more = res->truncated;
    m->verified = 0;
    m->verdict = FIDX_VERDICT_UNKNOWN;
    for (size_t i = 0; i < res->nvalues; i++)
        pm->found_of[i] = -2; /* not looked up yet */
    list_matches(w, res, pm, &any);
    for (size_t i = 0; i < res->nvalues; i++) { /* values no listed match showed */
        fidx_verdict_t v;
        if (pm->found_of[i] == -2 && judge(w, &res->values[i], m, &v) == 0) {
            worsen(m, v, &any);
            m->more = 1;
        }
    }
    *out = m;
    return 0;
}
