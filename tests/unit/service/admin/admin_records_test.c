/* Unit tests of the analysts' log records (service/src/admin/admin_records.c): a PUT record
 * carries the public label apart from the note and decodes to the same indicator; a PUT record
 * of the format before labels (flags 0, written byte by byte here, as older logs hold them)
 * still decodes, without a label; damaged label parts and unknown flags are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "admin/admin.h"

static fidx_indicator_t ind, got;

static void make(const char *label)
{
    memset(&ind, 0, sizeof ind);
    ind.kind = FIDX_KIND_PHONE;
    ind.status = FIDX_STATUS_ALLOWLISTED;
    ind.categories = 0;
    ind.reports = 1;
    ind.first_seen = 8827;
    ind.n_sources = 1;
    strcpy(ind.sources[0], "official");
    strcpy(ind.value, "19005454");
    ind.value_len = 8;
    strcpy(ind.note, "checked 2026-11-27");
    ind.note_len = strlen(ind.note);
    strcpy(ind.label, label);
    ind.label_len = strlen(label);
}

/* Encodes ind; the record's body and its length. */
static const char *encode(fidx__sbuf_t *b, size_t *len)
{
    unsigned type;
    fidx__sbuf_reset(b, SIZE_MAX);
    assert_int_equal(fidx__admin_encode_put(b, &ind), 0);
    const char *body = fidx__admin_record_body(b->p, len, &type);
    assert_int_equal(type, FIDX__WAL_PUT);
    assert_int_equal(*len + 8, b->len);
    return body;
}

static void round_trip(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    size_t len;
    fidx__sbuf_init(&b, 1 << 20);
    make("Vietcombank — tổng đài chính thức");
    const char *body = encode(&b, &len);
    assert_int_equal(fidx__admin_decode_put(body, len, &got), 0);
    assert_string_equal(got.label, "Vietcombank — tổng đài chính thức");
    assert_int_equal(got.label_len, ind.label_len);
    assert_string_equal(got.note, "checked 2026-11-27");
    assert_string_equal(got.value, "19005454");
    assert_string_equal(got.sources[0], "official");
    /* The value stays where the audit reads it: after the fixed part and the source lengths. */
    assert_memory_equal(body + 18 + 1, "19005454", 8);
    /* Without a label the record is the format before labels, byte for byte (flags 0). */
    make("");
    body = encode(&b, &len);
    assert_int_equal(body[3], 0);
    assert_int_equal(len, 18 + 1 + 8 + ind.note_len + 8);
    assert_int_equal(fidx__admin_decode_put(body, len, &got), 0);
    assert_int_equal(got.label_len, 0);
    assert_string_equal(got.label, "");
    fidx__sbuf_free(&b);
}

/* A record as logs written before labels hold it, laid out by hand from the documented
 * format: kind, status, n_sources, 0, categories, first_seen, last_seen, value_len, note_len,
 * reports, source lengths, value, note, sources. */
static void old_record_replays(void **state)
{
    (void)state;
    static const char rec[] = "\x00\x01\x01\x00"         /* phone, confirmed, 1 source */
                              "\x01\x00\x00\x00\x00\x00" /* categories, dates */
                              "\x0c\x00\x04\x00"         /* value 12, note 4 */
                              "\x03\x00\x00\x00"         /* reports 3 */
                              "\x06"                     /* "police" */
                              "+84912345678"
                              "note"
                              "police";
    assert_int_equal(fidx__admin_decode_put(rec, sizeof rec - 1, &got), 0);
    assert_int_equal(got.kind, FIDX_KIND_PHONE);
    assert_int_equal(got.status, FIDX_STATUS_CONFIRMED);
    assert_int_equal(got.reports, 3);
    assert_string_equal(got.value, "+84912345678");
    assert_string_equal(got.note, "note");
    assert_string_equal(got.sources[0], "police");
    assert_int_equal(got.label_len, 0);
}

static void damage_refused(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    size_t len;
    static char copy[4096];
    fidx__sbuf_init(&b, 1 << 20);
    make("TPBank");
    const char *body = encode(&b, &len);
    memcpy(copy, body, len);
    /* Cut short anywhere in the label's part; one byte too many. */
    for (size_t cut = len - 8; cut < len; cut++)
        assert_int_equal(fidx__admin_decode_put(copy, cut, &got), FIDX_ECORRUPT);
    copy[len] = 'x';
    assert_int_equal(fidx__admin_decode_put(copy, len + 1, &got), FIDX_ECORRUPT);
    /* Unknown flags; a label that is not one (a control character). */
    copy[3] = 3;
    assert_int_equal(fidx__admin_decode_put(copy, len, &got), FIDX_ECORRUPT);
    copy[3] = 1;
    copy[len - 1] = '\n';
    assert_int_equal(fidx__admin_decode_put(copy, len, &got), FIDX_ECORRUPT);
    /* The flag without a label: refused too. */
    make("");
    body = encode(&b, &len);
    memcpy(copy, body, len);
    copy[3] = 1;
    assert_int_equal(fidx__admin_decode_put(copy, len, &got), FIDX_ECORRUPT);
    /* An overlong label is not encoded at all. */
    make("x");
    ind.label_len = FIDX_MAX_LABEL_LEN + 1;
    fidx__sbuf_reset(&b, SIZE_MAX);
    assert_int_equal(fidx__admin_encode_put(&b, &ind), FIDX_EINVAL);
    fidx__sbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(old_record_replays),
        cmocka_unit_test(damage_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
