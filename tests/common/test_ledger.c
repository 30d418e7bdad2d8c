/* The ledger: append, ingest (duplicates, gaps, forks, refusals),
 * verification of tampered stores, crash safety, map growth, indexes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cbor.h"
#include "common/entry.h"
#include "common/gc_alloc.h"
#include "common/hlc.h"
#include "common/ledger.h"
#include "common/records.h"
#include "common/rosterdb.h"
#include "tests/testutil.h"

struct fx {
	char          *dir;
	char           coord[600], site[600], site2[600];
	struct gc_key *kc, *ks, *ks2;
	gc_ledger     *lc, *ls, *ls2;
};

/* Appends one entry of kind with body bytes; returns the id. */
static void
append(gc_ledger *lg, unsigned kind, const struct gc_buf *body,
    const struct gc_blob *blobs, size_t nblobs, uint8_t id[32])
{
	struct gc_append a;
	struct gc_diag   d;
	gc_err           rv;

	memset(&a, 0, sizeof(a));
	a.kind     = kind;
	a.body     = body->data;
	a.body_len = body->len;
	a.blobs    = blobs;
	a.nblobs   = nblobs;
	gc_diag_clear(&d);
	rv = gc_ledger_append(lg, &a, 1, &d);
	if (rv != GC_OK) {
		fail_msg("append %s: %s", gc_kind_name(kind), gc_diag_msg(&d, rv));
	}
	if (id != NULL) {
		memcpy(id, a.id, 32);
	}
}

static gc_err
try_append(gc_ledger *lg, unsigned kind, const char *text, char *why)
{
	struct gc_buf    b;
	struct gc_append a;
	struct gc_diag   d;
	gc_err           rv;

	gc_buf_init(&b);
	gc_cbor_map(&b, 1);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, text);
	memset(&a, 0, sizeof(a));
	a.kind     = kind;
	a.body     = b.data;
	a.body_len = b.len;
	gc_diag_clear(&d);
	rv = gc_ledger_append(lg, &a, 1, &d);
	if (why != NULL) {
		snprintf(why, 512, "%s", d.msg);
	}
	gc_buf_release(&b);
	return rv;
}

/* The photo bytes capture() stores for text: the text, then a pattern. */
static uint8_t *
blob_fill(const char *text, size_t len)
{
	uint8_t *data = malloc(len);
	size_t   n    = strlen(text) < len ? strlen(text) : len;

	for (size_t i = 0; i < len; i++) {
		data[i] = (uint8_t)(i * 31 + strlen(text) + text[0]);
	}
	memcpy(data, text, n); /* unique per text: blobs must not dedupe */
	return data;
}

static void
capture(gc_ledger *lg, const char *text, size_t bloblen, uint8_t id[32])
{
	struct gc_buf  b;
	struct gc_blob bl;
	uint8_t       *data = NULL;

	gc_buf_init(&b);
	gc_cbor_map(&b, 1);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, text);
	if (bloblen > 0) {
		data    = blob_fill(text, bloblen);
		bl.data = data;
		bl.len  = bloblen;
	}
	append(lg, GC_KIND_CAPTURE, &b, bloblen ? &bl : NULL, bloblen ? 1 : 0,
	    id);
	free(data);
	gc_buf_release(&b);
}


/* Ingests d into lg; returns the results (caller frees). */
static struct gc_ingest_result *
ingest(gc_ledger *lg, const struct gc_test_dump *d)
{
	struct gc_ingest_result *r = calloc(d->n + 1, sizeof(*r));

	assert_int_equal(gc_ledger_ingest(lg, (const uint8_t *const *)d->bytes,
	    d->lens, d->n, r, NULL), GC_OK);
	return r;
}

/* Signs, by hand, an entry of key k (enrolled or not, with any clock):
 * seq, prev (NULL for seq 1), hlc, kind and body b. */
static void
signed_entry(struct gc_buf *out, const struct gc_key *k, uint64_t seq,
    const uint8_t *prev, uint64_t hlc, unsigned kind, const struct gc_buf *b)
{
	struct gc_entry_hdr h;

	memset(&h, 0, sizeof(h));
	h.feed = k->pk;
	h.seq  = seq;
	h.prev = prev;
	h.kind = kind;
	h.hlc  = hlc;
	gc_buf_reset(out);
	assert_int_equal(gc_entry_encode(out, &h, b->data, b->len, k->sk),
	    GC_OK);
}

static uint64_t
hlc_now(void)
{
	return ((uint64_t)time(NULL) * 1000) << 16;
}

/* Ingests one entry's first len bytes and returns its result. */
static struct gc_ingest_result
ingest1(gc_ledger *lg, const struct gc_buf *e, size_t len)
{
	struct gc_ingest_result r;
	const uint8_t          *bytes[1] = { e->data };
	size_t                  lens[1]  = { len };

	assert_int_equal(gc_ledger_ingest(lg, bytes, lens, 1, &r, NULL), GC_OK);
	return r;
}

