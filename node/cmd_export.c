/* gradcap export --out DIR [--allow-conflicts]: the CHSI package
 * (DESIGN §9, docs/export.md):
 *   photos/<证件号码>.jpg        every APPROVED student's photo, as captured
 *   sheets/<证件号码>.jpg        its print sheet (4 × 2寸 + 8 × 1寸, 6-inch)
 *   roster.csv (UTF-8, BOM), roster.xlsx   every student: status, file, ...
 *   checkpoint.note, proofs/<证件号码>.proof
 *   MANIFEST (SHA-256 of every file), MANIFEST.minisig, minisign.pub
 * The signature is minisign's (Ed25519 over BLAKE2b-512 of the file, a
 * trusted comment naming school, season and checkpoint) by the school
 * authority's key, so stock `minisign -V` verifies it. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <xlsxwriter.h>

#include "common/buf.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "capture/sheet.h"
#include "common/rosterdb.h"
#include "node/cli.h"
#include "node/merge_view.h"
#include "node/node.h"
#include "sync/merge.h"

static const char export_usage[] =
    "usage: gradcap export --out DIR [--home DIR] [--allow-conflicts]\n"
    "                      [--season TEXT] [--passphrase-file F]\n"
    "Writes the CHSI package to DIR (new or empty): the photos of every\n"
    "APPROVED student, the roster sheet (.csv and .xlsx), a new signed\n"
    "checkpoint with a proof per student, MANIFEST and its minisign\n"
    "signature. Unresolved conflicts stop it unless --allow-conflicts.\n";

/* One file of the bundle, for MANIFEST. */
struct mfile {
	char    path[200];
	uint8_t sha[32];
};

struct bundle {
	char          dir[4096];
	struct mfile *f;
	size_t        n;
};

/* Notes a file of the bundle and its SHA-256, for MANIFEST. */
static void
bundle_record(struct bundle *b, const char *rel, const void *data,
    size_t len)
{
	b->f = realloc(b->f, (b->n + 1) * sizeof(*b->f));
	if (b->f == NULL) {
		abort();
	}
	snprintf(b->f[b->n].path, sizeof(b->f[b->n].path), "%s", rel);
	crypto_hash_sha256(b->f[b->n].sha, data, len);
	b->n++;
}

static int
bundle_write(struct bundle *b, const char *rel, const void *data, size_t len)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/%s", b->dir, rel);
	if (gc_cli_write_file(path, data, len) != GC_EXIT_OK) {
		return -1;
	}
	bundle_record(b, rel, data, len);
	return 0;
}

/* Notes a file someone else wrote (the xlsx), as it is on disk. */
static int
bundle_add(struct bundle *b, const char *rel)
{
	char     path[4300], why[128];
	uint8_t *data;
	size_t   len;

	snprintf(path, sizeof(path), "%s/%s", b->dir, rel);
	data = gc_file_read(path, (size_t)1 << 30, &len, why, sizeof(why));
	if (data == NULL) {
		gc_cli_err("%s: %s", path, why);
		return -1;
	}
	bundle_record(b, rel, data, len);
	gc_free(data);
	return 0;
}

static int
mfile_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mfile *)a)->path,
	    ((const struct mfile *)b)->path);
}

/* minisign: keyid = the first 8 bytes of SHA-256 of the key. */
static void
minisign_keyid(uint8_t id[8], const uint8_t pk[32])
{
	uint8_t h[32];

	crypto_hash_sha256(h, pk, 32);
	memcpy(id, h, 8);
}

static void
minisign_pub(struct gc_buf *out, const uint8_t pk[32])
{
	uint8_t raw[42];
	char    b64[80];

	raw[0] = 'E';
	raw[1] = 'd';
	minisign_keyid(raw + 2, pk);
	memcpy(raw + 10, pk, 32);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "untrusted comment: minisign public key "
	    "%02X%02X%02X%02X%02X%02X%02X%02X (gradcap school authority)\n%s\n",
	    raw[9], raw[8], raw[7], raw[6], raw[5], raw[4], raw[3], raw[2], b64);
}

