/* Unit tests for page_render.c: escaping (nothing from outside reaches the page as markup),
 * the verdict explained in both languages (the words a citizen relies on), every vocabulary
 * word translated, and the report form's states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fidx/indicator.h"
#include "web/page_render.h"

static fidx__sbuf_t out;

static int setup(void **state)
{
    (void)state;
    fidx__sbuf_init(&out, 4 * 1024 * 1024);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fidx__sbuf_free(&out);
    return 0;
}

/* The buffer as a NUL-terminated string. */
static const char *text(void)
{
    fidx__sbuf_put(&out, "", 1);
    out.len--;
    assert_false(out.failed);
    return out.p;
}

static const char *escaped(const char *s, size_t len)
{
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__html_escape(&out, s, len);
    return text();
}

static void html_escape_neutralises_markup(void **state)
{
    (void)state;
    const char *evil = "<script>alert('x')</script>\"&";
    assert_string_equal(escaped(evil, strlen(evil)),
                        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;");
    /* Vietnamese text passes as it is. */
    const char *vi = "Lừa đảo, Quân đội";
    assert_string_equal(escaped(vi, strlen(vi)), vi);
}

static void html_escape_replaces_bad_bytes(void **state)
{
    (void)state;
    /* Invalid UTF-8 (lone continuation, overlong, surrogate, truncated), NUL and ESC each
     * become U+FFFD; tab and newline stay. */
    const char bad[] = "a\x80"
                       "b\xc0\xaf"
                       "c\xed\xa0\x80"
                       "d\xe1\xbb"
                       "\x00\x1b\t\n";
#define R "\xef\xbf\xbd"
    assert_string_equal(escaped(bad, sizeof bad - 1), "a" R "b" R R "c" R R R "d" R R R R "\t\n");
#undef R
}

static void url_escape_keeps_unreserved_only(void **state)
{
    (void)state;
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__url_escape(&out, "0912 345&x=<1>~ư", strlen("0912 345&x=<1>~ư"));
    assert_string_equal(text(), "0912%20345%26x%3D%3C1%3E~%C6%B0");
}

static void bank_compose_prefixes_bare_numbers(void **state)
{
    (void)state;
    const fidx_bank_t *vcb = fidx_bank_find("VCB", 3);
    char buf[64];
    size_t n;
    assert_non_null(vcb);
    assert_int_equal(fidx__bank_compose(vcb, "0123 456.789", 12, buf, sizeof buf, &n), 0);
    assert_string_equal(buf, "970436:0123 456.789");
    assert_int_equal(n, strlen(buf));
    /* A value that names its bank, or no bank chosen: as it is. */
    assert_int_equal(fidx__bank_compose(vcb, "TCB 0123", 8, buf, sizeof buf, &n), 0);
    assert_string_equal(buf, "TCB 0123");
    assert_int_equal(fidx__bank_compose(NULL, "0123", 4, buf, sizeof buf, &n), 0);
    assert_string_equal(buf, "0123");
    assert_int_equal(fidx__bank_compose(vcb, "0123456789", 10, buf, 12, &n), FIDX_ETOOBIG);
}

static void lang_parse_takes_vi_and_en(void **state)
{
    (void)state;
    fidx__lang_t l;
    assert_int_equal(fidx__lang_parse("en", 2, &l), 0);
    assert_int_equal(l, FIDX__LANG_EN);
    assert_int_equal(fidx__lang_parse("vi", 2, &l), 0);
    assert_int_equal(l, FIDX__LANG_VI);
    assert_int_equal(fidx__lang_parse("fr", 2, &l), FIDX_EINVAL);
    assert_int_equal(fidx__lang_parse("e", 1, &l), FIDX_EINVAL);
}

static void every_word_is_translated(void **state)
{
    (void)state;
    char key[64];
    static const char *verdicts[] = {"scam", "suspicious", "safe", "unknown", "scam_community"};
    static const char *parts[] = {"badge", "title", "explain", "todo"};
    static const char *sources[] = {"police", "bank", "telco", "community", "official"};
    for (int lang = 0; lang < 2; lang++) {
        for (int c = 0; c < FIDX_CAT_COUNT; c++) {
            snprintf(key, sizeof key, "cat_%s", fidx_category_name(c));
            assert_non_null(fidx__page_text((fidx__lang_t)lang, key));
        }
        for (int k = 0; k < FIDX_KIND_COUNT; k++) {
            snprintf(key, sizeof key, "kind_%s", fidx_kind_name((fidx_kind_t)k));
            assert_non_null(fidx__page_text((fidx__lang_t)lang, key));
            snprintf(key, sizeof key, "this_%s", fidx_kind_name((fidx_kind_t)k));
            assert_non_null(fidx__page_text((fidx__lang_t)lang, key));
        }
        for (int v = 0; v < 5; v++)
            for (int p = 0; p < 4; p++) {
                snprintf(key, sizeof key, "verdict_%s_%s", verdicts[v], parts[p]);
                assert_non_null(fidx__page_text((fidx__lang_t)lang, key));
            }
        for (int s = 0; s < 5; s++) {
            snprintf(key, sizeof key, "src_%s", sources[s]);
            assert_non_null(fidx__page_text((fidx__lang_t)lang, key));
        }
    }
    assert_null(fidx__page_text(FIDX__LANG_VI, "no_such_key"));
}

static void empty_page_is_whole_and_in_its_language(void **state)
{
    (void)state;
    fidx__page_t pg;
    for (int lang = 0; lang < 2; lang++) {
        fidx__page_init(&pg, (fidx__lang_t)lang);
        fidx__sbuf_reset(&out, SIZE_MAX);
        fidx__page_render(&out, &pg);
        const char *html = text();
        assert_true(strncmp(html, "<!doctype html>", 15) == 0);
        assert_non_null(strstr(html, lang ? "<html lang=\"en\">" : "<html lang=\"vi\">"));
        assert_null(strstr(html, "{{"));
        assert_null(strstr(html, "data-verdict")); /* no answer without a question */
        assert_non_null(strstr(html, "<label class=\"big-label\" for=\"q\">"));
        assert_non_null(strstr(html, "<option value=\"970436\">Vietcombank (VCB)</option>"));
        assert_non_null(strstr(html, "/static/page.css?v="));
        assert_null(strstr(html, "http://"));      /* nothing from another host... */
        assert_non_null(strstr(html, "https://")); /* ...the only one is the example in a hint */
    }
    fidx__page_init(&pg, FIDX__LANG_VI);
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    assert_non_null(strstr(text(), "hreflang=\"en\" lang=\"en\" data-lang=\"en\">English</a>"));
}

/* A confirmed phone as lookup would give it. */
static void scam_result(fidx_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->kind = FIDX_KIND_PHONE;
    r->verdict = FIDX_VERDICT_SCAM;
    r->has_match = 1;
    strcpy(r->canonical, "+84910001001");
    r->canonical_len = strlen(r->canonical);
    r->match.kind = FIDX_KIND_PHONE;
    r->match.value = fidx_str(r->canonical, r->canonical_len);
    r->match.status = FIDX_STATUS_CONFIRMED;
    r->match.categories = (1u << FIDX_CAT_IMPERSONATION) | (1u << FIDX_CAT_ACCOUNT_TAKEOVER);
    r->match.reports = 42;
    assert_int_equal(fidx_day_parse("2024-01-20", 10, &r->match.first_seen), 0);
    assert_int_equal(fidx_day_parse("2024-07-15", 10, &r->match.last_seen), 0);
    r->match.n_sources = 2;
    r->match.sources[0] = FIDX_STR("police");
    r->match.sources[1] = FIDX_STR("bank");
}

static const char *render_result(fidx__lang_t lang, const fidx_result_t *r, const char *q)
{
    fidx__page_t pg;
    fidx__page_init(&pg, lang);
    pg.q = fidx_str(q, strlen(q));
    pg.result = r;
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    return text();
}

static void scam_is_explained_in_vietnamese(void **state)
{
    (void)state;
    fidx_result_t r;
    scam_result(&r);
    const char *html = render_result(FIDX__LANG_VI, &r, "0910 001 001");
    assert_non_null(strstr(html, "data-verdict=\"scam\""));
    assert_non_null(strstr(html, "<span class=\"badge\">Lừa đảo</span>"));
    assert_non_null(strstr(html, "Đã được xác nhận là lừa đảo"));
    assert_non_null(strstr(html, "Giả danh công an")); /* categories in words */
    assert_non_null(strstr(html, "Chiếm đoạt tài khoản"));
    assert_non_null(strstr(html, "42 lần"));             /* how many */
    assert_non_null(strstr(html, ">20/01/2024</time>")); /* since when */
    assert_non_null(strstr(html, ">15/07/2024</time>"));
    assert_non_null(strstr(html, "công an, ngân hàng")); /* sources */
    assert_non_null(strstr(html, "gọi 113"));            /* what to do */
    assert_non_null(strstr(html, "không đọc mã OTP"));
    assert_non_null(strstr(html, "<title>Lừa đảo: 0910 001 001 — "));
    assert_non_null(strstr(html, "href=\"/report?kind=phone&amp;value=0910%20001%20001"));
}

static void scam_is_explained_in_english(void **state)
{
    (void)state;
    fidx_result_t r;
    scam_result(&r);
    const char *html = render_result(FIDX__LANG_EN, &r, "0910001001");
    assert_non_null(strstr(html, "Confirmed as a scam"));
    assert_non_null(strstr(html, "42 reports, from <time datetime=\"2024-01-20\">20 Jan 2024"));
    assert_non_null(strstr(html, "police, a bank"));
    assert_non_null(strstr(html, "call 113"));
    /* The switch leads back to the same answer in Vietnamese. */
    assert_non_null(strstr(html, "href=\"/check?q=0910001001&amp;lang=vi\""));
}

/* A confirmed entry only the community vouches for is a scam, but it is never worded as if the
 * police or an official source had verified it; one that an analysts' unit confirmed is. */
static void community_confirmed_is_not_called_verified(void **state)
{
    (void)state;
    fidx_result_t r;
    static const char *const verified[2] = {"Đã được xác nhận là lừa đảo", "Confirmed as a scam"};
    static const char *const sourced[2] = {"đã xác minh rằng", "have verified that"};
    static const char *const community[2] = {"chưa được công an xác minh",
                                             "not verified by the police"};
    for (int lang = 0; lang < 2; lang++) {
        scam_result(&r);
        r.match.n_sources = 1;
        r.match.sources[0] = FIDX_STR("community");
        const char *html = render_result((fidx__lang_t)lang, &r, "0910001001");
        assert_non_null(strstr(html, "data-verdict=\"scam\"")); /* the verdict stays */
        assert_null(strstr(html, verified[lang]));
        assert_null(strstr(html, sourced[lang]));
        assert_non_null(strstr(html, community[lang]));
        r.match.n_sources = 0; /* no source at all: nobody verified it either */
        html = render_result((fidx__lang_t)lang, &r, "0910001001");
        assert_null(strstr(html, verified[lang]));
        assert_non_null(strstr(html, community[lang]));
        /* Approved as confirmed by an analysts' unit: community and the unit's name. */
        r.match.n_sources = 2;
        r.match.sources[1] = FIDX_STR("c02-hanoi");
        html = render_result((fidx__lang_t)lang, &r, "0910001001");
        assert_non_null(strstr(html, verified[lang]));
        assert_null(strstr(html, community[lang]));
        assert_non_null(strstr(html, "c02-hanoi"));
    }
}

static void unknown_is_not_called_safe(void **state)
{
    (void)state;
    fidx_result_t r;
    memset(&r, 0, sizeof r);
    r.kind = FIDX_KIND_PHONE;
    r.verdict = FIDX_VERDICT_UNKNOWN;
    strcpy(r.canonical, "+84911111111");
    r.canonical_len = strlen(r.canonical);
    const char *html = render_result(FIDX__LANG_VI, &r, "0911111111");
    assert_non_null(
        strstr(html, "Không có trong cơ sở dữ liệu — điều này KHÔNG có nghĩa là an toàn"));
    assert_null(strstr(html, "class=\"facts\""));
    assert_null(strstr(html, "Chính thức"));
    html = render_result(FIDX__LANG_EN, &r, "0911111111");
    assert_non_null(strstr(html, "this does NOT mean it is safe"));
}

static void official_shows_no_report_count(void **state)
{
    (void)state;
    fidx_result_t r;
    scam_result(&r);
    r.verdict = FIDX_VERDICT_SAFE;
    r.match.status = FIDX_STATUS_ALLOWLISTED;
    r.match.categories = 0;
    r.match.reports = 1;
    r.match.n_sources = 1;
    r.match.sources[0] = FIDX_STR("official");
    const char *html = render_result(FIDX__LANG_EN, &r, "1900 54 54 13");
    assert_non_null(strstr(html, "data-verdict=\"safe\""));
    assert_non_null(strstr(html, "<span class=\"badge\">Official</span>"));
    assert_non_null(strstr(html, "an official source"));
    assert_null(strstr(html, "1 report"));
    assert_null(strstr(html, "id=\"report-this\"")); /* no "report this" under an official one */
}

static void match_other_than_the_value_is_named(void **state)
{
    (void)state;
    fidx_result_t r;
    scam_result(&r);
    r.kind = FIDX_KIND_URL;
    strcpy(r.canonical, "https://login.evil.example/a");
    r.canonical_len = strlen(r.canonical);
    r.match.kind = FIDX_KIND_DOMAIN;
    r.match.value = FIDX_STR("evil.example");
    const char *html = render_result(FIDX__LANG_EN, &r, "https://login.evil.example/a");
    assert_non_null(strstr(html, "<dt>Matched</dt><dd><bdi class=\"value\">evil.example</bdi> "
                                 "(Website domain)</dd>"));
}

static void values_from_outside_are_escaped(void **state)
{
    (void)state;
    fidx_result_t r;
    scam_result(&r);
    const char *q = "\"><script>alert(1)</script>";
    const char *html = render_result(FIDX__LANG_VI, &r, q);
    assert_null(strstr(html, "<script>alert"));
    assert_non_null(strstr(html, "&quot;&gt;&lt;script&gt;"));
    /* The check form's value and the report form's fields too. */
    fidx__page_t pg;
    fidx__page_init(&pg, FIDX__LANG_VI);
    pg.q = fidx_str(q, strlen(q));
    pg.invalid = "cannot tell the kind of this value";
    pg.report_value = fidx_str(q, strlen(q));
    pg.report_description = fidx_str("</textarea><b>", 14);
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    html = text();
    assert_null(strstr(html, "<script>alert"));
    assert_null(strstr(html, "</textarea><b>"));
    assert_non_null(strstr(html, "&lt;/textarea&gt;&lt;b&gt;</textarea>"));
    assert_non_null(strstr(html, "data-verdict=\"invalid\""));
    /* The normaliser's English words only on the English page; in Vietnamese, its meaning. */
    assert_null(strstr(html, "cannot tell the kind of this value"));
    assert_non_null(strstr(html, "Không nhận ra đây là số điện thoại"));
    pg.lang = FIDX__LANG_EN;
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    assert_non_null(strstr(text(), "cannot tell the kind of this value"));
}

static void report_states(void **state)
{
    (void)state;
    fidx__page_t pg;
    fidx__page_init(&pg, FIDX__LANG_VI);
    pg.focus_report = 1;
    pg.report = FIDX__REPORT_ACCEPTED;
    pg.report_id = "r0000000100000123456789abcdef";
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    assert_non_null(strstr(text(), "role=\"status\""));
    /* The reference is the link to the report's status page. */
    assert_non_null(strstr(text(), "(mã <a class=\"report-code\" "
                                   "href=\"/report/r0000000100000123456789abcdef\">"
                                   "<bdi>r0000000100000123456789abcdef</bdi></a>)"));

    pg.report = FIDX__REPORT_LIMITED;
    pg.retry_after = 61; /* rounded up to whole minutes */
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    assert_non_null(strstr(text(), "role=\"alert\""));
    assert_non_null(strstr(text(), "khoảng 2 phút"));

    pg.report = FIDX__REPORT_INVALID;
    pg.report_error_field = FIDX__FIELD_VALUE;
    pg.report_error = "not a phone number: too short";
    pg.report_value = FIDX_STR("12");
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    const char *html = text();
    assert_non_null(strstr(html, "aria-describedby=\"r-value-hint r-value-error\" "
                                 "aria-invalid=\"true\""));
    assert_non_null(strstr(html, "id=\"r-value-error\""));
    assert_null(strstr(html, "not a phone number: too short")); /* no English in Vietnamese */
    assert_non_null(strstr(html, "value=\"12\""));
    assert_null(strstr(html, "id=\"r-description-error\""));
    pg.lang = FIDX__LANG_EN;
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    assert_non_null(strstr(text(), "not a phone number: too short"));
}

/* ---- issue 15: plain words, named owners, look-alikes, messages, trust ---- */

static const char *plain(fidx__lang_t lang, fidx_kind_t kind, const char *canon)
{
    fidx__page_t pg;
    fidx__page_init(&pg, lang);
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_plain_value(&out, &pg, kind, canon, strlen(canon));
    return text();
}

static void values_in_plain_words(void **state)
{
    (void)state;
    assert_string_equal(plain(FIDX__LANG_VI, FIDX_KIND_PHONE, "+84910001001"), "0910 001 001");
    assert_string_equal(plain(FIDX__LANG_VI, FIDX_KIND_PHONE, "+842613123456"), "0261 3123 456");
    assert_string_equal(plain(FIDX__LANG_VI, FIDX_KIND_PHONE, "1900545413"), "1900 545 413");
    assert_string_equal(plain(FIDX__LANG_VI, FIDX_KIND_PHONE, "19009247"), "1900 9247");
    assert_string_equal(plain(FIDX__LANG_VI, FIDX_KIND_PHONE, "+12025550100"), "+12025550100");
    assert_string_equal(plain(FIDX__LANG_VI, FIDX_KIND_BANK_ACCOUNT, "970436:000010002001"),
                        "Vietcombank · 0000 1000 2001");
    assert_string_equal(plain(FIDX__LANG_VI, FIDX_KIND_BANK_ACCOUNT, "*:0123456789"),
                        "Ngân hàng chưa rõ · 0123 4567 89");
    assert_string_equal(plain(FIDX__LANG_EN, FIDX_KIND_BANK_ACCOUNT, "*:0123456789"),
                        "Bank not known · 0123 4567 89");
    assert_string_equal(plain(FIDX__LANG_VI, FIDX_KIND_URL, "https://a.vn/<b>"),
                        "https://a.vn/&lt;b&gt;");
}

/* An official number names its owner; the technical form is behind "details". */
static void official_names_its_owner(void **state)
{
    (void)state;
    fidx_result_t r;
    scam_result(&r);
    r.verdict = FIDX_VERDICT_SAFE;
    r.match.status = FIDX_STATUS_ALLOWLISTED;
    strcpy(r.canonical, "1900545413");
    r.canonical_len = 10;
    r.match.value = fidx_str(r.canonical, r.canonical_len);
    r.match.label = FIDX_STR("Vietcombank — tổng đài chính thức");
    const char *html = render_result(FIDX__LANG_VI, &r, "1900 54 54 13");
    assert_non_null(strstr(html, "kênh chính thức của: <strong>Vietcombank — tổng đài chính "
                                 "thức</strong>"));
    assert_null(strstr(html, "1900 545 413")); /* only regrouped: not said again */
    html = render_result(FIDX__LANG_VI, &r, "1900545413");
    assert_null(strstr(html, "<p class=\"plain\">"));
    strcpy(r.canonical, "+84910001001");
    r.canonical_len = 12;
    r.kind = FIDX_KIND_PHONE;
    html = render_result(FIDX__LANG_VI, &r, "+84 910 001 001");
    assert_non_null(strstr(html, "<bdi class=\"value\">0910 001 001</bdi>")); /* a new form */
    strcpy(r.canonical, "1900545413");
    r.canonical_len = 10;
    html = render_result(FIDX__LANG_VI, &r, "1900 54 54 13");
    assert_non_null(strstr(html, "<details class=\"tech\"><summary>Chi tiết</summary>"));
    assert_null(strstr(html, "id=\"share\"")); /* nothing to warn of */
    /* A label on another entry is said as what it is known as; it is escaped. */
    scam_result(&r);
    r.match.label = FIDX_STR("giả danh <Vietcombank>");
    html = render_result(FIDX__LANG_VI, &r, "0910 001 001");
    assert_non_null(strstr(html, "<dt>Được biết là</dt><dd>giả danh &lt;Vietcombank&gt;</dd>"));
}

static void lookalike_result(fidx_result_t *r, fidx_lookalike_rule_t rule)
{
    memset(r, 0, sizeof *r);
    r->kind = FIDX_KIND_DOMAIN;
    strcpy(r->canonical, "vietcombank-xacminh.top");
    r->canonical_len = strlen(r->canonical);
    r->has_lookalike = 1;
    r->lookalike.rule = rule;
    r->lookalike.kind = FIDX_KIND_DOMAIN;
    r->lookalike.value = FIDX_STR("vietcombank.com.vn");
    r->lookalike.label = FIDX_STR("Vietcombank — trang web chính thức");
    r->lookalike.brand = FIDX_STR("vietcombank");
    r->verdict = FIDX_VERDICT_SUSPICIOUS;
}

static void lookalike_says_fake_and_names_the_real_site(void **state)
{
    (void)state;
    fidx_result_t r;
    lookalike_result(&r, FIDX_LOOKALIKE_BRAND);
    const char *html = render_result(FIDX__LANG_VI, &r, "vietcombank-xacminh.top");
    assert_non_null(strstr(html, "data-verdict=\"suspicious\" data-reason=\"imitates\""));
    assert_non_null(strstr(html, "<span class=\"badge\">Giả mạo</span>"));
    assert_non_null(strstr(html, "Giả mạo trang web chính thức vietcombank.com.vn"));
    assert_non_null(strstr(html, "<dt>Trang web thật</dt><dd><bdi class=\"value\">"
                                 "vietcombank.com.vn</bdi> — Vietcombank — trang web chính thức"));
    assert_non_null(strstr(html, "tên thương hiệu nằm trong một tên miền khác")); /* the rule */
    assert_non_null(strstr(html, "data-share-text=\"Cảnh báo: vietcombank-xacminh.top là trang "
                                 "web giả mạo."));
    html = render_result(FIDX__LANG_EN, &r, "vietcombank-xacminh.top");
    assert_non_null(strstr(html, "Imitates the official website vietcombank.com.vn"));
    /* A shortener: no data, with the advice. */
    lookalike_result(&r, FIDX_LOOKALIKE_SHORTENER);
    r.verdict = FIDX_VERDICT_UNKNOWN;
    r.lookalike.brand = FIDX_STR("bit.ly");
    html = render_result(FIDX__LANG_VI, &r, "bit.ly/x");
    assert_non_null(strstr(html, "data-verdict=\"unknown\" data-reason=\"shortener\""));
    assert_non_null(strstr(html, "link rút gọn của <bdi>bit.ly</bdi>"));
    assert_null(strstr(html, "id=\"share\""));
}

/* "Cán bộ công an gọi 0910.001.001, chuyển tiền vào STK 0000 1000 2001, xem vcb.example": */
static void message_shows_each_value_and_one_answer(void **state)
{
    (void)state;
    static fidx__page_message_t m;
    const char *q = "Gọi <0910.001.001>, STK 0000 1000 2001, xem vcb.example";
    size_t at[3] = {(size_t)(strstr(q, "0910") - q), (size_t)(strstr(q, "0000") - q),
                    (size_t)(strstr(q, "vcb.") - q)};
    memset(&m, 0, sizeof m);
    m.verdict = FIDX_VERDICT_SCAM;
    m.verified = 1;
    m.n_found = 3;
    m.found[0] = (fidx__page_found_t){.start = at[0],
                                      .end = at[0] + 12,
                                      .kind = FIDX_KIND_PHONE,
                                      .verdict = FIDX_VERDICT_SCAM,
                                      .canonical_len = 12,
                                      .categories = 1u << FIDX_CAT_IMPERSONATION};
    strcpy(m.found[0].canonical, "+84910001001");
    m.found[1] = (fidx__page_found_t){.start = at[1],
                                      .end = at[1] + 14,
                                      .kind = FIDX_KIND_BANK_ACCOUNT,
                                      .verdict = FIDX_VERDICT_SCAM,
                                      .canonical_len = 19};
    strcpy(m.found[1].canonical, "970436:000010002001");
    m.found[2] = (fidx__page_found_t){.start = at[2],
                                      .end = at[2] + 11,
                                      .kind = FIDX_KIND_DOMAIN,
                                      .verdict = FIDX_VERDICT_UNKNOWN};
    m.n_marks = 3;
    for (unsigned i = 0; i < 3; i++)
        m.marks[i] = (fidx__page_mark_t){m.found[i].start, m.found[i].end, i};
    fidx__page_t pg;
    fidx__page_init(&pg, FIDX__LANG_VI);
    pg.q = fidx_str(q, strlen(q));
    pg.message = &m;
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render_result(&out, &pg);
    const char *html = text();
    assert_non_null(strstr(html, "data-verdict=\"scam\" data-kind=\"message\""));
    assert_non_null(strstr(html, "Tin nhắn này chứa số điện thoại và số tài khoản ngân hàng lừa "
                                 "đảo đã được xác nhận"));
    assert_non_null(strstr(html, "Gọi &lt;<mark class=\"m-scam\">0910.001.001</mark>"
                                 "<span class=\"mark-v m-scam\">Lừa đảo</span>&gt;, STK"));
    assert_non_null(strstr(html, "<mark class=\"m-unknown\">vcb.example</mark>"));
    assert_non_null(strstr(html, "<bdi class=\"value\">0910 001 001</bdi>"));
    assert_non_null(strstr(html, "<bdi class=\"value\">Vietcombank · 0000 1000 2001</bdi>"));
    assert_non_null(strstr(html, "href=\"/check?kind=bank_account&amp;q=970436%3A000010002001"));
    assert_non_null(strstr(html, "<li class=\"found v-unknown\" data-verdict=\"unknown\">"));
    assert_non_null(strstr(html, "data-share-text=\"Cảnh báo lừa đảo: số điện thoại 0910 001 001 "
                                 "đã được xác nhận là lừa đảo."));
    /* Scams only the community vouches for: the same badge, never worded as verified. */
    m.verified = 0;
    m.found[0].community = m.found[1].community = 1;
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render_result(&out, &pg);
    html = text();
    assert_null(strstr(html, "đã được xác nhận"));
    assert_non_null(strstr(html, "bị liệt kê là lừa đảo theo báo cáo của người dân"));
    assert_non_null(strstr(html, "<span class=\"mark-v m-scam\">Lừa đảo</span>"));
    assert_non_null(strstr(html, "data-share-text=\"Cảnh báo: 0910 001 001 bị liệt kê là lừa đảo"));
    /* Nothing found in a message of lines: said so, and still not called safe. */
    m.n_found = m.n_marks = 0;
    m.verdict = FIDX_VERDICT_UNKNOWN;
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render_result(&out, &pg);
    html = text();
    assert_non_null(strstr(html, "Không tìm thấy số điện thoại, số tài khoản hay đường link nào"));
    assert_null(strstr(html, "Chính thức"));
    assert_null(strstr(html, "id=\"share\""));
}

/* When the data was updated, in Vietnam's time, and who runs the page. */
static void trust_in_the_page(void **state)
{
    (void)state;
    fidx__page_t pg;
    fidx__page_init(&pg, FIDX__LANG_VI);
    pg.data_built = 1764676800;   /* 2025-12-02T12:00:00Z */
    pg.data_changed = 1764681300; /* 13:15Z, 20:15 in Vietnam */
    pg.operator_name = FIDX_STR("Trung tâm <thử>");
    pg.operator_url = FIDX_STR("https://example.org/lien-he?a=1&b=2");
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    const char *html = text();
    assert_non_null(strstr(html, "Dữ liệu cập nhật lúc <time datetime=\"2025-12-02T13:15:00Z\">"
                                 "20:15 ngày 02/12/2025 (giờ Việt Nam)</time>."));
    assert_non_null(strstr(html, "Bản dữ liệu gốc lúc <time datetime=\"2025-12-02T12:00:00Z\">"
                                 "19:00 ngày 02/12/2025"));
    assert_non_null(strstr(html, "Trang này do <a href=\"https://example.org/lien-he?a=1&amp;b=2\" "
                                 "rel=\"noopener\">Trung tâm &lt;thử&gt;</a> vận hành."));
    pg.lang = FIDX__LANG_EN;
    pg.data_changed = 0;
    pg.operator_url = FIDX_STR("");
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    html = text();
    assert_non_null(strstr(html, "Data updated at <time datetime=\"2025-12-02T12:00:00Z\">19:00 "
                                 "on 2 Dec 2025 (Vietnam time)</time>."));
    assert_null(strstr(html, "latest change"));
    assert_non_null(strstr(html, "This page is run by Trung tâm &lt;thử&gt;."));
    /* Neither known: nothing said. */
    fidx__page_init(&pg, FIDX__LANG_VI);
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    assert_null(strstr(text(), "cập nhật lúc"));
    assert_null(strstr(text(), "vận hành"));
}

/* Every answer's texts exist in both languages, and the ones put into attributes (the share
 * texts) hold no character that would end one. */
static void new_texts_complete(void **state)
{
    (void)state;
    static const char *keys[] = {"verdict_imitates_badge",
                                 "verdict_imitates_title",
                                 "verdict_imitates_explain",
                                 "verdict_imitates_todo",
                                 "verdict_shortener_badge",
                                 "verdict_shortener_title",
                                 "verdict_shortener_explain",
                                 "verdict_shortener_todo",
                                 "share_scam",
                                 "share_suspicious",
                                 "share_imitates",
                                 "share_copied",
                                 "share_failed",
                                 "q_too_long",
                                 "msg_scam_title",
                                 "msg_suspicious_title",
                                 "msg_safe_title",
                                 "msg_unknown_title",
                                 "msg_none_title",
                                 "msg_scam_explain",
                                 "msg_suspicious_explain",
                                 "msg_safe_explain",
                                 "msg_unknown_explain",
                                 "msg_none_explain",
                                 "rule_domain_labels",
                                 "rule_brand",
                                 "rule_brand_affix",
                                 "rule_confusable"};
    char key[64];
    for (int lang = 0; lang < 2; lang++) {
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            const char *t = fidx__page_text((fidx__lang_t)lang, keys[i]);
            assert_non_null(t);
            if (strncmp(keys[i], "share_", 6) == 0 || strcmp(keys[i], "q_too_long") == 0)
                assert_null(strpbrk(t, "\"<>&"));
        }
        for (int k = 0; k < FIDX_KIND_COUNT; k++) {
            snprintf(key, sizeof key, "kindn_%s", fidx_kind_name((fidx_kind_t)k));
            assert_non_null(fidx__page_text((fidx__lang_t)lang, key));
            snprintf(key, sizeof key, "invalid_kind_%s", fidx_kind_name((fidx_kind_t)k));
            assert_non_null(fidx__page_text((fidx__lang_t)lang, key));
        }
    }
}

