/* gradcap session open|close|status; gradcap capture; gradcap
 * import-shoots. A capture binds the photo to the student identified in
 * the same signed record (DESIGN §1: never by queue order). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/cam.h"
#include "capture/pipeline.h"
#include "capture/profile.h"
#include "common/gc_alloc.h"
#include "common/records.h"
#include "common/rosterdb.h"
#include "common/fileio.h"
#include "node/capture_core.h"
#include "common/roster_change.h"
#include "node/cli.h"
#include "node/node.h"
#include "node/session_core.h"

#define PHOTO_MAX ((size_t)64 << 20)

static const char session_usage[] =
    "usage: gradcap session open --kind central|makeup|individual|online "
    "--location TEXT [--operator NAME]\n"
    "       gradcap session close\n"
    "       gradcap session status [--json]\n"
    "       gradcap session sheet [--class C] [--missing] [--csv|--html|--json]\n"
    "  (all take --home DIR and --passphrase-file F)\n";

static const char capture_usage[] =
    "usage: gradcap capture --student KEY (--file PHOTO | --camera SPEC)\n"
    "         [--bind qr|id-card|student-no|search] [--code CODE]\n"
    "         [--override CHECK:REASON]... [--again] [--profile P] [--json]\n"
    "  KEY: an ID number, 学号 or 考生号 unique in the roster\n"
    "  SPEC: libcamera:0, folder:DIR (the next new photo), synthetic:DIR\n"
    "exit 0: stored; 3: refused (failed checks without an override reason,\n"
    "already captured without --again); 1: operational error\n";

static const char import_usage[] =
    "usage: gradcap import-shoots --kind individual|makeup|online\n"
    "         [--recursive | --no-recursive] [--again] [--profile P] [--json] "
    "DIR\n"
    "  DIR holds studio or online photos named <ID number>.jpg or "
    "<学号>.jpg (散拍),\n"
    "  in its subfolders too (a studio CD's folder per class; at most 16\n"
    "  levels, links never followed); --no-recursive reads DIR alone\n"
    "  Every other file and folder is named with why it is skipped; hidden\n"
    "  ones (.DS_Store, ._*) are only counted (listed with --json)\n"
    "exit 0: all stored; 3: a photo refused or a file skipped; 1: "
    "operational error\n";

/* ---- session ---- */

static int
session_open(struct gc_node *n, int kind, const char *location,
    const char *op, bool quiet)
{
	struct gc_session_rec s;
	struct gc_diag        d;
	gc_err                rv;

	gc_diag_clear(&d);
	rv = gc_session_begin(n, (enum gc_session_kind)kind, location, op, &s,
	    &d);
	if (rv == GC_EEXIST) {
		gc_cli_err("%s with 'gradcap session close'", d.msg);
		return GC_EXIT_FAIL;
	}
	if (rv != GC_OK) {
		gc_cli_err("session open: %s", gc_diag_msg(&d, rv));
		return GC_EXIT_FAIL;
	}
	if (!quiet) {
		printf("opened %s session %s at %s\n",
		    gc_session_kind_name(s.kind), s.id, s.location);
	}
	return GC_EXIT_OK;
}

static int
session_close(struct gc_node *n, bool quiet)
{
	struct gc_session_rec cur;
	struct gc_buf         b;
	struct gc_diag        d;
	gc_err                rv;

	if (gc_ledger_session_current(n->lg, n->info.self, &cur) != GC_OK) {
		gc_cli_err("no session is open on this node");
		return GC_EXIT_FAIL;
	}
	gc_buf_init(&b);
	gc_session_close_encode(&b, cur.id, (uint64_t)time(NULL), 0);
	gc_diag_clear(&d);
	rv = gc_ledger_append_body(n->lg, GC_KIND_SESSION_CLOSE, &b, NULL, &d);
	gc_buf_release(&b);
	if (rv != GC_OK) {
		gc_cli_err("session close: %s", gc_diag_msg(&d, rv));
		return GC_EXIT_FAIL;
	}
	if (!quiet) {
		printf("closed session %s\n", cur.id);
	}
	return GC_EXIT_OK;
}

