/* The records analysts' changes are logged as (bodies of wal.h's records), and their replay
 * into the overlay at start.
 *
 * All integers little-endian.
 *   PUT       kind u8, status u8, n_sources u8, flags u8, categories u16, first_seen u16,
 *             last_seen u16, value_len u16, note_len u16, reports u32,
 *             source lengths u8[n_sources], value, note, sources
 *             [, label_len u16, label   when flags has PUT_LABEL]
 *             — the whole indicator as it stands after the change (merged already), so a
 *             replay is a plain overwrite and replaying a record twice changes nothing.
 *             flags was 0 before public labels (issue 15): those records still replay, as
 *             indicators without a label; the label goes last so the value stays where the
 *             audit reads it.
 *   DELIST    kind u8, value_len u16, value
 *   DECISION  action u8 (1 approve, 2 reject), has_status u8, status u8, 0 u8, categories u16,
 *             time i64 (seconds), id_len u8, by_len u8, reason_len u16, id, by, reason
 * Decoding checks every length against the record: a record is only trusted as far as it
 * is consistent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "base/le_bytes.h"
#include "base/log.h"

#define PUT_FIXED 18
#define PUT_LABEL 1u /* flags: a label follows the sources */
#define DECISION_FIXED 18

int fidx__admin_encode_put(fidx__sbuf_t *out, const fidx_indicator_t *ind)
{
    char h[PUT_FIXED + FIDX_MAX_SOURCES];
    size_t slen[FIDX_MAX_SOURCES], body;
    if (ind->value_len == 0 || ind->value_len > UINT16_MAX || ind->note_len > UINT16_MAX ||
        ind->n_sources > FIDX_MAX_SOURCES || ind->label_len > FIDX_MAX_LABEL_LEN)
        return FIDX_EINVAL;
    body = PUT_FIXED + ind->n_sources + ind->value_len + ind->note_len;
    if (ind->label_len)
        body += 2 + ind->label_len;
    h[0] = (char)ind->kind;
    h[1] = (char)ind->status;
    h[2] = (char)ind->n_sources;
    h[3] = ind->label_len ? (char)PUT_LABEL : 0;
    fidx__put16(h + 4, ind->categories);
    fidx__put16(h + 6, ind->first_seen);
    fidx__put16(h + 8, ind->last_seen);
    fidx__put16(h + 10, (uint16_t)ind->value_len);
    fidx__put16(h + 12, (uint16_t)ind->note_len);
    fidx__put32(h + 14, ind->reports);
    for (unsigned i = 0; i < ind->n_sources; i++) {
        slen[i] = strnlen(ind->sources[i], FIDX_MAX_SOURCE_LEN);
        h[PUT_FIXED + i] = (char)slen[i];
        body += slen[i];
    }
    char rh[8] = {0};
    fidx__put32(rh, (uint32_t)body);
    rh[4] = FIDX__WAL_PUT;
    fidx__sbuf_put(out, rh, sizeof rh);
    fidx__sbuf_put(out, h, PUT_FIXED + ind->n_sources);
    fidx__sbuf_put(out, ind->value, ind->value_len);
    fidx__sbuf_put(out, ind->note, ind->note_len);
    for (unsigned i = 0; i < ind->n_sources; i++)
        fidx__sbuf_put(out, ind->sources[i], slen[i]);
    if (ind->label_len) {
        char ll[2];
        fidx__put16(ll, (uint16_t)ind->label_len);
        fidx__sbuf_put(out, ll, 2);
        fidx__sbuf_put(out, ind->label, ind->label_len);
    }
    return out->failed ? FIDX_ENOMEM : 0;
}

/* The label after the sources of a PUT record whose other parts end at p[need]: 0 and the
 * label in out, or FIDX_ECORRUPT when it does not fill the record exactly. */
static int decode_label(const char *p, size_t len, size_t need, fidx_indicator_t *out)
{
    if (need + 2 > len)
        return FIDX_ECORRUPT;
    size_t ll = fidx__get16(p + need);
    if (ll == 0 || need + 2 + ll != len || fidx_label_check(p + need + 2, ll, NULL) != 0)
        return FIDX_ECORRUPT;
    memcpy(out->label, p + need + 2, ll);
    out->label[ll] = '\0';
    out->label_len = ll;
    return 0;
}

