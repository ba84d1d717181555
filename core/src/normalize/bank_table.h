/* The bank table generated from data/banks.csv (see cmake/bank_table.cmake). */
#ifndef FIDX_BANK_TABLE_H
#define FIDX_BANK_TABLE_H

#include "fidx/bank.h"

extern const fidx_bank_t fidx__bank_table[];
extern const size_t fidx__bank_table_count;

#endif
