/* The ledger's side of replication (gc_ledger_range is in ledger.c): fork
 * proofs, blobs by range, blobs arriving in chunks (resumable, verified
 * before they count), the peers table and the digests nodes compare. */
#include <inttypes.h>
#include <string.h>

#include <sodium.h>

#include "common/bytes.h"
#include "common/entry.h"
#include "common/gc_alloc.h"
#include "common/ledger_int.h"

/* ---- fork proofs ---- */

struct forks_arg {
	const uint8_t *feed;
	gc_fork_cb     cb;
	void          *arg;
};

static gc_err
forks_txn(struct lg_txn *x, void *arg)
{
	struct forks_arg *a = arg;
	MDB_cursor       *cur;
	MDB_val           k, v;
	int               rc;
	MDB_cursor_op     op = MDB_FIRST;

	rc = mdb_cursor_open(x->t, x->lg->forks, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	if (a->feed != NULL) {
		k.mv_data = (void *)a->feed;
		k.mv_size = 32;
		op        = MDB_SET_RANGE;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, op); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;

		if (k.mv_size != 72) {
			continue;
		}
		if (a->feed != NULL && memcmp(kp, a->feed, 32) != 0) {
			break;
		}
		if (a->cb(kp, gc_be64_get(kp + 32), v.mv_data, v.mv_size,
		    a->arg) != 0) {
			break;
		}
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? GC_OK : gc_err_from_mdb(rc);
}

gc_err
gc_ledger_forks(gc_ledger *lg, const uint8_t *feed, gc_fork_cb cb, void *arg)
{
	struct forks_arg a = { feed, cb, arg };

	return gc__lg_read(lg, forks_txn, &a);
}

/* ---- blobs ---- */

struct bread_arg {
	const uint8_t *hash;
	uint64_t       off;
	uint8_t       *out;
	size_t         max, got;
	uint64_t       total;
};

static gc_err
bread_txn(struct lg_txn *x, void *arg)
{
	struct bread_arg *a = arg;
	MDB_val           v;
	size_t            n;

	if (gc__lg_get(x, x->lg->blobs, a->hash, 32, &v) != 0) {
		return GC_ENOTFOUND;
	}
	a->total = v.mv_size;
	if (a->out == NULL) {
		return GC_OK;
	}
	if (a->off > v.mv_size) {
		return GC_EINVAL;
	}
	n = v.mv_size - (size_t)a->off;
	if (n > a->max) {
		n = a->max;
	}
	memcpy(a->out, (const uint8_t *)v.mv_data + a->off, n);
	a->got = n;
	return GC_OK;
}

gc_err
gc_ledger_blob_size(gc_ledger *lg, const uint8_t hash[32], uint64_t *len)
{
	struct bread_arg a = { hash, 0, NULL, 0, 0, 0 };
	gc_err           rv;

	rv   = gc__lg_read(lg, bread_txn, &a);
	*len = a.total;
	return rv;
}

gc_err
gc_ledger_blob_read(gc_ledger *lg, const uint8_t hash[32], uint64_t off,
    uint8_t *out, size_t max, size_t *got, uint64_t *total)
{
	struct bread_arg a = { hash, off, out, max, 0, 0 };
	gc_err           rv;

	rv     = gc__lg_read(lg, bread_txn, &a);
	*got   = a.got;
	*total = a.total;
	return rv;
}

/* Partial blobs: `partial` holds hash (32) → total ‖ committed (le64 each)
 * and hash ‖ be64 offset (40) → the chunk's bytes. */
static bool
partial_get(struct lg_txn *x, const uint8_t hash[32], uint64_t *total,
    uint64_t *committed)
{
	MDB_val v;

	*total     = 0;
	*committed = 0;
	if (x->lg->no_partial ||
	    gc__lg_get(x, x->lg->partial, hash, 32, &v) != 0 ||
	    v.mv_size != 16) {
		return false;
	}
	*total     = gc_le64_get(v.mv_data);
	*committed = gc_le64_get((const uint8_t *)v.mv_data + 8);
	return true;
}

struct missing_arg {
	gc_missing_cb cb;
	void         *arg;
};

static gc_err
missing_txn(struct lg_txn *x, void *arg)
{
	struct missing_arg *a = arg;
	MDB_cursor         *cur;
	MDB_val             k, v, ev;
	int                 rc;

	rc = mdb_cursor_open(x->t, x->lg->missing, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct gc_missing m;

		if (k.mv_size != 32) {
			continue;
		}
		memset(&m, 0, sizeof(m));
		memcpy(m.hash, k.mv_data, 32);
		/* the value is the id of an entry naming the blob; the ids
		 * index maps it to feed ‖ seq */
		if (v.mv_size == 32 &&
		    gc__lg_get(x, x->lg->ids, v.mv_data, 32, &ev) == 0 &&
		    ev.mv_size == 40) {
			memcpy(m.feed, ev.mv_data, 32);
		}
		partial_get(x, m.hash, &m.total, &m.committed);
		if (a->cb(&m, a->arg) != 0) {
			break;
		}
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? GC_OK : gc_err_from_mdb(rc);
}

gc_err
gc_ledger_missing(gc_ledger *lg, gc_missing_cb cb, void *arg)
{
	struct missing_arg a = { cb, arg };

	return gc__lg_read(lg, missing_txn, &a);
}

struct chunk_arg {
	const uint8_t  *hash;
	uint64_t        total, off;
	const uint8_t  *data;
	size_t          len;
	uint64_t        committed;
	struct gc_diag *d;
};

/* Drops every stored chunk of hash and its progress record. */
int
gc__lg_partial_drop(struct lg_txn *x, const uint8_t hash[32])
{
	MDB_cursor *cur;
	MDB_val     k, v;
	int         rc;

	rc = mdb_cursor_open(x->t, x->lg->partial, &cur);
	if (rc != 0) {
		return rc;
	}
	for (;;) {
		k.mv_data = (void *)hash;
		k.mv_size = 32;
		rc        = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc != 0 || k.mv_size < 32 ||
		    memcmp(k.mv_data, hash, 32) != 0) {
			break;
		}
		rc = mdb_cursor_del(cur, 0);
		if (rc != 0) {
			break;
		}
	}
	mdb_cursor_close(cur);
	if (rc == MDB_MAP_FULL) {
		x->map_full = true;
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* All chunks in order, assembled; gc_alloc'd. */
static gc_err
partial_assemble(struct lg_txn *x, const uint8_t hash[32], uint64_t total,
    uint8_t **out)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	uint8_t    *buf;
	uint64_t    at = 0;
	uint8_t     start[40];
	int         rc;

	*out = NULL;
	buf  = gc_alloc(total > 0 ? (size_t)total : 1);
	if (buf == NULL) {
		return GC_ENOMEM;
	}
	rc = mdb_cursor_open(x->t, x->lg->partial, &cur);
	if (rc != 0) {
		gc_free(buf);
		return gc_err_from_mdb(rc);
	}
	memcpy(start, hash, 32);
	gc_be64_put(start + 32, 0);
	k.mv_data = start;
	k.mv_size = 40;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 40 || memcmp(k.mv_data, hash, 32) != 0) {
			break;
		}
		if (gc_be64_get((const uint8_t *)k.mv_data + 32) != at ||
		    v.mv_size > total - at) {
			mdb_cursor_close(cur);
			gc_free(buf);
			return GC_ECORRUPT;
		}
		memcpy(buf + at, v.mv_data, v.mv_size);
		at += v.mv_size;
	}
	mdb_cursor_close(cur);
	if (at != total) {
		gc_free(buf);
		return GC_ECORRUPT;
	}
	*out = buf;
	return GC_OK;
}

