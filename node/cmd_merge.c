/* The merged view and the decisions on captures:
 *   gradcap missing [--class C] [--csv]
 *   gradcap conflicts [--json]
 *   gradcap review approve|reject CAPTURE [--reason TEXT] [--preset N]
 *   (gradcap review list: node/cmd_review.c)
 *   gradcap void CAPTURE --reason TEXT
 *   gradcap resolve STUDENT CAPTURE --reason TEXT      (coordinator)
 * and the merge part of `gradcap status` (gc_merge_report). The makeup
 * list and the counts are the views at now of node/review_queue.h (a
 * rejected online student past its window shows as MISSING). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/cbor.h"
#include "common/entry.h"
#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "common/rosterdb.h"
#include "node/cli.h"
#include "node/merge_view.h"
#include "node/node.h"
#include "node/review_queue.h"
#include "node/syncnode.h"
#include "sync/merge.h"

gc_err
gc_merge_node(struct gc_node *n, struct gc_merge **out, struct gc_diag *d)
{
	return gc_merge_node_cut(n, NULL, 0, out, d);
}

gc_err
gc_merge_opts_node(struct gc_node *n, struct gc_merge_opts *o,
    uint8_t rank[GC_SESSION_KIND_END], struct gc_diag *d)
{
	const char *prec = gc_config_get(n->cfg, "merge", "precedence", NULL);

	memset(o, 0, sizeof(*o));
	if (prec != NULL && !gc_merge_rank_parse(prec, rank)) {
		gc_diag_set(d, "gradcap.ini [merge] precedence = %s: list the "
		    "four session kinds central, makeup, individual, online "
		    "in order", prec);
		return GC_EINVAL;
	}
	o->rank                   = prec != NULL ? rank : NULL;
	o->foreign_blobs_optional = gc_syncnode_blobs(n) == GC_SYNC_BLOBS_OWN;
	return GC_OK;
}

gc_err
gc_merge_node_cut(struct gc_node *n, const struct gc_merge_cut *cut,
    size_t ncut, struct gc_merge **out, struct gc_diag *d)
{
	uint8_t              rank[GC_SESSION_KIND_END];
	struct gc_merge_opts o;
	gc_err               rv = gc_merge_opts_node(n, &o, rank, d);

	*out = NULL;
	if (rv != GC_OK) {
		return rv;
	}
	o.cut  = cut;
	o.ncut = ncut;
	/* everything held: the merge the ledger keeps, when kept with these
	 * parameters (one read transaction); else computed from entries */
	if (cut == NULL &&
	    gc_ledger_merge_load(n->lg, o.rank, o.foreign_blobs_optional,
	        out) == GC_OK) {
		return GC_OK;
	}
	return gc_merge_compute(n->lg, &o, out, d);
}

/* ---- site names ---- */

int
gc_names_cb(const struct gc_enrollment *e, void *arg)
{
	struct gc_names *nm = arg;

	nm->pk   = realloc(nm->pk, (nm->n + 1) * 32);
	nm->name = realloc(nm->name, (nm->n + 1) * GC_NAME_MAX);
	if (nm->pk == NULL || nm->name == NULL) {
		abort(); /* a few hundred names at most */
	}
	memcpy(nm->pk[nm->n], e->pk, 32);
	snprintf(nm->name[nm->n], GC_NAME_MAX, "%s", e->name);
	nm->n++;
	return 0;
}

const char *
gc_name_of(const struct gc_names *nm, const uint8_t pk[32])
{
	for (size_t i = 0; i < nm->n; i++) {
		if (memcmp(nm->pk[i], pk, 32) == 0) {
			return nm->name[i];
		}
	}
	return "?";
}

void
gc_names_free(struct gc_names *nm)
{
	free(nm->pk);
	free(nm->name);
}

/* ---- status ---- */

struct tally {
	char   key[GC_NAME_MAX];
	size_t c[GC_MS_END];
};

static struct tally *
tally_get(struct tally **t, size_t *n, const char *key)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*t)[i].key, key) == 0) {
			return &(*t)[i];
		}
	}
	*t = realloc(*t, (*n + 1) * sizeof(**t));
	if (*t == NULL) {
		abort();
	}
	memset(&(*t)[*n], 0, sizeof(**t));
	snprintf((*t)[*n].key, sizeof((*t)[*n].key), "%s", key);
	return &(*t)[(*n)++];
}

