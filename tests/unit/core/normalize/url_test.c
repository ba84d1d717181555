/* Unit tests for url.c and url_expr.c: every canonicalisation and suffix/prefix example of
 * Safe Browsing v4 "URLs and Hashing", the contract's additions (defanged input, IDN hosts,
 * http/https only, ports), hostile input, and the properties lookups rely on (canonicalising
 * twice equals once; the entry key is the first lookup expression). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "normalizer_check.h"

#include "fidx/str.h"
#include "fidx/url.h"

typedef struct {
    const char *in, *want;
} pair_t;

static int canon_n(const char *in, size_t len, char *out, size_t *n)
{
    fidx_err_t err = {0};
    int rc = fidx_url_canonicalize(in, len, out, FIDX_CANON_CAP, n, &err);
    if (rc != 0)
        assert_non_null(err.reason);
    return rc;
}

static void expect_canon(const char *in, const char *want)
{
    check_normalizes(fidx_url_canonicalize, "canonicalize", in, want);
}

static void expect_reject(const char *in, size_t len, int code, const char *reason_part)
{
    check_refuses(fidx_url_canonicalize, "canonicalize", in, len, code, reason_part);
}

/* The canonicalisation tests of the Safe Browsing v4 document, in its order. Two differ from
 * the document on purpose: our contract keeps a port that is not the scheme's default
 * (matching is unaffected: lookup expressions never contain the port). */
static const pair_t sb_examples[] = {
    {"http://host/%25%32%35", "http://host/%25"},
    {"http://host/%25%32%35%25%32%35", "http://host/%25%25"},
    {"http://host/%2525252525252525", "http://host/%25"},
    {"http://host/asdf%25%32%35asd", "http://host/asdf%25asd"},
    {"http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25"},
    {"http://www.google.com/", "http://www.google.com/"},
    {"http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/%77%77%77%2E%65%62%61%"
     "79%2E%63%6F%6D/",
     "http://168.188.99.26/.secure/www.ebay.com/"},
    {"http://195.127.0.11/uploads/%20%20%20%20/.verify/"
     ".eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/",
     "http://195.127.0.11/uploads/%20%20%20%20/.verify/"
     ".eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/"},
    {"http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_"
     "55%252B",
     "http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+"},
    /* 3279880203 = 0xC37F000B; the brief had 195.127.176.11, the document and the arithmetic
     * say 195.127.0.11. */
    {"http://3279880203/blah", "http://195.127.0.11/blah"},
    {"http://www.google.com/blah/..", "http://www.google.com/"},
    {"www.google.com/", "http://www.google.com/"},
    {"www.google.com", "http://www.google.com/"},
    {"http://www.evil.com/blah#frag", "http://www.evil.com/blah"},
    {"http://www.GOOgle.com/", "http://www.google.com/"},
    {"http://www.google.com.../", "http://www.google.com/"},
    {"http://www.google.com/foo\tbar\rbaz\n2", "http://www.google.com/foobarbaz2"},
    {"http://www.google.com/q?", "http://www.google.com/q?"},
    {"http://www.google.com/q?r?", "http://www.google.com/q?r?"},
    {"http://www.google.com/q?r?s", "http://www.google.com/q?r?s"},
    {"http://evil.com/foo#bar#baz", "http://evil.com/foo"},
    {"http://evil.com/foo;", "http://evil.com/foo;"},
    {"http://evil.com/foo?bar;", "http://evil.com/foo?bar;"},
    {"http://\x01\x80.com/", "http://%01%80.com/"},
    {"http://notrailingslash.com", "http://notrailingslash.com/"},
    {"http://www.gotaport.com:1234/", "http://www.gotaport.com:1234/"}, /* SB: port dropped */
    {"  http://www.google.com/  ", "http://www.google.com/"},
    {"http:// leadingspace.com/", "http://%20leadingspace.com/"},
    {"http://%20leadingspace.com/", "http://%20leadingspace.com/"},
    {"%20leadingspace.com/", "http://%20leadingspace.com/"},
    {"https://www.securesite.com/", "https://www.securesite.com/"},
    {"http://host.com/ab%23cd", "http://host.com/ab%23cd"},
    {"http://host.com//twoslashes?more//slashes", "http://host.com/twoslashes?more//slashes"},
};

