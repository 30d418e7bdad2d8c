/* testutil: temporary directories, fixed-seed keys, file helpers. */
#ifndef GC_TESTS_TESTUTIL_H
#define GC_TESTS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

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

/* Flips bit `bit` of byte `off` in the file. */
void gc_test_flip_bit(const char *path, size_t off, int bit);

/* A deterministic 32-byte seed from a small integer. */
void gc_test_seed(uint8_t seed[32], unsigned n);

/* The path of a photo fetched by tests/data/fetch.sh ("grace_hopper",
 * "astronaut", "sh0r", "yawn", "aksel": NAME.jpg in $GC_TESTDATA_DIR), or
 * NULL after printing why when it is not there (the caller skips). */
const char *gc_test_data(const char *name);

#endif