static int
st_by_class(const void *a, const void *b)
{
	const struct gc_mstudent *const *x = a, *const *y = b;

	return strcmp((*x)->klass, (*y)->klass);
}

static void
counts_json(struct gc_buf *b, const size_t *c)
{
	gc_buf_puts(b, "{");
	for (int s = 0; s < GC_MS_END; s++) {
		gc_buf_printf(b, "%s\"%s\":%zu", s ? "," : "",
		    gc_mstatus_name((enum gc_mstatus)s), c[s]);
	}
	gc_buf_puts(b, "}");
}

static void
tallies_json(struct gc_buf *b, const struct tally *t, size_t n)
{
	gc_buf_puts(b, "{");
	for (size_t i = 0; i < n; i++) {
		gc_buf_puts(b, i ? "," : "");
		gc_json_str(b, t[i].key);
		gc_buf_puts(b, ":");
		counts_json(b, t[i].c);
	}
	gc_buf_puts(b, "}");
}

gc_err
gc_merge_report(struct gc_node *n, const char *klass, const char *site,
    bool json, struct gc_buf *b, struct gc_diag *d)
{
	struct gc_review_queue q;
	struct gc_merge       *m;
	struct gc_names  nm = { NULL, NULL, 0 };
	struct tally    *bc = NULL, *bs = NULL;
	size_t           nbc = 0, nbs = 0, c[GC_MS_END] = { 0 }, total = 0;
	size_t           ncls = 0, waiting = 0, late = 0, retake_late = 0;
	const struct gc_mstudent **byclass;
	enum gc_mstatus *view;
	char             root[65];
	gc_err           rv;

	rv = gc_review_queue_load(n, &q, d);
	if (rv != GC_OK) {
		gc_review_queue_release(&q);
		return rv;
	}
	m       = q.m;
	byclass = malloc(sizeof(*byclass) * (m->nst > 0 ? m->nst : 1));
	view    = malloc(sizeof(*view) * (m->nst > 0 ? m->nst : 1));
	if (byclass == NULL || view == NULL) {
		free(byclass);
		free(view);
		gc_review_queue_release(&q);
		return GC_ENOMEM;
	}
	gc_ledger_enrollments(n->lg, gc_names_cb, &nm);
	for (size_t i = 0; i < m->nst; i++) {
		const struct gc_mstudent *s = &m->st[i];
		const char *sn = s->winner >= 0 ?
		    gc_name_of(&nm, m->cap[s->winner].feed) : "-";

		/* the view's status: past the resubmission window counts
		 * as MISSING (the leaf stays NEEDS_RETAKE) */
		view[i] = gc_review_window_status(m, s, &q.cfg, q.now_ms);
		if ((klass != NULL && strcmp(s->klass, klass) != 0) ||
		    (site != NULL && strcmp(sn, site) != 0)) {
			continue;
		}
		c[view[i]]++;
		retake_late += view[i] != s->status;
		total++;
		tally_get(&bs, &nbs, sn)->c[view[i]]++; /* sites: a few */
		byclass[ncls++] = s;
	}
	/* classes: thousands; sorted, then counted in one pass */
	qsort(byclass, ncls, sizeof(*byclass), st_by_class);
	for (size_t i = 0; i < ncls; i++) {
		const char *k = byclass[i]->klass[0] ? byclass[i]->klass : "-";

		if (nbc == 0 || strcmp(bc[nbc - 1].key, k) != 0) {
			tally_get(&bc, &nbc, k); /* appends: k is new */
		}
		bc[nbc - 1].c[view[byclass[i] - m->st]]++;
	}
	free(byclass);
	free(view);
	/* the review queue, of the same class and site (the capture's) */
	for (size_t i = 0; i < q.n; i++) {
		const struct gc_mcap *cp = q.item[i].cap;

		if ((klass != NULL && strcmp(m->st[cp->st].klass, klass) != 0) ||
		    (site != NULL &&
		    strcmp(gc_name_of(&nm, cp->feed), site) != 0)) {
			continue;
		}
		waiting++;
		late += q.item[i].overdue;
	}
	gc_hex_encode(root, m->root, 32);
	if (json) {
		gc_buf_printf(b, "{\"digest\":\"%s\",\"students\":%zu,"
		    "\"counted\":%zu,\"counts\":", root, m->nst, total);
		counts_json(b, c);
		gc_buf_printf(b, ",\"retake_overdue\":%zu,\"review\":{"
		    "\"waiting\":%zu,\"overdue\":%zu,\"review_hours\":%u,"
		    "\"retake_hours\":%u}", retake_late, waiting, late,
		    q.cfg.review_hours, q.cfg.retake_hours);
		gc_buf_printf(b, ",\"unmatched\":%zu,\"alerts\":%zu,"
		    "\"by_class\":", m->unmatched, m->nalert);
		tallies_json(b, bc, nbc);
		gc_buf_puts(b, ",\"by_site\":");
		tallies_json(b, bs, nbs);
		gc_buf_puts(b, "}");
	} else {
		gc_buf_printf(b, "merge       %zu students%s%s%s%s%s: ", total,
		    klass ? ", class " : "", klass ? klass : "",
		    site ? ", site " : "", site ? site : "",
		    total != m->nst ? " (filtered)" : "");
		for (int s = 0; s < GC_MS_END; s++) {
			gc_buf_printf(b, "%s%s %zu", s ? ", " : "",
			    gc_mstatus_name((enum gc_mstatus)s), c[s]);
		}
		if (retake_late > 0) {
			gc_buf_printf(b, "\n            MISSING includes %zu "
			    "rejected online student(s) past the %u h "
			    "resubmission window (逾期未重新提交)", retake_late,
			    q.cfg.retake_hours);
		}
		gc_buf_printf(b, "\nreview      %zu captures wait for review, "
		    "%zu of them online past the %u h deadline ('gradcap "
		    "review list')", waiting, late, q.cfg.review_hours);
		gc_buf_printf(b, "\n            %zu captures of students not on "
		    "the roster, %zu alerts ('gradcap conflicts')\n"
		    "digest      %s (Merkle root of the authoritative set)\n",
		    m->unmatched, m->nalert, root);
		if (nbs > 0) {
			gc_buf_puts(b, "by site:\n");
			for (size_t i = 0; i < nbs; i++) {
				gc_buf_printf(b, "  %-20s", bs[i].key);
				for (int s = 0; s < GC_MS_END; s++) {
					gc_buf_printf(b, " %s %zu",
					    gc_mstatus_name((enum gc_mstatus)s),
					    bs[i].c[s]);
				}
				gc_buf_puts(b, "\n");
			}
		}
	}
	free(bc);
	free(bs);
	gc_names_free(&nm);
	gc_review_queue_release(&q);
	return GC_OK;
}

