/* testutil: temporary directories, fixed-seed keys, file helpers. */
#ifndef GC_TESTS_TESTUTIL_H
#define GC_TESTS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/keys.h"
#include "common/ledger.h"

/* Creates a fresh empty directory under $GC_TEST_TMP (or /tmp) and returns
 * its path (static storage per call: copy it if you need two). */
char *gc_test_tmpdir(const char *tag);

/* rm -rf path. */
void gc_test_rmrf(const char *path);

/* Writes len bytes to dir/name; returns the malloc'd full path. */
char *gc_test_write_file(const char *dir, const char *name, const void *data,
    size_t len);

/* Reads a whole regular file (gc_file_read: links not followed); NULL when
 * absent or unreadable. *len set. Free with free(). */
uint8_t *gc_test_read_file(const char *path, size_t *len);

/* UTF-8 text re-encoded as GB18030 (GBK for the BMP), as Excel in China
 * saves CSV; *len set (no NUL counted). Free with free(). */
char *gc_test_to_gb18030(const char *utf8, size_t *len);

/* Flips bit `bit` of byte `off` in the file. */
void gc_test_flip_bit(const char *path, size_t off, int bit);

/* A deterministic 32-byte seed from a small integer. */
void gc_test_seed(uint8_t seed[32], unsigned n);

/* The path of a photo fetched by tests/data/fetch.sh ("grace_hopper",
 * "astronaut", "sh0r", "yawn", "aksel": NAME.jpg in $GC_TESTDATA_DIR), or
 * NULL after printing why when it is not there (the caller skips). */
const char *gc_test_data(const char *name);

/* ---- ledgers (cmocka asserts inside) ---- */

/* The key made from gc_test_seed(n). */
struct gc_key *gc_test_key(unsigned n);

/* Opens the ledger in dir and sets k (may be NULL) as its signing key. */
gc_ledger *gc_test_ledger_open(const char *dir, const struct gc_key *k);

/* The coordinator ledger lc enrolls k as role under name (school 10335). */
void gc_test_enroll(gc_ledger *lc, const struct gc_key *k, enum gc_role role,
    const char *name);

/* The site ledger ls installs the coordinator lc's whole feed (key kc),
 * as from an enrollment file; every entry must be added. */
void gc_test_install(gc_ledger *ls, gc_ledger *lc, const uint8_t kc[32]);

/* Copies of every entry of feed (or of all feeds when NULL), in order, as
 * arrays fit for gc_ledger_ingest. */
struct gc_test_dump {
	uint8_t **bytes;
	size_t   *lens;
	size_t    n;
};
void gc_test_dump_feed(gc_ledger *lg, const uint8_t *feed,
    struct gc_test_dump *d);
void gc_test_dump_free(struct gc_test_dump *d);

#endif
