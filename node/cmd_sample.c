/* gradcap sample roster: a deterministic made-up roster (common/sample.h)
 * for the demo and the tests. Needs no node directory. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/sample.h"
#include "node/cli.h"

static void
sample_usage(FILE *f)
{
	fprintf(f,
	    "usage: gradcap sample roster [--count N] [--seed S] [--bom] "
	    "[--out FILE]\n"
	    "\n"
	    "Writes a made-up student roster as UTF-8 CSV (header 学号,姓名,...).\n"
	    "The same count and seed always give the same file.\n"
	    "\n"
	    "  --count N   rows, 0..%u (default 300)\n"
	    "  --seed S    PRNG seed, an unsigned 64-bit integer (default 1)\n"
	    "  --bom       start with a UTF-8 BOM (as Excel writes)\n"
	    "  --out FILE  write to FILE instead of stdout\n",
	    GC_SAMPLE_MAX_ROWS);
}

/* Parses an unsigned decimal (or 0x hex) integer no larger than max. */
static bool
sample_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char              *end;
	unsigned long long x;

	if (s[0] < '0' || s[0] > '9') {
		return false; /* no sign, no spaces */
	}
	errno = 0;
	x     = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || x > max) {
		return false;
	}
	*v = (uint64_t)x;
	return true;
}

/* Writes all of b to f; false with errno set on failure. */
static bool
sample_write(FILE *f, const struct gc_buf *b)
{
	if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len) {
		return false;
	}
	return fflush(f) == 0;
}

/*
 * gradcap sample roster [--count N] [--seed S] [--bom] [--out FILE];
 * argv[0] is "sample". Exit: GC_EXIT_OK, GC_EXIT_USAGE for bad arguments,
 * GC_EXIT_FAIL when the roster cannot be built or written.
 */
int
gc_cmd_sample(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "bom", no_argument, NULL, 'b' },
		{ "out", required_argument, NULL, 'o' },
		{ "home", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gc_buf out;
	uint64_t      count = 300, seed = 1;
	int           flags = 0, c, sub_argc;
	char        **sub_argv;
	const char   *path = NULL;
	FILE         *f;
	gc_err        err;
	bool          ok;

	if (argc < 2) {
		sample_usage(stderr);
		return GC_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		sample_usage(stdout);
		return GC_EXIT_OK;
	}
	if (strcmp(argv[1], "roster") != 0) {
		gc_cli_err("unknown 'sample' subcommand '%s' (try 'gradcap "
		           "sample --help')", argv[1]);
		return GC_EXIT_USAGE;
	}
	sub_argc = argc - 1;
	sub_argv = argv + 1;
	optind   = 0; /* glibc: full re-initialisation */
	opterr   = 0;
	while ((c = getopt_long(sub_argc, sub_argv, ":n:s:bo:h", opts,
	            NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!sample_parse_u64(optarg, GC_SAMPLE_MAX_ROWS,
			        &count)) {
				gc_cli_err("--count must be 0..%u, not '%s'",
				    GC_SAMPLE_MAX_ROWS, optarg);
				return GC_EXIT_USAGE;
			}
			break;
		case 's':
			if (!sample_parse_u64(optarg, UINT64_MAX, &seed)) {
				gc_cli_err("--seed must be an unsigned 64-bit "
				           "integer, not '%s'", optarg);
				return GC_EXIT_USAGE;
			}
			break;
		case 'b':
			flags |= GC_SAMPLE_BOM;
			break;
		case 'o':
			path = optarg;
			break;
		case 'H':
			break; /* accepted everywhere; sample needs no node */
		case 'h':
			sample_usage(stdout);
			return GC_EXIT_OK;
		default:
			c = gc_cli_option_error(c, sub_argv);
			sample_usage(stderr);
			return c;
		}
	}
	if (optind < sub_argc) {
		gc_cli_err("unexpected argument '%s'", sub_argv[optind]);
		return GC_EXIT_USAGE;
	}
	gc_buf_init(&out);
	err = gc_sample_roster_csv(&out, (unsigned)count, seed, flags);
	if (err != GC_OK) {
		gc_cli_err("cannot build the sample roster: %s",
		    gc_strerror(err));
		gc_buf_release(&out);
		return GC_EXIT_FAIL;
	}
	if (path == NULL) {
		ok = sample_write(stdout, &out);
		if (!ok) {
			gc_cli_err("writing to stdout: %s", strerror(errno));
		}
	} else {
		f = fopen(path, "wb");
		if (f == NULL) {
			gc_cli_err("cannot create %s: %s", path,
			    strerror(errno));
			gc_buf_release(&out);
			return GC_EXIT_FAIL;
		}
		ok = sample_write(f, &out);
		if (fclose(f) != 0) {
			ok = false;
		}
		if (!ok) {
			gc_cli_err("writing %s: %s", path, strerror(errno));
		}
	}
	gc_buf_release(&out);
	return ok ? GC_EXIT_OK : GC_EXIT_FAIL;
}
