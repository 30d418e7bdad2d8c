/* export_chsi: the CHSI package (DESIGN §9, docs/export.md):
 *   photos/<证件号码>.jpg        every APPROVED student's photo, as captured
 *   sheets/<证件号码>.jpg        its print sheet (4 × 2寸 + 8 × 1寸 on 6-inch
 *                               paper by default; gradcap.ini [print])
 *   roster.csv (UTF-8, BOM), roster.xlsx   every student: status, file,
 *                               ..., 学生确认 (the student's own check)
 *   codes.csv                   the 采集码 of each exported photo
 *   checkpoint.note, proofs/<证件号码>.proof
 *   MANIFEST (SHA-256 of every file), MANIFEST.minisig, minisign.pub
 * The signature is minisign's (node/export_bundle.c) by the school
 * authority's key, with a trusted comment naming school, season and
 * checkpoint, so stock `minisign -V` verifies it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <xlsxwriter.h>

#include "common/buf.h"
#include "common/gc_alloc.h"
#include "common/records.h"
#include "capture/sheet.h"
#include "common/rosterdb.h"
#include "node/cli.h"
#include "node/export.h"
#include "node/export_bundle.h"
#include "node/export_int.h"
#include "node/merge_view.h"
#include "node/node.h"
#include "sync/merge.h"

/* The print sizes of the school profile (gradcap.ini [print] large,
 * small, paper in mm), checked to fit before anything is written. */
