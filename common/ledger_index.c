/* Derived indexes: enrollments (from the authority's ENROLL and REVOKE
 * entries) and the roster (from its ROSTER entries, last writer wins by
 * (hlc, entry id), so the result does not depend on arrival order). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/bytes.h"
#include "common/cbor.h"
#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "common/invite.h"
#include "common/ledger_int.h"
#include "common/records.h"
#include "common/rosterdb.h"

/* ROSTER row map keys (docs/formats.md). */
enum {
	ROW_KEY        = 0,
	ROW_ID_NUMBER  = 3,
	ROW_STUDENT_NO = 8,
	ROW_EXAM_NO    = 9,
	ROW_NFIELDS    = 16
};

/* ---- enrollments ---- */

/* Record: ver(1) role(1) revoked(1) has_fp(1) max_seq(8) not_before(8)
 * not_after(8) fp(32) entry_id(32) school(16) name(rest). */
#define ENR_FIXED 108

static int
enroll_put(struct lg_txn *x, const struct gc_enrollment *en)
{
	uint8_t p[ENR_FIXED + GC_NAME_MAX];
	size_t  nl = strlen(en->name);

	memset(p, 0, sizeof(p));
	p[0] = 1;
	p[1] = (uint8_t)en->role;
	p[2] = en->revoked;
	p[3] = en->has_tls_fp;
	gc_le64_put(p + 4, en->max_seq);
	gc_le64_put(p + 12, en->not_before);
	gc_le64_put(p + 20, en->not_after);
	memcpy(p + 28, en->tls_fp, 32);
	memcpy(p + 60, en->entry_id, 32);
	memcpy(p + 92, en->school, strnlen(en->school, 15));
	memcpy(p + ENR_FIXED, en->name, nl);
	return gc__lg_put(x, x->lg->enroll, en->pk, 32, p, ENR_FIXED + nl, 0);
}

gc_err
gc__lg_enroll_decode(const MDB_val *v, struct gc_enrollment *out)
{
	const uint8_t *p = v->mv_data;
	size_t         nl;

	memset(out, 0, sizeof(*out));
	if (v->mv_size < ENR_FIXED || p[0] != 1 ||
	    v->mv_size - ENR_FIXED >= GC_NAME_MAX) {
		return GC_ECORRUPT;
	}
	out->role       = (enum gc_role)p[1];
	out->revoked    = p[2] != 0;
	out->has_tls_fp = p[3] != 0;
	out->max_seq    = gc_le64_get(p + 4);
	out->not_before = gc_le64_get(p + 12);
	out->not_after  = gc_le64_get(p + 20);
	memcpy(out->tls_fp, p + 28, 32);
	memcpy(out->entry_id, p + 60, 32);
	memcpy(out->school, p + 92, 15);
	nl = v->mv_size - ENR_FIXED;
	memcpy(out->name, p + ENR_FIXED, nl);
	out->name[nl] = '\0';
	return GC_OK;
}

gc_err
gc_enrollment_parse(const struct gc_entry *e, struct gc_enrollment *out)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[8];
	const uint8_t       *p;
	size_t               n;
	char                 role[32];

	gc_cbor_cur_init(&c, e->body, e->body_len);
	if (gc_cbor_map_fields(&c, f, 8) != GC_OK ||
	    !gc_cbor_field_bytes(&f[0], &p, &n) || n != 32) {
		return GC_ECORRUPT;
	}
	memcpy(out->pk, p, 32);
	memcpy(out->entry_id, e->id, 32);
	if (e->kind == GC_KIND_REVOKE) {
		out->revoked = true;
		if (!gc_cbor_field_uint(&f[2], &out->max_seq)) {
			return GC_ECORRUPT;
		}
		return GC_OK;
	}
	if (!gc_cbor_field_strcpy(&f[1], role, sizeof(role)) ||
	    !gc_cbor_field_strcpy(&f[2], out->name, sizeof(out->name)) ||
	    !gc_cbor_field_strcpy(&f[3], out->school, sizeof(out->school))) {
		return GC_ECORRUPT;
	}
	out->role = gc_role_parse(role);
	if (out->role == GC_ROLE_NONE) {
		return GC_ECORRUPT;
	}
	gc_cbor_field_uint(&f[4], &out->not_before);
	gc_cbor_field_uint(&f[5], &out->not_after);
	if (gc_cbor_field_bytes(&f[6], &p, &n) && n == 32) {
		out->has_tls_fp = true;
		memcpy(out->tls_fp, p, 32);
	}
	out->tls_cert     = NULL;
	out->tls_cert_len = 0;
	if (gc_cbor_field_bytes(&f[7], &p, &n) && n > 0) {
		out->tls_cert     = p;
		out->tls_cert_len = n;
	}
	out->revoked = false;
	out->max_seq = 0;
	return GC_OK;
}