/* A site node enrolled by the coordinator, with the coordinator's feed. */
static gc_ledger *
make_site(struct fx *f, const char *dir, const struct gc_key *k,
    const char *name)
{
	gc_ledger            *ls;
	struct gc_ledger_info info;

	assert_int_equal(gc_ledger_create(dir, k, GC_ROLE_SITE, "10335", name,
	    NULL, 0, NULL), GC_OK);
	ls = gc_test_ledger_open(dir, k);
	assert_int_equal(try_append(ls, GC_KIND_CAPTURE, "too early", NULL),
	    GC_EPERM);
	gc_test_enroll(f->lc, k, GC_ROLE_SITE, name);
	gc_test_install(ls, f->lc, f->kc->pk);
	assert_int_equal(gc_ledger_info(ls, &info), GC_OK);
	assert_true(info.enrolled);
	return ls;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dir = strdup(gc_test_tmpdir("ledger"));
	snprintf(f->coord, sizeof(f->coord), "%s/coord", f->dir);
	snprintf(f->site, sizeof(f->site), "%s/site", f->dir);
	snprintf(f->site2, sizeof(f->site2), "%s/site2", f->dir);
	f->kc  = gc_test_key(1);
	f->ks  = gc_test_key(2);
	f->ks2 = gc_test_key(3);
	assert_int_equal(gc_ledger_create(f->coord, f->kc, GC_ROLE_COORDINATOR,
	    "10335", "教务处", NULL, 0, NULL), GC_OK);
	f->lc = gc_test_ledger_open(f->coord, f->kc);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	gc_ledger_close(f->lc);
	gc_ledger_close(f->ls);
	gc_ledger_close(f->ls2);
	gc_key_free(f->kc);
	gc_key_free(f->ks);
	gc_key_free(f->ks2);
	gc_test_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

struct problems {
	int  n;
	char kinds[32][16];
	char what[32][384];
	uint64_t seq[32];
};

static void
problem_cb(const struct gc_verify_problem *p, void *arg)
{
	struct problems *ps = arg;

	if (ps->n < 32) {
		snprintf(ps->kinds[ps->n], 16, "%s", p->kind);
		snprintf(ps->what[ps->n], 384, "%s", p->what);
		ps->seq[ps->n] = p->seq;
	}
	ps->n++;
}

static void
test_ledger_append_chains_and_reopens(void **state)
{
	struct fx            *f = *state;
	struct gc_ledger_info info;
	uint8_t               ids[5][32], *bytes;
	size_t                len;
	char                  hex[65];
	struct gc_entry       e;
	struct problems       ps;

	for (int i = 0; i < 5; i++) {
		char t[16];

		snprintf(t, sizeof(t), "capture %d", i);
		capture(f->lc, t, 1000 + (size_t)i, ids[i]);
	}
	gc_ledger_close(f->lc);
	f->lc = gc_test_ledger_open(f->coord, f->kc);
	assert_int_equal(gc_ledger_info(f->lc, &info), GC_OK);
	assert_int_equal(info.seq, 6); /* self-ENROLL + 5 */
	assert_memory_equal(info.head, ids[4], 32);
	gc_hex_encode(hex, ids[3], 32);
	hex[10] = '\0'; /* a prefix */
	assert_int_equal(gc_ledger_get(f->lc, hex, &bytes, &len, NULL), GC_OK);
	assert_int_equal(gc_entry_parse(&e, bytes, len, NULL), GC_OK);
	assert_int_equal(e.seq, 5);
	gc_free(bytes);
	assert_int_equal(gc_ledger_get(f->lc, "zz", &bytes, &len, NULL),
	    GC_EINVAL);
	assert_int_equal(gc_ledger_get(f->lc, "00000000", &bytes, &len, NULL),
	    GC_ENOTFOUND);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(gc_ledger_verify(f->lc, problem_cb, &ps, NULL), GC_OK);
	assert_int_equal(ps.n, 0);
}

static void
test_ledger_ingest_is_idempotent_and_asks_for_gaps(void **state)
{
	struct fx               *f = *state;
	struct gc_test_dump      d, part;
	struct gc_ingest_result *r;
	struct gc_ledger_info    info;

	f->ls = make_site(f, f->site, f->ks, "紫金港");
	for (int i = 0; i < 4; i++) {
		char t[32];

		snprintf(t, sizeof(t), "site capture %d", i);
		capture(f->ls, t, 500 + (size_t)i, NULL);
	}
	gc_test_dump_feed(f->ls, f->ks->pk, &d);
	assert_int_equal(d.n, 4);
	/* seq 3 and 4 before 1 and 2: gaps, nothing stored */
	part       = d;
	part.bytes = d.bytes + 2;
	part.lens  = d.lens + 2;
	part.n     = 2;
	r          = ingest(f->lc, &part);
	assert_int_equal(r[0].status, GC_INGEST_GAP);
	assert_int_equal(r[1].status, GC_INGEST_GAP);
	assert_non_null(strstr(r[0].reason, "holds up to seq 0"));
	free(r);
	r = ingest(f->lc, &d);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(r[i].status, GC_INGEST_ADDED);
	}
	free(r);
	/* the same batch again changes nothing */
	r = ingest(f->lc, &d);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(r[i].status, GC_INGEST_DUPLICATE);
	}
	free(r);
	assert_int_equal(gc_ledger_info(f->lc, &info), GC_OK);
	gc_test_dump_free(&d);
	gc_test_dump_feed(f->lc, f->ks->pk, &d);
	assert_int_equal(d.n, 4);
	gc_test_dump_free(&d);
	{
		struct gc_ledger_counts c;
		uint8_t                *blob = blob_fill("site capture 0", 500);
		uint8_t                 hash[32];

		assert_int_equal(gc_ledger_counts(f->lc, &c), GC_OK);
		assert_int_equal(c.missing_blobs, 4); /* photos not sent yet */
		/* a photo arrives: refused unless it matches its hash */
		gc_sha256(hash, blob, 500);
		blob[7] ^= 1;
		assert_int_equal(gc_ledger_put_blob(f->lc, hash, blob, 500),
		    GC_ECORRUPT);
		blob[7] ^= 1;
		assert_int_equal(gc_ledger_put_blob(f->lc, hash, blob, 500),
		    GC_OK);
		assert_int_equal(gc_ledger_counts(f->lc, &c), GC_OK);
		assert_int_equal(c.missing_blobs, 3);
		assert_int_equal(c.blobs, 1);
		free(blob);
	}
}