int
gc_cmd_session(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "kind", required_argument, NULL, 'k' },
		{ "location", required_argument, NULL, 'l' },
		{ "operator", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char           *home = NULL, *location = NULL, *op = NULL;
	const char           *passfile = NULL;
	int                   kind = -1, c, ex;
	bool                  json = false;
	struct gc_node        n;
	struct gc_session_rec cur;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(session_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? GC_EXIT_USAGE : GC_EXIT_OK;
	}
	if (strcmp(argv[1], "sheet") == 0) {
		return gc_cmd_session_sheet(argc - 1, argv + 1);
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'k':
			kind = gc_session_kind_parse(optarg);
			if (kind < 0) {
				gc_cli_err("--kind %s: use central, makeup, "
				    "individual or online", optarg);
				return GC_EXIT_USAGE;
			}
			break;
		case 'l':
			location = optarg;
			break;
		case 'o':
			op = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, session_usage);
		}
	}
	if (strcmp(argv[1], "open") == 0) {
		if (kind < 0 || location == NULL || location[0] == '\0' ||
		    !gc_utf8_valid((const uint8_t *)location, strlen(location)) ||
		    (op != NULL && !gc_utf8_valid((const uint8_t *)op,
		    strlen(op)))) {
			gc_cli_err("session open needs --kind and --location "
			    "(UTF-8 text)");
			return GC_EXIT_USAGE;
		}
		ex = gc_node_open(&n, home, GC_NODE_KEY, passfile);
		if (ex == GC_EXIT_OK) {
			ex = session_open(&n, kind, location, op, false);
			gc_node_close(&n);
		}
		return ex;
	}
	if (strcmp(argv[1], "close") == 0) {
		ex = gc_node_open(&n, home, GC_NODE_KEY, passfile);
		if (ex == GC_EXIT_OK) {
			ex = session_close(&n, false);
			gc_node_close(&n);
		}
		return ex;
	}
	if (strcmp(argv[1], "status") == 0) {
		ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
		if (ex != GC_EXIT_OK) {
			return ex;
		}
		if (gc_ledger_session_current(n.lg, n.info.self, &cur) == GC_OK) {
			if (json) {
				struct gc_buf b;

				gc_buf_init(&b);
				gc_buf_puts(&b, "{\"open\":true,\"id\":");
				gc_json_str(&b, cur.id);
				gc_buf_printf(&b, ",\"kind\":\"%s\",\"location\":",
				    gc_session_kind_name(cur.kind));
				gc_json_str(&b, cur.location);
				gc_buf_puts(&b, ",\"operator\":");
				gc_json_str(&b, cur.operator_);
				gc_buf_printf(&b, ",\"opened\":%" PRIu64 "}",
				    cur.opened);
				ex = gc_cli_print(&b);
				gc_buf_release(&b);
			} else {
				printf("open: %s session %s (%s) at %s, operator "
				       "%s\n", gc_session_kind_name(cur.kind),
				    cur.id, gc_session_kind_zh(cur.kind),
				    cur.location, cur.operator_[0] ?
				    cur.operator_ : "-");
			}
		} else {
			puts(json ? "{\"open\":false}" : "no session is open");
		}
		gc_node_close(&n);
		return ex;
	}
	gc_cli_err("session: unknown verb '%s'", argv[1]);
	fputs(session_usage, stderr);
	return GC_EXIT_USAGE;
}

/* ---- capture ---- */

struct seen_arg {
	char   where[256];
	size_t mine;
	const uint8_t *self;
};

static int
seen_cb(const struct gc_entry *e, const struct gc_capture_rec *c, void *arg)
{
	struct seen_arg *s = arg;
	char             id[17];
	time_t           t = (time_t)((e->hlc >> 16) / 1000);
	struct tm        tm;
	char             ts[32];

	gc_hex_encode(id, e->id, 8);
	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M", &tm);
	snprintf(s->where, sizeof(s->where), "entry %s, %s session, %s", id,
	    gc_session_kind_name(c->session_kind), ts);
	if (memcmp(e->feed, s->self, 32) == 0) {
		s->mine++;
	}
	return 0;
}

/* The 拍摄序号 of a capture: the student's number in the session's
 * shooting order on this node, read from the session's own entries (a
 * retake in the session keeps its number; the next student gets one more
 * than the highest so far). */
struct seq_arg {
	const char *session, *student;
	uint32_t    top, mine;
};

static int
seq_cb(const struct gc_entry *e, void *arg)
{
	struct seq_arg       *a = arg;
	struct gc_capture_rec c;

	if (e->kind != GC_KIND_CAPTURE ||
	    gc_capture_decode(e->body, e->body_len, &c) != GC_OK ||
	    strcmp(c.session, a->session) != 0) {
		return 0;
	}
	if (c.seq > a->top) {
		a->top = c.seq;
	}
	if (a->mine == 0 && strcmp(c.student, a->student) == 0) {
		a->mine = c.seq;
	}
	return 0;
}

static gc_err
session_seq(struct gc_node *n, const struct gc_session_rec *sess,
    const char *student, uint32_t *seq)
{
	struct seq_arg a = { sess->id, student, 0, 0 };
	gc_err         rv;

	rv   = gc_ledger_range(n->lg, n->info.self, sess->open_seq + 1, seq_cb,
	    &a);
	*seq = a.mine != 0 ? a.mine : a.top + 1;
	return rv;
}

/* Infers how the student was identified from what was given. */
static const char *
bind_of(const struct gc_capture_req *r, const struct gc_row *row)
{
	if (r->bind != NULL) {
		return r->bind;
	}
	if (r->code != NULL) {
		return GC_BIND_QR;
	}
	if (strcasecmp(r->student_ref, row->v[GC_ROW_ID_NUMBER]) == 0) {
		return GC_BIND_ID_CARD;
	}
	if (strcmp(r->student_ref, row->v[GC_ROW_STUDENT_NO]) == 0) {
		return GC_BIND_STUDENT_NO;
	}
	return GC_BIND_SEARCH;
}

/* One photo, one capture code, one student: a second binding is a likely
 * mix-up, refused (o->why, o->bound) rather than found later in the merge.
 * Camera frames skip the photo test (r->frame: a camera never repeats a
 * frame; a file named for two students is the classic mix-up of 散拍
 * imports). */
static bool
binding_taken(struct gc_node *n, const struct gc_capture_req *r,
    struct gc_capture_out *o)
{
	uint8_t h[32], other_id[32];
	char    other[80], hex[17];

