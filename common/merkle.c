/* RFC 9162 Merkle tree hashing. */
#include "common/merkle.h"

#include <string.h>

#include <sodium.h>

void
gc_merkle_leaf_hash(uint8_t out[32], const uint8_t *leaf, size_t len)
{
	crypto_hash_sha256_state st;
	const uint8_t            zero = 0x00;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, leaf, len);
	crypto_hash_sha256_final(&st, out);
}

void
gc_merkle_node_hash(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	crypto_hash_sha256_state st;
	const uint8_t            one = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &one, 1);
	crypto_hash_sha256_update(&st, l, 32);
	crypto_hash_sha256_update(&st, r, 32);
	crypto_hash_sha256_final(&st, out);
}

/* MTH(D[n]) for n ≥ 1: split at k, the largest power of two < n. */
static void
mth(uint8_t out[32], const uint8_t (*h)[32], size_t n)
{
	uint8_t l[32], r[32];
	size_t  k = 1;

	if (n == 1) {
		for (int i = 0; i < 32; i++) {
			out[i] = h[0][i];
		}
		return;
	}
	while (k * 2 < n) {
		k *= 2;
	}
	mth(l, h, k);
	mth(r, h + k, n - k);
	gc_merkle_node_hash(out, l, r);
}

void
gc_merkle_root(uint8_t out[32], const uint8_t (*leaf_hashes)[32], size_t n)
{
	if (n == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return;
	}
	mth(out, leaf_hashes, n);
}

/* PATH(m, D[n]) per RFC 9162 §2.1.3.1, bottom-up. */
static void
path(uint8_t (*proof)[32], size_t *len, const uint8_t (*h)[32], size_t n,
    size_t m)
{
	size_t k = 1;

	if (n <= 1) {
		return;
	}
	while (k * 2 < n) {
		k *= 2;
	}
	if (m < k) {
		path(proof, len, h, k, m);
		mth(proof[(*len)++], h + k, n - k);
	} else {
		path(proof, len, h + k, n - k, m - k);
		mth(proof[(*len)++], h, k);
	}
}

void
gc_merkle_inclusion(uint8_t (*proof)[32], size_t *len,
    const uint8_t (*leaf_hashes)[32], size_t n, size_t index)
{
	*len = 0;
	if (index < n) {
		path(proof, len, leaf_hashes, n, index);
	}
}

int
gc_merkle_verify_inclusion(const uint8_t leaf_hash[32], size_t index,
    size_t n, const uint8_t (*proof)[32], size_t len,
    const uint8_t root[32])
{
	uint8_t r[32];
	size_t  fn = index, sn = n - 1;

	if (index >= n) {
		return -1;
	}
	for (int i = 0; i < 32; i++) {
		r[i] = leaf_hash[i];
	}
	for (size_t i = 0; i < len; i++) {
		if (sn == 0) {
			return -1;
		}
		if ((fn & 1) || fn == sn) {
			gc_merkle_node_hash(r, proof[i], r);
			if (!(fn & 1)) {
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
			}
		} else {
			gc_merkle_node_hash(r, r, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		return -1;
	}
	return sodium_memcmp(r, root, 32) == 0 ? 0 : -1;
}

/* SUBPROOF(m, D[n], b) per RFC 9162 §2.1.4.1, for 1 ≤ m ≤ n. */
static void
subproof(uint8_t (*proof)[32], size_t *len, const uint8_t (*h)[32],
    size_t n, size_t m, int complete)
{
	size_t k = 1;

	if (m == n) {
		if (!complete) {
			mth(proof[(*len)++], h, n);
		}
		return;
	}
	while (k * 2 < n) {
		k *= 2;
	}
	if (m <= k) {
		subproof(proof, len, h, k, m, complete);
		mth(proof[(*len)++], h + k, n - k);
	} else {
		subproof(proof, len, h + k, n - k, m - k, 0);
		mth(proof[(*len)++], h, k);
	}
}

void
gc_merkle_consistency(uint8_t (*proof)[32], size_t *len,
    const uint8_t (*leaf_hashes)[32], size_t n, size_t m)
{
	*len = 0;
	if (m > 0 && m < n) {
		subproof(proof, len, leaf_hashes, n, m, 1);
	}
}

int
gc_merkle_verify_consistency(size_t m, const uint8_t old_root[32],
    size_t n, const uint8_t new_root[32], const uint8_t (*proof)[32],
    size_t len)
{
	uint8_t fr[32], sr[32], empty[32];
	size_t  fn, sn, i = 0;

	if (m > n) {
		return -1;
	}
	if (m == n) {
		return len == 0 && sodium_memcmp(old_root, new_root, 32) == 0 ?
		    0 : -1;
	}
	if (m == 0) {
		gc_merkle_root(empty, NULL, 0);
		return len == 0 && sodium_memcmp(old_root, empty, 32) == 0 ?
		    0 : -1;
	}
	if (len == 0) {
		return -1;
	}
	/* a power-of-two m: the old root is a node of the new tree and the
	 * proof leaves it out (step 2 prepends it) */
	if ((m & (m - 1)) == 0) {
		memcpy(fr, old_root, 32);
	} else {
		memcpy(fr, proof[0], 32);
		i = 1;
	}
	memcpy(sr, fr, 32);
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < len; i++) {
		if (sn == 0) {
			return -1;
		}
		if ((fn & 1) || fn == sn) {
			gc_merkle_node_hash(fr, proof[i], fr);
			gc_merkle_node_hash(sr, proof[i], sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			gc_merkle_node_hash(sr, sr, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		return -1;
	}
	return sodium_memcmp(fr, old_root, 32) == 0 &&
	    sodium_memcmp(sr, new_root, 32) == 0 ? 0 : -1;
}
