/* VietQR payloads (EMVCo merchant-presented mode, NAPAS tag 38): parsing with every length and
 * the CRC checked, re-encoding, and finding payloads in a text for the scanner.
 *
 * The parser reads the payload in place: one pass over the root data objects records where
 * each id's value is (ids are 2 digits, so a table of 100 slices), then the templates that
 * matter (38 and its 01, 62) are walked the same way inside their values. Nothing is allocated
 * and nothing past len is read; every length is checked against what is left of its template
 * before the value is touched. */
#include "fidx/emvco.h"

#include <string.h>

#define NAPAS_GUID "A000000727"
#define SERVICE_ACCOUNT "QRIBFTTA"
#define SERVICE_CARD "QRIBFTTC"
#define TLV_IDS 100 /* ids are two decimal digits */
#define TLV_VALUE_MAX 99
#define BIN_LEN 6

/* Root ids the parser reads. */
enum {
    ID_FORMAT = 0,
    ID_INITIATION = 1,
    ID_NAPAS = 38,
    ID_CURRENCY = 53,
    ID_AMOUNT = 54,
    ID_COUNTRY = 58,
    ID_NAME = 59,
    ID_CITY = 60,
    ID_ADDITIONAL = 62,
    ID_CRC = 63,
};

/* What a template's walk says when its objects are malformed: one set of reasons per template,
 * so that the error names where in the payload the damage is. */
typedef struct {
    const char *header;  /* id or length not two digits, or cut short */
    const char *empty;   /* length 00 */
    const char *overrun; /* the value runs past the template */
    const char *repeat;  /* an id given twice */
} tlv_reasons_t;

static const tlv_reasons_t root_reasons = {
    "data object id or length is not two digits",
    "data object has length 00",
    "data object length runs past the end of the payload",
    "data object id appears twice",
};
static const tlv_reasons_t napas_reasons = {
    "tag 38: sub-field id or length is not two digits",
    "tag 38: sub-field has length 00",
    "tag 38: sub-field length runs past the end of tag 38",
    "tag 38: sub-field id appears twice",
};
static const tlv_reasons_t beneficiary_reasons = {
    "tag 38/01: sub-field id or length is not two digits",
    "tag 38/01: sub-field has length 00",
    "tag 38/01: sub-field length runs past the end of tag 38/01",
    "tag 38/01: sub-field id appears twice",
};
static const tlv_reasons_t additional_reasons = {
    "tag 62: sub-field id or length is not two digits",
    "tag 62: sub-field has length 00",
    "tag 62: sub-field length runs past the end of tag 62",
    "tag 62: sub-field id appears twice",
};

/* The values of one template by id ({NULL, 0} when absent) and where each starts in the
 * payload, for error offsets. */
typedef struct {
    fidx_str_t v[TLV_IDS];
    size_t off[TLV_IDS];
} tlv_table_t;

static int fail(fidx_err_t *err, int code, size_t offset, const char *reason)
{
    if (err) {
        err->code = code;
        err->offset = offset;
        err->reason = reason;
    }
    return code;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int all_digits(fidx_str_t s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!is_digit(s.p[i]))
            return 0;
    return 1;
}

