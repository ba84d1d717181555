/* Bank accounts and the table of Vietnamese banks.
 *
 * Canonical: "BIN:DIGITS", BIN the bank's 6-digit NAPAS/VietQR identifier, or "*" when the
 * bank is unknown ("970436:0123456789", "*:0123456789"). The table is data/banks.csv, compiled
 * into the library at build time. */
#ifndef FIDX_BANK_H
#define FIDX_BANK_H

#include <stddef.h>

#include "fidx/error.h"

/* Account numbers: digits only after separators are removed, 6 to 19 of them. */
#define FIDX_BANK_ACCOUNT_MIN 6
#define FIDX_BANK_ACCOUNT_MAX 19

typedef struct {
    const char *bin;        /* "970436" */
    const char *code;       /* VietQR short code, e.g. "VCB" */
    const char *name;       /* official name, e.g. "Ngân hàng TMCP Ngoại thương Việt Nam" */
    const char *short_name; /* the name people use, e.g. "Vietcombank" */
    const char *aliases;    /* '|'-separated other names people write, e.g. "VCB|Ngoai thuong" */
} fidx_bank_t;

/* Number of banks in the table, and the i-th (0 <= i < count). Borrowed, static. */
size_t fidx_bank_count(void);
const fidx_bank_t *fidx_bank_at(size_t i);

/* Finds a bank by BIN, code, short name or alias: case-insensitive, Vietnamese diacritics
 * folded ("Quân đội" == "quan doi"), spaces/'-'/'.' ignored. NULL when none. */
const fidx_bank_t *fidx_bank_find(const char *p, size_t len);

/* Normalises "Vietcombank 0123456789", "VCB: 0123 456 789", "970436:0123456789",
 * "*:0123456789" or bare "0123456789" (bank unknown → "*") into out. Returns 0,
 * FIDX_EINVAL (err->reason: unknown bank, too few/many digits, …), FIDX_ETOOBIG, FIDX_ENOSPC. */
FIDX_MUST_CHECK int fidx_bank_normalize(const char *p, size_t len, char *out, size_t cap,
                                        size_t *out_len, fidx_err_t *err);

#endif
