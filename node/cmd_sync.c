/* gradcap sync PEER_URL: one full exchange with a peer, both directions.
 * gradcap peers: what this node knows of each peer. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/gc_log.h"
#include "node/cli.h"
#include "node/node.h"
#include "node/syncnode.h"
#include "sync/net.h"
#include "sync/sync.h"

static const char sync_usage[] =
    "usage: gradcap sync [--home DIR] [--insecure] [--timeout SECONDS] "
    "[--json] PEER_URL\n"
    "  PEER_URL    tls+tcp://HOST:PORT of a node running 'gradcap serve'\n"
    "  --insecure  plain tcp:// (tests only; the peer must say it too)\n"
    "  --timeout   seconds to wait for the peer (default 60)\n"
    "Runs one full exchange in both directions and prints what moved.\n"
    "Exit 0 when both sides then hold the same entries and blobs, 1 when\n"
    "the peer was unreachable or refused, 3 when entries were rejected.\n";

static const char peers_usage[] =
    "usage: gradcap peers [--home DIR] [--json]\n"
    "Each peer this node synced with: last successful sync, entries and\n"
    "blobs still pending each way, last error.\n";

enum gc_sync_blobs
gc_syncnode_blobs(const struct gc_node *n)
{
	const char *v = gc_config_get(n->cfg, "sync", "blobs", NULL);

	if (v == NULL) {
		return n->info.role == GC_ROLE_COORDINATOR ? GC_SYNC_BLOBS_ALL :
		                                            GC_SYNC_BLOBS_OWN;
	}
	return strcmp(v, "all") == 0 ? GC_SYNC_BLOBS_ALL : GC_SYNC_BLOBS_OWN;
}

unsigned
gc_syncnode_chunk_delay(void)
{
	const char *v = getenv("GRADCAP_TEST_CHUNK_DELAY_MS");

	return v != NULL ? (unsigned)strtoul(v, NULL, 10) : 0;
}

gc_err
gc_syncnode_run(struct gc_sync_node *sn, const char *home, const char *url,
    bool insecure, unsigned timeout_ms, const uint64_t *backoff_ms,
    struct gc_sync_stats *st, struct gc_diag *d)
{
	struct gc_sync_peer p;
	gc_sync_conn       *conn = NULL;
	nng_tls_config     *tls  = NULL;
	char                id[420];
	gc_err              rv;

	memset(st, 0, sizeof(*st));
	snprintf(id, sizeof(id), "out:%s", url);
	pthread_mutex_lock(&sn->mtx);
	if (gc_sync_peer_load(sn->lg, id, &p) != GC_OK) {
		memset(&p, 0, sizeof(p));
		snprintf(p.id, sizeof(p.id), "%s", id);
	}
	pthread_mutex_unlock(&sn->mtx);
	snprintf(p.url, sizeof(p.url), "%s", url);
	p.last_attempt = (uint64_t)time(NULL);
	rv             = GC_OK;
	if (!insecure) {
		/* the trust chain comes from the ledger: read it locked */
		pthread_mutex_lock(&sn->mtx);
		rv = gc_sync_tls_config(&tls, false, sn->lg, home, d);
		pthread_mutex_unlock(&sn->mtx);
	}
	if (rv == GC_OK) {
		rv = gc_sync_dial(&conn, url, tls, insecure, timeout_ms, d);
	}
	if (rv == GC_OK) {
		rv = gc_sync_run(sn, gc_sync_conn_rpc, conn, st, d);
	}
	gc_sync_conn_close(conn);
	if (tls != NULL) {
		nng_tls_config_free(tls);
	}
	if (st->peer_name[0] != '\0') {
		memcpy(p.key, st->peer, 32);
		snprintf(p.name, sizeof(p.name), "%s", st->peer_name);
		p.role = st->peer_role;
	}
	p.bytes_sent += st->bytes_sent;
	p.bytes_recv += st->bytes_recv;
	if (rv == GC_OK) {
		p.online               = true;
		p.last_ok              = p.last_attempt;
		p.last_error[0]        = '\0';
		p.pending_push_entries = st->pending_push_entries;
		p.pending_pull_entries = st->pending_pull_entries;
		p.pending_push_blobs   = st->pending_push_blobs;
		p.pending_pull_blobs   = st->pending_pull_blobs;
		if (st->first_reject[0] != '\0') {
			snprintf(p.last_error, sizeof(p.last_error), "refused "
			    "entries: %.200s", st->first_reject);
		}
	} else {
		p.online = false;
		snprintf(p.last_error, sizeof(p.last_error), "%s",
		    gc_diag_msg(d, rv));
	}
	p.backoff_ms = rv != GC_OK && backoff_ms != NULL ? *backoff_ms : 0;
	pthread_mutex_lock(&sn->mtx);
	if (rv == GC_OK) {
		struct gc_ledger_counts lc;

		if (gc_ledger_counts(sn->lg, &lc) == GC_OK) {
			p.held = lc.entries;
		}
	}
	gc_sync_peer_save(sn->lg, &p);
	pthread_mutex_unlock(&sn->mtx);
	return rv;
}

