/* gradcap: one executable, git-style subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "node/cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "init", gc_cmd_init, "create a node: keys, config, ledger" },
	{ "enroll", gc_cmd_enroll, "request | sign | install an enrollment" },
	{ "id", gc_cmd_id, "check identity numbers" },
	{ "roster", gc_cmd_roster, "import | list | show the student roster" },
	{ "check", gc_cmd_check, "check photos against the spec (--normalize "
	    "to frame them)" },
	{ "session", gc_cmd_session, "open | close | status a capture session" },
	{ "capture", gc_cmd_capture, "check a shot and store it, bound to a "
	    "student" },
	{ "import-shoots", gc_cmd_import_shoots, "import studio/online photos "
	    "named by ID number or 学号" },
	{ "online", gc_cmd_online, "invitations to online capture, the "
	    "students' notices and checks (online invite | notices | checks)" },
	{ "scan", gc_cmd_scan, "read QR codes and barcodes shown to the camera" },
	{ "missing", gc_cmd_missing, "who still needs a photo (makeup list)" },
	{ "conflicts", gc_cmd_conflicts, "students with several photos; "
	    "alerts" },
	{ "review", gc_cmd_review, "approve | reject a capture" },
	{ "void", gc_cmd_void, "withdraw a capture, with a reason" },
	{ "resolve", gc_cmd_resolve, "name the photo of a conflict "
	    "(coordinator)" },
	{ "checkpoint", gc_cmd_checkpoint, "sign the authoritative set "
	    "(coordinator)" },
	{ "audit", gc_cmd_audit, "verify | key | prove STUDENT | check-proof" },
	{ "export", gc_cmd_export, "the CHSI package, signed (coordinator)" },
	{ "serve", gc_cmd_serve, "accept peers and sync in the background" },
	{ "sync", gc_cmd_sync, "one full exchange with a peer, both ways" },
	{ "peers", gc_cmd_peers, "each peer: last sync, pending, last error" },
	{ "log", gc_cmd_log, "show, dump (--raw) or verify the signed ledger" },
	{ "status", gc_cmd_status, "what this node holds; the merged view" },
	{ "sample", gc_cmd_sample, "write a sample roster (demo and tests)" },
	{ "reindex", gc_cmd_reindex, "rebuild derived indexes from entries" },
	{ "ui-password", gc_cmd_ui_password, "hash a passphrase for the UI "
	    "([ui] password_hash)" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: gradcap <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].help);
	}
	fprintf(f, "\nEvery command takes --home DIR (default $GRADCAP_HOME)."
	           "\n'gradcap <command> --help' for a command's options.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return GC_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return GC_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("gradcap %s\n", GC_VERSION);
		return GC_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	gc_cli_err("unknown command '%s' (try 'gradcap --help')", argv[1]);
	return GC_EXIT_USAGE;
}

const char *
gc_cli_home(const char *opt)
{
	const char *env;

	if (opt != NULL && opt[0] != '\0') {
		return opt;
	}
	env = getenv("GRADCAP_HOME");
	if (env != NULL && env[0] != '\0') {
		return env;
	}
	gc_cli_err("no node directory: pass --home DIR or set GRADCAP_HOME");
	return NULL;
}

/* Where this thread's messages go: stderr, or a buffer (the UI). */
static _Thread_local struct gc_buf *err_sink;

void
gc_cli_err_capture(struct gc_buf *b)
{
	err_sink = b;
}

static void
say(const char *prefix, const char *fmt, va_list ap)
{
	if (err_sink != NULL) {
		char line[2048];

		vsnprintf(line, sizeof(line), fmt, ap);
		gc_buf_printf(err_sink, "%s%s\n", prefix, line);
		return;
	}
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
gc_cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("gradcap: ", fmt, ap);
	va_end(ap);
}

void
gc_cli_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

bool
gc_cli_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= 128 || name[0] == '.' || name[0] == '-') {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
			return false;
		}
	}
	return gc_utf8_valid((const uint8_t *)name, n);
}

int
gc_cli_option_error(int c, char **argv)
{
	if (c == ':') {
		gc_cli_err("option '%s' needs a value", argv[optind - 1]);
	} else if (optopt != 0) {
		gc_cli_err("unknown option '-%c'", optopt);
	} else {
		gc_cli_err("unknown option '%s'", argv[optind - 1]);
	}
	return GC_EXIT_USAGE;
}

int
gc_cli_help_or_usage(int c, char **argv, const char *usage)
{
	if (c == 'h') {
		fputs(usage, stdout);
		return GC_EXIT_OK;
	}
	c = gc_cli_option_error(c, argv);
	fputs(usage, stderr);
	return c;
}

int
gc_cli_print(struct gc_buf *b)
{
	if (gc_buf_status(b) != GC_OK) {
		gc_cli_err("out of memory formatting output");
		return GC_EXIT_FAIL;
	}
	fwrite(b->data, 1, b->len, stdout);
	if (b->len == 0 || b->data[b->len - 1] != '\n') {
		fputc('\n', stdout);
	}
	return fflush(stdout) == 0 ? GC_EXIT_OK : GC_EXIT_FAIL;
}

int
gc_cli_simple_opts(int argc, char **argv, const char *usage,
    const char **home, bool *json)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'H') {
			*home = optarg;
		} else if (c == 'j' && json != NULL) {
			*json = true;
		} else {
			if (c == 'j') {
				c = '?';
				optopt = 0;
			}
			return gc_cli_help_or_usage(c, argv, usage);
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return GC_EXIT_USAGE;
	}
	return -1;
}

int
gc_cli_write(const struct gc_buf *b)
{
	if (gc_buf_status(b) != GC_OK) {
		gc_cli_err("out of memory formatting output");
		return GC_EXIT_FAIL;
	}
	if (b->len > 0 && fwrite(b->data, 1, b->len, stdout) != b->len) {
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}

int
gc_cli_write_file(const char *path, const void *data, size_t len)
{
	char why[160];

	if (gc_file_write(path, data, len, 0, 0644, why, sizeof(why)) != 0) {
		gc_cli_err("%s: %s", path, why);
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}
