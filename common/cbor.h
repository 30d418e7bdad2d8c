/* cbor: deterministic CBOR (RFC 8949 §4.2.1) for gradcap's signed formats.
 * The writer emits shortest-form heads and definite lengths; callers write
 * map keys in ascending order (we only use small unsigned integer keys).
 * The scanner checks that bytes are exactly one well-formed, deterministic
 * item before anything else reads them; the cursor reads fields without
 * allocating; libcbor builds trees for display (cbor_json). */
#ifndef GC_COMMON_CBOR_H
#define GC_COMMON_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"

/* ---- writer: each call appends to b; failures are sticky in b ---- */
void gc_cbor_uint(struct gc_buf *b, uint64_t v);
void gc_cbor_int(struct gc_buf *b, int64_t v);
void gc_cbor_bytes(struct gc_buf *b, const void *p, size_t n);
void gc_cbor_text(struct gc_buf *b, const char *s);
void gc_cbor_textn(struct gc_buf *b, const char *s, size_t n);
void gc_cbor_array(struct gc_buf *b, uint64_t n);
void gc_cbor_map(struct gc_buf *b, uint64_t n);
void gc_cbor_tag(struct gc_buf *b, uint64_t tag);
void gc_cbor_bool(struct gc_buf *b, bool v);
void gc_cbor_null(struct gc_buf *b);
/* Appends raw, already-encoded CBOR. */
void gc_cbor_raw(struct gc_buf *b, const void *p, size_t n);

/* Maximum nesting the scanner accepts. */
#define GC_CBOR_MAX_DEPTH 16

/*
 * gc_cbor_scan checks that data[0..len) is exactly one CBOR item that is
 * well-formed and deterministic: shortest-form heads, definite lengths,
 * text strings valid UTF-8, map keys unique and in bytewise order of their
 * encodings, no floats, no simple values other than false/true/null, tags
 * only where allowed (any, for now), depth ≤ GC_CBOR_MAX_DEPTH.
 * Iterative: hostile nesting cannot exhaust the stack. No allocation.
 * Returns GC_OK or GC_ECORRUPT with d naming the offset and the reason.
 */
gc_err gc_cbor_scan(const uint8_t *data, size_t len, struct gc_diag *d);

/* ---- cursor: reads a scanned item without allocating ---- */
enum gc_cbor_type {
	GC_CBOR_UINT = 0,
	GC_CBOR_NINT = 1,
	GC_CBOR_BYTES = 2,
	GC_CBOR_TEXT = 3,
	GC_CBOR_ARRAY = 4,
	GC_CBOR_MAP = 5,
	GC_CBOR_TAG = 6,
	GC_CBOR_SIMPLE = 7,
};

struct gc_cbor_cur {
	const uint8_t *p;
	const uint8_t *end;
};

struct gc_cbor_item {
	enum gc_cbor_type type;
	uint64_t          val;   /* int value, string length, count, tag,
	                          * or simple value */
	const uint8_t    *data;  /* string bytes (BYTES, TEXT) */
	const uint8_t    *start; /* where the head began */
};

void gc_cbor_cur_init(struct gc_cbor_cur *c, const uint8_t *p, size_t len);
/* Reads one head (and the string bytes for BYTES/TEXT); the cursor moves
 * past them. Arrays/maps/tags: the cursor moves into the contents. */
gc_err gc_cbor_next(struct gc_cbor_cur *c, struct gc_cbor_item *it);
/* Skips one whole item (with its contents). */
gc_err gc_cbor_skip(struct gc_cbor_cur *c);

/*
 * A map with small unsigned keys read into a table: fields[k] points at
 * the encoded value for key k (k < nfields), NULL when absent. Keys ≥
 * nfields are ignored (forward compatibility). The cursor must be at the
 * map's head. Fails on non-uint keys.
 */
struct gc_cbor_field {
	const uint8_t *p;
	size_t         len;
};
gc_err gc_cbor_map_fields(struct gc_cbor_cur *c, struct gc_cbor_field *fields,
    size_t nfields);

/* Typed reads of a field's encoded value; false when absent or mistyped. */
bool gc_cbor_field_uint(const struct gc_cbor_field *f, uint64_t *v);
bool gc_cbor_field_bytes(const struct gc_cbor_field *f, const uint8_t **p,
    size_t *n);
bool gc_cbor_field_text(const struct gc_cbor_field *f, const char **p,
    size_t *n);
/* Copies a text field into out (NUL-terminated); false when absent,
 * mistyped or too long. */
bool gc_cbor_field_strcpy(const struct gc_cbor_field *f, char *out,
    size_t outlen);

/*
 * gc_cbor_json writes one scanned item as JSON: maps with integer keys use
 * names[key] when names is given (else the number as a string), byte
 * strings become lowercase hex, tags are dropped. Bounded by the scanner's
 * depth limit.
 */
void gc_cbor_json(struct gc_buf *out, const uint8_t *p, size_t len,
    const char *const *names, size_t nnames);

#endif