/* ---- missing ---- */

static const char missing_usage[] =
    "usage: gradcap missing [--home DIR] [--class C] [--csv] "
    "[--sort roster|id]\n"
    "Who still needs a photo (MISSING or NEEDS_RETAKE): the makeup list,\n"
    "in roster order (the school file's row order), or by student key.\n";

/* Why a NEEDS_RETAKE student was rejected: the reason of the latest
 * rejecting review among its captures; "" when none is held. */
void
gc_merge_reject_reason(struct gc_node *n, const struct gc_merge *m,
    const struct gc_mstudent *s, char *out, size_t cap)
{
	const struct gc_mcap *last = NULL;

	out[0] = '\0';
	for (uint32_t c = s->first; c < s->first + s->ncap; c++) {
		const struct gc_mcap *cp = &m->cap[c];

		if (cp->review == GC_REVIEW_REJECT && !cp->voided &&
		    (last == NULL || cp->rv_hlc > last->rv_hlc)) {
			last = cp;
		}
	}
	if (last != NULL) {
		gc_merge_review_reason(n, last, out, cap);
	}
}

void
gc_merge_review_reason(struct gc_node *n, const struct gc_mcap *c,
    char *out, size_t cap)
{
	char                 hex[65];
	uint8_t             *bytes;
	size_t               len;
	struct gc_entry      e;
	struct gc_review_rec r;

	out[0] = '\0';
	if (c->review < 0) {
		return;
	}
	gc_hex_encode(hex, c->rv_id, 32);
	if (gc_ledger_get(n->lg, hex, &bytes, &len, NULL) == GC_OK) {
		if (gc_entry_parse(&e, bytes, len, NULL) == GC_OK &&
		    gc_review_decode(e.body, e.body_len, &r) == GC_OK) {
			snprintf(out, cap, "%s", r.reason);
		}
		gc_free(bytes);
	}
}