static void
test_ledger_ingest_refuses_with_reasons(void **state)
{
	struct fx               *f = *state;
	struct gc_test_dump      d;
	struct gc_ingest_result *r, one;
	struct gc_buf            body, out;
	struct gc_ledger_info    info;
	gc_ledger               *stranger;
	char                     sdir[700];

	f->ls = make_site(f, f->site, f->ks, "紫金港");
	capture(f->ls, "ok", 10, NULL);
	gc_test_dump_feed(f->ls, f->ks->pk, &d);
	/* a flipped signature bit */
	d.bytes[0][d.lens[0] - 5] ^= 1;
	r = ingest(f->lc, &d);
	assert_int_equal(r[0].status, GC_INGEST_REJECTED);
	assert_int_equal(r[0].rv, GC_EBADSIG);
	assert_non_null(strstr(r[0].reason, "signature"));
	free(r);
	gc_test_dump_free(&d);

	/* a feed nobody enrolled */
	snprintf(sdir, sizeof(sdir), "%s/stranger", f->dir);
	assert_int_equal(gc_ledger_create(sdir, f->ks2, GC_ROLE_SITE, "10335",
	    "stranger", NULL, 0, NULL), GC_OK);
	stranger = gc_test_ledger_open(sdir, f->ks2);
	/* it cannot write unenrolled, so sign an entry by hand */
	gc_buf_init(&body);
	gc_buf_init(&out);
	gc_cbor_map(&body, 0);
	signed_entry(&out, f->ks2, 1, NULL, hlc_now(), GC_KIND_CAPTURE, &body);
	one = ingest1(f->lc, &out, out.len);
	assert_int_equal(one.status, GC_INGEST_REJECTED);
	assert_int_equal(one.rv, GC_EPERM);
	assert_non_null(strstr(one.reason, "not enrolled"));
	/* an enrolled site signing a ROSTER entry */
	gc_test_dump_feed(f->ls, f->ks->pk, &d);
	r = ingest(f->lc, &d);
	assert_int_equal(r[0].status, GC_INGEST_ADDED);
	free(r);
	gc_test_dump_free(&d);
	assert_int_equal(gc_ledger_info(f->ls, &info), GC_OK);
	signed_entry(&out, f->ks, 2, info.head, hlc_now(), GC_KIND_ROSTER,
	    &body);
	one = ingest1(f->lc, &out, out.len);
	assert_int_equal(one.status, GC_INGEST_REJECTED);
	assert_non_null(strstr(one.reason, "may not write ROSTER"));
	/* and the site's own ledger refuses to write one */
	{
		char why[512];

		assert_int_equal(try_append(f->ls, GC_KIND_ROSTER, "x", why),
		    GC_EPERM);
		assert_non_null(strstr(why, "may not write ROSTER"));
	}
	/* a truncated entry */
	one = ingest1(f->lc, &out, 20);
	assert_int_equal(one.status, GC_INGEST_REJECTED);
	assert_int_equal(one.rv, GC_ECORRUPT);
	assert_non_null(strstr(one.reason, "malformed"));
	gc_buf_release(&body);
	gc_buf_release(&out);
	gc_ledger_close(stranger);
}

static void
test_ledger_revocation_stops_later_entries(void **state)
{
	struct fx               *f = *state;
	struct gc_test_dump      d;
	struct gc_ingest_result *r;
	struct gc_enrollment     en;
	struct gc_buf            b;

	f->ls = make_site(f, f->site, f->ks, "紫金港");
	for (int i = 0; i < 3; i++) {
		capture(f->ls, "c", 0, NULL);
	}
	memset(&en, 0, sizeof(en));
	memcpy(en.pk, f->ks->pk, 32);
	en.max_seq = 2;
	gc_buf_init(&b);
	gc_enrollment_encode(&b, &en, true, "laptop stolen");
	append(f->lc, GC_KIND_REVOKE, &b, NULL, 0, NULL);
	gc_buf_release(&b);
	gc_test_dump_feed(f->ls, f->ks->pk, &d);
	r = ingest(f->lc, &d);
	assert_int_equal(r[0].status, GC_INGEST_ADDED);
	assert_int_equal(r[1].status, GC_INGEST_ADDED);
	assert_int_equal(r[2].status, GC_INGEST_REJECTED);
	assert_non_null(strstr(r[2].reason, "revoked after seq 2"));
	free(r);
	gc_test_dump_free(&d);
	assert_int_equal(gc_ledger_enrollment(f->lc, f->ks->pk, &en), GC_OK);
	assert_true(en.revoked);
}