	o->bound = GC_BOUND_NONE;
	gc_sha256(h, o->res.jpeg.data, o->res.jpeg.len);
	if (!r->frame && gc_ledger_merge_bound(n->lg, GC_ALERT_PHOTO, h, o->key, other,
	    other_id) == GC_OK) {
		gc_hex_encode(hex, other_id, 8);
		snprintf(o->why, sizeof(o->why), "this very photo is already "
		    "bound to another student, %.79s (capture %s): one photo, "
		    "one student; if that binding is the mistake, void it "
		    "first", other, hex);
		snprintf(o->why_zh, sizeof(o->why_zh), "这张照片已绑定给另一位"
		    "学生 %.79s（拍摄记录 %s）：一张照片只能属于一个人；如果那次"
		    "绑定有误，请先作废它", other, hex);
		o->bound = GC_BOUND_PHOTO;
		return true;
	}
	if (r->code != NULL) {
		gc_sha256(h, r->code, strlen(r->code));
		if (gc_ledger_merge_bound(n->lg, GC_ALERT_CODE, h, o->key, other,
		    other_id) == GC_OK) {
			gc_hex_encode(hex, other_id, 8);
			snprintf(o->why, sizeof(o->why), "this capture code was "
			    "scanned for another student, %.79s (capture %s): "
			    "check the student in front of the camera", other,
			    hex);
			snprintf(o->why_zh, sizeof(o->why_zh), "这个采集码已用于"
			    "另一位学生 %.79s（拍摄记录 %s）：请核对镜头前的学生",
			    other, hex);
			o->bound = GC_BOUND_CODE;
			return true;
		}
	}
	return false;
}

gc_err
gc_capture_admit(struct gc_node *n, const struct gc_capture_req *r,
    struct gc_capture_out *o, struct gc_diag *d)
{
	struct seen_arg seen;
	gc_err          rv;

	memset(o->entry, 0, 32);
	o->stored = false;
	o->why[0]    = '\0';
	o->why_zh[0] = '\0';
	if (r->code != NULL && (r->code[0] == '\0' ||
	    strlen(r->code) > GC_CAPTURE_CODE_MAX)) {
		snprintf(o->why, sizeof(o->why), "the capture code is %s (at "
		    "most %d bytes)", r->code[0] ? "too long" : "empty",
		    GC_CAPTURE_CODE_MAX);
		snprintf(o->why_zh, sizeof(o->why_zh), "采集码%s（最多 %d 字节）",
		    r->code[0] ? "过长" : "为空", GC_CAPTURE_CODE_MAX);
		return GC_OK;
	}
	rv = gc_ledger_student_find(n->lg, r->student_ref, o->key, d);
	if (rv == GC_ENOTFOUND && gc_roster_removed_find(n->lg, r->student_ref,
	    o->key, d) == GC_OK &&
	    gc_row_of_removed(n->lg, o->key, &o->row) == GC_OK) {
		snprintf(o->why, sizeof(o->why), "%.79s (%.60s) was removed from "
		    "the roster (%.120s): the coordinator restores it with "
		    "'gradcap roster restore' if that was a mistake", o->key,
		    o->row.v[GC_ROW_NAME], o->row.v[GC_ROW_REMOVED]);
		snprintf(o->why_zh, sizeof(o->why_zh), "%.60s 已从名单中移出"
		    "（%.120s）：如有误，请协调人恢复后再拍", o->row.v[GC_ROW_NAME],
		    o->row.v[GC_ROW_REMOVED]);
		return GC_OK;
	}
	if (rv != GC_OK) {
		snprintf(o->why, sizeof(o->why), "%.500s", gc_diag_msg(d, rv));
		snprintf(o->why_zh, sizeof(o->why_zh), "名单中找不到“%.200s”"
		    "（或不唯一）：请核对身份证号、学号或考生号", r->student_ref);
		return GC_OK;
	}
	rv = gc_row_of(n->lg, o->key, &o->row);
	if (rv != GC_OK) {
		return rv;
	}
	/* one photo per student and level: a second shot needs intent */
	memset(&seen, 0, sizeof(seen));
	seen.self = n->info.self;
	rv = gc_ledger_captures(n->lg, o->key, seen_cb, &seen, &o->earlier);
	if (rv != GC_OK) {
		gc_diag_set(d, "cannot read %s's earlier captures: %s", o->key,
		    gc_strerror(rv));
		return rv;
	}
	/* a student the makeup list names (rejected, voided: MISSING or
	 * NEEDS_RETAKE) is shot again without ceremony; a photo that may
	 * still count (approved, pending, in conflict) or an exempt
	 * student needs intent */
	if (o->earlier > 0 && !r->again) {
		enum gc_mstatus st    = GC_MS_PENDING_REVIEW;
		struct gc_mcap *mcaps = NULL;
		size_t          nm    = 0;

		if (gc_ledger_merge_student(n->lg, o->key, &st, &mcaps, &nm) !=
		    GC_OK) {
			st = GC_MS_PENDING_REVIEW; /* not kept: be careful */
		}
		gc_free(mcaps);
		if (st == GC_MS_MISSING || st == GC_MS_NEEDS_RETAKE) {
			o->earlier = 0;
		} else {
			o->merge_status = st;
		}
	}
	if (o->earlier > 0 && !r->again) {
		snprintf(o->why, sizeof(o->why), "%.60s (%.79s) already has %zu "
		    "capture%s this season (latest: %.100s; status %s): one photo "
		    "per level; pass --again to take another, and the "
		    "coordinator will choose", o->row.v[GC_ROW_NAME], o->key,
		    o->earlier, o->earlier == 1 ? "" : "s", seen.where,
		    gc_mstatus_name(o->merge_status));
		snprintf(o->why_zh, sizeof(o->why_zh), "%.60s 本季已有 %zu 次"
		    "拍摄记录：每个学历层次只能一张照片；确需再拍请确认，由协调人"
		    "裁定", o->row.v[GC_ROW_NAME], o->earlier);
		return GC_OK;
	}
	o->attempt = seen.mine + 1;
	return GC_OK;
}

gc_err
gc_capture_frame(gc_pipeline *pl, const struct gc_capture_req *r,
    struct gc_capture_out *o)
{
	gc_err rv;