void
gc_enrollment_encode(struct gc_buf *b, const struct gc_enrollment *en,
    bool revoke, const char *reason)
{
	if (revoke) {
		gc_cbor_map(b, 3);
		gc_cbor_uint(b, 0);
		gc_cbor_bytes(b, en->pk, 32);
		gc_cbor_uint(b, 1);
		gc_cbor_text(b, reason != NULL ? reason : "");
		gc_cbor_uint(b, 2);
		gc_cbor_uint(b, en->max_seq);
		return;
	}
	gc_cbor_map(b, 6 + (en->has_tls_fp ? 1 : 0) +
	    (en->tls_cert_len > 0 ? 1 : 0));
	gc_cbor_uint(b, 0);
	gc_cbor_bytes(b, en->pk, 32);
	gc_cbor_uint(b, 1);
	gc_cbor_text(b, gc_role_name(en->role));
	gc_cbor_uint(b, 2);
	gc_cbor_text(b, en->name);
	gc_cbor_uint(b, 3);
	gc_cbor_text(b, en->school);
	gc_cbor_uint(b, 4);
	gc_cbor_uint(b, en->not_before);
	gc_cbor_uint(b, 5);
	gc_cbor_uint(b, en->not_after);
	if (en->has_tls_fp) {
		gc_cbor_uint(b, 6);
		gc_cbor_bytes(b, en->tls_fp, 32);
	}
	if (en->tls_cert_len > 0) {
		gc_cbor_uint(b, 7);
		gc_cbor_bytes(b, en->tls_cert, en->tls_cert_len);
	}
}

static gc_err
index_enroll(struct lg_txn *x, const struct gc_entry *e)
{
	struct gc_enrollment en, old;
	MDB_val              v;

	memset(&en, 0, sizeof(en));
	if (e->kind == GC_KIND_REVOKE) {
		uint8_t pk[32];

		if (gc_enrollment_parse(e, &en) != GC_OK) {
			return GC_OK; /* verified but unusable: ignored */
		}
		memcpy(pk, en.pk, 32);
		if (gc__lg_get(x, x->lg->enroll, pk, 32, &v) == 0 &&
		    gc__lg_enroll_decode(&v, &old) == GC_OK) {
			memcpy(old.pk, pk, 32); /* the key is not in the value */
			old.revoked = true;
			old.max_seq = en.max_seq;
			return gc_err_from_mdb(enroll_put(x, &old));
		}
		return gc_err_from_mdb(enroll_put(x, &en));
	}
	if (gc_enrollment_parse(e, &en) != GC_OK) {
		return GC_OK;
	}
	return gc_err_from_mdb(enroll_put(x, &en));
}

/* ---- roster ---- */

static int
sidx_op(struct lg_txn *x, const char *kind, const struct gc_cbor_field *f,
    const char *key, size_t klen, bool add)
{
	char        k[160];
	const char *s;
	size_t      n;
	MDB_val     kv, vv;

	if (!gc_cbor_field_text(f, &s, &n) || n == 0 || n > 120) {
		return 0;
	}
	snprintf(k, sizeof(k), "%s:%.*s", kind, (int)n, s);
	if (add) {
		kv.mv_size = strlen(k);
		kv.mv_data = k;
		vv.mv_size = klen;
		vv.mv_data = (void *)key;
		{
			int rc = mdb_put(x->t, x->lg->sidx, &kv, &vv,
			    MDB_NODUPDATA);

			if (rc == MDB_MAP_FULL) {
				x->map_full = true;
			}
			return rc == MDB_KEYEXIST ? 0 : rc;
		}
	}
	return gc__lg_del(x, x->lg->sidx, k, strlen(k), key, klen);
}

static int
sidx_row(struct lg_txn *x, const uint8_t *row, size_t len, const char *key,
    size_t klen, bool add)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[ROW_NFIELDS];
	int                  rc;

	gc_cbor_cur_init(&c, row, len);
	if (gc_cbor_map_fields(&c, f, ROW_NFIELDS) != GC_OK) {
		return 0;
	}
	rc = sidx_op(x, "id", &f[ROW_ID_NUMBER], key, klen, add);
	if (rc == 0) {
		rc = sidx_op(x, "xh", &f[ROW_STUDENT_NO], key, klen, add);
	}
	if (rc == 0) {
		rc = sidx_op(x, "ksh", &f[ROW_EXAM_NO], key, klen, add);
	}
	return rc;
}

bool
gc__lg_removed(struct lg_txn *x, const void *key, size_t n)
{
	MDB_val v;

	return !x->lg->no_gone && gc__lg_get(x, x->lg->sgone, key, n, &v) == 0;
}

/* One row of a ROSTER entry: the row with the greatest (hlc, entry id)
 * counts, whether it lives in `students` (with its sidx lookups) or, when
 * it says the student was removed, in `sgone` (no lookups). */
