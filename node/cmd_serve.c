/* gradcap serve: accept peers over nng (rep sockets with contexts) and
 * sync with configured peers in the background, all driven by one libuv
 * loop (STYLE §9): nng callbacks only queue work and wake the loop;
 * ledger work runs in uv_queue_work. */
#include <getopt.h>
#include <inttypes.h>
#ifdef HAVE_MALLOPT
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <sodium.h>
#include <uv.h>

#include "common/buf.h"
#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "node/cli.h"
#include "node/node.h"
#include "node/portal.h"
#include "node/syncnode.h"
#include "node/ui.h"
#include "sync/net.h"
#include "sync/sync.h"
#include "sync/wire.h"

static const char serve_usage[] =
    "usage: gradcap serve [--home DIR] [--listen URL] [--peer URL]...\n"
    "                     [--interval SECONDS] [--insecure]\n"
    "                     [--ui URL | --no-ui] [--portal URL]\n"
    "  --listen    accept peers at URL, e.g. tls+tcp://0.0.0.0:7443\n"
    "              (default: [sync] listen in gradcap.ini; none: dial only)\n"
    "  --peer      sync with URL in the background (repeatable; also\n"
    "              [sync] peers = URL, URL)\n"
    "  --interval  seconds between background syncs (default 60)\n"
    "  --insecure  plain tcp:// (tests only; peers must say it too)\n"
    "  --ui        the operator UI at URL (default: [ui] listen in\n"
    "              gradcap.ini, else http://127.0.0.1:8080); --no-ui: none\n"
    "  --portal    the student portal at http://127.0.0.1:PORT, behind the\n"
    "              school's TLS proxy (online node or coordinator; default:\n"
    "              [online] portal_listen; docs/online-guide.md)\n"
    "Syncs after new local entries (debounced), on the timer, and with\n"
    "exponential backoff plus jitter while a peer is unreachable.\n"
    "Stops on SIGINT or SIGTERM.\n";

#define NCTX          4
#define MAX_PEERS     32
#define BACKOFF_MIN   1000
#define BACKOFF_MAX   300000
#define DEBOUNCE_MS   2000
#define WATCH_MS      1000

struct serve;

/* One rep context: receive → (loop) handle in the pool → send → receive. */
struct rctx {
	struct serve *sv;
	nng_ctx       ctx;
	nng_aio      *aio;
	nng_msg      *req;   /* being handled */
	struct gc_buf rep;
	uv_work_t     work;
	bool          sending;
	struct rctx  *next_ready; /* inbox link */
};

/* A peer synced in the background. */
struct bpeer {
	struct serve        *sv;
	char                 url[400];
	uv_timer_t           timer;
	uv_work_t            work;
	bool                 running, pending;
	bool                 online;
	uint64_t             backoff_ms;
	gc_err               rv;
	struct gc_sync_stats st;
	struct gc_diag       d;
};

struct serve {
	struct gc_node      n;
	struct gc_sync_node sn;
	uv_loop_t           loop;
	uv_async_t          wake;
	uv_signal_t         sigint, sigterm;
	uv_timer_t          watch;
	uv_mutex_t          mtx; /* guards ready */
	struct rctx        *ready;
	nng_socket          sock;
	nng_listener        listener;
	nng_tls_config     *tls;
	bool                listening, insecure, stopping;
	char                listen_url[400];
	struct rctx         ctx[NCTX];
	struct bpeer        peers[MAX_PEERS];
	size_t              npeers;
	uint64_t            interval_ms;
	uint64_t            seen_seq, enroll_sig;
	unsigned            listen_errors;
	struct gc_ui       *ui;
	struct gc_portal   *portal;
};

/* ---- the listener ---- */

