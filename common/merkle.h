/* merkle: RFC 9162 §2.1 Merkle tree hashing with SHA-256 (the hashing of
 * RFC 6962 logs): leaf hash SHA-256(0x00 ‖ leaf), node hash SHA-256(0x01 ‖
 * left ‖ right), a tree of n leaves split at the largest power of two
 * below n. The empty tree's root is SHA-256 of nothing. */
#ifndef GC_COMMON_MERKLE_H
#define GC_COMMON_MERKLE_H

#include <stddef.h>
#include <stdint.h>

void gc_merkle_leaf_hash(uint8_t out[32], const uint8_t *leaf, size_t len);
/* SHA-256(0x01 ‖ l ‖ r) */
void gc_merkle_node_hash(uint8_t out[32], const uint8_t l[32],
    const uint8_t r[32]);

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

/* The consistency proof (RFC 9162 §2.1.4.1 PROOF(m, D[n])) that the tree
 * of the first m of n leaf hashes is a prefix of the tree of all n: *len
 * hashes into proof (at most 64). Empty when m is 0, m equals n, or m is
 * over n. */
void gc_merkle_consistency(uint8_t (*proof)[32], size_t *len,
    const uint8_t (*leaf_hashes)[32], size_t n, size_t m);

/* Verifies a consistency proof (RFC 9162 §2.1.4.2): 0 when the tree of
 * size m with old_root is a prefix of the tree of size n with new_root, -1
 * otherwise (m over n included). The cases the RFC leaves to the caller:
 * m equal to n holds with an empty proof and equal roots; m 0 with an
 * empty proof and old_root the empty tree's. */
int gc_merkle_verify_consistency(size_t m, const uint8_t old_root[32],
    size_t n, const uint8_t new_root[32], const uint8_t (*proof)[32],
    size_t len);

#endif