static int
print_spec(struct gc_node *n, struct gc_sheet_spec *sp)
{
	static const char *keys[] = { "large", "small", "paper" };
	struct gc_sheet_slot slot[12];
	char                 why[200];
	int                  pw, ph;

	*sp = gc_sheet_default;
	for (int i = 0; i < 3; i++) {
		const char *v = gc_config_get(n->cfg, "print", keys[i], NULL);
		double     *w = i == 0 ? &sp->large_w : i == 1 ? &sp->small_w :
		                                          &sp->paper_w;
		double     *h = i == 0 ? &sp->large_h : i == 1 ? &sp->small_h :
		                                          &sp->paper_h;

		if (v != NULL && !gc_sheet_size_parse(v, w, h)) {
			gc_cli_err("%s/gradcap.ini [print] %s = %s: give width x "
			    "height in mm, e.g. 35x49", n->home, keys[i], v);
			return GC_EXIT_FAIL;
		}
	}
	if (gc_sheet_layout(sp, slot, &pw, &ph, why, sizeof(why)) == 0) {
		gc_cli_err("%s/gradcap.ini [print]: %s", n->home, why);
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}

static const char *cols[] = { "学号", "姓名", "证件类型", "证件号码", "层次",
	"班级", "状态", "文件名", "拍摄时间", "采集点", "采集方式", "学生键",
	"采集码", "学生确认" };
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* codes.csv: the capture code (采集码) of each exported photo, for 学信网 */
static const char *code_cols[] = { "证件号码", "姓名", "文件名", "采集码" };
#define NCODE_COLS (sizeof(code_cols) / sizeof(code_cols[0]))

int
gc_export_chsi_run(struct gc_node *np, const struct gc_export_opts *o,
    struct gc_export_progress *pg)
{
	const char      *out = o->out, *level = o->level, *season = o->season;
	struct gc_merge *m = NULL;
	struct gc_diag   d;
	struct gc_buf    csv, codes, pf;
	struct gc_bundle bd;
	struct gc_names  nm = { NULL, NULL, 0 };
	uint8_t        (*hashes)[32] = NULL;
	char             path[4300], origin[64], root[65], trusted[512];
	size_t           nphotos = 0, nrow = 0, ncodes = 0, ncode_unheld = 0;
	lxw_workbook    *wb = NULL;
	lxw_worksheet   *ws = NULL;
	struct gc__export x;
	struct gc_sheet_spec spec;
	int              ex;

	ex = gc__export_check(np, o);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	ex = print_spec(np, &spec);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_diag_clear(&d);
	gc_buf_init(&csv);
	gc_buf_init(&codes);
	gc_buf_init(&pf);
	gc_bundle_init(&bd, out);
	ex = gc__export_open(np, o, GC_ROW_ID_NUMBER, false, &x);
	m   = x.m;
	if (ex != GC_EXIT_OK) {
		goto done;
	}
	if (pg != NULL) {
		atomic_store(&pg->total, x.sc.nin);
	}
	if (x.sc.nnot > 0) {
		gc_cli_note("note: %zu students are not APPROVED (pending "
		    "review, missing or to retake): listed in roster.csv "
		    "without a photo ('gradcap missing')", x.sc.nnot);
	}
	if (x.sc.nexempt > 0) {
		gc_cli_note("note: %zu students are EXEMPT (roster exempt: no "
		    "photo needed): listed in roster.csv as EXEMPT, without a "
		    "photo", x.sc.nexempt);
	}
	snprintf(path, sizeof(path), "%s/photos", out);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proofs", out);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sheets", out);
	mkdir(path, 0755);
	gc_checkpoint_origin(origin, sizeof(origin), np->info.school);
	gc_hex_encode(root, m->root, 32);
	hashes = gc_merge_leaf_hashes(m);
	gc_ledger_enrollments(np->lg, gc_names_cb, &nm);
	snprintf(path, sizeof(path), "%s/roster.xlsx", out);
	wb = workbook_new(path);
	ws = wb != NULL ? workbook_add_worksheet(wb, "学历照片") : NULL;
	if (hashes == NULL || ws == NULL) {
		gc_cli_err("%s: cannot start the workbook (or out of memory)",
		    path);
		ex = GC_EXIT_FAIL;
		goto done;
	}
	gc_buf_put(&csv, "\xef\xbb\xbf", 3);
	gc_buf_put(&codes, "\xef\xbb\xbf", 3);
	gc__export_row(&codes, NULL, 0, code_cols, NCODE_COLS);
	gc__export_row(&csv, ws, 0, cols, NCOLS);
	for (size_t i = 0; i < m->nst && ex == GC_EXIT_OK; i++) {
		const struct gc_mstudent *s = &m->st[i];
		struct gc_row             row;
		char                      file[160] = "", when[32] = "";
		char                      code[GC__CODE_CELL_MAX] = "";
		const char               *site = "", *kind = "";
		const char               *v[NCOLS];

		if (!x.sc.in[i]) {
			continue; /* another level */
		}
		if (pg != NULL) {
			atomic_fetch_add(&pg->done, 1);
		}
		gc_row_of(np->lg, s->key, &row);
		if (s->status == GC_MS_APPROVED && s->winner >= 0 &&
		    !x.sc.blocked[i]) {
			const struct gc_mcap *cap = &m->cap[s->winner];
			uint8_t              *photo;
			size_t                got;
			char                  rel[200];

			snprintf(file, sizeof(file), "%s.jpg",
			    row.v[GC_ROW_ID_NUMBER]);
			snprintf(rel, sizeof(rel), "photos/%s", file);
			photo = gc__export_photo(np, s, cap, &got);
			if (photo == NULL) {
				ex = GC_EXIT_FAIL;
				break;
			}
			if (gc_bundle_write(&bd, rel, photo, got) != 0) {
				ex = GC_EXIT_FAIL;
			}
			/* the print sheet: 4 × 2寸 + 8 × 1寸 on 6-inch paper */
			gc_buf_reset(&pf);
			if (ex == GC_EXIT_OK &&
			    gc_sheet_render(&spec, photo, got, &pf, &d) == GC_OK) {
				snprintf(rel, sizeof(rel), "sheets/%s", file);
				if (gc_bundle_write(&bd, rel, pf.data, pf.len) != 0) {
					ex = GC_EXIT_FAIL;
				}
			} else if (ex == GC_EXIT_OK) {
				gc_cli_err("%s: print sheet: %s", file,
				    gc_diag_msg(&d, GC_ECORRUPT));
				ex = GC_EXIT_FAIL;
			}
			gc_free(photo);
			nphotos++;
			gc__export_when(cap, when, sizeof(when));
			site = gc_name_of(&nm, cap->feed);
			kind = gc_session_kind_zh((enum gc_session_kind)cap->kind);
			if (!gc__export_code_cell(np->lg, cap, code, sizeof(code))) {
				ncode_unheld++;
			} else if (code[0] != '\0') {
				const char *cv[NCODE_COLS] = { row.v[GC_ROW_ID_NUMBER],
					row.v[GC_ROW_NAME], file, code };

				gc__export_row(&codes, NULL, 0, cv, NCODE_COLS);
				ncodes++;
			}
		}
		v[0]  = row.v[GC_ROW_STUDENT_NO];
		v[1]  = row.v[GC_ROW_NAME];
		v[2]  = row.v[GC_ROW_ID_TYPE];
		v[3]  = row.v[GC_ROW_ID_NUMBER];
		v[4]  = row.v[GC_ROW_LEVEL];
		v[5]  = row.v[GC_ROW_CLASS];
		v[6]  = x.sc.blocked[i] ? "ALERT" : gc_mstatus_name(s->status);
		nrow++;
		v[7]  = file;
		v[8]  = when;
		v[9]  = site;
		v[10] = kind;
		/* the leaf's key: the student's first identity, which a
		 * correction leaves as it was (the proof maps it to v[3]) */
		v[11] = s->key;
		v[12] = code;
		v[13] = gc__export_check_cell(&x, i);
		gc__export_row(&csv, ws, (uint32_t)nrow, v, NCOLS);
		if (row.v[GC_ROW_ID_NUMBER][0] != '\0') {
			char rel[200];

			gc_buf_reset(&pf);
			gc_proof_write(&pf, m, (const uint8_t (*)[32])hashes, i,
			    origin);
			snprintf(rel, sizeof(rel), "proofs/%s.proof",
			    row.v[GC_ROW_ID_NUMBER]);
			if (gc_bundle_write(&bd, rel, pf.data, pf.len) != 0) {
				ex = GC_EXIT_FAIL;
			}
		}
	}
	if (workbook_close(wb) != LXW_NO_ERROR) {
		gc_cli_err("%s/roster.xlsx: cannot write", out);
		ex = GC_EXIT_FAIL;
	}
	wb = NULL;
	if (ex != GC_EXIT_OK || gc_bundle_add(&bd, "roster.xlsx") != 0 ||
	    gc_bundle_write(&bd, "roster.csv", csv.data, csv.len) != 0 ||
	    gc_bundle_write(&bd, "codes.csv", codes.data, codes.len) != 0 ||
	    gc_bundle_write(&bd, "checkpoint.note", x.note.data, x.note.len) != 0) {
		ex = GC_EXIT_FAIL;
		goto done;
	}
	/* students= is the checkpoint's size, exported= the rows of
	 * roster.csv (each with its proof): fewer with --level */
	snprintf(trusted, sizeof(trusted), "gradcap export school=%s "
	    "season=%s checkpoint=%s students=%zu exported=%zu photos=%zu "
	    "level=%s", np->info.school, season != NULL ? season : "-", root,
	    m->nst, nrow, nphotos, level != NULL ? level : "-");
	if (gc_bundle_seal(&bd, trusted, np->key) != 0) {
		ex = GC_EXIT_FAIL;
		goto done;
	}
	if (!o->quiet) {
		printf("exported %zu photos of %zu students to %s\n"
		       "checkpoint %.16s; verify with:\n"
		       "  minisign -V -p %s/minisign.pub -m %s/MANIFEST\n"
		       "  (cd %s && sha256sum -c MANIFEST)\n",
		    nphotos, x.sc.nin, out, root, out, out, out);
		if (ncodes > 0) {
			printf("%zu capture codes (采集码) listed in %s/codes.csv\n",
			    ncodes, out);
		}
	}
	if (pg != NULL) {
		atomic_store(&pg->photos, nphotos);
	}
	if (ncode_unheld > 0) {
		gc_cli_note("note: %zu exported photos were taken with a capture "
		    "code of which only the hash is held (captured before codes "
		    "were kept whole, or not synced yet): their 采集码 cell is "
		    "empty", ncode_unheld);
	}
	if (x.sc.nconf > 0 || x.sc.nblocked > 0) {
		gc_cli_note("%zu conflicted students and %zu approved "
		    "students under an alert exported without a photo "
		    "(--allow-conflicts)", x.sc.nconf, x.sc.nblocked);
	}
done:
	if (wb != NULL) {
		workbook_close(wb);
	}
	gc_bundle_release(&bd);
	gc_names_free(&nm);
	gc_free(hashes);
	gc_buf_release(&csv);
	gc_buf_release(&codes);
	gc_buf_release(&pf);
	gc__export_release(&x);
	return ex;
}