/* ---- issue 15 items 5 and 6: a report's details and follow-up, disputes ---- */

static void report_details_are_kept_and_marked(void **state)
{
    (void)state;
    fidx__page_t pg;
    fidx__page_init(&pg, FIDX__LANG_VI);
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    const char *html = text();
    /* Every channel the API takes is offered, in words; none is chosen by default. */
    static const char *const channels[] = {"call",     "sms", "zalo", "facebook",
                                           "telegram", "web", "other"};
    char opt[64];
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++) {
        snprintf(opt, sizeof opt, "<option value=\"%s\">", channels[i]);
        assert_non_null(strstr(html, opt));
    }
    assert_non_null(strstr(html, "<option value=\"call\">Gọi điện</option>"));
    assert_non_null(strstr(html, "name=\"date\" type=\"date\""));
    assert_non_null(strstr(html, "name=\"amount_vnd\" type=\"text\" inputmode=\"numeric\""));
    /* Refused for its date: the details come back as typed, the date marked. */
    pg.focus_report = 1;
    pg.report = FIDX__REPORT_INVALID;
    pg.report_error_field = FIDX__FIELD_DATE;
    pg.report_error = "date must be a day (YYYY-MM-DD), not in the future";
    pg.report_channel = FIDX_STR("zalo");
    pg.report_date = FIDX_STR("2999-01-01");
    pg.report_amount = FIDX_STR("5.000.000\"><b>");
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    html = text();
    assert_non_null(strstr(html, "<option value=\"zalo\" selected>"));
    assert_non_null(strstr(html, "value=\"2999-01-01\" autocomplete=\"off\" "
                                 "aria-describedby=\"r-date-error\" aria-invalid=\"true\""));
    assert_non_null(strstr(html, "id=\"r-date-error\">Ngày không đúng dạng"));
    assert_non_null(strstr(html, "value=\"5.000.000&quot;&gt;&lt;b&gt;\""));
    assert_null(strstr(html, "id=\"r-amount-error\""));
    assert_null(strstr(html, "YYYY-MM-DD")); /* the check's English words: not in Vietnamese */
    pg.report_error_field = FIDX__FIELD_AMOUNT;
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    assert_non_null(strstr(text(), "id=\"r-amount-error\">Hãy ghi số tiền bằng chữ số"));
}