static void
copy_dir(const char *from, const char *to)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static void
test_ledger_fork_quarantines_only_that_feed(void **state)
{
	struct fx               *f = *state;
	struct gc_test_dump      d, d2;
	struct gc_ingest_result *r;
	char                     backup[700];
	gc_ledger               *restored;
	struct problems          ps;
	struct gc_verify_stats   st;
	int                      forks = 0;

	f->ls  = make_site(f, f->site, f->ks, "紫金港");
	f->ls2 = make_site(f, f->site2, f->ks2, "玉泉");
	capture(f->ls, "before backup", 100, NULL);
	/* a backup of the site at seq 1 */
	gc_ledger_close(f->ls);
	snprintf(backup, sizeof(backup), "%s/backup", f->dir);
	copy_dir(f->site, backup);
	f->ls = gc_test_ledger_open(f->site, f->ks);
	capture(f->ls, "after backup 1", 100, NULL);
	capture(f->ls, "after backup 2", 100, NULL);
	gc_test_dump_feed(f->ls, f->ks->pk, &d);
	r = ingest(f->lc, &d);
	free(r);
	gc_test_dump_free(&d);
	/* the laptop is restored from the backup and writes on */
	restored = gc_test_ledger_open(backup, f->ks);
	capture(restored, "restored writes seq 2 again", 100, NULL);
	capture(restored, "restored seq 3", 100, NULL);
	gc_test_dump_feed(restored, f->ks->pk, &d);
	r = ingest(f->lc, &d);
	assert_int_equal(r[0].status, GC_INGEST_DUPLICATE); /* seq 1 */
	assert_int_equal(r[1].status, GC_INGEST_FORK);
	assert_int_equal(r[1].rv, GC_EFORK);
	assert_non_null(strstr(r[1].reason, "forked at seq 2"));
	assert_int_equal(r[2].status, GC_INGEST_FORK);
	free(r);
	/* the same proof again is held already: a no-op, like any resend */
	r = ingest(f->lc, &d);
	assert_int_equal(r[1].status, GC_INGEST_DUPLICATE);
	assert_int_equal(r[2].status, GC_INGEST_DUPLICATE);
	free(r);
	gc_test_dump_free(&d);
	/* the other site is unaffected */
	capture(f->ls2, "other site", 100, NULL);
	gc_test_dump_feed(f->ls2, f->ks2->pk, &d2);
	r = ingest(f->lc, &d2);
	assert_int_equal(r[0].status, GC_INGEST_ADDED);
	free(r);
	gc_test_dump_free(&d2);
	/* verify reports the fork, with its proof, and nothing else */
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(gc_ledger_verify(f->lc, problem_cb, &ps, &st),
	    GC_ECORRUPT);
	for (int i = 0; i < ps.n; i++) {
		assert_string_equal(ps.kinds[i], "fork");
		assert_non_null(strstr(ps.what[i], "both signed"));
		forks++;
	}
	assert_int_equal(forks, 2);
	assert_int_equal(st.forks, 2);
	{
		struct gc_ledger_counts c;

		assert_int_equal(gc_ledger_counts(f->lc, &c), GC_OK);
		assert_int_equal(c.forks, 2);
	}
	gc_ledger_close(restored);
}

/* Finds needle in the file and flips one bit at offset delta from it. */
static void
flip_in_file(const char *path, const uint8_t *needle, size_t nlen,
    size_t delta)
{
	size_t   len;
	uint8_t *p = gc_test_read_file(path, &len);
	size_t   hits = 0;

	assert_non_null(p);
	for (size_t i = 0; i + nlen <= len; i++) {
		if (memcmp(p + i, needle, nlen) == 0) {
			gc_test_flip_bit(path, i + delta, 0);
			hits++;
		}
	}
	free(p);
	assert_true(hits >= 1);
}

static void
test_ledger_verify_names_tampered_entries_and_blobs(void **state)
{
	struct fx      *f = *state;
	uint8_t         id[32];
	struct gc_test_dump     d;
	char            path[700];
	struct problems ps;
	bool            sig = false, blob = false;
	struct gc_entry e;
	uint64_t        tampered_seq;

	capture(f->lc, "honest", 0, NULL);
	capture(f->lc, "to be altered: 张三", 4000, id);
	capture(f->lc, "after", 0, NULL);
	gc_test_dump_feed(f->lc, f->kc->pk, &d);
	assert_int_equal(gc_entry_parse(&e, d.bytes[2], d.lens[2], NULL),
	    GC_OK);
	tampered_seq = e.seq;
	gc_ledger_close(f->lc);
	f->lc = NULL;
	snprintf(path, sizeof(path), "%s/db/data.mdb", f->coord);
	/* change one byte of the body text, in place */
	flip_in_file(path, (const uint8_t *)"to be altered", 13, 3);
	/* and one byte of the stored photo (its first bytes are distinct) */
	{
		uint8_t pat[16];

		for (size_t i = 0; i < 16; i++) {
			pat[i] = (uint8_t)((i + 100) * 31 + 27 + 't');
		}
		flip_in_file(path, pat, 16, 0);
	}
	f->lc = gc_test_ledger_open(f->coord, f->kc);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(gc_ledger_verify(f->lc, problem_cb, &ps, NULL),
	    GC_ECORRUPT);
	for (int i = 0; i < ps.n && i < 32; i++) {
		if (strcmp(ps.kinds[i], "signature") == 0) {
			assert_int_equal(ps.seq[i], tampered_seq);
			sig = true;
		} else if (strcmp(ps.kinds[i], "blob") == 0) {
			blob = true;
		} else if (strcmp(ps.kinds[i], "chain") == 0) {
			/* the altered entry's id changed, so the next entry's
			 * link to it no longer holds: reported too */
			assert_int_equal(ps.seq[i], tampered_seq + 1);
		} else if (strcmp(ps.kinds[i], "index") != 0) {
			fail_msg("unexpected problem %s: %s", ps.kinds[i],
			    ps.what[i]);
		}
	}
	assert_true(sig);
	assert_true(blob);
	gc_test_dump_free(&d);
	(void)id;
}