static void safe_browsing_examples(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sb_examples / sizeof sb_examples[0]; i++)
        expect_canon(sb_examples[i].in, sb_examples[i].want);
}

static void hosts_and_ports(void **state)
{
    (void)state;
    expect_canon("http://0x12.0x43.0x44.0x01/", "http://18.67.68.1/");
    expect_canon("http://012.034.01.055/", "http://10.28.1.45/");
    expect_canon("http://12.0x12.01234/", "http://12.18.2.156/");
    expect_canon("http://167838211/", "http://10.1.2.3/");
    expect_canon("http://4294967295/", "http://255.255.255.255/");
    expect_canon("http://127.1/x", "http://127.0.0.1/x");
    expect_canon("http://1.2.3.4./", "http://1.2.3.4/");
    /* Not addresses: kept as names. */
    expect_canon("http://4294967296/", "http://4294967296/");
    expect_canon("http://1.2.3.4.5/", "http://1.2.3.4.5/");
    expect_canon("http://1.2.3.09/", "http://1.2.3.09/");
    expect_canon("http://256.1.1.1/", "http://256.1.1.1/");
    expect_canon("http://..google.com/foo.html", "http://google.com/foo.html");
    expect_canon("http://google...com/foo.html", "http://google.com/foo.html");
    expect_canon("http://[FEDC:BA98::3210]:80/index.html", "http://[fedc:ba98::3210]/index.html");
    expect_canon("http://[2001:0db8:0000::1]:8080/", "http://[2001:db8::1]:8080/");
    expect_canon("http://[::192.9.5.5]/ipng", "http://[::192.9.5.5]/ipng");
    expect_canon("http://[not-v6]/", "http://[not-v6]/");
    expect_canon("http://www.google.com:80/", "http://www.google.com/");
    expect_canon("http://www.google.com:/", "http://www.google.com/");
    expect_canon("http://www.google.com:81/", "http://www.google.com:81/");
    expect_canon("https://www.google.com:443/", "https://www.google.com/");
    expect_canon("https://www.google.com:80/", "https://www.google.com:80/");
    expect_canon("http://evil.com:08080/x", "http://evil.com:8080/x");
    expect_canon("localhost:8080/x", "http://localhost:8080/x");
    expect_canon("HTTPS://EVIL.COM/A/B", "https://evil.com/A/B");
    /* User info is not the host: the browser goes to evil.com. */
    expect_canon("http://vietcombank.com.vn@evil.com/login", "http://evil.com/login");
    expect_canon("http://user:pass@evil.com:8080/", "http://evil.com:8080/");
    expect_canon("http%3A%2F%2Fwackyurl.com:80/", "http://wackyurl.com/");
    expect_canon("http://W!eird<>Ho$^.com/", "http://w!eird<>ho$^.com/");
    expect_canon("http://some%1bhost.com/%1b", "http://some%1Bhost.com/%1B");
    expect_canon("//evil.com/x", "http://evil.com/x");
    expect_canon("http:evil.com/x", "http://evil.com/x");
    expect_canon("http:///evil.com/x", "http://evil.com/x");
    expect_canon("http://evil.com?x=1", "http://evil.com/?x=1");
    /* Browsers read extra slashes after the scheme as nothing. */
    expect_canon("http:///blah;param?query#ref", "http://blah;param/?query");
}

static void paths(void **state)
{
    (void)state;
    expect_canon("http://a.com/foo/.././bar/./../foo.html", "http://a.com/foo.html");
    expect_canon("http://a.com//a//b///c////", "http://a.com/a/b/c/");
    expect_canon("http://a.com/a/b/.", "http://a.com/a/b/");
    expect_canon("http://a.com/../../x", "http://a.com/x");
    expect_canon("http://a.com/a/..b/c", "http://a.com/a/..b/c");
    expect_canon("http://a.com/%2e%2E/x", "http://a.com/x");
    expect_canon("http://a.com/x?a/../b//c", "http://a.com/x?a/../b//c");
    expect_canon("http://a.com/x%3Fy", "http://a.com/x?y");
    expect_canon("http://a.com/\x7f\xff", "http://a.com/%7F%FF");
}

