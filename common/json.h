/* json: a strict RFC 8259 parser for small request bodies (the UI's API,
 * docs/api.md). One allocation per document; strings decoded to UTF-8
 * (escapes, surrogate pairs), NUL-terminated. Refuses: bytes that are not
 * UTF-8, control characters in strings, lone surrogates, NUL (\u0000) in
 * strings, duplicate keys in an object, nesting deeper than 32, trailing
 * bytes after the value, numbers that overflow a double, more than 4096
 * values. */
#ifndef GC_COMMON_JSON_H
#define GC_COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "common/gc_err.h"

enum gc_json_type {
	GC_JSON_NULL = 0,
	GC_JSON_FALSE,
	GC_JSON_TRUE,
	GC_JSON_NUMBER,
	GC_JSON_STRING,
	GC_JSON_ARRAY,
	GC_JSON_OBJECT,
};

struct gc_json {
	enum gc_json_type type;
	double            num;   /* NUMBER */
	const char       *str;   /* STRING: decoded, NUL-terminated */
	size_t            len;   /* STRING: bytes; ARRAY/OBJECT: members */
	const char       *key;   /* a member of an OBJECT: its key */
	struct gc_json   *kid;   /* ARRAY/OBJECT: the first member */
	struct gc_json   *next;  /* the next member of the parent */
};

/* Parses s[0..n) into *out (free with gc_json_free). On GC_EINVAL (not
 * JSON) why names the byte offset and the reason, e.g. "at byte 12: a
 * string is not closed"; GC_ENOMEM when memory runs out. On failure *out
 * is NULL. why may be NULL (whylen 0); it is "" on GC_OK. */
gc_err gc_json_parse(struct gc_json **out, const char *s, size_t n,
    char *why, size_t whylen);
void   gc_json_free(struct gc_json *doc); /* NULL-safe */

/* The member key of an object, or NULL (also when o is not an object). */
const struct gc_json *gc_json_get(const struct gc_json *o, const char *key);
/* The string member key, or NULL when absent or not a string. */
const char *gc_json_str_of(const struct gc_json *o, const char *key);
/* The boolean member key; dflt when absent or not a boolean. */
bool gc_json_bool_of(const struct gc_json *o, const char *key, bool dflt);

#endif
