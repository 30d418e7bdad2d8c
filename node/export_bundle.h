/* export_bundle: the signed folder an export writes (docs/export.md):
 * files recorded with their SHA-256 as they are written, then MANIFEST
 * (sha256sum's format, sorted), MANIFEST.minisig (minisign's prehashed
 * signature, Ed25519 over BLAKE2b-512, with a trusted comment) and
 * minisign.pub, so stock `minisign -V` and `sha256sum -c` check it.
 * Shared by the CHSI package (node/export_chsi.c) and the school's
 * (node/export_school.c). */
#ifndef GC_NODE_EXPORT_BUNDLE_H
#define GC_NODE_EXPORT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/keys.h"

struct gc_bundle_file {
	char    path[200]; /* relative to the bundle's folder */
	uint8_t sha[32];
};

struct gc_bundle {
	char                   dir[4096];
	struct gc_bundle_file *f;
	size_t                 n;
};

/* A bundle in dir (which the caller makes); gc_bundle_release frees it. */
void gc_bundle_init(struct gc_bundle *b, const char *dir);
void gc_bundle_release(struct gc_bundle *b); /* NULL-safe */

/* Writes dir/rel and records it; -1 (said through gc_cli_err) on error. */
int gc_bundle_write(struct gc_bundle *b, const char *rel, const void *data,
    size_t len);

/* Records dir/rel as written by someone else (the xlsx, the PDF), as it
 * is on disk; -1 (said) when it cannot be read. */
int gc_bundle_add(struct gc_bundle *b, const char *rel);

/* Writes MANIFEST over every file recorded so far, its signature by key
 * with the trusted comment (one line, at most 500 bytes) and
 * minisign.pub; -1 (said) on error. */
int gc_bundle_seal(struct gc_bundle *b, const char *trusted,
    const struct gc_key *key);

#endif
