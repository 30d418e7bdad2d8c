/* keys: a node's Ed25519 key pair and its key file, optionally sealed by
 * a passphrase (Argon2id + XChaCha20-Poly1305). Secret keys live in
 * sodium_malloc memory. */
#ifndef GC_COMMON_KEYS_H
#define GC_COMMON_KEYS_H

#include <stdint.h>

#include "common/gc_err.h"

struct gc_key {
	uint8_t  pk[32];
	uint8_t *sk; /* 64 bytes (seed ‖ pk), sodium_malloc'd, read-only */
};

/* Makes a key pair from a 32-byte seed, or at random when seed is NULL.
 * GC_ENOMEM. */
gc_err gc_key_generate(struct gc_key **out, const uint8_t *seed);

/*
 * Writes the key file at path (mode 0600, created exclusively: an existing
 * file is never overwritten, GC_EEXIST). passphrase NULL or "": plain.
 * Format (docs/formats.md): "GCKEY001" ‖ mode byte ‖ ...
 */
gc_err gc_key_save(const struct gc_key *k, const char *path,
    const char *passphrase, struct gc_diag *d);

/*
 * Reads the key file at path. A sealed file needs the passphrase:
 * GC_EAUTH when it is missing or wrong; GC_ECORRUPT when the file is not a
 * key file or damaged; GC_EIO/GC_ENOTFOUND when unreadable. d names the
 * file and the reason.
 */
gc_err gc_key_load(struct gc_key **out, const char *path,
    const char *passphrase, struct gc_diag *d);

void gc_key_free(struct gc_key *k); /* NULL-safe; wipes the secret */

#endif