static void
stats_json(struct gc_buf *b, const char *url, const struct gc_sync_stats *st)
{
	char hex[65];

	gc_hex_encode(hex, st->peer, 32);
	gc_buf_puts(b, "{\"url\":");
	gc_json_str(b, url);
	gc_buf_puts(b, ",\"peer\":{\"name\":");
	gc_json_str(b, st->peer_name);
	gc_buf_printf(b, ",\"role\":\"%s\",\"key\":\"%s\"}",
	    gc_role_name((enum gc_role)st->peer_role), hex);
	gc_buf_printf(b, ",\"entries_sent\":%" PRIu64 ",\"entries_received\":%"
	    PRIu64 ",\"blobs_sent\":%" PRIu64 ",\"blobs_received\":%" PRIu64
	    ",\"bytes_sent\":%" PRIu64 ",\"bytes_received\":%" PRIu64
	    ",\"blob_bytes_sent\":%" PRIu64 ",\"blob_bytes_received\":%" PRIu64
	    ",\"blob_bytes_resumed_sent\":%" PRIu64
	    ",\"blob_bytes_resumed_received\":%" PRIu64
	    ",\"rejected_by_peer\":%" PRIu64 ",\"rejected_here\":%" PRIu64
	    ",\"forks\":%" PRIu64 ",\"seconds\":%.3f,\"converged\":%s",
	    st->entries_sent, st->entries_recv, st->blobs_sent, st->blobs_recv,
	    st->bytes_sent, st->bytes_recv, st->blob_bytes_sent,
	    st->blob_bytes_recv, st->blob_bytes_resumed_sent,
	    st->blob_bytes_resumed_recv, st->rejected_by_peer, st->rejected_here,
	    st->forks, st->seconds, st->converged ? "true" : "false");
	gc_buf_printf(b, ",\"pending\":{\"push_entries\":%" PRIu64
	    ",\"pull_entries\":%" PRIu64 ",\"push_blobs\":%" PRIu64
	    ",\"pull_blobs\":%" PRIu64 "}", st->pending_push_entries,
	    st->pending_pull_entries, st->pending_push_blobs,
	    st->pending_pull_blobs);
	gc_buf_puts(b, ",\"first_reject\":");
	gc_json_str(b, st->first_reject[0] ? st->first_reject : NULL);
	gc_buf_puts(b, "}");
}

