#include "common/ledger.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cbor.h"
#include "common/bytes.h"
#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "common/ledger_int.h"

#define LG_SCHEMA        "1"
#define LG_INITIAL_MAP   ((size_t)64 << 20)
#define LG_MAX_TRIES     24

/* ---- little helpers ---- */

void
gc__lg_entry_key(uint8_t key[40], const uint8_t feed[32], uint64_t seq)
{
	memcpy(key, feed, 32);
	gc_be64_put(key + 32, seq); /* big-endian: cursor order is seq order */
}

int
gc__lg_put(struct lg_txn *x, MDB_dbi dbi, const void *k, size_t kl,
    const void *v, size_t vl, unsigned flags)
{
	MDB_val key = { kl, (void *)k }, val = { vl, (void *)v };
	int     rc  = mdb_put(x->t, dbi, &key, &val, flags);

	if (rc == MDB_MAP_FULL) {
		x->map_full = true;
	}
	return rc;
}

int
gc__lg_get(struct lg_txn *x, MDB_dbi dbi, const void *k, size_t kl,
    MDB_val *v)
{
	MDB_val key = { kl, (void *)k };

	return mdb_get(x->t, dbi, &key, v);
}

int
gc__lg_del(struct lg_txn *x, MDB_dbi dbi, const void *k, size_t kl,
    const void *v, size_t vl)
{
	MDB_val key = { kl, (void *)k }, val = { vl, (void *)v };
	int     rc  = mdb_del(x->t, dbi, &key, v != NULL ? &val : NULL);

	if (rc == MDB_MAP_FULL) {
		x->map_full = true;
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

bool
gc__lg_head_get(struct lg_txn *x, const uint8_t feed[32], struct lg_head *h)
{
	MDB_val        v;
	const uint8_t *p;

	memset(h, 0, sizeof(*h));
	if (gc__lg_get(x, x->lg->heads, feed, 32, &v) != 0 || v.mv_size != 66) {
		return false;
	}
	p              = v.mv_data;
	h->quarantined = p[1] != 0;
	h->seq         = gc_le64_get(p + 2);
	memcpy(h->hash, p + 10, 32);
	h->qseq   = gc_le64_get(p + 42);
	h->nforks = gc_le64_get(p + 50);
	h->hlc    = gc_le64_get(p + 58);
	return true;
}

int
gc__lg_head_put(struct lg_txn *x, const uint8_t feed[32],
    const struct lg_head *h)
{
	uint8_t p[66];

	p[0] = 1; /* record version */
	p[1] = h->quarantined ? 1 : 0;
	gc_le64_put(p + 2, h->seq);
	memcpy(p + 10, h->hash, 32);
	gc_le64_put(p + 42, h->qseq);
	gc_le64_put(p + 50, h->nforks);
	gc_le64_put(p + 58, h->hlc);
	return gc__lg_put(x, x->lg->heads, feed, 32, p, sizeof(p), 0);
}

bool
gc__lg_meta_get(struct lg_txn *x, const char *name, MDB_val *v)
{
	return gc__lg_get(x, x->lg->meta, name, strlen(name), v) == 0;
}

static int
meta_put(struct lg_txn *x, const char *name, const void *v, size_t vl)
{
	return gc__lg_put(x, x->lg->meta, name, strlen(name), v, vl, 0);
}

/* ---- transactions ---- */

/* Grows the map to twice its size (no transaction may be open). */
static gc_err
lg_grow(gc_ledger *lg)
{
	MDB_envinfo info;
	size_t      next;
	int         rc;

	mdb_env_info(lg->env, &info);
	next = info.me_mapsize * 2;
	rc   = mdb_env_set_mapsize(lg->env, next);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	GC_LOG(GC_LOG_INFO, "STORE-GROW", "%s: map size grown to %zu MiB",
	    lg->dir, next >> 20);
	return GC_OK;
}

/*
 * Runs fn in a write transaction and commits it. When the map is full the
 * transaction is aborted, the map doubled, and fn run again from the
 * start: fn must keep its side effects inside the transaction (or reset
 * them itself).
 */
static gc_err
lg_write(gc_ledger *lg, lg_txn_fn fn, void *arg, struct gc_diag *d)
{
	struct lg_txn x;
	gc_err        rv;
	int           rc;

	if (lg->flags & GC_LEDGER_RDONLY) {
		gc_diag_set(d, "%s: opened read-only", lg->dir);
		return GC_EPERM;
	}
	for (int tries = 0; tries < LG_MAX_TRIES; tries++) {
		x.lg       = lg;
		x.map_full = false;
		x.failed   = GC_OK;
		x.mt       = NULL;
		x.mfull    = false;
		x.mbulk    = false;
		rc         = mdb_txn_begin(lg->env, NULL, 0, &x.t);
		if (rc == MDB_MAP_RESIZED) {
			/* another process grew the map: adopt its size */
			mdb_env_set_mapsize(lg->env, 0);
			continue;
		}
		if (rc != 0) {
			gc_diag_set(d, "%s: cannot begin a write: %s", lg->dir,
			    mdb_strerror(rc));
			return gc_err_from_mdb(rc);
		}
		rv = fn(&x, arg);
		if (rv == GC_OK && !x.map_full) {
			rv = gc__lg_merge_finish(&x);
		}
		gc__lg_merge_txn_end(&x);
		if (x.map_full) {
			mdb_txn_abort(x.t);
			rv = lg_grow(lg);
			if (rv != GC_OK) {
				gc_diag_set(d, "%s: cannot grow the map",
				    lg->dir);
				return rv;
			}
			continue;
		}
		if (rv != GC_OK) {
			mdb_txn_abort(x.t);
			return rv;
		}
		rc = mdb_txn_commit(x.t);
		if (rc == MDB_MAP_FULL) {
			rv = lg_grow(lg);
			if (rv != GC_OK) {
				return rv;
			}
			continue;
		}
		if (rc != 0) {
			gc_diag_set(d, "%s: commit failed: %s", lg->dir,
			    mdb_strerror(rc));
			return gc_err_from_mdb(rc);
		}
		return GC_OK;
	}
	gc_diag_set(d, "%s: write kept failing (map full)", lg->dir);
	return GC_ETOOBIG;
}

/* Runs fn in a read transaction. */
static gc_err
lg_read(gc_ledger *lg, lg_txn_fn fn, void *arg)
{
	struct lg_txn x;
	gc_err        rv;
	int           rc;

	for (int tries = 0; tries < 4; tries++) {
		x.lg       = lg;
		x.map_full = false;
		x.failed   = GC_OK;
		x.mt       = NULL;
		x.mfull    = false;
		x.mbulk    = false;
		rc = mdb_txn_begin(lg->env, NULL, MDB_RDONLY, &x.t);
		if (rc == MDB_MAP_RESIZED) {
			mdb_env_set_mapsize(lg->env, 0);
			continue;
		}
		if (rc != 0) {
			return gc_err_from_mdb(rc);
		}
		rv = fn(&x, arg);
		mdb_txn_abort(x.t);
		return rv;
	}
	return GC_EAGAIN;
}

/* ---- open / create ---- */

static gc_err
lg_env_open(gc_ledger *lg, const char *dir, unsigned flags, bool create,
    struct gc_diag *d)
{
	char     path[4096];
	unsigned envflags = MDB_NOTLS | MDB_NORDAHEAD;
	int      rc;
	MDB_txn *t;

	lg->dir   = gc_xstrdup(dir);
	lg->flags = flags;
	snprintf(path, sizeof(path), "%s/db", dir);
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		gc_diag_set(d, "%s: %s", dir, strerror(errno));
		return gc_err_from_errno(errno);
	}
	if (create && mkdir(path, 0700) != 0 && errno != EEXIST) {
		gc_diag_set(d, "%s: %s", path, strerror(errno));
		return gc_err_from_errno(errno);
	}
	if (!create) {
		char        data[4200];
		struct stat sb;

		snprintf(data, sizeof(data), "%s/data.mdb", path);
		if (stat(data, &sb) != 0) {
			gc_diag_set(d, "%s: no gradcap node here (no db/data.mdb;"
			    " run 'gradcap init')", dir);
			return GC_ENOTFOUND;
		}
	}
	if (flags & GC_LEDGER_RDONLY) {
		envflags |= MDB_RDONLY;
	}
	rc = mdb_env_create(&lg->env);
	if (rc == 0) {
		rc = mdb_env_set_maxdbs(lg->env, 32);
	}
	if (rc == 0) {
		rc = mdb_env_set_mapsize(lg->env, LG_INITIAL_MAP);
	}
	if (rc == 0) {
		rc = mdb_env_open(lg->env, path, envflags, 0600);
	}
	if (rc != 0) {
		if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH ||
		    rc == MDB_CORRUPTED) {
			gc_diag_set(d, "%s/data.mdb: not a readable LMDB "
			    "environment (%s): the file is damaged; restore it "
			    "from a backup or re-sync", path, mdb_strerror(rc));
			return GC_ECORRUPT;
		}
		gc_diag_set(d, "%s: cannot open: %s", path, mdb_strerror(rc));
		return gc_err_from_mdb(rc);
	}
	rc = mdb_txn_begin(lg->env, NULL, (flags & GC_LEDGER_RDONLY) ?
	    MDB_RDONLY : 0, &t);
	if (rc != 0) {
		gc_diag_set(d, "%s: %s", path, mdb_strerror(rc));
		return gc_err_from_mdb(rc);
	}
	{
		const unsigned mk = (flags & GC_LEDGER_RDONLY) ? 0 : MDB_CREATE;
		const struct {
			const char *name;
			MDB_dbi    *dbi;
			unsigned    flags;
		} dbs[] = {
			{ "entries", &lg->entries, 0 },
			{ "heads", &lg->heads, 0 },
			{ "ids", &lg->ids, 0 },
			{ "blobs", &lg->blobs, 0 },
			{ "missing", &lg->missing, 0 },
			{ "forks", &lg->forks, 0 },
			{ "peers", &lg->peers, 0 },
			{ "meta", &lg->meta, 0 },
			{ "enroll", &lg->enroll, 0 },
			{ "students", &lg->students, 0 },
			{ "sidx", &lg->sidx, MDB_DUPSORT },
			{ "sessions", &lg->sessions, 0 },
			{ "caps", &lg->caps, MDB_DUPSORT },
			{ "codes", &lg->codes, MDB_DUPSORT },
			/* blobs arriving in chunks (sync); made on first
			 * writable open for nodes older than sync */
			{ "partial", &lg->partial,
			    (flags & GC_LEDGER_RDONLY) ? 0 : MDB_CREATE },
			/* students removed from the roster; likewise */
			{ "sgone", &lg->sgone, mk },
			/* online sign-in codes (hashes); likewise */
			{ "invites", &lg->invites, mk },
			/* the students' checks of their photos; likewise */
			{ "checks", &lg->checks, mk },
			/* the merge kept up to date; likewise */
			{ "mcap", &lg->mcap, mk },
			{ "mcid", &lg->mcid, mk },
			{ "mrev", &lg->mrev, mk },
			{ "mvoid", &lg->mvoid, mk | MDB_DUPSORT | MDB_DUPFIXED },
			{ "mres", &lg->mres, mk },
			{ "mphoto", &lg->mphoto, mk | MDB_DUPSORT | MDB_DUPFIXED },
			{ "mcode", &lg->mcode, mk | MDB_DUPSORT | MDB_DUPFIXED },
			{ "mleaf", &lg->mleaf, mk },
			{ "mtree", &lg->mtree, mk },
			{ "malert", &lg->malert, mk },
		};
		for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
			rc = mdb_dbi_open(t, dbs[i].name,
			    dbs[i].flags | (create ? MDB_CREATE : 0),
			    dbs[i].dbi);
			if (rc == MDB_NOTFOUND && dbs[i].dbi == &lg->partial) {
				/* read-only, older node: no partial blobs */
				lg->no_partial = true;
				rc             = 0;
			}
			if (rc == MDB_NOTFOUND && dbs[i].dbi == &lg->sgone) {
				lg->no_gone = true; /* none removed yet */
				rc          = 0;
			}
			if (rc == MDB_NOTFOUND && dbs[i].dbi == &lg->invites) {
				lg->no_invites = true; /* none invited yet */
				rc             = 0;
			}
			if (rc == MDB_NOTFOUND && dbs[i].dbi == &lg->checks) {
				lg->no_checks = true; /* none checked yet */
				rc            = 0;
			}
			if (rc == MDB_NOTFOUND && dbs[i].dbi >= &lg->mcap &&
			    dbs[i].dbi <= &lg->malert) {
				/* read-only, older node: the merge is computed
				 * from the entries */
				lg->no_merge = true;
				rc           = 0;
			}
			if (rc != 0) {
				mdb_txn_abort(t);
				gc_diag_set(d, "%s/data.mdb: database '%s': %s "
				    "(damaged or not a gradcap node)", path,
				    dbs[i].name, mdb_strerror(rc));
				return rc == MDB_NOTFOUND ? GC_ECORRUPT :
				                            gc_err_from_mdb(rc);
			}
		}
	}
	rc = mdb_txn_commit(t);
	if (rc != 0) {
		gc_diag_set(d, "%s: %s", path, mdb_strerror(rc));
		return gc_err_from_mdb(rc);
	}
	return GC_OK;
}

