/* gradcap init: a new node: its Ed25519 key, gradcap.ini, and the ledger. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/keys.h"
#include "common/ledger.h"
#include "node/cli.h"
#include "node/node.h"
#include "sync/tls.h"

static const char init_usage[] =
    "usage: gradcap init [--home DIR]\n"
    "                    --role coordinator|site|reviewer|auditor|online\n"
    "                    --school CODE --name NAME [--seal] "
    "[--passphrase-file F]\n"
    "  --school   the 5-digit 学校代码 (e.g. 10335)\n"
    "  --name     this node's name (site name, e.g. 紫金港东区)\n"
    "  --seal     seal the key with a passphrase (from --passphrase-file or\n"
    "             $GRADCAP_PASSPHRASE); every signing command then needs it\n";

static bool
school_code_ok(const char *s)
{
	if (strlen(s) != 5) {
		return false;
	}
	for (int i = 0; i < 5; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return true;
}

static int
write_ini(const char *home, enum gc_role role, const char *school,
    const char *name)
{
	char  path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/gradcap.ini", home);
	f = fopen(path, "wx");
	if (f == NULL) {
		gc_cli_err("%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f,
	    "; gradcap node configuration. Every setting has a safe default.\n"
	    "; The node's identity (role, school, name, key) is in the signed\n"
	    "; ledger, not here: editing these lines does not change it.\n"
	    "[node]\n"
	    "; role = %s\n"
	    "; school = %s\n"
	    "; name = %s\n"
	    "; log level: err, warn, notice, info, debug\n"
	    "log_level = notice\n"
	    "\n"
	    "[roster]\n"
	    "; 层次 used when a roster file has no 层次 column:\n"
	    "; level = 本科\n"
	    "\n"
	    "[roster.columns]\n"
	    "; the header text of a column when it is not one of the built-in\n"
	    "; names (姓名/XM, 证件号码/SFZH, 学号/XH, 班级/BH, ...):\n"
	    "; id_number = 公民身份号码\n"
	    "; class = 行政班\n",
	    gc_role_name(role), school, name);
	if (fclose(f) != 0) {
		gc_cli_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
gc_cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "role", required_argument, NULL, 'r' },
		{ "school", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "seal", no_argument, NULL, 'S' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char    *home = NULL, *school = NULL, *name = NULL;
	const char    *passfile = NULL;
	enum gc_role   role     = GC_ROLE_NONE;
	bool           seal     = false, failed;
	char          *pass     = NULL;
	char           path[4200], hex[65];
	struct gc_key *key = NULL;
	struct gc_diag d;
	gc_err         rv;
	int            c;

	gc_diag_clear(&d);
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'r':
			role = gc_role_parse(optarg);
			if (role == GC_ROLE_NONE) {
				gc_cli_err("--role %s: use coordinator, site, "
				    "reviewer, auditor or online", optarg);
				return GC_EXIT_USAGE;
			}
			break;
		case 's':
			school = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'S':
			seal = true;
			break;
		case 'P':
			passfile = optarg;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, init_usage);
		}
	}
	home = gc_cli_home(home);
	if (home == NULL) {
		return GC_EXIT_USAGE;
	}
	if (role == GC_ROLE_NONE || school == NULL || name == NULL ||
	    optind != argc) {
		fputs(init_usage, stderr);
		return GC_EXIT_USAGE;
	}
	if (!school_code_ok(school)) {
		gc_cli_err("--school %s: a 学校代码 is 5 digits", school);
		return GC_EXIT_USAGE;
	}
	if (!gc_cli_name_ok(name)) {
		gc_cli_err("--name '%s': give a plain name of 1 to %d bytes of "
		    "UTF-8 (no '/', no leading '.' or '-', no control "
		    "characters)", name, GC_NAME_MAX - 1);
		return GC_EXIT_USAGE;
	}
	if (mkdir(home, 0700) != 0 && errno != EEXIST) {
		gc_cli_err("%s: %s", home, strerror(errno));
		return GC_EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/node.key", home);
	if (access(path, F_OK) == 0) {
		gc_cli_err("%s already holds a node (%s exists); a reinstall "
		    "needs a new directory and a new enrollment", home, path);
		return GC_EXIT_FAIL;
	}
	if (seal) {
		pass = gc_passphrase_get(passfile, &d, &failed);
		if (pass == NULL) {
			gc_cli_err("%s", failed ? d.msg : "--seal needs a "
			    "passphrase: --passphrase-file F or "
			    "$GRADCAP_PASSPHRASE");
			return GC_EXIT_USAGE;
		}
	}
	rv = gc_key_generate(&key, NULL);
	if (rv == GC_OK) {
		rv = gc_key_save(key, path, pass, &d);
	}
	gc_passphrase_free(pass);
	if (rv == GC_OK && write_ini(home, role, school, name) != 0) {
		rv = GC_EIO;
	}
	if (rv == GC_OK) {
		/* the TLS identity for sync: its certificate goes into the
		 * node's enrollment (a coordinator's own, at seq 1) */
		rv = gc_tls_ident_create(home, school, key->pk, &d);
	}
	if (rv == GC_OK) {
		struct gc_tls_ident tls;

		rv = gc_tls_ident_load(&tls, home, &d);
		if (rv == GC_OK) {
			rv = gc_ledger_create(home, key, role, school, name,
			    tls.der, tls.der_len, &d);
		}
		gc_tls_ident_release(&tls);
	}
	if (rv == GC_OK) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/node.pub", home);
		f = fopen(path, "w");
		if (f != NULL) {
			gc_hex_encode(hex, key->pk, 32);
			fprintf(f, "%s\n", hex);
			fclose(f);
		}
	}
	if (rv != GC_OK) {
		gc_cli_err("init %s: %s", home, gc_diag_msg(&d, rv));
		gc_key_free(key);
		return GC_EXIT_FAIL;
	}
	gc_hex_encode(hex, key->pk, 32);
	printf("initialised %s node '%s' of school %s in %s\n"
	       "feed key %s%s\n",
	    gc_role_name(role), name, school, home, hex,
	    seal ? " (sealed by passphrase)" : "");
	if (role == GC_ROLE_COORDINATOR) {
		printf("this node is the school authority: enroll sites with "
		       "'gradcap enroll sign REQUEST'\n");
	} else {
		printf("next: 'gradcap enroll request' and take the file to the "
		       "coordinator\n");
	}
	gc_key_free(key);
	return GC_EXIT_OK;
}
