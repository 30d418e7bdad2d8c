/* The sync protocol's message framing and the signed HELLO. */
#include "sync/wire.h"

#include <string.h>

#include <sodium.h>

#include "common/gc_alloc.h"

#define HELLO_DOMAIN "gradcap sync hello v1" /* signed with its NUL */

static const char *type_names[] = { "?", "HELLO", "HELLO_OK", "PUSH",
	"PUSH_OK", "PULL", "PULL_OK", "WANT", "WANT_OK", "BLOB_PUT",
	"BLOB_PUT_OK", "BLOB_GET", "BLOB_GET_OK", "HAVE", "HAVE_OK", "ERROR",
	"BLOBS_PUT", "BLOBS_PUT_OK", "BLOBS_GET", "BLOBS_GET_OK", "AUTH",
	"AUTH_OK" };

const char *
gc_sync_type_name(unsigned type)
{
	return type < GC_SYNC_TYPE_END ? type_names[type] : "?";
}

gc_err
gc_sync_msg_parse(struct gc_sync_msg *m, const uint8_t *p, size_t len,
    struct gc_diag *d)
{
	struct gc_cbor_cur c;
	uint64_t           ver, type;

	memset(m, 0, sizeof(*m));
	if (len > GC_SYNC_MSG_MAX) {
		gc_diag_set(d, "message of %zu bytes, over the %zu-byte limit",
		    len, GC_SYNC_MSG_MAX);
		return GC_ETOOBIG;
	}
	if (gc_cbor_scan(p, len, d) != GC_OK) {
		return GC_ECORRUPT;
	}
	gc_cbor_cur_init(&c, p, len);
	if (gc_cbor_map_fields(&c, m->f, GC_SYNC_FIELDS) != GC_OK) {
		gc_diag_set(d, "message is not a map with uint keys");
		return GC_ECORRUPT;
	}
	if (!gc_cbor_field_uint(&m->f[0], &ver) ||
	    !gc_cbor_field_uint(&m->f[1], &type)) {
		gc_diag_set(d, "message lacks its version or type");
		return GC_ECORRUPT;
	}
	if (ver != GC_SYNC_VERSION) {
		gc_diag_set(d, "protocol version %llu; this node speaks %d",
		    (unsigned long long)ver, GC_SYNC_VERSION);
		return GC_ECORRUPT;
	}
	if (type == 0 || type >= GC_SYNC_TYPE_END) {
		gc_diag_set(d, "unknown message type %llu",
		    (unsigned long long)type);
		return GC_ECORRUPT;
	}
	m->type = (unsigned)type;
	return GC_OK;
}

void
gc_sync_msg_begin(struct gc_buf *b, unsigned type, size_t nfields)
{
	gc_cbor_map(b, 2 + nfields);
	gc_cbor_uint(b, 0);
	gc_cbor_uint(b, GC_SYNC_VERSION);
	gc_cbor_uint(b, 1);
	gc_cbor_uint(b, type);
}

void
gc_sync_error(struct gc_buf *b, const char *code, const char *msg)
{
	gc_buf_reset(b);
	gc_sync_msg_begin(b, GC_SYNC_ERROR, 2);
	gc_cbor_uint(b, 2);
	gc_cbor_text(b, code);
	gc_cbor_uint(b, 3);
	gc_cbor_text(b, msg);
}

/* ---- HELLO ---- */

static void
hello_body(struct gc_buf *b, const struct gc_sync_hello *h)
{
	gc_cbor_map(b, 7 + (h->has_echo ? 1 : 0) + (h->has_session ? 1 : 0));
	gc_cbor_uint(b, 0);
	gc_cbor_text(b, h->school);
	gc_cbor_uint(b, 1);
	gc_cbor_bytes(b, h->key, 32);
	gc_cbor_uint(b, 2);
	gc_cbor_uint(b, h->role);
	gc_cbor_uint(b, 3);
	gc_cbor_text(b, h->name);
	gc_cbor_uint(b, 4);
	gc_cbor_bytes(b, h->nonce, 16);
	gc_cbor_uint(b, 5);
	gc_cbor_uint(b, h->hlc);
	gc_cbor_uint(b, 6);
	gc_cbor_array(b, h->nfeeds);
	for (size_t i = 0; i < h->nfeeds; i++) {
		const struct gc_sync_feed *f = &h->feeds[i];

		gc_cbor_array(b, 5);
		gc_cbor_bytes(b, f->feed, 32);
		gc_cbor_uint(b, f->seq);
		gc_cbor_bytes(b, f->head, 32);
		gc_cbor_uint(b, f->qseq);
		gc_cbor_uint(b, f->nforks);
	}
	if (h->has_echo) {
		gc_cbor_uint(b, 7);
		gc_cbor_bytes(b, h->echo, 16);
	}
	if (h->has_session) {
		gc_cbor_uint(b, 8);
		gc_cbor_bytes(b, h->session, 16);
	}
}