	rv = gc_pipeline_run(pl, r->photo, r->photo_len, GC_PIPE_NORMALIZE,
	    &o->res);
	if (rv != GC_OK) {
		return rv;
	}
	if (o->res.jpeg.len == 0) {
		const char *what = o->res.report.guide_en;

		for (int i = 0; what[0] == '\0' && i < o->res.report.n; i++) {
			if (o->res.report.c[i].verdict == GC_VERDICT_FAIL) {
				what = o->res.report.c[i].msg_en;
			}
		}
		snprintf(o->why, sizeof(o->why), "no photo could be made: %.250s",
		    what[0] ? what : "the shot fails its checks");
		{
			const char *zh = o->res.report.guide_zh;

			for (int i = 0; zh[0] == '\0' && i < o->res.report.n;
			     i++) {
				if (o->res.report.c[i].verdict ==
				    GC_VERDICT_FAIL) {
					zh = o->res.report.c[i].msg_zh;
				}
			}
			snprintf(o->why_zh, sizeof(o->why_zh), "无法生成照片："
			    "%.250s", zh[0] ? zh : "未通过检测");
		}
		return GC_OK;
	}
	return GC_OK;
}

gc_err
gc_capture_prepare(struct gc_node *n, gc_pipeline *pl,
    const struct gc_capture_req *r, struct gc_capture_out *o,
    struct gc_diag *d)
{
	gc_err rv = gc_capture_admit(n, r, o, d);

	if (rv == GC_OK && o->why[0] == '\0') {
		rv = gc_capture_frame(pl, r, o);
	}
	if (rv == GC_OK && o->why[0] == '\0') {
		(void)binding_taken(n, r, o);
	}
	return rv;
}

gc_err
gc_capture_store(struct gc_node *n, const struct gc_profile *p,
    const struct gc_session_rec *sess, const struct gc_capture_req *r,
    struct gc_capture_out *o, struct gc_diag *d)
{
	struct gc_capture_rec c;
	struct gc_buf         body;
	struct gc_blob        blobs[3];
	struct gc_append      ap;
	gc_err                rv;

	o->stored = false;
	/* again here, under the caller's ledger hold: another shot may have
	 * been stored since this one was prepared (the UI's two steps) */
	if (binding_taken(n, r, o)) {
		return GC_OK;
	}
	/* every failed check needs an override reason */
	for (int i = 0; i < o->res.report.n; i++) {
		const struct gc_check *ck = &o->res.report.c[i];
		bool                   ok = false;

		if (ck->verdict != GC_VERDICT_FAIL) {
			continue;
		}
		for (int k = 0; k < r->nov; k++) {
			size_t l = strcspn(r->overrides[k], ":");

			ok |= l == strlen(ck->id) &&
			    strncmp(r->overrides[k], ck->id, l) == 0;
		}
		if (!ok) {
			snprintf(o->why, sizeof(o->why), "check %s failed: %.250s "
			    "(give --override %s:REASON to store it anyway)",
			    ck->id, ck->msg_en, ck->id);
			snprintf(o->why_zh, sizeof(o->why_zh), "检测项 %s 不合格："
			    "%.250s（如仍要保存，请填写放行理由）", ck->id,
			    ck->msg_zh);
			return GC_OK;
		}
	}
	/* the record */
	memset(&c, 0, sizeof(c));
	snprintf(c.student, sizeof(c.student), "%s", o->key);
	snprintf(c.session, sizeof(c.session), "%s", sess->id);
	c.session_kind = sess->kind;
	snprintf(c.bind, sizeof(c.bind), "%s", bind_of(r, &o->row));
	if (r->code != NULL) {
		c.has_code = true;
		gc_sha256(c.code_hash, r->code, strlen(r->code));
	}
	gc_sha256(c.photo, o->res.jpeg.data, o->res.jpeg.len);
	gc_sha256(c.original, r->photo, r->photo_len);
	c.verdict = (uint8_t)o->res.report.verdict;
	for (int i = 0; i < o->res.report.n && i < GC_CAPTURE_MAX_CHECKS; i++) {
		const struct gc_check *ck = &o->res.report.c[i];

		snprintf(c.checks[i].id, sizeof(c.checks[i].id), "%s", ck->id);
		c.checks[i].verdict = (uint8_t)ck->verdict;
		snprintf(c.checks[i].value, sizeof(c.checks[i].value), "%s",
		    ck->value);
		c.nchecks++;
	}
	for (int k = 0; k < r->nov; k++) {
		const char *colon = strchr(r->overrides[k], ':');

		snprintf(c.ov[k].check, sizeof(c.ov[k].check), "%.*s",
		    (int)(colon - r->overrides[k]), r->overrides[k]);
		snprintf(c.ov[k].reason, sizeof(c.ov[k].reason), "%s", colon + 1);
		c.nov++;
	}
	snprintf(c.camera, sizeof(c.camera), "%s", r->camera ? r->camera :
	    "file");
	snprintf(c.operator_, sizeof(c.operator_), "%s", sess->operator_);
	c.attempt = (uint32_t)o->attempt;
	snprintf(c.profile, sizeof(c.profile), "%s", p->name);
	rv = session_seq(n, sess, o->key, &c.seq);
	if (rv != GC_OK) {
		gc_diag_set(d, "the session's shooting order: %s",
		    gc_strerror(rv));
		return rv;
	}
	o->seq = c.seq;
	gc_buf_init(&body);
	gc_capture_encode(&body, &c);
	blobs[0].data = o->res.jpeg.data;
	blobs[0].len  = o->res.jpeg.len;
	blobs[1].data = r->photo;
	blobs[1].len  = r->photo_len;
	memset(&ap, 0, sizeof(ap));
	ap.kind     = GC_KIND_CAPTURE;
	ap.body     = body.data;
	ap.body_len = body.len;
	ap.blobs    = blobs;
	ap.nblobs   = 2;
	if (r->code != NULL) {
		/* the code itself, opaque: a blob named by its SHA-256, which
		 * is the record's field 4 */
		blobs[2].data = (const uint8_t *)r->code;
		blobs[2].len  = strlen(r->code);
		ap.nblobs     = 3;
	}
	rv          = gc_buf_status(&body);
	if (rv == GC_OK) {
		rv = gc_ledger_append(n->lg, &ap, 1, d);
	}
	gc_buf_release(&body);
	if (rv == GC_OK) {
		memcpy(o->entry, ap.id, 32);
		o->stored = true;
	}
	return rv;
}

