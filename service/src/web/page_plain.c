/* Values in plain words (page_render.h, fidx__page_plain_value): a canonical value written the
 * way people write and read it. A Vietnamese mobile "+84910001001" is "0910 001 001", a
 * landline "+842613123456" "0261 3123 456", a service number "1900545413" "1900 545 413";
 * a bank account "970436:000010002001" is "Vietcombank · 0000 1000 2001" (digits in fours,
 * as banks print them). Anything else is shown as it is. */
#include <string.h>

#include "fidx/bank.h"
#include "web/page_internal.h"

static int all_digits(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return len > 0;
}

/* Digits p[0..len) in groups of the given sizes (the last group takes the rest). */
static void put_groups(fidx__sbuf_t *out, const char *p, size_t len, const unsigned *sizes,
                       size_t n)
{
    size_t at = 0;
    for (size_t g = 0; g < n && at < len; g++) {
        size_t take = g + 1 == n || sizes[g] > len - at ? len - at : sizes[g];
        if (at)
            fidx__sbuf_put(out, " ", 1);
        fidx__sbuf_put(out, p + at, take);
        at += take;
    }
}

/* 1 when the phone was written in a Vietnamese form, 0 when it is left as it is. */
static int put_phone(fidx__sbuf_t *out, const char *p, size_t len)
{
    static const unsigned mobile[] = {4, 3, 3}, landline[] = {4, 4, 3}, service[] = {4, 3, 3};
    char national[16];
    if (len >= 10 && len <= 13 && memcmp(p, "+84", 3) == 0 && all_digits(p + 3, len - 3)) {
        national[0] = '0';
        memcpy(national + 1, p + 3, len - 3);
        size_t n = len - 2;
        if (n == 10 && national[1] != '2')
            put_groups(out, national, n, mobile, 3);
        else if (n == 11 && national[1] == '2')
            put_groups(out, national, n, landline, 3);
        else
            fidx__sbuf_put(out, national, n);
        return 1;
    }
    if ((len == 8 || len == 10) && (memcmp(p, "1900", 4) == 0 || memcmp(p, "1800", 4) == 0) &&
        all_digits(p, len)) {
        put_groups(out, p, len, service, len == 8 ? 2 : 3);
        return 1;
    }
    return 0;
}

/* "Vietcombank · 0000 1000 2001"; the bank in words when the table does not know it. */
static int put_account(fidx__sbuf_t *out, const fidx__page_t *pg, const char *p, size_t len)
{
    static const unsigned fours[] = {4, 4, 4, 4, 4};
    const char *colon = memchr(p, ':', len);
    if (!colon || !all_digits(colon + 1, len - (size_t)(colon - p) - 1))
        return 0;
    size_t bin_len = (size_t)(colon - p);
    const fidx_bank_t *bank = bin_len == 6 ? fidx_bank_find(p, bin_len) : NULL;
    if (bank && memcmp(bank->bin, p, 6) == 0)
        fidx__html_escape(out, bank->short_name, strlen(bank->short_name));
    else
        fidx__sbuf_puts(out, T(pg, bank_unknown));
    fidx__sbuf_puts(out, " · ");
    put_groups(out, colon + 1, len - bin_len - 1, fours, 5);
    return 1;
}

void fidx__page_plain_value(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_kind_t kind,
                            const char *canon, size_t len)
{
    int done = 0;
    if (kind == FIDX_KIND_PHONE)
        done = put_phone(out, canon, len);
    else if (kind == FIDX_KIND_BANK_ACCOUNT)
        done = put_account(out, pg, canon, len);
    if (!done)
        fidx__html_escape(out, canon, len);
}