static void
rctx_cb(void *arg) /* nng thread */
{
	struct rctx  *r  = arg;
	struct serve *sv = r->sv;
	int           rv = nng_aio_result(r->aio);

	if (r->sending) {
		r->sending = false;
		if (rv != 0) {
			nng_msg *m = nng_aio_get_msg(r->aio);

			nng_aio_set_msg(r->aio, NULL);
			if (m != NULL) {
				nng_msg_free(m);
			}
		}
		if (rv != NNG_ECLOSED) {
			nng_ctx_recv(r->ctx, r->aio);
		}
		return;
	}
	if (rv != 0) {
		if (rv != NNG_ECLOSED && rv != NNG_ECANCELED) {
			nng_ctx_recv(r->ctx, r->aio);
		}
		return;
	}
	r->req = nng_aio_get_msg(r->aio);
	nng_aio_set_msg(r->aio, NULL);
	uv_mutex_lock(&sv->mtx);
	r->next_ready = sv->ready;
	sv->ready     = r;
	uv_mutex_unlock(&sv->mtx);
	uv_async_send(&sv->wake);
}

static void
rctx_work(uv_work_t *w) /* pool thread */
{
	struct rctx *r = w->data;

	gc_sync_serve(&r->sv->sn, nng_msg_body(r->req), nng_msg_len(r->req),
	    &r->rep);
}

static void
rctx_done(uv_work_t *w, int status) /* loop thread */
{
	struct rctx *r = w->data;
	nng_msg     *m = r->req;

	(void)status;
	r->req = NULL;
	nng_msg_clear(m);
	if (gc_buf_status(&r->rep) != GC_OK ||
	    nng_msg_append(m, r->rep.data, r->rep.len) != 0) {
		nng_msg_free(m);
		nng_ctx_recv(r->ctx, r->aio);
		return;
	}
	if (r->rep.cap > (1u << 20)) {
		gc_buf_release(&r->rep); /* do not keep a big batch around */
	}
	r->sending = true;
	nng_aio_set_msg(r->aio, m);
	nng_ctx_send(r->ctx, r->aio);
}

static int
listener_start(struct serve *sv, struct gc_diag *d)
{
	nng_tls_config *tls = NULL;
	int             rc;
	gc_err          rv;

	if (!sv->insecure) {
		pthread_mutex_lock(&sv->sn.mtx);
		rv = gc_sync_tls_config(&tls, true, sv->n.lg, sv->n.home, d);
		pthread_mutex_unlock(&sv->sn.mtx);
		if (rv != GC_OK) {
			return -1;
		}
	}
	rc = nng_listener_create(&sv->listener, sv->sock, sv->listen_url);
	if (rc == 0) {
		rc = nng_listener_set_size(sv->listener, NNG_OPT_RECVMAXSZ,
		    GC_SYNC_MSG_MAX);
	}
	if (rc == 0 && tls != NULL) {
		rc = nng_listener_set_ptr(sv->listener, NNG_OPT_TLS_CONFIG, tls);
	}
	if (rc == 0) {
		rc = nng_listener_start(sv->listener, 0);
	}
	if (rc != 0) {
		gc_diag_set(d, "listen on %s: %s", sv->listen_url,
		    gc_sync_nng_words(rc));
		nng_listener_close(sv->listener);
		if (tls != NULL) {
			nng_tls_config_free(tls);
		}
		return -1;
	}
	if (sv->tls != NULL) {
		nng_tls_config_free(sv->tls);
	}
	sv->tls       = tls;
	sv->listening = true;
	return 0;
}

/* Enrollment changed (a node enrolled or revoked): the listener's trust
 * chain must follow, so it is made again. */
static void
listener_restart(struct serve *sv)
{
	struct gc_diag d;

	gc_diag_clear(&d);
	if (sv->listening) {
		nng_listener_close(sv->listener);
		sv->listening = false;
	}
	if (listener_start(sv, &d) != 0) {
		if (sv->listen_errors++ % 60 == 0) {
			GC_LOG(GC_LOG_ERR, "SERVE-LISTEN", "%s (retrying every "
			    "second)", d.msg);
		}
		return;
	}
	sv->listen_errors = 0;
	GC_LOG(GC_LOG_NOTICE, "SERVE-TRUST", "enrollments changed: listener "
	    "on %s now trusts the current set of certificates",
	    sv->listen_url);
}

