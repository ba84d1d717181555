/* Unit tests for the feed readers (feed*.c): each format's rows and line numbers, bad rows
 * reported with their line while the reader goes on, format detection, and hostile inputs
 * (huge lines, unterminated quotes, binary garbage, deep JSON, NUL bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fidx/feed.h"

/* Reads every row of text and writes a transcript: "L:value" for a row, "L!reason" for a bad
 * row, joined by '|'. Stops after max_rows so that a reader that never ends fails the test. */
static char *transcript(fidx_feed_format_t fmt, const char *p, size_t len)
{
    static char out[1 << 18];
    fidx_feed_t *f = NULL;
    fidx_err_t err = {0};
    size_t n = 0;
    out[0] = '\0';
    if (fidx_feed_new(p, len, fmt, &f, &err) != 0) {
        snprintf(out, sizeof out, "new!%s", err.reason);
        return out;
    }
    fidx_row_t row;
    int rc, rows = 0;
    while ((rc = fidx_feed_next(f, &row, &err)) != FIDX_ENOTFOUND) {
        assert_true(rows++ < 100000);
        assert_true(rc == 0 || rc == FIDX_EINVAL);
        if (n + 64 + row.value.len >= sizeof out)
            continue; /* keep the transcript bounded; the loop still runs to the end */
        if (rc == 0)
            n += (size_t)snprintf(out + n, sizeof out - n, "%s%zu:%.*s", n ? "|" : "", row.line,
                                  (int)row.value.len, row.value.p ? row.value.p : "");
        else
            n += (size_t)snprintf(out + n, sizeof out - n, "%s%zu!%s", n ? "|" : "", row.line,
                                  err.reason);
    }
    fidx_feed_free(f);
    return out;
}

#define T(fmt, lit) transcript((fmt), (lit), sizeof(lit) - 1)

static int field_is(fidx_str_t s, const char *lit)
{
    return s.p != NULL && s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

static fidx_feed_t *open_feed(fidx_feed_format_t fmt, const char *p, size_t len)
{
    fidx_feed_t *f = NULL;
    fidx_err_t err = {0};
    assert_int_equal(fidx_feed_new(p, len, fmt, &f, &err), 0);
    return f;
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(fidx_feed_format_name(FIDX_FEED_CSV), "csv");
    assert_string_equal(fidx_feed_format_name(FIDX_FEED_JSONL), "jsonl");
    assert_string_equal(fidx_feed_format_name(FIDX_FEED_LIST), "list");
    assert_string_equal(fidx_feed_format_name(FIDX_FEED_MISP), "misp");
    assert_string_equal(fidx_feed_format_name(FIDX_FEED_STIX), "stix");
}

/* ---- CSV ---------------------------------------------------------------------------------- */

static void csv_columns_by_name(void **state)
{
    (void)state;
    static const char in[] = "note, Value ,kind,reports\n"
                             "hello,0912345678,phone,3\n"
                             ",evil.com,,\n";
    fidx_feed_t *f = open_feed(FIDX_FEED_CSV, in, sizeof in - 1);
    fidx_row_t row;
    fidx_err_t err;
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_int_equal(row.line, 2);
    assert_true(field_is(row.value, "0912345678"));
    assert_true(field_is(row.kind, "phone"));
    assert_true(field_is(row.note, "hello"));
    assert_true(field_is(row.reports, "3"));
    assert_null(row.status.p); /* no such column: absent */
    assert_null(row.first_seen.p);
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_int_equal(row.line, 3);
    assert_true(field_is(row.value, "evil.com"));
    assert_non_null(row.kind.p); /* a column, empty in this row */
    assert_int_equal(row.kind.len, 0);
    assert_int_equal(fidx_feed_next(f, &row, &err), FIDX_ENOTFOUND);
    assert_int_equal(fidx_feed_next(f, &row, &err), FIDX_ENOTFOUND);
    fidx_feed_free(f);
}

static void csv_quotes_and_lines(void **state)
{
    (void)state;
    static const char in[] = "value,note\n"
                             "a,\"two\nlines, and \"\"quotes\"\"\"\n"
                             "\"b\",\"\"\n"
                             "\n"
                             "c,\"x\r\ny\"\n"
                             "d,last";
    assert_string_equal(T(FIDX_FEED_CSV, in), "2:a|4:b|6:c|8:d");
    fidx_feed_t *f = open_feed(FIDX_FEED_CSV, in, sizeof in - 1);
    fidx_row_t row;
    fidx_err_t err;
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.note, "two\nlines, and \"quotes\""));
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.value, "b"));
    assert_non_null(row.note.p);
    assert_int_equal(row.note.len, 0);
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.note, "x\r\ny"));
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.note, "last"));
    fidx_feed_free(f);
}