static void defanged_and_idn(void **state)
{
    (void)state;
    expect_canon("hxxp://evil[.]com/login", "http://evil.com/login");
    expect_canon("HXXPS://evil(.)com/", "https://evil.com/");
    expect_canon("hxxps[:]//evil{.}com[:]8443/a", "https://evil.com:8443/a");
    expect_canon("evil[.]example[.]vn/x", "http://evil.example.vn/x");
    expect_canon("http://a[[.]]b.com/", "http://a.b.com/");
    /* Defanging is for the host only: a path keeps its brackets. */
    expect_canon("http://a.com/x[.]y", "http://a.com/x[.]y");
    expect_canon("hxxpbin.org/", "http://hxxpbin.org/");
    expect_canon("hxxp.com/x", "http://hxxp.com/x");
    expect_canon("hxxps.vn:8080", "http://hxxps.vn:8080/");
    expect_canon("hXXp[:]//a.vn", "http://a.vn/");
    expect_canon("http://ngânhàng.vn/", "http://xn--ngnhng-ltan.vn/");
    expect_canon("http://NGÂNHÀNG.VN/Đăng-nhập",
                 "http://xn--ngnhng-ltan.vn/%C4%90%C4%83ng-nh%E1%BA%ADp");
    expect_canon("http://www.\xC3\xBCmlat.com/", "http://www.xn--mlat-zra.com/");
    expect_canon("http://%C3%BCmlat.com/", "http://xn--mlat-zra.com/");
    expect_canon("http://vietcombank\xE3\x80\x82"
                 "com/",
                 "http://vietcombank.com/");
    /* Full-width digits map to an address. */
    expect_canon("http://\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x97.1/", "http://127.0.0.1/");
    /* Invalid UTF-8 or names IDNA refuses keep Safe Browsing's escaping. */
    expect_canon("http://\xC3(.com/", "http://%C3(.com/");
    expect_canon("http://-\xC3\xBC-.com/", "http://-%C3%BC-.com/");
}

static void rejects(void **state)
{
    (void)state;
    expect_reject("ftp://ftp.myfiles.com/", 22, FIDX_EINVAL, "unsupported URL scheme");
    expect_reject("mailto:bryner@google.com", 24, FIDX_EINVAL, "unsupported URL scheme");
    expect_reject("javascript:alert(1)", 19, FIDX_EINVAL, "unsupported URL scheme");
    expect_reject("data:text/html,x", 16, FIDX_EINVAL, "unsupported URL scheme");
    expect_reject("", 0, FIDX_EINVAL, "no host");
    expect_reject("   ", 3, FIDX_EINVAL, "no host");
    expect_reject(":", 1, FIDX_EINVAL, "no host");
    expect_reject("/blah", 5, FIDX_EINVAL, "no host");
    expect_reject("#ref", 4, FIDX_EINVAL, "no host");
    expect_reject("?query#ref", 10, FIDX_EINVAL, "no host");
    expect_reject("http://#ref", 11, FIDX_EINVAL, "no host");
    expect_reject("http://?query#ref", 17, FIDX_EINVAL, "no host");
    expect_reject("http://...../", 13, FIDX_EINVAL, "no host");
    expect_reject("http://user@/", 13, FIDX_EINVAL, "no host");
    expect_reject("http://evil.com:80x/", 20, FIDX_EINVAL, "port");
    expect_reject("http://evil.com:65536/", 22, FIDX_EINVAL, "port");
    expect_reject("http://evil.com:0/", 18, FIDX_EINVAL, "port");
    expect_reject("www.google.com:xxyy/foo.html:80", 31, FIDX_EINVAL, "port");
    expect_reject("http://[::1]x/", 14, FIDX_EINVAL, NULL);

    char big[FIDX_MAX_VALUE_LEN + 2];
    memset(big, 'a', sizeof big);
    memcpy(big, "http://", 7);
    expect_reject(big, FIDX_MAX_VALUE_LEN + 1, FIDX_ETOOBIG, NULL);

    char small[16];
    size_t n;
    fidx_err_t err = {0};
    assert_int_equal(
        fidx_url_canonicalize("http://www.google.com/", 22, small, sizeof small, &n, &err),
        FIDX_ENOSPC);
    assert_int_equal(fidx_url_canonicalize("http://a.b/", 11, small, 0, &n, NULL), FIDX_ENOSPC);
    /* Exactly enough room (11 bytes and the NUL). */
    assert_int_equal(fidx_url_canonicalize("http://a.b/", 11, small, 12, &n, NULL), 0);
    assert_string_equal(small, "http://a.b/");
}