static void
wake_cb(uv_async_t *h) /* loop thread */
{
	struct serve *sv = h->data;
	struct rctx  *r;

	uv_mutex_lock(&sv->mtx);
	r         = sv->ready;
	sv->ready = NULL;
	uv_mutex_unlock(&sv->mtx);
	while (r != NULL) {
		struct rctx *next = r->next_ready;

		r->work.data = r;
		if (sv->stopping) {
			nng_msg_free(r->req);
			r->req = NULL;
		} else {
			uv_queue_work(&sv->loop, &r->work, rctx_work, rctx_done);
		}
		r = next;
	}
}

/* ---- background sync ---- */

static uint64_t
jitter(uint64_t ms)
{
	return ms + randombytes_uniform((uint32_t)(ms / 4 + 1));
}

static void bpeer_kick(struct bpeer *p, uint64_t delay_ms);

static void
bpeer_work(uv_work_t *w) /* pool thread */
{
	struct bpeer *p = w->data;
	uint64_t      next;

	gc_diag_clear(&p->d);
	/* the backoff that will apply if this attempt fails */
	next  = p->backoff_ms ? p->backoff_ms * 2 : BACKOFF_MIN;
	next  = next > BACKOFF_MAX ? BACKOFF_MAX : next;
	p->rv = gc_syncnode_run(&p->sv->sn, p->sv->n.home, p->url,
	    p->sv->insecure, 30000, &next, &p->st, &p->d);
}

static void
bpeer_done(uv_work_t *w, int status) /* loop thread */
{
	struct bpeer *p = w->data;

	(void)status;
	p->running = false;
	if (p->sv->stopping) {
		return;
	}
	if (p->rv == GC_OK) {
		if (!p->online) {
			GC_LOG(GC_LOG_NOTICE, "SYNC-ONLINE", "%s ('%s') is "
			    "reachable", p->url, p->st.peer_name);
		}
		p->online     = true;
		p->backoff_ms = 0;
		if (p->st.entries_sent + p->st.entries_recv + p->st.blobs_sent +
		    p->st.blobs_recv > 0) {
			GC_LOG(GC_LOG_NOTICE, "SYNC-DONE", "%s: sent %" PRIu64
			    " entries %" PRIu64 " blobs, received %" PRIu64
			    " entries %" PRIu64 " blobs in %.2f s%s", p->url,
			    p->st.entries_sent, p->st.blobs_sent,
			    p->st.entries_recv, p->st.blobs_recv, p->st.seconds,
			    p->st.converged ? "" : " (still differs)");
		}
		bpeer_kick(p, p->pending ? DEBOUNCE_MS :
		                           jitter(p->sv->interval_ms));
	} else {
		p->backoff_ms = p->backoff_ms ? p->backoff_ms * 2 : BACKOFF_MIN;
		if (p->backoff_ms > BACKOFF_MAX) {
			p->backoff_ms = BACKOFF_MAX;
		}
		if (p->online || p->backoff_ms == BACKOFF_MIN) {
			GC_LOG(GC_LOG_WARN, "SYNC-OFFLINE", "%s: %s; retrying "
			    "with backoff", p->url, gc_diag_msg(&p->d, p->rv));
		} else {
			GC_LOG(GC_LOG_INFO, "SYNC-RETRY", "%s: %s; next try in "
			    "%" PRIu64 " ms", p->url, gc_diag_msg(&p->d, p->rv),
			    p->backoff_ms);
		}
		p->online = false;
		bpeer_kick(p, jitter(p->backoff_ms));
	}
	p->pending = false;
}

static void
bpeer_timer_cb(uv_timer_t *t)
{
	struct bpeer *p = t->data;

	if (p->running || p->sv->stopping) {
		p->pending = true;
		return;
	}
	p->running   = true;
	p->work.data = p;
	uv_queue_work(&p->sv->loop, &p->work, bpeer_work, bpeer_done);
}