static gc_err
chunk_txn(struct lg_txn *x, void *arg)
{
	struct chunk_arg *a = arg;
	MDB_val           v;
	uint64_t          total, committed;
	uint8_t           key[40], rec[16], h[32];
	uint8_t          *all = NULL;
	char              hex[17];
	int               rc;
	gc_err            rv;

	gc_id_hex(hex, a->hash, 8);
	a->committed = 0;
	if (gc__lg_get(x, x->lg->blobs, a->hash, 32, &v) == 0) {
		a->committed = v.mv_size;
		/* held already (it came another way): chunks are waste */
		return gc_err_from_mdb(gc__lg_partial_drop(x, a->hash));
	}
	if (gc__lg_get(x, x->lg->missing, a->hash, 32, &v) != 0) {
		gc_diag_set(a->d, "blob %s: no entry held here names it", hex);
		return GC_EPERM;
	}
	if (a->total > GC_BLOB_MAX) {
		gc_diag_set(a->d, "blob %s: %" PRIu64 " bytes, over the %"
		    PRIu64 "-byte limit", hex, a->total, GC_BLOB_MAX);
		return GC_ETOOBIG;
	}
	if (a->off + a->len > a->total || a->off + a->len < a->off) {
		gc_diag_set(a->d, "blob %s: chunk at %" PRIu64 " of %zu bytes "
		    "runs past its length %" PRIu64, hex, a->off, a->len,
		    a->total);
		return GC_EINVAL;
	}
	if (partial_get(x, a->hash, &total, &committed) &&
	    total != a->total) {
		/* the sender says another length: what we hold is useless */
		rc = gc__lg_partial_drop(x, a->hash);
		if (rc != 0) {
			return gc_err_from_mdb(rc);
		}
		committed = 0;
	}
	a->committed = committed;
	if (a->off < committed) {
		return GC_OK; /* a resend of a committed chunk */
	}
	if (a->off > committed) {
		gc_diag_set(a->d, "blob %s: chunk at %" PRIu64 " but only %"
		    PRIu64 " bytes are held", hex, a->off, committed);
		return GC_EGAP;
	}
	if (a->len == 0 && a->total != 0) {
		return GC_OK;
	}
	memcpy(key, a->hash, 32);
	gc_be64_put(key + 32, a->off);
	rc = gc__lg_put(x, x->lg->partial, key, 40, a->data, a->len, 0);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	committed = a->off + a->len;
	if (committed < a->total) {
		gc_le64_put(rec, a->total);
		gc_le64_put(rec + 8, committed);
		rc = gc__lg_put(x, x->lg->partial, a->hash, 32, rec, 16, 0);
		if (rc != 0) {
			return gc_err_from_mdb(rc);
		}
		a->committed = committed;
		return GC_OK;
	}
	/* the last chunk: the whole blob must match its hash */
	rv = partial_assemble(x, a->hash, a->total, &all);
	if (rv == GC_OK) {
		gc_sha256(h, all, (size_t)a->total);
		if (memcmp(h, a->hash, 32) != 0) {
			rv = GC_ECORRUPT;
		}
	}
	if (rv == GC_ENOMEM) {
		return rv;
	}
	if (rv != GC_OK) {
		gc_free(all);
		rc = gc__lg_partial_drop(x, a->hash);
		if (rc != 0) {
			return gc_err_from_mdb(rc);
		}
		gc_diag_set(a->d, "blob %s: the %" PRIu64 " bytes received do "
		    "not hash to its name; dropped, to be sent again", hex,
		    a->total);
		a->committed = 0;
		return GC_ECORRUPT; /* aborted: the caller drops the chunks */
	}
	rc = gc__lg_put(x, x->lg->blobs, a->hash, 32, all, (size_t)a->total,
	    0);
	gc_free(all);
	if (rc == 0) {
		rc = gc__lg_del(x, x->lg->missing, a->hash, 32, NULL, 0);
	}
	if (rc == 0) {
		rc = gc__lg_partial_drop(x, a->hash);
	}
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	a->committed = a->total;
	return gc__lg_merge_blob(x, a->hash);
}

