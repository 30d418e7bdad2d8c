/* export_school: the school's package, `gradcap export --for school`
 * (docs/export.md), for the school's own systems and its 学籍科:
 *   photos/<学号>.jpg     every APPROVED student's photo, as captured (the
 *                        same bytes as the CHSI package's)
 *   roster.xlsx, roster.csv (UTF-8, BOM)   every student: 学校代码, 学号,
 *                        考生号, 姓名, ..., 状态, 采集方式, ..., 学生键,
 *                        学生确认 (the student's check of the photo)
 *   makeup.xlsx          the 补(散)拍 list: students who still need a photo
 *                        (with the reject reason) and those shot at a 补拍
 *                        or 散拍 session
 *   makeup-proofs.pdf    with [export] makeup_proof = yes: one 补(散)拍
 *                        proof per student who still needs a photo
 *   邮寄.csv              when any approved student gave a mailing address
 *                        for the paper prints (the portal's check, [online]
 *                        ask_address): 学号, 姓名, ..., the address
 *   checkpoint.note, MANIFEST, MANIFEST.minisig, minisign.pub
 * Its trusted comment starts "gradcap export-school", so it is never
 * taken for a CHSI package. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <xlsxwriter.h>

#include "common/buf.h"
#include "common/entry.h"
#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "common/records.h"
#include "common/rosterdb.h"
#include "node/cli.h"
#include "node/export.h"
#include "node/export_bundle.h"
#include "node/export_int.h"
#include "node/merge_view.h"
#include "node/node.h"
#include "node/proof_pdf.h"
#include "node/signin.h"
#include "sync/merge.h"

static const char *roster_cols[] = { "学校代码", "学号", "考生号", "姓名",
	"性别", "出生日期", "证件类型", "证件号码", "层次", "院系", "专业", "班级",
	"状态", "采集方式", "采集点", "拍摄时间", "采集码", "拍摄序号",
	"学生键", "学生确认" };
#define NROSTER (sizeof(roster_cols) / sizeof(roster_cols[0]))

static const char *makeup_cols[] = { "学号", "姓名", "性别", "证件类型",
	"证件号码", "层次", "院系", "专业", "班级", "状态", "采集方式", "采集点",
	"拍摄时间", "驳回理由" };
#define NMAKEUP (sizeof(makeup_cols) / sizeof(makeup_cols[0]))

/* 邮寄.csv: where the paper prints go (the students' own addresses) */
static const char *mail_cols[] = { "学号", "姓名", "层次", "院系", "班级",
	"收件人", "联系电话", "邮寄地址", "学生确认" };
#define NMAIL (sizeof(mail_cols) / sizeof(mail_cols[0]))

/* The school profile's settings for this package (gradcap.ini): [export]
 * makeup_proof (yes/no, default no), checked before anything is written;
 * [school] name (may be absent: the proof prints the code alone). */
static int
school_profile(struct gc_node *n, bool *proof, const char **name)
{
	const char *v = gc_config_get(n->cfg, "export", "makeup_proof", NULL);

	*name  = gc_config_get(n->cfg, "school", "name", "");
	*proof = false;
	if (v == NULL) {
		return GC_EXIT_OK;
	}
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0) {
		*proof = true;
	} else if (strcasecmp(v, "no") != 0 && strcasecmp(v, "false") != 0 &&
	    strcasecmp(v, "off") != 0 && strcmp(v, "0") != 0) {
		gc_cli_err("%s/gradcap.ini [export] makeup_proof = %s: give yes "
		    "or no", n->home, v);
		return GC_EXIT_FAIL;
	}
	if (*proof) {
		struct gc_diag d;

		gc_diag_clear(&d);
		if (gc_proof_pdf_ready(&d) != GC_OK) {
			gc_cli_err("[export] makeup_proof = yes: %s", d.msg);
			return GC_EXIT_FAIL;
		}
	}
	return GC_EXIT_OK;
}

/* 拍摄序号 of cap (CAPTURE field 14) as a cell: "" when none or the entry
 * is not held. */
