/* gradcap log [--feed KEY] [--json] | log --raw | log verify [--json];
 * gradcap status [--json]; gradcap reindex. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/cbor.h"
#include "common/invite.h"
#include "common/records.h"
#include "common/rosterdb.h"
#include "common/student_check.h"
#include "node/cli.h"
#include "node/merge_view.h"
#include "node/node.h"

static const char log_usage[] =
    "usage: gradcap log [--home DIR] [--feed KEY] [--json]\n"
    "       gradcap log [--home DIR] --raw     (RFC 8742 CBOR sequence of "
    "the exact entry bytes)\n"
    "       gradcap log verify [--home DIR] [--json]\n"
    "  KEY: 8 or more hex digits of a feed key\n";

/* JSON names of body fields per kind (docs/formats.md). */
static const char *enroll_names[] = { "key", "role", "name", "school",
	"not_before", "not_after", "tls_fingerprint" };
static const char *check_names[] = { "student", "capture", "verdict", "text",
	"address" };
static const char *revoke_names[] = { "key", "reason", "max_seq" };

static void
time_str(uint64_t hlc, char *out, size_t n)
{
	time_t    s = (time_t)(hlc >> 16) / 1000;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* INVITE rows, counted or as JSON (the code hashes only: the codes
 * themselves are never in the ledger). */
struct invite_count {
	size_t         n;
	struct gc_buf *json;
};

static int
invite_count_cb(const struct gc_invite_row *r, void *arg)
{
	struct invite_count *a = arg;

	if (a->json != NULL) {
		gc_buf_puts(a->json, a->n ? ",{\"student\":" : "{\"student\":");
		gc_json_str(a->json, r->student);
		gc_buf_puts(a->json, ",\"code_sha256\":\"");
		gc_buf_hex(a->json, r->hash, 32);
		gc_buf_puts(a->json, "\"}");
	}
	a->n++;
	return 0;
}

/* Body as JSON, with field names where the kind is known. */
static void
body_json(struct gc_buf *b, const struct gc_entry *e)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[4];
	struct gc_cbor_item  it;
	uint64_t             op = 0;
	const char          *src;
	size_t               sl;

	switch (e->kind) {
	case GC_KIND_ENROLL:
		gc_cbor_json(b, e->body, e->body_len, enroll_names, 7);
		return;
	case GC_KIND_REVOKE:
		gc_cbor_json(b, e->body, e->body_len, revoke_names, 3);
		return;
	case GC_KIND_STUDENT_CHECK:
		gc_cbor_json(b, e->body, e->body_len, check_names, 5);
		return;
	case GC_KIND_ROSTER:
		gc_cbor_cur_init(&c, e->body, e->body_len);
		if (gc_cbor_map_fields(&c, f, 4) != GC_OK) {
			break;
		}
		gc_cbor_field_uint(&f[0], &op);
		gc_buf_printf(b, "{\"op\":\"%s\",\"source\":",
		    gc_roster_op_name(op));
		if (gc_cbor_field_text(&f[1], &src, &sl)) {
			gc_json_strn(b, src, sl);
		} else {
			gc_buf_puts(b, "null");
		}
		gc_buf_puts(b, ",\"reason\":");
		if (gc_cbor_field_text(&f[3], &src, &sl)) {
			gc_json_strn(b, src, sl);
		} else {
			gc_buf_puts(b, "null");
		}
		gc_buf_puts(b, ",\"rows\":[");
		gc_cbor_cur_init(&c, f[2].p, f[2].len);
		if (f[2].p != NULL && gc_cbor_next(&c, &it) == GC_OK &&
		    it.type == GC_CBOR_ARRAY) {
			for (uint64_t i = 0; i < it.val; i++) {
				const uint8_t *row = c.p;
				struct gc_row  r;

				if (gc_cbor_skip(&c) != GC_OK) {
					break;
				}
				gc_buf_puts(b, i ? "," : "");
				if (gc_row_decode(row, (size_t)(c.p - row), &r) ==
				    GC_OK) {
					gc_row_json(b, &r);
				} else {
					gc_buf_puts(b, "null");
				}
			}
		}
		gc_buf_puts(b, "]}");
		return;
	case GC_KIND_INVITE: {
		char                src[256];
		struct gc_buf       rows;
		struct invite_count ic = { 0, NULL };

		gc_buf_init(&rows);
		ic.json = &rows;
		if (gc_invite_decode(e->body, e->body_len, src, sizeof(src),
		    invite_count_cb, &ic) == GC_OK) {
			gc_buf_puts(b, "{\"source\":");
			gc_json_str(b, src);
			gc_buf_puts(b, ",\"rows\":[");
			gc_buf_put(b, rows.data, rows.len);
			gc_buf_puts(b, "]}");
			gc_buf_release(&rows);
			return;
		}
		gc_buf_release(&rows);
		break;
	}
	case GC_KIND_SESSION_OPEN: {
		struct gc_session_rec sr;

		if (gc_session_open_decode(e->body, e->body_len, &sr) == GC_OK) {
			gc_buf_puts(b, "{\"session\":");
			gc_json_str(b, sr.id);
			gc_buf_printf(b, ",\"kind\":\"%s\",\"location\":",
			    gc_session_kind_name(sr.kind));
			gc_json_str(b, sr.location);
			gc_buf_puts(b, ",\"operator\":");
			gc_json_str(b, sr.operator_);
			gc_buf_printf(b, ",\"opened\":%" PRIu64 "}", sr.opened);
			return;
		}
		break;
	}
	case GC_KIND_CAPTURE: {
		struct gc_capture_rec c;

		if (gc_capture_decode(e->body, e->body_len, &c) == GC_OK) {
			gc_buf_puts(b, "{\"student\":");
			gc_json_str(b, c.student);
			gc_buf_puts(b, ",\"session\":");
			gc_json_str(b, c.session);
			gc_buf_printf(b, ",\"session_kind\":\"%s\",\"bind\":",
			    gc_session_kind_name(c.session_kind));
			gc_json_str(b, c.bind);
			gc_buf_puts(b, ",\"code_sha256\":");
			if (c.has_code) {
				gc_buf_putc(b, '"');
				gc_buf_hex(b, c.code_hash, 32);
				gc_buf_putc(b, '"');
			} else {
				gc_buf_puts(b, "null");
			}
			gc_buf_puts(b, ",\"photo\":\"");
			gc_buf_hex(b, c.photo, 32);
			gc_buf_puts(b, "\",\"original\":\"");
			gc_buf_hex(b, c.original, 32);
			gc_buf_printf(b, "\",\"verdict\":\"%s\",\"checks\":[",
			    c.verdict == 0 ? "pass" : c.verdict == 1 ? "warn" :
			    "fail");
			for (int i = 0; i < c.nchecks; i++) {
				gc_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
				gc_json_str(b, c.checks[i].id);
				gc_buf_printf(b, ",\"verdict\":\"%s\",\"value\":",
				    c.checks[i].verdict == 0 ? "pass" :
				    c.checks[i].verdict == 1 ? "warn" : "fail");
				gc_json_str(b, c.checks[i].value);
				gc_buf_putc(b, '}');
			}
			gc_buf_puts(b, "],\"overrides\":[");
			for (int i = 0; i < c.nov; i++) {
				gc_buf_puts(b, i ? ",{\"check\":" : "{\"check\":");
				gc_json_str(b, c.ov[i].check);
				gc_buf_puts(b, ",\"reason\":");
				gc_json_str(b, c.ov[i].reason);
				gc_buf_putc(b, '}');
			}
			gc_buf_puts(b, "],\"camera\":");
			gc_json_str(b, c.camera);
			gc_buf_puts(b, ",\"operator\":");
			gc_json_str(b, c.operator_);
			gc_buf_printf(b, ",\"attempt\":%u,\"profile\":",
			    c.attempt);
			gc_json_str(b, c.profile);
			if (c.seq != 0) {
				gc_buf_printf(b, ",\"seq\":%u", c.seq);
			} else {
				gc_buf_puts(b, ",\"seq\":null");
			}
			gc_buf_putc(b, '}');
			return;
		}
		break;
	}
	case GC_KIND_REVIEW: {
		struct gc_review_rec r;

		if (gc_review_decode(e->body, e->body_len, &r) == GC_OK) {
			gc_buf_puts(b, "{\"capture\":\"");
			gc_buf_hex(b, r.capture, 32);
			gc_buf_printf(b, "\",\"decision\":\"%s\",\"reason\":",
			    r.decision == GC_REVIEW_APPROVE ? "approve" : "reject");
			gc_json_str(b, r.reason);
			gc_buf_putc(b, '}');
			return;
		}
		break;
	}
	case GC_KIND_VOID: {
		struct gc_void_rec v;

		if (gc_void_decode(e->body, e->body_len, &v) == GC_OK) {
			gc_buf_puts(b, "{\"capture\":\"");
			gc_buf_hex(b, v.capture, 32);
			gc_buf_puts(b, "\",\"reason\":");
			gc_json_str(b, v.reason);
			gc_buf_putc(b, '}');
			return;
		}
		break;
	}
	case GC_KIND_RESOLVE: {
		struct gc_resolve_rec r;

		if (gc_resolve_decode(e->body, e->body_len, &r) == GC_OK) {
			gc_buf_puts(b, "{\"student\":");
			gc_json_str(b, r.student);
			gc_buf_puts(b, ",\"capture\":\"");
			gc_buf_hex(b, r.capture, 32);
			gc_buf_puts(b, "\",\"reason\":");
			gc_json_str(b, r.reason);
			gc_buf_putc(b, '}');
			return;
		}
		break;
	}
	default:
		break;
	}
	gc_cbor_json(b, e->body, e->body_len, NULL, 0);
}