struct create_arg {
	const struct gc_key *key;
	enum gc_role         role;
	const char          *school, *name;
};

static gc_err
create_txn(struct lg_txn *x, void *arg)
{
	struct create_arg *a = arg;
	MDB_val            v;
	uint8_t            r = (uint8_t)a->role;

	if (gc__lg_meta_get(x, "schema", &v)) {
		return GC_EEXIST;
	}
	if (meta_put(x, "schema", LG_SCHEMA, 1) || meta_put(x, "self",
	    a->key->pk, 32) || meta_put(x, "role", &r, 1) ||
	    meta_put(x, "school", a->school, strlen(a->school)) ||
	    meta_put(x, "name", a->name, strlen(a->name))) {
		return GC_EIO;
	}
	if (a->role == GC_ROLE_COORDINATOR &&
	    meta_put(x, "authority", a->key->pk, 32)) {
		return GC_EIO;
	}
	return GC_OK;
}

gc_err
gc_ledger_create(const char *dir, const struct gc_key *key, enum gc_role role,
    const char *school, const char *name, const uint8_t *tls_cert,
    size_t tls_cert_len, struct gc_diag *d)
{
	gc_ledger        *lg = gc_xzalloc(sizeof(*lg));
	struct create_arg a  = { key, role, school, name };
	gc_err            rv;

	if (strlen(school) >= GC_SCHOOL_MAX || strlen(name) >= GC_NAME_MAX ||
	    role == GC_ROLE_NONE) {
		gc_free(lg);
		gc_diag_set(d, "school code, name or role out of range");
		return GC_EINVAL;
	}
	rv = lg_env_open(lg, dir, 0, true, d);
	if (rv == GC_OK) {
		rv = lg_write(lg, create_txn, &a, d);
		if (rv == GC_EEXIST) {
			gc_diag_set(d, "%s already holds a gradcap node", dir);
		}
	}
	if (rv == GC_OK && role == GC_ROLE_COORDINATOR) {
		/* The school authority enrolls itself first: seq 1. */
		struct gc_buf        body;
		struct gc_enrollment en;

		memset(&en, 0, sizeof(en));
		memcpy(en.pk, key->pk, 32);
		en.role = role;
		snprintf(en.name, sizeof(en.name), "%s", name);
		snprintf(en.school, sizeof(en.school), "%s", school);
		en.not_before = (uint64_t)time(NULL);
		if (tls_cert_len > 0) {
			en.has_tls_fp   = true;
			en.tls_cert     = tls_cert;
			en.tls_cert_len = tls_cert_len;
			crypto_hash_sha256(en.tls_fp, tls_cert, tls_cert_len);
		}
		gc_buf_init(&body);
		gc_enrollment_encode(&body, &en, false, NULL);
		lg->key = key;
		rv      = gc_ledger_append_body(lg, GC_KIND_ENROLL, &body, NULL, d);
		gc_buf_release(&body);
	}
	gc_ledger_close(lg);
	return rv;
}

