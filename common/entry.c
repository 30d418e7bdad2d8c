#include "common/entry.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/cbor.h"

/* COSE_Sign1 = tag 18 [protected: bstr .cbor {1: -8}, unprotected: {},
 * payload: bstr, signature: bstr .size 64]. gradcap writes exactly this
 * layout; these are its fixed bytes. */
static const uint8_t cose_prefix[] = { 0xd2, 0x84, 0x43, 0xa1, 0x01, 0x27,
	0xa0 };
/* Sig_structure = ["Signature1", protected, external_aad h'', payload] */
static const uint8_t sig_prefix[] = { 0x84, 0x6a, 'S', 'i', 'g', 'n', 'a',
	't', 'u', 'r', 'e', '1', 0x43, 0xa1, 0x01, 0x27, 0x40 };

static const char *kind_names[GC_KIND_END] = {
	[GC_KIND_ENROLL] = "ENROLL",
	[GC_KIND_REVOKE] = "REVOKE",
	[GC_KIND_ROSTER] = "ROSTER",
	[GC_KIND_SESSION_OPEN] = "SESSION_OPEN",
	[GC_KIND_SESSION_CLOSE] = "SESSION_CLOSE",
	[GC_KIND_CAPTURE] = "CAPTURE",
	[GC_KIND_VOID] = "VOID",
	[GC_KIND_REVIEW] = "REVIEW",
	[GC_KIND_RESOLVE] = "RESOLVE",
	[GC_KIND_CHECKPOINT] = "CHECKPOINT",
	[GC_KIND_INVITE] = "INVITE",
	[GC_KIND_STUDENT_CHECK] = "STUDENT_CHECK",
};

static const char *role_names[GC_ROLE_END] = {
	[GC_ROLE_NONE] = "none",
	[GC_ROLE_COORDINATOR] = "coordinator",
	[GC_ROLE_SITE] = "site",
	[GC_ROLE_REVIEWER] = "reviewer",
	[GC_ROLE_AUDITOR] = "auditor",
	[GC_ROLE_ONLINE] = "online",
};

const char *
gc_kind_name(unsigned kind)
{
	if (kind == 0 || kind >= GC_KIND_END) {
		return "?";
	}
	return kind_names[kind];
}

const char *
gc_role_name(enum gc_role r)
{
	if ((unsigned)r >= GC_ROLE_END) {
		return "none";
	}
	return role_names[r];
}

enum gc_role
gc_role_parse(const char *s)
{
	for (int r = GC_ROLE_COORDINATOR; r < GC_ROLE_END; r++) {
		if (strcmp(s, role_names[r]) == 0) {
			return (enum gc_role)r;
		}
	}
	return GC_ROLE_NONE;
}

bool
gc_role_may_write(enum gc_role r, unsigned kind)
{
	switch (r) {
	case GC_ROLE_COORDINATOR:
		return kind > 0 && kind < GC_KIND_END;
	case GC_ROLE_ONLINE:
		/* a site's kinds, and the students' checks its portal takes */
		if (kind == GC_KIND_STUDENT_CHECK) {
			return true;
		}
		/* fall through */
	case GC_ROLE_SITE:
		return kind == GC_KIND_SESSION_OPEN ||
		    kind == GC_KIND_SESSION_CLOSE || kind == GC_KIND_CAPTURE ||
		    kind == GC_KIND_VOID;
	case GC_ROLE_REVIEWER:
		return kind == GC_KIND_REVIEW;
	default:
		return false;
	}
}

void
gc_sha256(uint8_t out[32], const void *data, size_t len)
{
	crypto_hash_sha256(out, data, len);
}

void
gc_id_hex(char *out, const uint8_t *id, size_t n)
{
	gc_hex_encode(out, id, n);
}

static int
blob_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* The CBOR head of a byte string of n bytes (n < 2^32) into h; returns
 * its length. Encoding and verification share it, so the Sig_structure is
 * built the same way on both sides. */
static size_t
bstr_head(uint8_t h[5], size_t n)
{
	if (n < 24) {
		h[0] = (uint8_t)(0x40 | n);
		return 1;
	} else if (n <= 0xff) {
		h[0] = 0x58;
		h[1] = (uint8_t)n;
		return 2;
	} else if (n <= 0xffff) {
		h[0] = 0x59;
		h[1] = (uint8_t)(n >> 8);
		h[2] = (uint8_t)n;
		return 3;
	}
	h[0] = 0x5a;
	h[1] = (uint8_t)(n >> 24);
	h[2] = (uint8_t)(n >> 16);
	h[3] = (uint8_t)(n >> 8);
	h[4] = (uint8_t)n;
	return 5;
}