static void
capture_seq(struct gc_node *n, const struct gc_mcap *cap, char *out,
    size_t len)
{
	char                  hex[65];
	uint8_t              *bytes;
	size_t                blen;
	struct gc_entry       e;
	struct gc_capture_rec c;

	out[0] = '\0';
	gc_hex_encode(hex, cap->id, 32);
	if (gc_ledger_get(n->lg, hex, &bytes, &blen, NULL) != GC_OK) {
		return;
	}
	if (gc_entry_parse(&e, bytes, blen, NULL) == GC_OK &&
	    gc_capture_decode(e.body, e.body_len, &c) == GC_OK && c.seq > 0) {
		snprintf(out, len, "%u", (unsigned)c.seq);
	}
	gc_free(bytes);
}


/* A new workbook at dir/rel with one sheet headed by cols; NULL said. */
static lxw_workbook *
sheet_open(const char *dir, const char *rel, const char *title,
    const char *const *cols, size_t n, lxw_worksheet **ws)
{
	char          path[4300];
	lxw_workbook *wb;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	wb  = workbook_new(path);
	*ws = wb != NULL ? workbook_add_worksheet(wb, title) : NULL;
	if (*ws == NULL) {
		gc_cli_err("%s: cannot start the workbook", path);
		if (wb != NULL) {
			workbook_close(wb);
		}
		return NULL;
	}
	gc__export_row(NULL, *ws, 0, cols, n);
	return wb;
}

/* Closes wb and records it in the bundle; -1 said. */
static int
sheet_close(lxw_workbook *wb, struct gc_bundle *bd, const char *rel)
{
	if (workbook_close(wb) != LXW_NO_ERROR) {
		gc_cli_err("%s/%s: cannot write", bd->dir, rel);
		return -1;
	}
	return gc_bundle_add(bd, rel);
}

/* What the package is writing. */
struct school {
	struct gc_node   *np;
	struct gc__export x;
	struct gc_bundle  bd;
	struct gc_names   nm;
	struct gc_buf     csv, mail;
	lxw_workbook     *rwb, *mwb;
	lxw_worksheet    *rws, *mws;
	gc_proof_pdf     *pdf;
	size_t            nrow, nmakeup, nphotos, nproofs, nunheld, nmail;
};

/* The 邮寄.csv row of an approved student whose latest check gave a
 * mailing address. */
static void
school_mail(struct school *sc, size_t i, const struct gc_row *row)
{
	const struct gc_mstudent   *s = &sc->x.m->st[i];
	const struct gc_check_item *it;
	struct gc_student_check     c;

	if (s->status != GC_MS_APPROVED || sc->x.sc.blocked[i]) {
		return;
	}
	it = gc_checks_find(&sc->x.ck, s->key);
	if (it == NULL || !it->has_addr ||
	    gc_checks_get(sc->np->lg, it, &c) != GC_OK) {
		return;
	}
	if (sc->nmail++ == 0) {
		gc_buf_put(&sc->mail, "\xef\xbb\xbf", 3);
		gc__export_row(&sc->mail, NULL, 0, mail_cols, NMAIL);
	}
	{
		const char *v[NMAIL] = { row->v[GC_ROW_STUDENT_NO],
			row->v[GC_ROW_NAME], row->v[GC_ROW_LEVEL],
			row->v[GC_ROW_DEPT], row->v[GC_ROW_CLASS], c.name, c.phone,
			c.addr, gc__export_check_cell(&sc->x, i) };

		gc__export_row(&sc->mail, NULL, 0, v, NMAIL);
	}
}

/* One student of the scope: its photo, its roster row, its makeup row
 * and its proof page. An exit code. */
