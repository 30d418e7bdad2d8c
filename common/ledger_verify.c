/* gc_ledger_verify: everything an auditor would check on a node, from the
 * stored bytes alone: no derived index is trusted. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "common/gc_alloc.h"
#include "common/ledger_int.h"

/* Enrollments rebuilt from the authority feed while verifying it. */
struct venroll {
	uint8_t      pk[32];
	enum gc_role role;
	bool         revoked;
	uint64_t     max_seq;
};

struct vstate {
	struct lg_txn          *x;
	gc_verify_cb            cb;
	void                   *arg;
	struct gc_verify_stats *st;
	uint8_t                 authority[32];
	bool                    has_authority;
	struct venroll         *en;
	size_t                  nen, cap;
	/* the feed being walked */
	uint8_t                 feed[32];
	bool                    in_feed;
	uint64_t                expect;
	uint8_t                 prev[32];
	struct venroll         *feed_en; /* NULL: authority or unknown */
	bool                    feed_known;
};

static void
problem(struct vstate *s, const uint8_t *id, const uint8_t *feed, uint64_t seq,
    const char *kind, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#include <stdarg.h>

static void
problem(struct vstate *s, const uint8_t *id, const uint8_t *feed, uint64_t seq,
    const char *kind, const char *fmt, ...)
{
	struct gc_verify_problem p;
	va_list                  ap;

	memset(&p, 0, sizeof(p));
	if (id != NULL) {
		memcpy(p.id, id, 32);
	}
	if (feed != NULL) {
		memcpy(p.feed, feed, 32);
	}
	p.seq  = seq;
	p.kind = kind;
	va_start(ap, fmt);
	vsnprintf(p.what, sizeof(p.what), fmt, ap);
	va_end(ap);
	s->st->problems++;
	if (s->cb != NULL) {
		s->cb(&p, s->arg);
	}
}

static struct venroll *
venroll_find(struct vstate *s, const uint8_t pk[32])
{
	for (size_t i = 0; i < s->nen; i++) {
		if (memcmp(s->en[i].pk, pk, 32) == 0) {
			return &s->en[i];
		}
	}
	return NULL;
}

static gc_err
venroll_apply(struct vstate *s, const struct gc_entry *e)
{
	struct gc_enrollment en;
	struct venroll      *v;

	memset(&en, 0, sizeof(en));
	if (gc_enrollment_parse(e, &en) != GC_OK) {
		problem(s, e->id, e->feed, e->seq, "format", "%s body is "
		    "malformed", gc_kind_name(e->kind));
		return GC_OK;
	}
	v = venroll_find(s, en.pk);
	if (v == NULL) {
		if (s->nen == s->cap) {
			size_t          ncap = s->cap ? s->cap * 2 : 16;
			struct venroll *n = gc_realloc(s->en, ncap * sizeof(*n));

			if (n == NULL) {
				return GC_ENOMEM;
			}
			s->en  = n;
			s->cap = ncap;
		}
		v = &s->en[s->nen++];
		memset(v, 0, sizeof(*v));
		memcpy(v->pk, en.pk, 32);
	}
	if (e->kind == GC_KIND_REVOKE) {
		v->revoked = true;
		v->max_seq = en.max_seq;
	} else {
		v->role    = en.role;
		v->revoked = false;
	}
	return GC_OK;
}

/* Ends the feed being walked: its head record must name its last entry. */
static void
feed_end(struct vstate *s)
{
	struct lg_head h;

	if (!s->in_feed) {
		return;
	}
	s->st->feeds++;
	if (!gc__lg_head_get(s->x, s->feed, &h)) {
		problem(s, NULL, s->feed, s->expect - 1, "index", "feed has "
		    "entries but no head record");
	} else if (h.seq != s->expect - 1 || memcmp(h.hash, s->prev, 32)) {
		problem(s, NULL, s->feed, s->expect - 1, "index", "head record "
		    "says seq %" PRIu64 " but the entries end at seq %" PRIu64,
		    h.seq, s->expect - 1);
	}
	s->in_feed = false;
}

static gc_err
verify_one(struct vstate *s, const MDB_val *k, const MDB_val *v)
{
	struct gc_entry e;
	struct gc_diag  d;
	const uint8_t  *key = k->mv_data;
	uint64_t        seq = 0;
	enum gc_role    role;
	char            hex[17];

	seq = gc_be64_get(key + 32);
	if (!s->in_feed || memcmp(s->feed, key, 32) != 0) {
		feed_end(s);
		memcpy(s->feed, key, 32);
		s->in_feed = true;
		s->expect  = 1;
		memset(s->prev, 0, 32);
		s->feed_known = s->has_authority &&
		    memcmp(key, s->authority, 32) == 0;
		s->feed_en = s->feed_known ? NULL : venroll_find(s, key);
		s->feed_known |= s->feed_en != NULL;
	}
	s->st->entries++;
	gc_id_hex(hex, key, 8);
	gc_diag_clear(&d);
	if (gc_entry_parse(&e, v->mv_data, v->mv_size, &d) != GC_OK) {
		uint8_t id[32];

		gc_sha256(id, v->mv_data, v->mv_size);
		problem(s, id, key, seq, "format", "feed %s seq %" PRIu64
		    ": %s", hex, seq, d.msg);
		s->expect = seq + 1;
		memcpy(s->prev, id, 32);
		return GC_OK;
	}
	if (memcmp(e.feed, key, 32) != 0 || e.seq != seq) {
		problem(s, e.id, key, seq, "index", "entry stored as feed %s seq "
		    "%" PRIu64 " names another feed or seq %" PRIu64, hex, seq,
		    e.seq);
	}
	if (gc_entry_verify(&e) != GC_OK) {
		problem(s, e.id, key, seq, "signature", "feed %s seq %" PRIu64
		    ": signature does not verify", hex, seq);
	}
	if (seq != s->expect) {
		problem(s, e.id, key, seq, "chain", "feed %s: seq %" PRIu64
		    " follows seq %" PRIu64 " (entries missing)", hex, seq,
		    s->expect - 1);
	} else if (seq > 1 && memcmp(e.prev, s->prev, 32) != 0) {
		problem(s, e.id, key, seq, "chain", "feed %s seq %" PRIu64
		    ": prev hash does not match the entry before it", hex, seq);
	}
	s->expect = seq + 1;
	memcpy(s->prev, e.id, 32);
	/* role and kind */
	if (!s->feed_known) {
		problem(s, e.id, key, seq, "enrollment", "feed %s is not "
		    "enrolled by the school authority", hex);
		return GC_OK;
	}
	if (s->feed_en == NULL) {
		role = GC_ROLE_COORDINATOR;
	} else {
		role = s->feed_en->role;
		if (s->feed_en->revoked && seq > s->feed_en->max_seq) {
			problem(s, e.id, key, seq, "enrollment", "feed %s seq %"
			    PRIu64 " comes after its revocation (last valid seq %"
			    PRIu64 ")", hex, seq, s->feed_en->max_seq);
		}
	}
	if (!gc_role_may_write(role, e.kind)) {
		problem(s, e.id, key, seq, "role", "feed %s is enrolled as %s, "
		    "which may not write %s", hex, gc_role_name(role),
		    gc_kind_name(e.kind));
	}
	if (s->feed_en == NULL && (e.kind == GC_KIND_ENROLL ||
	    e.kind == GC_KIND_REVOKE)) {
		return venroll_apply(s, &e);
	}
	return GC_OK;
}

static gc_err
walk_entries(struct vstate *s, bool authority_only)
{
	MDB_cursor   *cur;
	MDB_val       k, v;
	uint8_t       start[40];
	int           rc;
	MDB_cursor_op op = MDB_FIRST;
	gc_err        rv = GC_OK;

	rc = mdb_cursor_open(s->x->t, s->x->lg->entries, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	if (authority_only) {
		gc__lg_entry_key(start, s->authority, 0);
		k.mv_data = start;
		k.mv_size = 40;
		op        = MDB_SET_RANGE;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, op); rc == 0 && rv == GC_OK;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		bool is_auth;

		if (k.mv_size != 40) {
			continue;
		}
		is_auth = s->has_authority &&
		    memcmp(k.mv_data, s->authority, 32) == 0;
		if (authority_only && !is_auth) {
			break;
		}
		if (!authority_only && is_auth) {
			continue; /* walked first */
		}
		rv = verify_one(s, &k, &v);
	}
	feed_end(s);
	mdb_cursor_close(cur);
	return rv;
}

static gc_err
verify_blobs(struct vstate *s)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	int         rc;

	rc = mdb_cursor_open(s->x->t, s->x->lg->blobs, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint8_t h[32];
		char    hex[65];

		s->st->blobs++;
		gc_sha256(h, v.mv_data, v.mv_size);
		if (k.mv_size != 32 || memcmp(h, k.mv_data, 32) != 0) {
			gc_hex_encode(hex, k.mv_data, k.mv_size == 32 ? 32 : 0);
			problem(s, NULL, NULL, 0, "blob", "blob %s (%zu bytes): "
			    "content does not match its SHA-256", hex,
			    v.mv_size);
		}
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

static gc_err
verify_forks(struct vstate *s)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	int         rc;

	rc = mdb_cursor_open(s->x->t, s->x->lg->forks, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct gc_entry e;
		MDB_val         held;
		char            hex[17], a[17], b[17] = "(none)";
		const uint8_t  *key = k.mv_data;
		uint64_t        seq = 0;

		if (k.mv_size != 72) {
			continue;
		}
		seq = gc_be64_get(key + 32);
		s->st->forks++;
		gc_id_hex(hex, key, 8);
		gc_id_hex(a, key + 40, 8);
		if (gc__lg_get(s->x, s->x->lg->entries, key, 40, &held) == 0) {
			uint8_t hid[32];

			gc_sha256(hid, held.mv_data, held.mv_size);
			gc_id_hex(b, hid, 8);
		}
		if (gc_entry_parse(&e, v.mv_data, v.mv_size, NULL) != GC_OK ||
		    gc_entry_verify(&e) != GC_OK) {
			problem(s, key + 40, key, seq, "fork", "feed %s seq %"
			    PRIu64 ": stored fork proof %s does not verify", hex,
			    seq, a);
			continue;
		}
		problem(s, e.id, key, seq, "fork", "feed %s forked at seq %"
		    PRIu64 ": held entry %s and entry %s are both signed by the "
		    "feed key (proof kept; feed quarantined)", hex, seq, b, a);
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

struct verify_arg {
	gc_verify_cb            cb;
	void                   *arg;
	struct gc_verify_stats *st;
};

static gc_err
verify_txn(struct lg_txn *x, void *arg)
{
	struct verify_arg *a = arg;
	struct vstate      s;
	MDB_val            v;
	gc_err             rv;

	memset(&s, 0, sizeof(s));
	s.x   = x;
	s.cb  = a->cb;
	s.arg = a->arg;
	s.st  = a->st;
	if (gc__lg_meta_get(x, "authority", &v) && v.mv_size == 32) {
		memcpy(s.authority, v.mv_data, 32);
		s.has_authority = true;
		rv              = walk_entries(&s, true);
	} else {
		rv = GC_OK;
	}
	if (rv == GC_OK) {
		rv = walk_entries(&s, false);
	}
	if (rv == GC_OK) {
		rv = verify_blobs(&s);
	}
	if (rv == GC_OK) {
		rv = verify_forks(&s);
	}
	gc_free(s.en);
	return rv;
}

gc_err
gc_ledger_verify(gc_ledger *lg, gc_verify_cb cb, void *arg,
    struct gc_verify_stats *st)
{
	struct gc_verify_stats local;
	struct verify_arg      a;
	gc_err                 rv;

	if (st == NULL) {
		st = &local;
	}
	memset(st, 0, sizeof(*st));
	a.cb  = cb;
	a.arg = arg;
	a.st  = st;
	rv    = gc__lg_read(lg, verify_txn, &a);
	if (rv != GC_OK) {
		return rv;
	}
	return st->problems > 0 ? GC_ECORRUPT : GC_OK;
}
