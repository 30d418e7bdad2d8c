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
#include "common/roster_change.h"
#include "common/rosterdb.h"
#include "node/cli.h"
#include "node/node.h"

/* Rows per ROSTER entry: keeps each entry far below the 4 MiB limit. */
#define ROWS_PER_ENTRY 1000

static const char roster_usage[] =
    "usage: gradcap roster import  [--home DIR] [--encoding auto|utf-8|gbk]\n"
    "                              [--strict] [--dry-run] [--upgrade-15]\n"
    "                              [--reorder] [--json] FILE\n"
    "       gradcap roster list    [--home DIR] [--class C] [--sort roster|id]\n"
    "                              [--json]\n"
    "       gradcap roster show    [--home DIR] [--json] STUDENT\n"
    "       gradcap roster correct [--home DIR] [--id NUMBER] [--type T]\n"
    "                              [--level L] [--name N] --reason TEXT\n"
    "                              [--json] STUDENT\n"
    "       gradcap roster remove  [--home DIR] --reason TEXT STUDENT\n"
    "       gradcap roster restore [--home DIR] --reason TEXT STUDENT\n"
    "       gradcap roster exempt  [--home DIR] [--clear] --reason TEXT\n"
    "                              STUDENT\n"
    "  FILE: .csv (UTF-8, UTF-8 with BOM, GBK/GB18030), .xls or .xlsx;\n"
    "    rows are matched with the stored students (证件号码 and 层次,\n"
    "    its 15/18-digit forms, 学号, 考生号): a corrected row is a\n"
    "    change, listed old -> new, and the student keeps its photos\n"
    "  --upgrade-15: store the 18-digit 升位 candidate of 15-digit numbers\n"
    "  --reorder: the stored students of FILE take its row order (the\n"
    "    queue and sign-in order); without it they keep theirs\n"
    "  STUDENT: an ID number, 学号, 考生号 or student key (restore: the\n"
    "    key or the 证件号码 of the removed student)\n"
    "  correct: one student's 证件号码 / 证件类型 / 层次 / 姓名; remove: off\n"
    "    the roster and out of the merge (its captures stay in the log);\n"
    "  exempt: needs no photo (已有学信网图像, 在职, 延期…), EXEMPT in the\n"
    "    merge; --clear: needs one again\n";

struct roster_opts {
	const char      *home, *passfile, *klass;
	const char      *reason, *id, *type, *level, *name, *sort;
	enum gc_encoding enc;
	bool             strict, dry_run, json, upgrade15, clear, reorder;
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
		{ "upgrade-15", no_argument, NULL, 'u' },
		{ "reason", required_argument, NULL, 'r' },
		{ "id", required_argument, NULL, 'i' },
		{ "type", required_argument, NULL, 't' },
		{ "level", required_argument, NULL, 'l' },
		{ "name", required_argument, NULL, 'm' },
		{ "clear", no_argument, NULL, 'x' },
		{ "reorder", no_argument, NULL, 'O' },
		{ "sort", required_argument, NULL, 'S' },
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
		case 'u':
			o->upgrade15 = true;
			break;
		case 'r':
			o->reason = optarg;
			break;
		case 'i':
			o->id = optarg;
			break;
		case 't':
			o->type = optarg;
			break;
		case 'l':
			o->level = optarg;
			break;
		case 'm':
			o->name = optarg;
			break;
		case 'x':
			o->clear = true;
			break;
		case 'O':
			o->reorder = true;
			break;
		case 'S':
			o->sort = optarg;
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

static void
json_reject(struct gc_buf *b, uint32_t line, const char *col, const char *why)
{
	gc_buf_printf(b, "{\"row\":%" PRIu32 ",\"column\":", line);
	gc_json_str(b, col);
	gc_buf_puts(b, ",\"reason\":");
	gc_json_str(b, why);
	gc_buf_putc(b, '}');
}

/* A ROSTER body: {0: op, 1: source, 2: rows, 3: reason (if any)}. */
static void
body_begin(struct gc_buf *b, enum gc_roster_op op, const char *source,
    const char *reason, size_t nrows)
{
	gc_buf_init(b);
	gc_cbor_map(b, reason != NULL ? 4 : 3);
	gc_cbor_uint(b, 0);
	gc_cbor_uint(b, op);
	gc_cbor_uint(b, 1);
	gc_cbor_text(b, source);
	gc_cbor_uint(b, 2);
	gc_cbor_array(b, nrows);
}

/* Builds the ROSTER entry bodies for the plan's rows of one fate. */
static gc_err
build_bodies(struct gc_buf **bodies, size_t *nb, const struct gc_plan *p,
    enum gc_plan_fate want, enum gc_roster_op op, const char *source)
{
	size_t total = p->counts[want], done = 0;