/* One line of human text about an entry's body. */
static void
body_summary(struct gc_buf *b, const struct gc_entry *e)
{
	struct gc_enrollment en;
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[4];
	struct gc_cbor_item  it;
	uint64_t             op = 0;
	char                 hex[17];

	switch (e->kind) {
	case GC_KIND_ENROLL:
	case GC_KIND_REVOKE:
		memset(&en, 0, sizeof(en));
		if (gc_enrollment_parse(e, &en) == GC_OK) {
			gc_hex_encode(hex, en.pk, 8);
			if (e->kind == GC_KIND_ENROLL) {
				gc_buf_printf(b, "%s '%s' key %s", gc_role_name(
				    en.role), en.name, hex);
			} else {
				gc_buf_printf(b, "key %s after seq %" PRIu64, hex,
				    en.max_seq);
			}
		}
		break;
	case GC_KIND_ROSTER:
		gc_cbor_cur_init(&c, e->body, e->body_len);
		if (gc_cbor_map_fields(&c, f, 4) == GC_OK) {
			const char *src = "", *why = NULL;
			size_t      sl  = 0, wl = 0;

			gc_cbor_field_uint(&f[0], &op);
			gc_cbor_field_text(&f[1], &src, &sl);
			gc_cbor_cur_init(&c, f[2].p, f[2].len);
			if (f[2].p != NULL && gc_cbor_next(&c, &it) == GC_OK) {
				gc_buf_printf(b, "%s %" PRIu64 " row%s from %.*s",
				    gc_roster_op_name(op), it.val,
				    it.val == 1 ? "" : "s", (int)sl, src);
			}
			if (gc_cbor_field_text(&f[3], &why, &wl)) {
				gc_buf_printf(b, ": %.*s", (int)wl, why);
			}
		}
		break;
	case GC_KIND_SESSION_OPEN: {
		struct gc_session_rec sr;

		if (gc_session_open_decode(e->body, e->body_len, &sr) == GC_OK) {
			gc_buf_printf(b, "%s session %s at %s",
			    gc_session_kind_name(sr.kind), sr.id, sr.location);
		}
		break;
	}
	case GC_KIND_SESSION_CLOSE: {
		char id[GC_SESSION_ID_LEN];

		if (gc_session_close_decode(e->body, e->body_len, id) == GC_OK) {
			gc_buf_printf(b, "session %s", id);
		}
		break;
	}
	case GC_KIND_CAPTURE: {
		struct gc_capture_rec c;

		if (gc_capture_decode(e->body, e->body_len, &c) == GC_OK) {
			gc_buf_printf(b, "%s by %s, %s%s, photo ", c.student,
			    c.bind, c.verdict == 0 ? "pass" : c.verdict == 1 ?
			    "warn" : "fail", c.nov > 0 ? " (overridden)" : "");
			gc_buf_hex(b, c.photo, 6);
		}
		break;
	}
	case GC_KIND_REVIEW: {
		struct gc_review_rec r;

		if (gc_review_decode(e->body, e->body_len, &r) == GC_OK) {
			gc_buf_printf(b, "%s capture ", r.decision ==
			    GC_REVIEW_APPROVE ? "approve" : "reject");
			gc_buf_hex(b, r.capture, 6);
			if (r.reason[0]) {
				gc_buf_printf(b, ": %s", r.reason);
			}
		}
		break;
	}
	case GC_KIND_VOID: {
		struct gc_void_rec v;

		if (gc_void_decode(e->body, e->body_len, &v) == GC_OK) {
			gc_buf_puts(b, "void capture ");
			gc_buf_hex(b, v.capture, 6);
			gc_buf_printf(b, ": %s", v.reason);
		}
		break;
	}
	case GC_KIND_CHECKPOINT: {
		struct gc_cbor_field cf[3];
		const uint8_t       *rt;
		size_t               rl;
		uint64_t             n = 0;

		gc_cbor_cur_init(&c, e->body, e->body_len);
		if (gc_cbor_map_fields(&c, cf, 3) == GC_OK &&
		    gc_cbor_field_uint(&cf[1], &n) &&
		    gc_cbor_field_bytes(&cf[2], &rt, &rl) && rl == 32) {
			gc_buf_printf(b, "%" PRIu64 " students, root ", n);
			gc_buf_hex(b, rt, 6);
		}
		break;
	}
	case GC_KIND_INVITE: {
		struct invite_count ic = { 0 };
		char                src[160];

		if (gc_invite_decode(e->body, e->body_len, src, sizeof(src),
		    invite_count_cb, &ic) == GC_OK) {
			gc_buf_printf(b, "invite %zu student%s (%s)", ic.n,
			    ic.n == 1 ? "" : "s", src);
		}
		break;
	}
	case GC_KIND_RESOLVE: {
		struct gc_resolve_rec r;

		if (gc_resolve_decode(e->body, e->body_len, &r) == GC_OK) {
			gc_buf_printf(b, "%s: capture ", r.student);
			gc_buf_hex(b, r.capture, 6);
			gc_buf_printf(b, " (%s)", r.reason);
		}
		break;
	}
	case GC_KIND_STUDENT_CHECK: {
		struct gc_student_check sc;

		/* the student's own words and address stay out of the line */
		if (gc_student_check_decode(e->body, e->body_len, &sc, NULL) ==
		    GC_OK) {
			gc_buf_printf(b, "%s: %s of photo ", sc.student,
			    gc_check_verdict_name(sc.verdict));
			gc_buf_hex(b, sc.capture, 6);
			gc_buf_puts(b, sc.has_addr ? " (with a mailing address)" :
			    "");
		}
		break;
	}
	default:
		gc_buf_printf(b, "%zu-byte body", e->body_len);
		break;
	}
}