static gc_err
open_check_txn(struct lg_txn *x, void *arg)
{
	MDB_val v;

	(void)arg;
	if (!gc__lg_meta_get(x, "schema", &v)) {
		return GC_ENOTFOUND;
	}
	if (v.mv_size != 1 || memcmp(v.mv_data, LG_SCHEMA, 1) != 0) {
		return GC_EINVAL;
	}
	if (gc__lg_meta_get(x, "hlc", &v) && v.mv_size == 8) {
		gc_hlc_observe(&x->lg->hlc, gc_le64_get(v.mv_data));
	}
	return GC_OK;
}

gc_err
gc_ledger_open(gc_ledger **out, const char *dir, unsigned flags,
    struct gc_diag *d)
{
	gc_ledger *lg = gc_xzalloc(sizeof(*lg));
	gc_err     rv;

	*out = NULL;
	gc_hlc_init(&lg->hlc, 0);
	rv = lg_env_open(lg, dir, flags, false, d);
	if (rv == GC_OK) {
		rv = lg_read(lg, open_check_txn, NULL);
		if (rv == GC_ENOTFOUND) {
			gc_diag_set(d, "%s: the ledger has no identity (init "
			    "did not finish?)", dir);
			rv = GC_ECORRUPT;
		} else if (rv == GC_EINVAL) {
			gc_diag_set(d, "%s: ledger schema is not %s (made by "
			    "another version of gradcap)", dir, LG_SCHEMA);
		} else if (rv != GC_OK) {
			gc_diag_set(d, "%s: cannot read the ledger: %s", dir,
			    gc_strerror(rv));
		}
	}
	if (rv == GC_OK && !(flags & GC_LEDGER_RDONLY)) {
		struct gc_merge_state st;

		/* a node made before the merge was kept: build it once */
		if (gc_ledger_merge_state(lg, &st) == GC_ENOTFOUND) {
			rv = gc_ledger_reindex(lg, d);
		}
	}
	if (rv != GC_OK) {
		gc_ledger_close(lg);
		return rv;
	}
	*out = lg;
	return GC_OK;
}

void
gc_ledger_close(gc_ledger *lg)
{
	if (lg == NULL) {
		return;
	}
	if (lg->env != NULL) {
		mdb_env_close(lg->env);
	}
	gc_free(lg->dir);
	gc_free(lg);
}

