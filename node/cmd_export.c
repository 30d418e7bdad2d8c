/* gradcap export --out DIR [--allow-conflicts] [--level 层次] ...: the
 * command; the packages are written by node/export_chsi.c (the CHSI
 * package) through node/export.c (docs/export.md). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "node/cli.h"
#include "node/export.h"
#include "node/node.h"

static const char export_usage[] =
    "usage: gradcap export --out DIR [--for chsi|school] [--home DIR]\n"
    "                      [--allow-conflicts] [--level 层次] [--season TEXT]\n"
    "                      [--passphrase-file F]\n"
    "Writes the CHSI package (--for chsi, the default) to DIR (new or\n"
    "empty): the photos of every APPROVED student named by 证件号码, the\n"
    "roster sheet (.csv and .xlsx), a new signed checkpoint with a proof per\n"
    "student, MANIFEST and its minisign signature. --for school writes the\n"
    "school's package instead: the photos named by 学号, the roster sheet\n"
    "for the school's systems, the 补(散)拍 list (makeup.xlsx) and, when\n"
    "gradcap.ini says [export] makeup_proof = yes, a 补(散)拍 proof per\n"
    "student who still needs a photo (makeup-proofs.pdf). --level exports\n"
    "the students of one 层次 only (needed when one 证件号码 is on the roster\n"
    "at two levels). Unresolved conflicts, and alerts (one photo or capture\n"
    "code bound to two students), stop it unless --allow-conflicts, which\n"
    "leaves those students' photos out.\n";

int
gc_cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "out", required_argument, NULL, 'o' },
		{ "allow-conflicts", no_argument, NULL, 'a' },
		{ "season", required_argument, NULL, 's' },
		{ "level", required_argument, NULL, 'l' },
		{ "for", required_argument, NULL, 'f' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char      *home = NULL, *out = NULL, *passfile = NULL;
	const char      *season = NULL, *level = NULL;
	bool             allow = false;
	enum gc_export_target target = GC_EXPORT_CHSI;
	struct gc_node   n;
	struct gc_export_opts eo;
	char             path[4300];
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
		case 'l':
			level = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		case 'f':
			if (!gc_export_target_parse(optarg, &target)) {
				gc_cli_err("--for %s: give chsi (the 学信网 "
				    "package) or school (the school's)", optarg);
				fputs(export_usage, stderr);
				return GC_EXIT_USAGE;
			}
			break;
		default:
			return gc_cli_help_or_usage(c, argv, export_usage);
		}
	}
	if (out == NULL || optind != argc) {
		fputs(export_usage, stderr);
		return GC_EXIT_USAGE;
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
	memset(&eo, 0, sizeof(eo));
	eo.out    = out;
	eo.level  = level;
	eo.season = season;
	eo.allow  = allow;
	eo.target = target;
	ex = gc_export_run(&n, &eo, NULL);
	gc_node_close(&n);
	return ex;
}