static void csv_crlf_and_bom(void **state)
{
    (void)state;
    static const char in[] = "\xEF\xBB\xBFkind,value\r\nemail,a@b.vn\r\n\r\ndomain,\"x.vn\"\r\n";
    assert_string_equal(T(FIDX_FEED_CSV, in), "2:a@b.vn|4:x.vn");
    fidx_feed_t *f = open_feed(FIDX_FEED_CSV, in, sizeof in - 1);
    fidx_row_t row;
    fidx_err_t err;
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.kind, "email")); /* the BOM is not part of the first column */
    fidx_feed_free(f);
    /* A lone CR is data, not a line end. */
    assert_string_equal(T(FIDX_FEED_CSV, "value\na\rb\n"), "2:a\rb");
}

static void csv_bad_rows_then_continue(void **state)
{
    (void)state;
    static const char in[] = "value,note\n"
                             "a\n"
                             "b,1,2\n"
                             "\"c\"x,1\n"
                             "d,ok\n"
                             "e,\"never closed\n"
                             "f,ok\n";
    assert_string_equal(T(FIDX_FEED_CSV, in), "2!row has fewer fields than the header|"
                                              "3!row has more fields than the header|"
                                              "4!text after a closing quote|5:d|"
                                              "6!quoted field is not closed|7:f");
    assert_string_equal(T(FIDX_FEED_CSV, "value\n\"open at the end"),
                        "2!quoted field is not closed");
}

static void csv_header_errors(void **state)
{
    (void)state;
    static const char unknown[] = "kind,value,colour\nphone,1,red\n";
    fidx_feed_t *f = NULL;
    fidx_err_t err = {0};
    assert_int_equal(fidx_feed_new(unknown, sizeof unknown - 1, FIDX_FEED_CSV, &f, &err),
                     FIDX_EINVAL);
    assert_null(f);
    assert_string_equal(err.reason, "CSV header names an unknown column");
    assert_int_equal(err.offset, 11); /* points at "colour" for the caller to quote */
    assert_string_equal(T(FIDX_FEED_CSV, "kind,note\n"), "new!CSV header has no value column");
    assert_string_equal(T(FIDX_FEED_CSV, "value,Value\n"), "new!CSV header names a column twice");
    assert_string_equal(T(FIDX_FEED_CSV, ""), "new!CSV input has no header row");
    assert_string_equal(T(FIDX_FEED_CSV, "\n\n  \n"), "new!CSV input has no header row");
    assert_string_equal(T(FIDX_FEED_CSV, "value,\n"), "new!CSV header names an unknown column");
    /* Blank lines before the header are skipped and counted. */
    assert_string_equal(T(FIDX_FEED_CSV, "\n\nvalue\nx\n"), "4:x");
}

static void csv_record_limit(void **state)
{
    (void)state;
    size_t big = 1024 * 1024;
    char *in = malloc(big + FIDX_MAX_LINE_LEN + 64);
    assert_non_null(in);
    size_t n = (size_t)sprintf(in, "value\na\n");
    memset(in + n, 'x', big);
    n += big;
    n += (size_t)sprintf(in + n, "\nb\n\"");
    memset(in + n, 'y', FIDX_MAX_LINE_LEN + 10); /* a quoted field running past the limit */
    n += FIDX_MAX_LINE_LEN + 10;
    n += (size_t)sprintf(in + n, "\"\nc\n");
    assert_string_equal(transcript(FIDX_FEED_CSV, in, n),
                        "2:a|3!record is longer than the limit|4:b|"
                        "5!record is longer than the limit|6:c");
    /* Exactly at the limit is fine, CRLF or not. */
    n = (size_t)sprintf(in, "value\r\n");
    memset(in + n, 'z', FIDX_MAX_LINE_LEN);
    n += FIDX_MAX_LINE_LEN;
    n += (size_t)sprintf(in + n, "\r\nq");
    char *t = transcript(FIDX_FEED_CSV, in, n);
    assert_int_equal(strlen(t), 2 + FIDX_MAX_LINE_LEN + 4);
    assert_string_equal(t + strlen(t) - 4, "|3:q");
    free(in);
}