/*
 * Checks one photo for one student and, when it may be stored, appends
 * the CAPTURE entry with the normalised photo and the original in one
 * transaction. GC_OK with out->stored false when refused (out->why).
 */
static gc_err
capture_one(struct gc_node *n, gc_pipeline *pl, const struct gc_profile *p,
    const struct gc_session_rec *sess, const struct gc_capture_req *r,
    struct gc_capture_out *o, struct gc_diag *d)
{
	gc_err rv = gc_capture_prepare(n, pl, r, o, d);

	if (rv != GC_OK || o->why[0] != '\0') {
		return rv;
	}
	return gc_capture_store(n, p, sess, r, o, d);
}

static void
print_capture(const struct gc_capture_out *o, const char *source, bool json,
    struct gc_buf *jb, bool first)
{
	char id[65];

	gc_hex_encode(id, o->entry, 32);
	if (json) {
		gc_buf_puts(jb, first ? "{\"source\":" : ",{\"source\":");
		gc_json_str(jb, source);
		gc_buf_puts(jb, ",\"student\":");
		gc_json_str(jb, o->key[0] ? o->key : NULL);
		gc_buf_puts(jb, ",\"name\":");
		gc_json_str(jb, o->row.v[GC_ROW_NAME][0] ? o->row.v[GC_ROW_NAME] :
		    NULL);
		gc_buf_printf(jb, ",\"stored\":%s,\"entry\":",
		    o->stored ? "true" : "false");
		gc_json_str(jb, o->stored ? id : NULL);
		gc_buf_puts(jb, ",\"refused\":");
		gc_json_str(jb, o->stored ? NULL : o->why);
		gc_buf_printf(jb, ",\"earlier_captures\":%zu,", o->earlier);
		if (o->stored) {
			gc_buf_printf(jb, "\"seq\":%u,", o->seq);
		}
		gc_report_json_fields(jb, &o->res.report);
		gc_buf_putc(jb, '}');
		return;
	}
	if (o->stored) {
		printf("%s: stored capture %.16s for %s %s (%s), %s, no. %u of "
		    "the session\n", source, id, o->row.v[GC_ROW_NAME],
		    o->row.v[GC_ROW_STUDENT_NO], o->key,
		    gc_verdict_name(o->res.report.verdict), o->seq);
	} else {
		printf("%s: REFUSED, nothing stored: %s\n", source, o->why);
	}
	for (int i = 0; i < o->res.report.n; i++) {
		const struct gc_check *c = &o->res.report.c[i];

		if (c->verdict != GC_VERDICT_PASS) {
			printf("  %-4s %-22s %s (%s)  %s / %s\n",
			    c->verdict == GC_VERDICT_WARN ? "WARN" : "FAIL",
			    c->id, c->value, c->limit, c->msg_en, c->msg_zh);
		}
	}
}