int
gc_cmd_missing(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "class", required_argument, NULL, 'c' },
		{ "csv", no_argument, NULL, 'C' },
		{ "sort", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char      *home = NULL, *klass = NULL;
	bool             csv  = false, by_id = false;
	size_t          *ix   = NULL;
	struct gc_node   n;
	struct gc_merge *m;
	struct gc_diag   d;
	struct gc_buf    b;
	size_t           count = 0;
	int              c, ex;
	struct gc_online_cfg cfg;
	uint64_t             now;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'c':
			klass = optarg;
			break;
		case 'C':
			csv = true;
			break;
		case 'S':
			if (strcmp(optarg, "id") == 0) {
				by_id = true;
			} else if (strcmp(optarg, "roster") != 0) {
				gc_cli_err("--sort %s: use roster or id", optarg);
				return GC_EXIT_USAGE;
			}
			break;
		default:
			return gc_cli_help_or_usage(c, argv, missing_usage);
		}
	}
	if (optind != argc) {
		fputs(missing_usage, stderr);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_diag_clear(&d);
	if (gc_online_cfg_load(n.cfg, &cfg, &d) != GC_OK ||
	    gc_merge_node(&n, &m, &d) != GC_OK) {
		gc_cli_err("%s", d.msg);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	now = gc_review_window_now_ms();
	gc_buf_init(&b);
	if (csv) {
		gc_buf_put(&b, "\xef\xbb\xbf", 3); /* Excel reads UTF-8 with BOM */
		gc_buf_puts(&b, "学号,姓名,证件号码,班级,状态,驳回理由\r\n");
	}
	ix = by_id ? NULL : gc_merge_roster_order(m);
	for (size_t k = 0; k < m->nst; k++) {
		const struct gc_mstudent *s = &m->st[ix != NULL ? ix[k] : k];
		struct gc_row             row;
		char                      why[320];
		char                      masked[96];
		enum gc_mstatus           vs;

		if ((s->status != GC_MS_MISSING &&
		    s->status != GC_MS_NEEDS_RETAKE) ||
		    (klass != NULL && strcmp(s->klass, klass) != 0)) {
			continue;
		}
		gc_row_of(n.lg, s->key, &row);
		count++;
		/* past its resubmission window: MISSING, 逾期未重新提交 */
		vs = gc_missing_view(&n, m, s, &cfg, now, why, sizeof(why));
		if (csv) {
			gc_csv_cell(&b, row.v[GC_ROW_STUDENT_NO], false);
			gc_csv_cell(&b, row.v[GC_ROW_NAME], false);
			gc_csv_cell(&b, row.v[GC_ROW_ID_NUMBER], false);
			gc_csv_cell(&b, row.v[GC_ROW_CLASS], false);
			gc_csv_cell(&b, vs == GC_MS_MISSING ? "未拍摄" : "需重拍",
			    false);
			gc_csv_cell(&b, why, true);
		} else {
			/* a screen: the ID masked (the CSV, for the office's
			 * own files, keeps it whole) */
			gc_idnum_mask(masked, sizeof(masked),
			    row.v[GC_ROW_ID_NUMBER]);
			gc_buf_printf(&b, "%-12s %-10s %-20s %-16s %s%s%s\n",
			    row.v[GC_ROW_STUDENT_NO], row.v[GC_ROW_NAME],
			    masked, row.v[GC_ROW_CLASS],
			    gc_mstatus_name(vs), why[0] ? ": " : "", why);
		}
	}
	ex = gc_cli_write(&b);
	if (!csv) {
		fprintf(stderr, "%zu students still need a photo%s%s\n", count,
		    klass ? " in class " : "", klass ? klass : "");
	}
	gc_buf_release(&b);
	gc_free(ix);
	gc_merge_free(m);
	gc_node_close(&n);
	return ex;
}

/* ---- conflicts ---- */

gc_err
gc_conflicts_report(struct gc_node *n, bool json, struct gc_buf *b,
    struct gc_diag *d)
{
	struct gc_merge *m;
	struct gc_names  nm = { NULL, NULL, 0 };
	size_t           k = 0;
	char             hex[65];
	gc_err           rv = gc_merge_node(n, &m, d);

	if (rv != GC_OK) {
		return rv;
	}
	gc_ledger_enrollments(n->lg, gc_names_cb, &nm);
	gc_buf_puts(b, json ? "{\"conflicts\":[" : "");
	for (size_t i = 0; i < m->nst; i++) {
		const struct gc_mstudent *s = &m->st[i];
		size_t                    j = 0;

		if (s->status != GC_MS_CONFLICT) {
			continue;
		}
		if (json) {
			gc_buf_puts(b, k ? "," : "");
			gc_buf_puts(b, "{\"student\":");
			gc_json_str(b, s->key);
			gc_buf_puts(b, ",\"captures\":[");
		} else {
			gc_buf_printf(b, "CONFLICT %s:\n", s->key);
		}
		k++;
		for (uint32_t c = s->first; c < s->first + s->ncap; c++) {
			const struct gc_mcap *cap = &m->cap[c];

			if (cap->voided || !cap->blob ||
			    cap->review == GC_REVIEW_REJECT) {
				continue;
			}
			gc_hex_encode(hex, cap->id, 32);
			if (json) {
				gc_buf_puts(b, j++ ? "," : "");
				gc_buf_printf(b, "{\"capture\":\"%s\",\"site\":",
				    hex);
				gc_json_str(b, gc_name_of(&nm, cap->feed));
				gc_buf_printf(b, ",\"session_kind\":\"%s\","
				    "\"approved\":%s,\"provisional\":%s}",
				    gc_session_kind_name(
				        (enum gc_session_kind)cap->kind),
				    cap->review == GC_REVIEW_APPROVE ? "true" :
				                                       "false",
				    (int32_t)c == s->winner ? "true" : "false");
			} else {
				gc_buf_printf(b, "  %.16s  %-12s %-10s%s%s\n",
				    hex, gc_name_of(&nm, cap->feed),
				    gc_session_kind_name(
				        (enum gc_session_kind)cap->kind),
				    cap->review == GC_REVIEW_APPROVE ?
				        "  approved" : "",
				    (int32_t)c == s->winner ?
				        "  (provisional pick)" : "");
			}
		}
		gc_buf_puts(b, json ? "]}" : "");
	}
	gc_buf_puts(b, json ? "],\"alerts\":[" : "");
	for (size_t i = 0; i < m->nalert; i++) {
		const struct gc_malert *a = &m->alert[i];
		char                    ca[65], cb[65];

		gc_hex_encode(hex, a->hash, 32);
		gc_hex_encode(ca, a->cap_a, 32);
		gc_hex_encode(cb, a->cap_b, 32);
		if (json) {
			gc_buf_printf(b, "%s{\"kind\":\"%s\",\"hash\":\"%s\","
			    "\"students\":[", i ? "," : "",
			    a->kind == GC_ALERT_PHOTO ? "photo" : "code", hex);
			gc_json_str(b, a->a);
			gc_buf_puts(b, ",");
			gc_json_str(b, a->b);
			gc_buf_printf(b, "],\"captures\":[\"%s\",\"%s\"]}", ca,
			    cb);
		} else {
			gc_buf_printf(b, "ALERT one %s bound to %s (capture "
			    "%.16s) and %s (capture %.16s) (hash %.16s)\n",
			    a->kind == GC_ALERT_PHOTO ? "photo" : "capture code",
			    a->a, ca, a->b, cb, hex);
		}
	}
	if (json) {
		gc_buf_printf(b, "],\"unmatched\":%zu}", m->unmatched);
	} else if (k == 0 && m->nalert == 0) {
		gc_buf_puts(b, "no conflicts, no alerts\n");
	}
	gc_names_free(&nm);
	gc_merge_free(m);
	return GC_OK;
}

int
gc_cmd_conflicts(int argc, char **argv)
{
	const char    *home = NULL;
	bool           json = false;
	struct gc_node n;
	struct gc_diag d;
	struct gc_buf  b;
	int            ex;
	gc_err         rv;

	ex = gc_cli_simple_opts(argc, argv,
	    "usage: gradcap conflicts [--home DIR] [--json]\n"
	    "Students with several photos (resolve with 'gradcap resolve'),\n"
	    "and alerts: one photo or one capture code for two students.\n",
	    &home, &json);
	if (ex >= 0) {
		return ex;
	}
	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_diag_clear(&d);
	gc_buf_init(&b);
	rv = gc_conflicts_report(&n, json, &b, &d);
	if (rv != GC_OK) {
		gc_cli_err("%s", gc_diag_msg(&d, rv));
		ex = GC_EXIT_FAIL;
	} else {
		ex = json ? gc_cli_print(&b) : gc_cli_write(&b);
	}
	gc_buf_release(&b);
	gc_node_close(&n);
	return ex;
}

/* ---- decisions ---- */

gc_err
gc_capture_lookup(struct gc_node *n, const char *ref, struct gc_capture_ref *out,
    struct gc_diag *d)
{
	struct gc_entry        e;
	struct gc_capture_rec *c;
	uint8_t               *bytes;
	size_t                 len;
	gc_err                 rv;

	if (strlen(ref) < 8) {
		gc_diag_set(d, "give 8 or more hex digits of its entry id");
		return GC_EINVAL;
	}
	rv = gc_ledger_get(n->lg, ref, &bytes, &len, d);
	if (rv != GC_OK) {
		return rv;
	}
	c  = gc_alloc(sizeof(*c));
	rv = c == NULL ? GC_ENOMEM : gc_entry_parse(&e, bytes, len, NULL);
	if (rv == GC_OK && e.kind != GC_KIND_CAPTURE) {
		gc_diag_set(d, "it is a %s entry, not a CAPTURE",
		    gc_kind_name(e.kind));
		rv = GC_ENOTFOUND;
	} else if (rv == GC_OK) {
		rv = gc_capture_decode(e.body, e.body_len, c);
		if (rv == GC_OK) {
			memcpy(out->id, e.id, 32);
			memcpy(out->feed, e.feed, 32);
			memcpy(out->photo, c->photo, 32);
			snprintf(out->student, sizeof(out->student), "%s",
			    c->student);
		} else {
			gc_diag_set(d, "its CAPTURE does not decode");
		}
	}
	gc_free(c);
	gc_free(bytes);
	return rv;
}

/* gc_capture_lookup for the CLI: the error printed, an exit code. */
static int
capture_ref(struct gc_node *n, const char *ref, uint8_t id[32],
    uint8_t feed[32], char student[80])
{
	struct gc_capture_ref cr;
	struct gc_diag        d;
	gc_err                rv;

	gc_diag_clear(&d);
	rv = gc_capture_lookup(n, ref, &cr, &d);
	if (rv != GC_OK) {
		gc_cli_err("capture %s: %s", ref, gc_diag_msg(&d, rv));
		return rv == GC_EINVAL ? GC_EXIT_USAGE : GC_EXIT_FAIL;
	}
	memcpy(id, cr.id, 32);
	memcpy(feed, cr.feed, 32);
	snprintf(student, 80, "%s", cr.student);
	return GC_EXIT_OK;
}

static const char decide_usage[] =
    "usage: gradcap review list [--json]   (waiting for review, oldest "
    "first)\n"
    "       gradcap review approve|reject CAPTURE [--reason TEXT] "
    "[--preset N]\n"
    "       gradcap void CAPTURE --reason TEXT\n"
    "       gradcap resolve STUDENT CAPTURE --reason TEXT   (coordinator)\n"
    "  CAPTURE  an entry id, or 8 or more hex digits of one\n"
    "  STUDENT  an ID number, 学号 or 考生号 unique in the roster\n"
    "  N        a preset reason, 1-based ([online] reject_reasons; "
    "'review list'\n"
    "           shows them); with --reason, the text is added to it\n"
    "  [--home DIR] [--passphrase-file F] on each\n";

/* The shared start of review, void and resolve: --home, --reason,
 * --passphrase-file, and --preset when preset is not NULL (else refused);
 * nops operands after the first optind (at *ops); --reason required when
 * need_reason; the node opened with its key. Returns -1 to go on (n
 * open), else the exit code. */
static int
decide_start(int argc, char **argv, int nops, bool need_reason,
    struct gc_node *n, const char **reason, const char **preset, char ***ops)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "reason", required_argument, NULL, 'r' },
		{ "preset", required_argument, NULL, 'p' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *passfile = NULL;
	int         c, ex;

	*reason = "";
	if (preset != NULL) {
		*preset = NULL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'r':
			*reason = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		case 'p':
			if (preset == NULL) {
				gc_cli_err("--preset: only 'review reject' "
				    "takes a preset reason");
				return GC_EXIT_USAGE;
			}
			*preset = optarg;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, decide_usage);
		}
	}
	if (optind + nops != argc || (need_reason && (*reason)[0] == '\0')) {
		fputs(decide_usage, stderr);
		return GC_EXIT_USAGE;
	}
	*ops = argv + optind;
	ex   = gc_node_open(n, home, GC_NODE_KEY, passfile);
	return ex == GC_EXIT_OK ? -1 : ex;
}

