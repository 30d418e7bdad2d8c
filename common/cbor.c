#include "common/cbor.h"

#include <string.h>

/* ---- writer ---- */

static void
cbor_head(struct gc_buf *b, unsigned major, uint64_t v)
{
	uint8_t h[9];
	size_t  n;

	major <<= 5;
	if (v < 24) {
		h[0] = (uint8_t)(major | v);
		n    = 1;
	} else if (v <= 0xff) {
		h[0] = (uint8_t)(major | 24);
		h[1] = (uint8_t)v;
		n    = 2;
	} else if (v <= 0xffff) {
		h[0] = (uint8_t)(major | 25);
		h[1] = (uint8_t)(v >> 8);
		h[2] = (uint8_t)v;
		n    = 3;
	} else if (v <= 0xffffffffu) {
		h[0] = (uint8_t)(major | 26);
		for (int i = 0; i < 4; i++) {
			h[1 + i] = (uint8_t)(v >> (24 - 8 * i));
		}
		n = 5;
	} else {
		h[0] = (uint8_t)(major | 27);
		for (int i = 0; i < 8; i++) {
			h[1 + i] = (uint8_t)(v >> (56 - 8 * i));
		}
		n = 9;
	}
	gc_buf_put(b, h, n);
}

void
gc_cbor_uint(struct gc_buf *b, uint64_t v)
{
	cbor_head(b, 0, v);
}

void
gc_cbor_int(struct gc_buf *b, int64_t v)
{
	if (v >= 0) {
		cbor_head(b, 0, (uint64_t)v);
	} else {
		cbor_head(b, 1, (uint64_t)(-(v + 1)));
	}
}

void
gc_cbor_bytes(struct gc_buf *b, const void *p, size_t n)
{
	cbor_head(b, 2, n);
	gc_buf_put(b, p, n);
}

void
gc_cbor_textn(struct gc_buf *b, const char *s, size_t n)
{
	cbor_head(b, 3, n);
	gc_buf_put(b, s, n);
}

void
gc_cbor_text(struct gc_buf *b, const char *s)
{
	gc_cbor_textn(b, s, strlen(s));
}

void
gc_cbor_array(struct gc_buf *b, uint64_t n)
{
	cbor_head(b, 4, n);
}

void
gc_cbor_map(struct gc_buf *b, uint64_t n)
{
	cbor_head(b, 5, n);
}

void
gc_cbor_tag(struct gc_buf *b, uint64_t tag)
{
	cbor_head(b, 6, tag);
}

void
gc_cbor_bool(struct gc_buf *b, bool v)
{
	gc_buf_putc(b, v ? 0xf5 : 0xf4);
}

void
gc_cbor_null(struct gc_buf *b)
{
	gc_buf_putc(b, 0xf6);
}

void
gc_cbor_raw(struct gc_buf *b, const void *p, size_t n)
{
	gc_buf_put(b, p, n);
}

/* ---- cursor ---- */

void
gc_cbor_cur_init(struct gc_cbor_cur *c, const uint8_t *p, size_t len)
{
	c->p   = p;
	c->end = p != NULL ? p + len : p; /* an absent field reads as empty */
}

/* Reads a head; checks shortest form. Returns GC_ECORRUPT on truncation,
 * indefinite lengths, reserved values or non-shortest encodings. */
