/* What the words around a number say it is: an account ("STK", "số tài khoản", "CK", a bank's
 * name next to it), a phone number ("SĐT", "Zalo", "hotline", "gọi"), or something to leave
 * alone ("mã đơn hàng", "CCCD", "giá", a currency or unit right after it). The nearest
 * keyword before the number decides, and a bank named right next to it makes it an account;
 * another long number in between cuts the link.
 *
 * Words are compared folded (lower case, no diacritics) so "so tai khoan" typed without
 * diacritics still counts; a word typed with diacritics must be spelled as in the lexicon,
 * which keeps "chị" (a woman's name follows) apart from "chỉ" (an amount follows) and "gọi
 * lại" (call back) apart from "lãi" (interest). Entries whose unaccented spelling is another
 * common word ("ngày"/"ngay" now, "lần"/Lan, "ngàn"/"ngân hàng", "đồng"/Đông) only count
 * spelled exactly. A word about money or codes ("giá", "mã") governs only a number right
 * after it (a few tokens); a phone or account keyword reaches across the whole window.
 *
 * Bank names come from the bank table (data/banks.csv): code, short name, aliases and the
 * official name, folded to letters and digits ("quandoi", "vietcombank"), sorted once per
 * scanner and looked up by prefix as words are added, so "MB Bank" and "MBBank" both match.
 * Vietnamese names ("Quân đội", "Ngoại thương") count only after "ngân hàng", "NH" or
 * "bank": alone they are ordinary words. */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_internal.h"