/* Opens the pipeline with the node's profile. */
static int
open_pipeline(struct gc_node *n, const char *profile, struct gc_profile *p,
    gc_pipeline **pl)
{
	struct gc_diag d;
	gc_err         rv;

	gc_diag_clear(&d);
	rv = gc_profile_load(p, n->cfg, profile != NULL ? profile :
	    gc_config_get(n->cfg, "capture", "profile", NULL), &d);
	if (rv == GC_OK) {
		rv = gc_pipeline_open(pl, p, &d);
	}
	if (rv != GC_OK) {
		gc_cli_err("%s", gc_diag_msg(&d, rv));
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}

int
gc_cmd_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "student", required_argument, NULL, 's' },
		{ "file", required_argument, NULL, 'f' },
		{ "camera", required_argument, NULL, 'c' },
		{ "bind", required_argument, NULL, 'b' },
		{ "code", required_argument, NULL, 'q' },
		{ "override", required_argument, NULL, 'o' },
		{ "again", no_argument, NULL, 'a' },
		{ "profile", required_argument, NULL, 'p' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char           *home = NULL, *file = NULL, *profile = NULL;
	const char           *passfile = NULL;
	struct gc_capture_req    r;
	struct gc_capture_out    o;
	struct gc_node        n;
	struct gc_session_rec sess;
	struct gc_profile     p;
	gc_pipeline          *pl = NULL;
	struct gc_diag        d;
	struct gc_buf         jb;
	uint8_t              *photo = NULL;
	size_t                len   = 0;
	bool                  json  = false;
	char                  why[256];
	int                   c, ex;
	gc_err                rv;

	memset(&r, 0, sizeof(r));
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 's':
			r.student_ref = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'c':
			r.camera = optarg;
			r.frame  = true;
			break;
		case 'b':
			if (strcmp(optarg, GC_BIND_QR) && strcmp(optarg,
			    GC_BIND_ID_CARD) && strcmp(optarg, GC_BIND_STUDENT_NO) &&
			    strcmp(optarg, GC_BIND_SEARCH)) {
				gc_cli_err("--bind %s: use qr, id-card, student-no "
				    "or search", optarg);
				return GC_EXIT_USAGE;
			}
			r.bind = optarg;
			break;
		case 'q':
			r.code = optarg;
			break;
		case 'o':
			if (r.nov == GC_CAPTURE_MAX_OVERRIDES ||
			    strchr(optarg, ':') == NULL ||
			    strchr(optarg, ':')[1] == '\0' ||
			    !gc_utf8_valid((const uint8_t *)optarg,
			    strlen(optarg)) || strlen(optarg) > 250) {
				gc_cli_err("--override %s: give CHECK:REASON, the "
				    "reason in words (at most 16 overrides)",
				    optarg);
				return GC_EXIT_USAGE;
			}
			r.overrides[r.nov++] = optarg;
			break;
		case 'a':
			r.again = true;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, capture_usage);
		}
	}
	if (optind != argc || r.student_ref == NULL ||
	    (file == NULL) == (r.camera == NULL)) {
		fputs(capture_usage, stderr);
		return GC_EXIT_USAGE;
	}
	if (r.bind != NULL && strcmp(r.bind, GC_BIND_QR) == 0 &&
	    r.code == NULL) {
		gc_cli_err("--bind qr needs --code with the scanned code");
		return GC_EXIT_USAGE;
	}
	gc_diag_clear(&d);
	/* the photo first: nothing is opened for a shot that is not there */
	if (file != NULL) {
		photo = gc_file_read(file, PHOTO_MAX, &len, why, sizeof(why));
		if (photo == NULL) {
			gc_cli_err("%s: %s", file, why);
			return GC_EXIT_FAIL;
		}
		r.source = file;
	} else {
		rv = gc_cam_grab(r.camera, 10000, &photo, &len, &d);
		if (rv != GC_OK) {
			gc_cli_err("camera %s: %s", r.camera, gc_diag_msg(&d, rv));
			return GC_EXIT_FAIL;
		}
		r.source = r.camera;
	}
	r.photo     = photo;
	r.photo_len = len;
	ex          = gc_node_open(&n, home, GC_NODE_KEY, passfile);
	if (ex != GC_EXIT_OK) {
		gc_free(photo);
		return ex;
	}
	if (gc_ledger_session_current(n.lg, n.info.self, &sess) != GC_OK) {
		gc_cli_err("no session is open: 'gradcap session open --kind "
		    "central --location TEXT' first");
		gc_node_close(&n);
		gc_free(photo);
		return GC_EXIT_FAIL;
	}
	ex = open_pipeline(&n, profile, &p, &pl);
	if (ex != GC_EXIT_OK) {
		gc_node_close(&n);
		gc_free(photo);
		return ex;
	}
	memset(&o, 0, sizeof(o));
	gc_pipeline_result_init(&o.res);
	rv = capture_one(&n, pl, &p, &sess, &r, &o, &d);
	if (rv != GC_OK) {
		gc_cli_err("capture: %s", gc_diag_msg(&d, rv));
		ex = GC_EXIT_FAIL;
	} else {
		gc_buf_init(&jb);
		print_capture(&o, r.source, json, &jb, true);
		if (json) {
			gc_cli_print(&jb);
		}
		gc_buf_release(&jb);
		ex = o.stored ? GC_EXIT_OK : GC_EXIT_REJECTED;
	}
	gc_pipeline_result_release(&o.res);
	gc_pipeline_close(pl);
	gc_node_close(&n);
	gc_free(photo);
	return ex;
}

/* ---- import-shoots ---- */

#define SHOOT_MAX_DEPTH   16     /* folder levels below DIR walked */
#define SHOOT_MAX_ENTRIES 100000 /* files and folders one walk looks at */

static const char shoot_hidden[]  = "hidden (the name starts with '.')";
static const char shoot_symlink[] = "a symbolic link (not followed)";

/* One entry of the walk: a photo to import (skip NULL), or a file or
 * folder that is not imported, with why. */
struct shoot {
	char *rel;  /* relative to DIR, '/' between folders; owned */
	char *skip; /* owned; NULL for a photo */
	bool  hidden;
};

struct shoot_walk {
	struct shoot *v;
	size_t        n, cap;
	size_t        seen;    /* entries looked at, against the cap */
	size_t        photos;  /* entries with skip NULL */
	size_t        skipped; /* not hidden */
	size_t        hidden;
	size_t        folders; /* left unwalked by --no-recursive */
	bool          recursive;
	bool          too_many;
};

static bool
shoot_jpeg_name(const char *name)
{
	size_t l = strlen(name);

	return (l >= 5 && strcasecmp(name + l - 4, ".jpg") == 0) ||
	    (l >= 6 && strcasecmp(name + l - 5, ".jpeg") == 0);
}

/* "a/b" from a and b; the caller frees it. */
static char *
shoot_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char  *s  = gc_xalloc(la + lb + 2);

	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Takes rel; copies skip. */
static void
shoot_add(struct shoot_walk *w, char *rel, const char *skip, bool hidden)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->v   = gc_xrealloc(w->v, w->cap * sizeof(*w->v));
	}
	w->v[w->n].rel    = rel;
	w->v[w->n].skip   = skip != NULL ? gc_xstrdup(skip) : NULL;
	w->v[w->n].hidden = hidden;
	w->n++;
	if (skip == NULL) {
		w->photos++;
	} else if (hidden) {
		w->hidden++;
	} else {
		w->skipped++;
	}
}