static void
bpeer_kick(struct bpeer *p, uint64_t delay_ms)
{
	uv_timer_start(&p->timer, bpeer_timer_cb, delay_ms, 0);
}

static int
enroll_sig_cb(const struct gc_enrollment *e, void *arg)
{
	uint64_t *h = arg;
	uint64_t  x;

	memcpy(&x, e->entry_id, 8);
	*h = (*h ^ x ^ (e->revoked ? 0x9e3779b97f4a7c15u : 0)) *
	    0x100000001b3u;
	return 0;
}

/* Changes whenever a node is enrolled, re-enrolled or revoked. */
static uint64_t
enroll_sig(gc_ledger *lg)
{
	uint64_t h = 0xcbf29ce484222325u;

	gc_ledger_enrollments(lg, enroll_sig_cb, &h);
	return h;
}

/* Every second: new local entries → sync soon (debounced); changed
 * enrollments → the listener's trust chain is rebuilt. */
static void
watch_cb(uv_timer_t *t)
{
	struct serve         *sv = t->data;
	struct gc_ledger_info info;
	uint64_t              sig;

	/* the loop thread never waits for the ledger: a long holder (an
	 * export, a shot being checked) only delays this look by a tick */
	if (pthread_mutex_trylock(&sv->sn.mtx) != 0) {
		return;
	}
	gc_ledger_info(sv->n.lg, &info);
	sig = enroll_sig(sv->n.lg);
	pthread_mutex_unlock(&sv->sn.mtx);
	if (info.seq != sv->seen_seq) {
		sv->seen_seq = info.seq;
		for (size_t i = 0; i < sv->npeers; i++) {
			struct bpeer *p = &sv->peers[i];

			if (p->running) {
				p->pending = true;
			} else if ((p->online || p->backoff_ms == 0) &&
			    uv_timer_get_due_in(&p->timer) > DEBOUNCE_MS) {
				/* sooner, never later: a stream of captures
				 * must not keep pushing the sync away */
				bpeer_kick(p, DEBOUNCE_MS);
			}
		}
	}
	if (sig != sv->enroll_sig) {
		sv->enroll_sig = sig;
		if (sv->listening && !sv->insecure) {
			listener_restart(sv);
		}
	}
	if (!sv->listening && sv->listen_url[0] != '\0' && !sv->stopping) {
		listener_restart(sv); /* an earlier start failed: again */
	}
}

/* ---- lifecycle ---- */

static void
close_cb(uv_handle_t *h)
{
	(void)h;
}

static void
stop(struct serve *sv)
{
	if (sv->stopping) {
		return;
	}
	sv->stopping = true;
	GC_LOG(GC_LOG_NOTICE, "SERVE-STOP", "stopping");
	uv_timer_stop(&sv->watch);
	for (size_t i = 0; i < sv->npeers; i++) {
		uv_timer_stop(&sv->peers[i].timer);
	}
	uv_signal_stop(&sv->sigint);
	uv_signal_stop(&sv->sigterm);
	gc_ui_stop(sv->ui);
	sv->ui = NULL;
	gc_portal_stop(sv->portal);
	sv->portal = NULL;
	/* nng first: aio_stop waits for running callbacks */
	for (size_t i = 0; i < NCTX; i++) {
		nng_aio_stop(sv->ctx[i].aio);
	}
	nng_close(sv->sock);
	uv_close((uv_handle_t *)&sv->wake, close_cb);
	uv_close((uv_handle_t *)&sv->watch, close_cb);
	uv_close((uv_handle_t *)&sv->sigint, close_cb);
	uv_close((uv_handle_t *)&sv->sigterm, close_cb);
	for (size_t i = 0; i < sv->npeers; i++) {
		uv_close((uv_handle_t *)&sv->peers[i].timer, close_cb);
	}
}

static void
signal_cb(uv_signal_t *s, int signum)
{
	(void)signum;
	stop(s->data);
}