static gc_err
cur_head(struct gc_cbor_cur *c, struct gc_cbor_item *it, const char **why)
{
	uint8_t  ib;
	unsigned ai;
	uint64_t v = 0;
	size_t   n;

	it->start = c->p;
	if (c->p >= c->end) {
		*why = "truncated";
		return GC_ECORRUPT;
	}
	ib        = *c->p++;
	it->type  = (enum gc_cbor_type)(ib >> 5);
	ai        = ib & 31;
	if (ai < 24) {
		v = ai;
	} else if (ai <= 27) {
		n = (size_t)1 << (ai - 24);
		if ((size_t)(c->end - c->p) < n) {
			*why = "truncated";
			return GC_ECORRUPT;
		}
		for (size_t i = 0; i < n; i++) {
			v = (v << 8) | *c->p++;
		}
		if (it->type == GC_CBOR_SIMPLE) {
			*why = "floating-point or extended simple value";
			return GC_ECORRUPT;
		}
		if ((ai == 24 && v < 24) || (ai == 25 && v <= 0xff) ||
		    (ai == 26 && v <= 0xffff) || (ai == 27 && v <= 0xffffffffu)) {
			*why = "integer or length not in shortest form";
			return GC_ECORRUPT;
		}
	} else if (ai == 31) {
		*why = "indefinite length";
		return GC_ECORRUPT;
	} else {
		*why = "reserved additional information";
		return GC_ECORRUPT;
	}
	it->val  = v;
	it->data = NULL;
	if (it->type == GC_CBOR_BYTES || it->type == GC_CBOR_TEXT) {
		if (v > (uint64_t)(c->end - c->p)) {
			*why = "string runs past the end";
			return GC_ECORRUPT;
		}
		it->data = c->p;
		c->p += v;
	} else if (it->type == GC_CBOR_SIMPLE) {
		if (v != 20 && v != 21 && v != 22) {
			*why = "simple value other than false, true, null";
			return GC_ECORRUPT;
		}
	}
	return GC_OK;
}

gc_err
gc_cbor_next(struct gc_cbor_cur *c, struct gc_cbor_item *it)
{
	const char *why;

	return cur_head(c, it, &why);
}

/* One open container on the scanner's explicit stack. */
struct scan_frame {
	uint64_t       left;     /* items still to read (maps: 2 per pair) */
	bool           is_map;
	const uint8_t *prev_key; /* previous key's encoding (maps) */
	size_t         prev_len;
	const uint8_t *key;      /* key being read, when left is odd */
};

/* An item ending at `end` completed one slot of f. In a map, a key slot
 * (an even count left) is compared with the previous key: deterministic
 * encoding wants keys strictly ascending in bytewise order (RFC 8949
 * §4.2.1), which also rules out repeated keys. */
static gc_err
scan_slot_done(struct scan_frame *f, const uint8_t *data, const uint8_t *end,
    struct gc_diag *d)
{
	if (f->is_map && (f->left & 1) == 0) {
		size_t klen = (size_t)(end - f->key);

		if (f->prev_key != NULL) {
			size_t m = klen < f->prev_len ? klen : f->prev_len;
			int    r = memcmp(f->prev_key, f->key, m);

			if (r > 0 || (r == 0 && f->prev_len >= klen)) {
				gc_diag_set(d, "CBOR at offset %zu: map keys "
				    "not in canonical order or repeated",
				    (size_t)(f->key - data));
				return GC_ECORRUPT;
			}
		}
		f->prev_key = f->key;
		f->prev_len = klen;
	}
	f->left--;
	return GC_OK;
}

