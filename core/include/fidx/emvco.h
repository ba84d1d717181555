/* VietQR payloads: the EMVCo merchant-presented QR text ("000201…6304ABCD") that Vietnamese
 * bank apps put in a transfer QR code, read into the bank, the account and the transfer's
 * amount and purpose.
 *
 * A payload is a list of data objects: a 2-digit id, a 2-digit length (01-99) and that many
 * bytes of value. The payload format indicator (00, "01") comes first and the CRC (63, four hex
 * digits of CRC-16/CCITT-FALSE over everything before them, "6304" included) last. VietQR puts
 * the transfer in NAPAS's consumer account information (38): 00 the GUID "A000000727", 01 the
 * beneficiary organisation (itself 00 the acquirer BIN, 01 the account or card number) and 02
 * the service code (QRIBFTTA to an account, QRIBFTTC to a card). Sources: EMVCo QR Code
 * Specification for Payment Systems, Merchant-Presented Mode; NAPAS, Technical Specifications
 * on NAPAS QR Switching, part IV (QR code format), version 1.5.2.
 *
 * Lengths count bytes: the fields read here are ASCII in both specifications. */
#ifndef FIDX_EMVCO_H
#define FIDX_EMVCO_H

#include <stddef.h>

#include "fidx/bank.h"
#include "fidx/error.h"
#include "fidx/str.h"

/* Longest payload accepted, in bytes: EMVCo's maximum for a merchant-presented QR payload.
 * Longer input is FIDX_ETOOBIG before any of it is read. */
#define FIDX_EMVCO_MAX_LEN 512
/* Longest amount (tag 54), EMVCo's limit, and the account number's (NAPAS: up to 19). */
#define FIDX_EMVCO_AMOUNT_MAX 13
#define FIDX_EMVCO_ACCOUNT_MAX 19
/* Room for the canonical bank account "BIN:DIGITS" with its NUL. */
#define FIDX_EMVCO_CANON_CAP 32

/* A parsed VietQR payload. Every fidx_str_t is borrowed from the payload given to
 * fidx_emvco_parse (valid while it is) and is {p, 0} when the payload does not carry it. */
typedef struct {
    fidx_str_t bin;          /* acquirer / beneficiary bank BIN, 6 digits ("970436") */
    fidx_str_t account;      /* account or card number as given, 1-19 letters or digits */
    fidx_str_t service;      /* "QRIBFTTA" or "QRIBFTTC" */
    fidx_str_t initiation;   /* point of initiation (01): "11" static, "12" dynamic, or absent */
    fidx_str_t amount;       /* tag 54 as given: digits with at most one '.', 1-13 bytes */
    fidx_str_t currency;     /* tag 53, ISO 4217 numeric ("704" for VND) */
    fidx_str_t country;      /* tag 58 ("VN") */
    fidx_str_t name;         /* tag 59, merchant or beneficiary name */
    fidx_str_t city;         /* tag 60 */
    fidx_str_t purpose;      /* tag 62, sub-field 08: purpose of the transaction */
    int is_card;             /* 1 for QRIBFTTC (a card number), 0 for QRIBFTTA (an account) */
    const fidx_bank_t *bank; /* the bank of the BIN in the project's table; NULL if unknown */
    /* The account as the bank_account kind writes it ("970436:0011004356782"; "*:DIGITS" when
     * the BIN is not in the table), NUL-terminated. Empty (canonical_len 0) when the account
     * is not 6-19 digits, e.g. an e-wallet reference with letters: such a payload still
     * parses, and cannot be checked as a bank account. */
    char canonical[FIDX_EMVCO_CANON_CAP];
    size_t canonical_len;
} fidx_emvco_t;

/* Parses the payload p[0..len) (no NUL needed; nothing allocated) into *out. Returns 0,
 * FIDX_ETOOBIG (len > FIDX_EMVCO_MAX_LEN) or FIDX_EINVAL with err->reason and err->offset (the
 * byte where the problem is): bad structure, a length running past its template, a missing or
 * repeated data object, a wrong CRC, no NAPAS tag 38 (another scheme's merchant payload), a
 * GUID other than A000000727, a service other than a transfer to an account or card, a
 * malformed BIN, account, amount or currency. */
FIDX_MUST_CHECK int fidx_emvco_parse(const char *p, size_t len, fidx_emvco_t *out, fidx_err_t *err);

/* Writes the VietQR payload carrying q's bin, account, service, initiation, amount, currency,
 * country, name, city and purpose (those present), with its CRC, into out (NUL-terminated, at
 * most cap bytes with the NUL), *out_len its length. Fields are not validated beyond fitting
 * (1-99 bytes each): encode what fidx_emvco_parse gave. Returns 0, FIDX_EINVAL (a field is
 * longer than a data object can hold, or bin/account/service is missing) or FIDX_ENOSPC. */
FIDX_MUST_CHECK int fidx_emvco_encode(const fidx_emvco_t *q, char *out, size_t cap, size_t *out_len,
                                      fidx_err_t *err);

/* CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection, no final xor), the
 * checksum of tag 63. */
unsigned fidx_emvco_crc16(const char *p, size_t len);

/* A VietQR payload found in a text: bytes [start, end) parse as qr. */
typedef struct {
    size_t start, end;
    fidx_emvco_t qr;
} fidx_emvco_match_t;

/* Finds the next VietQR payload in text p[0..len) at or after byte *from: a run starting
 * "000201" whose data objects, read by their lengths, end with "6304" and four hex digits, and
 * which parses. Returns 1 and fills *m (borrowing from p), moving *from past the payload; returns
 * 0 when there is none, with *from = len. Candidates that fail to parse are skipped. Work is at
 * most len / 6 candidates of at most FIDX_EMVCO_MAX_LEN bytes each. */
int fidx_emvco_find(const char *p, size_t len, size_t *from, fidx_emvco_match_t *m);

#endif
