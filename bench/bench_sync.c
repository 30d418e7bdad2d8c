/* bench_sync: a site with N captures (each a ~600-byte CAPTURE entry and a
 * 32 KB photo blob) syncs to a coordinator over nng with mutual TLS on
 * loopback: seconds, entries/s, MB/s, peak RSS. Baseline in the same run:
 * raw nng TLS req/rep moving the same bytes in 256 KiB requests (the
 * transport's ceiling, no ledger, no verification, no fsync).
 * Usage: bench_sync [DIR] [CAPTURES]   (default: a new /tmp dir, 2000) */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "bench/bench_util.h"
#include "common/cbor.h"
#include "common/gc_log.h"
#include "common/ledger.h"
#include "sync/net.h"
#include "sync/sync.h"
#include "sync/tls.h"
#include "sync/wire.h"

#define BLOB_LEN 32768

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "bench_sync: %s: %s\n", what, why);
	exit(1);
}

static void
check(gc_err rv, const char *what, const struct gc_diag *d)
{
	if (rv != GC_OK) {
		die(what, gc_diag_msg(d, rv));
	}
}

/* A node: key, TLS identity, ledger (the coordinator enrolls the site
 * with its certificate, the site installs the coordinator's feed). */
struct node {
	char           home[600];
	struct gc_key *key;
	gc_ledger     *lg;
};

static void
node_make(struct node *n, const char *dir, const char *name,
    enum gc_role role, unsigned seed)
{
	struct gc_tls_ident id;
	struct gc_diag      d;
	uint8_t             s[32];

	gc_diag_clear(&d);
	snprintf(n->home, sizeof(n->home), "%s/%s", dir, name);
	memset(s, (int)seed, sizeof(s));
	check(gc_key_generate(&n->key, s), "key", &d);
	if (mkdir(n->home, 0700) != 0) {
		die(n->home, "mkdir");
	}
	check(gc_tls_ident_create(n->home, "10335", n->key->pk, &d), "tls",
	    &d);
	check(gc_tls_ident_load(&id, n->home, &d), "tls load", &d);
	check(gc_ledger_create(n->home, n->key, role, "10335", name,
	    role == GC_ROLE_COORDINATOR ? id.der : NULL,
	    role == GC_ROLE_COORDINATOR ? id.der_len : 0, &d), "create", &d);
	check(gc_ledger_open(&n->lg, n->home, 0, &d), "open", &d);
	check(gc_ledger_set_key(n->lg, n->key), "key", &d);
	gc_tls_ident_release(&id);
}

struct collect {
	const uint8_t **b;
	size_t         *l;
	size_t          n;
};

static int
collect_cb(const struct gc_entry *e, void *arg)
{
	struct collect *c = arg;
	uint8_t        *copy = malloc(e->len);

	memcpy(copy, e->bytes, e->len);
	c->b        = realloc(c->b, (c->n + 1) * sizeof(*c->b));
	c->l        = realloc(c->l, (c->n + 1) * sizeof(*c->l));
	c->b[c->n]  = copy;
	c->l[c->n++] = e->len;
	return 0;
}

static void
enroll_site(struct node *c, struct node *s)
{
	struct gc_tls_ident      id;
	struct gc_enrollment     en;
	struct gc_buf            b;
	struct gc_diag           d;
	struct collect           col = { NULL, NULL, 0 };
	struct gc_ingest_result *r;

	gc_diag_clear(&d);
	check(gc_tls_ident_load(&id, s->home, &d), "tls load", &d);
	memset(&en, 0, sizeof(en));
	memcpy(en.pk, s->key->pk, 32);
	en.role = GC_ROLE_SITE;
	snprintf(en.name, sizeof(en.name), "site");
	snprintf(en.school, sizeof(en.school), "10335");
	en.has_tls_fp   = true;
	en.tls_cert     = id.der;
	en.tls_cert_len = id.der_len;
	memcpy(en.tls_fp, id.fp, 32);
	gc_buf_init(&b);
	gc_enrollment_encode(&b, &en, false, NULL);
	check(gc_ledger_append_body(c->lg, GC_KIND_ENROLL, &b, NULL, &d),
	    "enroll", &d);
	gc_buf_release(&b);
	gc_tls_ident_release(&id);
	gc_ledger_foreach(c->lg, c->key->pk, collect_cb, &col);
	r = calloc(col.n, sizeof(*r));
	check(gc_ledger_enroll_install(s->lg, c->key->pk, col.b, col.l, col.n,
	    r, &d), "install", &d);
	for (size_t i = 0; i < col.n; i++) {
		free((void *)col.b[i]);
	}
	free(col.b);
	free(col.l);
	free(r);
}