/* A prehashed ("ED") minisign signature of data with a trusted comment. */
static void
minisign_sign(struct gc_buf *out, const uint8_t *data, size_t len,
    const char *trusted, const struct gc_key *key)
{
	uint8_t hash[64], sig[74], global[64];
	char    b64[160];
	uint8_t *tbs;
	size_t   tl = strlen(trusted);

	crypto_generichash(hash, 64, data, len, NULL, 0);
	sig[0] = 'E';
	sig[1] = 'D';
	minisign_keyid(sig + 2, key->pk);
	crypto_sign_detached(sig + 10, NULL, hash, 64, key->sk);
	/* the global signature covers the signature and the comment */
	tbs = malloc(64 + tl);
	if (tbs == NULL) {
		abort();
	}
	memcpy(tbs, sig + 10, 64);
	memcpy(tbs + 64, trusted, tl);
	crypto_sign_detached(global, NULL, tbs, 64 + tl, key->sk);
	free(tbs);
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig),
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "untrusted comment: signature from gradcap\n%s\n"
	    "trusted comment: %s\n", b64, trusted);
	sodium_bin2base64(b64, sizeof(b64), global, sizeof(global),
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "%s\n", b64);
}

static void
csv_cell(struct gc_buf *b, const char *s, bool last)
{
	gc_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"') {
			gc_buf_putc(b, '"');
		}
		gc_buf_putc(b, (uint8_t)*s);
	}
	gc_buf_puts(b, last ? "\"\r\n" : "\",");
}

static const char *cols[] = { "学号", "姓名", "证件类型", "证件号码", "层次",
	"班级", "状态", "文件名", "拍摄时间", "采集点", "采集方式" };
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

