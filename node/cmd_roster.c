/* gradcap roster import | list | show */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/cbor.h"
#include "common/gc_alloc.h"
#include "common/roster.h"
#include "common/rosterdb.h"
#include "node/cli.h"
#include "node/node.h"

/* Rows per ROSTER entry: keeps each entry far below the 4 MiB limit. */
#define ROWS_PER_ENTRY 1000

static const char roster_usage[] =
    "usage: gradcap roster import [--home DIR] [--encoding auto|utf-8|gbk]\n"
    "                             [--strict] [--dry-run] [--json] FILE\n"
    "       gradcap roster list   [--home DIR] [--class C] [--json]\n"
    "       gradcap roster show   [--home DIR] [--json] STUDENT\n"
    "  FILE: .csv (UTF-8, UTF-8 with BOM, GBK/GB18030), .xls or .xlsx\n"
    "  STUDENT: an ID number, 学号, 考生号 or student key\n";

struct roster_opts {
	const char      *home, *passfile, *klass;
	enum gc_encoding enc;
	bool             strict, dry_run, json;
	int              first;
};

static int
roster_parse(int argc, char **argv, struct roster_opts *o)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "strict", no_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "class", required_argument, NULL, 'c' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 2;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			o->home = optarg;
			break;
		case 'e':
			if (strcmp(optarg, "auto") == 0) {
				o->enc = GC_ENC_AUTO;
			} else if (strcasecmp(optarg, "utf-8") == 0 ||
			    strcasecmp(optarg, "utf8") == 0) {
				o->enc = GC_ENC_UTF8;
			} else if (strcasecmp(optarg, "gbk") == 0 ||
			    strcasecmp(optarg, "gb18030") == 0) {
				o->enc = GC_ENC_GBK;
			} else {
				gc_cli_err("--encoding %s: use auto, utf-8 or gbk",
				    optarg);
				return GC_EXIT_USAGE;
			}
			break;
		case 's':
			o->strict = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'c':
			o->klass = optarg;
			break;
		case 'P':
			o->passfile = optarg;
			break;
		default:
			c = gc_cli_help_or_usage(c, argv, roster_usage);
			return c == GC_EXIT_OK ? -1 : c; /* -1: help shown */
		}
	}
	o->first = optind;
	return GC_EXIT_OK;
}

/* ---- import ---- */

enum row_fate { ROW_NEW, ROW_CHANGED, ROW_SAME, ROW_REJECTED };

struct mapctx {
	struct gc_roster_opts *ro;
};

static void
map_cb(const char *key, const char *value, void *arg)
{
	struct mapctx *m = arg;
	int            f = gc_roster_field_parse(key);

	if (f >= 0 && value[0] != '\0') {
		m->ro->map[f] = value;
	}
}

/* A reject found against the stored roster, after the file's own checks. */
struct late_reject {
	uint32_t line;
	char     column[64];
	char     reason[256];
};

static void
json_reject(struct gc_buf *b, uint32_t line, const char *col, const char *why)
{
	gc_buf_printf(b, "{\"row\":%" PRIu32 ",\"column\":", line);
	gc_json_str(b, col);
	gc_buf_puts(b, ",\"reason\":");
	gc_json_str(b, why);
	gc_buf_putc(b, '}');
}

/* Whether the file itself moves student key off value v of field f (so v
 * is free for another row of the same file). */
static bool
file_moves_off(const struct gc_roster *r, const char *key, int f,
    const char *v)
{
	for (size_t i = 0; i < r->nrows; i++) {
		if (strcmp(r->rows[i].key, key) == 0) {
			const char *mine = r->rows[i].f[f];

			return mine == NULL || strcmp(mine, v) != 0;
		}
	}
	return false;
}

/* Checks that the 学号 and 考生号 of a new or changed student do not
 * already belong to another student in the stored roster (unless this
 * same file gives that student another value: a swap). */
