/* bench_merge: a coordinator holding S students, C captures from 50 site
 * feeds (a fifth of the students shot twice: conflicts), reviews of half
 * the captures and resolves of half the conflicts: the full merge with its
 * Merkle root, and peak RSS. Baseline in the same run: one pass over the
 * same entries that only parses them (the floor any merge pays).
 * Targets (issue 5): full <= 3 s, incremental <= 10 ms, <= 150 MB RSS
 * outside the LMDB map.
 * Usage: bench_merge [DIR] [STUDENTS]   (default: a new /tmp dir, 1000000)
 */
#include <inttypes.h>
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

int
main(int argc, char **argv)
{
	char                 dir[512], key[80];
	unsigned             ns = argc > 2 ? (unsigned)atoi(argv[2]) : 1000000;
	unsigned             nc = ns + ns / 5;
	struct gc_key       *kc;
	gc_ledger           *lg;
	struct gc_diag       d;
	struct gc_buf        b;
	struct site          s[FEEDS];
	struct gc_merge     *m;
	struct gc_capture_rec *cr = calloc(1, sizeof(*cr));
	uint64_t             hlc = (uint64_t)time(NULL) * 1000 << 16;
	double               t0, t1, tp;
	gc_err               rv;

	uint8_t (*ids)[32] = calloc(nc, 32);

	if (sodium_init() < 0 || cr == NULL || ids == NULL) {
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", argc > 1 ? argv[1] :
	    "/tmp/gc-bench-merge");
	if (argc <= 1) {
		snprintf(dir, sizeof(dir), "/tmp/gc-bench-merge.%d", getpid());
	}
	gc_diag_clear(&d);
	gc_key_generate(&kc, NULL);
	rv = gc_ledger_create(dir, kc, GC_ROLE_COORDINATOR, "10335", "bench",
	    NULL, 0, &d);
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
	/* the roster, 10000 students per ROSTER entry */
	for (unsigned i = 0; i < ns; i += 10000) {
		unsigned k = ns - i < 10000 ? ns - i : 10000;

		gc_buf_reset(&b);
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
		rv = gc_ledger_append_body(lg, GC_KIND_ROSTER, &b, NULL, &d);
		if (rv != GC_OK) {
			die("roster", rv, &d);
		}
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
	printf("made the ledger in %.1f s\n", t1 - t0);
	/* the baseline: one pass that only parses every entry */
	{
		uint64_t n = 0;

		t0 = now_s();
		gc_ledger_foreach(lg, NULL, count_cb, &n);
		tp = now_s() - t0;
		printf("baseline: one parsing pass over %" PRIu64 " entries: "
		       "%.2f s\n", n, tp);
	}
	for (int run = 0; run < 2; run++) {
		t0 = now_s();
		rv = gc_merge_compute(lg, NULL, &m, &d);
		t1 = now_s();
		if (rv != GC_OK) {
			die("merge", rv, &d);
		}
		printf("full merge + Merkle root: %.2f s (run %d): APPROVED %zu "
		       "PENDING_REVIEW %zu CONFLICT %zu MISSING %zu; target "
		       "<= 3 s\n", t1 - t0, run + 1, m->counts[GC_MS_APPROVED],
		    m->counts[GC_MS_PENDING_REVIEW], m->counts[GC_MS_CONFLICT],
		    m->counts[GC_MS_MISSING]);
		gc_merge_free(m);
	}
	printf("incremental update after one capture: not built yet (each "
	       "command recomputes in full)\n");
	printf("peak RSS %ld MB (includes the LMDB pages touched: the map is "
	       "file-backed); target <= 150 MB outside the map\n", peak_rss_mb());
	gc_buf_release(&b);
	gc_ledger_close(lg);
	free(cr);
	free(ids);
	return 0;
}