static gc_err
info_txn(struct lg_txn *x, void *arg)
{
	struct gc_ledger_info *o = arg;
	MDB_val                v;
	struct lg_head         h;
	struct gc_enrollment   en;

	memset(o, 0, sizeof(*o));
	if (!gc__lg_meta_get(x, "self", &v) || v.mv_size != 32) {
		return GC_ECORRUPT;
	}
	memcpy(o->self, v.mv_data, 32);
	if (gc__lg_meta_get(x, "role", &v) && v.mv_size == 1) {
		o->role = (enum gc_role)((uint8_t *)v.mv_data)[0];
	}
	if (gc__lg_meta_get(x, "school", &v) && v.mv_size < GC_SCHOOL_MAX) {
		memcpy(o->school, v.mv_data, v.mv_size);
	}
	if (gc__lg_meta_get(x, "name", &v) && v.mv_size < GC_NAME_MAX) {
		memcpy(o->name, v.mv_data, v.mv_size);
	}
	if (gc__lg_meta_get(x, "authority", &v) && v.mv_size == 32) {
		memcpy(o->authority, v.mv_data, 32);
		if (memcmp(o->authority, o->self, 32) == 0) {
			o->enrolled = true;
		} else if (gc__lg_get(x, x->lg->enroll, o->self, 32, &v) == 0 &&
		    gc__lg_enroll_decode(&v, &en) == GC_OK && !en.revoked) {
			o->enrolled = true;
		}
	}
	if (gc__lg_head_get(x, o->self, &h)) {
		o->seq = h.seq;
		memcpy(o->head, h.hash, 32);
	}
	o->hlc = x->lg->hlc.last;
	return GC_OK;
}

gc_err
gc_ledger_info(gc_ledger *lg, struct gc_ledger_info *out)
{
	return lg_read(lg, info_txn, out);
}

gc_err
gc_ledger_set_key(gc_ledger *lg, const struct gc_key *key)
{
	struct gc_ledger_info info;
	gc_err                rv = gc_ledger_info(lg, &info);

	if (rv != GC_OK) {
		return rv;
	}
	if (memcmp(info.self, key->pk, 32) != 0) {
		return GC_EPERM;
	}
	lg->key = key;
	return GC_OK;
}

/* ---- roles ---- */

/*
 * The role a feed writes with, as this node knows it: the authority is the
 * coordinator; every other feed needs an enrollment. seq is checked against
 * a revocation's last valid seq. why gets the reason on refusal.
 */
static gc_err
feed_role(struct lg_txn *x, const uint8_t feed[32], uint64_t seq,
    uint64_t hlc, enum gc_role *role, char *why, size_t whylen)
{
	MDB_val              v;
	struct gc_enrollment en;
	char                 hex[17];

	gc_id_hex(hex, feed, 8);
	if (!gc__lg_meta_get(x, "authority", &v) || v.mv_size != 32) {
		snprintf(why, whylen, "this node is not enrolled yet, so it "
		    "cannot check feed %s", hex);
		return GC_EPERM;
	}
	if (memcmp(v.mv_data, feed, 32) == 0) {
		*role = GC_ROLE_COORDINATOR;
		return GC_OK;
	}
	if (gc__lg_get(x, x->lg->enroll, feed, 32, &v) != 0 ||
	    gc__lg_enroll_decode(&v, &en) != GC_OK) {
		snprintf(why, whylen, "feed %s is not enrolled by this "
		    "school's coordinator", hex);
		return GC_EPERM;
	}
	if (en.revoked && seq > en.max_seq) {
		snprintf(why, whylen, "feed %s (%s) was revoked after seq %"
		    PRIu64, hex, en.name, en.max_seq);
		return GC_EPERM;
	}
	if (en.role == GC_ROLE_NONE) {
		snprintf(why, whylen, "feed %s has no role", hex);
		return GC_EPERM;
	}
	/* Expiry is judged by the entry's own clock, so every node reaches
	 * the same verdict whenever the entry arrives. not_before is not
	 * enforced: a site clock a little behind the coordinator's would
	 * otherwise lose its first captures. */
	if (en.not_after != 0 && gc_hlc_ms(hlc) / 1000 > en.not_after) {
		snprintf(why, whylen, "the enrollment of feed %s (%s) expired "
		    "at unix time %" PRIu64 "; this entry is later", hex,
		    en.name, en.not_after);
		return GC_EPERM;
	}
	*role = en.role;
	return GC_OK;
}

/* ---- append ---- */

struct append_arg {
	gc_ledger        *lg;
	struct gc_append *a;
	size_t            n;
	struct gc_diag   *d;
	uint64_t          hlc_start;
};

static gc_err
put_blob_txn(struct lg_txn *x, const uint8_t hash[32], const uint8_t *data,
    size_t len)
{
	int rc = gc__lg_put(x, x->lg->blobs, hash, 32, data, len,
	    MDB_NOOVERWRITE);

	if (rc != 0 && rc != MDB_KEYEXIST) {
		return gc_err_from_mdb(rc);
	}
	rc = gc__lg_del(x, x->lg->missing, hash, 32, NULL, 0);
	if (rc == 0 && !x->lg->no_partial) {
		rc = gc__lg_partial_drop(x, hash); /* chunks from a peer */
	}
	return rc != 0 ? gc_err_from_mdb(rc) : gc__lg_merge_blob(x, hash);
}

/* Stores a verified, chained entry: bytes, id index, head, blobs still
 * missing, derived indexes. */
static gc_err
store_entry(struct lg_txn *x, const struct gc_entry *e, struct lg_head *h)
{
	uint8_t key[40];
	MDB_val v;
	int     rc;
	gc_err  rv;

	gc__lg_entry_key(key, e->feed, e->seq);
	rc = gc__lg_put(x, x->lg->entries, key, 40, e->bytes, e->len, 0);
	if (rc == 0) {
		rc = gc__lg_put(x, x->lg->ids, e->id, 32, key, 40, 0);
	}
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	h->seq = e->seq;
	memcpy(h->hash, e->id, 32);
	h->hlc = e->hlc;
	rc     = gc__lg_head_put(x, e->feed, h);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (size_t i = 0; i < e->nblobs; i++) {
		const uint8_t *b = gc_entry_blob(e, i);

		if (gc__lg_get(x, x->lg->blobs, b, 32, &v) != 0) {
			rc = gc__lg_put(x, x->lg->missing, b, 32, e->id, 32, 0);
			if (rc != 0) {
				return gc_err_from_mdb(rc);
			}
		}
	}
	/* Past a proved fork the feed's entries are kept, not believed. */
	rv = (h->quarantined && e->seq >= h->qseq) ? GC_OK :
	                                            gc__lg_index_apply(x, e);
	if (rv == GC_OK && e->hlc > x->lg->hlc.last) {
		gc_hlc_observe(&x->lg->hlc, e->hlc);
	}
	if (rv == GC_OK) {
		uint8_t hb[8];

		gc_le64_put(hb, x->lg->hlc.last);
		rc = meta_put(x, "hlc", hb, 8);
		rv = gc_err_from_mdb(rc);
	}
	return rv;
}