static gc_err
roster_row(struct lg_txn *x, const struct gc_entry *e, const uint8_t *row,
    size_t rlen, const char *key, size_t klen, uint8_t **val, size_t *cap)
{
	MDB_val  old;
	MDB_dbi  where = x->lg->students;
	bool     found, removed;
	int      rc;

	found = gc__lg_get(x, x->lg->students, key, klen, &old) == 0;
	if (!found && !x->lg->no_gone &&
	    gc__lg_get(x, x->lg->sgone, key, klen, &old) == 0) {
		found = true;
		where = x->lg->sgone;
	}
	if (found && old.mv_size >= 40) {
		const uint8_t *op   = old.mv_data;
		uint64_t       ohlc = gc_le64_get(op);

		/* last writer wins by (hlc, entry id) */
		if (ohlc > e->hlc || (ohlc == e->hlc &&
		    memcmp(op + 8, e->id, 32) >= 0)) {
			return GC_OK;
		}
	}
	if (found && where == x->lg->students && old.mv_size >= 40) {
		/* LMDB data is valid only until the next update: copy the
		 * old row before deleting its index entries */
		uint8_t *copy = gc_alloc(old.mv_size);
		size_t   ol   = old.mv_size;

		if (copy == NULL) {
			return GC_ENOMEM;
		}
		memcpy(copy, old.mv_data, ol);
		rc = sidx_row(x, copy + 40, ol - 40, key, klen, false);
		gc_free(copy);
		if (rc != 0) {
			return gc_err_from_mdb(rc);
		}
	}
	removed = (gc_row_map_flags(row, rlen) & GC_ROWF_REMOVED) != 0;
	if (removed && x->lg->no_gone) {
		return GC_OK; /* read-only open of an old node: never written */
	}
	if (found && (where == x->lg->sgone) != removed) {
		rc = gc__lg_del(x, where, key, klen, NULL, 0);
		if (rc != 0) {
			return gc_err_from_mdb(rc);
		}
	}
	if (40 + rlen > *cap) {
		uint8_t *nv = gc_realloc(*val, 40 + rlen);

		if (nv == NULL) {
			return GC_ENOMEM;
		}
		*val = nv;
		*cap = 40 + rlen;
	}
	gc_le64_put(*val, e->hlc);
	memcpy(*val + 8, e->id, 32);
	memcpy(*val + 40, row, rlen);
	rc = gc__lg_put(x, removed ? x->lg->sgone : x->lg->students, key, klen,
	    *val, 40 + rlen, 0);
	if (rc == 0 && !removed) {
		rc = sidx_row(x, row, rlen, key, klen, true);
	}
	return gc_err_from_mdb(rc);
}

static gc_err
index_roster(struct lg_txn *x, const struct gc_entry *e)
{
	struct gc_cbor_cur   c, rc_cur;
	struct gc_cbor_field f[3];
	struct gc_cbor_item  it;
	uint8_t             *val = NULL;
	size_t               cap = 0;
	gc_err               rv  = GC_OK;

	gc_cbor_cur_init(&c, e->body, e->body_len);
	if (gc_cbor_map_fields(&c, f, 3) != GC_OK || f[2].p == NULL) {
		return GC_OK;
	}
	gc_cbor_cur_init(&rc_cur, f[2].p, f[2].len);
	if (gc_cbor_next(&rc_cur, &it) != GC_OK || it.type != GC_CBOR_ARRAY) {
		return GC_OK;
	}
	for (uint64_t i = 0; i < it.val && rv == GC_OK; i++) {
		const uint8_t       *row = rc_cur.p;
		size_t               rlen;
		struct gc_cbor_cur   rcur;
		struct gc_cbor_field rf[1];
		const char          *key;
		size_t               klen;

		if (gc_cbor_skip(&rc_cur) != GC_OK) {
			break;
		}
		rlen = (size_t)(rc_cur.p - row);
		gc_cbor_cur_init(&rcur, row, rlen);
		if (gc_cbor_map_fields(&rcur, rf, 1) != GC_OK ||
		    !gc_cbor_field_text(&rf[0], &key, &klen) || klen == 0 ||
		    klen >= 80) {
			continue;
		}
		rv = roster_row(x, e, row, rlen, key, klen, &val, &cap);
	}
	gc_free(val);
	return rv;
}

/* ---- sessions and captures ---- */

/* sessions: "s:" + feed (32) + id -> SESSION_OPEN entry id (32) ‖ closed
 * (1); "o:" + feed (32) -> id of the session open on that feed. Keyed by
 * feed: a session id means something only within the feed that opened
 * it, so no other site can touch this node's sessions. */
static size_t
session_key(uint8_t k[2 + 32 + GC_SESSION_ID_LEN], const uint8_t feed[32],
    const char *id)
{
	size_t n = strlen(id);

	memcpy(k, "s:", 2);
	memcpy(k + 2, feed, 32);
	memcpy(k + 34, id, n);
	return 34 + n;
}

/* INVITE: each row's code becomes the student's, unless the student's
 * stored invitation is later (hlc, then entry id): the latest stands
 * whatever order the entries come in. */
struct inv_arg {
	struct lg_txn         *x;
	const struct gc_entry *e;
	int                    rc;
};