static void
shoot_walk_release(struct shoot_walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		gc_free(w->v[i].rel);
		gc_free(w->v[i].skip);
	}
	gc_free(w->v);
	w->v = NULL;
	w->n = w->cap = 0;
}

static int
shoot_cmp(const void *a, const void *b)
{
	return strcmp(((const struct shoot *)a)->rel,
	    ((const struct shoot *)b)->rel);
}

static int shoot_walk_dir(struct shoot_walk *w, const char *top,
    const char *rel, int depth);

/* Sorts one entry of the folder rel (NULL: DIR itself) at depth into a
 * photo, a folder to walk, or a skip with its reason. Takes sub. A name
 * ending in .jpg is a photo whatever it is: capture refuses a link or a
 * FIFO with its reason, as it always has. */
static void
shoot_entry(struct shoot_walk *w, const char *top, int dfd, const char *name,
    char *sub, int depth)
{
	struct stat sb;
	char        deep[80];
	int         e;

	if (name[0] == '.') {
		shoot_add(w, sub, shoot_hidden, true);
	} else if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
		shoot_add(w, sub, strerror(errno), false);
	} else if (S_ISDIR(sb.st_mode) && !w->recursive) {
		shoot_add(w, sub, "a folder (use --recursive)", false);
		w->folders++;
	} else if (S_ISDIR(sb.st_mode) && depth >= SHOOT_MAX_DEPTH) {
		snprintf(deep, sizeof(deep), "a folder more than %d levels "
		    "down (not walked)", SHOOT_MAX_DEPTH);
		shoot_add(w, sub, deep, false);
	} else if (S_ISDIR(sb.st_mode)) {
		e = shoot_walk_dir(w, top, sub, depth + 1);
		if (e != 0) {
			shoot_add(w, sub, e == ELOOP ? shoot_symlink :
			    strerror(e), false);
		} else {
			gc_free(sub);
		}
	} else if (shoot_jpeg_name(name)) {
		shoot_add(w, sub, NULL, false);
	} else if (S_ISLNK(sb.st_mode)) {
		shoot_add(w, sub, shoot_symlink, false);
	} else {
		shoot_add(w, sub, "not a JPEG name (.jpg/.jpeg)", false);
	}
}

/* Adds the entries of the folder top/rel (rel NULL: top itself, which may
 * be a link; no link below it is followed) to w. Returns 0, or the errno
 * the folder could not be opened with. */
static int
shoot_walk_dir(struct shoot_walk *w, const char *top, const char *rel,
    int depth)
{
	char          *path = rel != NULL ? shoot_join(top, rel) :
	    gc_xstrdup(top);
	DIR           *dir  = NULL;
	struct dirent *de;
	int            fd, e = 0;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (rel != NULL ? O_NOFOLLOW : 0));
	if (fd >= 0) {
		dir = fdopendir(fd);
	}
	if (dir == NULL) {
		e = errno;
		if (fd >= 0) {
			close(fd);
		}
		gc_free(path);
		return e;
	}
	while (!w->too_many && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (++w->seen > SHOOT_MAX_ENTRIES) {
			w->too_many = true;
			break;
		}
		shoot_entry(w, top, dirfd(dir), de->d_name, rel != NULL ?
		    shoot_join(rel, de->d_name) : gc_xstrdup(de->d_name), depth);
	}
	closedir(dir);
	gc_free(path);
	return 0;
}

/* Walks DIR into w, sorted by relative path. Returns GC_EXIT_OK, or
 * GC_EXIT_FAIL with the error written (nothing is imported then). */
static int
shoot_walk(struct shoot_walk *w, const char *top)
{
	int e = shoot_walk_dir(w, top, NULL, 0);

	if (e != 0) {
		gc_cli_err("%s: %s", top, strerror(e));
		return GC_EXIT_FAIL;
	}
	if (w->too_many) {
		gc_cli_err("%s: more than %d files and folders: is it the right "
		    "folder? import a class folder at a time", top,
		    SHOOT_MAX_ENTRIES);
		return GC_EXIT_FAIL;
	}
	if (w->photos == 0 && w->folders > 0) {
		gc_cli_err("%s: no .jpg files in the folder itself, and "
		    "--no-recursive leaves its %zu subfolder%s unread", top,
		    w->folders, w->folders == 1 ? "" : "s");
		return GC_EXIT_FAIL;
	}
	if (w->photos == 0) {
		gc_cli_err("%s: no .jpg files%s (name them <ID number>.jpg or "
		    "<学号>.jpg)", top, w->recursive ? " in it or its "
		    "subfolders" : "");
		return GC_EXIT_FAIL;
	}
	qsort(w->v, w->n, sizeof(*w->v), shoot_cmp);
	return GC_EXIT_OK;
}

/* A file or folder not imported: named with why (text mode: not the
 * hidden ones, which the summary counts). */
static void
print_skip(const struct shoot *s, bool json, struct gc_buf *jb, bool first)
{
	if (json) {
		gc_buf_puts(jb, first ? "{\"source\":" : ",{\"source\":");
		gc_json_str(jb, s->rel);
		gc_buf_puts(jb, ",\"stored\":false,\"skipped\":");
		gc_json_str(jb, s->skip);
		gc_buf_printf(jb, ",\"hidden\":%s}", s->hidden ? "true" :
		    "false");
	} else if (!s->hidden) {
		printf("%s: skipped: %s\n", s->rel, s->skip);
	}
}

/* Checks and stores the photo top/s->rel for the student its base name
 * gives. Returns GC_EXIT_OK (o->stored says whether it was stored) or
 * GC_EXIT_FAIL on an operational error, written. */