static gc_err
append_txn(struct lg_txn *x, void *arg)
{
	struct append_arg *a = arg;
	gc_ledger         *lg = a->lg;
	MDB_val            v;
	enum gc_role       role, self_role;
	char               why[256];
	struct lg_head     h;
	gc_err             rv;

	if (!gc__lg_meta_get(x, "role", &v) || v.mv_size != 1) {
		return GC_ECORRUPT;
	}
	self_role = (enum gc_role)((uint8_t *)v.mv_data)[0];
	lg->hlc.last = a->hlc_start; /* a retried transaction starts over */
	for (size_t i = 0; i < a->n; i++) {
		struct gc_append *ap = &a->a[i];
		uint8_t (*hashes)[32] = NULL;
		struct gc_buf     out;
		struct gc_entry   e;
		struct gc_entry_hdr hdr;

		gc__lg_head_get(x, lg->key->pk, &h);
		if (h.quarantined) {
			gc_diag_set(a->d, "this node's own feed has a proved fork "
			    "from seq %" PRIu64 " (restored from a backup or a "
			    "copied key?): it may not write; re-initialise and "
			    "enroll a new key", h.qseq);
			return GC_EPERM;
		}
		if (self_role == GC_ROLE_COORDINATOR &&
		    ap->kind == GC_KIND_ENROLL && h.seq == 0) {
			role = GC_ROLE_COORDINATOR; /* self-enrollment, seq 1 */
		} else {
			rv = feed_role(x, lg->key->pk, h.seq + 1,
			    gc_hlc_wall_ms(&lg->hlc) << 16, &role, why,
			    sizeof(why));
			if (rv != GC_OK) {
				gc_diag_set(a->d, "this node may not write: %s%s",
				    why, self_role == GC_ROLE_COORDINATOR ? "" :
				    " (run 'gradcap enroll install' with the "
				    "file from the coordinator)");
				return rv;
			}
		}
		if (!gc_role_may_write(role, ap->kind)) {
			gc_diag_set(a->d, "a %s node may not write %s entries",
			    gc_role_name(role), gc_kind_name(ap->kind));
			return GC_EPERM;
		}
		if (ap->nblobs > GC_ENTRY_MAX_BLOBS) {
			return GC_EINVAL;
		}
		if (ap->nblobs > 0) {
			hashes = gc_alloc(ap->nblobs * 32);
			if (hashes == NULL) {
				return GC_ENOMEM;
			}
			for (size_t k = 0; k < ap->nblobs; k++) {
				gc_sha256(hashes[k], ap->blobs[k].data,
				    ap->blobs[k].len);
			}
		}
		hdr.feed   = lg->key->pk;
		hdr.seq    = h.seq + 1;
		hdr.prev   = h.seq > 0 ? h.hash : NULL;
		hdr.hlc    = gc_hlc_next(&lg->hlc);
		hdr.kind   = ap->kind;
		hdr.blobs  = (const uint8_t(*)[32])hashes;
		hdr.nblobs = ap->nblobs;
		gc_buf_init(&out);
		rv = gc_entry_encode(&out, &hdr, ap->body, ap->body_len,
		    lg->key->sk);
		if (rv == GC_OK) {
			rv = gc_entry_parse(&e, out.data, out.len, a->d);
		}
		for (size_t k = 0; rv == GC_OK && k < ap->nblobs; k++) {
			rv = put_blob_txn(x, hashes[k], ap->blobs[k].data,
			    ap->blobs[k].len);
		}
		if (rv == GC_OK) {
			rv = store_entry(x, &e, &h);
		}
		if (rv == GC_OK) {
			memcpy(ap->id, e.id, 32);
			ap->seq = e.seq;
		}
		gc_buf_release(&out);
		gc_free(hashes);
		if (rv != GC_OK) {
			if (rv == GC_EINVAL) {
				gc_diag_set(a->d, "entry %zu: body is not "
				    "deterministic CBOR", i);
			}
			return rv;
		}
	}
	return GC_OK;
}

gc_err
gc_ledger_append(gc_ledger *lg, struct gc_append *a, size_t n,
    struct gc_diag *d)
{
	struct append_arg arg = { lg, a, n, d, 0 };
	gc_err            rv;

	if (lg->key == NULL) {
		gc_diag_set(d, "no signing key loaded");
		return GC_EPERM;
	}
	arg.hlc_start = lg->hlc.last;
	rv            = lg_write(lg, append_txn, &arg, d);
	if (rv == GC_OK) {
		for (size_t i = 0; i < n; i++) {
			char hex[17];

			gc_id_hex(hex, a[i].id, 8);
			GC_LOG(GC_LOG_INFO, "LEDGER-APPEND",
			    "%s seq %" PRIu64 " %s", hex, a[i].seq,
			    gc_kind_name(a[i].kind));
		}
	}
	return rv;
}

gc_err
gc_ledger_append_body(gc_ledger *lg, unsigned kind, const struct gc_buf *b,
    uint8_t id[32], struct gc_diag *d)
{
	struct gc_append a;
	gc_err           rv = gc_buf_status(b);

	if (rv != GC_OK) {
		return rv;
	}
	memset(&a, 0, sizeof(a));
	a.kind     = kind;
	a.body     = b->data;
	a.body_len = b->len;
	rv         = gc_ledger_append(lg, &a, 1, d);
	if (rv == GC_OK && id != NULL) {
		memcpy(id, a.id, 32);
	}
	return rv;
}

/* ---- ingest ---- */

struct ingest_arg {
	const uint8_t *const    *bytes;
	const size_t            *lens;
	size_t                   n;
	struct gc_ingest_result *res;
	const uint8_t           *authority; /* enroll install: set it too */
	struct gc_diag          *d;
};

/* Records the authority key, or checks it is the one recorded. */
static gc_err
authority_set(struct lg_txn *x, const uint8_t pk[32], struct gc_diag *d)
{
	MDB_val v;

	if (gc__lg_meta_get(x, "authority", &v)) {
		if (v.mv_size == 32 && memcmp(v.mv_data, pk, 32) == 0) {
			return GC_OK;
		}
		gc_diag_set(d, "this node is already enrolled by another "
		    "coordinator");
		return GC_EEXIST;
	}
	return gc_err_from_mdb(meta_put(x, "authority", pk, 32));
}

/* After an enrollment hand-over: this node must now be enrolled, in its
 * own role, and not revoked; otherwise the whole install is undone. */