static const char *render_follow(fidx__lang_t lang, fidx__follow_t state, int dispute)
{
    fidx__page_t pg;
    fidx__page_init(&pg, lang);
    pg.answer_focus = 1;
    pg.follow = state;
    pg.follow_id = "r0000000100000123456789abcdef";
    pg.follow_dispute = dispute;
    pg.follow_kind = FIDX_KIND_PHONE;
    pg.follow_value = FIDX_STR("+84910001001");
    pg.follow_sent = 1764547200;    /* 2025-12-01T00:00:00Z */
    pg.follow_decided = 1764698400; /* 2025-12-02T18:00:00Z: 3 December in Vietnam */
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    return text();
}

static void report_status_says_what_became_of_it(void **state)
{
    (void)state;
    const char *html = render_follow(FIDX__LANG_VI, FIDX__FOLLOW_PENDING, 0);
    assert_non_null(strstr(html, "data-follow=\"status\" data-state=\"pending\""));
    assert_non_null(strstr(html, "<h2 id=\"result-h\" tabindex=\"-1\" autofocus>"));
    assert_non_null(strstr(html, "Đang chờ kiểm tra"));
    assert_non_null(strstr(html, "Báo cáo lừa đảo của bạn"));
    assert_non_null(strstr(html, "0910 001 001"));
    assert_non_null(strstr(html, "<time datetime=\"2025-12-01\">01/12/2025</time>"));
    assert_null(strstr(html, "Kiểm tra ngày")); /* not decided yet */
    assert_non_null(strstr(html, "<title>Theo dõi báo cáo — "));
    /* The switch to English keeps the page. */
    assert_non_null(strstr(html, "href=\"/report/r0000000100000123456789abcdef?lang=en\""));

    html = render_follow(FIDX__LANG_VI, FIDX__FOLLOW_APPROVED, 0);
    assert_non_null(strstr(html, "data-state=\"approved\""));
    assert_non_null(strstr(html, "Đã chấp nhận"));
    assert_non_null(strstr(html, "chấp nhận báo cáo ngày <time datetime=\"2025-12-03\">"
                                 "03/12/2025</time>"));
    html = render_follow(FIDX__LANG_EN, FIDX__FOLLOW_REJECTED, 0);
    assert_non_null(strstr(html, "Not approved"));
    assert_non_null(strstr(html, "checked it on <time datetime=\"2025-12-03\">3 Dec 2025</time>"));
    /* A dispute says what its outcome means. */
    html = render_follow(FIDX__LANG_EN, FIDX__FOLLOW_APPROVED, 1);
    assert_non_null(strstr(html, "Your request: listed by mistake"));
    assert_non_null(strstr(html, "it has been taken off the list"));
    html = render_follow(FIDX__LANG_VI, FIDX__FOLLOW_UNKNOWN, 0);
    assert_non_null(strstr(html, "data-state=\"unknown\""));
    assert_non_null(strstr(html, "Không tìm thấy báo cáo này"));
    assert_null(strstr(html, "0910 001 001"));
}