/* Runs chunk_txn; a corrupt blob's drop is committed before the error. */
static gc_err
chunk_drop_txn(struct lg_txn *x, void *arg)
{
	struct chunk_arg *a = arg;
	int               rc = gc__lg_partial_drop(x, a->hash);

	return gc_err_from_mdb(rc);
}

gc_err
gc_ledger_blob_chunk(gc_ledger *lg, const uint8_t hash[32], uint64_t total,
    uint64_t off, const uint8_t *data, size_t len, uint64_t *committed,
    struct gc_diag *d)
{
	struct chunk_arg a = { hash, total, off, data, len, 0, d };
	gc_err           rv;

	if (lg->no_partial) {
		return GC_EPERM;
	}
	rv = gc__lg_write(lg, chunk_txn, &a, d);
	if (rv == GC_ECORRUPT) {
		/* the transaction was aborted: drop the chunks for real */
		(void)gc__lg_write(lg, chunk_drop_txn, &a, NULL);
		a.committed = 0;
	}
	*committed = a.committed;
	return rv;
}

struct blobs_arg {
	const struct gc_blob *b;
	size_t                n;
	gc_err               *res;
};

static gc_err
blobs_txn(struct lg_txn *x, void *arg)
{
	struct blobs_arg *a = arg;
	MDB_val           v;
	int               rc;

	for (size_t i = 0; i < a->n; i++) {
		const struct gc_blob *b = &a->b[i];
		uint8_t               h[32];

		a->res[i] = GC_OK;
		if (gc__lg_get(x, x->lg->blobs, b->hash, 32, &v) == 0) {
			continue;
		}
		if (gc__lg_get(x, x->lg->missing, b->hash, 32, &v) != 0) {
			a->res[i] = GC_EPERM;
			continue;
		}
		gc_sha256(h, b->data, b->len);
		if (memcmp(h, b->hash, 32) != 0) {
			a->res[i] = GC_ECORRUPT;
			continue;
		}
		rc = gc__lg_put(x, x->lg->blobs, b->hash, 32, b->data, b->len,
		    0);
		if (rc == 0) {
			rc = gc__lg_del(x, x->lg->missing, b->hash, 32, NULL, 0);
		}
		if (rc == 0) {
			rc = gc__lg_partial_drop(x, b->hash);
		}
		if (rc != 0) {
			return gc_err_from_mdb(rc);
		}
		a->res[i] = gc__lg_merge_blob(x, b->hash);
		if (a->res[i] != GC_OK) {
			return a->res[i];
		}
	}
	return GC_OK;
}