static gc_err
enrolled_check(struct lg_txn *x, struct gc_diag *d)
{
	MDB_val              v, self, role;
	struct gc_enrollment en;

	if (!gc__lg_meta_get(x, "self", &self) || self.mv_size != 32 ||
	    !gc__lg_meta_get(x, "role", &role) || role.mv_size != 1) {
		return GC_ECORRUPT;
	}
	if (gc__lg_get(x, x->lg->enroll, self.mv_data, 32, &v) != 0 ||
	    gc__lg_enroll_decode(&v, &en) != GC_OK) {
		gc_diag_set(d, "the file's coordinator feed does not enroll "
		    "this node: nothing was installed");
		return GC_EPERM;
	}
	if (en.revoked) {
		gc_diag_set(d, "this node's enrollment was revoked: nothing was "
		    "installed");
		return GC_EPERM;
	}
	if ((uint8_t)en.role != ((uint8_t *)role.mv_data)[0]) {
		gc_diag_set(d, "the file enrolls this node as %s, but it was "
		    "initialised as %s: nothing was installed",
		    gc_role_name(en.role),
		    gc_role_name((enum gc_role)((uint8_t *)role.mv_data)[0]));
		return GC_EPERM;
	}
	return GC_OK;
}

static void
ingest_one(struct lg_txn *x, const uint8_t *bytes, size_t len,
    struct gc_ingest_result *r)
{
	struct gc_entry e;
	struct gc_diag  d;
	enum gc_role    role;
	struct lg_head  h;
	uint8_t         key[40];
	MDB_val         v;
	char            hex[17];
	int             rc;
	gc_err          rv;

	gc_diag_clear(&d);
	memset(r, 0, sizeof(*r));
	r->status = GC_INGEST_REJECTED;
	rv        = gc_entry_parse(&e, bytes, len, &d);
	if (rv != GC_OK) {
		r->rv = rv;
		snprintf(r->reason, sizeof(r->reason), "malformed entry: %s",
		    gc_diag_msg(&d, rv));
		return;
	}
	memcpy(r->id, e.id, 32);
	r->seq = e.seq;
	gc_id_hex(hex, e.feed, 8);
	if (gc_entry_verify(&e) != GC_OK) {
		r->rv = GC_EBADSIG;
		snprintf(r->reason, sizeof(r->reason), "signature does not "
		    "verify with feed key %s (seq %" PRIu64 ")", hex, e.seq);
		return;
	}
	if (gc_hlc_ms(e.hlc) > gc_hlc_wall_ms(&x->lg->hlc) + GC_HLC_MAX_SKEW_MS) {
		/* Not a verdict on the entry: it is asked for again later.
		 * Taking it would drag this node's clock (and every entry it
		 * signs after) far into the future. */
		r->rv = GC_EAGAIN;
		snprintf(r->reason, sizeof(r->reason), "feed %s seq %" PRIu64
		    ": its clock is %" PRIu64 " hours ahead of this node's; "
		    "check that machine's date and time", hex, e.seq,
		    (gc_hlc_ms(e.hlc) - gc_hlc_wall_ms(&x->lg->hlc)) / 3600000);
		return;
	}
	rv = feed_role(x, e.feed, e.seq, e.hlc, &role, r->reason,
	    sizeof(r->reason));
	if (rv != GC_OK) {
		r->rv = rv;
		return;
	}
	if (!gc_role_may_write(role, e.kind)) {
		r->rv = GC_EPERM;
		snprintf(r->reason, sizeof(r->reason), "feed %s is enrolled as "
		    "%s, which may not write %s", hex, gc_role_name(role),
		    gc_kind_name(e.kind));
		return;
	}
	gc__lg_head_get(x, e.feed, &h);
	if (e.seq <= h.seq || (e.seq == h.seq + 1 && e.seq > 1 &&
	    memcmp(e.prev, h.hash, 32) != 0)) {
		bool at_held = e.seq <= h.seq;

		if (at_held) {
			gc__lg_entry_key(key, e.feed, e.seq);
			rc = gc__lg_get(x, x->lg->entries, key, 40, &v);
			if (rc == 0 && v.mv_size == len &&
			    memcmp(v.mv_data, bytes, len) == 0) {
				r->status = GC_INGEST_DUPLICATE;
				r->rv     = GC_OK;
				return;
			}
		}
		/* Two entries signed by one feed key for one seq (or one
		 * chained to a predecessor we do not hold): a proved fork.
		 * Keep it as proof, quarantine the feed from there. */
		{
			uint8_t fkey[72];
			MDB_val old;

			gc__lg_entry_key(fkey, e.feed, e.seq);
			memcpy(fkey + 40, e.id, 32);
			if (gc__lg_get(x, x->lg->forks, fkey, 72, &old) == 0) {
				/* this proof is held already: nothing new */
				r->status = GC_INGEST_DUPLICATE;
				r->rv     = GC_OK;
				return;
			}
			{
				rc = gc__lg_put(x, x->lg->forks, fkey, 72, bytes,
				    len, 0);
				if (rc != 0) {
					r->rv = gc_err_from_mdb(rc);
					snprintf(r->reason, sizeof(r->reason),
					    "storing fork proof failed");
					return;
				}
				h.nforks++;
			}
			if (!h.quarantined || e.seq < h.qseq) {
				h.qseq = e.seq;
			}
			h.quarantined = true;
			rc            = gc__lg_head_put(x, e.feed, &h);
			if (rc != 0) {
				r->rv = gc_err_from_mdb(rc);
				return;
			}
		}
		r->status = GC_INGEST_FORK;
		r->rv     = GC_EFORK;
		snprintf(r->reason, sizeof(r->reason), "feed %s forked at seq %"
		    PRIu64 ": %s; proof stored, feed quarantined from seq %"
		    PRIu64, hex, e.seq, at_held ? "a different entry is held "
		    "for this seq" : "its prev does not match the held entry",
		    h.qseq);
		GC_LOG(GC_LOG_WARN, "LEDGER-FORK", "%s", r->reason);
		return;
	}
	if (e.seq > h.seq + 1) {
		r->status = GC_INGEST_GAP;
		r->rv     = GC_EGAP;
		snprintf(r->reason, sizeof(r->reason), "feed %s seq %" PRIu64
		    " arrived but this node holds up to seq %" PRIu64, hex,
		    e.seq, h.seq);
		return;
	}
	rv = store_entry(x, &e, &h);
	if (rv != GC_OK) {
		/* part of the entry may be written: the whole transaction
		 * must be abandoned, never committed */
		r->rv     = rv;
		x->failed = rv;
		snprintf(r->reason, sizeof(r->reason), "store failed: %s",
		    gc_strerror(rv));
		return;
	}
	r->status = GC_INGEST_ADDED;
	r->rv     = GC_OK;
}

