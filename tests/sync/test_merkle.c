/* merkle: RFC 9162 tree hashes, inclusion and consistency proofs against
 * the Certificate Transparency reference vectors and against a second,
 * independent computation of every root; every way of spoiling a proof
 * (a flipped bit, another size, a hash dropped or added) is rejected. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/merkle.h"

#define NMAX 70

/* The leaves of RFC 6962's reference tree (certificate-transparency's
 * merkle_tree_test), and its roots for sizes 0..8. */
static const char *const ct_leaves[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};
static const char *const ct_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Its consistency proofs to the tree of 8. */
static const struct {
	size_t      m;
	size_t      len;
	const char *proof[3];
} ct_consistency[] = {
	{ 1, 3,
	    { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 2, 2,
	    { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 6, 3,
	    { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 8, 0, { NULL } },
};

static void
unhex(uint8_t *out, size_t *len, const char *hex)
{
	assert_int_equal(sodium_hex2bin(out, 64, hex, strlen(hex), NULL, len,
	    NULL), 0);
}

static void
ct_leaf_hashes(uint8_t h[8][32])
{
	uint8_t leaf[64];
	size_t  len;

	for (int i = 0; i < 8; i++) {
		unhex(leaf, &len, ct_leaves[i]);
		gc_merkle_leaf_hash(h[i], leaf, len);
	}
}

/* The independent root: level by level, pairing neighbours left to right
 * and carrying a last odd node up unchanged (the shape RFC 9162's split at
 * the largest power of two gives), without any recursion. */
static void
ref_node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	uint8_t in[65];

	in[0] = 0x01;
	memcpy(in + 1, l, 32);
	memcpy(in + 33, r, 32);
	crypto_hash_sha256(out, in, sizeof(in));
}

static void
ref_root(uint8_t out[32], const uint8_t (*h)[32], size_t n)
{
	uint8_t lvl[NMAX][32];
	size_t  w = n;

	if (n == 0) {
		crypto_hash_sha256(out, (const uint8_t *)"", 0);
		return;
	}
	memcpy(lvl, h, n * 32);
	while (w > 1) {
		size_t j = 0;

		for (size_t i = 0; i < w; i += 2) {
			if (i + 1 < w) {
				ref_node(lvl[j], lvl[i], lvl[i + 1]);
			} else {
				memmove(lvl[j], lvl[i], 32);
			}
			j++;
		}
		w = j;
	}
	memcpy(out, lvl[0], 32);
}

/* NMAX made-up leaves and the roots of every prefix, computed by ref_root
 * only. */
static uint8_t lh[NMAX][32];
static uint8_t roots[NMAX + 1][32];

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0) {
		return -1;
	}
	for (size_t i = 0; i < NMAX; i++) {
		char leaf[32];

		snprintf(leaf, sizeof(leaf), "leaf %zu", i);
		gc_merkle_leaf_hash(lh[i], (const uint8_t *)leaf, strlen(leaf));
	}
	for (size_t n = 0; n <= NMAX; n++) {
		ref_root(roots[n], (const uint8_t (*)[32])lh, n);
	}
	return 0;
}

static void
test_merkle_roots_match_the_reference_vectors(void **state)
{
	uint8_t h[8][32], want[32], got[32];
	size_t  len;

	(void)state;
	ct_leaf_hashes(h);
	for (size_t n = 0; n <= 8; n++) {
		unhex(want, &len, ct_roots[n]);
		gc_merkle_root(got, (const uint8_t (*)[32])h, n);
		assert_memory_equal(got, want, 32);
		ref_root(got, (const uint8_t (*)[32])h, n);
		assert_memory_equal(got, want, 32);
	}
	for (size_t n = 0; n <= NMAX; n++) {
		gc_merkle_root(got, (const uint8_t (*)[32])lh, n);
		assert_memory_equal(got, roots[n], 32);
	}
}

static void
test_merkle_inclusion_proofs_verify_and_match_the_vectors(void **state)
{
	uint8_t h[8][32], root[32], p[64][32], want[32];
	size_t  len, wl;

	(void)state;
	ct_leaf_hashes(h);
	unhex(root, &wl, ct_roots[8]);
	gc_merkle_inclusion(p, &len, (const uint8_t (*)[32])h, 8, 0);
	assert_int_equal(len, 3);
	for (size_t i = 0; i < 3; i++) {
		unhex(want, &wl, ct_consistency[0].proof[i]);
		assert_memory_equal(p[i], want, 32);
	}
	for (size_t n = 1; n <= NMAX; n++) {
		for (size_t i = 0; i < n; i++) {
			gc_merkle_inclusion(p, &len, (const uint8_t (*)[32])lh,
			    n, i);
			assert_int_equal(gc_merkle_verify_inclusion(lh[i], i, n,
			    (const uint8_t (*)[32])p, len, roots[n]), 0);
			/* the size only gives the path's shape, the root is
			 * what binds: another size with its own root fails */
			if (n < NMAX) {
				assert_int_not_equal(
				    gc_merkle_verify_inclusion(lh[i], i, n + 1,
				        (const uint8_t (*)[32])p, len,
				        roots[n + 1]), 0);
			}
		}
	}
}