static void hostile_input(void **state)
{
    (void)state;
    char in[FIDX_MAX_VALUE_LEN + 1], out[FIDX_CANON_CAP];
    size_t n;

    /* A host as long as the input may be, every byte escaped: the output still fits. */
    memcpy(in, "http://", 7);
    memset(in + 7, 0x80, FIDX_MAX_VALUE_LEN - 8);
    in[FIDX_MAX_VALUE_LEN - 1] = '/';
    assert_int_equal(canon_n(in, FIDX_MAX_VALUE_LEN, out, &n), 0);
    assert_int_equal(n, 7 + 3 * (FIDX_MAX_VALUE_LEN - 8) + 1);

    /* Nothing but dots. */
    memset(in + 7, '.', FIDX_MAX_VALUE_LEN - 7);
    expect_reject(in, FIDX_MAX_VALUE_LEN, FIDX_EINVAL, "no host");
    /* 10,000 dots is over the input limit and refused before any work. */
    static char dots[10007];
    memcpy(dots, "http://", 7);
    memset(dots + 7, '.', 10000);
    expect_reject(dots, sizeof dots, FIDX_ETOOBIG, NULL);

    /* 1000 labels: many labels, still five hosts at most. */
    memcpy(in, "http://", 7);
    for (size_t i = 0; i < 1000; i++)
        memcpy(in + 7 + 2 * i, "a.", 2);
    memcpy(in + 7 + 2000 - 1, "/", 1);
    assert_int_equal(canon_n(in, 7 + 2000, out, &n), 0);
    fidx_url_exprs_t ex;
    assert_int_equal(fidx_url_expressions(out, n, &ex), 0);
    assert_int_equal(ex.n, 4); /* the exact host is over 1 KiB: only the suffixes */
    assert_int_equal(ex.expr[0].len, 10);
    assert_memory_equal(ex.expr[0].p, "a.a.a.a.a/", 10);
    assert_memory_equal(ex.expr[3].p, "a.a/", 4);

    expect_canon("http://a.com/%", "http://a.com/%25");
    expect_canon("http://a.com/%zz", "http://a.com/%25zz");
    expect_canon("http://a.com/%2", "http://a.com/%252");
    expect_canon("http://a.com/%%%", "http://a.com/%25%25%25");
    expect_canon("http://a.com/%00x", "http://a.com/%00x");
    assert_int_equal(canon_n("http://a\0b.com/\0x", 17, out, &n), 0);
    assert_int_equal(n, 21);
    assert_memory_equal(out, "http://a%00b.com/%00x", 21);
    expect_canon("http://\xFF\xFE\xFD/", "http://%FF%FE%FD/");
    expect_canon("http://\xED\xA0\x80.com/", "http://%ED%A0%80.com/"); /* a surrogate */
    expect_canon("http://\xC0\xAF.com/", "http://%C0%AF.com/");        /* overlong '/' */

    /* A thousand levels of escaping reduce (in linear time) to one '%'. */
    memcpy(in, "http://a.com/%25", 16);
    size_t len = 16;
    while (len + 2 <= FIDX_MAX_VALUE_LEN) {
        memcpy(in + len, "25", 2);
        len += 2;
    }
    assert_int_equal(canon_n(in, len, out, &n), 0);
    assert_string_equal(out, "http://a.com/%25");
}