static void
peer_add(struct serve *sv, const char *url)
{
	struct bpeer *p;

	for (size_t i = 0; i < sv->npeers; i++) {
		if (strcmp(sv->peers[i].url, url) == 0) {
			return;
		}
	}
	if (sv->npeers == MAX_PEERS) {
		gc_cli_err("more than %d peers: %s ignored", MAX_PEERS, url);
		return;
	}
	p = &sv->peers[sv->npeers++];
	memset(p, 0, sizeof(*p));
	p->sv = sv;
	snprintf(p->url, sizeof(p->url), "%s", url);
}

/* [sync] peers = URL, URL */
static void
peers_from_config(struct serve *sv)
{
	const char *v = gc_config_get(sv->n.cfg, "sync", "peers", NULL);
	char        buf[4096], *save = NULL, *tok;

	if (v == NULL) {
		return;
	}
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		peer_add(sv, tok);
	}
}

/*
 * A photo in flight is a body of 4 MB (a 12 MP JPEG) and decode buffers
 * of ~10 MB. glibc gives each thread that allocates a heap of its own (up
 * to 8 per CPU), and a heap keeps what it has held: the bodies are copied
 * on nng's threads and the photos decoded on the pool's, so after a burst
 * of students a dozen heaps each kept their own peak. One heap per
 * SERVE_CPUS_PER_HEAP CPUs (one on a small server) holds one peak, which
 * the next photos reuse. bench/online, 20 at once on 2 CPUs: 362 MB
 * before, ~250 MB with one heap and no more CPU; a heap per CPU gave
 * 270-308 MB; a fixed M_MMAP_THRESHOLD (every large block mapped and
 * given back when freed) 236 MB at 1 MB but ~30 ms more CPU a photo in
 * page faults (+30 %), ~15 ms at 8 MB.
 */
#define SERVE_CPUS_PER_HEAP 4

static void
serve_malloc_tune(void)
{
#ifdef HAVE_MALLOPT
	long ncpu  = sysconf(_SC_NPROCESSORS_ONLN);
	long heaps = ncpu > 0 ? (ncpu + SERVE_CPUS_PER_HEAP - 1) /
	    SERVE_CPUS_PER_HEAP : 1;

	if (mallopt(M_ARENA_MAX, (int)(heaps < 16 ? heaps : 16)) != 1) {
		GC_LOG(GC_LOG_INFO, "SERVE-MALLOPT", "mallopt refused: after a "
		    "burst of photos the process may keep more memory");
	}
#endif
}