/* Two decimal digits at p (the caller has checked they are inside the input), or -1. */
static int two_digits(const char *p)
{
    if (!is_digit(p[0]) || !is_digit(p[1]))
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

unsigned fidx_emvco_crc16(const char *p, size_t len)
{
    /* CRC of each 4-bit value, polynomial 0x1021: two table steps per byte. */
    static const unsigned short nibble[16] = {
        0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50A5, 0x60C6, 0x70E7,
        0x8108, 0x9129, 0xA14A, 0xB16B, 0xC18C, 0xD1AD, 0xE1CE, 0xF1EF,
    };
    unsigned crc = 0xFFFF;
    for (size_t i = 0; i < len; i++) {
        unsigned b = (unsigned char)p[i];
        crc = ((crc << 4) & 0xFFFF) ^ nibble[((crc >> 12) ^ (b >> 4)) & 0xF];
        crc = ((crc << 4) & 0xFFFF) ^ nibble[((crc >> 12) ^ (b & 0xF)) & 0xF];
    }
    return crc;
}

/* Reads the header of the object at p[pos..len): its id, its value's slice. Returns 0 or
 * FIDX_EINVAL (base + pos is the payload offset of p[pos], for the error). */
static int tlv_read(const char *p, size_t len, size_t pos, size_t base, const tlv_reasons_t *r,
                    int *id, fidx_str_t *value, fidx_err_t *err)
{
    if (len - pos < 4)
        return fail(err, FIDX_EINVAL, base + pos, r->header);
    int i = two_digits(p + pos), n = two_digits(p + pos + 2);
    if (i < 0 || n < 0)
        return fail(err, FIDX_EINVAL, base + pos, r->header);
    if (n == 0)
        return fail(err, FIDX_EINVAL, base + pos + 2, r->empty);
    if ((size_t)n > len - pos - 4)
        return fail(err, FIDX_EINVAL, base + pos + 2, r->overrun);
    *id = i;
    *value = fidx_str(p + pos + 4, (size_t)n);
    return 0;
}

/* Walks the template p[0..len) (at payload offset base) into t. */
static int tlv_walk(const char *p, size_t len, size_t base, const tlv_reasons_t *r, tlv_table_t *t,
                    fidx_err_t *err)
{
    memset(t, 0, sizeof *t);
    for (size_t pos = 0; pos < len;) {
        int id;
        fidx_str_t v;
        int rc = tlv_read(p, len, pos, base, r, &id, &v, err);
        if (rc != 0)
            return rc;
        if (t->v[id].p)
            return fail(err, FIDX_EINVAL, base + pos, r->repeat);
        t->v[id] = v;
        t->off[id] = base + pos + 4;
        pos += 4 + v.len;
    }
    return 0;
}

/* The root: 00 first, 63 last with four characters ending the payload, the CRC right. */
static int read_root(const char *p, size_t len, tlv_table_t *t, fidx_err_t *err)
{
    if (len == 0)
        return fail(err, FIDX_EINVAL, 0, "empty payload");
    if (len < 4 || memcmp(p, "00", 2) != 0)
        return fail(err, FIDX_EINVAL, 0,
                    "payload does not start with the payload format indicator (00)");
    int rc = tlv_walk(p, len, 0, &root_reasons, t, err);
    if (rc != 0)
        return rc;
    if (!t->v[ID_CRC].p)
        return fail(err, FIDX_EINVAL, len, "no CRC (tag 63) at the end of the payload");
    size_t crc_at = t->off[ID_CRC];
    if (t->v[ID_CRC].len != 4)
        return fail(err, FIDX_EINVAL, crc_at - 2, "CRC (tag 63) is not 4 characters long");
    if (crc_at + 4 != len)
        return fail(err, FIDX_EINVAL, crc_at + 4, "data after the CRC (tag 63)");
    unsigned given = 0;
    for (size_t i = 0; i < 4; i++) {
        int h = hex_value(p[crc_at + i]);
        if (h < 0)
            return fail(err, FIDX_EINVAL, crc_at + i, "CRC (tag 63) is not 4 hex digits");
        given = given << 4 | (unsigned)h;
    }
    if (given != fidx_emvco_crc16(p, crc_at))
        return fail(err, FIDX_EINVAL, crc_at,
                    "CRC (tag 63) does not match the payload: damaged or altered");
    return 0;
}

static int read_header(const tlv_table_t *t, fidx_emvco_t *out, fidx_err_t *err)
{
    if (!fidx_str_eq(t->v[ID_FORMAT], "01"))
        return fail(err, FIDX_EINVAL, t->off[ID_FORMAT], "payload format indicator is not 01");
    fidx_str_t init = t->v[ID_INITIATION];
    if (init.p && !fidx_str_eq(init, "11") && !fidx_str_eq(init, "12"))
        return fail(err, FIDX_EINVAL, t->off[ID_INITIATION],
                    "point of initiation method (01) is not 11 or 12");
    out->initiation = init;
    return 0;
}

/* Tag 38/01: the bank's BIN and the account or card number. */
static int read_beneficiary(fidx_str_t v, size_t off, fidx_emvco_t *out, fidx_err_t *err)
{
    tlv_table_t t;
    int rc = tlv_walk(v.p, v.len, off, &beneficiary_reasons, &t, err);
    if (rc != 0)
        return rc;
    if (!t.v[0].p)
        return fail(err, FIDX_EINVAL, off, "tag 38/01 has no bank BIN (00)");
    if (t.v[0].len != BIN_LEN || !all_digits(t.v[0]))
        return fail(err, FIDX_EINVAL, t.off[0], "bank BIN (tag 38/01/00) is not 6 digits");
    fidx_str_t a = t.v[1];
    if (!a.p)
        return fail(err, FIDX_EINVAL, off, "tag 38/01 has no account or card number (01)");
    if (a.len > FIDX_EMVCO_ACCOUNT_MAX)
        return fail(err, FIDX_EINVAL, t.off[1], "account number is longer than 19 characters");
    for (size_t i = 0; i < a.len; i++) {
        char c = a.p[i];
        if (!is_digit(c) && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z'))
            return fail(err, FIDX_EINVAL, t.off[1] + i,
                        "account number has a character other than a letter or digit");
    }
    out->bin = t.v[0];
    out->account = a;
    return 0;
}

/* Tag 38: NAPAS's GUID, the beneficiary, a transfer service. */
static int read_napas(const tlv_table_t *root, fidx_emvco_t *out, fidx_err_t *err)
{
    fidx_str_t v = root->v[ID_NAPAS];
    size_t off = root->off[ID_NAPAS];
    if (!v.p)
        return fail(err, FIDX_EINVAL, 0,
                    "no NAPAS account information (tag 38): not a VietQR transfer");
    tlv_table_t t;
    int rc = tlv_walk(v.p, v.len, off, &napas_reasons, &t, err);
    if (rc != 0)
        return rc;
    if (!t.v[0].p)
        return fail(err, FIDX_EINVAL, off, "tag 38 has no GUID (00)");
    if (t.v[0].len != 10 || strncasecmp(t.v[0].p, NAPAS_GUID, 10) != 0)
        return fail(err, FIDX_EINVAL, t.off[0], "tag 38: GUID is not NAPAS's A000000727");
    if (!t.v[1].p)
        return fail(err, FIDX_EINVAL, off, "tag 38 has no beneficiary organisation (01)");
    rc = read_beneficiary(t.v[1], t.off[1], out, err);
    if (rc != 0)
        return rc;
    fidx_str_t s = t.v[2];
    if (!s.p)
        return fail(err, FIDX_EINVAL, off, "tag 38 has no service code (02)");
    if (!fidx_str_eq(s, SERVICE_ACCOUNT) && !fidx_str_eq(s, SERVICE_CARD))
        return fail(err, FIDX_EINVAL, t.off[2],
                    "service code is not QRIBFTTA or QRIBFTTC: not a transfer to an account or "
                    "card");
    out->service = s;
    out->is_card = fidx_str_eq(s, SERVICE_CARD);
    return 0;
}

/* EMVCo's amount: digits, optionally a '.' and more digits, at most 13 characters. */
static int amount_ok(fidx_str_t a)
{
    size_t i = 0, int_digits = 0, frac_digits = 0;
    while (i < a.len && is_digit(a.p[i]))
        i++, int_digits++;
    if (i < a.len && a.p[i] == '.') {
        i++;
        while (i < a.len && is_digit(a.p[i]))
            i++, frac_digits++;
        if (frac_digits == 0)
            return 0;
    }
    return i == a.len && int_digits > 0;
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* 53, 54, 58, 59, 60 and the purpose in 62. */
static int read_transaction(const tlv_table_t *t, fidx_emvco_t *out, fidx_err_t *err)
{
    fidx_str_t cur = t->v[ID_CURRENCY], amt = t->v[ID_AMOUNT], cc = t->v[ID_COUNTRY];
    if (cur.p && (cur.len != 3 || !all_digits(cur)))
        return fail(err, FIDX_EINVAL, t->off[ID_CURRENCY], "currency (53) is not 3 digits");
    if (amt.p && amt.len > FIDX_EMVCO_AMOUNT_MAX)
        return fail(err, FIDX_EINVAL, t->off[ID_AMOUNT],
                    "amount (54) is longer than 13 characters");
    if (amt.p && !amount_ok(amt))
        return fail(err, FIDX_EINVAL, t->off[ID_AMOUNT],
                    "amount (54) is not a number (digits, at most one '.')");
    if (cc.p && (cc.len != 2 || !is_upper(cc.p[0]) || !is_upper(cc.p[1])))
        return fail(err, FIDX_EINVAL, t->off[ID_COUNTRY], "country code (58) is not 2 letters");
    out->currency = cur;
    out->amount = amt;
    out->country = cc;
    out->name = t->v[ID_NAME];
    out->city = t->v[ID_CITY];
    fidx_str_t add = t->v[ID_ADDITIONAL];
    if (!add.p)
        return 0;
    tlv_table_t sub;
    int rc = tlv_walk(add.p, add.len, t->off[ID_ADDITIONAL], &additional_reasons, &sub, err);
    if (rc == 0)
        out->purpose = sub.v[8];
    return rc;
}

/* The bank from the table and the canonical account, through the bank kind's own normaliser
 * so that the two can never disagree. */
static void resolve_bank(fidx_emvco_t *out)
{
    const fidx_bank_t *b = fidx_bank_find(out->bin.p, out->bin.len);
    if (b && strlen(b->bin) == BIN_LEN && memcmp(b->bin, out->bin.p, BIN_LEN) == 0)
        out->bank = b;
    fidx_str_t a = out->account;
    if (a.len < FIDX_BANK_ACCOUNT_MIN || a.len > FIDX_BANK_ACCOUNT_MAX || !all_digits(a))
        return;
    char in[BIN_LEN + 1 + FIDX_BANK_ACCOUNT_MAX];
    size_t n = 0;
    if (out->bank) {
        memcpy(in, out->bin.p, BIN_LEN);
        n = BIN_LEN;
    } else {
        in[n++] = '*';
    }
    in[n++] = ':';
    memcpy(in + n, a.p, a.len);
    n += a.len;
    if (fidx_bank_normalize(in, n, out->canonical, sizeof out->canonical, &out->canonical_len,
                            NULL) != 0) {
        out->canonical[0] = '\0';
        out->canonical_len = 0;
    }
}

int fidx_emvco_parse(const char *p, size_t len, fidx_emvco_t *out, fidx_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (len > FIDX_EMVCO_MAX_LEN)
        return fail(err, FIDX_ETOOBIG, FIDX_EMVCO_MAX_LEN, "payload longer than 512 bytes");
    if (!p)
        len = 0;
    tlv_table_t root;
    int rc = read_root(p, len, &root, err);
    if (rc == 0)
        rc = read_header(&root, out, err);
    if (rc == 0)
        rc = read_napas(&root, out, err);
    if (rc == 0)
        rc = read_transaction(&root, out, err);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    resolve_bank(out);
    return 0;
}

/* ---- Encoding ------------------------------------------------------------------------------ */

/* A bounded writer: once something did not fit, it stays failed. */
typedef struct {
    char *p;
    size_t cap, n;
    int rc;
} writer_t;

static void put(writer_t *w, const char *s, size_t n)
{
    if (w->rc != 0)
        return;
    if (n > w->cap - w->n) {
        w->rc = FIDX_ENOSPC;
        return;
    }
    memcpy(w->p + w->n, s, n);
    w->n += n;
}

/* id, two-digit length, value; absent values are skipped. */
static void put_tlv(writer_t *w, int id, fidx_str_t v)
{
    if (!v.p || v.len == 0 || w->rc != 0)
        return;
    if (v.len > TLV_VALUE_MAX) {
        w->rc = FIDX_EINVAL;
        return;
    }
    char head[4] = {(char)('0' + id / 10), (char)('0' + id % 10), (char)('0' + v.len / 10),
                    (char)('0' + v.len % 10)};
    put(w, head, 4);
    put(w, v.p, v.len);
}

/* Tag 38's value into buf (at most TLV_VALUE_MAX bytes). */
static int encode_napas(const fidx_emvco_t *q, char *buf, size_t *len)
{
    char ben[TLV_VALUE_MAX];
    writer_t b = {ben, sizeof ben, 0, 0};
    put_tlv(&b, 0, q->bin);
    put_tlv(&b, 1, q->account);
    writer_t w = {buf, TLV_VALUE_MAX, 0, b.rc};
    put_tlv(&w, 0, FIDX_STR(NAPAS_GUID));
    put_tlv(&w, 1, fidx_str(ben, b.n));
    put_tlv(&w, 2, q->service);
    *len = w.n;
    return w.rc == 0 ? 0 : FIDX_EINVAL; /* only the 99-byte template can overflow here */
}

int fidx_emvco_encode(const fidx_emvco_t *q, char *out, size_t cap, size_t *out_len,
                      fidx_err_t *err)
{
    if (!q->bin.len || !q->account.len || !q->service.len)
        return fail(err, FIDX_EINVAL, 0, "bin, account and service are needed to encode");
    char napas[TLV_VALUE_MAX], add[TLV_VALUE_MAX];
    size_t napas_len = 0;
    if (encode_napas(q, napas, &napas_len) != 0)
        return fail(err, FIDX_EINVAL, 0, "tag 38 would be longer than 99 bytes");
    writer_t a = {add, sizeof add, 0, 0};
    put_tlv(&a, 8, q->purpose);
    if (a.rc != 0)
        return fail(err, FIDX_EINVAL, 0, "tag 62 would be longer than 99 bytes");
    writer_t w = {out, cap ? cap - 1 : 0, 0, cap ? 0 : FIDX_ENOSPC};
    put_tlv(&w, ID_FORMAT, FIDX_STR("01"));
    put_tlv(&w, ID_INITIATION, q->initiation);
    put_tlv(&w, ID_NAPAS, fidx_str(napas, napas_len));
    put_tlv(&w, ID_CURRENCY, q->currency);
    put_tlv(&w, ID_AMOUNT, q->amount);
    put_tlv(&w, ID_COUNTRY, q->country);
    put_tlv(&w, ID_NAME, q->name);
    put_tlv(&w, ID_CITY, q->city);
    put_tlv(&w, ID_ADDITIONAL, fidx_str(add, a.n));
    put(&w, "6304", 4);
    if (w.rc != 0)
        return fail(err, w.rc, w.n,
                    w.rc == FIDX_ENOSPC ? "output buffer too small"
                                        : "a field is longer than 99 bytes");
    static const char hex[] = "0123456789ABCDEF";
    unsigned crc = fidx_emvco_crc16(out, w.n);
    char tail[4] = {hex[crc >> 12 & 0xF], hex[crc >> 8 & 0xF], hex[crc >> 4 & 0xF], hex[crc & 0xF]};
    put(&w, tail, 4);
    if (w.rc != 0)
        return fail(err, w.rc, w.n, "output buffer too small");
    out[w.n] = '\0';
    *out_len = w.n;
    return 0;
}

/* ---- Finding payloads in a text ------------------------------------------------------------ */

/* Where the payload starting at p ends, read by its lengths: just past "6304" and four hex
 * digits. 0 when the objects run off the text (or past the size limit) first. */
static size_t payload_end(const char *p, size_t len)
{
    if (len > FIDX_EMVCO_MAX_LEN)
        len = FIDX_EMVCO_MAX_LEN;
    for (size_t pos = 0; len - pos >= 4;) {
        int id = two_digits(p + pos), n = two_digits(p + pos + 2);
        if (id < 0 || n <= 0 || (size_t)n > len - pos - 4)
            return 0;
        if (id == ID_CRC && n == 4) {
            for (size_t i = 0; i < 4; i++)
                if (hex_value(p[pos + 4 + i]) < 0)
                    return 0;
            return pos + 8;
        }
        pos += 4 + (size_t)n;
    }
    return 0;
}

int fidx_emvco_find(const char *p, size_t len, size_t *from, fidx_emvco_match_t *m)
{
    static const char start[] = "000201";
    size_t i = *from;
    while (p && i < len) {
        const char *hit = memmem(p + i, len - i, start, sizeof start - 1);
        if (!hit)
            break;
        size_t s = (size_t)(hit - p), e = payload_end(hit, len - s);
        if (e && fidx_emvco_parse(hit, e, &m->qr, NULL) == 0) {
            m->start = s;
            m->end = s + e;
            *from = s + e;
            return 1;
        }
        /* "000201" cannot overlap itself: the next candidate starts 6 bytes on at the earliest. */
        i = s + sizeof start - 1;
    }
    *from = len;
    return 0;
}