static void csv_nul_bytes(void **state)
{
    (void)state;
    static const char in[] = "value,note\na\0b,\"x\0\"\nc,d\n";
    fidx_feed_t *f = open_feed(FIDX_FEED_CSV, in, sizeof in - 1);
    fidx_row_t row;
    fidx_err_t err;
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_int_equal(row.value.len, 3); /* NUL is data here; the value check refuses it */
    assert_int_equal(row.note.len, 2);
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_int_equal(row.line, 3);
    fidx_feed_free(f);
}

/* Many rows: the reader keeps its line count and allocates nothing per row (ASan would see a
 * leak or a slow run). */
static void csv_many_rows(void **state)
{
    (void)state;
    size_t rows = 200000, cap = rows * 40 + 64, n = 0;
    char *in = malloc(cap);
    assert_non_null(in);
    n += (size_t)sprintf(in, "kind,value,reports\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)sprintf(in + n, i % 2 ? "phone,09%08zu,2\n" : "domain,\"d%zu.vn\",1\n", i);
    fidx_feed_t *f = open_feed(FIDX_FEED_CSV, in, n);
    fidx_row_t row;
    fidx_err_t err;
    size_t got = 0;
    while (fidx_feed_next(f, &row, &err) == 0) {
        assert_int_equal(row.line, got + 2);
        got++;
    }
    assert_int_equal(got, rows);
    fidx_feed_free(f);
    free(in);
}

/* ---- JSON Lines --------------------------------------------------------------------------- */

static void jsonl_rows(void **state)
{
    (void)state;
    static const char in[] =
        "{\"value\":\"0912345678\",\"kind\":\"phone\",\"categories\":[\"loan\",\"other\"],"
        "\"reports\":12,\"id\":7,\"extra\":{\"x\":[1]}}\r\n"
        "\n"
        "{\"value\":\"a@b.vn\",\"reports\":\"3\",\"categories\":\"phishing\",\"status\":null}\n";
    fidx_feed_t *f = open_feed(FIDX_FEED_JSONL, in, sizeof in - 1);
    fidx_row_t row;
    fidx_err_t err;
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_int_equal(row.line, 1);
    assert_true(field_is(row.value, "0912345678"));
    assert_true(field_is(row.categories, "loan;other"));
    assert_true(field_is(row.reports, "12"));
    assert_null(row.note.p);
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_int_equal(row.line, 3);
    assert_true(field_is(row.reports, "3"));
    assert_true(field_is(row.categories, "phishing"));
    assert_null(row.status.p); /* null is absent */
    assert_int_equal(fidx_feed_next(f, &row, &err), FIDX_ENOTFOUND);
    fidx_feed_free(f);
}

/* The public label is a column (CSV) and a member (JSON Lines) of its own, apart from note. */
static void label_column(void **state)
{
    (void)state;
    static const char csv[] = "kind,value,note,label\n"
                              "phone,1900 54 54 13,checked 2026-11-27,\"Vietcombank — tổng đài\"\n"
                              "domain,evil.com,,\n";
    fidx_feed_t *f = open_feed(FIDX_FEED_CSV, csv, sizeof csv - 1);
    fidx_row_t row;
    fidx_err_t err;
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.label, "Vietcombank — tổng đài"));
    assert_true(field_is(row.note, "checked 2026-11-27"));
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_int_equal(row.label.len, 0);
    fidx_feed_free(f);
    static const char jl[] = "{\"value\":\"tpb.vn\",\"label\":\"TPBank\",\"note\":\"n\"}\n"
                             "{\"value\":\"b.vn\",\"label\":3}\n"
                             "{\"value\":\"c.vn\"}\n";
    f = open_feed(FIDX_FEED_JSONL, jl, sizeof jl - 1);
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.label, "TPBank"));
    assert_true(field_is(row.note, "n"));
    assert_int_equal(fidx_feed_next(f, &row, &err), FIDX_EINVAL);
    assert_string_equal(err.reason, "label is not a string");
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_null(row.label.p);
    fidx_feed_free(f);
}