/* Phrases, lower case with diacritics; words separated by one space. */
static const struct {
    const char *text;
    uint8_t cls;
    uint8_t exact_only;
} lexicon[] = {
    /* phone */
    {"sđt", SCAN_CTX_PHONE, 0},
    {"số đt", SCAN_CTX_PHONE, 0},
    {"số điện thoại", SCAN_CTX_PHONE, 0},
    {"điện thoại", SCAN_CTX_PHONE, 0},
    {"đt", SCAN_CTX_PHONE, 0},
    {"đthoại", SCAN_CTX_PHONE, 0},
    {"dđ", SCAN_CTX_PHONE, 0},
    {"di động", SCAN_CTX_PHONE, 0},
    {"đtdđ", SCAN_CTX_PHONE, 0},
    {"hotline", SCAN_CTX_PHONE, 0},
    {"hot line", SCAN_CTX_PHONE, 0},
    {"zalo", SCAN_CTX_PHONE, 0},
    {"zl", SCAN_CTX_PHONE, 0},
    {"gọi", SCAN_CTX_PHONE, 0},
    {"call", SCAN_CTX_PHONE, 0},
    {"phone", SCAN_CTX_PHONE, 0},
    {"tel", SCAN_CTX_PHONE, 0},
    {"mobile", SCAN_CTX_PHONE, 0},
    {"liên hệ", SCAN_CTX_PHONE, 0},
    {"lh", SCAN_CTX_PHONE, 0},
    {"nhắn tin", SCAN_CTX_PHONE, 0},
    {"nhắn", SCAN_CTX_PHONE, 0},
    {"sms", SCAN_CTX_PHONE, 0},
    {"whatsapp", SCAN_CTX_PHONE, 0},
    {"viber", SCAN_CTX_PHONE, 0},
    {"tổng đài", SCAN_CTX_PHONE, 0},
    {"cskh", SCAN_CTX_PHONE, 0},
    {"số máy", SCAN_CTX_PHONE, 0},
    {"alo", SCAN_CTX_PHONE, 0},
    {"contact", SCAN_CTX_PHONE, 0},
    {"text", SCAN_CTX_PHONE, 0},
    {"inbox", SCAN_CTX_PHONE, 0},
    {"ib", SCAN_CTX_PHONE, 0},
    {"facebook", SCAN_CTX_PHONE, 0},
    {"fb", SCAN_CTX_PHONE, 0},
    {"messenger", SCAN_CTX_PHONE, 0},
    {"telegram", SCAN_CTX_PHONE, 0},
    {"tele", SCAN_CTX_PHONE, 0},
    {"number", SCAN_CTX_PHONE, 0},
    {"phone number", SCAN_CTX_PHONE, 0},
    {"hotline number", SCAN_CTX_PHONE, 0},
    {"miễn phí", SCAN_CTX_PHONE, 0},
    {"toll free", SCAN_CTX_PHONE, 0},
    /* accounts */
    {"stk", SCAN_CTX_BANK, 0},
    {"số tk", SCAN_CTX_BANK, 0},
    {"số tài khoản", SCAN_CTX_BANK, 0},
    {"tài khoản", SCAN_CTX_BANK, 0},
    {"tk", SCAN_CTX_BANK, 0},
    {"account", SCAN_CTX_BANK, 0},
    {"acc", SCAN_CTX_BANK, 0},
    {"acct", SCAN_CTX_BANK, 0},
    {"account number", SCAN_CTX_BANK, 0},
    {"account no", SCAN_CTX_BANK, 0},
    {"a c", SCAN_CTX_BANK, 0},
    {"ngân hàng", SCAN_CTX_BANK, 0},
    {"nh", SCAN_CTX_BANK, 0},
    {"bank", SCAN_CTX_BANK, 0},
    {"thụ hưởng", SCAN_CTX_BANK, 0},
    {"ví", SCAN_CTX_BANK, 1},
    {"ck", SCAN_CTX_BANK_VERB, 0},
    {"chuyển khoản", SCAN_CTX_BANK_VERB, 0},
    {"chuyển tiền", SCAN_CTX_BANK_VERB, 0},
    {"transfer", SCAN_CTX_BANK_VERB, 0},
    /* identifiers */
    {"mã", SCAN_CTX_CODE, 0},
    {"mã số", SCAN_CTX_CODE, 0},
    {"mã đơn", SCAN_CTX_CODE, 0},
    {"đơn hàng", SCAN_CTX_CODE, 0},
    {"đơn", SCAN_CTX_CODE, 1},
    {"order", SCAN_CTX_CODE, 0},
    {"order number", SCAN_CTX_CODE, 0},
    {"code", SCAN_CTX_CODE, 0},
    {"id", SCAN_CTX_CODE, 0},
    {"cmnd", SCAN_CTX_CODE, 0},
    {"cmt", SCAN_CTX_CODE, 0},
    {"cccd", SCAN_CTX_CODE, 0},
    {"căn cước", SCAN_CTX_CODE, 0},
    {"hộ chiếu", SCAN_CTX_CODE, 0},
    {"passport", SCAN_CTX_CODE, 0},
    {"mst", SCAN_CTX_CODE, 0},
    {"serial", SCAN_CTX_CODE, 0},
    {"seri", SCAN_CTX_CODE, 0},
    {"sn", SCAN_CTX_CODE, 0},
    {"imei", SCAN_CTX_CODE, 0},
    {"hóa đơn", SCAN_CTX_CODE, 0},
    {"hoá đơn", SCAN_CTX_CODE, 0},
    {"invoice", SCAN_CTX_CODE, 0},
    {"tracking", SCAN_CTX_CODE, 0},
    {"vận đơn", SCAN_CTX_CODE, 0},
    {"mvđ", SCAN_CTX_CODE, 0},
    {"ref", SCAN_CTX_CODE, 0},
    {"otp", SCAN_CTX_CODE, 0},
    {"số hiệu", SCAN_CTX_CODE, 0},
    {"biển số", SCAN_CTX_CODE, 0},
    {"sbd", SCAN_CTX_CODE, 0},
    {"số báo danh", SCAN_CTX_CODE, 0},
    {"mssv", SCAN_CTX_CODE, 0},
    {"msnv", SCAN_CTX_CODE, 0},
    {"hợp đồng", SCAN_CTX_CODE, 0},
    {"hđ", SCAN_CTX_CODE, 0},
    {"bhxh", SCAN_CTX_CODE, 0},
    {"số thẻ", SCAN_CTX_CODE, 0},
    {"thẻ", SCAN_CTX_CODE, 1},
    {"card", SCAN_CTX_CODE, 0},
    {"pin", SCAN_CTX_CODE, 0},
    {"mk", SCAN_CTX_CODE, 0},
    {"mật khẩu", SCAN_CTX_CODE, 0},
    {"password", SCAN_CTX_CODE, 0},
    {"ticket", SCAN_CTX_CODE, 0},
    {"vé", SCAN_CTX_CODE, 1},
    {"booking", SCAN_CTX_CODE, 0},
    {"sku", SCAN_CTX_CODE, 0},
    {"isbn", SCAN_CTX_CODE, 0},
    {"mã vạch", SCAN_CTX_CODE, 0},
    {"barcode", SCAN_CTX_CODE, 0},
    {"định danh", SCAN_CTX_CODE, 0},
    {"ngày", SCAN_CTX_CODE, 1},
    {"date", SCAN_CTX_CODE, 0},
    {"lúc", SCAN_CTX_CODE, 0},
    {"model", SCAN_CTX_CODE, 0},
    /* money */
    {"giá", SCAN_CTX_AMOUNT, 0},
    {"số tiền", SCAN_CTX_AMOUNT, 0},
    {"tiền", SCAN_CTX_AMOUNT, 0},
    {"phí", SCAN_CTX_AMOUNT, 0},
    {"lương", SCAN_CTX_AMOUNT, 0},
    {"thưởng", SCAN_CTX_AMOUNT, 0},
    {"price", SCAN_CTX_AMOUNT, 0},
    {"tổng", SCAN_CTX_AMOUNT, 0},
    {"giá trị", SCAN_CTX_AMOUNT, 0},
    {"mức", SCAN_CTX_AMOUNT, 0},
    {"vốn", SCAN_CTX_AMOUNT, 0},
    {"hạn mức", SCAN_CTX_AMOUNT, 0},
    {"số dư", SCAN_CTX_AMOUNT, 0},
    {"nạp", SCAN_CTX_AMOUNT, 0},
    {"rút", SCAN_CTX_AMOUNT, 0},
    {"giảm", SCAN_CTX_AMOUNT, 0},
    {"sale", SCAN_CTX_AMOUNT, 0},
    {"hoàn", SCAN_CTX_AMOUNT, 0},
    {"cost", SCAN_CTX_AMOUNT, 0},
    {"total", SCAN_CTX_AMOUNT, 0},
    {"amount", SCAN_CTX_AMOUNT, 0},
    {"fee", SCAN_CTX_AMOUNT, 0},
    {"salary", SCAN_CTX_AMOUNT, 0},
    {"vnd", SCAN_CTX_AMOUNT, 0},
    {"vnđ", SCAN_CTX_AMOUNT, 0},
    {"usd", SCAN_CTX_AMOUNT, 0},
    {"thu nhập", SCAN_CTX_AMOUNT, 0},
    {"doanh thu", SCAN_CTX_AMOUNT, 0},
    {"đặt cọc", SCAN_CTX_AMOUNT, 0},
    {"cọc", SCAN_CTX_AMOUNT, 0},
    {"lãi suất", SCAN_CTX_AMOUNT, 0},
    {"lãi", SCAN_CTX_AMOUNT, 1},
    {"giải ngân", SCAN_CTX_AMOUNT, 0},
    {"vay", SCAN_CTX_AMOUNT, 0},
    {"nợ", SCAN_CTX_AMOUNT, 1},
    {"thanh toán", SCAN_CTX_AMOUNT, 0},
    {"chỉ", SCAN_CTX_AMOUNT, 1},
    {"only", SCAN_CTX_AMOUNT, 0},
    /* units and currencies right after a number */
    {"đ", SCAN_CTX_UNIT, 0},
    {"vnd", SCAN_CTX_UNIT, 0},
    {"vnđ", SCAN_CTX_UNIT, 0},
    {"đồng", SCAN_CTX_UNIT, 1},
    {"k", SCAN_CTX_UNIT, 0},
    {"tr", SCAN_CTX_UNIT, 0},
    {"triệu", SCAN_CTX_UNIT, 0},
    {"nghìn", SCAN_CTX_UNIT, 0},
    {"ngàn", SCAN_CTX_UNIT, 1},
    {"tỷ", SCAN_CTX_UNIT, 0},
    {"tỉ", SCAN_CTX_UNIT, 0},
    {"usd", SCAN_CTX_UNIT, 0},
    {"usdt", SCAN_CTX_UNIT, 0},
    {"kg", SCAN_CTX_UNIT, 0},
    {"g", SCAN_CTX_UNIT, 0},
    {"gr", SCAN_CTX_UNIT, 0},
    {"ml", SCAN_CTX_UNIT, 0},
    {"lít", SCAN_CTX_UNIT, 0},
    {"km", SCAN_CTX_UNIT, 0},
    {"người", SCAN_CTX_UNIT, 0},
    {"lượt", SCAN_CTX_UNIT, 0},
    {"views", SCAN_CTX_UNIT, 0},
    {"view", SCAN_CTX_UNIT, 0},
    {"likes", SCAN_CTX_UNIT, 0},
    {"cái", SCAN_CTX_UNIT, 0},
    {"chiếc", SCAN_CTX_UNIT, 0},
    {"lần", SCAN_CTX_UNIT, 1},
    {"điểm", SCAN_CTX_UNIT, 1},
    {"xu", SCAN_CTX_UNIT, 0},
    {"coin", SCAN_CTX_UNIT, 0},
    {"coins", SCAN_CTX_UNIT, 0},
    {"points", SCAN_CTX_UNIT, 0},
    {"followers", SCAN_CTX_UNIT, 0},
    {"thành viên", SCAN_CTX_UNIT, 0},
    {"members", SCAN_CTX_UNIT, 0},
    {"bước", SCAN_CTX_UNIT, 0},
    {"dollars", SCAN_CTX_UNIT, 0},
};