static int
invite_row(const struct gc_invite_row *r, void *arg)
{
	struct inv_arg *a = arg;
	uint8_t         sk[2 + 80], ck[2 + 32], val[8 + 32 + 32], cur[8 + 32];
	size_t          kl = strlen(r->student);
	MDB_val         v;

	memcpy(sk, "s:", 2);
	memcpy(sk + 2, r->student, kl);
	for (int i = 0; i < 8; i++) {
		cur[i] = (uint8_t)(a->e->hlc >> (56 - 8 * i)); /* big-endian */
	}
	memcpy(cur + 8, a->e->id, 32);
	if (gc__lg_get(a->x, a->x->lg->invites, sk, 2 + kl, &v) == 0 &&
	    v.mv_size == sizeof(val)) {
		if (memcmp(v.mv_data, cur, sizeof(cur)) >= 0) {
			return 0; /* a later (or the same) invitation stands */
		}
		memcpy(ck, "c:", 2);
		memcpy(ck + 2, (const uint8_t *)v.mv_data + 40, 32);
		a->rc = gc__lg_del(a->x, a->x->lg->invites, ck, sizeof(ck), NULL,
		    0);
		if (a->rc == MDB_NOTFOUND) {
			a->rc = 0;
		}
		if (a->rc != 0) {
			return 1;
		}
	}
	memcpy(val, cur, sizeof(cur));
	memcpy(val + 40, r->hash, 32);
	memcpy(ck, "c:", 2);
	memcpy(ck + 2, r->hash, 32);
	a->rc = gc__lg_put(a->x, a->x->lg->invites, sk, 2 + kl, val,
	    sizeof(val), 0);
	if (a->rc == 0) {
		a->rc = gc__lg_put(a->x, a->x->lg->invites, ck, sizeof(ck),
		    r->student, kl, 0);
	}
	return a->rc != 0;
}

static gc_err
index_invite(struct lg_txn *x, const struct gc_entry *e)
{
	struct inv_arg a = { x, e, 0 };

	if (x->lg->no_invites) {
		return GC_OK; /* read-only open of an older node */
	}
	if (gc_invite_decode(e->body, e->body_len, NULL, 0, invite_row, &a) !=
	    GC_OK) {
		return GC_OK; /* signed but unusable: not indexed */
	}
	if (a.rc == MDB_MAP_FULL) {
		x->map_full = true;
	}
	return gc_err_from_mdb(a.rc);
}

static gc_err
index_session(struct lg_txn *x, const struct gc_entry *e)
{
	char    id[GC_SESSION_ID_LEN];
	uint8_t k[2 + 32 + GC_SESSION_ID_LEN], okey[34], val[33];
	size_t  kl;
	MDB_val v;
	int     rc;

	memcpy(okey, "o:", 2);
	memcpy(okey + 2, e->feed, 32);
	if (e->kind == GC_KIND_SESSION_OPEN) {
		struct gc_session_rec s;

		if (gc_session_open_decode(e->body, e->body_len, &s) != GC_OK) {
			return GC_OK; /* signed but unusable: not indexed */
		}
		kl = session_key(k, e->feed, s.id);
		memcpy(val, e->id, 32);
		val[32] = 0;
		rc      = gc__lg_put(x, x->lg->sessions, k, kl, val, 33, 0);
		if (rc == 0) {
			rc = gc__lg_put(x, x->lg->sessions, okey, 34, s.id,
			    strlen(s.id), 0);
		}
		return gc_err_from_mdb(rc);
	}
	if (gc_session_close_decode(e->body, e->body_len, id) != GC_OK) {
		return GC_OK;
	}
	kl = session_key(k, e->feed, id);
	if (gc__lg_get(x, x->lg->sessions, k, kl, &v) == 0 && v.mv_size == 33) {
		memcpy(val, v.mv_data, 33);
		val[32] = 1;
		rc      = gc__lg_put(x, x->lg->sessions, k, kl, val, 33, 0);
		if (rc != 0) {
			return gc_err_from_mdb(rc);
		}
	}
	/* the feed's open session is this one no longer */
	if (gc__lg_get(x, x->lg->sessions, okey, 34, &v) == 0 &&
	    v.mv_size == strlen(id) && memcmp(v.mv_data, id, v.mv_size) == 0) {
		return gc_err_from_mdb(gc__lg_del(x, x->lg->sessions, okey, 34,
		    NULL, 0));
	}
	return GC_OK;
}

/* caps: student key -> CAPTURE entry ids; codes: code hash -> ids. */
static gc_err
index_capture(struct lg_txn *x, const struct gc_entry *e)
{
	struct gc_capture_rec c;
	MDB_val               k, v;
	int                   rc;

	if (gc_capture_decode(e->body, e->body_len, &c) != GC_OK) {
		return GC_OK; /* signed but unusable: not indexed */
	}
	k.mv_data = c.student;
	k.mv_size = strlen(c.student);
	v.mv_data = (void *)e->id;
	v.mv_size = 32;
	rc        = mdb_put(x->t, x->lg->caps, &k, &v, MDB_NODUPDATA);
	if (rc == 0 && c.has_code) {
		k.mv_data = c.code_hash;
		k.mv_size = 32;
		rc        = mdb_put(x->t, x->lg->codes, &k, &v, MDB_NODUPDATA);
	}
	if (rc == MDB_MAP_FULL) {
		x->map_full = true;
	}
	return gc_err_from_mdb(rc == MDB_KEYEXIST ? 0 : rc);
}