static void jsonl_bad_rows(void **state)
{
    (void)state;
    static const char in[] = "{\"value\":\"a\"}\n"
                             "[\"value\",\"b\"]\n"
                             "{\"value\":\"c\",\"value\":\"d\"}\n"
                             "{\"value\":\"e\",\"reports\":1.5}\n"
                             "{\"value\":\"f\",\"categories\":[\"loan\",3]}\n"
                             "{\"value\":7}\n"
                             "{\"value\":\"g\"\n"
                             "{\"value\":\"h\\u0000\"}\n"
                             "{\"value\":\"i\"} {}\n"
                             "{\"value\":\"j\"}";
    assert_string_equal(T(FIDX_FEED_JSONL, in),
                        "1:a|2!line is not a JSON object|3!line has a duplicate key|"
                        "4!reports is not a whole number or a string|"
                        "5!categories is not a string or an array of strings|"
                        "6!value is not a string|7!line is not valid JSON|"
                        "8!line is not valid JSON|9!line is not valid JSON|10:j");
}

static void jsonl_deep_nesting(void **state)
{
    (void)state;
    size_t depth = 100000;
    char *in = malloc(2 * depth + 64);
    assert_non_null(in);
    /* 100,000 levels: longer than a line may be. */
    memset(in, '[', depth);
    memset(in + depth, ']', depth);
    size_t n = 2 * depth + (size_t)sprintf(in + 2 * depth, "\n{\"value\":\"ok\"}\n");
    assert_string_equal(transcript(FIDX_FEED_JSONL, in, n), "1!line is longer than the limit|2:ok");
    /* 30,000 levels inside the limit: jansson's depth bound refuses it, without a crash. */
    depth = 30000;
    n = (size_t)sprintf(in, "{\"value\":\"x\",\"deep\":");
    memset(in + n, '[', depth);
    memset(in + n + depth, ']', depth);
    n += 2 * depth;
    n += (size_t)sprintf(in + n, "}\n");
    assert_string_equal(transcript(FIDX_FEED_JSONL, in, n), "1!line is nested too deeply");
    free(in);
    /* A whole document 100,000 levels deep: refused by new(), and detection does not recurse. */
    depth = 100000;
    in = malloc(2 * depth + 64);
    assert_non_null(in);
    n = (size_t)sprintf(in, "{\"Event\":");
    memset(in + n, '[', depth);
    memset(in + n + depth, ']', depth);
    n += 2 * depth;
    in[n++] = '}';
    fidx_feed_format_t fmt;
    fidx_err_t err;
    assert_int_equal(fidx_feed_detect(in, n, &fmt, &err), 0);
    assert_int_equal(fmt, FIDX_FEED_MISP);
    assert_string_equal(transcript(FIDX_FEED_MISP, in, n), "new!JSON is nested too deeply");
    assert_string_equal(transcript(FIDX_FEED_STIX, in, n), "new!JSON is nested too deeply");
    free(in);
}

/* ---- plain lists -------------------------------------------------------------------------- */

static void list_rows(void **state)
{
    (void)state;
    static const char in[] = "\xEF\xBB\xBF# scam numbers\n"
                             "  0912 345 678 \r\n"
                             "\n"
                             "\t# indented comment\n"
                             "https://x.vn/#frag\n"
                             "last";
    assert_string_equal(T(FIDX_FEED_LIST, in), "2:0912 345 678|5:https://x.vn/#frag|6:last");
    fidx_feed_t *f = open_feed(FIDX_FEED_LIST, in, sizeof in - 1);
    fidx_row_t row;
    fidx_err_t err;
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_null(row.kind.p); /* only value is set */
    assert_null(row.note.p);
    fidx_feed_free(f);
    assert_string_equal(T(FIDX_FEED_LIST, ""), "");
}

static void list_long_line(void **state)
{
    (void)state;
    size_t big = 1024 * 1024;
    char *in = malloc(big + 16);
    assert_non_null(in);
    memset(in, 'x', big);
    size_t n = big + (size_t)sprintf(in + big, "\nok\n");
    assert_string_equal(transcript(FIDX_FEED_LIST, in, n), "1!line is longer than the limit|2:ok");
    free(in);
}

/* ---- MISP --------------------------------------------------------------------------------- */

