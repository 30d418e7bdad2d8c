/* invite: the sign-in codes of online capture (common/invite.h). */
#include "common/invite.h"

#include <string.h>

#include <sodium.h>

#include "common/cbor.h"

static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford */

void
gc_invite_code_new(char out[GC_INVITE_CODE_LEN])
{
	size_t o = 0;

	for (size_t i = 0; i < GC_INVITE_CODE_CHARS; i++) {
		if (i > 0 && i % 4 == 0) {
			out[o++] = '-';
		}
		/* 32 divides 2^32: uniform */
		out[o++] = b32[randombytes_uniform(32)];
	}
	out[o] = '\0';
}

/* The base32 value of c, read leniently; -1 when c is not a digit. */
static int
b32_value(unsigned char c)
{
	if (c >= 'a' && c <= 'z') {
		c = (unsigned char)(c - 'a' + 'A');
	}
	switch (c) {
	case 'O':
		return 0;
	case 'I':
	case 'L':
		return 1;
	case 'U':
		return -1;
	default:
		break;
	}
	for (int v = 0; v < 32; v++) {
		if (b32[v] == c) {
			return v;
		}
	}
	return -1;
}

bool
gc_invite_code_hash(const char *typed, size_t len, uint8_t out[32])
{
	static const char          tag[] = "gradcap invite v1\n";
	char                       canon[GC_INVITE_CODE_CHARS];
	size_t                     n = 0;
	crypto_hash_sha256_state   st;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)typed[i];
		int           v;

		if (c == '-' || c == ' ') {
			continue;
		}
		v = b32_value(c);
		if (v < 0 || n == sizeof(canon)) {
			return false;
		}
		canon[n++] = b32[v];
	}
	if (n != sizeof(canon)) {
		return false;
	}
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)tag, sizeof(tag) - 1);
	crypto_hash_sha256_update(&st, (const uint8_t *)canon, n);
	crypto_hash_sha256_final(&st, out);
	sodium_memzero(canon, sizeof(canon));
	return true;
}

void
gc_invite_encode(struct gc_buf *b, const char *source,
    const struct gc_invite_row *rows, size_t n)
{
	gc_cbor_map(b, 2);
	gc_cbor_uint(b, 0);
	gc_cbor_text(b, source);
	gc_cbor_uint(b, 1);
	gc_cbor_array(b, n);
	for (size_t i = 0; i < n; i++) {
		gc_cbor_array(b, 2);
		gc_cbor_text(b, rows[i].student);
		gc_cbor_bytes(b, rows[i].hash, 32);
	}
}

/* One pass over the rows: checks them (cb NULL) or reports them. */
static gc_err
rows_walk(const struct gc_cbor_field *f, int (*cb)(const struct gc_invite_row *,
    void *), void *arg)
{
	struct gc_cbor_cur  c;
	struct gc_cbor_item it;

	gc_cbor_cur_init(&c, f->p, f->len);
	if (gc_cbor_next(&c, &it) != GC_OK || it.type != GC_CBOR_ARRAY ||
	    it.val > GC_INVITE_MAX_ROWS) {
		return GC_ECORRUPT;
	}
	for (uint64_t i = 0; i < it.val; i++) {
		struct gc_cbor_item  a, k, h;
		struct gc_invite_row r;

		if (gc_cbor_next(&c, &a) != GC_OK || a.type != GC_CBOR_ARRAY ||
		    a.val != 2 || gc_cbor_next(&c, &k) != GC_OK ||
		    k.type != GC_CBOR_TEXT || k.val == 0 ||
		    k.val >= sizeof(r.student) ||
		    memchr(k.data, '\0', (size_t)k.val) != NULL ||
		    gc_cbor_next(&c, &h) != GC_OK || h.type != GC_CBOR_BYTES ||
		    h.val != 32) {
			return GC_ECORRUPT;
		}
		if (cb != NULL) {
			memcpy(r.student, k.data, (size_t)k.val);
			r.student[k.val] = '\0';
			memcpy(r.hash, h.data, 32);
			if (cb(&r, arg) != 0) {
				break;
			}
		}
	}
	return GC_OK;
}

gc_err
gc_invite_decode(const uint8_t *p, size_t n, char *source, size_t source_cap,
    int (*cb)(const struct gc_invite_row *r, void *arg), void *arg)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[2];
	const char          *s;
	size_t               sl;

	gc_cbor_cur_init(&c, p, n);
	if (gc_cbor_map_fields(&c, f, 2) != GC_OK ||
	    !gc_cbor_field_text(&f[0], &s, &sl) || f[1].p == NULL ||
	    rows_walk(&f[1], NULL, NULL) != GC_OK) {
		return GC_ECORRUPT;
	}
	if (source != NULL && source_cap > 0) {
		size_t k = sl < source_cap - 1 ? sl : source_cap - 1;

		while (k < sl && k > 0 && ((uint8_t)s[k] & 0xc0) == 0x80) {
			k--; /* never half a UTF-8 character */
		}
		memcpy(source, s, k);
		source[k] = '\0';
	}
	return cb != NULL ? rows_walk(&f[1], cb, arg) : GC_OK;
}
