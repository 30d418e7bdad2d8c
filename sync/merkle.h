/* merkle: RFC 9162 §2.1 Merkle tree hashing with SHA-256 (the hashing of
 * RFC 6962 logs): leaf hash SHA-256(0x00 ‖ leaf), node hash SHA-256(0x01 ‖
 * left ‖ right), a tree of n leaves split at the largest power of two
 * below n. The empty tree's root is SHA-256 of nothing. */
#ifndef GC_SYNC_MERKLE_H
#define GC_SYNC_MERKLE_H

#include <stddef.h>
#include <stdint.h>

void gc_merkle_leaf_hash(uint8_t out[32], const uint8_t *leaf, size_t len);

/* The root over n leaf hashes (not the leaves themselves). */
void gc_merkle_root(uint8_t out[32], const uint8_t (*leaf_hashes)[32],
    size_t n);

#endif