/* Encodes a decision with enc and appends it as kind, naming what. */
static int
append(struct gc_node *n, unsigned kind, const char *what,
    void (*enc)(struct gc_buf *, const void *), const void *rec)
{
	struct gc_diag d;
	struct gc_buf  body;
	uint8_t        id[32];
	char           hex[65];
	gc_err         rv;

	gc_diag_clear(&d);
	gc_buf_init(&body);
	enc(&body, rec);
	rv = gc_ledger_append_body(n->lg, kind, &body, id, &d);
	gc_buf_release(&body);
	if (rv != GC_OK) {
		gc_cli_err("%s: %s", what, gc_diag_msg(&d, rv));
		return GC_EXIT_FAIL;
	}
	gc_hex_encode(hex, id, 32);
	printf("%s: signed %s entry %s\n", what, gc_kind_name(kind), hex);
	return GC_EXIT_OK;
}

static void
enc_review(struct gc_buf *b, const void *r)
{
	gc_review_encode(b, r);
}

static void
enc_void(struct gc_buf *b, const void *v)
{
	gc_void_encode(b, v);
}

static void
enc_resolve(struct gc_buf *b, const void *r)
{
	gc_resolve_encode(b, r);
}

/* The reason of a rejection: preset N of [online] reject_reasons, with
 * the free text after it when both are given, into r->reason; the exit
 * code (the error printed). */