static const char misp_event[] =
    "{\"Event\": {\n"                                                     /* 1 */
    "  \"info\": \"Fake bank SMS\", \"date\": \"2024-03-01\",\n"          /* 2 */
    "  \"Tag\": [{\"name\": \"tlp:green\"}, {\"name\": \"phishing\"}],\n" /* 3 */
    "  \"Attribute\": [\n"                                                /* 4 */
    "    {\"type\": \"phone-number\", \"value\": \"0912345678\",\n"       /* 5 */
    "     \"comment\": \"caller\", \"to_ids\": true},\n"                  /* 6 */
    "    {\"type\": \"ip-dst\", \"value\": \"1.2.3.4\"},\n"               /* 7 */
    "    {\"type\": \"domain|ip\", \"value\": \"x.vn|1.2.3.4\"},\n"       /* 8 */
    "    {\"type\": \"url\", \"value\": \"http:\\/\\/evil.vn\\/a\",\n"    /* 9 */
    "     \"first_seen\": \"2024-03-05T10:00:00.000000+00:00\"},\n"       /* 10 */
    "    {\"type\": \"email-src\", \"value\": \"victim@x.vn\", \"to_ids\": false},\n"
    "    {\"type\": \"domain\", \"value\": \"gone.vn\", \"deleted\": true}\n" /* 12 */
    "  ],\n"                                                                  /* 13 */
    "  \"Object\": [{\"name\": \"bank-account\", \"Attribute\": [\n"          /* 14 */
    "    {\"type\": \"bank-account-nr\", \"value\": \"0123456789\"},\n"       /* 15 */
    "    {\"type\": \"iban\", \"value\": \"DE89370400440532013000\"}]}]\n"    /* 16 */
    "}}\n";

static void misp_event_rows(void **state)
{
    (void)state;
    assert_string_equal(T(FIDX_FEED_MISP, misp_event),
                        "5:0912345678|9:http://evil.vn/a|15:0123456789|16:DE89370400440532013000");
    fidx_feed_t *f = open_feed(FIDX_FEED_MISP, misp_event, sizeof misp_event - 1);
    fidx_row_t row;
    fidx_err_t err;
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.kind, "phone"));
    assert_true(field_is(row.note, "caller"));
    assert_true(field_is(row.first_seen, "2024-03-01"));
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.kind, "url"));
    assert_true(field_is(row.note, "tlp:green, phishing")); /* no comment: the event's tags */
    assert_true(field_is(row.first_seen, "2024-03-05"));
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.kind, "bank_account"));
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.kind, "bank_account"));
    assert_int_equal(fidx_feed_next(f, &row, &err), FIDX_ENOTFOUND);
    fidx_feed_free(f);
}

static void misp_wrappers(void **state)
{
    (void)state;
    static const char response[] =
        "{\"response\":[{\"Event\":{\"Attribute\":[{\"type\":\"domain\",\"value\":\"a.vn\"}]}},"
        "\n{\"Event\":{\"Object\":[{\"Attribute\":[{\"type\":\"hostname\",\"value\":\"b.vn\"}]}],"
        "\"Attribute\":[{\"type\":\"link\",\"value\":\"c.vn/x\"}]}}]}";
    /* Object written before Attribute: rows follow the document. */
    assert_string_equal(T(FIDX_FEED_MISP, response), "1:a.vn|2:b.vn|2:c.vn/x");
    static const char bare[] =
        "[{\"Event\":{\"Attribute\":[{\"type\":\"email\",\"value\":\"a@b.vn\"},"
        "{\"type\":\"email-dst\",\"value\":7}]}},"
        "{\"Attribute\":[\"junk\",{\"type\":\"uri\",\"value\":\"u\"}]}]";
    assert_string_equal(T(FIDX_FEED_MISP, bare), "1:a@b.vn|1!MISP attribute value is not a string|"
                                                 "1!MISP attribute is not an object|1:u");
    assert_string_equal(T(FIDX_FEED_MISP, "{\"type\":\"bundle\"}"),
                        "new!JSON document is not a MISP event export");
    assert_string_equal(T(FIDX_FEED_MISP, "{\"Event\":"), "new!document is not valid JSON");
    assert_string_equal(T(FIDX_FEED_MISP, "{\"Event\":{\"Attribute\":[]}}"), "");
    /* Read one attribute at a time: a duplicate key spoils that attribute only. */
    assert_string_equal(T(FIDX_FEED_MISP, "{\"Event\":{\"Attribute\":[{\"type\":\"domain\","
                                          "\"value\":\"a.vn\",\"value\":\"b.vn\"},"
                                          "{\"type\":\"domain\",\"value\":\"c.vn\"}]}}"),
                        "1!MISP attribute has a duplicate key|1:c.vn");
    /* Trailing bytes after the document, a bad escape or byte anywhere: the whole is refused. */
    assert_string_equal(T(FIDX_FEED_MISP, "{\"Event\":{}} x"), "new!document is not valid JSON");
    assert_string_equal(T(FIDX_FEED_MISP, "{\"Event\":{\"info\":\"\\x\"}}"),
                        "new!document is not valid JSON");
    assert_string_equal(T(FIDX_FEED_MISP, "{\"Event\":{\"info\":\"\xC0\xAF\"}}"),
                        "new!document is not valid JSON");
    assert_string_equal(T(FIDX_FEED_STIX, "{\"type\":\"bundle\",\"objects\":[01]}"),
                        "new!document is not valid JSON");
}