static void dispute_link_only_under_warnings(void **state)
{
    (void)state;
    fidx_result_t r;
    scam_result(&r);
    const char *html = render_result(FIDX__LANG_VI, &r, "0910 001 001");
    assert_non_null(strstr(html, "<a id=\"dispute-this\" href=\"/dispute?kind=phone&amp;"
                                 "value=0910%20001%20001\">Đây là số điện thoại của tôi, "
                                 "bị báo nhầm?</a>"));
    r.verdict = FIDX_VERDICT_SUSPICIOUS;
    r.match.status = FIDX_STATUS_REPORTED;
    html = render_result(FIDX__LANG_EN, &r, "0910 001 001");
    assert_non_null(strstr(html, "&amp;lang=en\">This is my phone number"));
    r.verdict = FIDX_VERDICT_UNKNOWN;
    r.has_match = 0;
    assert_null(strstr(render_result(FIDX__LANG_VI, &r, "0910 001 001"), "dispute-this"));
    r.verdict = FIDX_VERDICT_SAFE;
    assert_null(strstr(render_result(FIDX__LANG_VI, &r, "0910 001 001"), "dispute-this"));
    for (int k = 0; k < FIDX_KIND_COUNT; k++) {
        char key[64];
        snprintf(key, sizeof key, "dispute_link_%s", fidx_kind_name((fidx_kind_t)k));
        assert_non_null(fidx__page_text(FIDX__LANG_VI, key));
        assert_non_null(fidx__page_text(FIDX__LANG_EN, key));
    }
}