static int
school_student(struct school *sc, size_t i)
{
	const struct gc_merge    *m = sc->x.m;
	const struct gc_mstudent *s = &m->st[i];
	const struct gc_mcap     *shot = NULL;
	struct gc_row             row;
	char                      when[32] = "", seq[16] = "", why[300] = "";
	char                      code[GC__CODE_CELL_MAX] = "";
	const char               *site = "", *kind = "", *status, *idtype;
	bool                      needs, listed;

	gc_row_of(sc->np->lg, s->key, &row);
	needs = s->status == GC_MS_MISSING || s->status == GC_MS_NEEDS_RETAKE;
	/* the shot shown: the exported photo's, or the one under review */
	if (s->winner >= 0 && !sc->x.sc.blocked[i] &&
	    (s->status == GC_MS_APPROVED || s->status == GC_MS_PENDING_REVIEW)) {
		shot = &m->cap[s->winner];
	}
	if (shot != NULL && s->status == GC_MS_APPROVED) {
		char     rel[200];
		size_t   len;
		uint8_t *photo = gc__export_photo(sc->np, s, shot, &len);
		int      rv;

		if (photo == NULL) {
			return GC_EXIT_FAIL;
		}
		snprintf(rel, sizeof(rel), "photos/%s.jpg",
		    row.v[GC_ROW_STUDENT_NO]);
		rv = gc_bundle_write(&sc->bd, rel, photo, len);
		gc_free(photo);
		if (rv != 0) {
			return GC_EXIT_FAIL;
		}
		sc->nphotos++;
	}
	if (shot != NULL) {
		gc__export_when(shot, when, sizeof(when));
		site = gc_name_of(&sc->nm, shot->feed);
		kind = gc_session_kind_zh((enum gc_session_kind)shot->kind);
		capture_seq(sc->np, shot, seq, sizeof(seq));
		if (!gc__export_code_cell(sc->np->lg, shot, code, sizeof(code))) {
			sc->nunheld++;
		}
	}
	status = sc->x.sc.blocked[i] ? "警示" : gc_signin_status_zh(s->status);
	idtype = gc_idnum_type_name(row.v[GC_ROW_ID_TYPE][0]);
	if (idtype == NULL || row.v[GC_ROW_ID_TYPE][1] != '\0') {
		idtype = row.v[GC_ROW_ID_TYPE];
	}
	{
		const char *v[NROSTER] = { sc->np->info.school,
			row.v[GC_ROW_STUDENT_NO], row.v[GC_ROW_EXAM_NO],
			row.v[GC_ROW_NAME], gc_roster_sex_zh(row.v[GC_ROW_SEX]),
			row.v[GC_ROW_BIRTH], idtype, row.v[GC_ROW_ID_NUMBER],
			row.v[GC_ROW_LEVEL], row.v[GC_ROW_DEPT],
			row.v[GC_ROW_MAJOR], row.v[GC_ROW_CLASS], status, kind,
			site, when, code, seq, s->key,
			gc__export_check_cell(&sc->x, i) };

		sc->nrow++;
		gc__export_row(&sc->csv, sc->rws, (uint32_t)sc->nrow, v,
		    NROSTER);
	}
	school_mail(sc, i, &row);
	if (s->status == GC_MS_NEEDS_RETAKE) {
		gc_merge_reject_reason(sc->np, m, s, why, sizeof(why));
	}
	listed = needs || (shot != NULL && (shot->kind == GC_SESSION_MAKEUP ||
	    shot->kind == GC_SESSION_INDIVIDUAL));
	if (listed) {
		const char *v[NMAKEUP] = { row.v[GC_ROW_STUDENT_NO],
			row.v[GC_ROW_NAME], gc_roster_sex_zh(row.v[GC_ROW_SEX]), idtype,
			row.v[GC_ROW_ID_NUMBER], row.v[GC_ROW_LEVEL],
			row.v[GC_ROW_DEPT], row.v[GC_ROW_MAJOR],
			row.v[GC_ROW_CLASS], status, kind, site, when, why };

		sc->nmakeup++;
		gc__export_row(NULL, sc->mws, (uint32_t)sc->nmakeup, v,
		    NMAKEUP);
	}
	if (needs && sc->pdf != NULL) {
		char                    reason[340];
		struct gc_proof_student ps = { row.v[GC_ROW_NAME],
			gc_roster_sex_zh(row.v[GC_ROW_SEX]), row.v[GC_ROW_STUDENT_NO],
			idtype, row.v[GC_ROW_ID_NUMBER], row.v[GC_ROW_LEVEL],
			row.v[GC_ROW_DEPT], row.v[GC_ROW_MAJOR],
			row.v[GC_ROW_CLASS], reason };
		struct gc_diag          d;

		if (s->status == GC_MS_MISSING) {
			snprintf(reason, sizeof(reason), "未参加集中拍摄");
		} else if (why[0] != '\0') {
			snprintf(reason, sizeof(reason), "照片审核未通过：%s", why);
		} else {
			snprintf(reason, sizeof(reason), "照片审核未通过");
		}
		gc_diag_clear(&d);
		if (gc_proof_pdf_add(sc->pdf, &ps, &d) != GC_OK) {
			gc_cli_err("makeup-proofs.pdf: %s", d.msg);
			return GC_EXIT_FAIL;
		}
		sc->nproofs++;
	}
	return GC_EXIT_OK;
}

/* The students in roster order (row key 16; those without one last, by
 * key as the merge has them): the order of every sheet and page. */
