/* note: C2SP signed notes (https://c2sp.org/signed-note) with Ed25519
 * keys, and tlog checkpoints (https://c2sp.org/tlog-checkpoint) in them:
 *   <origin>\n<tree size>\n<base64 root hash>\n
 *   \n
 *   — <key name> <base64(key hash (4) ‖ Ed25519 signature (64))>\n
 * The key hash is the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key).
 * Go's golang.org/x/mod/sumdb/note reads and verifies the same bytes. */
#ifndef GC_SYNC_NOTE_H
#define GC_SYNC_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"
#include "common/keys.h"

/* The verifier key an auditor is given: "<name>+<8 hex>+<base64(0x01 ‖
 * key)>" (the format of Go's note.NewVerifier). */
void gc_note_vkey(struct gc_buf *out, const char *name, const uint8_t pk[32]);

/* Parses a verifier key (or, plainly, 64 hex digits of a key together
 * with the expected name). GC_EINVAL when malformed. */
gc_err gc_note_vkey_parse(const char *vkey, char *name, size_t namecap,
    uint8_t pk[32]);

/* Appends text (which must end in "\n") and its signature line by key
 * under name. */
void gc_note_sign(struct gc_buf *out, const char *text, const char *name,
    const struct gc_key *key);

/* Verifies that note carries a valid signature by (name, pk); *text_len
 * gets the length of the signed text. GC_EBADSIG / GC_ECORRUPT with d. */
gc_err gc_note_verify(const char *note, size_t len, const char *name,
    const uint8_t pk[32], size_t *text_len, struct gc_diag *d);

/* A checkpoint's text. */
void gc_checkpoint_text(struct gc_buf *out, const char *origin,
    uint64_t size, const uint8_t root[32]);
/* Parses a checkpoint's text (the first three lines). */
gc_err gc_checkpoint_parse(const char *text, size_t len, char *origin,
    size_t origincap, uint64_t *size, uint8_t root[32]);

#endif