static bool
stored_conflict(gc_ledger *lg, const struct gc_roster *r,
    const struct gc_student *s, struct late_reject *lr)
{
	static const struct {
		int         field;
		const char *kind, *label;
	} ks[] = {
		{ GC_RF_STUDENT_NO, "xh", "学号" },
		{ GC_RF_EXAM_NO, "ksh", "考生号" },
	};

	for (size_t i = 0; i < 2; i++) {
		const char *v = s->f[ks[i].field];
		char        keys[4][80];
		size_t      n;

		if (v == NULL || v[0] == '\0') {
			continue;
		}
		n = gc_ledger_lookup(lg, ks[i].kind, v, keys, 4);
		for (size_t k = 0; k < n && k < 4; k++) {
			if (strcmp(keys[k], s->key) == 0 ||
			    file_moves_off(r, keys[k], ks[i].field, v)) {
				continue;
			}
			lr->line = s->line;
			snprintf(lr->column, sizeof(lr->column), "%s",
			    ks[i].label);
			snprintf(lr->reason, sizeof(lr->reason), "%s %.64s already "
			    "belongs to student %.79s in the stored roster",
			    ks[i].label, v, keys[k]);
			return true;
		}
	}
	return false;
}

/* Builds the ROSTER entry bodies for rows[from..to) of one fate. */
static gc_err
build_bodies(struct gc_buf **bodies, size_t *nb, const struct gc_roster *r,
    const enum row_fate *fate, enum row_fate want, const char *school,
    const char *source)
{
	size_t total = 0, done = 0;

	for (size_t i = 0; i < r->nrows; i++) {
		total += fate[i] == want;
	}
	while (done < total) {
		size_t         chunk = total - done < ROWS_PER_ENTRY ?
		    total - done : ROWS_PER_ENTRY;
		struct gc_buf *b;
		size_t         seen = 0, put = 0;

		*bodies = gc_xrealloc(*bodies, (*nb + 1) * sizeof(**bodies));
		b       = &(*bodies)[*nb];
		gc_buf_init(b);
		(*nb)++;
		gc_cbor_map(b, 3);
		gc_cbor_uint(b, 0);
		gc_cbor_uint(b, want == ROW_NEW ? GC_ROSTER_ADD : GC_ROSTER_PATCH);
		gc_cbor_uint(b, 1);
		gc_cbor_text(b, source);
		gc_cbor_uint(b, 2);
		gc_cbor_array(b, chunk);
		for (size_t i = 0; i < r->nrows && put < chunk; i++) {
			if (fate[i] != want) {
				continue;
			}
			if (seen++ < done) {
				continue;
			}
			gc_row_encode(b, &r->rows[i], school);
			put++;
		}
		done += chunk;
		if (gc_buf_status(b) != GC_OK) {
			return GC_ENOMEM;
		}
	}
	return GC_OK;
}

