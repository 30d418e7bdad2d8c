/*
 * gradcap session sheet [--class C] [--missing] [--csv|--html|--json]
 *     [--out FILE]: the sign-in sheet (签到表) of a capture session, from
 * node/signin.c: students in roster order with their 序号, the ID number
 * masked, a column to sign and, for those shot in the open session, their
 * 拍摄序号.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "node/cli.h"
#include "node/node.h"
#include "node/signin.h"

static const char sheet_usage[] =
    "usage: gradcap session sheet [--home DIR] [--class C] [--missing]\n"
    "                             [--csv | --html | --json] [--out FILE]\n"
    "The sign-in sheet (签到表): the students of class C (default every\n"
    "class), or with --missing only those who still need a photo (the\n"
    "makeup list), in roster order with their number on the sheet (序号),\n"
    "the ID number masked and a column to sign; students shot in the open\n"
    "session show their shooting number there (拍摄序号). --html is a\n"
    "page to print (A4), --csv opens in Excel.\n";

int
gc_cmd_session_sheet(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "class", required_argument, NULL, 'c' },
		{ "missing", no_argument, NULL, 'm' },
		{ "csv", no_argument, NULL, 'C' },
		{ "html", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char      *home = NULL, *klass = NULL, *out = NULL;
	bool             missing = false;
	int              fmt = 0, c, ex; /* 0 text, 'C', 'T', 'j' */
	struct gc_node   n;
	struct gc_signin s;
	struct gc_diag   d;
	struct gc_buf    b;
	char             title[200];

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'c':
			klass = optarg;
			break;
		case 'm':
			missing = true;
			break;
		case 'C':
		case 'T':
		case 'j':
			if (fmt != 0 && fmt != c) {
				gc_cli_err("give one of --csv, --html and --json");
				return GC_EXIT_USAGE;
			}
			fmt = c;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, sheet_usage);
		}
	}
	if (optind != argc) {
		fputs(sheet_usage, stderr);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_diag_clear(&d);
	if (gc_signin_make(&n, klass, missing, &s, &d) != GC_OK) {
		gc_cli_err("%s", d.msg);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	if (s.n == 0) {
		gc_cli_err("nobody to list: %s%s%s", klass != NULL ?
		    "no student in class " : "the roster is empty", klass != NULL ?
		    klass : "", missing ? " still needs a photo" : "");
		gc_signin_free(&s);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	snprintf(title, sizeof(title), "%s%s", klass != NULL ? klass : "全部班级",
	    missing ? " · 补拍名单" : "");
	gc_buf_init(&b);
	switch (fmt) {
	case 'C':
		gc_signin_csv(&s, &b);
		break;
	case 'T':
		gc_signin_html(&s, title, &b);
		break;
	case 'j':
		gc_signin_json(&s, &b);
		gc_buf_putc(&b, '\n');
		break;
	default:
		gc_signin_text(&s, &b);
	}
	if (gc_buf_status(&b) != GC_OK) {
		gc_cli_err("the sign-in sheet: out of memory");
		ex = GC_EXIT_FAIL;
	} else if (out != NULL) {
		ex = gc_cli_write_file(out, b.data, b.len);
		if (ex == GC_EXIT_OK) {
			fprintf(stderr, "%s: sign-in sheet of %zu students\n", out,
			    s.n);
		}
	} else {
		ex = gc_cli_write(&b);
	}
	gc_buf_release(&b);
	gc_signin_free(&s);
	gc_node_close(&n);
	return ex;
}