gc_err
gc_cbor_scan(const uint8_t *data, size_t len, struct gc_diag *d)
{
	struct scan_frame   st[GC_CBOR_MAX_DEPTH + 1];
	int                 depth = 0;
	struct gc_cbor_cur  c;
	struct gc_cbor_item it;
	const char         *why = NULL;
	gc_err              rv;

	gc_cbor_cur_init(&c, data, len);
	st[0].left   = 1; /* the top-level item */
	st[0].is_map = false;
	for (;;) {
		struct scan_frame *f = &st[depth];

		if (f->left == 0) {
			/* Close a finished container; its end ends a map value
			 * or array element in the parent. */
			if (depth == 0) {
				break;
			}
			depth--;
			rv = scan_slot_done(&st[depth], data, c.p, d);
			if (rv != GC_OK) {
				return rv;
			}
			continue;
		}
		if (f->is_map && (f->left & 1) == 0) {
			f->key = c.p; /* a key starts here */
		}
		rv = cur_head(&c, &it, &why);
		if (rv != GC_OK) {
			gc_diag_set(d, "CBOR at offset %zu: %s",
			    (size_t)(it.start - data), why);
			return rv;
		}
		if (it.type == GC_CBOR_TEXT && !gc_utf8_valid(it.data, it.val)) {
			gc_diag_set(d, "CBOR at offset %zu: text is not UTF-8",
			    (size_t)(it.start - data));
			return GC_ECORRUPT;
		}
		if (it.type == GC_CBOR_ARRAY || it.type == GC_CBOR_MAP ||
		    it.type == GC_CBOR_TAG) {
			uint64_t n = it.val;

			if (depth == GC_CBOR_MAX_DEPTH) {
				gc_diag_set(d, "CBOR at offset %zu: nested deeper "
				    "than %d", (size_t)(it.start - data),
				    GC_CBOR_MAX_DEPTH);
				return GC_ECORRUPT;
			}
			if (it.type == GC_CBOR_TAG) {
				n = 1;
			} else if (it.type == GC_CBOR_MAP) {
				if (n > (uint64_t)(c.end - c.p) / 2) {
					gc_diag_set(d, "CBOR at offset %zu: map "
					    "count exceeds the bytes left",
					    (size_t)(it.start - data));
					return GC_ECORRUPT;
				}
				n *= 2;
			} else if (n > (uint64_t)(c.end - c.p)) {
				gc_diag_set(d, "CBOR at offset %zu: array count "
				    "exceeds the bytes left",
				    (size_t)(it.start - data));
				return GC_ECORRUPT;
			}
			depth++;
			st[depth].left     = n;
			st[depth].is_map   = it.type == GC_CBOR_MAP;
			st[depth].prev_key = NULL;
			st[depth].prev_len = 0;
			continue;
		}
		rv = scan_slot_done(f, data, c.p, d);
		if (rv != GC_OK) {
			return rv;
		}
	}
	if (c.p != c.end) {
		gc_diag_set(d, "CBOR: %zu trailing bytes after the item",
		    (size_t)(c.end - c.p));
		return GC_ECORRUPT;
	}
	return GC_OK;
}

gc_err
gc_cbor_skip(struct gc_cbor_cur *c)
{
	uint64_t            pending = 1;
	struct gc_cbor_item it;
	const char         *why;
	gc_err              rv;

	while (pending > 0) {
		rv = cur_head(c, &it, &why);
		if (rv != GC_OK) {
			return rv;
		}
		pending--;
		/* every pending item needs at least one byte: bound the counts
		 * before adding, so nothing can overflow */
		if ((it.type == GC_CBOR_ARRAY || it.type == GC_CBOR_MAP) &&
		    it.val > (uint64_t)(c->end - c->p)) {
			return GC_ECORRUPT;
		}
		if (it.type == GC_CBOR_ARRAY) {
			pending += it.val;
		} else if (it.type == GC_CBOR_MAP) {
			pending += 2 * it.val;
		} else if (it.type == GC_CBOR_TAG) {
			pending += 1;
		}
		if (pending > (uint64_t)(c->end - c->p)) {
			return GC_ECORRUPT;
		}
	}
	return GC_OK;
}

gc_err
gc_cbor_map_fields(struct gc_cbor_cur *c, struct gc_cbor_field *fields,
    size_t nfields)
{
	struct gc_cbor_item it;
	gc_err              rv;

	for (size_t i = 0; i < nfields; i++) {
		fields[i].p   = NULL;
		fields[i].len = 0;
	}
	rv = gc_cbor_next(c, &it);
	if (rv != GC_OK) {
		return rv;
	}
	if (it.type != GC_CBOR_MAP) {
		return GC_ECORRUPT;
	}
	for (uint64_t i = 0; i < it.val; i++) {
		struct gc_cbor_item k;
		const uint8_t      *vstart;

		rv = gc_cbor_next(c, &k);
		if (rv != GC_OK) {
			return rv;
		}
		if (k.type != GC_CBOR_UINT) {
			return GC_ECORRUPT;
		}
		vstart = c->p;
		rv     = gc_cbor_skip(c);
		if (rv != GC_OK) {
			return rv;
		}
		if (k.val < nfields) {
			fields[k.val].p   = vstart;
			fields[k.val].len = (size_t)(c->p - vstart);
		}
	}
	return GC_OK;
}

static bool
field_item(const struct gc_cbor_field *f, enum gc_cbor_type t,
    struct gc_cbor_item *it)
{
	struct gc_cbor_cur c;

	if (f == NULL || f->p == NULL) {
		return false;
	}
	gc_cbor_cur_init(&c, f->p, f->len);
	return gc_cbor_next(&c, it) == GC_OK && it->type == t;
}