int
gc_cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "listen", required_argument, NULL, 'l' },
		{ "peer", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "insecure", no_argument, NULL, 'I' },
		{ "ui", required_argument, NULL, 'u' },
		{ "no-ui", no_argument, NULL, 'U' },
		{ "portal", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct serve  *sv;
	struct gc_diag d;
	const char    *home = NULL, *listen = NULL, *ui_url = NULL;
	const char    *portal_url = NULL;
	bool           no_ui = false, ui_default = false;
	const char    *cli_peers[MAX_PEERS];
	size_t         ncli = 0;
	long           interval = -1;
	int            c, ex, rc;
	gc_err         rv;

	serve_malloc_tune(); /* before any thread allocates */
	sv = gc_xzalloc(sizeof(*sv));
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 'p':
			if (ncli < MAX_PEERS) {
				cli_peers[ncli++] = optarg;
			}
			break;
		case 'i':
			interval = strtol(optarg, NULL, 10);
			if (interval <= 0 || interval > 86400) {
				gc_cli_err("--interval %s: give seconds, 1 to "
				    "86400", optarg);
				gc_free(sv);
				return GC_EXIT_USAGE;
			}
			break;
		case 'I':
			sv->insecure = true;
			break;
		case 'u':
			ui_url = optarg;
			break;
		case 'U':
			no_ui = true;
			break;
		case 'O':
			portal_url = optarg;
			break;
		default:
			gc_free(sv);
			return gc_cli_help_or_usage(c, argv, serve_usage);
		}
	}
	if (optind != argc) {
		fputs(serve_usage, stderr);
		gc_free(sv);
		return GC_EXIT_USAGE;
	}
	gc_diag_clear(&d);
	for (size_t i = 0; i < ncli; i++) {
		if (gc_sync_url_check(cli_peers[i], sv->insecure, &d) != GC_OK) {
			gc_cli_err("--peer: %s", d.msg);
			gc_free(sv);
			return GC_EXIT_USAGE;
		}
	}
	if (listen != NULL &&
	    gc_sync_url_check(listen, sv->insecure, &d) != GC_OK) {
		gc_cli_err("--listen: %s", d.msg);
		gc_free(sv);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&sv->n, home, GC_NODE_KEY, NULL);
	if (ex != GC_EXIT_OK) {
		gc_free(sv);
		return ex;
	}
	if (listen == NULL) {
		listen = gc_config_get(sv->n.cfg, "sync", "listen", NULL);
	}
	if (interval < 0) {
		interval = gc_config_get_int(sv->n.cfg, "sync", "interval", 60);
		if (interval <= 0) {
			interval = 60;
		}
	}
	sv->interval_ms = (uint64_t)interval * 1000u;
	for (size_t i = 0; i < ncli; i++) {
		peer_add(sv, cli_peers[i]);
	}
	peers_from_config(sv);
	if (!no_ui && ui_url == NULL) {
		ui_url = gc_config_get(sv->n.cfg, "ui", "listen", NULL);
		if (ui_url == NULL) {
			ui_url     = GC_UI_DEFAULT_URL;
			ui_default = true;
		} else if (strcmp(ui_url, "off") == 0 ||
		    strcmp(ui_url, "none") == 0) {
			no_ui = true;
		}
	}
	if (portal_url == NULL) {
		portal_url = gc_config_get(sv->n.cfg, "online", "portal_listen",
		    NULL);
	}
	if (listen == NULL && sv->npeers == 0 && no_ui && portal_url == NULL) {
		gc_cli_err("nothing to do: give --listen URL and/or --peer URL "
		    "(or [sync] listen / peers in gradcap.ini), or serve the UI");
		gc_node_close(&sv->n);
		gc_free(sv);
		return GC_EXIT_USAGE;
	}
	rv = gc_sync_node_init(&sv->sn, sv->n.lg, sv->n.key,
	    gc_syncnode_blobs(&sv->n), &d);
	if (rv != GC_OK) {
		gc_cli_err("%s", d.msg);
		gc_node_close(&sv->n);
		gc_free(sv);
		return GC_EXIT_FAIL;
	}
	sv->sn.chunk_delay_ms = gc_syncnode_chunk_delay();
	if (getenv("UV_THREADPOOL_SIZE") == NULL) {
		char n[16];

		/* a worker per request context and per background peer, so
		 * a slow peer never holds up requests (libuv reads this at
		 * its first queued work) */
		snprintf(n, sizeof(n), "%zu", NCTX + sv->npeers + 2 +
		    (no_ui ? 0 : 4));
		setenv("UV_THREADPOOL_SIZE", n, 1);
	}
	uv_loop_init(&sv->loop);
	uv_mutex_init(&sv->mtx);
	uv_async_init(&sv->loop, &sv->wake, wake_cb);
	sv->wake.data = sv;
	uv_timer_init(&sv->loop, &sv->watch);
	sv->watch.data = sv;
	uv_signal_init(&sv->loop, &sv->sigint);
	uv_signal_init(&sv->loop, &sv->sigterm);
	sv->sigint.data  = sv;
	sv->sigterm.data = sv;
	uv_signal_start(&sv->sigint, signal_cb, SIGINT);
	uv_signal_start(&sv->sigterm, signal_cb, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	rc = nng_rep0_open(&sv->sock);
	if (rc == 0) {
		rc = nng_socket_set_size(sv->sock, NNG_OPT_RECVMAXSZ,
		    GC_SYNC_MSG_MAX);
	}
	for (size_t i = 0; rc == 0 && i < NCTX; i++) {
		struct rctx *r = &sv->ctx[i];

		r->sv = sv;
		gc_buf_init(&r->rep);
		rc = nng_ctx_open(&r->ctx, sv->sock);
		if (rc == 0) {
			rc = nng_aio_alloc(&r->aio, rctx_cb, r);
		}
	}
	if (rc != 0) {
		gc_cli_err("nng: %s", nng_strerror(rc));
		ex = GC_EXIT_FAIL;
		goto out;
	}
	{
		struct gc_ledger_info info;

		gc_ledger_info(sv->n.lg, &info);
		sv->enroll_sig = enroll_sig(sv->n.lg);
		sv->seen_seq   = info.seq;
	}
	/* every handle exists before anything can fail, so stop() may
	 * close them all */
	for (size_t i = 0; i < sv->npeers; i++) {
		uv_timer_init(&sv->loop, &sv->peers[i].timer);
		sv->peers[i].timer.data = &sv->peers[i];
	}
	if (listen != NULL) {
		snprintf(sv->listen_url, sizeof(sv->listen_url), "%s", listen);
		if (listener_start(sv, &d) != 0) {
			gc_cli_err("%s", d.msg);
			ex = GC_EXIT_FAIL;
			goto out;
		}
		for (size_t i = 0; i < NCTX; i++) {
			nng_ctx_recv(sv->ctx[i].ctx, sv->ctx[i].aio);
		}
		GC_LOG(GC_LOG_NOTICE, "SERVE-LISTEN", "'%s' (%s) accepting peers "
		    "on %s%s", sv->n.info.name, gc_role_name(sv->n.info.role),
		    listen, sv->insecure ? " WITHOUT TLS (--insecure)" : "");
	}
	if (!no_ui && gc_ui_start(&sv->ui, &sv->loop, &sv->n, &sv->sn.mtx,
	    ui_url, &d) != GC_OK) {
		if (!ui_default || (listen == NULL && sv->npeers == 0)) {
			gc_cli_err("%s", d.msg);
			ex = GC_EXIT_FAIL;
			goto out;
		}
		/* the default address is taken (another node on this
		 * computer): syncing goes on, without a UI */
		GC_LOG(GC_LOG_ERR, "UI-LISTEN", "%s: serving without the UI "
		    "(give --ui http://127.0.0.1:PORT or [ui] listen)", d.msg);
	}
	if (portal_url != NULL && gc_portal_start(&sv->portal, &sv->loop,
	    &sv->n, &sv->sn.mtx, portal_url, &d) != GC_OK) {
		gc_cli_err("%s", d.msg);
		ex = GC_EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < sv->npeers; i++) {
		bpeer_kick(&sv->peers[i], 10 * i);
		GC_LOG(GC_LOG_NOTICE, "SERVE-PEER", "syncing with %s every %ld s",
		    sv->peers[i].url, interval);
	}
	uv_timer_start(&sv->watch, watch_cb, WATCH_MS, WATCH_MS);
	uv_run(&sv->loop, UV_RUN_DEFAULT);
	ex = GC_EXIT_OK;
out:
	if (!sv->stopping) {
		stop(sv);
		uv_run(&sv->loop, UV_RUN_DEFAULT);
	}
	uv_loop_close(&sv->loop);
	for (size_t i = 0; i < NCTX; i++) {
		if (sv->ctx[i].aio != NULL) {
			nng_aio_free(sv->ctx[i].aio);
		}
		if (sv->ctx[i].req != NULL) {
			nng_msg_free(sv->ctx[i].req);
		}
		gc_buf_release(&sv->ctx[i].rep);
	}
	if (sv->tls != NULL) {
		nng_tls_config_free(sv->tls);
	}
	uv_mutex_destroy(&sv->mtx);
	gc_sync_node_release(&sv->sn);
	gc_node_close(&sv->n);
	gc_free(sv);
	/* every socket and server is closed: let nng finish what its reaper
	 * still holds (the UI server's handler), so nothing is left behind */
	nng_fini();
	return ex;
}