/* ---- STIX --------------------------------------------------------------------------------- */

static const char stix_bundle[] =
    "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [\n" /* 1 */
    "  {\"type\": \"identity\", \"name\": \"police\"},\n"            /* 2 */
    "  {\"type\": \"indicator\", \"name\": \"Fake shop\", \"labels\": [\"shopping\","
    " \"malicious-activity\"],\n"                    /* 3 */
    "   \"valid_from\": \"2024-02-03T00:00:00Z\",\n" /* 4 */
    "   \"pattern\": \"[url:value = 'http://shop.vn/it\\\\'s'] OR "
    "[domain-name:value='shop.vn' OR email-addr:value = 'a@shop.vn']\"},\n" /* 5 */
    "  {\"type\": \"indicator\", \"pattern_type\": \"snort\", \"pattern\": \"alert\"},\n"
    "  {\"type\": \"indicator\", \"pattern\": \"[ipv4-addr:value = '1.2.3.4'] OR "
    "[file:hashes.'SHA-256' = 'ab'] OR [url:value = 'b\\\\\\\\c']\"},\n" /* 7 */
    "  {\"type\": \"indicator\", \"pattern\": \"[url:value = 'x' AND url:value = 'y']\"},\n"
    "  {\"type\": \"indicator\", \"pattern\": \"[url:value = 'x'] WITHIN 5 SECONDS\"},\n"
    "  {\"type\": \"indicator\", \"pattern\": \"[url:value = 'x'\"},\n"        /* 10 */
    "  {\"type\": \"indicator\", \"pattern\": \"[url:value = 'unclosed]\"},\n" /* 11 */
    "  {\"type\": \"indicator\", \"revoked\": true, \"pattern\": \"[url:value = 'r']\"},\n"
    "  {\"type\": \"indicator\", \"indicator_types\": [\"phishing\"], \"description\": \"d\",\n"
    "   \"pattern\": \"[domain-name:value = 'last.vn']\"}\n" /* 14 */
    "]}\n";

static void stix_bundle_rows(void **state)
{
    (void)state;
    assert_string_equal(T(FIDX_FEED_STIX, stix_bundle),
                        "5:http://shop.vn/it's|5:shop.vn|5:a@shop.vn|7:b\\c|"
                        "8!STIX pattern uses something other than '=' and OR|"
                        "9!STIX pattern uses something other than '=' and OR|"
                        "10!STIX pattern has no closing ']'|"
                        "11!STIX pattern string is not closed|14:last.vn");
    fidx_feed_t *f = open_feed(FIDX_FEED_STIX, stix_bundle, sizeof stix_bundle - 1);
    fidx_row_t row;
    fidx_err_t err;
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.kind, "url"));
    assert_true(field_is(row.categories, "shopping")); /* not-ours labels are ignored */
    assert_true(field_is(row.first_seen, "2024-02-03"));
    assert_true(field_is(row.note, "Fake shop"));
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.kind, "domain"));
    assert_int_equal(fidx_feed_next(f, &row, &err), 0);
    assert_true(field_is(row.kind, "email"));
    assert_true(field_is(row.note, "Fake shop"));
    fidx_feed_free(f);
    assert_string_equal(T(FIDX_FEED_STIX, "{\"type\":\"bundle\"}"), "");
    assert_string_equal(T(FIDX_FEED_STIX, "{\"Event\":{}}"),
                        "new!JSON document is not a STIX bundle");
}