struct log_arg {
	struct gc_buf *b;
	bool           json, raw;
	size_t         n;
	FILE          *out;
};

static int
log_cb(const struct gc_entry *e, void *arg)
{
	struct log_arg *a = arg;
	char            ts[32], id[65], feed[65];

	if (a->raw) {
		fwrite(e->bytes, 1, e->len, a->out);
		a->n++;
		return 0;
	}
	gc_hex_encode(id, e->id, 32);
	gc_hex_encode(feed, e->feed, 32);
	if (e->kind == 0) {
		if (a->json) {
			gc_buf_printf(a->b, "%s{\"id\":\"%s\",\"feed\":\"%s\","
			    "\"seq\":%" PRIu64 ",\"error\":\"malformed entry\"}",
			    a->n ? "," : "", id, feed, e->seq);
		} else {
			gc_buf_printf(a->b, "%.12s %.8s#%-5" PRIu64 " MALFORMED\n",
			    id, feed, e->seq);
		}
		a->n++;
		return 0;
	}
	time_str(e->hlc, ts, sizeof(ts));
	if (a->json) {
		gc_buf_printf(a->b, "%s{\"id\":\"%s\",\"feed\":\"%s\",\"seq\":%"
		    PRIu64 ",\"prev\":", a->n ? "," : "", id, feed, e->seq);
		if (e->prev != NULL) {
			gc_buf_putc(a->b, '"');
			gc_buf_hex(a->b, e->prev, 32);
			gc_buf_putc(a->b, '"');
		} else {
			gc_buf_puts(a->b, "null");
		}
		gc_buf_printf(a->b, ",\"hlc\":%" PRIu64 ",\"time\":\"%s\","
		    "\"kind\":\"%s\",\"bytes\":%zu,\"blobs\":[", e->hlc, ts,
		    gc_kind_name(e->kind), e->len);
		for (size_t i = 0; i < e->nblobs; i++) {
			gc_buf_puts(a->b, i ? ",\"" : "\"");
			gc_buf_hex(a->b, gc_entry_blob(e, i), 32);
			gc_buf_putc(a->b, '"');
		}
		gc_buf_puts(a->b, "],\"body\":");
		body_json(a->b, e);
		gc_buf_putc(a->b, '}');
	} else {
		gc_buf_printf(a->b, "%.12s %.8s#%-5" PRIu64 " %s %-13s ", id, feed,
		    e->seq, ts, gc_kind_name(e->kind));
		body_summary(a->b, e);
		gc_buf_putc(a->b, '\n');
	}
	a->n++;
	return 0;
}