gc_err
gc__lg_index_apply(struct lg_txn *x, const struct gc_entry *e)
{
	MDB_val v;
	gc_err  rv = gc__lg_merge_apply(x, e);

	if (rv != GC_OK) {
		return rv;
	}
	/* Sessions and captures of every verified feed. */
	switch (e->kind) {
	case GC_KIND_SESSION_OPEN:
	case GC_KIND_SESSION_CLOSE:
		return index_session(x, e);
	case GC_KIND_CAPTURE:
		return index_capture(x, e);
	case GC_KIND_STUDENT_CHECK:
		return gc__lg_index_check(x, e);
	default:
		break;
	}
	/* Enrollments and the roster come from the school authority only. */
	if (!gc__lg_meta_get(x, "authority", &v) || v.mv_size != 32 ||
	    memcmp(v.mv_data, e->feed, 32) != 0) {
		return GC_OK;
	}
	switch (e->kind) {
	case GC_KIND_ENROLL:
	case GC_KIND_REVOKE:
		return index_enroll(x, e);
	case GC_KIND_ROSTER:
		gc__lg_merge_roster_changed(x);
		return index_roster(x, e);
	case GC_KIND_INVITE:
		return index_invite(x, e);
	default:
		return GC_OK;
	}
}

/* ---- queries ---- */

struct enrollments_arg {
	gc_enroll_cb         cb;
	void                *arg;
	const uint8_t       *pk;
	struct gc_enrollment *out;
};

static gc_err
enrollment_txn(struct lg_txn *x, void *arg)
{
	struct enrollments_arg *a = arg;
	MDB_val                 v;

	if (gc__lg_get(x, x->lg->enroll, a->pk, 32, &v) != 0) {
		return GC_ENOTFOUND;
	}
	if (gc__lg_enroll_decode(&v, a->out) != GC_OK) {
		return GC_ECORRUPT;
	}
	memcpy(a->out->pk, a->pk, 32);
	return GC_OK;
}

gc_err
gc_ledger_enrollment(gc_ledger *lg, const uint8_t pk[32],
    struct gc_enrollment *out)
{
	struct enrollments_arg a = { NULL, NULL, pk, out };

	return gc__lg_read(lg, enrollment_txn, &a);
}