/* Tokens between a money or code word and the number it is about ("giá chỉ còn 890k"). */
#define SCAN_NEAR 3
/* Tokens read first before a number: most have their keyword this close. */
#define SCAN_SHORT 5

/* Legal-form words between "ngân hàng" and a bank's name ("Ngân hàng TMCP Quân đội"). */
static const char *const legal_words[] = {"tmcp", "tnhh", "mtv", "thuong", "mai", "co", "phan"};

/* ---- building the tables ----------------------------------------------------------------- */

static int phrase_make(const fidx_scanner_t *sc, const char *text, fidx__phrase_t *ph)
{
    memset(ph, 0, sizeof *ph);
    for (const char *p = text; *p;) {
        const char *sp = strchr(p, ' ');
        size_t l = sp ? (size_t)(sp - p) : strlen(p);
        if (ph->nw == SCAN_PHRASE_WORDS || fidx__scan_text_lexword(sc, p, l, &ph->w[ph->nw]) != 0)
            return -1;
        ph->nw++;
        p += l + (sp != NULL);
    }
    return ph->nw > 0 ? 0 : -1;
}

static int phrase_cmp(const void *a, const void *b)
{
    const fidx__phrase_t *x = a, *y = b;
    return strcmp(x->w[x->nw - 1].fold, y->w[y->nw - 1].fold);
}