static void
test_ledger_survives_sigkill_during_appends(void **state)
{
	struct fx *f = *state;

	gc_ledger_close(f->lc);
	f->lc = NULL;
	for (int round = 0; round < 6; round++) {
		pid_t                   pid = fork();
		int                     status;
		gc_ledger              *lg;
		struct gc_ledger_counts c;
		struct gc_ledger_info   info;
		struct problems         ps;

		assert_true(pid >= 0);
		if (pid == 0) {
			lg = gc_test_ledger_open(f->coord, f->kc);
			for (int i = 0;; i++) {
				char t[32];

				snprintf(t, sizeof(t), "r%d-%d", round, i);
				capture(lg, t, 40 * 1024, NULL);
			}
		}
		usleep(100000 + (useconds_t)round * 70000);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		assert_true(WIFSIGNALED(status));
		lg = gc_test_ledger_open(f->coord, f->kc);
		memset(&ps, 0, sizeof(ps));
		if (gc_ledger_verify(lg, problem_cb, &ps, NULL) != GC_OK) {
			fail_msg("round %d: %s: %s", round, ps.kinds[0],
			    ps.what[0]);
		}
		assert_int_equal(gc_ledger_counts(lg, &c), GC_OK);
		assert_int_equal(gc_ledger_info(lg, &info), GC_OK);
		/* each capture whole or absent: entry, blob and head agree */
		assert_int_equal(c.entries, info.seq);
		assert_int_equal(c.blobs, info.seq - 1);
		assert_int_equal(c.missing_blobs, 0);
		assert_true(info.seq > 1);
		gc_ledger_close(lg);
	}
	f->lc = gc_test_ledger_open(f->coord, f->kc);
}

static void
test_ledger_grows_its_map(void **state)
{
	struct fx              *f = *state;
	struct gc_ledger_counts c;

	/* 80 MiB of photos into a 64 MiB initial map */
	for (int i = 0; i < 80; i++) {
		char t[16];

		snprintf(t, sizeof(t), "big %d", i);
		capture(f->lc, t, 1 << 20, NULL);
	}
	assert_int_equal(gc_ledger_counts(f->lc, &c), GC_OK);
	assert_int_equal(c.blobs, 80);
	assert_int_equal(gc_ledger_verify(f->lc, NULL, NULL, NULL), GC_OK);
}

static void
roster_entry(gc_ledger *lc, const char *const rows[][4], size_t n)
{
	struct gc_buf b;

	gc_buf_init(&b);
	gc_cbor_map(&b, 3);
	gc_cbor_uint(&b, 0);
	gc_cbor_uint(&b, GC_ROSTER_ADD);
	gc_cbor_uint(&b, 1);
	gc_cbor_text(&b, "test");
	gc_cbor_uint(&b, 2);
	gc_cbor_array(&b, n);
	for (size_t i = 0; i < n; i++) {
		/* key, id number, name, 学号 */
		gc_cbor_map(&b, 4);
		gc_cbor_uint(&b, GC_ROW_KEY);
		gc_cbor_text(&b, rows[i][0]);
		gc_cbor_uint(&b, GC_ROW_ID_NUMBER);
		gc_cbor_text(&b, rows[i][1]);
		gc_cbor_uint(&b, GC_ROW_NAME);
		gc_cbor_text(&b, rows[i][2]);
		gc_cbor_uint(&b, GC_ROW_STUDENT_NO);
		gc_cbor_text(&b, rows[i][3]);
	}
	append(lc, GC_KIND_ROSTER, &b, NULL, 0, NULL);
	gc_buf_release(&b);
}

static void
test_ledger_roster_index_finds_students_and_rebuilds(void **state)
{
	struct fx     *f = *state;
	char           key[80];
	struct gc_diag d;
	uint8_t       *row;
	size_t         rl;
	struct gc_row  r;
	static const char *const rows1[][4] = {
		{ "10335:1:11010519491231002X:05", "11010519491231002X", "张三",
		    "2021001" },
		{ "10335:1:11010519491231002X:02", "11010519491231002X", "张三",
		    "2025001" },
		{ "10335:1:360426199101010071:05", "360426199101010071", "李四",
		    "2021002" },
	};
	static const char *const rows2[][4] = {
		{ "10335:1:360426199101010071:05", "360426199101010071", "李四",
		    "2021009" },
	};

	roster_entry(f->lc, rows1, 3);
	roster_entry(f->lc, rows2, 1); /* a patch: 学号 changed */
	gc_diag_clear(&d);
	assert_int_equal(gc_ledger_student_find(f->lc, "2021001", key, &d),
	    GC_OK);
	assert_string_equal(key, "10335:1:11010519491231002X:05");
	/* an ID number with two levels is ambiguous, and says so */
	assert_int_equal(gc_ledger_student_find(f->lc, "11010519491231002x",
	    key, &d), GC_EAMBIGUOUS);
	assert_non_null(strstr(d.msg, "ambiguous"));
	gc_diag_clear(&d);
	assert_int_equal(gc_ledger_student_find(f->lc, "2021002", key, &d),
	    GC_ENOTFOUND); /* the old 学号 is gone */
	assert_int_equal(gc_ledger_student_find(f->lc, "2021009", key, &d),
	    GC_OK);
	assert_int_equal(gc_ledger_reindex(f->lc, NULL), GC_OK);
	assert_int_equal(gc_ledger_student_find(f->lc, "2021009", key, NULL),
	    GC_OK);
	assert_int_equal(gc_ledger_student_find(f->lc, "2021002", key, NULL),
	    GC_ENOTFOUND);
	assert_int_equal(gc_ledger_student_get(f->lc, key, &row, &rl, NULL,
	    NULL), GC_OK);
	assert_int_equal(gc_row_decode(row, rl, &r), GC_OK);
	assert_string_equal(r.v[GC_ROW_NAME], "李四");
	gc_free(row);
}