struct feed_find {
	const char *prefix;
	uint8_t     feed[32];
	int         n;
};

static int
feed_find_cb(const struct gc_head *h, void *arg)
{
	struct feed_find *f = arg;
	char              hex[65];

	gc_hex_encode(hex, h->feed, 32);
	if (strncasecmp(hex, f->prefix, strlen(f->prefix)) == 0) {
		memcpy(f->feed, h->feed, 32);
		f->n++;
	}
	return 0;
}

void
gc_cli_verify_cb(const struct gc_verify_problem *p, void *arg)
{
	struct gc_cli_verify *v = arg;
	char                 id[65], feed[65];

	gc_hex_encode(id, p->id, 32);
	gc_hex_encode(feed, p->feed, 32);
	if (v->json) {
		gc_buf_printf(v->b, "%s{\"kind\":\"%s\",\"entry\":\"%s\","
		    "\"feed\":\"%s\",\"seq\":%" PRIu64 ",\"problem\":",
		    v->n ? "," : "", p->kind, id, feed, p->seq);
		gc_json_str(v->b, p->what);
		gc_buf_putc(v->b, '}');
	} else {
		gc_buf_printf(v->b, "BAD %-10s entry %.16s: %s\n", p->kind, id,
		    p->what);
	}
	v->n++;
}