static void stix_bad_patterns(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "url:value = 'x'",
        "[]",
        "[url:value = 'x'] OR",
        "[url:value != 'x']",
        "[url:value = 'x' \\'",
        "[url:value = 3]",
        "[url:value = 'x'] FOLLOWEDBY [url:value='y']",
        "([url:value = 'x'])",
        "[url:value = 'a\\x']",
        "[url:value MATCHES 'x']",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char doc[512];
        char esc[256];
        size_t k = 0;
        for (const char *c = bad[i]; *c; c++) {
            if (*c == '\\' || *c == '"')
                esc[k++] = '\\';
            esc[k++] = *c;
        }
        esc[k] = '\0';
        int n = snprintf(doc, sizeof doc,
                         "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\","
                         "\"pattern\":\"%s\"},{\"type\":\"indicator\",\"pattern\":"
                         "\"[url:value='ok']\"}]}",
                         esc);
        char *t = transcript(FIDX_FEED_STIX, doc, (size_t)n);
        assert_non_null(strstr(t, "1!STIX pattern"));
        assert_non_null(strstr(t, "|1:ok"));
    }
}

/* ---- detection ---------------------------------------------------------------------------- */

static int detect(const char *p, size_t len, fidx_feed_format_t *fmt)
{
    fidx_err_t err = {0};
    int rc = fidx_feed_detect(p, len, fmt, &err);
    if (rc != 0)
        assert_non_null(err.reason);
    return rc;
}

#define D(lit, fmt) detect((lit), sizeof(lit) - 1, (fmt))

static void detection(void **state)
{
    (void)state;
    fidx_feed_format_t fmt;
    assert_int_equal(D("\xEF\xBB\xBF\n\nkind,value\nphone,1\n", &fmt), 0);
    assert_int_equal(fmt, FIDX_FEED_CSV);
    assert_int_equal(D("\"value\",\"note\"\r\n", &fmt), 0);
    assert_int_equal(fmt, FIDX_FEED_CSV);
    assert_int_equal(D("kind,colour,value\n", &fmt), 0); /* new() then names the bad column */
    assert_int_equal(fmt, FIDX_FEED_CSV);
    assert_int_equal(D("  {\"value\":\"a\"}\n{\"value\":\"b\"}\n", &fmt), 0);
    assert_int_equal(fmt, FIDX_FEED_JSONL);
    assert_int_equal(detect(misp_event, sizeof misp_event - 1, &fmt), 0);
    assert_int_equal(fmt, FIDX_FEED_MISP);
    assert_int_equal(D("{\"response\":[]}", &fmt), 0);
    assert_int_equal(fmt, FIDX_FEED_MISP);
    assert_int_equal(D("[{\"Event\":{}}]", &fmt), 0);
    assert_int_equal(fmt, FIDX_FEED_MISP);
    assert_int_equal(detect(stix_bundle, sizeof stix_bundle - 1, &fmt), 0);
    assert_int_equal(fmt, FIDX_FEED_STIX);
    /* "type" after a long "objects": still found, at the top level only. */
    assert_int_equal(D("{\"objects\":[{\"type\":\"indicator\"}],\"type\":\"bundle\"}", &fmt), 0);
    assert_int_equal(fmt, FIDX_FEED_STIX);
    assert_int_equal(D("{\"x\":{\"type\":\"bundle\"}}", &fmt), FIDX_EINVAL);
    assert_int_equal(D("# list\n0912345678\nevil.com\nVietcombank 0123456789\n", &fmt), 0);
    assert_int_equal(fmt, FIDX_FEED_LIST);
    assert_int_equal(D("https://a.vn/x,y\n", &fmt), 0);
    assert_int_equal(fmt, FIDX_FEED_LIST);
    assert_int_equal(D("{\"a\":1}\n", &fmt), FIDX_EINVAL);
    assert_int_equal(D("[1,2]", &fmt), FIDX_EINVAL);
    assert_int_equal(D("", &fmt), FIDX_EINVAL);
    assert_int_equal(D(" \n\r\n", &fmt), FIDX_EINVAL);
    assert_int_equal(D("\x7f"
                       "ELF\x02\x01\x01\0\0\0",
                       &fmt),
                     FIDX_EINVAL);
    assert_int_equal(D("ok\nbad\0line\n", &fmt), FIDX_EINVAL);
}