/* "\rWHAT: i/n" on a terminal, every 2000 rows and at the end. */
static void
progress(const char *what, size_t i, size_t n)
{
	if (i % 2000 == 0 || i + 1 == n) {
		fprintf(stderr, "\r%s: %zu/%zu", what, i + 1, n);
		if (i + 1 == n) {
			fputc('\n', stderr);
		}
	}
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int
roster_import(struct roster_opts *o, int argc, char **argv)
{
	struct gc_node        n;
	struct gc_roster_opts ro;
	struct mapctx         mc = { &ro };
	struct gc_table      *t  = NULL;
	struct gc_roster     *r  = NULL;
	struct gc_diag        d;
	enum row_fate        *fate = NULL;
	struct late_reject   *late = NULL;
	size_t                nlate = 0;
	size_t                counts[4] = { 0 };
	struct gc_buf        *bodies = NULL, out;
	size_t                nb = 0;
	struct gc_append     *ap = NULL;
	const char           *file;
	gc_err                rv;
	int                   ex;
	bool                  write;
	bool                  tty = isatty(2) && !o->json;

	if (o->first + 1 != argc) {
		fputs(roster_usage, stderr);
		return GC_EXIT_USAGE;
	}
	file = argv[o->first];
	gc_diag_clear(&d);
	/* Read the file before the node is opened: the .xls reader runs in a
	 * child process, which then holds neither the signing key nor the
	 * ledger's map. */
	if (tty) {
		fprintf(stderr, "reading %s ...\n", file);
	}
	rv = gc_table_read(&t, file, o->enc, &d);
	if (rv != GC_OK) {
		gc_cli_err("%s", gc_diag_msg(&d, rv));
		return GC_EXIT_FAIL; /* unreadable input: nothing imported */
	}
	ex = gc_node_open(&n, o->home, o->dry_run ? GC_NODE_RDONLY : GC_NODE_KEY,
	    o->passfile);
	if (ex != GC_EXIT_OK) {
		gc_table_free(t);
		return ex;
	}
	if (!o->dry_run && n.info.role != GC_ROLE_COORDINATOR) {
		gc_cli_err("roster import writes ROSTER entries, which only the "
		    "coordinator writes (sites receive the roster when they "
		    "enroll or sync); use --dry-run to check a file here");
		gc_table_free(t);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	memset(&ro, 0, sizeof(ro));
	ro.school_code   = n.info.school;
	ro.default_level = gc_config_get(n.cfg, "roster", "level", NULL);
	gc_config_each(n.cfg, "roster.columns", map_cb, &mc);
	rv = gc_roster_from_table(&r, t, &ro, &d);
	if (rv != GC_OK) {
		gc_cli_err("%s: %s", file, gc_diag_msg(&d, rv));
		gc_table_free(t);
		gc_node_close(&n);
		return GC_EXIT_FAIL; /* unreadable input: nothing imported */
	}
	fate = gc_xzalloc((r->nrows + 1) * sizeof(*fate));
	late = gc_xzalloc((r->nrows + 1) * sizeof(*late));
	for (size_t i = 0; i < r->nrows; i++) {
		const struct gc_student *s = &r->rows[i];
		struct gc_buf            row;
		uint8_t                 *stored;
		size_t                   slen;

		if (tty) {
			progress("comparing with the stored roster", i, r->nrows);
		}
		gc_buf_init(&row);
		gc_row_encode(&row, s, n.info.school);
		if (gc_ledger_student_get(n.lg, s->key, &stored, &slen, NULL,
		        NULL) == GC_OK) {
			fate[i] = (slen == row.len &&
			    memcmp(stored, row.data, slen) == 0) ? ROW_SAME :
			                                           ROW_CHANGED;
			gc_free(stored);
		} else {
			fate[i] = ROW_NEW;
		}
		if (fate[i] != ROW_SAME &&
		    stored_conflict(n.lg, r, s, &late[nlate])) {
			fate[i] = ROW_REJECTED;
			nlate++;
		}
		gc_buf_release(&row);
		counts[fate[i]]++;
	}
	write = !o->dry_run && !(o->strict && (r->nrejects + nlate) > 0) &&
	    counts[ROW_NEW] + counts[ROW_CHANGED] > 0;
	if (write) {
		rv = build_bodies(&bodies, &nb, r, fate, ROW_NEW, n.info.school,
		    base_name(file));
		if (rv == GC_OK) {
			rv = build_bodies(&bodies, &nb, r, fate, ROW_CHANGED,
			    n.info.school, base_name(file));
		}
		if (rv == GC_OK) {
			ap = gc_xzalloc(nb * sizeof(*ap));
			for (size_t i = 0; i < nb; i++) {
				ap[i].kind     = GC_KIND_ROSTER;
				ap[i].body     = bodies[i].data;
				ap[i].body_len = bodies[i].len;
			}
			/* every entry of one import in one transaction */
			rv = gc_ledger_append(n.lg, ap, nb, &d);
		}
		if (rv != GC_OK) {
			gc_cli_err("%s: nothing was imported: %s", file,
			    gc_diag_msg(&d, rv));
			ex = GC_EXIT_FAIL;
			goto done;
		}
	}
	gc_buf_init(&out);
	if (o->json) {
		bool first = true;

		gc_buf_puts(&out, "{\"file\":");
		gc_json_str(&out, file);
		gc_buf_printf(&out, ",\"format\":\"%s\",\"encoding\":", t->format);
		gc_json_str(&out, t->encoding[0] ? t->encoding : NULL);
		gc_buf_printf(&out, ",\"rows\":%zu,\"valid\":%zu,\"new\":%zu,"
		    "\"changed\":%zu,\"unchanged\":%zu,\"rejected_count\":%zu,"
		    "\"unknown_columns\":%zu,\"dry_run\":%s,\"strict\":%s,"
		    "\"imported\":%s,\"entries\":[",
		    r->nrows + r->nrejects, r->nrows - nlate, counts[ROW_NEW],
		    counts[ROW_CHANGED], counts[ROW_SAME], r->nrejects + nlate,
		    r->nunknown, o->dry_run ? "true" : "false",
		    o->strict ? "true" : "false", write ? "true" : "false");
		for (size_t i = 0; write && i < nb; i++) {
			gc_buf_puts(&out, i ? ",\"" : "\"");
			gc_buf_hex(&out, ap[i].id, 32);
			gc_buf_putc(&out, '"');
		}
		gc_buf_puts(&out, "],\"rejected\":[");
		for (size_t i = 0; i < r->nrejects; i++) {
			gc_buf_puts(&out, first ? "" : ",");
			first = false;
			json_reject(&out, r->rejects[i].line,
			    r->rejects[i].column, r->rejects[i].reason);
		}
		for (size_t i = 0; i < nlate; i++) {
			gc_buf_puts(&out, first ? "" : ",");
			first = false;
			json_reject(&out, late[i].line, late[i].column,
			    late[i].reason);
		}
		gc_buf_puts(&out, "]}");
	} else {
		for (size_t i = 0; i < r->nrejects; i++) {
			gc_buf_printf(&out, "%s row %" PRIu32 ", column %s: %s\n",
			    base_name(file), r->rejects[i].line,
			    r->rejects[i].column, r->rejects[i].reason);
		}
		for (size_t i = 0; i < nlate; i++) {
			gc_buf_printf(&out, "%s row %" PRIu32 ", column %s: %s\n",
			    base_name(file), late[i].line, late[i].column,
			    late[i].reason);
		}
		gc_buf_printf(&out, "%s (%s%s%s): %zu rows: %zu new, %zu changed, "
		    "%zu unchanged, %zu rejected\n", file, t->format,
		    t->encoding[0] ? ", " : "", t->encoding,
		    r->nrows + r->nrejects, counts[ROW_NEW],
		    counts[ROW_CHANGED], counts[ROW_SAME], r->nrejects + nlate);
		if (o->dry_run) {
			gc_buf_puts(&out, "dry run: nothing was stored\n");
		} else if (o->strict && r->nrejects + nlate > 0) {
			gc_buf_puts(&out, "--strict: some rows were rejected, so "
			    "nothing was imported\n");
		} else if (write) {
			gc_buf_printf(&out, "stored %zu signed ROSTER entr%s\n", nb,
			    nb == 1 ? "y" : "ies");
		} else {
			gc_buf_puts(&out, "nothing new to store\n");
		}
	}
	ex = gc_cli_print(&out);
	gc_buf_release(&out);
	if (ex == GC_EXIT_OK && r->nrejects + nlate > 0) {
		ex = GC_EXIT_REJECTED;
	}
done:
	for (size_t i = 0; i < nb; i++) {
		gc_buf_release(&bodies[i]);
	}
	gc_free(bodies);
	gc_free(ap);
	gc_free(fate);
	gc_free(late);
	gc_roster_free(r);
	gc_table_free(t);
	gc_node_close(&n);
	return ex;
}

/* ---- list / show ---- */

struct list_arg {
	struct gc_buf *b;
	const char    *klass;
	bool           json;
	size_t         n;
};

static int
list_cb(const struct gc_student_rec *rec, void *arg)
{
	struct list_arg *a = arg;
	struct gc_row    row;

	if (gc_row_decode(rec->row, rec->row_len, &row) != GC_OK) {
		return 0;
	}
	if (a->klass != NULL && strcmp(row.v[GC_ROW_CLASS], a->klass) != 0) {
		return 0;
	}
	if (a->json) {
		gc_buf_puts(a->b, a->n ? "," : "");
		gc_row_json(a->b, &row);
	} else {
		gc_buf_printf(a->b, "%-12s %-10s %-18s %-4s %-10s %s\n",
		    row.v[GC_ROW_STUDENT_NO][0] ? row.v[GC_ROW_STUDENT_NO] : "-",
		    row.v[GC_ROW_NAME], row.v[GC_ROW_ID_NUMBER],
		    row.v[GC_ROW_LEVEL_CODE], row.v[GC_ROW_CLASS][0] ?
		    row.v[GC_ROW_CLASS] : "-", row.v[GC_ROW_KEY]);
	}
	a->n++;
	return 0;
}

static int
roster_list(struct roster_opts *o, int argc)
{
	struct gc_node  n;
	struct gc_buf   b;
	struct list_arg a;
	int             ex;

	if (o->first != argc) {
		fputs(roster_usage, stderr);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, o->home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_buf_init(&b);
	a.b     = &b;
	a.klass = o->klass;
	a.json  = o->json;
	a.n     = 0;
	if (o->json) {
		gc_buf_putc(&b, '[');
	}
	gc_ledger_students(n.lg, list_cb, &a);
	if (o->json) {
		gc_buf_putc(&b, ']');
	} else {
		gc_buf_printf(&b, "%zu student%s%s%s\n", a.n, a.n == 1 ? "" : "s",
		    o->klass ? " in class " : "", o->klass ? o->klass : "");
	}
	ex = gc_cli_print(&b);
	gc_buf_release(&b);
	gc_node_close(&n);
	return ex;
}

static int
roster_show(struct roster_opts *o, int argc, char **argv)
{
	struct gc_node n;
	struct gc_diag d;
	struct gc_buf  b;
	struct gc_row  row;
	char           key[80], id[65];
	uint8_t       *stored, eid[32];
	size_t         slen;
	uint64_t       hlc;
	gc_err         rv;
	int            ex;

	if (o->first + 1 != argc) {
		fputs(roster_usage, stderr);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, o->home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_diag_clear(&d);
	rv = gc_ledger_student_find(n.lg, argv[o->first], key, &d);
	if (rv == GC_OK) {
		rv = gc_ledger_student_get(n.lg, key, &stored, &slen, &hlc, eid);
	}
	if (rv == GC_OK) {
		rv = gc_row_decode(stored, slen, &row);
		gc_free(stored);
	}
	if (rv != GC_OK) {
		gc_cli_err("%s", gc_diag_msg(&d, rv));
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_hex_encode(id, eid, 32);
	gc_buf_init(&b);
	if (o->json) {
		gc_buf_puts(&b, "{\"student\":");
		gc_row_json(&b, &row);
		gc_buf_printf(&b, ",\"roster_entry\":\"%s\",\"hlc\":%" PRIu64 "}",
		    id, hlc);
	} else {
		for (int k = 0; k < GC_ROW_NKEYS; k++) {
			if (row.v[k][0] != '\0') {
				gc_buf_printf(&b, "%-11s %s\n",
				    gc_row_key_name((enum gc_row_key)k), row.v[k]);
			}
		}
		gc_buf_printf(&b, "%-11s %s\n", "entry", id);
	}
	ex = gc_cli_print(&b);
	gc_buf_release(&b);
	gc_node_close(&n);
	return ex;
}

int
gc_cmd_roster(int argc, char **argv)
{
	struct roster_opts o;
	int                ex;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(roster_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? GC_EXIT_USAGE : GC_EXIT_OK;
	}
	ex = roster_parse(argc, argv, &o);
	if (ex != GC_EXIT_OK) {
		return ex < 0 ? GC_EXIT_OK : ex;
	}
	if (strcmp(argv[1], "import") == 0) {
		return roster_import(&o, argc, argv);
	} else if (strcmp(argv[1], "list") == 0) {
		return roster_list(&o, argc);
	} else if (strcmp(argv[1], "show") == 0) {
		return roster_show(&o, argc, argv);
	}
	gc_cli_err("roster: unknown verb '%s'", argv[1]);
	fputs(roster_usage, stderr);
	return GC_EXIT_USAGE;
}
