/* wire: the sync protocol's messages (docs/protocol.md). Every message,
 * request or reply, is one deterministic CBOR map with small uint keys:
 *   {0: protocol version, 1: type, 2..: fields of the type}
 * Parsing never allocates: fields borrow the message bytes. */
#ifndef GC_SYNC_WIRE_H
#define GC_SYNC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/cbor.h"
#include "common/entry.h"
#include "common/gc_err.h"

#define GC_SYNC_VERSION   1
#define GC_SYNC_BATCH_MAX ((size_t)4 << 20)   /* entry bytes per batch */
#define GC_SYNC_MSG_MAX   ((size_t)5 << 20)   /* receive limit, both ends */
#define GC_SYNC_CHUNK     ((size_t)256 << 10) /* blob chunk */
#define GC_SYNC_LIST_MAX  1024                /* hashes per WANT/HAVE */
#define GC_SYNC_PUSH_MAX  8192                /* entries per PUSH */
#define GC_SYNC_FEEDS_MAX 4096                /* feeds in a version vector */
#define GC_SYNC_FIELDS    10

enum gc_sync_type {
	GC_SYNC_HELLO = 1,
	GC_SYNC_HELLO_OK,
	GC_SYNC_PUSH,
	GC_SYNC_PUSH_OK,
	GC_SYNC_PULL,
	GC_SYNC_PULL_OK,
	GC_SYNC_WANT,
	GC_SYNC_WANT_OK,
	GC_SYNC_BLOB_PUT,
	GC_SYNC_BLOB_PUT_OK,
	GC_SYNC_BLOB_GET,
	GC_SYNC_BLOB_GET_OK,
	GC_SYNC_HAVE,
	GC_SYNC_HAVE_OK,
	GC_SYNC_ERROR,
	GC_SYNC_BLOBS_PUT, /* small whole blobs, many per message */
	GC_SYNC_BLOBS_PUT_OK,
	GC_SYNC_BLOBS_GET,
	GC_SYNC_BLOBS_GET_OK,
	GC_SYNC_AUTH, /* the client signs the server's challenge */
	GC_SYNC_AUTH_OK,
	GC_SYNC_TYPE_END
};

const char *gc_sync_type_name(unsigned type); /* "HELLO"; "?" */

/* A parsed message: f[k] is field k (see docs/protocol.md per type). */
struct gc_sync_msg {
	unsigned             type;
	struct gc_cbor_field f[GC_SYNC_FIELDS];
};

/* Checks p[0..len) is one deterministic CBOR map of a known version and
 * type. GC_ECORRUPT with d saying what is wrong; GC_ETOOBIG over
 * GC_SYNC_MSG_MAX. */
gc_err gc_sync_msg_parse(struct gc_sync_msg *m, const uint8_t *p, size_t len,
    struct gc_diag *d);

/* Starts a message of type with nfields fields after the version and type
 * (the caller writes them, keys ascending from 2). */
void gc_sync_msg_begin(struct gc_buf *b, unsigned type, size_t nfields);

/* An ERROR reply: {2: code (text), 3: message (text)}. Codes: "version",
 * "malformed", "session", "denied", "toobig", "internal", "notfound",
 * "gap", "corrupt". */
void gc_sync_error(struct gc_buf *b, const char *code, const char *msg);

/* ---- HELLO ---- */

struct gc_sync_feed {
	uint8_t  feed[32];
	uint64_t seq;
	uint8_t  head[32];
	uint64_t qseq; /* quarantined from this seq; 0: not quarantined */
	uint64_t nforks;
};

/* A HELLO body: who is speaking, its clock and version vector. */
struct gc_sync_hello {
	char                 school[16];
	uint8_t              key[32];
	unsigned             role; /* enum gc_role */
	char                 name[128];
	uint8_t              nonce[16];
	uint64_t             hlc;
	struct gc_sync_feed *feeds; /* gc_alloc'd by parse */
	size_t               nfeeds;
	bool                 has_echo; /* reply: the request's nonce */
	uint8_t              echo[16];
	bool                 has_session; /* reply: the session id */
	uint8_t              session[16];
};

/* Encodes a HELLO (or HELLO_OK) message: the body signed by sk. */
void gc_sync_hello_encode(struct gc_buf *b, unsigned type,
    const struct gc_sync_hello *h, const uint8_t *sk);

/* Parses and verifies a HELLO/HELLO_OK: the body's signature by the key
 * it names. GC_EBADSIG, GC_ECORRUPT (d says what), GC_ENOMEM. On GC_OK
 * h->feeds is gc_alloc'd (gc_sync_hello_release). */
gc_err gc_sync_hello_parse(const struct gc_sync_msg *m,
    struct gc_sync_hello *h, struct gc_diag *d);
void   gc_sync_hello_release(struct gc_sync_hello *h);

/* A growing list of borrowed byte strings (entries of one batch). */
struct gc_sync_blist {
	const uint8_t **bytes;
	size_t         *lens;
	size_t          n, cap;
	bool            failed; /* an append ran out of memory */
};

/* Appends p (borrowed) to the list given as arg; fits gc_sync_each_bytes.
 * Returns 1 (stop) when out of memory, with failed set. */
int  gc_sync_blist_add(const uint8_t *p, size_t n, void *arg);
void gc_sync_blist_free(struct gc_sync_blist *l);

/* The bytes an AUTH signature covers: "gradcap sync auth v1\0" ‖ server
 * key ‖ server nonce ‖ session id (out: 22 + 32 + 16 + 16 bytes). */
#define GC_SYNC_AUTH_TBS 86
void gc_sync_auth_tbs(uint8_t out[GC_SYNC_AUTH_TBS],
    const uint8_t server_key[32], const uint8_t server_nonce[16],
    const uint8_t session[16]);

/* Iterates the bstr items of array field f: calls cb(p, n, arg) for each;
 * GC_ECORRUPT when f is not an array of bstr (at most max items). */
gc_err gc_sync_each_bytes(const struct gc_cbor_field *f, size_t max,
    int (*cb)(const uint8_t *p, size_t n, void *arg), void *arg);

#endif