/* Folds a bank string to its key (letters and digits, lower case, no diacritics); whether it
 * had letters beyond ASCII through *viet. -1 when it does not fit. */
static int bank_key(const fidx_scanner_t *sc, const char *s, size_t len, char *key, size_t *kl,
                    int *viet)
{
    *kl = 0;
    *viet = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t l = fidx__scan_utf8_decode(s + i, len - i, &cp);
        if (l == 0)
            return -1;
        char c = (cp >= '0' && cp <= '9') ? (char)cp : fidx__scan_fold_cp(sc, cp);
        *viet |= cp >= 0x80;
        if (c) {
            if (*kl + 1 >= SCAN_BANK_KEY_MAX)
                return -1;
            key[(*kl)++] = c;
        }
        i += l;
    }
    key[*kl] = '\0';
    return *kl > 0 ? 0 : -1;
}

static void key_add(fidx_scanner_t *sc, const char *s, size_t len, size_t bank, int official)
{
    fidx__bankkey_t *k = &sc->banks[sc->nbanks];
    size_t kl;
    int viet;
    if (bank_key(sc, s, len, k->key, &kl, &viet) != 0)
        return;
    k->len = (uint8_t)kl;
    k->bank = (uint16_t)bank;
    k->needs_prefix = (uint8_t)((viet || official) && strncmp(k->key, "nganhang", 8) != 0);
    sc->nbanks++;
}

