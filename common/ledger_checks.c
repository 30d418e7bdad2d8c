/* The students' checks of their photos (common/student_check.h): the
 * `checks` index, student key -> hlc (big-endian) ‖ entry id of the
 * student's latest STUDENT_CHECK, so the latest (by hlc, then id) wins in
 * whatever order the entries arrive; and its queries (common/ledger.h). */
#include <string.h>

#include "common/gc_alloc.h"
#include "common/ledger_int.h"
#include "common/student_check.h"

gc_err
gc__lg_index_check(struct lg_txn *x, const struct gc_entry *e)
{
	struct gc_student_check c;
	uint8_t                 val[40];
	MDB_val                 v;
	size_t                  kl;
	int                     rc;

	if (x->lg->no_checks) {
		return GC_OK; /* read-only open of an older node */
	}
	if (gc_student_check_decode(e->body, e->body_len, &c, NULL) != GC_OK) {
		return GC_OK; /* signed but unusable: not indexed */
	}
	for (int i = 0; i < 8; i++) {
		val[i] = (uint8_t)(e->hlc >> (56 - 8 * i));
	}
	memcpy(val + 8, e->id, 32);
	kl = strlen(c.student);
	if (gc__lg_get(x, x->lg->checks, c.student, kl, &v) == 0 &&
	    v.mv_size == sizeof(val) &&
	    memcmp(v.mv_data, val, sizeof(val)) >= 0) {
		return GC_OK; /* a later (or the same) check stands */
	}
	rc = gc__lg_put(x, x->lg->checks, c.student, kl, val, sizeof(val), 0);
	return gc_err_from_mdb(rc);
}

/* The entry whose id is in a checks value, parsed, borrowing LMDB
 * memory; false when it is not held or does not parse. */
static bool
check_entry(struct lg_txn *x, const MDB_val *v, struct gc_entry *e)
{
	return v->mv_size == 40 &&
	    gc__lg_entry_by_id(x, (const uint8_t *)v->mv_data + 8, e) &&
	    e->kind == GC_KIND_STUDENT_CHECK;
}

struct latest_arg {
	const char *key;
	uint8_t    *bytes;
	size_t      len;
};

static gc_err
latest_txn(struct lg_txn *x, void *arg)
{
	struct latest_arg *a = arg;
	struct gc_entry    e;
	MDB_val            v;

	if (x->lg->no_checks || a->key[0] == '\0' ||
	    gc__lg_get(x, x->lg->checks, a->key, strlen(a->key), &v) != 0 ||
	    !check_entry(x, &v, &e)) {
		return GC_ENOTFOUND;
	}
	a->bytes = gc_alloc(e.len);
	if (a->bytes == NULL) {
		return GC_ENOMEM;
	}
	memcpy(a->bytes, e.bytes, e.len);
	a->len = e.len;
	return GC_OK;
}

gc_err
gc_ledger_check_latest(gc_ledger *lg, const char *key, uint8_t **bytes,
    size_t *len)
{
	struct latest_arg a = { key, NULL, 0 };
	gc_err            rv = gc__lg_read(lg, latest_txn, &a);

	*bytes = rv == GC_OK ? a.bytes : NULL;
	*len   = rv == GC_OK ? a.len : 0;
	if (rv != GC_OK) {
		gc_free(a.bytes);
	}
	return rv;
}

struct each_arg {
	gc_entry_cb cb;
	void       *arg;
};

static gc_err
each_txn(struct lg_txn *x, void *arg)
{
	struct each_arg *a = arg;
	MDB_cursor      *cur;
	MDB_val          k, v;
	int              rc;

	if (x->lg->no_checks) {
		return GC_OK;
	}
	rc = mdb_cursor_open(x->t, x->lg->checks, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct gc_entry e;

		if (check_entry(x, &v, &e) && a->cb(&e, a->arg) != 0) {
			break;
		}
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

gc_err
gc_ledger_checks(gc_ledger *lg, gc_entry_cb cb, void *arg)
{
	struct each_arg a = { cb, arg };

	return gc__lg_read(lg, each_txn, &a);
}
