/* cli: the gradcap subcommands and what they share. */
#ifndef GC_NODE_CLI_H
#define GC_NODE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"

/* Exit codes (DESIGN §11). */
enum {
	GC_EXIT_OK       = 0, /* done */
	GC_EXIT_FAIL     = 1, /* operational error: I/O, unreadable input */
	GC_EXIT_USAGE    = 2, /* usage error */
	GC_EXIT_REJECTED = 3, /* done, but some items were rejected */
	GC_EXIT_VERIFY   = 4, /* verification failed */
};

/* Each subcommand gets argv with argv[0] = its own name ("id", "roster"). */
int gc_cmd_id(int argc, char **argv);
int gc_cmd_init(int argc, char **argv);
int gc_cmd_enroll(int argc, char **argv);
int gc_cmd_roster(int argc, char **argv);
int gc_cmd_log(int argc, char **argv);
int gc_cmd_status(int argc, char **argv);
int gc_cmd_sample(int argc, char **argv);
int gc_cmd_reindex(int argc, char **argv);
int gc_cmd_ui_password(int argc, char **argv);
int gc_cmd_check(int argc, char **argv);
int gc_cmd_session(int argc, char **argv);
int gc_cmd_capture(int argc, char **argv);
int gc_cmd_import_shoots(int argc, char **argv);
int gc_cmd_session_sheet(int argc, char **argv);
int gc_cmd_online(int argc, char **argv);
int gc_cmd_scan(int argc, char **argv);
int gc_cmd_sync(int argc, char **argv);
int gc_cmd_peers(int argc, char **argv);
int gc_cmd_serve(int argc, char **argv);
int gc_cmd_missing(int argc, char **argv);
int gc_cmd_conflicts(int argc, char **argv);
int gc_cmd_review(int argc, char **argv);
int gc_cmd_review_list(int argc, char **argv);
int gc_cmd_void(int argc, char **argv);
int gc_cmd_resolve(int argc, char **argv);
int gc_cmd_checkpoint(int argc, char **argv);
int gc_cmd_audit(int argc, char **argv);
int gc_cmd_export(int argc, char **argv);
/* The next line of s[*at..len) NUL-terminated into out (at most cap - 1
 * bytes); *at moves past it. false at the end, or when too long. */
bool gc_cli_next_line(const char *s, size_t len, size_t *at, char *out,
    size_t cap);

/* Parses an inclusion proof file (pf, pl bytes) and checks it against a
 * checkpoint (origin, size, root): 0 when the leaf is in the tree, its
 * bytes into leaf (*ll of them); else -1 with the reason in why. */
int gc_proof_check(const char *pf, size_t pl, const char *origin,
    uint64_t size, const uint8_t root[32], uint8_t *leaf, size_t leafcap,
    size_t *ll, char *why, size_t whylen);

/* audit verify --bundle (node/cmd_bundle.c): exit 0, or 4 naming each
 * problem. */
int gc_audit_bundle(const char *dir, const char *vkey, bool json);

/* The node directory: opt (from --home) if set, else $GRADCAP_HOME, else
 * NULL after printing a usage message. */
const char *gc_cli_home(const char *opt);

/* "gradcap: <message>\n" on stderr. */
void gc_cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line of information on stderr (no prefix). */
void gc_cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* While b is set (per thread), gc_cli_err and gc_cli_note append their
 * lines to b instead (the UI collects a command's messages); NULL: back
 * to stderr. */
void gc_cli_err_capture(struct gc_buf *b);

/* Reports a getopt_long failure: c is ':' (an option without its value)
 * or '?' (an unknown option); argv is the array given to getopt_long.
 * Returns GC_EXIT_USAGE. */
int gc_cli_option_error(int c, char **argv);

/* The default branch of a getopt_long loop whose optstring starts ":h":
 * for 'h', usage on stdout and GC_EXIT_OK; otherwise the bad option named
 * (gc_cli_option_error), usage on stderr and GC_EXIT_USAGE. */
int gc_cli_help_or_usage(int c, char **argv, const char *usage);

/* Parses the options of a command that takes only --home DIR, --json
 * (when json is not NULL) and --help, and no operands. Returns -1 to go
 * on, else the exit code to return (help printed, or a usage error). */
int gc_cli_simple_opts(int argc, char **argv, const char *usage,
    const char **home, bool *json);

/* Prints verification problems (gc_verify_cb): "BAD kind entry: what"
 * lines, or JSON objects separated by commas into b. */
struct gc_cli_verify {
	struct gc_buf *b;
	bool           json;
	size_t         n;
};
struct gc_verify_problem;
void gc_cli_verify_cb(const struct gc_verify_problem *p, void *arg);

/* A node name fit to appear in file names and messages: 1..127 bytes,
 * valid UTF-8, no '/', '\\', control characters, and no leading '.'. */
bool gc_cli_name_ok(const char *name);


/* Writes b to stdout as it is (no newline added; an empty b writes
 * nothing); GC_EXIT_FAIL if b failed. */
int gc_cli_write(const struct gc_buf *b);

/* Writes a file durably (gc_file_write, mode 0644, replacing it); says
 * why not and returns GC_EXIT_FAIL. */
int gc_cli_write_file(const char *path, const void *data, size_t len);

/* Writes b to stdout (adds a newline); GC_EXIT_FAIL if b failed. */
int gc_cli_print(struct gc_buf *b);

#endif