int fidx__admin_decode_put(const char *p, size_t len, fidx_indicator_t *out)
{
    if (len < PUT_FIXED)
        return FIDX_ECORRUPT;
    unsigned kind = (unsigned char)p[0], status = (unsigned char)p[1], n = (unsigned char)p[2];
    unsigned flags = (unsigned char)p[3];
    size_t vlen = fidx__get16(p + 10), nlen = fidx__get16(p + 12),
           need = PUT_FIXED + n + vlen + nlen;
    if (kind >= FIDX_KIND_COUNT || status >= FIDX_STATUS_COUNT || n > FIDX_MAX_SOURCES ||
        (flags & ~PUT_LABEL) || vlen == 0 || vlen >= sizeof out->value ||
        nlen > FIDX_MAX_NOTE_LEN || need > len)
        return FIDX_ECORRUPT;
    for (unsigned i = 0; i < n; i++)
        need += (unsigned char)p[PUT_FIXED + i];
    out->label_len = 0;
    out->label[0] = '\0';
    if (flags & PUT_LABEL ? decode_label(p, len, need, out) != 0 : need != len)
        return FIDX_ECORRUPT;
    out->kind = (fidx_kind_t)kind;
    out->status = (fidx_status_t)status;
    out->categories = fidx__get16(p + 4);
    out->first_seen = fidx__get16(p + 6);
    out->last_seen = fidx__get16(p + 8);
    out->reports = fidx__get32(p + 14);
    out->n_sources = (uint8_t)n;
    const char *q = p + PUT_FIXED + n;
    memcpy(out->value, q, vlen);
    out->value[vlen] = '\0';
    out->value_len = vlen;
    q += vlen;
    memcpy(out->note, q, nlen);
    out->note[nlen] = '\0';
    out->note_len = nlen;
    q += nlen;
    memset(out->sources, 0, sizeof out->sources);
    for (unsigned i = 0; i < n; i++) {
        size_t sl = (unsigned char)p[PUT_FIXED + i];
        if (sl == 0 || sl > FIDX_MAX_SOURCE_LEN)
            return FIDX_ECORRUPT;
        memcpy(out->sources[i], q, sl);
        q += sl;
    }
    return 0;
}

void fidx__admin_encode_delist(fidx__sbuf_t *out, fidx_kind_t kind, const char *v, size_t len)
{
    char b[3];
    b[0] = (char)kind;
    fidx__put16(b + 1, (uint16_t)len);
    char rh[8] = {0};
    fidx__put32(rh, (uint32_t)(sizeof b + len));
    rh[4] = FIDX__WAL_DELIST;
    fidx__sbuf_put(out, rh, sizeof rh);
    fidx__sbuf_put(out, b, sizeof b);
    fidx__sbuf_put(out, v, len);
}

int fidx__admin_decode_delist(const char *p, size_t len, fidx_kind_t *kind, const char **v,
                              size_t *vlen)
{
    if (len < 3 || (unsigned char)p[0] >= FIDX_KIND_COUNT || fidx__get16(p + 1) != len - 3 ||
        len == 3 || len - 3 >= FIDX_CANON_CAP)
        return FIDX_ECORRUPT;
    *kind = (fidx_kind_t)(unsigned char)p[0];
    *v = p + 3;
    *vlen = len - 3;
    return 0;
}

const char *fidx__admin_record_body(const char *rec, size_t *len, unsigned *type)
{
    *len = fidx__get32(rec);
    *type = (unsigned char)rec[4];
    return rec + 8;
}

void fidx__admin_encode_decision(fidx__sbuf_t *out, const fidx__admin_decision_t *d)
{
    char h[DECISION_FIXED];
    size_t il = strlen(d->id), bl = strlen(d->by), rl = strlen(d->reason);
    h[0] = d->action == FIDX__REPORT_APPROVED ? 1 : 2;
    h[1] = (char)d->has_status;
    h[2] = (char)d->status;
    h[3] = 0;
    fidx__put16(h + 4, d->categories);
    fidx__put64(h + 6, (uint64_t)d->time);
    h[14] = (char)il;
    h[15] = (char)bl;
    fidx__put16(h + 16, (uint16_t)rl);
    char rh[8] = {0};
    fidx__put32(rh, (uint32_t)(sizeof h + il + bl + rl));
    rh[4] = FIDX__WAL_DECISION;
    fidx__sbuf_put(out, rh, sizeof rh);
    fidx__sbuf_put(out, h, sizeof h);
    fidx__sbuf_put(out, d->id, il);
    fidx__sbuf_put(out, d->by, bl);
    fidx__sbuf_put(out, d->reason, rl);
}

