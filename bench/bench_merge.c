/* bench_merge: a coordinator holding S students, C captures from 50 site
 * feeds (a fifth of the students shot twice: conflicts), reviews of half
 * the captures and resolves of half the conflicts.
 *
 * Measured, in a fresh process over the ledger made (re-executed with
 * --measure, so the heap of making it does not count):
 *   - the full merge kept by the ledger, redone from its inputs, with the
 *     Merkle root (gc_ledger_merge_rebuild): target <= 3 s;
 *   - the upkeep after one new capture, one review, one resolve (each a
 *     durable commit; the upkeep inside it timed on its own): <= 10 ms;
 *   - the peak anonymous memory of each (RSS outside the file-backed
 *     LMDB map, sampled every 2 ms from /proc/self/status): <= 150 MB;
 *   - reading the kept merge whole (what status/missing/export read);
 * and, in the same run, the baselines: one pass that only parses every
 * entry, and the merge computed from the entries (what audit verify
 * recomputes), whose root must equal the kept one.
 * Usage: bench_merge [DIR] [STUDENTS]   (default: a new /tmp dir, 1000000;
 * an existing DIR made by an earlier run is measured again, not remade)
 */
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench/bench_util.h"
#include "common/cbor.h"
#include "common/entry.h"
#include "common/hlc.h"
#include "common/ledger.h"
#include "common/records.h"
#include "sync/merge.h"

#define FEEDS 50

static void
die(const char *what, gc_err rv, const struct gc_diag *d)
{
	fprintf(stderr, "bench_merge: %s: %s\n", what, gc_diag_msg(d, rv));
	exit(1);
}

static void
key_of(char *out, size_t cap, unsigned i)
{
	snprintf(out, cap, "10335:1:1101011990%08u:05", i);
}

struct site {
	struct gc_key *k;
	uint64_t       seq;
	uint8_t        head[32];
};

static int
count_cb(const struct gc_entry *e, void *arg)
{
	uint64_t *n = arg;

	(void)e;
	(*n)++;
	return 0;
}