/* The official name ("Ngân hàng TMCP Quân đội") as written in full, and without its
 * legal-form words and a final "Việt Nam" ("quandoi"). */
static void official_keys(fidx_scanner_t *sc, const char *name, size_t bank)
{
    static const char *const lead[] = {"Ngân hàng ", "TMCP ", "Thương mại ", "TNHH ", "MTV "};
    key_add(sc, name, strlen(name), bank, 1);
    const char *p = name;
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++)
            if (strncmp(p, lead[i], strlen(lead[i])) == 0) {
                p += strlen(lead[i]);
                again = 1;
            }
    }
    size_t l = strlen(p);
    key_add(sc, p, l, bank, 1);
    if (l > 9 && strcmp(p + l - 9, " Việt Nam") == 0)
        key_add(sc, p, l - 9, bank, 1);
}

static int bankkey_cmp(const void *a, const void *b)
{
    const fidx__bankkey_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (int)x->bank - (int)y->bank;
}

static int banks_init(fidx_scanner_t *sc)
{
    size_t nb = fidx_bank_count(), cap = 0;
    for (size_t i = 0; i < nb; i++) {
        const char *a = fidx_bank_at(i)->aliases;
        cap += 6;
        for (; *a; a++)
            cap += *a == '|';
    }
    sc->banks = calloc(cap + 1, sizeof *sc->banks);
    if (!sc->banks)
        return FIDX_ENOMEM;
    for (size_t i = 0; i < nb; i++) {
        const fidx_bank_t *b = fidx_bank_at(i);
        key_add(sc, b->code, strlen(b->code), i, 0);
        key_add(sc, b->short_name, strlen(b->short_name), i, 0);
        official_keys(sc, b->name, i);
        for (const char *a = b->aliases; *a;) {
            const char *bar = strchr(a, '|');
            size_t l = bar ? (size_t)(bar - a) : strlen(a);
            key_add(sc, a, l, i, 0);
            a += l + (bar != NULL);
        }
    }
    qsort(sc->banks, sc->nbanks, sizeof *sc->banks, bankkey_cmp);
    size_t o = 0; /* one entry per key: the first bank in the table keeps it */
    for (size_t i = 0; i < sc->nbanks; i++)
        if (o == 0 || strcmp(sc->banks[o - 1].key, sc->banks[i].key) != 0)
            sc->banks[o++] = sc->banks[i];
    sc->nbanks = o;
    return 0;
}

int fidx__scan_context_init(fidx_scanner_t *sc)
{
    size_t n = sizeof lexicon / sizeof lexicon[0];
    sc->phrases = calloc(n, sizeof *sc->phrases);
    if (!sc->phrases)
        return FIDX_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (phrase_make(sc, lexicon[i].text, &sc->phrases[sc->nphrases]) != 0)
            return FIDX_EINVAL; /* a word of the table above does not fold: a bug, caught by
                                 * every test that makes a scanner */
        sc->phrases[sc->nphrases].cls = lexicon[i].cls;
        sc->phrases[sc->nphrases].exact_only = lexicon[i].exact_only;
        sc->nphrases++;
    }
    qsort(sc->phrases, sc->nphrases, sizeof *sc->phrases, phrase_cmp);
    return banks_init(sc);
}