gc_err
gc_entry_encode(struct gc_buf *out, const struct gc_entry_hdr *h,
    const uint8_t *body, size_t body_len, const uint8_t *sk)
{
	struct gc_buf payload, tbs;
	uint8_t (*blobs)[32] = NULL;
	size_t  nblobs       = 0;
	uint8_t sig[64], head[5];
	gc_err  rv;
	unsigned nfields;

	if (h->feed == NULL || h->seq == 0 || (h->seq == 1) != (h->prev == NULL) ||
	    h->kind == 0 || h->kind >= GC_KIND_END ||
	    h->nblobs > GC_ENTRY_MAX_BLOBS || body == NULL ||
	    memcmp(sk + 32, h->feed, 32) != 0) {
		return GC_EINVAL;
	}
	if (gc_cbor_scan(body, body_len, NULL) != GC_OK) {
		return GC_EINVAL;
	}
	if (h->nblobs > 0) {
		blobs = malloc(h->nblobs * 32);
		if (blobs == NULL) {
			return GC_ENOMEM;
		}
		memcpy(blobs, h->blobs, h->nblobs * 32);
		qsort(blobs, h->nblobs, 32, blob_cmp);
		for (size_t i = 0; i < h->nblobs; i++) {
			if (nblobs == 0 || memcmp(blobs[nblobs - 1], blobs[i], 32)) {
				memmove(blobs[nblobs++], blobs[i], 32);
			}
		}
	}
	gc_buf_init(&payload);
	gc_buf_init(&tbs);
	nfields = 6 + (h->prev != NULL) + (nblobs > 0);
	gc_cbor_map(&payload, nfields);
	gc_cbor_uint(&payload, 0);
	gc_cbor_uint(&payload, GC_ENTRY_VERSION);
	gc_cbor_uint(&payload, 1);
	gc_cbor_bytes(&payload, h->feed, 32);
	gc_cbor_uint(&payload, 2);
	gc_cbor_uint(&payload, h->seq);
	if (h->prev != NULL) {
		gc_cbor_uint(&payload, 3);
		gc_cbor_bytes(&payload, h->prev, 32);
	}
	gc_cbor_uint(&payload, 4);
	gc_cbor_uint(&payload, h->hlc);
	gc_cbor_uint(&payload, 5);
	gc_cbor_uint(&payload, h->kind);
	gc_cbor_uint(&payload, 6);
	gc_cbor_raw(&payload, body, body_len);
	if (nblobs > 0) {
		gc_cbor_uint(&payload, 7);
		gc_cbor_array(&payload, nblobs);
		for (size_t i = 0; i < nblobs; i++) {
			gc_cbor_bytes(&payload, blobs[i], 32);
		}
	}
	free(blobs);
	rv = gc_buf_status(&payload);
	if (rv == GC_OK && payload.len + 96 > GC_ENTRY_MAX) {
		rv = GC_ETOOBIG;
	}
	if (rv == GC_OK) {
		gc_buf_put(&tbs, sig_prefix, sizeof(sig_prefix));
		gc_buf_put(&tbs, head, bstr_head(head, payload.len));
		gc_buf_put(&tbs, payload.data, payload.len);
		rv = gc_buf_status(&tbs);
	}
	if (rv == GC_OK) {
		crypto_sign_detached(sig, NULL, tbs.data, tbs.len, sk);
		gc_buf_put(out, cose_prefix, sizeof(cose_prefix));
		gc_buf_put(out, head, bstr_head(head, payload.len));
		gc_buf_put(out, payload.data, payload.len);
		gc_buf_putc(out, 0x58);
		gc_buf_putc(out, 0x40);
		gc_buf_put(out, sig, 64);
		rv = gc_buf_status(out);
	}
	gc_buf_release(&payload);
	gc_buf_release(&tbs);
	return rv;
}