void
gc_sync_hello_encode(struct gc_buf *b, unsigned type,
    const struct gc_sync_hello *h, const uint8_t *sk)
{
	struct gc_buf body, tbs;
	uint8_t       sig[64];

	gc_buf_init(&body);
	gc_buf_init(&tbs);
	hello_body(&body, h);
	gc_buf_put(&tbs, HELLO_DOMAIN, sizeof(HELLO_DOMAIN));
	gc_buf_put(&tbs, body.data, body.len);
	if (gc_buf_status(&body) != GC_OK || gc_buf_status(&tbs) != GC_OK) {
		b->failed = true;
	} else {
		crypto_sign_detached(sig, NULL, tbs.data, tbs.len, sk);
		gc_sync_msg_begin(b, type, 2);
		gc_cbor_uint(b, 2);
		gc_cbor_bytes(b, body.data, body.len);
		gc_cbor_uint(b, 3);
		gc_cbor_bytes(b, sig, 64);
	}
	gc_buf_release(&body);
	gc_buf_release(&tbs);
}

void
gc_sync_hello_release(struct gc_sync_hello *h)
{
	if (h != NULL) {
		gc_free(h->feeds);
		h->feeds  = NULL;
		h->nfeeds = 0;
	}
}

static gc_err
hello_feeds(const struct gc_cbor_field *f, struct gc_sync_hello *h,
    struct gc_diag *d)
{
	struct gc_cbor_cur  c;
	struct gc_cbor_item arr, it, x;

	gc_cbor_cur_init(&c, f->p, f->len);
	if (f->p == NULL || gc_cbor_next(&c, &arr) != GC_OK ||
	    arr.type != GC_CBOR_ARRAY) {
		gc_diag_set(d, "HELLO: version vector is not an array");
		return GC_ECORRUPT;
	}
	if (arr.val > GC_SYNC_FEEDS_MAX) {
		gc_diag_set(d, "HELLO: %llu feeds, over the limit of %d",
		    (unsigned long long)arr.val, GC_SYNC_FEEDS_MAX);
		return GC_ECORRUPT;
	}
	h->feeds = gc_alloc(sizeof(*h->feeds) * (arr.val > 0 ? arr.val : 1));
	if (h->feeds == NULL) {
		return GC_ENOMEM;
	}
	for (uint64_t i = 0; i < arr.val; i++) {
		struct gc_sync_feed *fe = &h->feeds[i];

		if (gc_cbor_next(&c, &it) != GC_OK ||
		    it.type != GC_CBOR_ARRAY || it.val != 5 ||
		    gc_cbor_next(&c, &x) != GC_OK || x.type != GC_CBOR_BYTES ||
		    x.val != 32) {
			goto bad;
		}
		memcpy(fe->feed, x.data, 32);
		if (gc_cbor_next(&c, &x) != GC_OK || x.type != GC_CBOR_UINT) {
			goto bad;
		}
		fe->seq = x.val;
		if (gc_cbor_next(&c, &x) != GC_OK || x.type != GC_CBOR_BYTES ||
		    x.val != 32) {
			goto bad;
		}
		memcpy(fe->head, x.data, 32);
		if (gc_cbor_next(&c, &x) != GC_OK || x.type != GC_CBOR_UINT) {
			goto bad;
		}
		fe->qseq = x.val;
		if (gc_cbor_next(&c, &x) != GC_OK || x.type != GC_CBOR_UINT) {
			goto bad;
		}
		fe->nforks = x.val;
		h->nfeeds++;
	}
	return GC_OK;
bad:
	gc_diag_set(d, "HELLO: version vector item %zu is not [feed, seq, "
	    "head, qseq, nforks]", h->nfeeds);
	return GC_ECORRUPT;
}

gc_err
gc_sync_hello_parse(const struct gc_sync_msg *m, struct gc_sync_hello *h,
    struct gc_diag *d)
{
	struct gc_cbor_field f[9];
	struct gc_cbor_cur   c;
	const uint8_t       *body, *sig, *p;
	size_t               blen, slen, n;
	uint64_t             role;
	uint8_t             *tbs;
	int                  ok;
	gc_err               rv;