bool
gc_cbor_field_uint(const struct gc_cbor_field *f, uint64_t *v)
{
	struct gc_cbor_item it;

	if (!field_item(f, GC_CBOR_UINT, &it)) {
		return false;
	}
	*v = it.val;
	return true;
}

bool
gc_cbor_field_bytes(const struct gc_cbor_field *f, const uint8_t **p,
    size_t *n)
{
	struct gc_cbor_item it;

	if (!field_item(f, GC_CBOR_BYTES, &it)) {
		return false;
	}
	*p = it.data;
	*n = (size_t)it.val;
	return true;
}

bool
gc_cbor_field_text(const struct gc_cbor_field *f, const char **p, size_t *n)
{
	struct gc_cbor_item it;

	if (!field_item(f, GC_CBOR_TEXT, &it)) {
		return false;
	}
	*p = (const char *)it.data;
	*n = (size_t)it.val;
	return true;
}

bool
gc_cbor_field_strcpy(const struct gc_cbor_field *f, char *out, size_t outlen)
{
	const char *p;
	size_t      n;

	if (!gc_cbor_field_text(f, &p, &n) || n >= outlen) {
		return false;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* ---- JSON view ---- */

static void
json_item(struct gc_buf *out, struct gc_cbor_cur *c, const char *const *names,
    size_t nnames, int depth)
{
	struct gc_cbor_item it;

	if (depth > GC_CBOR_MAX_DEPTH || gc_cbor_next(c, &it) != GC_OK) {
		gc_buf_puts(out, "null");
		return;
	}
	switch (it.type) {
	case GC_CBOR_UINT:
		gc_buf_printf(out, "%llu", (unsigned long long)it.val);
		break;
	case GC_CBOR_NINT:
		gc_buf_printf(out, "-%llu", (unsigned long long)it.val + 1);
		break;
	case GC_CBOR_BYTES:
		gc_buf_putc(out, '"');
		gc_buf_hex(out, it.data, (size_t)it.val);
		gc_buf_putc(out, '"');
		break;
	case GC_CBOR_TEXT:
		gc_json_strn(out, (const char *)it.data, (size_t)it.val);
		break;
	case GC_CBOR_ARRAY:
		gc_buf_putc(out, '[');
		for (uint64_t i = 0; i < it.val; i++) {
			if (i > 0) {
				gc_buf_putc(out, ',');
			}
			json_item(out, c, NULL, 0, depth + 1);
		}
		gc_buf_putc(out, ']');
		break;
	case GC_CBOR_MAP:
		gc_buf_putc(out, '{');
		for (uint64_t i = 0; i < it.val; i++) {
			struct gc_cbor_item k;
			struct gc_cbor_cur  save = *c;

			if (i > 0) {
				gc_buf_putc(out, ',');
			}
			if (gc_cbor_next(c, &k) == GC_OK &&
			    k.type == GC_CBOR_UINT) {
				if (names != NULL && k.val < nnames &&
				    names[k.val] != NULL) {
					gc_json_str(out, names[k.val]);
				} else {
					gc_buf_printf(out, "\"%llu\"",
					    (unsigned long long)k.val);
				}
			} else if (k.type == GC_CBOR_TEXT) {
				gc_json_strn(out, (const char *)k.data,
				    (size_t)k.val);
			} else {
				*c = save;
				gc_cbor_skip(c);
				gc_buf_puts(out, "\"?\"");
			}
			gc_buf_putc(out, ':');
			json_item(out, c, NULL, 0, depth + 1);
		}
		gc_buf_putc(out, '}');
		break;
	case GC_CBOR_TAG:
		json_item(out, c, names, nnames, depth + 1);
		break;
	case GC_CBOR_SIMPLE:
		gc_buf_puts(out, it.val == 20 ? "false" :
		                 it.val == 21 ? "true" : "null");
		break;
	}
}

void
gc_cbor_json(struct gc_buf *out, const uint8_t *p, size_t len,
    const char *const *names, size_t nnames)
{
	struct gc_cbor_cur c;

	gc_cbor_cur_init(&c, p, len);
	json_item(out, &c, names, nnames, 0);
}
