/* entry: one signed ledger entry, a COSE_Sign1 message (RFC 9052, alg
 * EdDSA) in one fixed layout, over a deterministic CBOR payload
 *   {0: version, 1: feed key, 2: seq, 3: prev, 4: hlc, 5: kind, 6: body,
 *    7: blobs}
 * docs/formats.md describes the bytes. Entries are kept and moved as these
 * exact bytes; verification never re-encodes them. */
#ifndef GC_COMMON_ENTRY_H
#define GC_COMMON_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"

#define GC_ENTRY_VERSION   1
#define GC_ENTRY_MAX       ((size_t)4 << 20) /* one entry, bytes */
#define GC_ENTRY_MAX_BLOBS 64

enum gc_kind {
	GC_KIND_ENROLL = 1,
	GC_KIND_REVOKE,
	GC_KIND_ROSTER,
	GC_KIND_SESSION_OPEN,
	GC_KIND_SESSION_CLOSE,
	GC_KIND_CAPTURE,
	GC_KIND_VOID,
	GC_KIND_REVIEW,
	GC_KIND_RESOLVE,
	GC_KIND_CHECKPOINT,
	GC_KIND_INVITE, /* 11: online sign-in codes (common/invite.h) */
	GC_KIND_STUDENT_CHECK, /* 12: a student's check of the finished
	                        * photo (common/student_check.h) */
	GC_KIND_END
};

enum gc_role {
	GC_ROLE_NONE = 0,
	GC_ROLE_COORDINATOR,
	GC_ROLE_SITE,
	GC_ROLE_REVIEWER,
	GC_ROLE_AUDITOR,
	GC_ROLE_ONLINE, /* the online portal's node: students' own captures */
	GC_ROLE_END
};

const char  *gc_kind_name(unsigned kind); /* "ROSTER"; "?" if unknown */
const char  *gc_role_name(enum gc_role r); /* "site"; "none" */
enum gc_role gc_role_parse(const char *s); /* GC_ROLE_NONE if unknown */
/* Whether a feed enrolled as role may write entries of kind. */
bool gc_role_may_write(enum gc_role r, unsigned kind);

/* What is signed: the header fields and the body. */
struct gc_entry_hdr {
	const uint8_t *feed; /* 32-byte Ed25519 public key */
	uint64_t       seq;  /* 1, 2, 3, ... */
	const uint8_t *prev; /* SHA-256 of the previous entry; NULL iff seq 1 */
	uint64_t       hlc;
	unsigned       kind;
	const uint8_t (*blobs)[32]; /* blob hashes the entry names */
	size_t         nblobs;
};

/* A parsed entry: pointers borrow from the bytes given to gc_entry_parse
 * and live as long as they do. */
struct gc_entry {
	const uint8_t *bytes;
	size_t         len;
	uint8_t        id[32]; /* SHA-256 of bytes */
	unsigned       version;
	const uint8_t *feed;
	uint64_t       seq;
	const uint8_t *prev; /* NULL for seq 1 */
	uint64_t       hlc;
	unsigned       kind;
	const uint8_t *body;
	size_t         body_len;
	const uint8_t *blobs; /* nblobs × 32 bytes, inside the CBOR array:
	                       * use gc_entry_blob() */
	size_t         nblobs;
	const uint8_t *payload;
	size_t         payload_len;
	const uint8_t *sig; /* 64 bytes */
};

/*
 * gc_entry_encode appends the signed entry to out. body is one
 * deterministic CBOR item (checked with gc_cbor_scan). Blob hashes are
 * written sorted and de-duplicated. sk is the 64-byte libsodium secret key
 * whose public half must equal h->feed. Errors: GC_EINVAL (bad header or
 * body), GC_ETOOBIG (over GC_ENTRY_MAX), GC_ENOMEM.
 */
gc_err gc_entry_encode(struct gc_buf *out, const struct gc_entry_hdr *h,
    const uint8_t *body, size_t body_len, const uint8_t *sk);

/*
 * gc_entry_parse checks the COSE_Sign1 layout and the payload (canonical
 * CBOR, every field present and typed, prev iff seq > 1, blobs sorted) and
 * fills e; it does not check the signature. GC_ECORRUPT with d saying what
 * is wrong, GC_ETOOBIG over GC_ENTRY_MAX. No allocation.
 */
gc_err gc_entry_parse(struct gc_entry *e, const uint8_t *bytes, size_t len,
    struct gc_diag *d);

/* Verifies the Ed25519 signature of a parsed entry by its feed key:
 * GC_OK or GC_EBADSIG. */
gc_err gc_entry_verify(const struct gc_entry *e);

/* The ith blob hash (32 bytes) of a parsed entry. */
const uint8_t *gc_entry_blob(const struct gc_entry *e, size_t i);

/* SHA-256 of data. */
void gc_sha256(uint8_t out[32], const void *data, size_t len);

/* Hex of the first n bytes of a 32-byte id into out (2n+1). */
void gc_id_hex(char *out, const uint8_t *id, size_t n);

#endif