/* ---- hostile inputs to every reader ------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Every reader on mutated inputs: no crash (ASan), an end is reached, line numbers never go
 * back. */
static void mutated_inputs(void **state)
{
    (void)state;
    const char *seeds[] = {
        "value,note,kind\n\"a\"\"b\",\"x\ny\",phone\r\nc,d,e\n",
        "{\"value\":\"a\",\"categories\":[\"loan\"]}\n{\"value\":\"b\"}\n",
        "# c\nvalue one\n  two  \n",
        misp_event,
        stix_bundle,
    };
    uint64_t rng = 0x9e3779b97f4a7c15u;
    char buf[4096];
    for (int fmt = FIDX_FEED_CSV; fmt <= FIDX_FEED_STIX; fmt++) {
        size_t len = strlen(seeds[fmt]);
        for (int round = 0; round < 400; round++) {
            memcpy(buf, seeds[fmt], len);
            for (int k = 0; k < 1 + round % 8; k++)
                buf[rng_next(&rng) % len] = (char)(rng_next(&rng) & 0xff);
            size_t n = len - rng_next(&rng) % 4;
            fidx_feed_format_t detected;
            fidx_err_t err;
            if (fidx_feed_detect(buf, n, &detected, &err) != 0)
                assert_non_null(err.reason);
            fidx_feed_t *f = NULL;
            if (fidx_feed_new(buf, n, (fidx_feed_format_t)fmt, &f, &err) != 0)
                continue;
            fidx_row_t row;
            size_t last = 0, rows = 0;
            int rc;
            while ((rc = fidx_feed_next(f, &row, &err)) != FIDX_ENOTFOUND) {
                assert_true(rc == 0 || rc == FIDX_EINVAL);
                assert_true(rows++ < n + 2);
                if (fmt < FIDX_FEED_MISP) /* text formats: lines strictly in order */
                    assert_true(row.line > last);
                last = row.line;
            }
            fidx_feed_free(f);
        }
    }
}

static void garbage(void **state)
{
    (void)state;
    char buf[8192];
    uint64_t rng = 12345;
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(rng_next(&rng) & 0xff);
    for (int fmt = FIDX_FEED_CSV; fmt <= FIDX_FEED_STIX; fmt++)
        (void)transcript((fidx_feed_format_t)fmt, buf, sizeof buf);
    memcpy(buf, "value\n", 6);
    (void)transcript(FIDX_FEED_CSV, buf, sizeof buf);
    /* An empty file may come as (NULL, 0). */
    assert_string_equal(transcript(FIDX_FEED_LIST, NULL, 0), "");
    assert_string_equal(transcript(FIDX_FEED_JSONL, NULL, 0), "");
    assert_string_equal(transcript(FIDX_FEED_CSV, NULL, 0), "new!CSV input has no header row");
    assert_string_equal(transcript(FIDX_FEED_MISP, NULL, 0), "new!document is not valid JSON");
    fidx_feed_format_t fmt;
    fidx_err_t err;
    assert_int_equal(fidx_feed_detect(NULL, 0, &fmt, &err), FIDX_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test(csv_columns_by_name),
        cmocka_unit_test(csv_quotes_and_lines),
        cmocka_unit_test(csv_crlf_and_bom),
        cmocka_unit_test(csv_bad_rows_then_continue),
        cmocka_unit_test(csv_header_errors),
        cmocka_unit_test(csv_record_limit),
        cmocka_unit_test(csv_nul_bytes),
        cmocka_unit_test(csv_many_rows),
        cmocka_unit_test(jsonl_rows),
        cmocka_unit_test(label_column),
        cmocka_unit_test(jsonl_bad_rows),
        cmocka_unit_test(jsonl_deep_nesting),
        cmocka_unit_test(list_rows),
        cmocka_unit_test(list_long_line),
        cmocka_unit_test(misp_event_rows),
        cmocka_unit_test(misp_wrappers),
        cmocka_unit_test(stix_bundle_rows),
        cmocka_unit_test(stix_bad_patterns),
        cmocka_unit_test(detection),
        cmocka_unit_test(mutated_inputs),
        cmocka_unit_test(garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