static int
make_ledger(const char *dir, unsigned ns)
{
	char                 key[80];
	unsigned             nc = ns + ns / 5;
	struct gc_key       *kc;
	gc_ledger           *lg;
	struct gc_diag       d;
	struct gc_buf        b;
	struct site          s[FEEDS];
	struct gc_capture_rec *cr = calloc(1, sizeof(*cr));
	uint64_t             hlc = (uint64_t)time(NULL) * 1000 << 16;
	double               t0, t1;
	gc_err               rv;

	uint8_t (*ids)[32] = calloc(nc, 32);

	if (sodium_init() < 0 || cr == NULL || ids == NULL) {
		return 1;
	}
	gc_diag_clear(&d);
	gc_key_generate(&kc, NULL);
	rv = gc_ledger_create(dir, kc, GC_ROLE_COORDINATOR, "10335", "bench",
	    NULL, 0, &d);
	if (rv == GC_OK) {
		char kp[600];

		snprintf(kp, sizeof(kp), "%s/node.key", dir);
		rv = gc_key_save(kc, kp, NULL, &d);
	}
	if (rv == GC_OK) {
		rv = gc_ledger_open(&lg, dir, 0, &d);
	}
	if (rv != GC_OK) {
		die("create", rv, &d);
	}
	gc_ledger_set_key(lg, kc);
	gc_buf_init(&b);
	printf("gradcap bench/merge  dir=%s: %u students, %u captures from %d "
	       "feeds\n", dir, ns, nc, FEEDS);
	t0 = now_s();
	/* the roster, 10000 students per ROSTER entry, one import */
	{
	unsigned          nr = (ns + 9999) / 10000, r = 0;
	struct gc_append *ra = calloc(nr + 1, sizeof(*ra));
	struct gc_buf    *rb = calloc(nr + 1, sizeof(*rb));

	for (unsigned i = 0; i < ns; i += 10000, r++) {
		unsigned k = ns - i < 10000 ? ns - i : 10000;
		gc_buf_init(&b); /* the last one moved into rb */
		gc_cbor_map(&b, 3);
		gc_cbor_uint(&b, 0);
		gc_cbor_uint(&b, 0);
		gc_cbor_uint(&b, 1);
		gc_cbor_text(&b, "bench");
		gc_cbor_uint(&b, 2);
		gc_cbor_array(&b, k);
		for (unsigned j = i; j < i + k; j++) {
			char cls[32];

			key_of(key, sizeof(key), j);
			snprintf(cls, sizeof(cls), "班%u", j / 40);
			gc_cbor_map(&b, 3);
			gc_cbor_uint(&b, 0);
			gc_cbor_text(&b, key);
			gc_cbor_uint(&b, 1);
			gc_cbor_text(&b, "10335");
			gc_cbor_uint(&b, 13);
			gc_cbor_text(&b, cls);
		}
		rb[r]          = b;
		ra[r].kind     = GC_KIND_ROSTER;
		ra[r].body     = rb[r].data;
		ra[r].body_len = rb[r].len;
	}
	rv = gc_ledger_append(lg, ra, nr, &d);
	if (rv != GC_OK) {
		die("roster", rv, &d);
	}
	for (unsigned i = 0; i < nr; i++) {
		gc_buf_release(&rb[i]);
	}
	free(ra);
	free(rb);
	gc_buf_init(&b); /* every one was moved into rb */
	}
	/* 50 enrolled site feeds */
	for (int f = 0; f < FEEDS; f++) {
		struct gc_enrollment en;

		memset(&s[f], 0, sizeof(s[f]));
		gc_key_generate(&s[f].k, NULL);
		memset(&en, 0, sizeof(en));
		memcpy(en.pk, s[f].k->pk, 32);
		en.role = GC_ROLE_SITE;
		snprintf(en.name, sizeof(en.name), "site%02d", f);
		snprintf(en.school, sizeof(en.school), "10335");
		gc_buf_reset(&b);
		gc_enrollment_encode(&b, &en, false, NULL);
		rv = gc_ledger_append_body(lg, GC_KIND_ENROLL, &b, NULL, &d);
		if (rv != GC_OK) {
			die("enroll", rv, &d);
		}
	}
	/* captures, signed by the sites and ingested (verified) in batches:
	 * every student once, the first fifth twice (from another feed) */
	{
		enum { BATCH = 4000 };
		struct gc_buf  *ents = calloc(BATCH, sizeof(*ents));
		const uint8_t **bp   = calloc(BATCH, sizeof(*bp));
		size_t         *lp   = calloc(BATCH, sizeof(*lp));
		struct gc_ingest_result *res = calloc(BATCH, sizeof(*res));
		unsigned        k = 0;

		for (unsigned i = 0; i < nc; i++) {
			unsigned            st = i < ns ? i : i - ns;
			struct site        *fs = &s[(i + (i >= ns)) % FEEDS];
			struct gc_entry_hdr h;
			struct gc_buf       body;

			key_of(key, sizeof(key), st);
			memset(cr, 0, sizeof(*cr));
			snprintf(cr->student, sizeof(cr->student), "%s", key);
			snprintf(cr->session, sizeof(cr->session),
			    "s-00000000000000%02u", (i / 1000) % 100);
			cr->session_kind = i < ns ? GC_SESSION_CENTRAL :
			                            GC_SESSION_MAKEUP;
			snprintf(cr->bind, sizeof(cr->bind), "qr");
			crypto_generichash(cr->photo, 32, (uint8_t *)&i,
			    sizeof(i), NULL, 0);
			memcpy(cr->original, cr->photo, 32);
			cr->original[0] ^= 0xff;
			gc_buf_init(&body);
			gc_capture_encode(&body, cr);
			memset(&h, 0, sizeof(h));
			h.feed = fs->k->pk;
			h.seq  = ++fs->seq;
			h.prev = fs->seq > 1 ? fs->head : NULL;
			h.hlc  = ++hlc;
			h.kind = GC_KIND_CAPTURE;
			gc_buf_reset(&ents[k]);
			rv = gc_entry_encode(&ents[k], &h, body.data, body.len,
			    fs->k->sk);
			gc_buf_release(&body);
			if (rv != GC_OK) {
				die("encode", rv, NULL);
			}
			gc_sha256(fs->head, ents[k].data, ents[k].len);
			memcpy(ids[i], fs->head, 32);
			bp[k] = ents[k].data;
			lp[k] = ents[k].len;
			if (++k == BATCH || i + 1 == nc) {
				rv = gc_ledger_ingest(lg, bp, lp, k, res, &d);
				if (rv != GC_OK) {
					die("ingest", rv, &d);
				}
				for (unsigned j = 0; j < k; j++) {
					if (res[j].status != GC_INGEST_ADDED) {
						fprintf(stderr, "bench_merge: %s\n",
						    res[j].reason);
						return 1;
					}
				}
				k = 0;
			}
		}
		for (unsigned j = 0; j < BATCH; j++) {
			gc_buf_release(&ents[j]);
		}
		free(ents);
		free(bp);
		free(lp);
		free(res);
	}
	/* the coordinator approves every other capture of a student shot
	 * once, and resolves every other conflict for its makeup shot */
	{
		enum { B = 1000 };
		struct gc_append *ap = calloc(B, sizeof(*ap));
		struct gc_buf    *bb = calloc(B, sizeof(*bb));
		unsigned          k  = 0, nrev = 0, nres = 0;

		for (unsigned i = 0; i < ns; i += 2) {
			gc_buf_reset(&bb[k]);
			memset(&ap[k], 0, sizeof(ap[k]));
			if (i >= ns / 5) {
				struct gc_review_rec r;

				memset(&r, 0, sizeof(r));
				memcpy(r.capture, ids[i], 32);
				r.decision = GC_REVIEW_APPROVE;
				gc_review_encode(&bb[k], &r);
				ap[k].kind = GC_KIND_REVIEW;
				nrev++;
			} else {
				struct gc_resolve_rec r;

				memset(&r, 0, sizeof(r));
				key_of(r.student, sizeof(r.student), i);
				memcpy(r.capture, ids[ns + i], 32);
				snprintf(r.reason, sizeof(r.reason), "makeup");
				gc_resolve_encode(&bb[k], &r);
				ap[k].kind = GC_KIND_RESOLVE;
				nres++;
			}
			ap[k].body     = bb[k].data;
			ap[k].body_len = bb[k].len;
			if (++k == B || i + 2 >= ns) {
				rv = gc_ledger_append(lg, ap, k, &d);
				if (rv != GC_OK) {
					die("reviews", rv, &d);
				}
				k = 0;
			}
		}
		printf("%u reviews, %u resolves\n", nrev, nres);
		for (unsigned j = 0; j < B; j++) {
			gc_buf_release(&bb[j]);
		}
		free(ap);
		free(bb);
	}
	t1 = now_s();
	printf("made the ledger in %.1f s (the merge kept up to date as it "
	       "grew)\n", t1 - t0);
	gc_buf_release(&b);
	gc_ledger_close(lg);
	gc_key_free(kc);
	for (int f = 0; f < FEEDS; f++) {
		gc_key_free(s[f].k);
	}
	free(cr);
	free(ids);
	return 0;
}

