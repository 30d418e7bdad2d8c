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

/* The inclusion proof (RFC 9162 §2.1.3.1 PATH) of leaf index in the tree
 * of n leaf hashes: *len hashes into proof (at most 64). */
void gc_merkle_inclusion(uint8_t (*proof)[32], size_t *len,
    const uint8_t (*leaf_hashes)[32], size_t n, size_t index);

/* Verifies an inclusion proof (RFC 9162 §2.1.3.2): 0 when leaf_hash at
 * index is in the tree of size n with root, -1 otherwise. */
int gc_merkle_verify_inclusion(const uint8_t leaf_hash[32], size_t index,
    size_t n, const uint8_t (*proof)[32], size_t len,
    const uint8_t root[32]);

#endif
