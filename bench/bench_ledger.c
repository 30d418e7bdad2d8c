/* bench_ledger: durable appends per second (no blob, 40 KB blob), full
 * verification entries per second, and in the same run the raw libsodium
 * Ed25519 verify rate on messages of the same size. Target: verify-all
 * at ≥ 75 % of the raw rate.
 * Usage: bench_ledger [DIR] [ENTRIES]   (default: a new /tmp dir, 20000) */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "common/cbor.h"
#include "common/ledger.h"

/* A capture-sized body: ~600 bytes like a real CAPTURE with its report. */
static void
body(struct gc_buf *b, unsigned i)
{
	char t[64];

	gc_buf_reset(b);
	gc_cbor_map(b, 4);
	gc_cbor_uint(b, 0);
	snprintf(t, sizeof(t), "10335:1:1101051949123%05u:05", i % 100000);
	gc_cbor_text(b, t);
	gc_cbor_uint(b, 1);
	gc_cbor_text(b, "session-0001");
	gc_cbor_uint(b, 2);
	gc_cbor_text(b, "qr");
	gc_cbor_uint(b, 3);
	gc_cbor_map(b, 20);
	for (unsigned k = 0; k < 20; k++) {
		gc_cbor_uint(b, k);
		gc_cbor_text(b, "pass: measured value and limit text");
	}
}

static void
die(const char *what, gc_err rv, const struct gc_diag *d)
{
	fprintf(stderr, "bench_ledger: %s: %s\n", what, gc_diag_msg(d, rv));
	exit(1);
}

struct vstat {
	size_t bytes, n;
};

static int
size_cb(const struct gc_entry *e, void *arg)
{
	struct vstat *v = arg;

	v->bytes += e->payload_len;
	v->n++;
	return 0;
}

int
main(int argc, char **argv)
{
	char            dir[512];
	unsigned        total = argc > 2 ? (unsigned)atoi(argv[2]) : 20000;
	struct gc_key  *k;
	gc_ledger      *lg;
	struct gc_diag  d;
	struct gc_buf   b;
	struct gc_append a[100];
	struct gc_buf   bodies[100];
	uint8_t        *photo;
	double          t0, t;
	unsigned        n1 = 300, n2 = 300;
	gc_err          rv;
	struct vstat    vs = { 0, 0 };

	if (sodium_init() < 0) {
		return 1;
	}
	if (argc > 1) {
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	} else {
		snprintf(dir, sizeof(dir), "/tmp/gc-bench-ledger.%d", getpid());
	}
	gc_diag_clear(&d);
	if (gc_key_generate(&k, NULL) != GC_OK) {
		return 1;
	}
	rv = gc_ledger_create(dir, k, GC_ROLE_COORDINATOR, "10335", "bench",
	    NULL, 0, &d);
	if (rv != GC_OK) {
		die("create", rv, &d);
	}
	rv = gc_ledger_open(&lg, dir, 0, &d);
	if (rv != GC_OK) {
		die("open", rv, &d);
	}
	gc_ledger_set_key(lg, k);
	gc_buf_init(&b);
	printf("gradcap bench/ledger  dir=%s\n", dir);

	/* 1. durable appends, one transaction (and fsync) each */
	t0 = now_s();
	for (unsigned i = 0; i < n1; i++) {
		memset(&a[0], 0, sizeof(a[0]));
		body(&b, i);
		a[0].kind     = GC_KIND_CAPTURE;
		a[0].body     = b.data;
		a[0].body_len = b.len;
		rv            = gc_ledger_append(lg, &a[0], 1, &d);
		if (rv != GC_OK) {
			die("append", rv, &d);
		}
	}
	t = now_s() - t0;
	printf("append, no blob, durable:   %8.0f entries/s  (%u in %.2f s)\n",
	    n1 / t, n1, t);

	/* 2. durable appends with a 40 KB photo blob each */
	photo = malloc(40 * 1024);
	t0    = now_s();
	for (unsigned i = 0; i < n2; i++) {
		struct gc_blob bl;

		randombytes_buf(photo, 40 * 1024);
		bl.data = photo;
		bl.len  = 40 * 1024;
		memset(&a[0], 0, sizeof(a[0]));
		body(&b, i);
		a[0].kind     = GC_KIND_CAPTURE;
		a[0].body     = b.data;
		a[0].body_len = b.len;
		a[0].blobs    = &bl;
		a[0].nblobs   = 1;
		rv            = gc_ledger_append(lg, &a[0], 1, &d);
		if (rv != GC_OK) {
			die("append blob", rv, &d);
		}
	}
	t = now_s() - t0;
	printf("append, 40 KB blob, durable: %7.0f entries/s  (%u in %.2f s, "
	       "%.1f MB/s)\n", n2 / t, n2, t, n2 * 40.0 * 1024 / t / 1e6);

	/* fill up to `total` entries, 100 per transaction */
	for (unsigned i = 0; i < 100; i++) {
		gc_buf_init(&bodies[i]);
	}
	t0 = now_s();
	for (unsigned done = n1 + n2; done < total;) {
		unsigned m = total - done < 100 ? total - done : 100;

		for (unsigned i = 0; i < m; i++) {
			body(&bodies[i], done + i);
			memset(&a[i], 0, sizeof(a[i]));
			a[i].kind     = GC_KIND_CAPTURE;
			a[i].body     = bodies[i].data;
			a[i].body_len = bodies[i].len;
		}
		rv = gc_ledger_append(lg, a, m, &d);
		if (rv != GC_OK) {
			die("append batch", rv, &d);
		}
		done += m;
	}
	t = now_s() - t0;
	printf("append, batches of 100:     %8.0f entries/s\n",
	    (total - n1 - n2) / t);

	/* 3. full verification vs raw Ed25519 verify of the same sizes */
	gc_ledger_foreach(lg, NULL, size_cb, &vs);
	{
		struct gc_verify_stats st;
		double                 tv, traw;
		size_t                 mlen = vs.bytes / vs.n + 20;
		uint8_t               *msg  = malloc(mlen), sig[64], pk[32],
		                      sk[64];
		unsigned               ok = 0;

		t0 = now_s();
		rv = gc_ledger_verify(lg, NULL, NULL, &st);
		tv = now_s() - t0;
		if (rv != GC_OK) {
			die("verify found problems", rv, NULL);
		}
		crypto_sign_keypair(pk, sk);
		randombytes_buf(msg, mlen);
		crypto_sign_detached(sig, NULL, msg, mlen, sk);
		t0 = now_s();
		for (uint64_t i = 0; i < st.entries; i++) {
			msg[i % mlen] ^= 0; /* keep the loop honest */
			ok += crypto_sign_verify_detached(sig, msg, mlen, pk) == 0;
		}
		traw = now_s() - t0;
		if (ok != st.entries) {
			return 1;
		}
		printf("verify all (gradcap):       %8.0f entries/s  (%" PRIu64
		       " entries, %" PRIu64 " blobs, %.2f s)\n",
		    st.entries / tv, st.entries, st.blobs, tv);
		printf("raw Ed25519 verify (libsodium, %zu-byte messages): "
		       "%8.0f /s\n", mlen, st.entries / traw);
		printf("ratio verify-all / raw:     %8.1f %%  (target >= 75 %%)\n",
		    100.0 * traw / tv);
		free(msg);
	}
	for (unsigned i = 0; i < 100; i++) {
		gc_buf_release(&bodies[i]);
	}
	free(photo);
	gc_buf_release(&b);
	gc_ledger_close(lg);
	gc_key_free(k);
	if (argc <= 1) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0) {
			return 1;
		}
	}
	return 0;
}