gc_err
gc_entry_parse(struct gc_entry *e, const uint8_t *bytes, size_t len,
    struct gc_diag *d)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_item  it;
	struct gc_cbor_field f[8];
	const uint8_t       *p;
	size_t               n;
	uint64_t             v;
	gc_err               rv;

	memset(e, 0, sizeof(*e));
	if (len > GC_ENTRY_MAX) {
		gc_diag_set(d, "entry of %zu bytes is over the %zu-byte limit",
		    len, GC_ENTRY_MAX);
		return GC_ETOOBIG;
	}
	if (len < sizeof(cose_prefix) + 2 + 66 ||
	    memcmp(bytes, cose_prefix, sizeof(cose_prefix)) != 0) {
		gc_diag_set(d, "not a gradcap COSE_Sign1 entry (bad header)");
		return GC_ECORRUPT;
	}
	gc_cbor_cur_init(&c, bytes + sizeof(cose_prefix),
	    len - sizeof(cose_prefix));
	if (gc_cbor_next(&c, &it) != GC_OK || it.type != GC_CBOR_BYTES) {
		gc_diag_set(d, "entry payload is not a byte string");
		return GC_ECORRUPT;
	}
	e->payload     = it.data;
	e->payload_len = (size_t)it.val;
	if (c.end - c.p != 66 || c.p[0] != 0x58 || c.p[1] != 0x40) {
		gc_diag_set(d, "entry signature is not 64 bytes at the end");
		return GC_ECORRUPT;
	}
	e->sig = c.p + 2;
	rv     = gc_cbor_scan(e->payload, e->payload_len, d);
	if (rv != GC_OK) {
		return rv;
	}
	gc_cbor_cur_init(&c, e->payload, e->payload_len);
	if (gc_cbor_map_fields(&c, f, 8) != GC_OK) {
		gc_diag_set(d, "entry payload is not a map with integer keys");
		return GC_ECORRUPT;
	}
	if (!gc_cbor_field_uint(&f[0], &v) || v != GC_ENTRY_VERSION) {
		gc_diag_set(d, "entry format version missing or not %d",
		    GC_ENTRY_VERSION);
		return GC_ECORRUPT;
	}
	e->version = (unsigned)v;
	if (!gc_cbor_field_bytes(&f[1], &p, &n) || n != 32) {
		gc_diag_set(d, "entry feed key missing or not 32 bytes");
		return GC_ECORRUPT;
	}
	e->feed = p;
	if (!gc_cbor_field_uint(&f[2], &e->seq) || e->seq == 0) {
		gc_diag_set(d, "entry seq missing or zero");
		return GC_ECORRUPT;
	}
	if (f[3].p != NULL) {
		if (!gc_cbor_field_bytes(&f[3], &p, &n) || n != 32) {
			gc_diag_set(d, "entry prev hash not 32 bytes");
			return GC_ECORRUPT;
		}
		e->prev = p;
	}
	if ((e->seq == 1) != (e->prev == NULL)) {
		gc_diag_set(d, "entry seq %llu %s a prev hash",
		    (unsigned long long)e->seq,
		    e->seq == 1 ? "must not have" : "lacks");
		return GC_ECORRUPT;
	}
	if (!gc_cbor_field_uint(&f[4], &e->hlc)) {
		gc_diag_set(d, "entry hlc missing");
		return GC_ECORRUPT;
	}
	if (!gc_cbor_field_uint(&f[5], &v) || v == 0 || v >= GC_KIND_END) {
		gc_diag_set(d, "entry kind missing or unknown");
		return GC_ECORRUPT;
	}
	e->kind = (unsigned)v;
	if (f[6].p == NULL) {
		gc_diag_set(d, "entry body missing");
		return GC_ECORRUPT;
	}
	e->body     = f[6].p;
	e->body_len = f[6].len;
	if (f[7].p != NULL) {
		gc_cbor_cur_init(&c, f[7].p, f[7].len);
		if (gc_cbor_next(&c, &it) != GC_OK || it.type != GC_CBOR_ARRAY ||
		    it.val == 0 || it.val > GC_ENTRY_MAX_BLOBS) {
			gc_diag_set(d, "entry blob list malformed");
			return GC_ECORRUPT;
		}
		e->nblobs = (size_t)it.val;
		e->blobs  = c.p;
		for (size_t i = 0; i < e->nblobs; i++) {
			const uint8_t *prev = c.p - 32; /* the previous hash */

			if (gc_cbor_next(&c, &it) != GC_OK ||
			    it.type != GC_CBOR_BYTES || it.val != 32 ||
			    (i > 0 && memcmp(prev, it.data, 32) >= 0)) {
				gc_diag_set(d, "entry blob hash %zu malformed or "
				    "out of order", i);
				return GC_ECORRUPT;
			}
		}
	}
	e->bytes = bytes;
	e->len   = len;
	gc_sha256(e->id, bytes, len);
	return GC_OK;
}

const uint8_t *
gc_entry_blob(const struct gc_entry *e, size_t i)
{
	/* each element is 0x58 0x20 + 32 bytes */
	return e->blobs + i * 34 + 2;
}

gc_err
gc_entry_verify(const struct gc_entry *e)
{
	uint8_t  head[5];
	size_t   hl, n;
	uint8_t *tbs;
	int      ok;

	/* Rebuild the Sig_structure around the payload as received. */
	n   = e->payload_len;
	hl  = bstr_head(head, n);
	tbs = malloc(sizeof(sig_prefix) + hl + n);
	if (tbs == NULL) {
		return GC_ENOMEM;
	}
	memcpy(tbs, sig_prefix, sizeof(sig_prefix));
	memcpy(tbs + sizeof(sig_prefix), head, hl);
	memcpy(tbs + sizeof(sig_prefix) + hl, e->payload, n);
	ok = crypto_sign_verify_detached(e->sig, tbs,
	    sizeof(sig_prefix) + hl + n, e->feed);
	free(tbs);
	return ok == 0 ? GC_OK : GC_EBADSIG;
}