/* Checks the expressions of a URL, in order. */
static void expect_exprs(const char *url, const char *const *want, size_t nwant)
{
    char c[FIDX_CANON_CAP];
    size_t n;
    fidx_url_exprs_t ex;
    assert_int_equal(canon_n(url, strlen(url), c, &n), 0);
    assert_int_equal(fidx_url_expressions(c, n, &ex), 0);
    for (size_t i = 0; i < ex.n && i < nwant; i++)
        if (ex.expr[i].len != strlen(want[i]) || memcmp(ex.expr[i].p, want[i], ex.expr[i].len))
            print_error("%s: expression %zu is \"%.*s\", want \"%s\"\n", url, i,
                        (int)ex.expr[i].len, ex.expr[i].p, want[i]);
    assert_int_equal(ex.n, nwant);
    for (size_t i = 0; i < nwant; i++) {
        assert_int_equal(ex.expr[i].len, strlen(want[i]));
        assert_memory_equal(ex.expr[i].p, want[i], ex.expr[i].len);
    }
}

#define EXPECT_EXPRS(url, ...)                                                                     \
    do {                                                                                           \
        static const char *const w_[] = {__VA_ARGS__};                                             \
        expect_exprs(url, w_, sizeof w_ / sizeof w_[0]);                                           \
    } while (0)

static void safe_browsing_expressions(void **state)
{
    (void)state;
    /* The three examples of the document, in its order. */
    EXPECT_EXPRS("http://a.b.c/1/2.html?param=1", "a.b.c/1/2.html?param=1", "a.b.c/1/2.html",
                 "a.b.c/", "a.b.c/1/", "b.c/1/2.html?param=1", "b.c/1/2.html", "b.c/", "b.c/1/");
    EXPECT_EXPRS("http://a.b.c.d.e.f.g/1.html", "a.b.c.d.e.f.g/1.html", "a.b.c.d.e.f.g/",
                 "c.d.e.f.g/1.html", "c.d.e.f.g/", "d.e.f.g/1.html", "d.e.f.g/", "e.f.g/1.html",
                 "e.f.g/", "f.g/1.html", "f.g/");
    EXPECT_EXPRS("http://1.2.3.4/1/", "1.2.3.4/1/", "1.2.3.4/");
    EXPECT_EXPRS("http://a.b/saw-a-cow/", "a.b/saw-a-cow/", "a.b/");
    /* More: at most four path prefixes, a query with slashes, the empty query. */
    EXPECT_EXPRS("http://a.b.c/1/2/3/4/5/", "a.b.c/1/2/3/4/5/", "a.b.c/", "a.b.c/1/", "a.b.c/1/2/",
                 "a.b.c/1/2/3/", "b.c/1/2/3/4/5/", "b.c/", "b.c/1/", "b.c/1/2/", "b.c/1/2/3/");
    EXPECT_EXPRS("http://b.c/1/2/3.html?param=1/2", "b.c/1/2/3.html?param=1/2", "b.c/1/2/3.html",
                 "b.c/", "b.c/1/", "b.c/1/2/");
    EXPECT_EXPRS("http://a.b.c.d.e/1.html", "a.b.c.d.e/1.html", "a.b.c.d.e/", "b.c.d.e/1.html",
                 "b.c.d.e/", "c.d.e/1.html", "c.d.e/", "d.e/1.html", "d.e/");
    EXPECT_EXPRS("http://a.b/?", "a.b/");
    EXPECT_EXPRS("http://b/", "b/");
    EXPECT_EXPRS("http://[2001:470:1:18::114]/a/b", "[2001:470:1:18::114]/a/b",
                 "[2001:470:1:18::114]/", "[2001:470:1:18::114]/a/");
    /* Scheme and port are never part of an expression. */
    EXPECT_EXPRS("https://www.gotaport.com:1234/x", "www.gotaport.com/x", "www.gotaport.com/",
                 "gotaport.com/x", "gotaport.com/");
}

static void expression_specificity(void **state)
{
    (void)state;
    char c[FIDX_CANON_CAP];
    size_t n;
    fidx_url_exprs_t ex;
    assert_int_equal(canon_n("http://a.b.c/1/2.html?param=1", 29, c, &n), 0);
    assert_int_equal(fidx_url_expressions(c, n, &ex), 0);
    static const uint8_t labels[] = {3, 3, 3, 3, 2, 2, 2, 2};
    static const uint16_t plen[] = {17, 9, 1, 3, 17, 9, 1, 3};
    for (size_t i = 0; i < ex.n; i++) {
        assert_int_equal(ex.host_labels[i], labels[i]);
        assert_int_equal(ex.path_len[i], plen[i]);
    }
    assert_int_equal(fidx_url_expressions("ftp://x/", 8, &ex), FIDX_EINVAL);
    assert_int_equal(ex.n, 0);
}