static int
log_verify(const char *home, bool json)
{
	struct gc_node         n;
	struct gc_buf          b;
	struct gc_cli_verify   vp;
	struct gc_verify_stats st;
	gc_err                 rv;
	int                    ex;

	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_buf_init(&b);
	vp.b    = &b;
	vp.json = json;
	vp.n    = 0;
	if (json) {
		gc_buf_puts(&b, "{\"problems\":[");
	}
	rv = gc_ledger_verify(n.lg, gc_cli_verify_cb, &vp, &st);
	if (rv != GC_OK && rv != GC_ECORRUPT) {
		gc_cli_err("verify: %s", gc_strerror(rv));
		gc_buf_release(&b);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	if (json) {
		gc_buf_printf(&b, "],\"ok\":%s,\"entries\":%" PRIu64 ",\"feeds\":%"
		    PRIu64 ",\"blobs\":%" PRIu64 ",\"forks\":%" PRIu64 "}",
		    rv == GC_OK ? "true" : "false", st.entries, st.feeds,
		    st.blobs, st.forks);
	} else {
		gc_buf_printf(&b, "%s: %" PRIu64 " entries in %" PRIu64 " feeds, %"
		    PRIu64 " blobs: %s\n", n.home, st.entries, st.feeds, st.blobs,
		    rv == GC_OK ? "every signature, link, enrollment and blob "
		    "hash holds" : "PROBLEMS FOUND (above)");
	}
	ex = gc_cli_print(&b);
	gc_buf_release(&b);
	gc_node_close(&n);
	if (ex == GC_EXIT_OK && rv != GC_OK) {
		ex = GC_EXIT_VERIFY;
	}
	return ex;
}

int
gc_cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "feed", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char      *home = NULL, *feed = NULL;
	bool             json = false, raw = false, verify = false;
	struct gc_node   n;
	struct gc_buf    b;
	struct log_arg   a;
	struct feed_find ff;
	int              c, ex;

	optind = 1;
	if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
		verify = true;
		optind = 2;
	}
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'f':
			feed = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'r':
			raw = true;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, log_usage);
		}
	}
	if (optind != argc || (raw && (json || verify))) {
		fputs(log_usage, stderr);
		return GC_EXIT_USAGE;
	}
	if (verify) {
		return log_verify(home, json);
	}
	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	memset(&ff, 0, sizeof(ff));
	if (feed != NULL) {
		ff.prefix = feed;
		if (strlen(feed) < 8) {
			gc_cli_err("--feed %s: give at least 8 hex digits", feed);
			gc_node_close(&n);
			return GC_EXIT_USAGE;
		}
		gc_ledger_heads(n.lg, feed_find_cb, &ff);
		if (ff.n != 1) {
			gc_cli_err("--feed %s: %s", feed, ff.n == 0 ?
			    "no such feed on this node" : "matches several "
			    "feeds: give more digits");
			gc_node_close(&n);
			return GC_EXIT_FAIL;
		}
	}
	gc_buf_init(&b);
	memset(&a, 0, sizeof(a));
	a.b    = &b;
	a.json = json;
	a.raw  = raw;
	a.out  = stdout;
	if (json) {
		gc_buf_putc(&b, '[');
	}
	gc_ledger_foreach(n.lg, feed ? ff.feed : NULL, log_cb, &a);
	if (raw) {
		ex = fflush(stdout) == 0 ? GC_EXIT_OK : GC_EXIT_FAIL;
	} else {
		if (json) {
			gc_buf_putc(&b, ']');
		}
		ex = b.len > 0 ? gc_cli_print(&b) : GC_EXIT_OK;
	}
	gc_buf_release(&b);
	gc_node_close(&n);
	return ex;
}

