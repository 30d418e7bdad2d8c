/*
 * gradcap online invite [--class C] [--missing] [--student REF]...
 *     [--portal URL] --out FILE.csv|FILE.xlsx [--sheet FILE.html]:
 * the coordinator's invitations to online capture (node/online_invite.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "node/cli.h"
#include "node/node.h"
#include "node/online_invite.h"

static const char online_usage[] =
    "usage: gradcap online invite [--home DIR] [--class C] [--missing]\n"
    "           [--student REF]... [--portal URL] --out FILE.csv|FILE.xlsx\n"
    "           [--sheet FILE.html] [--passphrase-file F]\n"
    "A new sign-in code for each student of class C (default every class),\n"
    "only those who still need a photo with --missing, or the students\n"
    "named by --student (ID number, 学号 or 考生号). The codes' hashes go\n"
    "into one signed INVITE entry, which replaces each student's earlier\n"
    "code; the codes themselves are only in --out (the list, with each\n"
    "student's link when the portal's URL is known: --portal, or [online]\n"
    "portal_url) and --sheet (a page of QR codes to print). Both files\n"
    "sign students in: they are written readable by their owner only.\n";

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && strcasecmp(s + n - k, tail) == 0;
}

static int
write_private(const char *path, const struct gc_buf *b)
{
	char why[256];

	if (gc_file_write(path, b->data, b->len, 0, 0600, why,
	    sizeof(why)) != 0) {
		gc_cli_err("%s: %s", path, why);
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}

static int
invite(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "class", required_argument, NULL, 'c' },
		{ "missing", no_argument, NULL, 'm' },
		{ "student", required_argument, NULL, 's' },
		{ "portal", required_argument, NULL, 'u' },
		{ "out", required_argument, NULL, 'o' },
		{ "sheet", required_argument, NULL, 'S' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char           *home = NULL, *out = NULL, *sheet = NULL;
	const char           *passfile = NULL;
	const char          **refs = NULL;
	struct gc_invite_opts o;
	struct gc_invites     iv;
	struct gc_node        n;
	struct gc_diag        d;
	struct gc_buf         b;
	int                   c, ex;
	char                  title[160];

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'c':
			o.klass = optarg;
			break;
		case 'm':
			o.missing = true;
			break;
		case 's':
			refs = gc_xrealloc(refs, (o.nrefs + 1) * sizeof(*refs));
			refs[o.nrefs++] = optarg;
			break;
		case 'u':
			o.portal = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'S':
			sheet = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		default:
			gc_free(refs);
			return gc_cli_help_or_usage(c, argv, online_usage);
		}
	}
	o.refs = refs;
	if (optind != argc || out == NULL || !(ends_with(out, ".csv") ||
	    ends_with(out, ".xlsx")) || (sheet != NULL &&
	    !ends_with(sheet, ".html"))) {
		gc_free(refs);
		if (out != NULL && optind == argc) {
			gc_cli_err("--out %s: give a .csv or .xlsx file (and "
			    "--sheet a .html file)", out);
		} else {
			fputs(online_usage, stderr);
		}
		return GC_EXIT_USAGE;
	}
	if (o.portal != NULL && strncmp(o.portal, "https://", 8) != 0 &&
	    strncmp(o.portal, "http://", 7) != 0) {
		gc_cli_err("--portal %s: give the portal's address, "
		    "https://HOST[/PATH]", o.portal);
		gc_free(refs);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, home, GC_NODE_KEY, passfile);
	if (ex != GC_EXIT_OK) {
		gc_free(refs);
		return ex;
	}
	if (n.info.role != GC_ROLE_COORDINATOR) {
		gc_cli_err("only the coordinator invites students; this node is "
		    "a %s", gc_role_name(n.info.role));
		gc_node_close(&n);
		gc_free(refs);
		return GC_EXIT_FAIL;
	}
	if (o.portal == NULL) {
		o.portal = gc_config_get(n.cfg, "online", "portal_url", NULL);
	}
	gc_diag_clear(&d);
	if (gc_invite_make(&n, &o, &iv, &d) != GC_OK) {
		gc_cli_err("%s", d.msg);
		gc_node_close(&n);
		gc_free(refs);
		return GC_EXIT_FAIL;
	}
	gc_buf_init(&b);
	if (ends_with(out, ".xlsx")) {
		ex = gc_invites_xlsx(&iv, out, &d) == GC_OK &&
		    chmod(out, 0600) == 0 ? GC_EXIT_OK : GC_EXIT_FAIL;
		if (ex != GC_EXIT_OK) {
			gc_cli_err("%s", d.msg);
		}
	} else {
		gc_invites_csv(&iv, &b);
		ex = write_private(out, &b);
	}
	if (ex == GC_EXIT_OK && sheet != NULL) {
		snprintf(title, sizeof(title), "%s", o.klass != NULL ? o.klass :
		    "全部班级");
		gc_buf_reset(&b);
		if (gc_invites_sheet(&iv, title, &b, &d) != GC_OK) {
			gc_cli_err("%s: %s", sheet, d.msg);
			ex = GC_EXIT_FAIL;
		} else {
			ex = write_private(sheet, &b);
		}
	}
	/* the files first: a code is signed only once it is written down */
	if (ex == GC_EXIT_OK && gc_invite_store(&n, &o, &iv, &d) != GC_OK) {
		gc_cli_err("the invitation could not be signed (%s): nothing "
		    "changed, the students' earlier codes still work", d.msg);
		unlink(out);
		if (sheet != NULL) {
			unlink(sheet);
		}
		ex = GC_EXIT_FAIL;
	} else if (ex == GC_EXIT_OK) {
		printf("invited %zu students: their codes are in %s%s%s%s\n"
		       "keep %s safe: %s students in; an earlier code of "
		       "theirs no longer works\n", iv.n, out, sheet ? " and " : "",
		    sheet ? sheet : "", o.portal ? "" : " (no links: give "
		    "--portal or [online] portal_url)", sheet ? "them" : "it",
		    sheet ? "they sign" : "it signs");
	}
	sodium_memzero(b.data, b.len);
	gc_buf_release(&b);
	gc_invites_free(&iv);
	gc_node_close(&n);
	gc_free(refs);
	return ex;
}

int
gc_cmd_online(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(online_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? GC_EXIT_USAGE : GC_EXIT_OK;
	}
	if (strcmp(argv[1], "invite") == 0) {
		return invite(argc - 1, argv + 1);
	}
	gc_cli_err("online: unknown verb '%s'", argv[1]);
	fputs(online_usage, stderr);
	return GC_EXIT_USAGE;
}
