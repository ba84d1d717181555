/* Fuzz target for the VietQR/EMVCo parser (libFuzzer; replayed by ctest, see docs/FUZZING.md).
 * The input is read both as one payload (fidx_emvco_parse) and as a text holding payloads
 * (fidx_emvco_find). Properties: documented codes with a reason and an offset inside the
 * input; every field of a parsed payload is a slice of the input of its documented shape; the
 * canonical account normalises to itself as a bank account, under the payload's BIN (or "*"
 * when the table lacks it); re-encoding the fields gives a payload that parses to the same
 * fields; found payloads lie inside the text, in order, without overlap, and parse alone. */
#include "fidx/bank.h"
#include "fidx/emvco.h"

#include "fuzz_common.h"

static int inside(fidx_str_t s, const char *p, size_t n)
{
    return s.len == 0 || (s.p >= p && s.len <= n && (size_t)(s.p - p) <= n - s.len);
}

static int same(fidx_str_t a, fidx_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static int same_fields(const fidx_emvco_t *a, const fidx_emvco_t *b)
{
    return same(a->bin, b->bin) && same(a->account, b->account) && same(a->service, b->service) &&
           same(a->initiation, b->initiation) && same(a->amount, b->amount) &&
           same(a->currency, b->currency) && same(a->country, b->country) &&
           same(a->name, b->name) && same(a->city, b->city) && same(a->purpose, b->purpose) &&
           a->is_card == b->is_card && a->bank == b->bank && a->canonical_len == b->canonical_len &&
           strcmp(a->canonical, b->canonical) == 0;
}

static void check_canonical(const fidx_emvco_t *q)
{
    if (q->canonical_len == 0) {
        FUZZ_CHECK(q->canonical[0] == '\0', "an empty canonical account is not an empty string");
        return;
    }
    FUZZ_CHECK(strlen(q->canonical) == q->canonical_len, "canonical_len is not its length");
    const char *acct = strchr(q->canonical, ':');
    FUZZ_CHECK(acct != NULL, "the canonical account has no ':'");
    if (q->bank)
        FUZZ_CHECK(acct - q->canonical == 6 && memcmp(q->canonical, q->bin.p, 6) == 0,
                   "a known bank's canonical account is not under the payload's BIN");
    else
        FUZZ_CHECK(acct - q->canonical == 1 && q->canonical[0] == '*',
                   "an unknown BIN's canonical account is not under '*'");
    FUZZ_CHECK(same(fidx_str(acct + 1, strlen(acct + 1)), q->account),
               "the canonical account's digits are not the payload's account");
    fuzz_check_idempotent(fidx_bank_normalize, q->canonical, q->canonical_len);
}

static void check_parsed(const fidx_emvco_t *q, const char *p, size_t n)
{
    const fidx_str_t *fields[] = {&q->bin,    &q->account,  &q->service, &q->initiation,
                                  &q->amount, &q->currency, &q->country, &q->name,
                                  &q->city,   &q->purpose};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        FUZZ_CHECK(inside(*fields[i], p, n), "a field is not a slice of the payload");
    FUZZ_CHECK(q->bin.len == 6 && fuzz_all_of(q->bin.p, 6, FUZZ_DIGITS), "BIN is not 6 digits");
    FUZZ_CHECK(q->account.len >= 1 && q->account.len <= FIDX_EMVCO_ACCOUNT_MAX,
               "account is not 1-19 characters");
    FUZZ_CHECK(fidx_str_eq(q->service, q->is_card ? "QRIBFTTC" : "QRIBFTTA"),
               "service code and is_card disagree");
    FUZZ_CHECK(q->amount.len <= FIDX_EMVCO_AMOUNT_MAX, "amount over 13 characters");
    if (q->bank)
        FUZZ_CHECK(memcmp(q->bank->bin, q->bin.p, 6) == 0 && q->bank->bin[6] == '\0',
                   "the bank is not the BIN's");
    check_canonical(q);
}

/* Re-encoding the fields gives a payload (no longer than the input) parsing to the same. */
static void check_encode(const fidx_emvco_t *q, size_t n)
{
    char *out = malloc(FIDX_EMVCO_MAX_LEN + 1);
    FUZZ_CHECK(out != NULL, "out of memory in the harness");
    size_t len = 0;
    fidx_err_t err = {0, 0, NULL};
    FUZZ_CHECK(fidx_emvco_encode(q, out, FIDX_EMVCO_MAX_LEN + 1, &len, &err) == 0,
               "the fields of a parsed payload could not be encoded");
    FUZZ_CHECK(len <= n && out[len] == '\0', "the re-encoded payload is longer than the input");
    char *again = fuzz_dup(out, len);
    fidx_emvco_t back;
    FUZZ_CHECK(fidx_emvco_parse(again, len, &back, &err) == 0,
               "the re-encoded payload does not parse");
    FUZZ_CHECK(same_fields(q, &back), "the re-encoded payload parses to other fields");
    free(again);
    free(out);
}

static void check_parse(const char *p, size_t n)
{
    fidx_emvco_t q;
    fidx_err_t err = {0, 0, NULL};
    int rc = fidx_emvco_parse(p, n, &q, &err);
    FUZZ_CHECK(rc == 0 || rc == FIDX_EINVAL || rc == FIDX_ETOOBIG, "undocumented code");
    FUZZ_CHECK((rc == FIDX_ETOOBIG) == (n > FIDX_EMVCO_MAX_LEN), "ETOOBIG not exactly over 512");
    if (rc != 0) {
        FUZZ_CHECK(err.code == rc && err.reason && err.reason[0], "failure without a reason");
        FUZZ_CHECK(err.offset <= (n > FIDX_EMVCO_MAX_LEN ? FIDX_EMVCO_MAX_LEN : n),
                   "error offset outside the input");
        return;
    }
    check_parsed(&q, p, n);
    check_encode(&q, n);
}

static void check_find(const char *p, size_t n)
{
    size_t from = 0, last_end = 0, found = 0;
    fidx_emvco_match_t m;
    while (fidx_emvco_find(p, n, &from, &m)) {
        FUZZ_CHECK(m.start >= last_end && m.start < m.end && m.end <= n && from == m.end,
                   "a found payload is out of order, overlaps or lies outside the text");
        FUZZ_CHECK(found++ <= n / 6, "more payloads found than the text can hold");
        fidx_emvco_t alone;
        char *copy = fuzz_dup(p + m.start, m.end - m.start);
        FUZZ_CHECK(fidx_emvco_parse(copy, m.end - m.start, &alone, NULL) == 0,
                   "a found payload does not parse alone");
        free(copy);
        check_parsed(&m.qr, p + m.start, m.end - m.start);
        last_end = m.end;
    }
    FUZZ_CHECK(from == n, "the finder did not end at the end of the text");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libFuzzer and the replay both hand over a block of exactly size bytes. */
    check_parse((const char *)data, size);
    check_find((const char *)data, size);
    return 0;
}
