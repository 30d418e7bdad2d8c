/* gradcap id check: validate identity numbers (domain.md §3, rules 22–26)
 * without a node directory. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/idnum.h"
#include "node/cli.h"

static void
id_usage(FILE *f)
{
	fprintf(f,
	    "usage: gradcap id check [--json] [--type CODE] NUMBER...\n"
	    "\n"
	    "Checks identity numbers: 18-digit 身份证 (MOD 11-2, birth date,\n"
	    "province), 15-digit numbers (needs 升位), HK/Macao and Taiwan\n"
	    "permits, residence permits, permanent residence cards, passports,\n"
	    "military documents (--type 2-5: letters, digits, '-' and Chinese\n"
	    "characters, e.g. 南字第0123456号), 户口簿 (B: checked as a 身份证\n"
	    "number) and 其他 (Z: printable ASCII and Chinese characters).\n"
	    "\n"
	    "  --json       print one JSON array, one object per number\n"
	    "  --type CODE  证件类型 for every number: a code (1 6 7 8 9 A B Z\n"
	    "               2-5) or a name (居民身份证, 护照, 台胞证, ...);\n"
	    "               default: inferred from each number's shape\n"
	    "  --help       this text\n"
	    "\n"
	    "Exit status: 0 all valid, 3 some invalid, 2 usage error.\n");
}

/* Human output: control bytes of the raw input escaped as \xNN. */
static void
id_put_raw(struct gc_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	     p++) {
		if (*p < 0x20 || *p == 0x7F) {
			gc_buf_printf(b, "\\x%02X", (unsigned)*p);
		} else {
			gc_buf_putc(b, *p);
		}
	}
}

static void
id_put_human(struct gc_buf *b, const char *input, const struct gc_idnum *r)
{
	if (!r->valid) {
		gc_buf_puts(b, "INVALID  ");
		id_put_raw(b, input);
		gc_buf_printf(b, "  %s\n", r->reason);
		return;
	}
	gc_buf_printf(b, "VALID  %s  %s", r->normalized,
	    gc_idnum_kind_name(r->kind));
	if (r->birth[0] != '\0') {
		gc_buf_printf(b, "  %s %c", r->birth, r->sex ? r->sex : '?');
	}
	if (r->needs_upgrade) {
		gc_buf_printf(b, "  needs 升位: candidate %s", r->upgraded);
	}
	gc_buf_putc(b, '\n');
}

/* A string key, or null when s is empty. */
static void
id_json_opt(struct gc_buf *b, const char *key, const char *s)
{
	gc_buf_printf(b, ",\"%s\":", key);
	gc_json_str(b, s[0] != '\0' ? s : NULL);
}

static void
id_put_json(struct gc_buf *b, const char *input, const struct gc_idnum *r)
{
	char code[2] = { r->type_code, '\0' };
	char sex[2]  = { r->sex, '\0' };

	gc_buf_puts(b, "{\"input\":");
	gc_json_str(b, input);
	gc_buf_printf(b, ",\"valid\":%s", r->valid ? "true" : "false");
	id_json_opt(b, "normalized", r->normalized);
	gc_buf_puts(b, ",\"type\":");
	gc_json_str(b, gc_idnum_kind_name(r->kind));
	id_json_opt(b, "type_code", code);
	id_json_opt(b, "reason", r->reason);
	id_json_opt(b, "birth", r->birth);
	id_json_opt(b, "sex", sex);
	gc_buf_printf(b, ",\"needs_upgrade\":%s",
	    r->needs_upgrade ? "true" : "false");
	id_json_opt(b, "upgraded", r->upgraded);
	gc_buf_putc(b, '}');
}

/*
 * gradcap id check [--json] [--type CODE] NUMBER...; argv[0] is "id".
 * Exit: GC_EXIT_OK all valid, GC_EXIT_REJECTED some invalid,
 * GC_EXIT_USAGE for bad arguments, GC_EXIT_FAIL if output fails.
 */
int
gc_cmd_id(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "type", required_argument, NULL, 't' },
		{ "home", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gc_buf   out;
	struct gc_idnum r;
	bool            json = false, any_invalid = false;
	char            type = 0;
	int             c, sub_argc, rv;
	char          **sub_argv;

	if (argc < 2) {
		id_usage(stderr);
		return GC_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		id_usage(stdout);
		return GC_EXIT_OK;
	}
	if (strcmp(argv[1], "check") != 0) {
		gc_cli_err("unknown 'id' subcommand '%s' (try 'gradcap id "
		           "--help')", argv[1]);
		return GC_EXIT_USAGE;
	}
	sub_argc = argc - 1;
	sub_argv = argv + 1;
	optind   = 0; /* glibc: full re-initialisation */
	opterr   = 0;
	while ((c = getopt_long(sub_argc, sub_argv, ":jt:h", opts, NULL)) !=
	    -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 't':
			type = gc_idnum_type_parse(optarg);
			if (type == 0) {
				gc_cli_err("unknown 证件类型 '%s' (codes "
				           "1-9, A, B, Z or a name such as "
				           "居民身份证)", optarg);
				return GC_EXIT_USAGE;
			}
			break;
		case 'H':
			break; /* accepted everywhere; id needs no node */
		case 'h':
			id_usage(stdout);
			return GC_EXIT_OK;
		default:
			c = gc_cli_option_error(c, sub_argv);
			id_usage(stderr);
			return c;
		}
	}
	if (optind >= sub_argc) {
		gc_cli_err("no numbers given");
		id_usage(stderr);
		return GC_EXIT_USAGE;
	}
	gc_buf_init(&out);
	if (json) {
		gc_buf_puts(&out, "[");
	}
	for (int i = optind; i < sub_argc; i++) {
		if (gc_idnum_check(&r, sub_argv[i], type, 0) != GC_OK) {
			any_invalid = true;
		}
		if (json) {
			gc_buf_puts(&out, i > optind ? ",\n" : "\n");
			id_put_json(&out, sub_argv[i], &r);
		} else {
			id_put_human(&out, sub_argv[i], &r);
		}
	}
	if (json) {
		gc_buf_puts(&out, "\n]\n");
	}
	rv = gc_cli_print(&out);
	gc_buf_release(&out);
	if (rv != GC_EXIT_OK) {
		return rv;
	}
	return any_invalid ? GC_EXIT_REJECTED : GC_EXIT_OK;
}