static gc_err
enrollments_txn(struct lg_txn *x, void *arg)
{
	struct enrollments_arg *a = arg;
	MDB_cursor             *cur;
	MDB_val                 k, v;
	int                     rc;

	rc = mdb_cursor_open(x->t, x->lg->enroll, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct gc_enrollment en;

		if (k.mv_size != 32 || gc__lg_enroll_decode(&v, &en) != GC_OK) {
			continue;
		}
		memcpy(en.pk, k.mv_data, 32);
		if (a->cb(&en, a->arg) != 0) {
			break;
		}
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

gc_err
gc_ledger_enrollments(gc_ledger *lg, gc_enroll_cb cb, void *arg)
{
	struct enrollments_arg a = { cb, arg, NULL, NULL };

	return gc__lg_read(lg, enrollments_txn, &a);
}

struct students_arg {
	gc_student_cb cb;
	void         *arg;
	bool          removed;
};

static void
student_rec(struct gc_student_rec *r, const MDB_val *k, const MDB_val *v)
{
	const uint8_t *p = v->mv_data;

	r->key     = k->mv_data;
	r->key_len = k->mv_size;
	r->hlc     = gc_le64_get(p);
	memcpy(r->entry_id, p + 8, 32);
	r->row     = p + 40;
	r->row_len = v->mv_size - 40;
}

static gc_err
students_txn(struct lg_txn *x, void *arg)
{
	struct students_arg *a = arg;
	MDB_cursor          *cur;
	MDB_val              k, v;
	int                  rc;

	if (a->removed && x->lg->no_gone) {
		return GC_OK;
	}
	rc = mdb_cursor_open(x->t, a->removed ? x->lg->sgone :
	    x->lg->students, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct gc_student_rec r;

		if (v.mv_size < 40) {
			continue;
		}
		student_rec(&r, &k, &v);
		if (a->cb(&r, a->arg) != 0) {
			break;
		}
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

gc_err
gc_ledger_students(gc_ledger *lg, gc_student_cb cb, void *arg)
{
	struct students_arg a = { cb, arg, false };

	return gc__lg_read(lg, students_txn, &a);
}

gc_err
gc_ledger_removed_students(gc_ledger *lg, gc_student_cb cb, void *arg)
{
	struct students_arg a = { cb, arg, true };

	return gc__lg_read(lg, students_txn, &a);
}

struct student_get_arg {
	const char *key;
	uint8_t   **row;
	size_t     *row_len;
	uint64_t   *hlc;
	uint8_t    *entry_id;
	bool        removed; /* from sgone: the removed students */
};

static gc_err
student_get_txn(struct lg_txn *x, void *arg)
{
	struct student_get_arg *a = arg;
	MDB_val                 v, k;
	struct gc_student_rec   r;

	if ((a->removed && x->lg->no_gone) ||
	    gc__lg_get(x, a->removed ? x->lg->sgone : x->lg->students, a->key,
	    strlen(a->key), &v) != 0 || v.mv_size < 40) {
		return GC_ENOTFOUND;
	}
	k.mv_data = (void *)a->key;
	k.mv_size = strlen(a->key);
	student_rec(&r, &k, &v);
	*a->row = gc_alloc(r.row_len);
	if (*a->row == NULL) {
		return GC_ENOMEM;
	}
	memcpy(*a->row, r.row, r.row_len);
	*a->row_len = r.row_len;
	if (a->hlc != NULL) {
		*a->hlc = r.hlc;
	}
	if (a->entry_id != NULL) {
		memcpy(a->entry_id, r.entry_id, 32);
	}
	return GC_OK;
}

gc_err
gc_ledger_student_get(gc_ledger *lg, const char *key, uint8_t **row,
    size_t *row_len, uint64_t *hlc, uint8_t entry_id[32])
{
	struct student_get_arg a = { key, row, row_len, hlc, entry_id, false };

	*row = NULL;
	return gc__lg_read(lg, student_get_txn, &a);
}

gc_err
gc_ledger_removed_get(gc_ledger *lg, const char *key, uint8_t **row,
    size_t *row_len, uint64_t *hlc, uint8_t entry_id[32])
{
	struct student_get_arg a = { key, row, row_len, hlc, entry_id, true };

	*row = NULL;
	return gc__lg_read(lg, student_get_txn, &a);
}

struct lookup_arg {
	const char *k;
	char (*keys)[80];
	size_t max, n;
};

static gc_err
lookup_txn(struct lg_txn *x, void *arg)
{
	struct lookup_arg *a = arg;
	MDB_cursor        *cur;
	MDB_val            k, v;
	int                rc;

	k.mv_data = (void *)a->k;
	k.mv_size = strlen(a->k);
	rc        = mdb_cursor_open(x->t, x->lg->sidx, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
		bool seen = false;

		for (size_t i = 0; i < a->n && i < a->max; i++) {
			if (strlen(a->keys[i]) == v.mv_size &&
			    memcmp(a->keys[i], v.mv_data, v.mv_size) == 0) {
				seen = true;
			}
		}
		if (seen || v.mv_size >= 80) {
			continue; /* keys are < 80 bytes (index_roster) */
		}
		if (a->n < a->max) {
			memcpy(a->keys[a->n], v.mv_data, v.mv_size);
			a->keys[a->n][v.mv_size] = '\0';
		}
		a->n++;
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

size_t
gc_ledger_lookup(gc_ledger *lg, const char *kind, const char *value,
    char (*keys_out)[80], size_t max)
{
	char              k[160];
	struct lookup_arg a;

	snprintf(k, sizeof(k), "%s:%s", kind, value);
	a.k    = k;
	a.keys = keys_out;
	a.max  = max;
	a.n    = 0;
	if (gc__lg_read(lg, lookup_txn, &a) != GC_OK) {
		return 0;
	}
	return a.n;
}

gc_err
gc_ledger_student_find(gc_ledger *lg, const char *ref, char key_out[80],
    struct gc_diag *d)
{
	char        keys[8][80];
	size_t      n = 0;
	uint8_t    *row;
	size_t      rl;
	char        up[80];
	const char *kinds[] = { "id", "xh", "ksh" };

	if (strlen(ref) == 0 || strlen(ref) >= 72) {
		gc_diag_set(d, "student '%s': give an ID number, 学号, 考生号 or "
		    "student key", ref);
		return GC_EINVAL;
	}
	if (strchr(ref, ':') != NULL &&
	    gc_ledger_student_get(lg, ref, &row, &rl, NULL, NULL) == GC_OK) {
		gc_free(row);
		snprintf(key_out, 80, "%s", ref);
		return GC_OK;
	}
	for (size_t i = 0; ref[i] != '\0' && i < sizeof(up) - 1; i++) {
		up[i]     = ref[i] == 'x' ? 'X' : ref[i];
		up[i + 1] = '\0';
	}
	for (size_t k = 0; k < 3; k++) {
		char   found[8][80];
		size_t m = gc_ledger_lookup(lg, kinds[k], k == 0 ? up : ref,
		    found, 8);

		for (size_t i = 0; i < m && i < 8; i++) {
			bool seen = false;

			for (size_t j = 0; j < n && j < 8; j++) {
				seen |= strcmp(keys[j], found[i]) == 0;
			}
			if (!seen) {
				if (n < 8) {
					memcpy(keys[n], found[i], 80);
				}
				n++;
			}
		}
	}
	if (n == 0) {
		/* the other form of a resident number: a new 18-digit card
		 * for a roster that still says 15 digits, or the other way;
		 * else the number as stored (full-width digits and letters
		 * to ASCII, uppercase: 南字第０１２３４５６号) */
		struct gc_idnum idn;
		char            alt[sizeof(idn.normalized)] = "";

		if (strlen(up) == 15 && gc_idnum_check(&idn, up, '1', 0) ==
		    GC_OK && idn.upgraded[0] != '\0') {
			snprintf(alt, sizeof(alt), "%s", idn.upgraded);
		} else if (strlen(up) == 18 && up[6] == '1' && up[7] == '9' &&
		    gc_idnum_check(&idn, up, '1', 0) == GC_OK) {
			snprintf(alt, sizeof(alt), "%.6s%.9s", up, up + 8);
		} else if (gc_idnum_check(&idn, ref, 'Z', 0) == GC_OK &&
		    strcmp(idn.normalized, up) != 0) {
			snprintf(alt, sizeof(alt), "%s", idn.normalized);
		}
		if (alt[0] != '\0') {
			n = gc_ledger_lookup(lg, "id", alt, keys, 8);
		}
	}
	if (n == 0) {
		gc_diag_set(d, "student '%s' is not on the roster (no such ID "
		    "number, 学号 or 考生号)", ref);
		return GC_ENOTFOUND;
	}
	if (n > 1) {
		gc_diag_set(d, "student '%s' is ambiguous: it names %zu students "
		    "(%s, %s%s); give the student key", ref, n, keys[0],
		    keys[1], n > 2 ? ", ..." : "");
		return GC_EAMBIGUOUS;
	}
	snprintf(key_out, 80, "%s", keys[0]);
	return GC_OK;
}

/* ---- reindex ---- */

gc_err
gc__lg_reindex(struct lg_txn *x)
{
	MDB_cursor    *cur;
	MDB_val        k, v;
	int            rc;
	gc_err         rv = GC_OK;
	uint8_t        feed[32];
	struct lg_head h;
	bool           have_head = false;

	if (mdb_drop(x->t, x->lg->enroll, 0) || mdb_drop(x->t,
	    x->lg->students, 0) || mdb_drop(x->t, x->lg->sidx, 0) ||
	    mdb_drop(x->t, x->lg->missing, 0) || mdb_drop(x->t,
	    x->lg->sessions, 0) || mdb_drop(x->t, x->lg->caps, 0) ||
	    mdb_drop(x->t, x->lg->codes, 0) || (!x->lg->no_gone &&
	    mdb_drop(x->t, x->lg->sgone, 0)) || (!x->lg->no_invites &&
	    mdb_drop(x->t, x->lg->invites, 0)) || (!x->lg->no_checks &&
	    mdb_drop(x->t, x->lg->checks, 0)) || gc__lg_merge_drop(x) != GC_OK) {
		return GC_EIO;
	}
	x->mbulk = true; /* the merge inputs only; redone in full at commit */
	rc = mdb_cursor_open(x->t, x->lg->entries, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	/* Entries come in (feed, seq) order; the indexes are order-free
	 * except for one feed's own sequence, which this keeps. */
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && rv == GC_OK;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct gc_entry e;

		if (gc_entry_parse(&e, v.mv_data, v.mv_size, NULL) != GC_OK) {
			continue;
		}
		if (!have_head || memcmp(feed, e.feed, 32) != 0) {
			memcpy(feed, e.feed, 32);
			have_head = gc__lg_head_get(x, feed, &h);
		}
		for (size_t i = 0; rv == GC_OK && i < e.nblobs; i++) {
			const uint8_t *b = gc_entry_blob(&e, i);
			MDB_val        bv;

			if (gc__lg_get(x, x->lg->blobs, b, 32, &bv) != 0) {
				rv = gc_err_from_mdb(gc__lg_put(x,
				    x->lg->missing, b, 32, e.id, 32, 0));
			}
		}
		if (rv == GC_OK && !(have_head && h.quarantined && e.seq >= h.qseq)) {
			rv = gc__lg_index_apply(x, &e);
		}
	}
	mdb_cursor_close(cur);
	x->mbulk = false;
	x->mfull = true;
	return rv;
}

static gc_err
reindex_txn(struct lg_txn *x, void *arg)
{
	(void)arg;
	return gc__lg_reindex(x);
}

gc_err
gc_ledger_reindex(gc_ledger *lg, struct gc_diag *d)
{
	return gc__lg_write(lg, reindex_txn, NULL, d);
}

/* ---- session and capture queries ---- */

struct session_arg {
	const uint8_t         *feed;
	struct gc_session_rec *out;
};

static gc_err
session_txn(struct lg_txn *x, void *arg)
{
	struct session_arg *a = arg;
	uint8_t             okey[34], k[2 + 32 + GC_SESSION_ID_LEN];
	char                id[GC_SESSION_ID_LEN];
	MDB_val             v, ev;
	uint8_t             ekey[40];
	struct gc_entry     e;
	uint8_t             closed;
	size_t              kl;

	memcpy(okey, "o:", 2);
	memcpy(okey + 2, a->feed, 32);
	if (gc__lg_get(x, x->lg->sessions, okey, 34, &v) != 0 ||
	    v.mv_size == 0 || v.mv_size >= sizeof(id)) {
		return GC_ENOTFOUND;
	}
	memcpy(id, v.mv_data, v.mv_size);
	id[v.mv_size] = '\0';
	kl = session_key(k, a->feed, id);
	if (gc__lg_get(x, x->lg->sessions, k, kl, &v) != 0 || v.mv_size != 33) {
		return GC_ENOTFOUND;
	}
	closed = ((const uint8_t *)v.mv_data)[32];
	/* the details live in the SESSION_OPEN entry itself */
	if (gc__lg_get(x, x->lg->ids, v.mv_data, 32, &ev) != 0 ||
	    ev.mv_size != 40) {
		return GC_ECORRUPT;
	}
	memcpy(ekey, ev.mv_data, 40);
	if (gc__lg_get(x, x->lg->entries, ekey, 40, &ev) != 0 ||
	    gc_entry_parse(&e, ev.mv_data, ev.mv_size, NULL) != GC_OK ||
	    gc_session_open_decode(e.body, e.body_len, a->out) != GC_OK) {
		return GC_ECORRUPT;
	}
	a->out->closed   = closed != 0;
	a->out->open_seq = e.seq;
	return GC_OK;
}

gc_err
gc_ledger_session_current(gc_ledger *lg, const uint8_t feed[32],
    struct gc_session_rec *out)
{
	struct session_arg a = { feed, out };

	return gc__lg_read(lg, session_txn, &a);
}

bool
gc__lg_entry_by_id(struct lg_txn *x, const uint8_t id[32], struct gc_entry *e)
{
	MDB_val v;
	uint8_t ekey[40];

	if (gc__lg_get(x, x->lg->ids, id, 32, &v) != 0 || v.mv_size != 40) {
		return false;
	}
	memcpy(ekey, v.mv_data, 40);
	return gc__lg_get(x, x->lg->entries, ekey, 40, &v) == 0 &&
	    gc_entry_parse(e, v.mv_data, v.mv_size, NULL) == GC_OK;
}

struct caps_arg {
	const char    *key;
	const uint8_t *code;
	gc_capture_cb  cb;
	void          *arg;
	size_t         n;
};

static gc_err
caps_txn(struct lg_txn *x, void *arg)
{
	struct caps_arg *a = arg;
	MDB_cursor      *cur;
	MDB_val          k, v;
	int              rc;

	if (a->code != NULL) {
		k.mv_data = (void *)a->code;
		k.mv_size = 32;
	} else {
		k.mv_data = (void *)a->key;
		k.mv_size = strlen(a->key);
	}
	rc = mdb_cursor_open(x->t, a->code != NULL ? x->lg->codes :
	    x->lg->caps, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
		struct gc_entry       e;
		struct gc_capture_rec c;

		if (v.mv_size != 32 || !gc__lg_entry_by_id(x, v.mv_data, &e) ||
		    gc_capture_decode(e.body, e.body_len, &c) != GC_OK) {
			continue;
		}
		a->n++;
		if (a->cb != NULL && a->cb(&e, &c, a->arg) != 0) {
			break;
		}
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

gc_err
gc_ledger_captures(gc_ledger *lg, const char *student_key, gc_capture_cb cb,
    void *arg, size_t *n)
{
	struct caps_arg a = { student_key, NULL, cb, arg, 0 };
	gc_err          rv = gc__lg_read(lg, caps_txn, &a);

	if (n != NULL) {
		*n = a.n;
	}
	return rv;
}

gc_err
gc_ledger_captures_by_code(gc_ledger *lg, const uint8_t code[32],
    gc_capture_cb cb, void *arg, size_t *n)
{
	struct caps_arg a = { NULL, code, cb, arg, 0 };
	gc_err          rv = gc__lg_read(lg, caps_txn, &a);

	if (n != NULL) {
		*n = a.n;
	}
	return rv;
}

/* ---- online invitations ---- */

struct invfind_arg {
	const uint8_t *hash;
	char          *key;
	size_t         cap;
};

static gc_err
invite_find_txn(struct lg_txn *x, void *arg)
{
	struct invfind_arg *a = arg;
	uint8_t             ck[2 + 32], sk[2 + 80];
	MDB_val             v, sv;

	if (x->lg->no_invites) {
		return GC_ENOTFOUND;
	}
	memcpy(ck, "c:", 2);
	memcpy(ck + 2, a->hash, 32);
	if (gc__lg_get(x, x->lg->invites, ck, sizeof(ck), &v) != 0 ||
	    v.mv_size == 0 || v.mv_size >= a->cap || v.mv_size > 80) {
		return GC_ENOTFOUND;
	}
	/* the student's current code must still be this one */
	memcpy(sk, "s:", 2);
	memcpy(sk + 2, v.mv_data, v.mv_size);
	if (gc__lg_get(x, x->lg->invites, sk, 2 + v.mv_size, &sv) != 0 ||
	    sv.mv_size != 72 ||
	    sodium_memcmp((const uint8_t *)sv.mv_data + 40, a->hash, 32) != 0 ||
	    gc__lg_removed(x, v.mv_data, v.mv_size)) {
		return GC_ENOTFOUND;
	}
	memcpy(a->key, v.mv_data, v.mv_size);
	a->key[v.mv_size] = '\0';
	return GC_OK;
}

gc_err
gc_ledger_invite_find(gc_ledger *lg, const uint8_t hash[32], char *key,
    size_t cap)
{
	struct invfind_arg a = { hash, key, cap };

	return gc__lg_read(lg, invite_find_txn, &a);
}
