/* The on-disk layout of a snapshot (docs/SNAPSHOT.md), shared by the writer and the reader.
 * All integers are little-endian; every section starts on a 64-byte boundary. */
#ifndef FIDX_SNAPSHOT_FORMAT_H
#define FIDX_SNAPSHOT_FORMAT_H

#include <stdint.h>

#include "fidx/kind.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the snapshot format is little-endian; add byte swapping before porting"
#endif

#define SNAP_MAGIC "FIDXSNAP"
/* Versions read: 1 (no labels) and 2 (FIDX_SNAPSHOT_VERSION, the one written: version 1 with
 * the two sections of public labels). */
#define SNAP_VERSION_MIN 1
#define SNAP_ALIGN 64
#define SNAP_MAX_SECTIONS 64
#define SNAP_MAX_DIR_BITS 28
/* The bucket directory is two-level: a 32-bit base per group of 64 buckets and a 16-bit
 * offset per bucket, half the bytes of plain 32-bit starts. A group holds far fewer than 2^16
 * entries (the writer adds bucket bits until it does). */
#define SNAP_GROUP_BITS 6
#define SNAP_GROUP_MAX_ENTRIES 65535u
/* Phone keys are below 2^51 (fidx_phone_key); they are mixed within that space. */
#define SNAP_PHONE_BITS 51

typedef struct {
    char magic[8];
    uint32_t version;
    uint32_t n_sections;
    int64_t build_time;
    uint64_t file_size;
    uint64_t header_hash; /* XXH3-64 of header and section table with this field zero */
} snap_header_t;

enum {
    SEC_KIND_META = 1, /* snap_kind_meta_t */
    SEC_DIR,           /* uint16_t[2^dir_bits + 1]: start of each bucket, from its group's base */
    SEC_FP,            /* uint32_t or uint64_t [n]: fingerprints, sorted inside buckets */
    SEC_REC,           /* uint64_t[n]: packed records (SNAP_REC_*) */
    SEC_STROFF,        /* uint32_t[n]: offset of each entry's value in SEC_STRBLOB */
    SEC_STRBLOB,       /* values: uint16_t length then the bytes */
    SEC_SOURCES,       /* uint32_t count, then per name: uint8_t length, bytes */
    SEC_SOURCESETS,    /* uint32_t count, then per set: uint8_t n, uint8_t ids[n] */
    SEC_REPORTS,  /* snap_pair_t[]: global id → reports, for counts >= SNAP_REC_REPORTS_MAX */
    SEC_NOTES,    /* snap_pair_t[]: global id → offset of its note in SEC_NOTEBLOB */
    SEC_NOTEBLOB, /* notes: uint16_t length then the bytes */
    SEC_POSTINGS, /* uint32_t count, snap_posting_t[count], then portable Roaring bitmaps */
    SEC_DIRBASE,  /* uint32_t[(2^dir_bits >> SNAP_GROUP_BITS) + 1]: start of each group */
    SEC_LABELS,   /* version 2: snap_pair_t[]: global id → offset of its label in SEC_LABELBLOB */
    SEC_LABELBLOB, /* version 2: public labels, uint16_t length then the bytes */
    SEC_TYPE_MAX
};

typedef struct {
    uint32_t type;
    uint32_t kind; /* for per-kind sections, else 0 */
    uint64_t offset;
    uint64_t length;
    uint64_t hash; /* XXH3-64 of the section's bytes */
} snap_section_t;

typedef struct {
    uint64_t n;        /* entries */
    uint64_t base;     /* global id of entry 0 */
    uint32_t dir_bits; /* buckets = 2^dir_bits */
    uint32_t fp_bits;  /* 32 or 64 */
} snap_kind_meta_t;

typedef struct {
    uint32_t gid;
    uint32_t value;
} snap_pair_t;

enum { POST_STATUS = 0, POST_CATEGORY = 1, POST_SOURCE = 2 };
typedef struct {
    uint32_t type;   /* POST_* */
    uint32_t index;  /* status, category or source id */
    uint64_t offset; /* from the start of the section */
    uint64_t length;
} snap_posting_t;

/* A record packs everything a lookup answers into 64 bits. */
#define SNAP_REC_STATUS(r) ((unsigned)((r)&3u))
#define SNAP_REC_CATEGORIES(r) ((uint16_t)(((r) >> 2) & 0xFFFu))
#define SNAP_REC_SOURCESET(r) ((unsigned)(((r) >> 14) & 0x3FFu))
#define SNAP_REC_REPORTS(r) ((unsigned)(((r) >> 24) & 0xFFu))
#define SNAP_REC_FIRST(r) ((uint16_t)((r) >> 32))
#define SNAP_REC_LAST(r) ((uint16_t)((r) >> 48))
#define SNAP_REC_REPORTS_MAX 0xFFu /* this value means: see SEC_REPORTS */

static inline uint64_t snap_rec_pack(unsigned status, uint16_t cats, unsigned sourceset,
                                     unsigned reports, uint16_t first, uint16_t last)
{
    return (uint64_t)(status & 3u) | ((uint64_t)(cats & 0xFFFu) << 2) |
           ((uint64_t)(sourceset & 0x3FFu) << 14) | ((uint64_t)(reports & 0xFFu) << 24) |
           ((uint64_t)first << 32) | ((uint64_t)last << 48);
}

/* A bijection on 51-bit integers (xor-shift and odd multiply, each invertible modulo 2^51),
 * so that phone keys spread evenly over buckets and stay exact: no hash, no false hit. */
#define SNAP_PHONE_MASK ((UINT64_C(1) << SNAP_PHONE_BITS) - 1)
#define SNAP_MIX_M1 UINT64_C(0x5bd1e9955bd1e995)
#define SNAP_MIX_M2 UINT64_C(0x94d049bb133111eb)

static inline uint64_t snap_phone_mix(uint64_t x)
{
    x &= SNAP_PHONE_MASK;
    x ^= x >> 26;
    x = (x * SNAP_MIX_M1) & SNAP_PHONE_MASK;
    x ^= x >> 25;
    x = (x * SNAP_MIX_M2) & SNAP_PHONE_MASK;
    x ^= x >> 26;
    return x;
}

/* The 64-bit sort key of an entry: buckets are its top bits, fingerprints the next 32. */
static inline uint64_t snap_phone_sortkey(uint64_t phone_key)
{
    return snap_phone_mix(phone_key) << (64 - SNAP_PHONE_BITS);
}

static inline uint64_t snap_bucket(uint64_t sortkey, unsigned dir_bits)
{
    return dir_bits ? sortkey >> (64 - dir_bits) : 0;
}

static inline uint64_t snap_fp(uint64_t sortkey, unsigned dir_bits, unsigned fp_bits)
{
    return fp_bits == 64 ? sortkey : (uint32_t)((sortkey << dir_bits) >> 32);
}

uint64_t fidx__snapshot_entry_phone_unmix(uint64_t x);

#endif