int fidx__admin_decode_decision(const char *p, size_t len, fidx__admin_decision_t *d)
{
    if (len < DECISION_FIXED)
        return FIDX_ECORRUPT;
    size_t il = (unsigned char)p[14], bl = (unsigned char)p[15], rl = fidx__get16(p + 16);
    unsigned action = (unsigned char)p[0], status = (unsigned char)p[2];
    if ((action != 1 && action != 2) || status >= FIDX_STATUS_COUNT || il > FIDX__REPORT_ID_LEN ||
        bl > FIDX__TOKEN_NAME_MAX || rl > FIDX__ADMIN_REASON_MAX ||
        DECISION_FIXED + il + bl + rl != len)
        return FIDX_ECORRUPT;
    d->action = action == 1 ? FIDX__REPORT_APPROVED : FIDX__REPORT_REJECTED;
    d->has_status = p[1] != 0;
    d->status = (fidx_status_t)status;
    d->categories = fidx__get16(p + 4);
    d->time = (int64_t)fidx__get64(p + 6);
    const char *q = p + DECISION_FIXED;
    memcpy(d->id, q, il);
    d->id[il] = '\0';
    memcpy(d->by, q + il, bl);
    d->by[bl] = '\0';
    memcpy(d->reason, q + il + bl, rl);
    d->reason[rl] = '\0';
    return 0;
}

/* ---- replay ---- */

typedef struct {
    fidx__admin_t *a;
    fidx_indicator_t ind;
    fidx__admin_decision_t dec;
    uint64_t decisions_applied;
} replay_ctx_t;

/* A decision whose report is still pending in the store (a crash came between the log and
 * the store) is recorded there now; one already recorded is left alone. */
int fidx__admin_record_decision(fidx__reports_t *st, const fidx__admin_decision_t *dec,
                                fidx_err_t *err)
{
    fidx__report_decision_t d = {
        .action = dec->action,
        .by = dec->by,
        .has_status = dec->has_status,
        .status = dec->status,
        .categories = dec->categories,
        .reason = dec->reason[0] ? dec->reason : NULL,
    };
    return fidx__reports_decide(st, dec->id, strlen(dec->id), &d, dec->time, err);
}

static void replay_decision(replay_ctx_t *r)
{
    fidx__reports_t *st = r->a->svc->reports;
    fidx_err_t err = {0};
    if (!st)
        return;
    int rc = fidx__admin_record_decision(st, &r->dec, &err);
    if (rc == 0)
        r->decisions_applied++;
    else if (rc == FIDX_ENOTFOUND)
        fidx__log(FIDX__LOG_WARN, "the log decides report %s, which the report store lacks",
                  r->dec.id);
    else if (rc != FIDX_EINVAL) /* EINVAL: decided already, as it should be */
        fidx__log(FIDX__LOG_WARN, "cannot record the decision on report %s: %s", r->dec.id,
                  err.reason ? err.reason : fidx_strerror(rc));
}

static int replay_one(void *ctx, uint64_t seq, unsigned type, const char *p, size_t len)
{
    replay_ctx_t *r = ctx;
    fidx_overlay_t *ov = r->a->ov;
    fidx_kind_t kind;
    const char *v;
    size_t vlen;
    switch (type) {
    case FIDX__WAL_PUT:
        if (fidx__admin_decode_put(p, len, &r->ind) != 0)
            return FIDX_ECORRUPT;
        return fidx_overlay_put(ov, &r->ind, seq);
    case FIDX__WAL_DELIST:
        if (fidx__admin_decode_delist(p, len, &kind, &v, &vlen) != 0)
            return FIDX_ECORRUPT;
        return fidx_overlay_delist(ov, kind, v, vlen, seq);
    case FIDX__WAL_WARNING:
        return fidx__admin_replay_warning(r->a, p, len);
    default:
        if (fidx__admin_decode_decision(p, len, &r->dec) != 0)
            return FIDX_ECORRUPT;
        replay_decision(r);
        return 0;
    }
}

int fidx__admin_replay(fidx__admin_t *a, int mode, fidx__wal_replay_t *st, char *msg, size_t cap)
{
    replay_ctx_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    r->a = a;
    msg[0] = '\0';
    int rc = fidx__wal_replay(a->dir, a->from_segment, mode, replay_one, r, st, msg, cap);
    if (rc == 0 && r->decisions_applied)
        fidx__log(FIDX__LOG_INFO, "%llu report decisions from the log recorded in the store",
                  (unsigned long long)r->decisions_applied);
    free(r);
    return rc;
}