/* ---- status ---- */

static const char status_usage[] =
    "usage: gradcap status [--home DIR] [--class C] [--site S] [--json]\n"
    "What this node holds, and the merged view: students per status (of\n"
    "one class or site when given), per class and per site, and the\n"
    "digest of the authoritative set.\n";

struct status_feed {
	struct gc_buf *b;
	bool           json;
	gc_ledger     *lg;
	size_t         n;
};

static int
status_feed_cb(const struct gc_head *h, void *arg)
{
	struct status_feed  *s = arg;
	struct gc_enrollment en;
	char                 hex[65];
	const char          *name = "(not enrolled)", *role = "?";

	gc_hex_encode(hex, h->feed, 32);
	if (gc_ledger_enrollment(s->lg, h->feed, &en) == GC_OK) {
		name = en.name;
		role = gc_role_name(en.role);
	}
	if (s->json) {
		gc_buf_printf(s->b, "%s{\"feed\":\"%s\",\"role\":\"%s\",\"name\":",
		    s->n ? "," : "", hex, role);
		gc_json_str(s->b, name);
		gc_buf_printf(s->b, ",\"seq\":%" PRIu64 ",\"quarantined\":%s,"
		    "\"quarantined_from\":%" PRIu64 ",\"forks\":%" PRIu64 "}",
		    h->seq, h->quarantined ? "true" : "false", h->qseq,
		    h->nforks);
	} else {
		gc_buf_printf(s->b, "  %.16s %-11s %-20s seq %-6" PRIu64 "%s\n",
		    hex, role, name, h->seq, h->quarantined ?
		    " QUARANTINED (fork)" : "");
	}
	s->n++;
	return 0;
}