/* ---- measuring ---- */

static atomic_long anon_kb, anon_peak_kb;
static atomic_bool sampling;

static long
anon_now_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char  line[256];
	long  kb = -1;

	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "RssAnon:", 8) == 0) {
			kb = atol(line + 8);
			break;
		}
	}
	fclose(f);
	return kb;
}

static void *
sampler(void *arg)
{
	(void)arg;
	while (atomic_load(&sampling)) {
		long kb = anon_now_kb();

		atomic_store(&anon_kb, kb);
		if (kb > atomic_load(&anon_peak_kb)) {
			atomic_store(&anon_peak_kb, kb);
		}
		usleep(2000);
	}
	return NULL;
}

/* Starts a phase: memory given back, the peak from here. */
static void
phase_start(void)
{
	malloc_trim(0);
	atomic_store(&anon_peak_kb, anon_now_kb());
}

static long
phase_peak_mb(void)
{
	long kb = anon_now_kb();

	if (kb > atomic_load(&anon_peak_kb)) {
		atomic_store(&anon_peak_kb, kb);
	}
	return atomic_load(&anon_peak_kb) / 1024;
}

/* One more capture of an existing student (now a conflict), from a site
 * enrolled for it, ingested and verified as sync does. */
static void
one_capture(gc_ledger *lg, struct gc_key *site, const char *student,
    uint8_t id[32])
{
	struct gc_capture_rec cr;
	struct gc_entry_hdr   h;
	struct gc_buf         body, ent;
	struct gc_ingest_result res;
	struct gc_ledger_info info;
	struct gc_diag        d;
	const uint8_t        *bp[1];
	size_t                lp[1];
	gc_err                rv;

	gc_diag_clear(&d);
	gc_ledger_info(lg, &info);
	memset(&cr, 0, sizeof(cr));
	snprintf(cr.student, sizeof(cr.student), "%s", student);
	snprintf(cr.session, sizeof(cr.session), "s-0000000000000099");
	cr.session_kind = GC_SESSION_INDIVIDUAL;
	snprintf(cr.bind, sizeof(cr.bind), "id");
	randombytes_buf(cr.photo, 32);
	randombytes_buf(cr.original, 32);
	gc_buf_init(&body);
	gc_buf_init(&ent);
	gc_capture_encode(&body, &cr);
	memset(&h, 0, sizeof(h));
	h.feed = site->pk;
	h.seq  = 1;
	h.hlc  = info.hlc + 1;
	h.kind = GC_KIND_CAPTURE;
	if (gc_entry_encode(&ent, &h, body.data, body.len, site->sk) != GC_OK) {
		die("encode", GC_EINVAL, NULL);
	}
	gc_sha256(id, ent.data, ent.len);
	bp[0] = ent.data;
	lp[0] = ent.len;
	rv    = gc_ledger_ingest(lg, bp, lp, 1, &res, &d);
	if (rv != GC_OK || res.status != GC_INGEST_ADDED) {
		fprintf(stderr, "bench_merge: one capture: %s\n", res.reason);
		exit(1);
	}
	gc_buf_release(&body);
	gc_buf_release(&ent);
}