static void
test_merkle_consistency_matches_the_vectors(void **state)
{
	uint8_t h[8][32], p[64][32], want[32], r1[32], r8[32];
	size_t  len, wl;

	(void)state;
	ct_leaf_hashes(h);
	unhex(r8, &wl, ct_roots[8]);
	for (size_t v = 0; v < sizeof(ct_consistency) /
	     sizeof(ct_consistency[0]); v++) {
		size_t m = ct_consistency[v].m;

		gc_merkle_consistency(p, &len, (const uint8_t (*)[32])h, 8, m);
		assert_int_equal(len, ct_consistency[v].len);
		for (size_t i = 0; i < len; i++) {
			unhex(want, &wl, ct_consistency[v].proof[i]);
			assert_memory_equal(p[i], want, 32);
		}
		unhex(r1, &wl, ct_roots[m]);
		assert_int_equal(gc_merkle_verify_consistency(m, r1, 8, r8,
		    (const uint8_t (*)[32])p, len), 0);
	}
}

/* Every m ≤ n ≤ NMAX: the proof verifies against the independent roots,
 * and every other size, root or length is refused. */
static void
test_merkle_consistency_verifies_for_every_pair(void **state)
{
	uint8_t p[66][32], q[66][32];
	size_t  len;

	(void)state;
	for (size_t n = 0; n <= NMAX; n++) {
		for (size_t m = 0; m <= n; m++) {
			gc_merkle_consistency(p, &len,
			    (const uint8_t (*)[32])lh, n, m);
			assert_true(len <= 64);
			if (m == 0 || m == n) {
				assert_int_equal(len, 0);
			} else {
				assert_int_not_equal(len, 0);
			}
			assert_int_equal(gc_merkle_verify_consistency(m,
			    roots[m], n, roots[n], (const uint8_t (*)[32])p,
			    len), 0);
			if (m == 0 || m == n) {
				continue;
			}
			/* other sizes, each with its own root (the sizes give
			 * the proof's shape, the roots bind it) */
			for (size_t x = m - 1; x <= m + 1 && x < n; x++) {
				if (x == m) {
					continue;
				}
				assert_int_not_equal(
				    gc_merkle_verify_consistency(x, roots[x], n,
				        roots[n], (const uint8_t (*)[32])p,
				        len), 0);
			}
			for (size_t x = n - 1; x <= n + 1 && x <= NMAX; x++) {
				if (x == n || x < m) {
					continue;
				}
				assert_int_not_equal(
				    gc_merkle_verify_consistency(m, roots[m], x,
				        roots[x], (const uint8_t (*)[32])p,
				        len), 0);
			}
			assert_int_not_equal(gc_merkle_verify_consistency(n,
			    roots[n], m, roots[m], (const uint8_t (*)[32])p,
			    len), 0);
			/* other roots: a neighbour's, or the two swapped */
			assert_int_not_equal(gc_merkle_verify_consistency(m,
			    roots[m - 1], n, roots[n],
			    (const uint8_t (*)[32])p, len), 0);
			assert_int_not_equal(gc_merkle_verify_consistency(m,
			    roots[m], n, roots[n - 1],
			    (const uint8_t (*)[32])p, len), 0);
			assert_int_not_equal(gc_merkle_verify_consistency(m,
			    roots[n], n, roots[m], (const uint8_t (*)[32])p,
			    len), 0);
			/* truncated, at either end, or empty */
			assert_int_not_equal(gc_merkle_verify_consistency(m,
			    roots[m], n, roots[n], (const uint8_t (*)[32])p,
			    len - 1), 0);
			assert_int_not_equal(gc_merkle_verify_consistency(m,
			    roots[m], n, roots[n],
			    (const uint8_t (*)[32])p + 1, len - 1), 0);
			assert_int_not_equal(gc_merkle_verify_consistency(m,
			    roots[m], n, roots[n], (const uint8_t (*)[32])p,
			    0), 0);
			/* extended: a hash added at the end or the start */
			memcpy(p[len], roots[n], 32);
			assert_int_not_equal(gc_merkle_verify_consistency(m,
			    roots[m], n, roots[n], (const uint8_t (*)[32])p,
			    len + 1), 0);
			memcpy(q[0], roots[m], 32);
			memcpy(q + 1, p, len * 32);
			assert_int_not_equal(gc_merkle_verify_consistency(m,
			    roots[m], n, roots[n], (const uint8_t (*)[32])q,
			    len + 1), 0);
			/* the old tree's last leaf's path is no consistency
			 * proof (but for m = 1, where the two are the same) */
			gc_merkle_inclusion(q, &len, (const uint8_t (*)[32])lh,
			    n, m - 1);
			assert_int_equal(gc_merkle_verify_consistency(m,
			    roots[m], n, roots[n], (const uint8_t (*)[32])q,
			    len) == 0, m == 1);
		}
	}
}