int
gc_cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "insecure", no_argument, NULL, 'I' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gc_node       n;
	struct gc_sync_node  sn;
	struct gc_sync_stats st;
	struct gc_diag       d;
	const char          *home = NULL, *url;
	bool                 insecure = false, json = false;
	long                 timeout  = 60;
	int                  c, ex;
	gc_err               rv;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'I':
			insecure = true;
			break;
		case 't':
			timeout = strtol(optarg, NULL, 10);
			if (timeout <= 0 || timeout > 86400) {
				gc_cli_err("--timeout %s: give seconds, 1 to "
				    "86400", optarg);
				return GC_EXIT_USAGE;
			}
			break;
		case 'j':
			json = true;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, sync_usage);
		}
	}
	if (optind + 1 != argc) {
		fputs(sync_usage, stderr);
		return GC_EXIT_USAGE;
	}
	url = argv[optind];
	gc_diag_clear(&d);
	if (gc_sync_url_check(url, insecure, &d) != GC_OK) {
		gc_cli_err("%s", d.msg);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, home, GC_NODE_KEY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	rv = gc_sync_node_init(&sn, n.lg, n.key, gc_syncnode_blobs(&n), &d);
	if (rv != GC_OK) {
		gc_cli_err("%s", d.msg);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	sn.chunk_delay_ms = gc_syncnode_chunk_delay();
	rv = gc_syncnode_run(&sn, n.home, url, insecure,
	    (unsigned)timeout * 1000u, NULL, &st, &d);
	if (json) {
		struct gc_buf b;

		gc_buf_init(&b);
		stats_json(&b, url, &st);
		if (rv != GC_OK) {
			b.len--; /* reopen the object for the error */
			gc_buf_puts(&b, ",\"error\":");
			gc_json_str(&b, gc_diag_msg(&d, rv));
			gc_buf_puts(&b, "}");
		}
		gc_cli_print(&b);
		gc_buf_release(&b);
	}
	if (rv != GC_OK) {
		gc_cli_err("sync with %s: %s", url, gc_diag_msg(&d, rv));
		ex = GC_EXIT_FAIL;
	} else {
		if (!json) {
			printf("synced with '%s' (%s) at %s in %.2f s\n"
			       "  sent     %" PRIu64 " entries, %" PRIu64
			       " blobs, %" PRIu64 " bytes\n"
			       "  received %" PRIu64 " entries, %" PRIu64
			       " blobs, %" PRIu64 " bytes\n",
			    st.peer_name, gc_role_name((enum gc_role)st.peer_role),
			    url, st.seconds, st.entries_sent, st.blobs_sent,
			    st.bytes_sent, st.entries_recv, st.blobs_recv,
			    st.bytes_recv);
			if (st.forks > 0) {
				printf("  forks    %" PRIu64 " proved (see 'gradcap "
				       "log verify')\n", st.forks);
			}
			if (st.converged) {
				printf("  both now hold the same entries and "
				       "blobs\n");
			}
		}
		if (!st.converged) {
			gc_cli_err("%s: still differs after the exchange: %" PRIu64
			    " entries to send, %" PRIu64 " to receive, %" PRIu64
			    " blobs to send, %" PRIu64 " to receive", url,
			    st.pending_push_entries, st.pending_pull_entries,
			    st.pending_push_blobs, st.pending_pull_blobs);
			ex = GC_EXIT_FAIL;
		}
		if (st.rejected_by_peer + st.rejected_here > 0) {
			gc_cli_err("%" PRIu64 " entries refused by the peer, %"
			    PRIu64 " refused here; first: %s",
			    st.rejected_by_peer, st.rejected_here,
			    st.first_reject);
			ex = GC_EXIT_REJECTED;
		}
	}
	gc_sync_node_release(&sn);
	gc_node_close(&n);
	return ex;
}

/* ---- peers ---- */

struct peers_arg {
	struct gc_buf *b;
	bool           json;
	size_t         n;
	uint64_t       held; /* entries held here now */
};

/* What the peer still lacks of ours: pending at the last exchange, plus
 * what arrived here since (new captures, other sites' entries). */
static uint64_t
held_now(gc_ledger *lg)
{
	struct gc_ledger_counts lc;

	return gc_ledger_counts(lg, &lc) == GC_OK ? lc.entries : 0;
}

static uint64_t
push_pending(const struct gc_sync_peer *p, const struct peers_arg *a)
{
	return p->pending_push_entries + (p->held != 0 && a->held > p->held ?
	    a->held - p->held : 0);
}

static void
when(char *out, size_t cap, uint64_t t)
{
	time_t    s = (time_t)t;
	struct tm tm;

	if (t == 0) {
		snprintf(out, cap, "never");
		return;
	}
	gmtime_r(&s, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
peers_cb(const struct gc_sync_peer *p, void *arg)
{
	struct peers_arg *a = arg;
	char              ok[32], at[32], hex[65];
	bool              out = strncmp(p->id, "out:", 4) == 0;

	when(ok, sizeof(ok), p->last_ok);
	when(at, sizeof(at), p->last_attempt);
	gc_hex_encode(hex, p->key, 32);
	if (a->json) {
		gc_buf_puts(a->b, a->n++ ? "," : "");
		gc_buf_printf(a->b, "{\"direction\":\"%s\",\"url\":",
		    out ? "outbound" : "inbound");
		gc_json_str(a->b, p->url[0] ? p->url : NULL);
		gc_buf_puts(a->b, ",\"name\":");
		gc_json_str(a->b, p->name[0] ? p->name : NULL);
		gc_buf_printf(a->b, ",\"role\":\"%s\",\"key\":\"%s\","
		    "\"online\":%s,\"last_ok\":",
		    gc_role_name((enum gc_role)p->role), hex,
		    p->online ? "true" : "false");
		gc_json_str(a->b, p->last_ok ? ok : NULL);
		gc_buf_puts(a->b, ",\"last_attempt\":");
		gc_json_str(a->b, p->last_attempt ? at : NULL);
		gc_buf_puts(a->b, ",\"last_error\":");
		gc_json_str(a->b, p->last_error[0] ? p->last_error : NULL);
		gc_buf_printf(a->b, ",\"pending\":{\"push_entries\":%" PRIu64
		    ",\"pull_entries\":%" PRIu64 ",\"push_blobs\":%" PRIu64
		    ",\"pull_blobs\":%" PRIu64 "},\"bytes_sent\":%" PRIu64
		    ",\"bytes_received\":%" PRIu64 ",\"retry_in_ms\":%" PRIu64
		    "}", push_pending(p, a), p->pending_pull_entries,
		    p->pending_push_blobs, p->pending_pull_blobs, p->bytes_sent,
		    p->bytes_recv, p->backoff_ms);
		return 0;
	}
	a->n++;
	printf("%s %s%s%s (%s)\n", out ? "→" : "←",
	    p->name[0] ? p->name : "(not answered yet)",
	    out ? " at " : "", out ? p->url : "",
	    gc_role_name((enum gc_role)p->role));
	printf("    %s; last successful sync %s; last attempt %s\n",
	    p->online ? "online" : "offline", ok, at);
	if (out) {
		printf("    pending: %" PRIu64 " entries and %" PRIu64 " blobs to "
		       "send, %" PRIu64 " entries and %" PRIu64 " blobs to "
		       "receive\n", push_pending(p, a),
		    p->pending_push_blobs, p->pending_pull_entries,
		    p->pending_pull_blobs);
	}
	if (p->last_error[0] != '\0') {
		printf("    last error: %s\n", p->last_error);
	}
	return 0;
}

void
gc_peers_json(gc_ledger *lg, struct gc_buf *b)
{
	struct peers_arg a;

	a.b    = b;
	a.json = true;
	a.n    = 0;
	a.held = held_now(lg);
	gc_buf_puts(b, "[");
	gc_sync_peers(lg, peers_cb, &a);
	gc_buf_puts(b, "]");
}

int
gc_cmd_peers(int argc, char **argv)
{
	struct gc_node   n;
	struct gc_buf    b;
	struct peers_arg a;
	const char      *home = NULL;
	bool             json = false;
	int              ex;

	ex = gc_cli_simple_opts(argc, argv, peers_usage, &home, &json);
	if (ex >= 0) {
		return ex;
	}
	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_buf_init(&b);
	a.b    = &b;
	a.json = json;
	a.n    = 0;
	a.held = held_now(n.lg);
	gc_buf_puts(&b, "[");
	gc_sync_peers(n.lg, peers_cb, &a);
	gc_buf_puts(&b, "]");
	if (json) {
		ex = gc_cli_print(&b);
	} else if (a.n == 0) {
		printf("no peers yet: 'gradcap sync URL' or 'gradcap serve "
		       "--peer URL'\n");
	}
	gc_buf_release(&b);
	gc_node_close(&n);
	return ex;
}