static void
test_ledger_open_reports_damage_clearly(void **state)
{
	struct fx     *f = *state;
	char           path[700];
	gc_ledger     *lg;
	struct gc_diag d;
	uint8_t        zeros[8192];

	gc_ledger_close(f->lc);
	f->lc = NULL;
	/* no node at all */
	gc_diag_clear(&d);
	assert_int_equal(gc_ledger_open(&lg, f->dir, 0, &d), GC_ENOTFOUND);
	assert_non_null(strstr(d.msg, "gradcap init"));
	/* zeroed meta pages */
	snprintf(path, sizeof(path), "%s/db/data.mdb", f->coord);
	memset(zeros, 0, sizeof(zeros));
	{
		FILE *fp = fopen(path, "r+b");

		assert_non_null(fp);
		assert_int_equal(fwrite(zeros, 1, sizeof(zeros), fp),
		    sizeof(zeros));
		fclose(fp);
	}
	gc_diag_clear(&d);
	assert_int_equal(gc_ledger_open(&lg, f->coord, 0, &d), GC_ECORRUPT);
	assert_null(lg);
	assert_non_null(strstr(d.msg, "data.mdb"));
	assert_non_null(strstr(d.msg, "damaged"));
}

static void
test_ledger_refuses_clocks_far_ahead(void **state)
{
	struct fx              *f = *state;
	struct gc_buf           body, out;
	struct gc_ingest_result r;
	struct gc_ledger_info   info;

	f->ls = make_site(f, f->site, f->ks, "紫金港");
	/* a site entry stamped with the largest clock value */
	gc_buf_init(&body);
	gc_buf_init(&out);
	gc_cbor_map(&body, 0);
	signed_entry(&out, f->ks, 1, NULL, UINT64_MAX, GC_KIND_SESSION_OPEN,
	    &body);
	r = ingest1(f->lc, &out, out.len);
	assert_int_equal(r.status, GC_INGEST_REJECTED);
	assert_int_equal(r.rv, GC_EAGAIN);
	assert_non_null(strstr(r.reason, "hours ahead"));
	/* the coordinator's clock was not dragged along */
	capture(f->lc, "after", 0, NULL);
	assert_int_equal(gc_ledger_info(f->lc, &info), GC_OK);
	assert_true(gc_hlc_ms(info.hlc) < (uint64_t)time(NULL) * 1000 + 60000);
	gc_buf_release(&body);
	gc_buf_release(&out);
}

static void
test_ledger_enroll_install_is_all_or_nothing(void **state)
{
	struct fx               *f = *state;
	struct gc_test_dump      d;
	struct gc_ingest_result *r;
	struct gc_ledger_info    info;
	struct gc_diag           dg;
	struct gc_key           *rogue = gc_test_key(7);
	char                     rdir[700];
	gc_ledger               *lr;

	assert_int_equal(gc_ledger_create(f->site, f->ks, GC_ROLE_SITE,
	    "10335", "紫金港", NULL, 0, NULL), GC_OK);
	f->ls = gc_test_ledger_open(f->site, f->ks);
	/* a hand-over whose feed does not enroll this node */
	gc_test_dump_feed(f->lc, f->kc->pk, &d);
	r = calloc(d.n + 1, sizeof(*r));
	gc_diag_clear(&dg);
	assert_int_equal(gc_ledger_enroll_install(f->ls, f->kc->pk,
	    (const uint8_t *const *)d.bytes, d.lens, d.n, r, &dg), GC_EPERM);
	assert_non_null(strstr(dg.msg, "does not enroll this node"));
	free(r);
	gc_test_dump_free(&d);
	/* a rogue coordinator's (empty) hand-over leaves no trace either */
	r = calloc(1, sizeof(*r));
	assert_int_equal(gc_ledger_enroll_install(f->ls, rogue->pk, NULL,
	    NULL, 0, r, NULL), GC_EPERM);
	free(r);
	assert_int_equal(gc_ledger_info(f->ls, &info), GC_OK);
	assert_false(info.enrolled);
	/* so the real hand-over still works */
	gc_ledger_close(f->ls);
	gc_test_rmrf(f->site);
	f->ls = make_site(f, f->site, f->ks, "紫金港");
	/* a rogue-enrolled node cannot then take another authority */
	snprintf(rdir, sizeof(rdir), "%s/rogue", f->dir);
	assert_int_equal(gc_ledger_create(rdir, rogue, GC_ROLE_COORDINATOR,
	    "10335", "rogue", NULL, 0, NULL), GC_OK);
	lr = gc_test_ledger_open(rdir, rogue);
	gc_test_enroll(lr, f->ks, GC_ROLE_SITE, "紫金港");
	gc_test_dump_feed(lr, rogue->pk, &d);
	r = calloc(d.n + 1, sizeof(*r));
	gc_diag_clear(&dg);
	assert_int_equal(gc_ledger_enroll_install(f->ls, rogue->pk,
	    (const uint8_t *const *)d.bytes, d.lens, d.n, r, &dg), GC_EEXIST);
	assert_non_null(strstr(dg.msg, "another coordinator"));
	free(r);
	gc_test_dump_free(&d);
	gc_ledger_close(lr);
	gc_key_free(rogue);
}