static void dispute_form_states(void **state)
{
    (void)state;
    fidx__page_t pg;
    fidx__page_init(&pg, FIDX__LANG_VI);
    pg.dispute = 1;
    pg.answer_focus = 1;
    pg.dispute_kind = FIDX_KIND_PHONE;
    pg.dispute_value = FIDX_STR("0910 001 001\"><script>");
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    const char *html = text();
    assert_non_null(strstr(html, "data-follow=\"dispute\""));
    assert_non_null(strstr(html, "<form id=\"dispute-form\" action=\"/dispute\" "
                                 "method=\"post\""));
    assert_non_null(strstr(html, "<input type=\"hidden\" name=\"kind\" value=\"phone\">"));
    assert_non_null(strstr(html, "value=\"0910 001 001&quot;&gt;&lt;script&gt;\""));
    assert_null(strstr(html, "\"><script>"));
    assert_non_null(strstr(html, "name=\"contact\" maxlength=\"256\""));
    assert_non_null(strstr(html, "<title>Bị báo nhầm? Đề nghị gỡ khỏi danh sách — "));
    /* Refused for its reason: marked, what was typed kept. */
    pg.dispute_view = FIDX__REPORT_INVALID;
    pg.dispute_error_field = FIDX__FIELD_DESCRIPTION;
    pg.dispute_error = "say why the value is listed by mistake";
    pg.dispute_contact = FIDX_STR("0909 <111>");
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    html = text();
    assert_non_null(strstr(html, "aria-describedby=\"d-why-hint d-why-error\" "
                                 "aria-invalid=\"true\""));
    assert_non_null(strstr(html, "value=\"0909 &lt;111&gt;\""));
    assert_null(strstr(html, "say why the value")); /* English only on the English page */
    /* Accepted: the reference links to its status, and the form is gone. */
    pg.dispute_view = FIDX__REPORT_ACCEPTED;
    pg.dispute_id = "r0000000100000123456789abcdef";
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    html = text();
    assert_non_null(strstr(html, "Đã nhận đề nghị của bạn (mã <a class=\"report-code\" "
                                 "href=\"/report/r0000000100000123456789abcdef\">"));
    assert_null(strstr(html, "id=\"dispute-form\""));
}