/* N captures in batches of 100 per transaction (the photos are unique). */
static void
captures(struct node *s, unsigned n)
{
	struct gc_append a[100];
	struct gc_blob   bl[100];
	struct gc_buf    body[100];
	uint8_t         *data = malloc((size_t)100 * BLOB_LEN);
	struct gc_diag   d;
	char             t[64];

	gc_diag_clear(&d);
	for (unsigned done = 0; done < n;) {
		unsigned k = n - done < 100 ? n - done : 100;

		for (unsigned i = 0; i < k; i++) {
			uint8_t *p = data + (size_t)i * BLOB_LEN;

			for (size_t j = 0; j < BLOB_LEN; j++) {
				p[j] = (uint8_t)(j * 31 + (j >> 8));
			}
			memcpy(p, &done, sizeof(done));
			memcpy(p + 8, &i, sizeof(i));
			gc_buf_init(&body[i]);
			gc_cbor_map(&body[i], 2);
			gc_cbor_uint(&body[i], 0);
			snprintf(t, sizeof(t), "10335:1:1101051949123%05u:05",
			    done + i);
			gc_cbor_text(&body[i], t);
			gc_cbor_uint(&body[i], 1);
			gc_cbor_map(&body[i], 20);
			for (unsigned q = 0; q < 20; q++) {
				gc_cbor_uint(&body[i], q);
				gc_cbor_text(&body[i], "pass: measured value "
				    "and limit text");
			}
			bl[i].data = p;
			bl[i].len  = BLOB_LEN;
			memset(&a[i], 0, sizeof(a[i]));
			a[i].kind     = GC_KIND_CAPTURE;
			a[i].body     = body[i].data;
			a[i].body_len = body[i].len;
			a[i].blobs    = &bl[i];
			a[i].nblobs   = 1;
		}
		check(gc_ledger_append(s->lg, a, k, &d), "append", &d);
		for (unsigned i = 0; i < k; i++) {
			gc_buf_release(&body[i]);
		}
		done += k;
	}
	free(data);
}

/* ---- a blocking REP server in a thread ---- */

struct server {
	nng_socket           sock;
	struct gc_sync_node *sn; /* NULL: echo baseline */
	pthread_t            th;
};

static void *
server_main(void *arg)
{
	struct server *sv = arg;
	struct gc_buf  rep;
	nng_msg       *m;

	gc_buf_init(&rep);
	while (nng_recvmsg(sv->sock, &m, 0) == 0) {
		if (sv->sn != NULL) {
			gc_sync_serve(sv->sn, nng_msg_body(m), nng_msg_len(m),
			    &rep);
			nng_msg_clear(m);
			nng_msg_append(m, rep.data, rep.len);
		} else {
			nng_msg_clear(m);
			nng_msg_append(m, "ok", 2);
		}
		if (nng_sendmsg(sv->sock, m, 0) != 0) {
			nng_msg_free(m);
		}
	}
	gc_buf_release(&rep);
	return NULL;
}

static void
server_start(struct server *sv, struct node *c, const char *url,
    struct gc_sync_node *sn)
{
	nng_listener    l;
	nng_tls_config *tls;
	struct gc_diag  d;

	gc_diag_clear(&d);
	sv->sn = sn;
	check(gc_sync_tls_config(&tls, true, c->lg, c->home, &d), "tls", &d);
	if (nng_rep0_open(&sv->sock) != 0 ||
	    nng_socket_set_size(sv->sock, NNG_OPT_RECVMAXSZ,
	        GC_SYNC_MSG_MAX) != 0 ||
	    nng_listener_create(&l, sv->sock, url) != 0 ||
	    nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, tls) != 0 ||
	    nng_listener_start(l, 0) != 0) {
		die("listen", url);
	}
	nng_tls_config_free(tls);
	pthread_create(&sv->th, NULL, server_main, sv);
}

static void
server_stop(struct server *sv)
{
	nng_close(sv->sock);
	pthread_join(sv->th, NULL);
}