static void expect_key(const char *url, const char *want)
{
    char c[FIDX_CANON_CAP], key[FIDX_CANON_CAP];
    size_t n, kn;
    assert_int_equal(canon_n(url, strlen(url), c, &n), 0);
    assert_int_equal(fidx_url_entry_key(c, n, key, sizeof key, &kn), 0);
    assert_string_equal(key, want);
    assert_int_equal(kn, strlen(want));
}

static void entry_key(void **state)
{
    (void)state;
    expect_key("https://evil.example/login?x=1#top", "evil.example/login?x=1");
    expect_key("http://Evil.Example", "evil.example/");
    expect_key("http://evil.example:8080/a/../b?", "evil.example/b");
    expect_key("hxxp://1.2.3.4/x", "1.2.3.4/x");

    /* A query too long for an expression is dropped from the key, never the path. */
    char url[1200], c[FIDX_CANON_CAP], key[1100];
    size_t n, kn;
    memcpy(url, "http://e.vn/login?", 18);
    memset(url + 18, 'q', 1100);
    assert_int_equal(canon_n(url, 1118, c, &n), 0);
    assert_int_equal(fidx_url_entry_key(c, n, key, sizeof key, &kn), 0);
    assert_string_equal(key, "e.vn/login");
    fidx_url_exprs_t ex;
    assert_int_equal(fidx_url_expressions(c, n, &ex), 0);
    assert_int_equal(ex.expr[0].len, kn);
    assert_memory_equal(ex.expr[0].p, key, kn);

    memset(url + 12, 'p', 1100);
    assert_int_equal(canon_n(url, 1112, c, &n), 0);
    assert_int_equal(fidx_url_entry_key(c, n, key, sizeof key, &kn), FIDX_ETOOBIG);
    assert_int_equal(fidx_url_entry_key("http://a.b/x", 12, key, 5, &kn), FIDX_ENOSPC);
    assert_int_equal(fidx_url_entry_key("http://a.b/x", 12, key, 6, &kn), 0);
    assert_int_equal(fidx_url_entry_key("a.b/x", 5, key, sizeof key, &kn), FIDX_EINVAL);
}