/* ---- issue 17 item 3: a picture's answer ---- */

static const char *render_image(fidx__lang_t lang, const fidx__page_image_t *im)
{
    fidx__page_t pg;
    fidx__page_init(&pg, lang);
    pg.image = im;
    pg.answer_focus = 1;
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    return text();
}

static void image_shows_codes_and_text(void **state)
{
    (void)state;
    static fidx__page_image_t im;
    memset(&im, 0, sizeof im);
    im.verdict = FIDX_VERDICT_SCAM;
    im.verified = 1;
    im.n_codes = 2;
    fidx__page_code_t *c = &im.codes[0];
    c->vietqr = c->judged = 1;
    strcpy(c->bank, "Vietcombank");
    c->bank_len = strlen(c->bank);
    strcpy(c->amount, "1500000.5");
    c->amount_len = strlen(c->amount);
    strcpy(c->name, "NGUYEN <VAN> A");
    c->name_len = strlen(c->name);
    strcpy(c->text, "000201…");
    c->text_len = strlen(c->text);
    c->found.kind = FIDX_KIND_BANK_ACCOUNT;
    c->found.verdict = FIDX_VERDICT_SCAM;
    strcpy(c->found.canonical, "970436:000010002001");
    c->found.canonical_len = strlen(c->found.canonical);
    c->found.end = c->text_len;
    /* A code that holds no value: its text, escaped. */
    strcpy(im.codes[1].text, "<script>hello</script>");
    im.codes[1].text_len = strlen(im.codes[1].text);
    const char *html = render_image(FIDX__LANG_VI, &im);
    assert_non_null(strstr(html, "data-verdict=\"scam\" data-kind=\"image\""));
    assert_non_null(strstr(html, "<h2 id=\"result-h\" tabindex=\"-1\" autofocus>"));
    assert_non_null(strstr(html, "Ảnh này có số tài khoản, số điện thoại hoặc đường link lừa đảo "
                                 "đã được xác nhận"));
    assert_non_null(strstr(html, "<dt>Ngân hàng</dt><dd><bdi class=\"value\">Vietcombank"));
    assert_non_null(strstr(html, "Vietcombank · 0000 1000 2001"));
    assert_non_null(strstr(html, "<dd>1.500.000,5 đ</dd>"));
    assert_non_null(strstr(html, "NGUYEN &lt;VAN&gt; A"));
    assert_non_null(strstr(html, "&lt;script&gt;hello&lt;/script&gt;"));
    assert_null(strstr(html, "<script>hello"));
    assert_non_null(strstr(html, "href=\"/check?kind=bank_account&amp;q=970436%3A000010002001\""));
    assert_non_null(strstr(html, "<title>Kiểm tra mã QR hoặc ảnh chụp màn hình — "));
    html = render_image(FIDX__LANG_EN, &im);
    assert_non_null(strstr(html, "<dd>1,500,000.5 dong</dd>"));
    /* Nothing found: said so, not called safe. */
    memset(&im, 0, sizeof im);
    im.verdict = FIDX_VERDICT_UNKNOWN;
    html = render_image(FIDX__LANG_EN, &im);
    assert_non_null(strstr(html, "No QR code, phone number, bank account or link found"));
    /* A picture that could not be read, each reason in words. */
    static const struct {
        int error;
        const char *words;
    } errors[] = {{1, "Chưa chọn ảnh nào"},
                  {400, "còn nguyên vẹn"},
                  {413, "tối đa 4 MB"},
                  {503, "thử lại sau ít giây"}};
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        im.error = errors[i].error;
        html = render_image(FIDX__LANG_VI, &im);
        assert_non_null(strstr(html, "data-verdict=\"invalid\" data-kind=\"image\""));
        assert_non_null(strstr(html, errors[i].words));
    }
    /* The form: a file and a camera input, multipart. */
    fidx__page_t pg;
    fidx__page_init(&pg, FIDX__LANG_VI);
    fidx__sbuf_reset(&out, SIZE_MAX);
    fidx__page_render(&out, &pg);
    html = text();
    assert_non_null(strstr(html, "action=\"/image\" method=\"post\" "
                                 "enctype=\"multipart/form-data\""));
    assert_non_null(strstr(html, "accept=\"image/*\" capture=\"environment\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(html_escape_neutralises_markup),
        cmocka_unit_test(html_escape_replaces_bad_bytes),
        cmocka_unit_test(url_escape_keeps_unreserved_only),
        cmocka_unit_test(bank_compose_prefixes_bare_numbers),
        cmocka_unit_test(lang_parse_takes_vi_and_en),
        cmocka_unit_test(every_word_is_translated),
        cmocka_unit_test(empty_page_is_whole_and_in_its_language),
        cmocka_unit_test(scam_is_explained_in_vietnamese),
        cmocka_unit_test(scam_is_explained_in_english),
        cmocka_unit_test(community_confirmed_is_not_called_verified),
        cmocka_unit_test(unknown_is_not_called_safe),
        cmocka_unit_test(values_in_plain_words),
        cmocka_unit_test(official_names_its_owner),
        cmocka_unit_test(lookalike_says_fake_and_names_the_real_site),
        cmocka_unit_test(message_shows_each_value_and_one_answer),
        cmocka_unit_test(trust_in_the_page),
        cmocka_unit_test(new_texts_complete),
        cmocka_unit_test(official_shows_no_report_count),
        cmocka_unit_test(match_other_than_the_value_is_named),
        cmocka_unit_test(values_from_outside_are_escaped),
        cmocka_unit_test(report_states),
        cmocka_unit_test(report_details_are_kept_and_marked),
        cmocka_unit_test(report_status_says_what_became_of_it),
        cmocka_unit_test(dispute_link_only_under_warnings),
        cmocka_unit_test(dispute_form_states),
        cmocka_unit_test(image_shows_codes_and_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