	while (done < total) {
		size_t         chunk = total - done < ROWS_PER_ENTRY ?
		    total - done : ROWS_PER_ENTRY;
		struct gc_buf *b;
		size_t         seen = 0, put = 0;

		*bodies = gc_xrealloc(*bodies, (*nb + 1) * sizeof(**bodies));
		b       = &(*bodies)[*nb];
		(*nb)++;
		body_begin(b, op, source, NULL, chunk);
		for (size_t i = 0; i < p->n && put < chunk; i++) {
			if (p->rows[i].fate != want) {
				continue;
			}
			if (seen++ < done) {
				continue;
			}
			gc_row_put(b, &p->rows[i].row);
			put++;
		}
		done += chunk;
		if (gc_buf_status(b) != GC_OK) {
			return GC_ENOMEM;
		}
	}
	return GC_OK;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static const char *const fate_names[GC_PLAN_END] = { "new", "changed",
	"unchanged", "readded", "rejected" };

/* What an import found and did: every rejected row, every change (old →
 * new, field by field) and every warning, then the counts. */
static void
import_report(struct gc_buf *out, const struct roster_opts *o,
    const char *file, const struct gc_table *t, const struct gc_roster *r,
    const struct gc_plan *p, bool write, const struct gc_append *ap,
    size_t nb)
{
	size_t nlate = p->counts[GC_PLAN_REJECTED];

	if (o->json) {
		bool first = true;

		gc_buf_puts(out, "{\"file\":");
		gc_json_str(out, file);
		gc_buf_printf(out, ",\"format\":\"%s\",\"encoding\":", t->format);
		gc_json_str(out, t->encoding[0] ? t->encoding : NULL);
		gc_buf_printf(out, ",\"rows\":%zu,\"valid\":%zu,\"new\":%zu,"
		    "\"changed\":%zu,\"unchanged\":%zu,\"readded\":%zu,"
		    "\"rejected_count\":%zu,\"warnings_count\":%zu,"
		    "\"unknown_columns\":%zu,\"dry_run\":%s,\"strict\":%s,"
		    "\"imported\":%s,\"entries\":[",
		    r->nrows + r->nrejects, r->nrows - nlate,
		    p->counts[GC_PLAN_NEW], p->counts[GC_PLAN_CHANGED],
		    p->counts[GC_PLAN_SAME], p->counts[GC_PLAN_READDED],
		    r->nrejects + nlate, p->nwarn, r->nunknown,
		    o->dry_run ? "true" : "false", o->strict ? "true" : "false",
		    write ? "true" : "false");
		for (size_t i = 0; write && i < nb; i++) {
			gc_buf_puts(out, i ? ",\"" : "\"");
			gc_buf_hex(out, ap[i].id, 32);
			gc_buf_putc(out, '"');
		}
		gc_buf_puts(out, "],\"rejected\":[");
		for (size_t i = 0; i < r->nrejects; i++) {
			gc_buf_puts(out, first ? "" : ",");
			first = false;
			json_reject(out, r->rejects[i].line,
			    r->rejects[i].column, r->rejects[i].reason);
		}
		for (size_t i = 0; i < p->n; i++) {
			const struct gc_plan_row *pr = &p->rows[i];

			if (pr->fate == GC_PLAN_REJECTED) {
				gc_buf_puts(out, first ? "" : ",");
				first = false;
				json_reject(out, pr->line, pr->column, pr->reason);
			}
		}
		gc_buf_puts(out, "],\"changes\":[");
		first = true;
		for (size_t i = 0; i < p->n; i++) {
			const struct gc_plan_row *pr = &p->rows[i];

			if (pr->fate != GC_PLAN_CHANGED &&
			    pr->fate != GC_PLAN_READDED) {
				continue;
			}
			gc_buf_printf(out, "%s{\"row\":%" PRIu32 ",\"fate\":"
			    "\"%s\",\"student\":", first ? "" : ",", pr->line,
			    fate_names[pr->fate]);
			gc_json_str(out, pr->row.v[GC_ROW_KEY]);
			gc_buf_puts(out, ",\"fields\":{");
			for (int k = 0, f = 0; k < GC_ROW_NKEYS; k++) {
				if (!(pr->changed & (1u << k))) {
					continue;
				}
				gc_buf_puts(out, f++ ? "," : "");
				gc_json_str(out, gc_row_key_name(
				    (enum gc_row_key)k));
				gc_buf_puts(out, ":[");
				gc_json_str(out, pr->old.v[k]);
				gc_buf_putc(out, ',');
				gc_json_str(out, pr->row.v[k]);
				gc_buf_putc(out, ']');
			}
			gc_buf_puts(out, "}}");
			first = false;
		}
		gc_buf_puts(out, "],\"warnings\":[");
		first = true;
		for (size_t i = 0; i < p->n; i++) {
			const struct gc_plan_row *pr = &p->rows[i];

			if (pr->fate == GC_PLAN_REJECTED || !pr->warning[0]) {
				continue;
			}
			gc_buf_printf(out, "%s{\"row\":%" PRIu32 ",\"warning\":",
			    first ? "" : ",", pr->line);
			gc_json_str(out, pr->warning);
			gc_buf_putc(out, '}');
			first = false;
		}
		gc_buf_puts(out, "]}");
		return;
	}
	for (size_t i = 0; i < r->nrejects; i++) {
		gc_buf_printf(out, "%s row %" PRIu32 ", column %s: %s\n",
		    base_name(file), r->rejects[i].line, r->rejects[i].column,
		    r->rejects[i].reason);
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct gc_plan_row *pr = &p->rows[i];

		if (pr->fate == GC_PLAN_REJECTED) {
			gc_buf_printf(out, "%s row %" PRIu32 ", column %s: %s\n",
			    base_name(file), pr->line, pr->column, pr->reason);
		} else if (pr->fate == GC_PLAN_CHANGED ||
		    pr->fate == GC_PLAN_READDED) {
			gc_buf_printf(out, "%s row %" PRIu32 ": %s %s: ",
			    base_name(file), pr->line,
			    pr->fate == GC_PLAN_READDED ? "back on the roster" :
			                                  "changes",
			    pr->row.v[GC_ROW_KEY]);
			gc_plan_row_describe(pr, out);
			gc_buf_putc(out, '\n');
		}
		if (pr->fate != GC_PLAN_REJECTED && pr->warning[0]) {
			gc_buf_printf(out, "%s row %" PRIu32 ": warning: %s\n",
			    base_name(file), pr->line, pr->warning);
		}
	}
	gc_buf_printf(out, "%s (%s%s%s): %zu rows: %zu new, %zu changed, "
	    "%zu unchanged, %zu back on the roster, %zu rejected, %zu "
	    "warning%s\n", file, t->format, t->encoding[0] ? ", " : "",
	    t->encoding, r->nrows + r->nrejects, p->counts[GC_PLAN_NEW],
	    p->counts[GC_PLAN_CHANGED], p->counts[GC_PLAN_SAME],
	    p->counts[GC_PLAN_READDED], r->nrejects + nlate, p->nwarn,
	    p->nwarn == 1 ? "" : "s");
	if (o->dry_run) {
		gc_buf_puts(out, "dry run: nothing was stored\n");
	} else if (o->strict && r->nrejects + nlate > 0) {
		gc_buf_puts(out, "--strict: some rows were rejected, so nothing "
		    "was imported\n");
	} else if (write) {
		gc_buf_printf(out, "stored %zu signed ROSTER entr%s; the "
		    "students' captures and decisions stay with them\n", nb,
		    nb == 1 ? "y" : "ies");
	} else {
		gc_buf_puts(out, "nothing new to store\n");
	}
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
	struct gc_plan_opts   po;
	struct gc_plan       *plan  = NULL;
	size_t                nlate = 0;
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
	po.school     = n.info.school;
	po.upgrade_15 = o->upgrade15;
	po.reorder    = o->reorder;
	if (tty) {
		fprintf(stderr, "comparing with the stored roster ...\n");
	}
	rv = gc_roster_plan(n.lg, r, &po, &plan);
	if (rv != GC_OK) {
		gc_cli_err("%s: comparing with the stored roster: %s", file,
		    gc_strerror(rv));
		ex = GC_EXIT_FAIL;
		goto done;
	}
	nlate = plan->counts[GC_PLAN_REJECTED];
	write = !o->dry_run && !(o->strict && (r->nrejects + nlate) > 0) &&
	    plan->counts[GC_PLAN_NEW] + plan->counts[GC_PLAN_CHANGED] +
	    plan->counts[GC_PLAN_READDED] > 0;
	if (write) {
		const char *src = base_name(file);

		rv = build_bodies(&bodies, &nb, plan, GC_PLAN_NEW, GC_ROSTER_ADD,
		    src);
		if (rv == GC_OK) {
			rv = build_bodies(&bodies, &nb, plan, GC_PLAN_CHANGED,
			    o->upgrade15 ? GC_ROSTER_UPGRADE : GC_ROSTER_PATCH,
			    src);
		}
		if (rv == GC_OK) {
			rv = build_bodies(&bodies, &nb, plan, GC_PLAN_READDED,
			    GC_ROSTER_PATCH, src);
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
	import_report(&out, o, file, t, r, plan, write, ap, nb);
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
	gc_plan_free(plan);
	gc_roster_free(r);
	gc_table_free(t);
	gc_node_close(&n);
	return ex;
}

/* ---- list / show ---- */

/* One listed student: where its text is in the output, and its order. */
struct list_item {
	uint64_t order;
	size_t   off, len;
};

struct list_arg {
	struct gc_buf    *b; /* every student's text, in key order */
	const char       *klass;
	bool              json;
	size_t            n;
	struct list_item *it;
};

static int
list_cb(const struct gc_student_rec *rec, void *arg)
{
	struct list_arg *a = arg;
	struct gc_row    row;
	size_t           off = a->b->len;

	if (gc_row_decode(rec->row, rec->row_len, &row) != GC_OK) {
		return 0;
	}
	if (a->klass != NULL && strcmp(row.v[GC_ROW_CLASS], a->klass) != 0) {
		return 0;
	}
	if (a->json) {
		gc_row_json(a->b, &row);
	} else {
		gc_buf_printf(a->b, "%-12s %-10s %-18s %-4s %-10s %s%s\n",
		    row.v[GC_ROW_STUDENT_NO][0] ? row.v[GC_ROW_STUDENT_NO] : "-",
		    row.v[GC_ROW_NAME], row.v[GC_ROW_ID_NUMBER],
		    row.v[GC_ROW_LEVEL_CODE], row.v[GC_ROW_CLASS][0] ?
		    row.v[GC_ROW_CLASS] : "-", row.v[GC_ROW_KEY],
		    row.v[GC_ROW_EXEMPT][0] ? " (exempt)" : "");
	}
	a->it = gc_xrealloc(a->it, (a->n + 1) * sizeof(*a->it));
	a->it[a->n].order = row.v[GC_ROW_ORDER][0] ?
	    strtoull(row.v[GC_ROW_ORDER], NULL, 10) : UINT64_MAX;
	a->it[a->n].off   = off;
	a->it[a->n].len   = a->b->len - off;
	a->n++;
	return 0;
}

/* Roster order; students come in key order, which breaks ties. */
static int
item_cmp(const void *x, const void *y)
{
	const struct list_item *a = x, *b = y;

	if (a->order != b->order) {
		return a->order < b->order ? -1 : 1;
	}
	return (a->off > b->off) - (a->off < b->off);
}

static int
roster_list(struct roster_opts *o, int argc)
{
	struct gc_node  n;
	struct gc_buf   all, b;
	struct list_arg a;
	int             ex;

	if (o->first != argc) {
		fputs(roster_usage, stderr);
		return GC_EXIT_USAGE;
	}
	if (o->sort != NULL && strcmp(o->sort, "id") != 0 &&
	    strcmp(o->sort, "roster") != 0) {
		gc_cli_err("--sort %s: use roster or id", o->sort);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, o->home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_buf_init(&all);
	gc_buf_init(&b);
	memset(&a, 0, sizeof(a));
	a.b     = &all;
	a.klass = o->klass;
	a.json  = o->json;
	gc_ledger_students(n.lg, list_cb, &a);
	if (a.n > 1 && (o->sort == NULL || strcmp(o->sort, "id") != 0)) {
		qsort(a.it, a.n, sizeof(*a.it), item_cmp);
	}
	if (o->json) {
		gc_buf_putc(&b, '[');
	}
	for (size_t i = 0; i < a.n; i++) {
		if (o->json && i > 0) {
			gc_buf_putc(&b, ',');
		}
		gc_buf_put(&b, all.data + a.it[i].off, a.it[i].len);
	}
	if (o->json) {
		gc_buf_putc(&b, ']');
	} else {
		gc_buf_printf(&b, "%zu student%s%s%s\n", a.n, a.n == 1 ? "" : "s",
		    o->klass ? " in class " : "", o->klass ? o->klass : "");
	}
	ex = gc_cli_print(&b);
	gc_buf_release(&b);
	gc_buf_release(&all);
	gc_free(a.it);
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
	} else if (rv == GC_ENOTFOUND &&
	    gc_roster_removed_find(n.lg, argv[o->first], key, &d) == GC_OK) {
		/* removed from the roster: shown with the reason */
		rv = gc_ledger_removed_get(n.lg, key, &stored, &slen, &hlc, eid);
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

/* ---- correct / remove / restore / exempt ---- */

static int
roster_edit(struct roster_opts *o, int argc, char **argv,
    enum gc_edit_kind kind)
{
	struct gc_node   n;
	struct gc_diag   d;
	struct gc_edit   e;
	struct gc_row    row, old;
	struct gc_buf    body, out;
	struct gc_append ap;
	char             key[80], id[65];
	gc_err           rv;
	int              ex;

	if (o->first + 1 != argc || o->reason == NULL ||
	    (kind == GC_EDIT_CORRECT && o->id == NULL && o->type == NULL &&
	    o->level == NULL && o->name == NULL)) {
		gc_cli_err(o->reason == NULL ? "%s: --reason is required: say "
		    "why (it is signed with the change)" : "%s: say what to "
		    "change (--id, --type, --level or --name)", argv[1]);
		fputs(roster_usage, stderr);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, o->home, GC_NODE_KEY, o->passfile);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	if (n.info.role != GC_ROLE_COORDINATOR) {
		gc_cli_err("roster %s writes a ROSTER entry, which only the "
		    "coordinator writes: run it there, and the change reaches "
		    "the sites when they sync", argv[1]);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_diag_clear(&d);
	memset(&e, 0, sizeof(e));
	e.kind      = kind;
	e.id_type   = o->type;
	e.id_number = o->id;
	e.level     = o->level;
	e.name      = o->name;
	e.reason    = o->reason;
	rv = kind == GC_EDIT_RESTORE ?
	    gc_roster_removed_find(n.lg, argv[o->first], key, &d) :
	    gc_ledger_student_find(n.lg, argv[o->first], key, &d);
	if (rv == GC_OK) {
		rv = gc_roster_edit(n.lg, key, &e, &row, &old, &d);
	}
	if (rv != GC_OK) {
		gc_cli_err("roster %s: %s", argv[1], gc_diag_msg(&d, rv));
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	body_begin(&body, gc_roster_edit_op(kind), "roster", o->reason, 1);
	gc_row_put(&body, &row);
	gc_cbor_uint(&body, 3);
	gc_cbor_text(&body, o->reason);
	memset(&ap, 0, sizeof(ap));
	ap.kind     = GC_KIND_ROSTER;
	ap.body     = body.data;
	ap.body_len = body.len;
	rv = gc_buf_status(&body);
	if (rv == GC_OK) {
		rv = gc_ledger_append(n.lg, &ap, 1, &d);
	}
	gc_buf_release(&body);
	if (rv != GC_OK) {
		gc_cli_err("roster %s: nothing stored: %s", argv[1],
		    gc_diag_msg(&d, rv));
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_hex_encode(id, ap.id, 32);
	gc_buf_init(&out);
	{
		struct gc_plan_row pr;

		memset(&pr, 0, sizeof(pr));
		pr.old = old;
		pr.row = row;
		for (int k = 0; k < GC_ROW_NKEYS; k++) {
			pr.changed |= strcmp(old.v[k], row.v[k]) != 0 ?
			    1u << k : 0;
		}
		if (o->json) {
			gc_buf_puts(&out, "{\"student\":");
			gc_json_str(&out, key);
			gc_buf_printf(&out, ",\"entry\":\"%s\",\"change\":", id);
			{
				struct gc_buf t;

				gc_buf_init(&t);
				gc_plan_row_describe(&pr, &t);
				gc_buf_putc(&t, '\0');
				gc_json_str(&out, (const char *)t.data);
				gc_buf_release(&t);
			}
			gc_buf_putc(&out, '}');
		} else {
			gc_buf_printf(&out, "%s: ", key);
			gc_plan_row_describe(&pr, &out);
			gc_buf_printf(&out, "\nstored as ROSTER entry %.16s; %s\n",
			    id, kind == GC_EDIT_REMOVE ? "its captures stay in "
			    "the log and leave the merge" : kind ==
			    GC_EDIT_EXEMPT ? "EXEMPT in the merge, off the "
			    "makeup list" : "its captures and decisions stay "
			    "with it");
		}
	}
	ex = gc_cli_print(&out);
	gc_buf_release(&out);
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
	} else if (strcmp(argv[1], "correct") == 0) {
		return roster_edit(&o, argc, argv, GC_EDIT_CORRECT);
	} else if (strcmp(argv[1], "remove") == 0) {
		return roster_edit(&o, argc, argv, GC_EDIT_REMOVE);
	} else if (strcmp(argv[1], "restore") == 0) {
		return roster_edit(&o, argc, argv, GC_EDIT_RESTORE);
	} else if (strcmp(argv[1], "exempt") == 0) {
		return roster_edit(&o, argc, argv, o.clear ? GC_EDIT_UNEXEMPT :
		                                             GC_EDIT_EXEMPT);
	}
	gc_cli_err("roster: unknown verb '%s'", argv[1]);
	fputs(roster_usage, stderr);
	return GC_EXIT_USAGE;
}