int
main(int argc, char **argv)
{
	char                 dir[600];
	unsigned             n = argc > 2 ? (unsigned)atoi(argv[2]) : 2000;
	struct node          c, s;
	struct gc_sync_node  cn, snode;
	struct gc_sync_stats st;
	struct server        sv;
	struct gc_diag       d;
	gc_sync_conn        *conn;
	nng_tls_config      *ctls;
	double               t0, t1, mb;
	char                 url[64];
	int                  port = 20000 + (int)(getpid() % 20000);

	atomic_store(&gc_log_threshold, GC_LOG_ERR);
	if (argc > 1) {
		snprintf(dir, sizeof(dir), "%s", argv[1]);
		if (mkdir(dir, 0700) != 0) {
			die(dir, "cannot create (must not exist)");
		}
	} else {
		snprintf(dir, sizeof(dir), "/tmp/bench_sync.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			die("mkdtemp", "failed");
		}
	}
	gc_diag_clear(&d);
	node_make(&c, dir, "coordinator", GC_ROLE_COORDINATOR, 1);
	node_make(&s, dir, "site", GC_ROLE_SITE, 2);
	enroll_site(&c, &s);
	t0 = now_s();
	captures(&s, n);
	t1 = now_s();
	printf("site: %u captures with %d-byte photos written in %.2f s\n", n,
	    BLOB_LEN, t1 - t0);
	check(gc_sync_node_init(&cn, c.lg, c.key, GC_SYNC_BLOBS_ALL, &d),
	    "node", &d);
	check(gc_sync_node_init(&snode, s.lg, s.key, GC_SYNC_BLOBS_OWN, &d),
	    "node", &d);

	/* gradcap's sync */
	snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);
	server_start(&sv, &c, url, &cn);
	check(gc_sync_tls_config(&ctls, false, s.lg, s.home, &d), "tls", &d);
	t0 = now_s();
	check(gc_sync_dial(&conn, url, ctls, false, 60000, &d), "dial", &d);
	check(gc_sync_run(&snode, gc_sync_conn_rpc, conn, &st, &d), "sync",
	    &d);
	t1 = now_s();
	gc_sync_conn_close(conn);
	server_stop(&sv);
	if (!st.converged || st.entries_sent != n || st.blobs_sent != n) {
		die("sync", "did not move everything");
	}
	mb = (double)st.bytes_sent / 1e6;
	printf("gradcap sync over TLS: %" PRIu64 " entries + %" PRIu64
	       " blobs, %.1f MB in %.2f s: %.0f entries/s, %.1f MB/s "
	       "(verified, durable)\n", st.entries_sent, st.blobs_sent, mb,
	    t1 - t0, (double)n / (t1 - t0), mb / (t1 - t0));

	/* baseline: the same bytes through nng TLS req/rep, 256 KiB each */
	{
		uint8_t *buf = calloc(1, GC_SYNC_CHUNK);
		uint64_t left = st.bytes_sent;
		double   b0, b1;

		snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port + 1);
		server_start(&sv, &c, url, NULL);
		check(gc_sync_dial(&conn, url, ctls, false, 60000, &d), "dial",
		    &d);
		b0 = now_s();
		while (left > 0) {
			size_t         k = left > GC_SYNC_CHUNK ? GC_SYNC_CHUNK :
			                                          (size_t)left;
			const uint8_t *rep;
			size_t         rl;

			check(gc_sync_conn_rpc(conn, buf, k, &rep, &rl, &d),
			    "echo", &d);
			left -= k;
		}
		b1 = now_s();
		gc_sync_conn_close(conn);
		server_stop(&sv);
		free(buf);
		printf("baseline, raw nng TLS req/rep, same bytes in 256 KiB "
		       "requests: %.2f s, %.1f MB/s\n", b1 - b0, mb / (b1 - b0));
		printf("gradcap sync reaches %.0f %% of the raw transport rate\n",
		    100.0 * (b1 - b0) / (t1 - t0));
	}
	nng_tls_config_free(ctls);
	printf("peak RSS %ld MB\n", peak_rss_mb());
	gc_sync_node_release(&cn);
	gc_sync_node_release(&snode);
	gc_ledger_close(c.lg);
	gc_ledger_close(s.lg);
	gc_key_free(c.key);
	gc_key_free(s.key);
	return 0;
}