static void
incr_line(const char *what, double t0, gc_ledger *lg)
{
	double t = now_s() - t0;

	printf("  %-44s %7.2f ms commit, %6.3f ms upkeep, peak %ld MB anon\n",
	    what, t * 1e3, (double)gc_ledger_merge_last_ns(lg) / 1e6,
	    phase_peak_mb());
}

static int
measure(const char *dir)
{
	gc_ledger            *lg;
	struct gc_diag        d;
	struct gc_key        *kc, *site;
	struct gc_merge      *m, *k;
	struct gc_merge_state st;
	pthread_t             th;
	double                t0, tk;
	uint8_t               capid[32], rootk[32];
	char                  keypath[600], student[80];
	gc_err                rv;

	gc_diag_clear(&d);
	snprintf(keypath, sizeof(keypath), "%s/node.key", dir);
	rv = gc_key_load(&kc, keypath, NULL, &d);
	if (rv == GC_OK) {
		rv = gc_ledger_open(&lg, dir, 0, &d);
	}
	if (rv != GC_OK) {
		die("open", rv, &d);
	}
	gc_ledger_set_key(lg, kc);
	atomic_store(&sampling, true);
	pthread_create(&th, NULL, sampler, NULL);
	{
		uint64_t n = 0;

		phase_start();
		t0 = now_s();
		gc_ledger_foreach(lg, NULL, count_cb, &n);
		printf("baseline: one pass that only parses the %" PRIu64
		       " entries: %.2f s\n", n, now_s() - t0);
	}
	for (int run = 0; run < 2; run++) {
		phase_start();
		t0 = now_s();
		rv = gc_ledger_merge_rebuild(lg, &d);
		tk = now_s() - t0;
		if (rv != GC_OK || gc_ledger_merge_state(lg, &st) != GC_OK) {
			die("rebuild", rv, &d);
		}
		printf("full merge kept by the ledger, redone from its inputs "
		       "+ Merkle root (one durable commit): %.2f s (run %d), "
		       "peak %ld MB anon; target <= 3 s, <= 150 MB\n"
		       "  APPROVED %" PRIu64 " PENDING_REVIEW %" PRIu64
		       " CONFLICT %" PRIu64 " MISSING %" PRIu64 " NEEDS_RETAKE %"
		       PRIu64 "\n", tk, run + 1, phase_peak_mb(),
		    st.counts[GC_MS_APPROVED], st.counts[GC_MS_PENDING_REVIEW],
		    st.counts[GC_MS_CONFLICT], st.counts[GC_MS_MISSING],
		    st.counts[GC_MS_NEEDS_RETAKE]);
	}
	/* the upkeep: a new site, a new capture, its review, a resolve */
	{
		struct gc_enrollment en;
		struct gc_buf        b;

		gc_key_generate(&site, NULL);
		memset(&en, 0, sizeof(en));
		memcpy(en.pk, site->pk, 32);
		en.role = GC_ROLE_SITE;
		snprintf(en.name, sizeof(en.name), "bench-extra");
		snprintf(en.school, sizeof(en.school), "10335");
		gc_buf_init(&b);
		gc_enrollment_encode(&b, &en, false, NULL);
		if (gc_ledger_append_body(lg, GC_KIND_ENROLL, &b, NULL, &d) !=
		    GC_OK) {
			die("enroll", GC_EINVAL, &d);
		}
		gc_buf_release(&b);
	}
	printf("upkeep after one entry (each one durable write transaction; "
	       "target <= 10 ms):\n");
	key_of(student, sizeof(student), (unsigned)(st.nst * 7 / 9));
	phase_start();
	t0 = now_s();
	one_capture(lg, site, student, capid);
	incr_line("a new capture of a student (a conflict now)", t0, lg);
	{
		struct gc_review_rec r;
		struct gc_resolve_rec rs;
		struct gc_buf        b;

		memset(&r, 0, sizeof(r));
		memcpy(r.capture, capid, 32);
		r.decision = GC_REVIEW_APPROVE;
		gc_buf_init(&b);
		gc_review_encode(&b, &r);
		phase_start();
		t0 = now_s();
		if (gc_ledger_append_body(lg, GC_KIND_REVIEW, &b, NULL, &d) !=
		    GC_OK) {
			die("review", GC_EINVAL, &d);
		}
		incr_line("its review (approve)", t0, lg);
		memset(&rs, 0, sizeof(rs));
		snprintf(rs.student, sizeof(rs.student), "%s", student);
		memcpy(rs.capture, capid, 32);
		snprintf(rs.reason, sizeof(rs.reason), "bench");
		gc_buf_reset(&b);
		gc_resolve_encode(&b, &rs);
		phase_start();
		t0 = now_s();
		if (gc_ledger_append_body(lg, GC_KIND_RESOLVE, &b, NULL, &d) !=
		    GC_OK) {
			die("resolve", GC_EINVAL, &d);
		}
		incr_line("the coordinator's resolve", t0, lg);
		gc_buf_release(&b);
	}
	phase_start();
	t0 = now_s();
	if (gc_ledger_merge_load(lg, NULL, false, &k) != GC_OK) {
		die("load", GC_EINVAL, NULL);
	}
	printf("reading the kept merge whole (status, missing, export): "
	       "%.2f s, peak %ld MB anon (%zu students, %zu captures)\n",
	    now_s() - t0, phase_peak_mb(), k->nst, k->ncap);
	memcpy(rootk, k->root, 32);
	gc_merge_free(k);
	phase_start();
	t0 = now_s();
	rv = gc_merge_compute(lg, NULL, &m, &d);
	if (rv != GC_OK) {
		die("merge", rv, &d);
	}
	printf("baseline: the merge computed from the entries (audit verify): "
	       "%.2f s, peak %ld MB anon; same root as kept: %s\n",
	    now_s() - t0, phase_peak_mb(),
	    memcmp(m->root, rootk, 32) == 0 ? "yes" : "NO");
	if (memcmp(m->root, rootk, 32) != 0) {
		return 1;
	}
	gc_merge_free(m);
	atomic_store(&sampling, false);
	pthread_join(th, NULL);
	printf("peak RSS of this process %ld MB (VmHWM: includes the LMDB "
	       "pages touched, the map being file-backed)\n", peak_rss_mb());
	gc_ledger_close(lg);
	gc_key_free(kc);
	gc_key_free(site);
	return 0;
}

int
main(int argc, char **argv)
{
	char        dir[512], db[600];
	unsigned    ns;
	struct stat sb;

	if (sodium_init() < 0) {
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "--measure") == 0) {
		return measure(argv[2]);
	}
	ns = argc > 2 ? (unsigned)atoi(argv[2]) : 1000000;
	if (argc > 1) {
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	} else {
		snprintf(dir, sizeof(dir), "/tmp/gc-bench-merge.%d", getpid());
	}
	snprintf(db, sizeof(db), "%s/db/data.mdb", dir);
	if (stat(db, &sb) == 0) {
		printf("gradcap bench/merge  dir=%s: measuring the ledger made "
		       "by an earlier run\n", dir);
	} else if (make_ledger(dir, ns) != 0) {
		return 1;
	}
	fflush(stdout);
	execl("/proc/self/exe", argv[0], "--measure", dir, (char *)NULL);
	perror("bench_merge: exec");
	return 1;
}