static int
preset_reason(struct gc_node *n, const char *preset, const char *text,
    struct gc_review_rec *r)
{
	struct gc_online_cfg cfg;
	struct gc_diag       d;
	char                *end;
	long                 k;

	gc_diag_clear(&d);
	if (gc_online_cfg_load(n->cfg, &cfg, &d) != GC_OK) {
		gc_cli_err("%s", d.msg);
		return GC_EXIT_FAIL;
	}
	k = strtol(preset, &end, 10);
	if (end == preset || *end != '\0' || k < 1 ||
	    (size_t)k > cfg.nreasons) {
		gc_cli_err("--preset %s: give a number from 1 to %zu "
		    "([online] reject_reasons; 'gradcap review list' shows "
		    "them)", preset, cfg.nreasons);
		return GC_EXIT_USAGE;
	}
	if (text[0] != '\0') {
		snprintf(r->reason, sizeof(r->reason), "%s：%s",
		    cfg.reasons[k - 1], text);
	} else {
		snprintf(r->reason, sizeof(r->reason), "%s",
		    cfg.reasons[k - 1]);
	}
	return GC_EXIT_OK;
}

int
gc_cmd_review(int argc, char **argv)
{
	const char          *reason, *preset;
	char               **ops;
	struct gc_node       n;
	struct gc_review_rec r;
	uint8_t              feed[32];
	char                 student[80];
	int                  ex;

	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		return gc_cmd_review_list(argc - 1, argv + 1);
	}
	ex = decide_start(argc, argv, 2, false, &n, &reason, &preset, &ops);
	if (ex >= 0) {
		return ex;
	}
	memset(&r, 0, sizeof(r));
	if (strcmp(ops[0], "approve") == 0) {
		r.decision = GC_REVIEW_APPROVE;
	} else if (strcmp(ops[0], "reject") == 0) {
		r.decision = GC_REVIEW_REJECT;
	} else {
		gc_node_close(&n);
		fputs(decide_usage, stderr);
		return GC_EXIT_USAGE;
	}
	if (preset != NULL && r.decision != GC_REVIEW_REJECT) {
		gc_node_close(&n);
		gc_cli_err("--preset %s: preset reasons are for 'review "
		    "reject'", preset);
		return GC_EXIT_USAGE;
	}
	if (r.decision == GC_REVIEW_REJECT && reason[0] == '\0' &&
	    preset == NULL) {
		gc_node_close(&n);
		gc_cli_err("a rejection needs --reason or --preset (the student "
		    "is told why)");
		return GC_EXIT_USAGE;
	}
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	ex = preset != NULL ? preset_reason(&n, preset, reason, &r) :
	                      GC_EXIT_OK;
	if (ex == GC_EXIT_OK) {
		ex = capture_ref(&n, ops[1], r.capture, feed, student);
	}
	if (ex == GC_EXIT_OK) {
		ex = append(&n, GC_KIND_REVIEW, student, enc_review, &r);
	}
	gc_node_close(&n);
	return ex;
}