int
gc_cmd_status(int argc, char **argv)
{
	const char             *home = NULL, *klass = NULL, *site = NULL;
	bool                    json = false, merge_failed = false;
	struct gc_node          n;
	struct gc_ledger_counts cnt;
	struct gc_ledger_digest dg;
	struct gc_diag          d;
	struct gc_buf           b;
	struct status_feed      sf;
	char                    self[65], auth[65], de[65], db[65];
	int                     ex;

	{
		static const struct option opts[] = {
			{ "home", required_argument, NULL, 'H' },
			{ "json", no_argument, NULL, 'j' },
			{ "class", required_argument, NULL, 'c' },
			{ "site", required_argument, NULL, 's' },
			{ "help", no_argument, NULL, 'h' },
			{ NULL, 0, NULL, 0 },
		};
		int c;

		optind = 1;
		while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
			switch (c) {
			case 'H':
				home = optarg;
				break;
			case 'j':
				json = true;
				break;
			case 'c':
				klass = optarg;
				break;
			case 's':
				site = optarg;
				break;
			default:
				return gc_cli_help_or_usage(c, argv,
				    status_usage);
			}
		}
		if (optind != argc) {
			fputs(status_usage, stderr);
			return GC_EXIT_USAGE;
		}
	}
	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	if (gc_ledger_counts(n.lg, &cnt) != GC_OK ||
	    gc_ledger_digest(n.lg, &dg) != GC_OK) {
		gc_cli_err("%s: cannot read counts", n.home);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_hex_encode(self, n.info.self, 32);
	gc_hex_encode(auth, n.info.authority, 32);
	gc_hex_encode(de, dg.entries, 32);
	gc_hex_encode(db, dg.blobs, 32);
	gc_buf_init(&b);
	sf.b    = &b;
	sf.json = json;
	sf.lg   = n.lg;
	sf.n    = 0;
	if (json) {
		gc_buf_puts(&b, "{\"home\":");
		gc_json_str(&b, n.home);
		gc_buf_printf(&b, ",\"role\":\"%s\",\"school\":",
		    gc_role_name(n.info.role));
		gc_json_str(&b, n.info.school);
		gc_buf_puts(&b, ",\"name\":");
		gc_json_str(&b, n.info.name);
		gc_buf_printf(&b, ",\"feed\":\"%s\",\"enrolled\":%s,"
		    "\"authority\":%s%s%s,\"seq\":%" PRIu64 ",\"entries\":%"
		    PRIu64 ",\"students\":%" PRIu64 ",\"blobs\":%" PRIu64
		    ",\"blob_bytes\":%" PRIu64 ",\"missing_blobs\":%" PRIu64
		    ",\"forks\":%" PRIu64 ",\"enrolled_nodes\":%" PRIu64
		    ",\"revoked_nodes\":%" PRIu64 ",\"partial_blobs\":%" PRIu64
		    ",\"partial_bytes\":%" PRIu64 ",\"replica\":{"
		    "\"entries_digest\":\"%s\",\"blobs_digest\":\"%s\"},"
		    "\"merge\":",
		    self, n.info.enrolled ? "true" : "false",
		    n.info.enrolled ? "\"" : "", n.info.enrolled ? auth : "null",
		    n.info.enrolled ? "\"" : "", n.info.seq, cnt.entries,
		    cnt.students, cnt.blobs, cnt.blob_bytes, cnt.missing_blobs,
		    cnt.forks, cnt.enrolled, cnt.revoked, cnt.partial_blobs,
		    cnt.partial_bytes, de, db);
		gc_diag_clear(&d);
		if (gc_merge_report(&n, klass, site, true, &b, &d) != GC_OK) {
			gc_cli_err("%s", d.msg);
			gc_buf_puts(&b, "null");
			merge_failed = true;
		}
		gc_buf_puts(&b, ",\"feeds\":[");
		gc_ledger_heads(n.lg, status_feed_cb, &sf);
		gc_buf_puts(&b, "]}");
	} else {
		gc_buf_printf(&b, "%s '%s' of school %s (%s)\n"
		    "feed key    %s (seq %" PRIu64 ")\n"
		    "enrolled    %s\n"
		    "students    %" PRIu64 " on the roster\n"
		    "entries     %" PRIu64 " in %" PRIu64 " feeds\n"
		    "blobs       %" PRIu64 " (%" PRIu64 " bytes), %" PRIu64
		    " missing, %" PRIu64 " arriving (%" PRIu64 " bytes so far)\n"
		    "forks       %" PRIu64 "\n"
		    "nodes       %" PRIu64 " enrolled, %" PRIu64 " revoked\n"
		    "replica     entries %.16s, blobs %.16s (equal on nodes that "
		    "hold the same)\n",
		    gc_role_name(n.info.role), n.info.name, n.info.school, n.home,
		    self, n.info.seq,
		    n.info.enrolled ? (n.info.role == GC_ROLE_COORDINATOR ?
		    "yes (school authority)" : "yes") : "NO: run 'gradcap enroll "
		    "request' and take the file to the coordinator",
		    cnt.students, cnt.entries, cnt.feeds, cnt.blobs,
		    cnt.blob_bytes, cnt.missing_blobs, cnt.partial_blobs,
		    cnt.partial_bytes, cnt.forks, cnt.enrolled,
		    cnt.revoked, de, db);
		gc_diag_clear(&d);
		if (gc_merge_report(&n, klass, site, false, &b, &d) != GC_OK) {
			gc_cli_err("%s", d.msg);
			merge_failed = true;
		}
		gc_buf_puts(&b, "feeds:\n");
		gc_ledger_heads(n.lg, status_feed_cb, &sf);
	}
	ex = gc_cli_print(&b);
	if (ex == GC_EXIT_OK && merge_failed) {
		ex = GC_EXIT_FAIL; /* the rest is shown; the merge is not */
	}
	gc_buf_release(&b);
	gc_node_close(&n);
	return ex;
}

int
gc_cmd_reindex(int argc, char **argv)
{
	const char    *home = NULL;
	struct gc_node n;
	struct gc_diag d;
	gc_err         rv;
	int            ex;

	ex = gc_cli_simple_opts(argc, argv,
	    "usage: gradcap reindex [--home DIR]\n", &home, NULL);
	if (ex >= 0) {
		return ex;
	}
	ex = gc_node_open(&n, home, 0, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_diag_clear(&d);
	rv = gc_ledger_reindex(n.lg, &d);
	if (rv != GC_OK) {
		gc_cli_err("reindex: %s", gc_diag_msg(&d, rv));
		ex = GC_EXIT_FAIL;
	} else {
		printf("rebuilt the enrollment, roster and missing-blob indexes "
		       "of %s\n", n.home);
	}
	gc_node_close(&n);
	return ex;
}