	memset(h, 0, sizeof(*h));
	if (!gc_cbor_field_bytes(&m->f[2], &body, &blen) ||
	    !gc_cbor_field_bytes(&m->f[3], &sig, &slen) || slen != 64) {
		gc_diag_set(d, "%s: lacks its body or signature",
		    gc_sync_type_name(m->type));
		return GC_ECORRUPT;
	}
	if (gc_cbor_scan(body, blen, d) != GC_OK) {
		return GC_ECORRUPT;
	}
	gc_cbor_cur_init(&c, body, blen);
	if (gc_cbor_map_fields(&c, f, 9) != GC_OK ||
	    !gc_cbor_field_strcpy(&f[0], h->school, sizeof(h->school)) ||
	    !gc_cbor_field_bytes(&f[1], &p, &n) || n != 32) {
		gc_diag_set(d, "%s: body lacks school or key",
		    gc_sync_type_name(m->type));
		return GC_ECORRUPT;
	}
	memcpy(h->key, p, 32);
	if (!gc_cbor_field_uint(&f[2], &role) || role >= GC_ROLE_END ||
	    !gc_cbor_field_strcpy(&f[3], h->name, sizeof(h->name)) ||
	    !gc_cbor_field_bytes(&f[4], &p, &n) || n != 16) {
		gc_diag_set(d, "%s: body lacks role, name or nonce",
		    gc_sync_type_name(m->type));
		return GC_ECORRUPT;
	}
	h->role = (unsigned)role;
	memcpy(h->nonce, p, 16);
	if (!gc_cbor_field_uint(&f[5], &h->hlc)) {
		gc_diag_set(d, "%s: body lacks its clock",
		    gc_sync_type_name(m->type));
		return GC_ECORRUPT;
	}
	if (gc_cbor_field_bytes(&f[7], &p, &n) && n == 16) {
		h->has_echo = true;
		memcpy(h->echo, p, 16);
	}
	if (gc_cbor_field_bytes(&f[8], &p, &n) && n == 16) {
		h->has_session = true;
		memcpy(h->session, p, 16);
	}
	tbs = gc_alloc(sizeof(HELLO_DOMAIN) + blen);
	if (tbs == NULL) {
		return GC_ENOMEM;
	}
	memcpy(tbs, HELLO_DOMAIN, sizeof(HELLO_DOMAIN));
	memcpy(tbs + sizeof(HELLO_DOMAIN), body, blen);
	ok = crypto_sign_verify_detached(sig, tbs, sizeof(HELLO_DOMAIN) + blen,
	    h->key);
	gc_free(tbs);
	if (ok != 0) {
		gc_diag_set(d, "%s: signature does not verify with the key it "
		    "names", gc_sync_type_name(m->type));
		return GC_EBADSIG;
	}
	rv = hello_feeds(&f[6], h, d);
	if (rv != GC_OK) {
		gc_sync_hello_release(h);
	}
	return rv;
}

gc_err
gc_sync_each_bytes(const struct gc_cbor_field *f, size_t max,
    int (*cb)(const uint8_t *p, size_t n, void *arg), void *arg)
{
	struct gc_cbor_cur  c;
	struct gc_cbor_item arr, it;

	if (f->p == NULL) {
		return GC_ECORRUPT;
	}
	gc_cbor_cur_init(&c, f->p, f->len);
	if (gc_cbor_next(&c, &arr) != GC_OK || arr.type != GC_CBOR_ARRAY ||
	    arr.val > max) {
		return GC_ECORRUPT;
	}
	for (uint64_t i = 0; i < arr.val; i++) {
		if (gc_cbor_next(&c, &it) != GC_OK || it.type != GC_CBOR_BYTES) {
			return GC_ECORRUPT;
		}
		if (cb(it.data, (size_t)it.val, arg) != 0) {
			break;
		}
	}
	return GC_OK;
}

int
gc_sync_blist_add(const uint8_t *p, size_t n, void *arg)
{
	struct gc_sync_blist *l = arg;

	if (l->n == l->cap) {
		size_t          cap = l->cap ? l->cap * 2 : 64;
		const uint8_t **nb  = gc_realloc(l->bytes, cap * sizeof(*nb));
		size_t         *nl;

		if (nb == NULL) {
			l->failed = true;
			return 1;
		}
		l->bytes = nb;
		nl       = gc_realloc(l->lens, cap * sizeof(*nl));
		if (nl == NULL) {
			l->failed = true;
			return 1;
		}
		l->lens = nl;
		l->cap  = cap;
	}
	l->bytes[l->n] = p;
	l->lens[l->n]  = n;
	l->n++;
	return 0;
}

void
gc_sync_blist_free(struct gc_sync_blist *l)
{
	gc_free(l->bytes);
	gc_free(l->lens);
	memset(l, 0, sizeof(*l));
}

void
gc_sync_auth_tbs(uint8_t out[GC_SYNC_AUTH_TBS], const uint8_t server_key[32],
    const uint8_t server_nonce[16], const uint8_t session[16])
{
	static const char domain[] = "gradcap sync auth v1"; /* + NUL: 21 */

	_Static_assert(sizeof(domain) + 32 + 16 + 16 <= GC_SYNC_AUTH_TBS,
	    "AUTH_TBS too small");
	memset(out, 0, GC_SYNC_AUTH_TBS);
	memcpy(out, domain, sizeof(domain));
	memcpy(out + 22, server_key, 32);
	memcpy(out + 54, server_nonce, 16);
	memcpy(out + 70, session, 16);
}