int fidx__scan_context_phrase_at(const fidx_scanner_t *sc, const fidx__window_t *win, size_t k,
                                 int want, size_t *first)
{
    const fidx__word_t *w = &win->w[k];
    if (w->flags & (SCAN_W_NUMBER | SCAN_W_LONG | SCAN_W_ODD))
        return SCAN_CTX_NONE;
    size_t lo = 0, hi = sc->nphrases;
    while (lo < hi) { /* first phrase whose last word is not below w */
        size_t mid = lo + (hi - lo) / 2;
        const fidx__phrase_t *p = &sc->phrases[mid];
        if (strcmp(p->w[p->nw - 1].fold, w->fold) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int best = SCAN_CTX_NONE;
    size_t best_nw = 0;
    for (size_t i = lo; i < sc->nphrases; i++) {
        const fidx__phrase_t *p = &sc->phrases[i];
        if (strcmp(p->w[p->nw - 1].fold, w->fold) != 0)
            break;
        if ((want ? p->cls != want : p->cls == SCAN_CTX_UNIT) || p->nw > k + 1 || p->nw <= best_nw)
            continue;
        size_t j = 0;
        while (j < p->nw &&
               fidx__scan_text_word_is(&win->w[k + 1 - p->nw + j], &p->w[j], p->exact_only))
            j++;
        if (j == p->nw) {
            best = p->cls;
            best_nw = p->nw;
        }
    }
    *first = k + 1 - best_nw;
    return best;
}

/* ---- bank names in a window -------------------------------------------------------------- */

typedef struct {
    size_t s, e; /* tokens [s, e] */
    const fidx_bank_t *bank;
} name_t;

/* The first key not below key[0..len) in the sorted table. */
static size_t key_lower(const fidx_scanner_t *sc, const char *key, size_t len)
{
    size_t lo = 0, hi = sc->nbanks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const fidx__bankkey_t *k = &sc->banks[mid];
        size_t m = k->len < len ? k->len : len;
        int c = memcmp(k->key, key, m);
        if (c < 0 || (c == 0 && k->len < len))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int folded_is(const fidx__word_t *w, const char *s)
{
    return !(w->flags & SCAN_W_NUMBER) && strcmp(w->fold, s) == 0;
}

/* Whether "ngân hàng", "NH" or "bank" comes before token s (legal-form words may sit
 * between: "Ngân hàng TMCP Quân đội"). */
static int bank_word_before(const fidx__window_t *win, size_t s)
{
    while (s > 0) {
        const fidx__word_t *w = &win->w[s - 1];
        size_t i = 0;
        while (i < sizeof legal_words / sizeof legal_words[0] && !folded_is(w, legal_words[i]))
            i++;
        if (i == sizeof legal_words / sizeof legal_words[0])
            break;
        s--;
    }
    if (s == 0)
        return 0;
    const fidx__word_t *w = &win->w[s - 1];
    return folded_is(w, "nh") || folded_is(w, "bank") ||
           (folded_is(w, "hang") && s >= 2 && folded_is(&win->w[s - 2], "ngan"));
}

/* The longest bank name starting at token s, if any. */
static int name_at(const fidx_scanner_t *sc, const fidx__window_t *win, size_t s, name_t *out)
{
    char key[SCAN_BANK_KEY_MAX];
    size_t kl = 0;
    int found = 0;
    for (size_t e = s; e < win->n && e < s + SCAN_PHRASE_WORDS + 2; e++) {
        const fidx__word_t *w = &win->w[e];
        if ((w->flags & (SCAN_W_NUMBER | SCAN_W_LONG | SCAN_W_ODD)) || kl + w->flen >= sizeof key ||
            (e > s && (win->w[e - 1].flags & SCAN_W_NL)))
            break;
        memcpy(key + kl, w->fold, w->flen);
        kl += w->flen;
        size_t i = key_lower(sc, key, kl);
        if (i == sc->nbanks || sc->banks[i].len < kl || memcmp(sc->banks[i].key, key, kl) != 0)
            break; /* no name goes on like this */
        const fidx__bankkey_t *k = &sc->banks[i];
        if (k->len == kl && (!k->needs_prefix || bank_word_before(win, s))) {
            out->s = s;
            out->e = e;
            out->bank = fidx_bank_at(k->bank);
            found = 1;
        }
    }
    return found;
}

static size_t find_names(const fidx_scanner_t *sc, const fidx__window_t *win, name_t *out)
{
    size_t n = 0;
    for (size_t s = 0; s < win->n; s++)
        if (name_at(sc, win, s, &out[n]))
            s = out[n++].e;
    return n;
}

/* ---- deciding ---------------------------------------------------------------------------- */

/* Index of the last long number (4+ digits) in win, or -1: nothing before it belongs to the
 * number we are looking at. */
static long last_blocker(const fidx__window_t *win)
{
    for (size_t k = win->n; k > 0; k--)
        if ((win->w[k - 1].flags & SCAN_W_NUMBER) && win->w[k - 1].ndigits >= 4)
            return (long)(k - 1);
    return -1;
}

static long first_blocker(const fidx__window_t *win)
{
    for (size_t k = 0; k < win->n; k++)
        if ((win->w[k].flags & SCAN_W_NUMBER) && win->w[k].ndigits >= 4)
            return (long)k;
    return (long)win->n;
}

/* Letters glued to the number, a currency sign or a unit word right after it. */
static int unit_after(const fidx__scan_t *x, size_t end, const fidx__window_t *a)
{
    size_t l, first;
    if (end < x->n && fidx__scan_letter_at(x, end, &l))
        return 1;
    size_t j = end < x->n && x->t[end] == ' ' ? end + 1 : end;
    uint32_t cp = 0;
    if (j < x->n && fidx__scan_utf8_decode(x->t + j, x->n - j, &cp) &&
        (cp == '%' || cp == '$' || cp == 0x20AB || cp == 0x20AC || cp == 0xA3 || cp == 0xA5))
        return 1;
    return a->n > 0 && !a->nl_edge && a->w[0].start <= end + 1 &&
           fidx__scan_context_phrase_at(x->sc, a, 0, SCAN_CTX_UNIT, &first) != SCAN_CTX_NONE;
}

/* The nearest keyword before the number: its class and distance in tokens (0 = adjacent).
 * A long number in between cuts the link. */
static int nearest_keyword(const fidx__scan_t *x, const fidx__window_t *b, size_t *dist)
{
    for (size_t k = b->n; k > 0; k--) {
        const fidx__word_t *w = &b->w[k - 1];
        size_t first;
        if (w->flags & SCAN_W_NUMBER) {
            if (w->ndigits >= 4)
                break;
            continue;
        }
        int cls = fidx__scan_context_phrase_at(x->sc, b, k - 1, 0, &first);
        if (cls != SCAN_CTX_NONE) {
            *dist = b->n - k;
            return cls;
        }
    }
    return SCAN_CTX_NONE;
}

/* Whether a line break lies between tokens from and to (from < to) of a window. */
static int line_between(const fidx__window_t *win, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++)
        if (win->w[k].flags & SCAN_W_NL)
            return 1;
    return 0;
}

/* The nearest bank name on each side, with a distance in tokens (a line break counts 3). */
typedef struct {
    const fidx_bank_t *bank;
    size_t dist;
    int same_line;
} near_t;

static near_t name_before(const fidx__window_t *b, const name_t *nb, size_t n)
{
    near_t r = {NULL, 0, 0};
    long blk = last_blocker(b);
    for (size_t j = n; j > 0; j--) {
        const name_t *m = &nb[j - 1];
        if ((long)m->s <= blk)
            break;
        r.same_line = !b->nl_edge && !line_between(b, m->e, b->n - 1);
        r.dist = b->n - 1 - m->e + (r.same_line ? 0 : 3);
        r.bank = m->bank;
        break;
    }
    return r;
}

static near_t name_after(const fidx__window_t *a, const name_t *na, size_t n)
{
    near_t r = {NULL, 0, 0};
    long blk = first_blocker(a);
    if (n > 0 && (long)na[0].s < blk) {
        r.same_line = !a->nl_edge && !line_between(a, 0, na[0].s);
        r.dist = na[0].s + (r.same_line ? 0 : 3);
        r.bank = na[0].bank;
    }
    return r;
}

/* A word glued to the front of the number ("DH0912…") makes it a code, unless the word is a
 * phone or account keyword or a bank ("SĐT0912…", "VCB0123…"). */
static int glued_code(const fidx__scan_t *x, const fidx__window_t *b, size_t start)
{
    if (b->n == 0 || b->w[b->n - 1].end != start || (b->w[b->n - 1].flags & SCAN_W_NUMBER))
        return 0;
    size_t first;
    int cls = fidx__scan_context_phrase_at(x->sc, b, b->n - 1, 0, &first);
    if (cls == SCAN_CTX_PHONE || cls == SCAN_CTX_BANK || cls == SCAN_CTX_BANK_VERB)
        return 0;
    name_t nb[SCAN_WINDOW];
    size_t n = find_names(x->sc, b, nb);
    return !(n > 0 && nb[n - 1].e == b->n - 1);
}

/* Which bank: the nearer name, before winning a tie. */
static const fidx_bank_t *pick_bank(near_t before, near_t after)
{
    return (before.bank && (!after.bank || before.dist <= after.dist)) ? before.bank : after.bank;
}

/* Bank names are looked for only when the keywords leave the question open: a phone keyword
 * settles it, and most numbers in posts have one. */
void fidx__scan_context(const fidx__scan_t *x, size_t start, size_t end, size_t lo, size_t hi,
                        fidx__context_t *c)
{
    fidx__window_t b, a;
    size_t kdist = 0;
    c->cls = SCAN_CTX_CODE;
    c->whole = 1;
    c->verb = 0;
    c->bank = NULL;
    fidx__scan_window_before(x, start, lo, SCAN_SHORT, &b);
    fidx__scan_window_after(x, end, hi, 1, &a);
    if (unit_after(x, end, &a) || glued_code(x, &b, start) ||
        (start > 0 && (x->t[start - 1] == '$' || x->t[start - 1] == '#')))
        return;
    c->whole = 0;
    int kw = nearest_keyword(x, &b, &kdist);
    int full = b.n < SCAN_SHORT; /* the short window already holds all there is */
    if (kw == SCAN_CTX_NONE && !full) {
        fidx__scan_window_before(x, start, lo, SCAN_WINDOW, &b);
        kw = nearest_keyword(x, &b, &kdist);
        full = 1;
    }
    if ((kw == SCAN_CTX_CODE || kw == SCAN_CTX_AMOUNT) && kdist > SCAN_NEAR)
        kw = SCAN_CTX_NONE;
    c->cls = kw == SCAN_CTX_BANK_VERB ? SCAN_CTX_BANK : kw;
    c->verb = kw == SCAN_CTX_BANK_VERB;
    if (kw == SCAN_CTX_PHONE)
        return;
    name_t nb[SCAN_WINDOW], na[SCAN_WINDOW];
    if (!full)
        fidx__scan_window_before(x, start, lo, SCAN_WINDOW, &b);
    near_t before = name_before(&b, nb, find_names(x->sc, &b, nb));
    int near_before = before.bank && before.same_line && before.dist <= 2;
    if (kw == SCAN_CTX_CODE || kw == SCAN_CTX_AMOUNT) {
        if (!near_before || before.dist >= kdist)
            return;
        c->cls = SCAN_CTX_BANK;
    }
    fidx__scan_window_after(x, end, hi, SCAN_WINDOW, &a);
    near_t after = name_after(&a, na, find_names(x->sc, &a, na));
    if (c->cls == SCAN_CTX_NONE &&
        (near_before || (after.bank && after.same_line && after.dist <= 2)))
        c->cls = SCAN_CTX_BANK;
    if (c->cls == SCAN_CTX_BANK)
        c->bank = pick_bank(before, after);
}