/* Every bit of every proof hash of every pair 1 ≤ m < n ≤ NMAX, flipped
 * alone, is caught (some 1.1 million proofs). */
static void
test_merkle_consistency_rejects_every_flipped_bit(void **state)
{
	uint8_t p[64][32];
	size_t  len, flips = 0;

	(void)state;
	for (size_t n = 2; n <= NMAX; n++) {
		for (size_t m = 1; m < n; m++) {
			gc_merkle_consistency(p, &len,
			    (const uint8_t (*)[32])lh, n, m);
			for (size_t i = 0; i < len; i++) {
				for (size_t bit = 0; bit < 256; bit++) {
					p[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
					assert_int_not_equal(
					    gc_merkle_verify_consistency(m,
					        roots[m], n, roots[n],
					        (const uint8_t (*)[32])p, len),
					    0);
					p[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
					flips++;
				}
			}
			/* and the proof is whole again */
			assert_int_equal(gc_merkle_verify_consistency(m,
			    roots[m], n, roots[n], (const uint8_t (*)[32])p,
			    len), 0);
		}
	}
	assert_true(flips > 1000000);
}

/* The cases RFC 9162 leaves to the caller. */
static void
test_merkle_consistency_edge_cases(void **state)
{
	uint8_t p[64][32], x[1][32];
	size_t  len;

	(void)state;
	memset(x, 0xab, sizeof(x));
	/* m = n: nothing to prove, the roots must be equal */
	for (size_t n = 0; n <= NMAX; n++) {
		gc_merkle_consistency(p, &len, (const uint8_t (*)[32])lh, n, n);
		assert_int_equal(len, 0);
		assert_int_equal(gc_merkle_verify_consistency(n, roots[n], n,
		    roots[n], NULL, 0), 0);
		assert_int_not_equal(gc_merkle_verify_consistency(n, roots[n],
		    n, roots[n], (const uint8_t (*)[32])x, 1), 0);
		if (n > 0) {
			assert_int_not_equal(gc_merkle_verify_consistency(n,
			    roots[n], n, roots[n - 1], NULL, 0), 0);
		}
	}
	/* m = 0: the empty tree is a prefix of every tree */
	for (size_t n = 1; n <= NMAX; n++) {
		assert_int_equal(gc_merkle_verify_consistency(0, roots[0], n,
		    roots[n], NULL, 0), 0);
		assert_int_not_equal(gc_merkle_verify_consistency(0, roots[1],
		    n, roots[n], NULL, 0), 0);
		assert_int_not_equal(gc_merkle_verify_consistency(0, roots[0],
		    n, roots[n], (const uint8_t (*)[32])x, 1), 0);
	}
	/* m over n, and a proof asked for beyond the tree */
	assert_int_not_equal(gc_merkle_verify_consistency(5, roots[5], 4,
	    roots[4], NULL, 0), 0);
	gc_merkle_consistency(p, &len, (const uint8_t (*)[32])lh, 4, 5);
	assert_int_equal(len, 0);
	/* 0 < m < n with an empty proof */
	assert_int_not_equal(gc_merkle_verify_consistency(4, roots[4], 8,
	    roots[8], NULL, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merkle_roots_match_the_reference_vectors),
		cmocka_unit_test(
		    test_merkle_inclusion_proofs_verify_and_match_the_vectors),
		cmocka_unit_test(test_merkle_consistency_matches_the_vectors),
		cmocka_unit_test(test_merkle_consistency_verifies_for_every_pair),
		cmocka_unit_test(
		    test_merkle_consistency_rejects_every_flipped_bit),
		cmocka_unit_test(test_merkle_consistency_edge_cases),
	};
	return cmocka_run_group_tests_name("sync.merkle", tests, setup, NULL);
}