/* After a proved fork, what the feed wrote past it stops counting: the
 * roster and enrollments (the authority's feed) and the captures, reviews
 * and voids (any feed). Rebuild the derived indexes and the merge. */
static gc_err
ingest_after_forks(struct lg_txn *x, const struct ingest_arg *a)
{
	for (size_t i = 0; i < a->n; i++) {
		if (a->res[i].status == GC_INGEST_FORK) {
			return gc__lg_reindex(x);
		}
	}
	return GC_OK;
}

static gc_err
ingest_txn(struct lg_txn *x, void *arg)
{
	struct ingest_arg *a = arg;
	gc_err             rv;

	if (a->authority != NULL) {
		rv = authority_set(x, a->authority, a->d);
		if (rv != GC_OK) {
			return rv;
		}
	}
	for (size_t i = 0; i < a->n; i++) {
		ingest_one(x, a->bytes[i], a->lens[i], &a->res[i]);
		if (x->map_full) {
			return GC_ETOOBIG; /* the runner grows and retries */
		}
		if (x->failed != GC_OK) {
			return x->failed;
		}
		/* a storage failure (not a verdict) fails the batch */
		if (a->res[i].status == GC_INGEST_REJECTED &&
		    (a->res[i].rv == GC_EIO || a->res[i].rv == GC_ENOMEM)) {
			return a->res[i].rv;
		}
	}
	rv = ingest_after_forks(x, a);
	if (rv == GC_OK && a->authority != NULL) {
		rv = enrolled_check(x, a->d);
	}
	return rv;
}

gc_err
gc_ledger_ingest(gc_ledger *lg, const uint8_t *const *bytes,
    const size_t *lens, size_t n, struct gc_ingest_result *res,
    struct gc_diag *d)
{
	struct ingest_arg a = { bytes, lens, n, res, NULL, d };
	uint64_t          hlc0 = lg->hlc.last;
	gc_err            rv;

	rv = lg_write(lg, ingest_txn, &a, d);
	if (rv != GC_OK) {
		lg->hlc.last = hlc0;
		return rv;
	}
	for (size_t i = 0, logged = 0; i < n; i++) {
		if (res[i].status == GC_INGEST_REJECTED) {
			char hex[17];

			/* a hostile batch must not flood the log */
			if (logged++ == 10) {
				GC_LOG(GC_LOG_WARN, "LEDGER-REJECT", "more entries "
				    "of this batch refused; not logged one by one");
			}
			if (logged > 10) {
				continue;
			}
			gc_id_hex(hex, res[i].id, 8);
			GC_LOG(GC_LOG_WARN, "LEDGER-REJECT", "entry %s: %s", hex,
			    res[i].reason);
		}
	}
	return GC_OK;
}

struct blob_arg {
	const uint8_t *hash, *data;
	size_t         len;
};

static gc_err
blob_txn(struct lg_txn *x, void *arg)
{
	struct blob_arg *a = arg;

	return put_blob_txn(x, a->hash, a->data, a->len);
}

gc_err
gc_ledger_put_blob(gc_ledger *lg, const uint8_t hash[32], const uint8_t *data,
    size_t len)
{
	uint8_t         h[32];
	struct blob_arg a = { hash, data, len };

	gc_sha256(h, data, len);
	if (memcmp(h, hash, 32) != 0) {
		return GC_ECORRUPT;
	}
	return lg_write(lg, blob_txn, &a, NULL);
}

gc_err
gc_ledger_enroll_install(gc_ledger *lg, const uint8_t authority[32],
    const uint8_t *const *bytes, const size_t *lens, size_t n,
    struct gc_ingest_result *res, struct gc_diag *d)
{
	struct ingest_arg a = { bytes, lens, n, res, authority, d };
	uint64_t          hlc0 = lg->hlc.last;
	gc_err            rv;

	rv = lg_write(lg, ingest_txn, &a, d);
	if (rv != GC_OK) {
		lg->hlc.last = hlc0;
	}
	return rv;
}

/* ---- reading ---- */

struct foreach_arg {
	const uint8_t *feed;
	uint64_t       from; /* with feed: the first seq */
	gc_entry_cb    cb;
	void          *arg;
};