gc_err
gc_ledger_blobs_put(gc_ledger *lg, const struct gc_blob *b, size_t n,
    gc_err *res, struct gc_diag *d)
{
	struct blobs_arg a = { b, n, res };

	if (lg->no_partial) {
		return GC_EPERM;
	}
	return gc__lg_write(lg, blobs_txn, &a, d);
}

/* ---- peers ---- */

struct peer_arg {
	const char    *name;
	const uint8_t *v;
	size_t         vl;
	uint8_t       *out;
	gc_peer_cb     cb;
	void          *arg;
};

static gc_err
peer_put_txn(struct lg_txn *x, void *arg)
{
	struct peer_arg *a = arg;

	return gc_err_from_mdb(gc__lg_put(x, x->lg->peers, a->name,
	    strlen(a->name), a->v, a->vl, 0));
}

gc_err
gc_ledger_peer_put(gc_ledger *lg, const char *name, const uint8_t *v,
    size_t vl)
{
	struct peer_arg a = { name, v, vl, NULL, NULL, NULL };

	if (name[0] == '\0' || strlen(name) > 400) {
		return GC_EINVAL;
	}
	return gc__lg_write(lg, peer_put_txn, &a, NULL);
}

static gc_err
peer_get_txn(struct lg_txn *x, void *arg)
{
	struct peer_arg *a = arg;
	MDB_val          v;

	if (gc__lg_get(x, x->lg->peers, a->name, strlen(a->name), &v) != 0) {
		return GC_ENOTFOUND;
	}
	a->out = gc_alloc(v.mv_size > 0 ? v.mv_size : 1);
	if (a->out == NULL) {
		return GC_ENOMEM;
	}
	memcpy(a->out, v.mv_data, v.mv_size);
	a->vl = v.mv_size;
	return GC_OK;
}