static int
import_one(struct gc_node *n, gc_pipeline *pl, const struct gc_profile *p,
    const struct gc_session_rec *sess, const char *top,
    const struct shoot *s, bool again, struct gc_capture_out *o)
{
	struct gc_capture_req r;
	char                  ref[256], why[256];
	const char           *base = strrchr(s->rel, '/');
	char                 *path = shoot_join(top, s->rel);
	struct gc_diag        d;
	gc_err                rv;
	int                   ex = GC_EXIT_OK;

	snprintf(ref, sizeof(ref), "%s", base != NULL ? base + 1 : s->rel);
	if (strrchr(ref, '.') != NULL) {
		*strrchr(ref, '.') = '\0';
	}
	memset(&r, 0, sizeof(r));
	r.student_ref = ref;
	r.bind        = GC_BIND_FILENAME;
	r.camera      = "import";
	r.again       = again;
	r.source      = s->rel;
	r.photo = gc_file_read(path, PHOTO_MAX, &r.photo_len, why, sizeof(why));
	gc_diag_clear(&d);
	if (r.photo == NULL) {
		snprintf(o->why, sizeof(o->why), "cannot read: %s", why);
	} else {
		rv = capture_one(n, pl, p, sess, &r, o, &d);
		if (rv != GC_OK) {
			gc_cli_err("%s: %s", s->rel, gc_diag_msg(&d, rv));
			ex = GC_EXIT_FAIL;
		}
	}
	gc_free((void *)r.photo);
	gc_free(path);
	return ex;
}

int
gc_cmd_import_shoots(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "kind", required_argument, NULL, 'k' },
		{ "again", no_argument, NULL, 'a' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "no-recursive", no_argument, NULL, 'R' },
		{ "profile", required_argument, NULL, 'p' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char           *home = NULL, *profile = NULL, *passfile = NULL;
	const char           *top;
	int                   kind = -1, c, ex;
	bool                  json = false, again = false, opened_here = false;
	struct gc_node        n;
	struct gc_session_rec sess;
	struct gc_profile     p;
	gc_pipeline          *pl = NULL;
	struct shoot_walk     w;
	size_t                stored = 0, refused = 0;
	struct gc_buf         jb;
	char                  loc[160];

	memset(&w, 0, sizeof(w));
	w.recursive = true;
	optind      = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'k':
			kind = gc_session_kind_parse(optarg);
			if (kind != GC_SESSION_INDIVIDUAL &&
			    kind != GC_SESSION_MAKEUP && kind != GC_SESSION_ONLINE) {
				gc_cli_err("--kind %s: use individual, makeup or "
				    "online", optarg);
				return GC_EXIT_USAGE;
			}
			break;
		case 'a':
			again = true;
			break;
		case 'r':
			w.recursive = true;
			break;
		case 'R':
			w.recursive = false;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, import_usage);
		}
	}
	if (optind + 1 != argc || kind < 0) {
		fputs(import_usage, stderr);
		return GC_EXIT_USAGE;
	}
	top = argv[optind];
	/* the whole tree first: nothing is stored from a folder that cannot
	 * be read through */
	ex = shoot_walk(&w, top);
	if (ex != GC_EXIT_OK) {
		shoot_walk_release(&w);
		return ex;
	}
	ex = gc_node_open(&n, home, GC_NODE_KEY, passfile);
	if (ex != GC_EXIT_OK) {
		shoot_walk_release(&w);
		return ex;
	}
	ex = open_pipeline(&n, profile, &p, &pl);
	/* the import is a session of its own kind; a session the operator
	 * left open is never touched */
	if (ex == GC_EXIT_OK) {
		snprintf(loc, sizeof(loc), "import of %.140s", top);
		ex = session_open(&n, kind, loc, NULL, true);
		opened_here = ex == GC_EXIT_OK;
	}
	if (ex == GC_EXIT_OK &&
	    gc_ledger_session_current(n.lg, n.info.self, &sess) != GC_OK) {
		ex = GC_EXIT_FAIL;
	}
	gc_buf_init(&jb);
	if (json) {
		gc_buf_putc(&jb, '[');
	}
	for (size_t i = 0; ex == GC_EXIT_OK && i < w.n; i++) {
		struct gc_capture_out o;

		if (w.v[i].skip != NULL) {
			print_skip(&w.v[i], json, &jb, i == 0);
			continue;
		}
		memset(&o, 0, sizeof(o));
		gc_pipeline_result_init(&o.res);
		ex = import_one(&n, pl, &p, &sess, top, &w.v[i], again, &o);
		if (o.stored) {
			stored++;
		} else {
			refused++;
		}
		print_capture(&o, w.v[i].rel, json, &jb, i == 0);
		gc_pipeline_result_release(&o.res);
	}
	if (opened_here) {
		session_close(&n, true);
	}
	if (json) {
		gc_buf_putc(&jb, ']');
		gc_cli_print(&jb);
	} else if (ex == GC_EXIT_OK) {
		printf("%s: %zu photos: %zu stored, %zu refused; %zu files "
		       "skipped", top, w.photos, stored, refused, w.skipped);
		if (w.hidden > 0) {
			printf(", %zu hidden ignored", w.hidden);
		}
		putchar('\n');
	}
	gc_buf_release(&jb);
	gc_pipeline_close(pl);
	gc_node_close(&n);
	if (ex == GC_EXIT_OK && (refused > 0 || w.skipped > 0)) {
		ex = GC_EXIT_REJECTED;
	}
	shoot_walk_release(&w);
	return ex;
}
