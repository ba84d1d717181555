/* The snapshot builder's table, shared by builder.c (adding, merging) and snapshot_write.c
 * (laying it out as a file). */
#ifndef FIDX_BUILDER_H
#define FIDX_BUILDER_H

#include <stdint.h>

#include "fidx/snapshot.h"

typedef struct {
    uint64_t ident; /* phone key, or XXH3-64 of the value seeded with the kind */
    uint32_t str;   /* offset of the value in the arena (not for phones) */
    uint32_t reports;
    uint32_t note;  /* offset + 1 of the note in notes, 0 for none */
    uint32_t label; /* offset + 1 of the public label in labels, 0 for none */
    uint16_t first_seen, last_seen;
    uint16_t categories;
    uint16_t sourceset;
    uint8_t status;
    uint8_t kind;
    uint8_t removed;
} builder_entry_t;

struct fidx_builder {
    builder_entry_t *entries;
    size_t n_entries, cap_entries;
    uint64_t n_live; /* entries not removed */
    uint32_t *map;   /* open addressing: entry index + 1, 0 = empty */
    size_t map_cap;
    size_t n_mapped;
    char *arena; /* values: uint16_t length then bytes */
    size_t arena_len, arena_cap;
    char *notes; /* notes, same layout */
    size_t notes_len, notes_cap;
    char *labels; /* public labels, same layout (kept apart from the analysts' notes) */
    size_t labels_len, labels_cap;
    unsigned n_sources;
    char source[FIDX_MAX_SNAPSHOT_SOURCES][FIDX_MAX_SOURCE_LEN + 1];
    unsigned n_sets, set_last;
    uint64_t set_key[FIDX_MAX_SNAPSHOT_SOURCE_SETS]; /* packed sorted ids + 1, one per byte */
};

int fidx__builder_set_id(fidx_builder_t *b, uint64_t key, uint16_t *id);

#endif