static void
test_ledger_expired_enrollment_refuses_later_entries(void **state)
{
	struct fx               *f = *state;
	struct gc_enrollment     en;
	struct gc_buf            b, body, out;
	struct gc_ingest_result  r;
	uint64_t                 now = (uint64_t)time(NULL);
	uint8_t                  prev[32];

	/* enrolled for one day, starting yesterday at this hour */
	memset(&en, 0, sizeof(en));
	memcpy(en.pk, f->ks->pk, 32);
	en.role       = GC_ROLE_SITE;
	en.not_before = now - 86400;
	en.not_after  = now - 3600;
	snprintf(en.name, sizeof(en.name), "short");
	snprintf(en.school, sizeof(en.school), "10335");
	gc_buf_init(&b);
	gc_enrollment_encode(&b, &en, false, NULL);
	append(f->lc, GC_KIND_ENROLL, &b, NULL, 0, NULL);
	gc_buf_release(&b);
	gc_buf_init(&body);
	gc_buf_init(&out);
	gc_cbor_map(&body, 0);
	/* within the enrollment */
	signed_entry(&out, f->ks, 1, NULL, (now - 7200) * 1000 << 16,
	    GC_KIND_SESSION_OPEN, &body);
	r = ingest1(f->lc, &out, out.len);
	assert_int_equal(r.status, GC_INGEST_ADDED);
	/* after not_after */
	gc_sha256(prev, out.data, out.len);
	signed_entry(&out, f->ks, 2, prev, now * 1000 << 16,
	    GC_KIND_SESSION_OPEN, &body);
	r = ingest1(f->lc, &out, out.len);
	assert_int_equal(r.status, GC_INGEST_REJECTED);
	assert_non_null(strstr(r.reason, "expired"));
	gc_buf_release(&body);
	gc_buf_release(&out);
}

static void
test_ledger_authority_fork_drops_its_later_roster(void **state)
{
	struct fx               *f = *state;
	struct gc_test_dump      d;
	struct gc_ingest_result *r;
	char                     backup[700], key[80];
	gc_ledger               *twin;
	static const char *const a[][4] = {
		{ "10335:1:11010519491231002X:05", "11010519491231002X", "张三",
		    "2021001" },
	};
	static const char *const b[][4] = {
		{ "10335:1:360426199101010071:05", "360426199101010071", "李四",
		    "2021002" },
	};

	f->ls = make_site(f, f->site, f->ks, "紫金港");
	/* the coordinator is copied (a second machine with the same key) */
	gc_ledger_close(f->lc);
	snprintf(backup, sizeof(backup), "%s/twin", f->dir);
	copy_dir(f->coord, backup);
	f->lc = gc_test_ledger_open(f->coord, f->kc);
	twin  = gc_test_ledger_open(backup, f->kc);
	roster_entry(f->lc, a, 1); /* seq 3 on one machine */
	roster_entry(twin, b, 1);  /* another seq 3 on the other */
	gc_test_dump_feed(f->lc, f->kc->pk, &d);
	gc_test_dump_free(&d);
	gc_test_dump_feed(f->lc, f->kc->pk, &d);
	r = ingest(f->ls, &d);
	free(r);
	gc_test_dump_free(&d);
	assert_int_equal(gc_ledger_student_find(f->ls, "2021001", key, NULL),
	    GC_OK);
	/* the twin's seq 3 proves the fork: what came from seq 3 on stops
	 * counting, on every node that sees both */
	gc_test_dump_feed(twin, f->kc->pk, &d);
	r = ingest(f->ls, &d);
	assert_int_equal(r[d.n - 1].status, GC_INGEST_FORK);
	free(r);
	gc_test_dump_free(&d);
	assert_int_equal(gc_ledger_student_find(f->ls, "2021001", key, NULL),
	    GC_ENOTFOUND);
	assert_int_equal(gc_ledger_student_find(f->ls, "2021002", key, NULL),
	    GC_ENOTFOUND);
	gc_ledger_close(twin);
}