static void split(void **state)
{
    (void)state;
    fidx_url_parts_t u;
    const char *c = "https://a.b:8443/p/q?x=1?y";
    assert_int_equal(fidx_url_split(c, strlen(c), &u), 0);
    assert_true(fidx_str_eq(u.scheme, "https"));
    assert_true(fidx_str_eq(u.host, "a.b"));
    assert_int_equal(u.port, 8443);
    assert_true(fidx_str_eq(u.path, "/p/q"));
    assert_true(u.has_query);
    assert_true(fidx_str_eq(u.query, "x=1?y"));

    assert_int_equal(fidx_url_split("http://a.b/?", 12, &u), 0);
    assert_true(u.has_query);
    assert_null(u.query.p);
    assert_int_equal(u.query.len, 0);
    assert_int_equal(u.port, 0);
    assert_int_equal(fidx_url_split("http://a.b/", 11, &u), 0);
    assert_false(u.has_query);

    static const char *const bad[] = {"http://a.b",    "ftp://a.b/",    "http:///x",
                                      "http://a.b:0/", "http://a.b:x/", "http://a.b:99999/",
                                      "http://a.b:/",  "a.b/",          "",
                                      "http://[::1]x/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(fidx_url_split(bad[i], strlen(bad[i]), &u), FIDX_EINVAL);
}

/* Canonical output read again gives itself; it splits; its expressions can be built; the
 * entry key is the first expression. */
static void check_properties(const char *in, size_t len)
{
    char c1[FIDX_CANON_CAP], c2[FIDX_CANON_CAP], key[FIDX_CANON_CAP];
    size_t n1, n2, kn;
    if (fidx_url_canonicalize(in, len, c1, sizeof c1, &n1, NULL) != 0)
        return;
    int rc = fidx_url_canonicalize(c1, n1, c2, sizeof c2, &n2, NULL);
    if (rc != 0 || n1 != n2 || memcmp(c1, c2, n1) != 0)
        print_error("not idempotent: \"%.*s\" -> \"%s\" -> %d \"%s\"\n", (int)len, in, c1, rc,
                    rc == 0 ? c2 : "");
    assert_int_equal(rc, 0);
    assert_int_equal(n1, n2);
    assert_memory_equal(c1, c2, n1);
    assert_int_equal(strlen(c1), n1);
    fidx_url_parts_t u;
    fidx_url_exprs_t ex;
    rc = fidx_url_split(c1, n1, &u);
    if (rc == 0)
        rc = fidx_url_expressions(c1, n1, &ex);
    if (rc != 0)
        print_error("cannot split \"%s\"\n", c1);
    assert_int_equal(rc, 0);
    assert_true(ex.n <= FIDX_URL_MAX_EXPRS);
    if (fidx_url_entry_key(c1, n1, key, sizeof key, &kn) == 0) {
        assert_true(ex.n > 0);
        assert_int_equal(ex.expr[0].len, kn);
        assert_memory_equal(ex.expr[0].p, key, kn);
    }
}

static void twice_equals_once(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sb_examples / sizeof sb_examples[0]; i++) {
        check_properties(sb_examples[i].in, strlen(sb_examples[i].in));
        check_properties(sb_examples[i].want, strlen(sb_examples[i].want));
    }
    static const char *const more[] = {
        "http://a[..]b/",
        "http://[..]/",
        "http://x.[(.)].y/",
        "http://%5B.%5D.com/",
        "http://a%40b.com/",
        "http://%2525%32%35/",
        "%20%20http://x/",
        "http://%3A80/",
        "http://a.com%2F@b/",
        "http://\xEF\xBC\x85\xEF\xBC\x94\xEF\xBC\x91.com/",
        "http://\xEF\xBC\xBB.\xEF\xBC\xBD.com/",
        "http://[a:b/",
        "http://.[.]./",
        "http://a.com/%%32%35",
        "hxxp[:]//a[:]81/",
        "http://\xE3\x80\x82x.com/",
        "http://a..b.c%E3%80%82/",
        "http://\xC3\xBC\x80.com/",
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        check_properties(more[i], strlen(more[i]));

    /* Random text over an alphabet of the bytes that matter. */
    static const char *const atoms[] = {
        "%",    "2",     "5",         "3",
        "A",    "a",     "[",         "]",
        "(",    ")",     "{",         "}",
        ".",    ":",     "/",         "?",
        "#",    "@",     " ",         "\t",
        "\x80", "\xC3",  "\xBC",      "0x",
        "08",   "1.",    "h",         "x",
        "p",    "s",     "//",        "..",
        "/./",  "http:", "hxxps://",  "\xEF\xBC\x8E",
        "\0",   "-",     "%2e",       "%25",
        "[.]",  "[:]",   "%E3%80%82", "\xE3\x80\x82",
    };
    uint32_t seed = 12345;
    char buf[200];
    for (int iter = 0; iter < 50000; iter++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        size_t natoms = 1 + (seed >> 16) % 24;
        for (size_t k = 0; k < natoms; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *a = atoms[(seed >> 16) % (sizeof atoms / sizeof atoms[0])];
            size_t al = a[0] ? strlen(a) : 1;
            memcpy(buf + len, a, al);
            len += al;
        }
        check_properties(buf, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(safe_browsing_examples),
        cmocka_unit_test(hosts_and_ports),
        cmocka_unit_test(paths),
        cmocka_unit_test(defanged_and_idn),
        cmocka_unit_test(rejects),
        cmocka_unit_test(hostile_input),
        cmocka_unit_test(safe_browsing_expressions),
        cmocka_unit_test(expression_specificity),
        cmocka_unit_test(entry_key),
        cmocka_unit_test(split),
        cmocka_unit_test(twice_equals_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