gc_err
gc_ledger_peer_get(gc_ledger *lg, const char *name, uint8_t **v, size_t *vl)
{
	struct peer_arg a = { name, NULL, 0, NULL, NULL, NULL };
	gc_err          rv;

	*v  = NULL;
	*vl = 0;
	if (name[0] == '\0' || strlen(name) > 400) {
		return GC_ENOTFOUND;
	}
	rv = gc__lg_read(lg, peer_get_txn, &a);
	if (rv == GC_OK) {
		*v  = a.out;
		*vl = a.vl;
	}
	return rv;
}

static gc_err
peer_each_txn(struct lg_txn *x, void *arg)
{
	struct peer_arg *a = arg;
	MDB_cursor      *cur;
	MDB_val          k, v;
	int              rc;

	rc = mdb_cursor_open(x->t, x->lg->peers, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char name[404];

		if (k.mv_size == 0 || k.mv_size > 400) {
			continue;
		}
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if (a->cb(name, v.mv_data, v.mv_size, a->arg) != 0) {
			break;
		}
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

gc_err
gc_ledger_peer_foreach(gc_ledger *lg, gc_peer_cb cb, void *arg)
{
	struct peer_arg a = { NULL, NULL, 0, NULL, cb, arg };

	return gc__lg_read(lg, peer_each_txn, &a);
}

/* ---- digests ---- */

/* A feed's stored entries chain (each one's prev is the id of the one
 * before), so its head id commits to all of them: the entries digest
 * hashes (feed, seq, head id) per feed, then every fork proof's key. */
static gc_err
digest_txn(struct lg_txn *x, void *arg)
{
	struct gc_ledger_digest *o = arg;
	crypto_hash_sha256_state he, hb;
	MDB_cursor              *cur;
	MDB_val                  k, v;
	int                      rc;

	memset(o, 0, sizeof(*o));
	crypto_hash_sha256_init(&he);
	crypto_hash_sha256_init(&hb);
	rc = mdb_cursor_open(x->t, x->lg->heads, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct lg_head h;
		uint8_t        sq[8];

		if (k.mv_size != 32 || !gc__lg_head_get(x, k.mv_data, &h) ||
		    h.seq == 0) {
			continue;
		}
		gc_be64_put(sq, h.seq);
		crypto_hash_sha256_update(&he, k.mv_data, 32);
		crypto_hash_sha256_update(&he, sq, 8);
		crypto_hash_sha256_update(&he, h.hash, 32);
		o->n_entries += h.seq;
	}
	mdb_cursor_close(cur);
	rc = mdb_cursor_open(x->t, x->lg->forks, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size == 72) {
			crypto_hash_sha256_update(&he, k.mv_data, 72);
			o->n_forks++;
		}
	}
	mdb_cursor_close(cur);
	rc = mdb_cursor_open(x->t, x->lg->blobs, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		crypto_hash_sha256_update(&hb, k.mv_data, k.mv_size);
		o->n_blobs++;
	}
	mdb_cursor_close(cur);
	crypto_hash_sha256_final(&he, o->entries);
	crypto_hash_sha256_final(&hb, o->blobs);
	return GC_OK;
}

gc_err
gc_ledger_digest(gc_ledger *lg, struct gc_ledger_digest *out)
{
	return gc__lg_read(lg, digest_txn, out);
}