int
gc_cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "out", required_argument, NULL, 'o' },
		{ "allow-conflicts", no_argument, NULL, 'a' },
		{ "season", required_argument, NULL, 's' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char      *home = NULL, *out = NULL, *passfile = NULL;
	const char      *season = NULL;
	bool             allow = false;
	struct gc_node   n;
	struct gc_merge *m = NULL;
	struct gc_diag   d;
	struct gc_buf    note, csv, man, sig, pub, pf;
	struct bundle    bd;
	struct gc_names  nm = { NULL, NULL, 0 };
	uint8_t          cpid[32], (*hashes)[32] = NULL;
	char             path[4300], origin[64], root[65], trusted[512];
	size_t           nphotos = 0, nconf = 0;
	lxw_workbook    *wb = NULL;
	lxw_worksheet   *ws = NULL;
	int              c, ex = GC_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'a':
			allow = true;
			break;
		case 's':
			season = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, export_usage);
		}
	}
	if (out == NULL || optind != argc) {
		fputs(export_usage, stderr);
		return GC_EXIT_USAGE;
	}
	if (mkdir(out, 0755) != 0 && errno != EEXIST) {
		gc_cli_err("%s: %s", out, strerror(errno));
		return GC_EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/MANIFEST", out);
	if (access(path, F_OK) == 0) {
		gc_cli_err("%s already holds an export; give a new folder", out);
		return GC_EXIT_FAIL;
	}
	ex = gc_node_open(&n, home, GC_NODE_KEY, passfile);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	if (n.info.role != GC_ROLE_COORDINATOR) {
		gc_cli_err("only the coordinator exports; this node is a %s",
		    gc_role_name(n.info.role));
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_diag_clear(&d);
	/* conflicts first: nothing is written or signed while they stand */
	if (gc_merge_node(&n, &m, &d) != GC_OK) {
		gc_cli_err("%s", d.msg);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	for (size_t i = 0; i < m->nst; i++) {
		if (m->st[i].status == GC_MS_CONFLICT) {
			if (nconf++ < 20) {
				fprintf(stderr, "CONFLICT %s\n", m->st[i].key);
			}
		}
	}
	gc_merge_free(m);
	m = NULL;
	if (nconf > 0 && !allow) {
		gc_cli_err("%zu students have unresolved conflicts (listed "
		    "above; 'gradcap conflicts', then 'gradcap resolve'); "
		    "nothing exported (--allow-conflicts exports without their "
		    "photos)", nconf);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	/* a checkpoint of exactly what is exported */
	gc_buf_init(&note);
	gc_buf_init(&csv);
	gc_buf_init(&man);
	gc_buf_init(&sig);
	gc_buf_init(&pub);
	gc_buf_init(&pf);
	memset(&bd, 0, sizeof(bd));
	snprintf(bd.dir, sizeof(bd.dir), "%s", out);
	if (gc_checkpoint_make(&n, &m, &note, cpid, &d) != GC_OK) {
		gc_cli_err("checkpoint: %s", d.msg);
		ex = GC_EXIT_FAIL;
		goto done;
	}
	snprintf(path, sizeof(path), "%s/photos", out);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proofs", out);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sheets", out);
	mkdir(path, 0755);
	gc_checkpoint_origin(origin, sizeof(origin), n.info.school);
	gc_hex_encode(root, m->root, 32);
	hashes = gc_merge_leaf_hashes(m);
	gc_ledger_enrollments(n.lg, gc_names_cb, &nm);
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
	for (size_t k = 0; k < NCOLS; k++) {
		csv_cell(&csv, cols[k], k + 1 == NCOLS);
		worksheet_write_string(ws, 0, (lxw_col_t)k, cols[k], NULL);
	}
	for (size_t i = 0; i < m->nst && ex == GC_EXIT_OK; i++) {
		const struct gc_mstudent *s = &m->st[i];
		struct gc_row             row;
		uint8_t                  *rb;
		size_t                    rl;
		uint64_t                  hlc;
		uint8_t                   eid[32];
		char                      file[160] = "", when[32] = "";
		const char               *site = "", *kind = "";
		const char               *v[NCOLS];

		memset(&row, 0, sizeof(row));
		if (gc_ledger_student_get(n.lg, s->key, &rb, &rl, &hlc, eid) ==
		    GC_OK) {
			gc_row_decode(rb, rl, &row);
			gc_free(rb);
		}
		if (s->status == GC_MS_APPROVED && s->winner >= 0) {
			const struct gc_mcap *cap = &m->cap[s->winner];
			uint64_t              len;
			uint8_t              *photo;
			size_t                got;
			time_t                t = (time_t)((cap->hlc >> 16) / 1000);
			struct tm             tm;
			char                  rel[200];

			snprintf(file, sizeof(file), "%s.jpg",
			    row.v[GC_ROW_ID_NUMBER]);
			snprintf(rel, sizeof(rel), "photos/%s", file);
			if (gc_ledger_blob_size(n.lg, cap->photo, &len) != GC_OK ||
			    (photo = gc_alloc((size_t)len + 1)) == NULL) {
				gc_cli_err("%s: the photo is not held here (sync "
				    "first)", s->key);
				ex = GC_EXIT_FAIL;
				break;
			}
			gc_ledger_blob_read(n.lg, cap->photo, 0, photo,
			    (size_t)len, &got, &len);
			if (bundle_write(&bd, rel, photo, got) != 0) {
				ex = GC_EXIT_FAIL;
			}
			/* the print sheet: 4 × 2寸 + 8 × 1寸 on 6-inch paper */
			gc_buf_reset(&pf);
			if (ex == GC_EXIT_OK &&
			    gc_sheet_render(photo, got, &pf, &d) == GC_OK) {
				snprintf(rel, sizeof(rel), "sheets/%s", file);
				if (bundle_write(&bd, rel, pf.data, pf.len) != 0) {
					ex = GC_EXIT_FAIL;
				}
			} else if (ex == GC_EXIT_OK) {
				gc_cli_err("%s: print sheet: %s", file,
				    gc_diag_msg(&d, GC_ECORRUPT));
				ex = GC_EXIT_FAIL;
			}
			gc_free(photo);
			nphotos++;
			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", &tm);
			site = gc_name_of(&nm, cap->feed);
			kind = gc_session_kind_zh((enum gc_session_kind)cap->kind);
		}
		v[0]  = row.v[GC_ROW_STUDENT_NO];
		v[1]  = row.v[GC_ROW_NAME];
		v[2]  = row.v[GC_ROW_ID_TYPE];
		v[3]  = row.v[GC_ROW_ID_NUMBER];
		v[4]  = row.v[GC_ROW_LEVEL];
		v[5]  = row.v[GC_ROW_CLASS];
		v[6]  = gc_mstatus_name(s->status);
		v[7]  = file;
		v[8]  = when;
		v[9]  = site;
		v[10] = kind;
		for (size_t k = 0; k < NCOLS; k++) {
			csv_cell(&csv, v[k], k + 1 == NCOLS);
			/* text cells: an ID number must never become a number */
			worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)k,
			    v[k], NULL);
		}
		if (row.v[GC_ROW_ID_NUMBER][0] != '\0') {
			char rel[200];

			gc_buf_reset(&pf);
			gc_proof_write(&pf, m, (const uint8_t (*)[32])hashes, i,
			    origin);
			snprintf(rel, sizeof(rel), "proofs/%s.proof",
			    row.v[GC_ROW_ID_NUMBER]);
			if (bundle_write(&bd, rel, pf.data, pf.len) != 0) {
				ex = GC_EXIT_FAIL;
			}
		}
	}
	if (workbook_close(wb) != LXW_NO_ERROR) {
		gc_cli_err("%s/roster.xlsx: cannot write", out);
		ex = GC_EXIT_FAIL;
	}
	wb = NULL;
	if (ex != GC_EXIT_OK || bundle_add(&bd, "roster.xlsx") != 0 ||
	    bundle_write(&bd, "roster.csv", csv.data, csv.len) != 0 ||
	    bundle_write(&bd, "checkpoint.note", note.data, note.len) != 0) {
		ex = GC_EXIT_FAIL;
		goto done;
	}
	/* MANIFEST: sha256sum's format, sorted; then its signature */
	qsort(bd.f, bd.n, sizeof(*bd.f), mfile_cmp);
	for (size_t i = 0; i < bd.n; i++) {
		char hex[65];

		gc_hex_encode(hex, bd.f[i].sha, 32);
		gc_buf_printf(&man, "%s  %s\n", hex, bd.f[i].path);
	}
	snprintf(trusted, sizeof(trusted), "gradcap export school=%s "
	    "season=%s checkpoint=%s students=%zu photos=%zu",
	    n.info.school, season != NULL ? season : "-", root, m->nst,
	    nphotos);
	minisign_sign(&sig, man.data, man.len, trusted, n.key);
	minisign_pub(&pub, n.key->pk);
	if (gc_buf_status(&man) != GC_OK || gc_buf_status(&sig) != GC_OK ||
	    bundle_write(&bd, "MANIFEST", man.data, man.len) != 0 ||
	    bundle_write(&bd, "MANIFEST.minisig", sig.data, sig.len) != 0 ||
	    bundle_write(&bd, "minisign.pub", pub.data, pub.len) != 0) {
		ex = GC_EXIT_FAIL;
		goto done;
	}
	printf("exported %zu photos of %zu students to %s\n"
	       "checkpoint %.16s; verify with:\n"
	       "  minisign -V -p %s/minisign.pub -m %s/MANIFEST\n"
	       "  (cd %s && sha256sum -c MANIFEST)\n",
	    nphotos, m->nst, out, root, out, out, out);
	if (nconf > 0) {
		fprintf(stderr, "%zu conflicted students exported without a "
		    "photo (--allow-conflicts)\n", nconf);
	}
done:
	if (wb != NULL) {
		workbook_close(wb);
	}
	free(bd.f);
	gc_names_free(&nm);
	gc_free(hashes);
	gc_buf_release(&note);
	gc_buf_release(&csv);
	gc_buf_release(&man);
	gc_buf_release(&sig);
	gc_buf_release(&pub);
	gc_buf_release(&pf);
	gc_merge_free(m);
	gc_node_close(&n);
	return ex;
}
