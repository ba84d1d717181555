/* Checking what a writer sends its readers (protocol.h). Every number is bounded, every
 * length checked against what holds it, and a field that does not parse counts as absent,
 * so a reader acts only on what it fully understood. */
#include "replica/protocol.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/wal_format.h"
#include "base/le_bytes.h"

void fidx__replica_headers_reset(fidx__replica_headers_t *h)
{
    memset(h, 0, sizeof *h);
}

/* A decimal number that fills p[0..len): 0 and *v, or -1. */
static int number(const char *p, size_t len, uint64_t *v)
{
    uint64_t x = 0;
    if (len == 0 || len > 20)
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d > 9 || x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

/* Exactly 16 hex digits, optionally in double quotes (an ETag). */
static int hex64(const char *p, size_t len, uint64_t *v)
{
    if (len == 18 && p[0] == '"' && p[17] == '"')
        p++, len -= 2;
    if (len != 16)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < 16; i++) {
        char c = p[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16;
        if (d > 15)
            return -1;
        x = x << 4 | d;
    }
    *v = x;
    return 0;
}

static int history(const char *p, size_t len, char *out)
{
    if (len != FIDX__HISTORY_LEN)
        return -1;
    for (size_t i = 0; i < len; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return -1;
    memcpy(out, p, len);
    out[len] = '\0';
    return 0;
}

/* "bytes A-B/T" with A <= B < T. */
static int content_range(fidx__replica_headers_t *h, const char *p, size_t len)
{
    const char *end = p + len, *dash, *slash;
    if (len < 6 || memcmp(p, "bytes ", 6) != 0)
        return -1;
    p += 6;
    dash = memchr(p, '-', (size_t)(end - p));
    slash = dash ? memchr(dash, '/', (size_t)(end - dash)) : NULL;
    if (!slash || number(p, (size_t)(dash - p), &h->range_first) ||
        number(dash + 1, (size_t)(slash - dash - 1), &h->range_last) ||
        number(slash + 1, (size_t)(end - slash - 1), &h->range_total) ||
        h->range_first > h->range_last || h->range_last >= h->range_total)
        return -1;
    return 0;
}

static const struct {
    const char *name;
    unsigned bit;
} header_fields[] = {
    {"x-fidx-first-seq", FIDX__RH_FIRST_SEQ},
    {"x-fidx-count", FIDX__RH_COUNT},
    {"x-fidx-durable-seq", FIDX__RH_DURABLE},
    {"x-fidx-snapshot", FIDX__RH_SNAPSHOT},
    {"x-fidx-snapshot-next-seq", FIDX__RH_SNAPSHOT_NEXT},
    {"x-fidx-checksum", FIDX__RH_CHECKSUM},
    {"x-fidx-next-seq", FIDX__RH_NEXT_SEQ},
    {"etag", FIDX__RH_ETAG},
    {"x-fidx-history", FIDX__RH_HISTORY},
    {"content-range", FIDX__RH_RANGE},
};

/* The field a header name is (its bit), 0 when none of ours. */
static unsigned name_bit(const char *n, size_t nl)
{
    for (size_t i = 0; i < sizeof header_fields / sizeof header_fields[0]; i++)
        if (strlen(header_fields[i].name) == nl && strncasecmp(n, header_fields[i].name, nl) == 0)
            return header_fields[i].bit;
    return 0;
}

/* Parses the value v of field `bit` into h: 0, or -1 when it does not parse. */
static int parse(fidx__replica_headers_t *h, unsigned bit, const char *v, size_t vl)
{
    switch (bit) {
    case FIDX__RH_FIRST_SEQ:
        return number(v, vl, &h->first_seq);
    case FIDX__RH_COUNT:
        return number(v, vl, &h->count);
    case FIDX__RH_DURABLE:
        return number(v, vl, &h->durable_seq);
    case FIDX__RH_SNAPSHOT:
        return hex64(v, vl, &h->snapshot_hash);
    case FIDX__RH_SNAPSHOT_NEXT:
        return number(v, vl, &h->snapshot_next_seq);
    case FIDX__RH_CHECKSUM:
        return hex64(v, vl, &h->checksum);
    case FIDX__RH_NEXT_SEQ:
        return number(v, vl, &h->next_seq);
    case FIDX__RH_ETAG:
        return hex64(v, vl, &h->etag_hash);
    case FIDX__RH_HISTORY:
        return history(v, vl, h->history);
    default: /* FIDX__RH_RANGE */
        return content_range(h, v, vl);
    }
}

void fidx__replica_header_line(fidx__replica_headers_t *h, const char *p, size_t len)
{
    if (len > FIDX__REPLICA_HEADER_MAX)
        return;
    while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
        len--;
    const char *colon = memchr(p, ':', len);
    if (!colon || colon == p)
        return; /* the status line, the empty line that ends the section, or junk */
    size_t nl = (size_t)(colon - p);
    const char *v = colon + 1, *end = p + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    unsigned bit = name_bit(p, nl);
    if (!bit)
        return;
    if (parse(h, bit, v, (size_t)(end - v)) == 0) {
        h->have |= bit;
        h->bad &= ~bit;
    } else {
        h->have &= ~bit;
        h->bad |= bit;
    }
}

/* Whether a record's body decodes as its type says. */
static int body_ok(unsigned type, const char *b, size_t len, fidx_indicator_t *ind,
                   fidx__admin_decision_t *dec)
{
    fidx_kind_t kind;
    const char *v;
    size_t vlen;
    switch (type) {
    case FIDX__WAL_PUT:
        return fidx__admin_decode_put(b, len, ind) == 0;
    case FIDX__WAL_DELIST:
        return fidx__admin_decode_delist(b, len, &kind, &v, &vlen) == 0;
    case FIDX__WAL_DECISION:
        return fidx__admin_decode_decision(b, len, dec) == 0;
    case FIDX__WAL_WARNING: /* readers keep no warnings (docs/WARNINGS.md): only copied */
        return len > 0;
    default:
        return 0;
    }
}

static int corrupt(fidx_err_t *err, size_t off, const char *why)
{
    return fidx_err_set(err, FIDX_ECORRUPT, off, why);
}

int fidx__replica_check_changes(const char *p, size_t len, uint64_t count, fidx_err_t *err)
{
    fidx_indicator_t *ind = malloc(sizeof *ind);
    fidx__admin_decision_t *dec = malloc(sizeof *dec);
    size_t off = 0;
    uint64_t n = 0;
    int rc = ind && dec ? 0 : fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    while (rc == 0 && off < len) {
        if (len - off < FIDX__WAL_RECORD_HEADER) {
            rc = corrupt(err, off, "a record header is cut short");
            break;
        }
        const char *r = p + off;
        size_t blen = fidx__get32(r);
        unsigned type = (unsigned char)r[4];
        if (r[5] || r[6] || r[7] || blen > FIDX__WAL_MAX_RECORD ||
            blen > len - off - FIDX__WAL_RECORD_HEADER)
            rc = corrupt(err, off, "a record's length or header is wrong");
        else if (!body_ok(type, r + FIDX__WAL_RECORD_HEADER, blen, ind, dec))
            rc = corrupt(err, off, "a record does not decode");
        off += FIDX__WAL_RECORD_HEADER + blen;
        n++;
    }
    if (rc == 0 && n != count)
        rc = corrupt(err, len, "the number of records differs from X-Fidx-Count");
    free(ind);
    free(dec);
    return rc;
}