static gc_err
foreach_txn(struct lg_txn *x, void *arg)
{
	struct foreach_arg *a = arg;
	MDB_cursor         *cur;
	MDB_val             k, v;
	uint8_t             start[40];
	int                 rc;
	MDB_cursor_op       op;

	rc = mdb_cursor_open(x->t, x->lg->entries, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	if (a->feed != NULL) {
		gc__lg_entry_key(start, a->feed, a->from);
		k.mv_data = start;
		k.mv_size = 40;
		op        = MDB_SET_RANGE;
	} else {
		op = MDB_FIRST;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, op); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct gc_entry e;

		if (k.mv_size != 40) {
			continue;
		}
		if (a->feed != NULL && memcmp(k.mv_data, a->feed, 32) != 0) {
			break;
		}
		if (gc_entry_parse(&e, v.mv_data, v.mv_size, NULL) != GC_OK) {
			memset(&e, 0, sizeof(e));
			e.bytes = v.mv_data;
			e.len   = v.mv_size;
			e.feed  = k.mv_data;
			e.seq   = gc_be64_get((const uint8_t *)k.mv_data + 32);
			gc_sha256(e.id, e.bytes, e.len);
		}
		if (a->cb(&e, a->arg) != 0) {
			break;
		}
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? GC_OK : gc_err_from_mdb(rc);
}

gc_err
gc_ledger_foreach(gc_ledger *lg, const uint8_t *feed, gc_entry_cb cb,
    void *arg)
{
	struct foreach_arg a = { feed, 0, cb, arg };

	return lg_read(lg, foreach_txn, &a);
}

gc_err
gc_ledger_range(gc_ledger *lg, const uint8_t feed[32], uint64_t from,
    gc_entry_cb cb, void *arg)
{
	struct foreach_arg a = { feed, from, cb, arg };

	return lg_read(lg, foreach_txn, &a);
}

struct get_arg {
	uint8_t         prefix[32];
	size_t          nbytes; /* whole bytes of the prefix */
	int             nibble; /* a trailing half byte, or -1 */
	uint8_t       **bytes;
	size_t         *len;
	struct gc_diag *d;
	const char     *hex;
};

static bool
id_matches(const struct get_arg *a, const uint8_t *id)
{
	if (memcmp(id, a->prefix, a->nbytes) != 0) {
		return false;
	}
	return a->nibble < 0 || (id[a->nbytes] >> 4) == a->nibble;
}

static gc_err
get_txn(struct lg_txn *x, void *arg)
{
	struct get_arg *a = arg;
	MDB_cursor     *cur;
	MDB_val         k, v, ev;
	uint8_t         found[40];
	int             n = 0, rc;

	rc = mdb_cursor_open(x->t, x->lg->ids, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	k.mv_data = a->prefix;
	k.mv_size = a->nbytes + (a->nibble >= 0);
	if (a->nibble >= 0) {
		a->prefix[a->nbytes] = (uint8_t)(a->nibble << 4);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 32 || !id_matches(a, k.mv_data)) {
			break;
		}
		if (++n > 1) {
			break;
		}
		if (v.mv_size == 40) {
			memcpy(found, v.mv_data, 40);
		}
	}
	mdb_cursor_close(cur);
	if (n == 0) {
		gc_diag_set(a->d, "no entry with id %s", a->hex);
		return GC_ENOTFOUND;
	}
	if (n > 1) {
		gc_diag_set(a->d, "id prefix %s matches more than one entry: "
		    "give more digits", a->hex);
		return GC_EAMBIGUOUS;
	}
	rc = gc__lg_get(x, x->lg->entries, found, 40, &ev);
	if (rc != 0) {
		gc_diag_set(a->d, "entry %s is indexed but missing", a->hex);
		return GC_ECORRUPT;
	}
	*a->bytes = gc_alloc(ev.mv_size);
	if (*a->bytes == NULL) {
		return GC_ENOMEM;
	}
	memcpy(*a->bytes, ev.mv_data, ev.mv_size);
	*a->len = ev.mv_size;
	return GC_OK;
}

gc_err
gc_ledger_get(gc_ledger *lg, const char *id_hex, uint8_t **bytes, size_t *len,
    struct gc_diag *d)
{
	struct get_arg a;
	size_t         n = strlen(id_hex);

	*bytes = NULL;
	memset(&a, 0, sizeof(a));
	a.bytes = bytes;
	a.len   = len;
	a.d     = d;
	a.hex   = id_hex;
	if (n < 8 || n > 64) {
		gc_diag_set(d, "entry id '%s': give 8 to 64 hex digits", id_hex);
		return GC_EINVAL;
	}
	a.nbytes = n / 2;
	a.nibble = -1;
	for (size_t i = 0; i < n; i++) {
		int c = id_hex[i], v;

		if (c >= '0' && c <= '9') {
			v = c - '0';
		} else if (c >= 'a' && c <= 'f') {
			v = c - 'a' + 10;
		} else if (c >= 'A' && c <= 'F') {
			v = c - 'A' + 10;
		} else {
			gc_diag_set(d, "entry id '%s': not hex", id_hex);
			return GC_EINVAL;
		}
		if (i / 2 < a.nbytes) {
			a.prefix[i / 2] |= (uint8_t)(i % 2 ? v : v << 4);
		} else {
			a.nibble = v;
		}
	}
	return lg_read(lg, get_txn, &a);
}

struct heads_arg {
	gc_head_cb cb;
	void      *arg;
};

static gc_err
heads_txn(struct lg_txn *x, void *arg)
{
	struct heads_arg *a = arg;
	MDB_cursor       *cur;
	MDB_val           k, v;
	int               rc;

	rc = mdb_cursor_open(x->t, x->lg->heads, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct lg_head h;
		struct gc_head out;

		if (k.mv_size != 32 || !gc__lg_head_get(x, k.mv_data, &h)) {
			continue;
		}
		memcpy(out.feed, k.mv_data, 32);
		out.seq = h.seq;
		memcpy(out.hash, h.hash, 32);
		out.quarantined = h.quarantined;
		out.qseq        = h.qseq;
		out.nforks      = h.nforks;
		if (a->cb(&out, a->arg) != 0) {
			break;
		}
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

gc_err
gc_ledger_heads(gc_ledger *lg, gc_head_cb cb, void *arg)
{
	struct heads_arg a = { cb, arg };

	return lg_read(lg, heads_txn, &a);
}

static gc_err
counts_txn(struct lg_txn *x, void *arg)
{
	struct gc_ledger_counts *c = arg;
	MDB_stat                 s;
	MDB_cursor              *cur;
	MDB_val                  k, v;
	int                      rc;

	memset(c, 0, sizeof(*c));
	mdb_stat(x->t, x->lg->heads, &s);
	c->feeds = s.ms_entries;
	mdb_stat(x->t, x->lg->entries, &s);
	c->entries = s.ms_entries;
	mdb_stat(x->t, x->lg->blobs, &s);
	c->blobs = s.ms_entries;
	mdb_stat(x->t, x->lg->missing, &s);
	c->missing_blobs = s.ms_entries;
	if (!x->lg->no_partial &&
	    mdb_cursor_open(x->t, x->lg->partial, &cur) == 0) {
		/* progress records are the 32-byte keys: total ‖ committed */
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
		     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (k.mv_size == 32 && v.mv_size == 16) {
				c->partial_blobs++;
				c->partial_bytes += gc_le64_get(
				    (const uint8_t *)v.mv_data + 8);
			}
		}
		mdb_cursor_close(cur);
	}
	mdb_stat(x->t, x->lg->forks, &s);
	c->forks = s.ms_entries;
	mdb_stat(x->t, x->lg->students, &s);
	c->students = s.ms_entries;
	if (mdb_cursor_open(x->t, x->lg->enroll, &cur) == 0) {
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
		     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			struct gc_enrollment en;

			if (gc__lg_enroll_decode(&v, &en) == GC_OK) {
				if (en.revoked) {
					c->revoked++;
				} else {
					c->enrolled++;
				}
			}
		}
		mdb_cursor_close(cur);
	}
	if (mdb_cursor_open(x->t, x->lg->blobs, &cur) == 0) {
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
		     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			c->blob_bytes += v.mv_size;
		}
		mdb_cursor_close(cur);
	}
	return GC_OK;
}

gc_err
gc_ledger_counts(gc_ledger *lg, struct gc_ledger_counts *c)
{
	return lg_read(lg, counts_txn, c);
}

gc_err
gc__lg_read(gc_ledger *lg, lg_txn_fn fn, void *arg)
{
	return lg_read(lg, fn, arg);
}

gc_err
gc__lg_write(gc_ledger *lg, lg_txn_fn fn, void *arg, struct gc_diag *d)
{
	return lg_write(lg, fn, arg, d);
}
