/* Fuzz target for fidx_phone_normalize (libFuzzer; replayed by ctest, see docs/FUZZING.md).
 * Properties: the normaliser contract (fuzz_common.h: codes, twice == once, exact buffer
 * bound); the output has the canonical shape ("+" and 8-15 digits, or a 1800/1900 service
 * number); and the 64-bit key the snapshot stores a phone as converts back to the same text
 * (a phone entry holds no string: a key that does not round-trip is an entry never found). */
#include "fidx/phone.h"

#include "fuzz_common.h"

static int canonical_shape(const char *p, size_t n)
{
    if (n >= 9 && n <= 16 && p[0] == '+' && p[1] != '0')
        return fuzz_all_of(p + 1, n - 1, FUZZ_DIGITS);
    int service = n >= 8 && n <= 10 && (memcmp(p, "1800", 4) == 0 || memcmp(p, "1900", 4) == 0);
    return service && fuzz_all_of(p, n, FUZZ_DIGITS);
}

static void check_key(const char *canon, size_t n)
{
    uint64_t key;
    FUZZ_CHECK(fidx_phone_key(canon, n, &key) == 0, "a canonical phone has no key");
    FUZZ_CHECK(key < (UINT64_C(1) << 51), "a phone key is not below 2^51");
    char back[32];
    size_t back_len = 0;
    FUZZ_CHECK(fidx_phone_from_key(key, back, sizeof back, &back_len) == 0,
               "a phone key does not convert back");
    FUZZ_CHECK(back_len == n && memcmp(back, canon, n) == 0,
               "phone -> key -> phone gives another number");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    char *canon = fuzz_normalizer_contract(fidx_phone_normalize, data, size, &n);
    if (!canon)
        return 0;
    FUZZ_CHECK(canonical_shape(canon, n), "phone output is not E.164 nor a service number");
    check_key(canon, n);
    free(canon);
    return 0;
}