struct ordref {
	uint32_t order;
	size_t   i;
};

static int
ordref_cmp(const void *a, const void *b)
{
	const struct ordref *x = a, *y = b;
	uint32_t             p = x->order - 1, q = y->order - 1; /* 0 last */

	if (p != q) {
		return p < q ? -1 : 1;
	}
	return (x->i > y->i) - (x->i < y->i);
}

static struct ordref *
school_order(const struct gc_merge *m)
{
	struct ordref *o = gc_alloc(sizeof(*o) * (m->nst + 1));

	if (o == NULL) {
		gc_cli_err("export: out of memory");
		return NULL;
	}
	for (size_t i = 0; i < m->nst; i++) {
		o[i].order = m->st[i].order;
		o[i].i     = i;
	}
	if (m->nst > 1) {
		qsort(o, m->nst, sizeof(*o), ordref_cmp);
	}
	return o;
}

/* Students of the scope who still need a photo: the proof's pages. */
static size_t
school_needing(const struct gc__export *x)
{
	size_t n = 0;

	for (size_t i = 0; i < x->m->nst; i++) {
		n += x->sc.in[i] && (x->m->st[i].status == GC_MS_MISSING ||
		    x->m->st[i].status == GC_MS_NEEDS_RETAKE);
	}
	return n;
}

/* Starts the proof PDF when the profile asks for it and someone needs
 * one. An exit code. */
