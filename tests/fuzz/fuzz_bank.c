/* Fuzz target for fidx_bank_normalize (libFuzzer; replayed by ctest, see docs/FUZZING.md).
 * Properties: the normaliser contract (fuzz_common.h: codes, twice == once, exact buffer
 * bound) and the canonical shape "BIN:DIGITS": BIN "*" or the BIN of a bank of the table,
 * DIGITS 6 to 19 decimal digits. */
#include "fidx/bank.h"

#include "fuzz_common.h"

static void check_shape(const char *p, size_t n)
{
    const char *colon = memchr(p, ':', n);
    FUZZ_CHECK(colon != NULL, "bank account output has no ':'");
    size_t bin = (size_t)(colon - p), digits = n - bin - 1;
    FUZZ_CHECK(digits >= FIDX_BANK_ACCOUNT_MIN && digits <= FIDX_BANK_ACCOUNT_MAX &&
                   fuzz_all_of(colon + 1, digits, FUZZ_DIGITS),
               "account number is not 6-19 digits");
    if (bin == 1 && p[0] == '*')
        return;
    FUZZ_CHECK(bin == 6 && fuzz_all_of(p, 6, FUZZ_DIGITS), "BIN is neither '*' nor 6 digits");
    const fidx_bank_t *bank = fidx_bank_find(p, 6);
    FUZZ_CHECK(bank != NULL && memcmp(bank->bin, p, 6) == 0 && bank->bin[6] == '\0',
               "BIN is not the BIN of a bank in the table");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    char *canon = fuzz_normalizer_contract(fidx_bank_normalize, data, size, &n);
    if (!canon)
        return 0;
    check_shape(canon, n);
    free(canon);
    return 0;
}