static void
test_ledger_malformed_capture_is_kept_not_indexed(void **state)
{
	struct fx               *f = *state;
	struct gc_capture_rec c;
	struct gc_buf         body, e;
	size_t                n = 99;

	f->ls = make_site(f, f->site, f->ks, "紫金港");
	/* an enrolled site signs a CAPTURE that names no student */
	memset(&c, 0, sizeof(c));
	snprintf(c.session, sizeof(c.session), "s-1");
	snprintf(c.bind, sizeof(c.bind), "search");
	gc_buf_init(&body);
	gc_buf_init(&e);
	gc_capture_encode(&body, &c);
	signed_entry(&e, f->ks, 1, NULL, hlc_now(), GC_KIND_CAPTURE, &body);
	/* it is a valid signed entry: kept, but it indexes nothing */
	assert_int_equal(ingest1(f->lc, &e, e.len).status, GC_INGEST_ADDED);
	assert_int_equal(gc_ledger_captures(f->lc, "", NULL, NULL, &n), GC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(gc_ledger_reindex(f->lc, NULL), GC_OK);
	assert_int_equal(gc_ledger_verify(f->lc, NULL, NULL, NULL), GC_OK);
	gc_buf_release(&body);
	gc_buf_release(&e);
}

static void
test_ledger_sessions_belong_to_their_feed(void **state)
{
	struct fx               *f = *state;
	struct gc_session_rec    s, got;
	struct gc_buf            b, e;
	struct gc_test_dump      d;

	f->ls  = make_site(f, f->site, f->ks, "紫金港");
	f->ls2 = make_site(f, f->site2, f->ks2, "玉泉");
	/* the first site learns of the second's enrollment */
	gc_test_dump_feed(f->lc, f->kc->pk, &d);
	free(ingest(f->ls, &d));
	gc_test_dump_free(&d);
	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "s-0123456789abcdef");
	s.kind = GC_SESSION_CENTRAL;
	snprintf(s.location, sizeof(s.location), "体育馆");
	gc_buf_init(&b);
	gc_buf_init(&e);
	gc_session_open_encode(&b, &s);
	append(f->ls, GC_KIND_SESSION_OPEN, &b, NULL, 0, NULL);
	/* the other site opens a session under the same id */
	s.kind = GC_SESSION_ONLINE;
	snprintf(s.location, sizeof(s.location), "elsewhere");
	gc_buf_reset(&b);
	gc_session_open_encode(&b, &s);
	signed_entry(&e, f->ks2, 1, NULL, hlc_now(), GC_KIND_SESSION_OPEN, &b);
	assert_int_equal(ingest1(f->ls, &e, e.len).status, GC_INGEST_ADDED);
	assert_int_equal(gc_ledger_session_current(f->ls, f->ks->pk, &got),
	    GC_OK);
	assert_int_equal(got.kind, GC_SESSION_CENTRAL);
	assert_string_equal(got.location, "体育馆");
	assert_int_equal(gc_ledger_session_current(f->ls, f->ks2->pk, &got),
	    GC_OK);
	assert_int_equal(got.kind, GC_SESSION_ONLINE);
	gc_buf_release(&b);
	gc_buf_release(&e);
}

static int
count_cb(const struct gc_entry *e, const struct gc_capture_rec *c, void *arg)
{
	(void)e;
	assert_string_equal(c->student, "10335:1:11010519491231002X:05");
	(*(int *)arg)++;
	return 0;
}

static void
test_ledger_captures_are_indexed_by_student_and_code(void **state)
{
	struct fx               *f = *state;
	struct gc_capture_rec    c;
	struct gc_buf            b;
	struct gc_test_dump      d;
	struct gc_ingest_result *r;
	uint8_t                  other[32];
	size_t                   n = 0;
	int                      seen = 0;

	f->ls = make_site(f, f->site, f->ks, "紫金港");
	memset(&c, 0, sizeof(c));
	snprintf(c.student, sizeof(c.student), "10335:1:11010519491231002X:05");
	snprintf(c.session, sizeof(c.session), "s-1");
	snprintf(c.bind, sizeof(c.bind), "qr");
	c.has_code = true;
	gc_sha256(c.code_hash, "capture code", 12);
	gc_buf_init(&b);
	gc_capture_encode(&b, &c);
	append(f->ls, GC_KIND_CAPTURE, &b, NULL, 0, NULL);
	gc_buf_release(&b);
	/* on the site that took it, and on the coordinator once it has it */
	gc_test_dump_feed(f->ls, f->ks->pk, &d);
	r = ingest(f->lc, &d);
	assert_int_equal(r[0].status, GC_INGEST_ADDED);
	free(r);
	gc_test_dump_free(&d);
	assert_int_equal(gc_ledger_captures(f->ls, c.student, count_cb, &seen,
	    &n), GC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(gc_ledger_captures_by_code(f->lc, c.code_hash,
	    count_cb, &seen, &n), GC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(seen, 2);
	gc_sha256(other, "another code", 12);
	assert_int_equal(gc_ledger_captures_by_code(f->lc, other, NULL, NULL,
	    &n), GC_OK);
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_ledger_append_chains_and_reopens, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_ingest_is_idempotent_and_asks_for_gaps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_ingest_refuses_with_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_revocation_stops_later_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_fork_quarantines_only_that_feed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_verify_names_tampered_entries_and_blobs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_survives_sigkill_during_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ledger_grows_its_map, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_roster_index_finds_students_and_rebuilds, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_open_reports_damage_clearly, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_refuses_clocks_far_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_enroll_install_is_all_or_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_expired_enrollment_refuses_later_entries, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_authority_fork_drops_its_later_roster, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_malformed_capture_is_kept_not_indexed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_sessions_belong_to_their_feed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_captures_are_indexed_by_student_and_code, setup,
		    teardown),
	};
	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests_name("common.ledger", tests, NULL, NULL);
}