int
gc_cmd_void(int argc, char **argv)
{
	const char        *reason;
	char             **ops;
	struct gc_node     n;
	struct gc_void_rec v;
	uint8_t            feed[32];
	char               student[80];
	int                ex;

	ex = decide_start(argc, argv, 1, true, &n, &reason, NULL, &ops);
	if (ex >= 0) {
		return ex;
	}
	memset(&v, 0, sizeof(v));
	snprintf(v.reason, sizeof(v.reason), "%s", reason);
	ex = capture_ref(&n, ops[0], v.capture, feed, student);
	if (ex == GC_EXIT_OK && n.info.role != GC_ROLE_COORDINATOR &&
	    memcmp(feed, n.info.self, 32) != 0) {
		gc_cli_err("a site voids only its own captures; this one was "
		    "taken elsewhere (ask the coordinator)");
		ex = GC_EXIT_FAIL;
	}
	if (ex == GC_EXIT_OK) {
		ex = append(&n, GC_KIND_VOID, student, enc_void, &v);
	}
	gc_node_close(&n);
	return ex;
}

int
gc_cmd_resolve(int argc, char **argv)
{
	const char           *reason;
	char                **ops;
	struct gc_node        n;
	struct gc_resolve_rec r;
	struct gc_diag        d;
	uint8_t               feed[32];
	char                  student[80], key[80];
	int                   ex;
	gc_err                rv;

	ex = decide_start(argc, argv, 2, true, &n, &reason, NULL, &ops);
	if (ex >= 0) {
		return ex;
	}
	if (n.info.role != GC_ROLE_COORDINATOR) {
		gc_cli_err("only the coordinator resolves conflicts; this node "
		    "is a %s", gc_role_name(n.info.role));
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_diag_clear(&d);
	rv = gc_ledger_student_find(n.lg, ops[0], key, &d);
	if (rv != GC_OK) {
		gc_cli_err("student %s: %s", ops[0], gc_diag_msg(&d, rv));
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	memset(&r, 0, sizeof(r));
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	snprintf(r.student, sizeof(r.student), "%s", key);
	ex = capture_ref(&n, ops[1], r.capture, feed, student);
	if (ex == GC_EXIT_OK && strcmp(student, key) != 0) {
		gc_cli_err("capture %s is of student %s, not %s", ops[1],
		    student, key);
		ex = GC_EXIT_FAIL;
	}
	if (ex == GC_EXIT_OK) {
		ex = append(&n, GC_KIND_RESOLVE, key, enc_resolve, &r);
	}
	gc_node_close(&n);
	return ex;
}