static int
school_pdf_open(struct school *sc, const char *name)
{
	char      path[4300], date[64];
	time_t    now = time(NULL);
	struct tm tm;
	struct gc_diag d;

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y年%m月%d日", &tm);
	snprintf(path, sizeof(path), "%s/makeup-proofs.pdf", sc->bd.dir);
	gc_diag_clear(&d);
	if (gc_proof_pdf_open(&sc->pdf, path, name, sc->np->info.school, date,
	    &d) != GC_OK) {
		gc_cli_err("%s", d.msg);
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}

int
gc_export_school_run(struct gc_node *np, const struct gc_export_opts *o,
    struct gc_export_progress *pg)
{
	struct school sc;
	struct ordref *ord = NULL;
	const char   *name;
	char          path[4300], root[65], trusted[512];
	bool          proof;
	int           ex;

	ex = gc__export_check(np, o);
	if (ex == GC_EXIT_OK) {
		ex = school_profile(np, &proof, &name);
	}
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	memset(&sc, 0, sizeof(sc));
	sc.np = np;
	gc_bundle_init(&sc.bd, o->out);
	gc_buf_init(&sc.csv);
	gc_buf_init(&sc.mail);
	/* photos are named by 学号: every exported student needs its own */
	ex = gc__export_open(np, o, GC_ROW_STUDENT_NO, true, &sc.x);
	if (ex != GC_EXIT_OK) {
		goto done;
	}
	if (pg != NULL) {
		atomic_store(&pg->total, sc.x.sc.nin);
	}
	snprintf(path, sizeof(path), "%s/photos", o->out);
	mkdir(path, 0755);
	gc_ledger_enrollments(np->lg, gc_names_cb, &sc.nm);
	gc_buf_put(&sc.csv, "\xef\xbb\xbf", 3);
	gc__export_row(&sc.csv, NULL, 0, roster_cols, NROSTER);
	sc.rwb = sheet_open(o->out, "roster.xlsx", "学生名单", roster_cols,
	    NROSTER, &sc.rws);
	sc.mwb = sheet_open(o->out, "makeup.xlsx", "补(散)拍名单", makeup_cols,
	    NMAKEUP, &sc.mws);
	if (sc.rwb == NULL || sc.mwb == NULL) {
		ex = GC_EXIT_FAIL;
		goto done;
	}
	if (proof && school_needing(&sc.x) > 0) {
		ex = school_pdf_open(&sc, name);
	}
	ord = school_order(sc.x.m);
	if (ord == NULL) {
		ex = GC_EXIT_FAIL;
	}
	for (size_t k = 0; k < sc.x.m->nst && ex == GC_EXIT_OK; k++) {
		if (!sc.x.sc.in[ord[k].i]) {
			continue; /* another level */
		}
		if (pg != NULL) {
			atomic_fetch_add(&pg->done, 1);
		}
		ex = school_student(&sc, ord[k].i);
	}
	if (ex != GC_EXIT_OK) {
		goto done;
	}
	if (sc.pdf != NULL) {
		struct gc_diag d;

		gc_diag_clear(&d);
		ex = gc_proof_pdf_close(sc.pdf, &d) == GC_OK ? GC_EXIT_OK :
		                                              GC_EXIT_FAIL;
		sc.pdf = NULL;
		if (ex != GC_EXIT_OK) {
			gc_cli_err("%s", d.msg);
			goto done;
		}
		if (gc_bundle_add(&sc.bd, "makeup-proofs.pdf") != 0) {
			ex = GC_EXIT_FAIL;
			goto done;
		}
	}
	ex = sheet_close(sc.rwb, &sc.bd, "roster.xlsx") != 0 ? GC_EXIT_FAIL :
	                                                      GC_EXIT_OK;
	sc.rwb = NULL;
	if (sheet_close(sc.mwb, &sc.bd, "makeup.xlsx") != 0) {
		ex = GC_EXIT_FAIL;
	}
	sc.mwb = NULL;
	if (ex != GC_EXIT_OK ||
	    gc_bundle_write(&sc.bd, "roster.csv", sc.csv.data,
	    sc.csv.len) != 0 ||
	    gc_bundle_write(&sc.bd, "checkpoint.note", sc.x.note.data,
	    sc.x.note.len) != 0 || (sc.nmail > 0 &&
	    gc_bundle_write(&sc.bd, "邮寄.csv", sc.mail.data,
	    sc.mail.len) != 0)) {
		ex = GC_EXIT_FAIL;
		goto done;
	}
	gc_hex_encode(root, sc.x.m->root, 32);
	/* students= is the checkpoint's size, exported= the rows of
	 * roster.csv: fewer with --level */
	snprintf(trusted, sizeof(trusted), "gradcap export-school school=%s "
	    "season=%s students=%zu exported=%zu photos=%zu level=%s "
	    "checkpoint=%s", np->info.school,
	    o->season != NULL ? o->season : "-", sc.x.m->nst, sc.nrow,
	    sc.nphotos, o->level != NULL ? o->level : "-", root);
	if (gc_bundle_seal(&sc.bd, trusted, np->key) != 0) {
		ex = GC_EXIT_FAIL;
		goto done;
	}
	if (pg != NULL) {
		atomic_store(&pg->photos, sc.nphotos);
	}
	if (!o->quiet) {
		printf("exported %zu photos (named by 学号) of %zu students to %s "
		       "for the school\n"
		       "%zu students on the 补(散)拍 list (makeup.xlsx)\n",
		    sc.nphotos, sc.nrow, o->out, sc.nmakeup);
		if (sc.nproofs > 0) {
			printf("%zu 补(散)拍 proofs in %s/makeup-proofs.pdf\n",
			    sc.nproofs, o->out);
		}
		if (sc.nmail > 0) {
			printf("%zu mailing addresses for the prints in "
			    "%s/邮寄.csv\n", sc.nmail, o->out);
		}
		printf("checkpoint %.16s; verify with:\n"
		       "  minisign -V -p %s/minisign.pub -m %s/MANIFEST\n"
		       "  (cd %s && sha256sum -c MANIFEST)\n",
		    root, o->out, o->out, o->out);
	}
	if (proof && sc.nproofs == 0) {
		gc_cli_note("note: no student needs a photo: no "
		    "makeup-proofs.pdf");
	}
	if (sc.nunheld > 0) {
		gc_cli_note("note: %zu photos were taken with a capture code of "
		    "which only the hash is held: their 采集码 cell is empty",
		    sc.nunheld);
	}
	if (sc.x.sc.nconf > 0 || sc.x.sc.nblocked > 0) {
		gc_cli_note("%zu conflicted students and %zu approved "
		    "students under an alert exported without a photo "
		    "(--allow-conflicts)", sc.x.sc.nconf, sc.x.sc.nblocked);
	}
done:
	if (sc.rwb != NULL) {
		workbook_close(sc.rwb);
	}
	if (sc.mwb != NULL) {
		workbook_close(sc.mwb);
	}
	gc_proof_pdf_close(sc.pdf, NULL);
	gc_free(ord);
	gc_bundle_release(&sc.bd);
	gc_names_free(&sc.nm);
	gc_buf_release(&sc.csv);
	gc_buf_release(&sc.mail);
	gc__export_release(&sc.x);
	return ex;
}
