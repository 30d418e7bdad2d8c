#include "node/node.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/gc_log.h"
#include "node/cli.h"
#include "node/merge_view.h"

char *
gc_passphrase_get(const char *passfile, struct gc_diag *d, bool *failed)
{
	const char *env = getenv("GRADCAP_PASSPHRASE");
	char        line[1024];
	FILE       *f;
	size_t      n;

	*failed = false;
	if (passfile != NULL) {
		f = fopen(passfile, "r");
		if (f == NULL) {
			gc_diag_set(d, "%s: %s", passfile, strerror(errno));
			*failed = true;
			return NULL;
		}
		if (fgets(line, sizeof(line), f) == NULL) {
			line[0] = '\0';
		}
		fclose(f);
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (n == 0) {
			gc_diag_set(d, "%s: empty passphrase file", passfile);
			*failed = true;
			return NULL;
		}
		{
			char *p = strdup(line);

			sodium_memzero(line, sizeof(line));
			return p;
		}
	}
	if (env != NULL && env[0] != '\0') {
		return strdup(env);
	}
	return NULL;
}

void
gc_passphrase_free(char *p)
{
	if (p != NULL) {
		sodium_memzero(p, strlen(p));
		free(p);
	}
}

int
gc_node_open(struct gc_node *n, const char *home_opt, unsigned flags,
    const char *passfile)
{
	const char    *home;
	char           path[4200];
	struct gc_diag d;
	gc_err         rv;

	memset(n, 0, sizeof(*n));
	gc_diag_clear(&d);
	home = gc_cli_home(home_opt);
	if (home == NULL) {
		return GC_EXIT_USAGE;
	}
	snprintf(n->home, sizeof(n->home), "%s", home);
	snprintf(path, sizeof(path), "%s/gradcap.ini", n->home);
	rv = gc_config_load(&n->cfg, path, &d);
	if (rv != GC_OK) {
		gc_cli_err("%s", gc_diag_msg(&d, rv));
		return GC_EXIT_FAIL;
	}
	{
		const char *lvl = gc_config_get(n->cfg, "node", "log_level",
		    NULL);
		int         l   = lvl != NULL ? gc_log_level_parse(lvl) : -1;

		if (l >= 0) {
			atomic_store(&gc_log_threshold, l);
		} else if (lvl != NULL) {
			gc_cli_err("%s: [node] log_level '%s' is not one of err, "
			    "warn, notice, info, debug; using notice", path, lvl);
		}
	}
	rv = gc_ledger_open(&n->lg, n->home,
	    (flags & GC_NODE_RDONLY) ? GC_LEDGER_RDONLY : 0, &d);
	if (rv != GC_OK) {
		gc_cli_err("%s", gc_diag_msg(&d, rv));
		gc_node_close(n);
		return GC_EXIT_FAIL;
	}
	rv = gc_ledger_info(n->lg, &n->info);
	if (rv != GC_OK) {
		gc_cli_err("%s: cannot read the node identity: %s", n->home,
		    gc_strerror(rv));
		gc_node_close(n);
		return GC_EXIT_FAIL;
	}
	if (!(flags & GC_NODE_RDONLY)) {
		struct gc_merge_opts o;
		uint8_t              rank[GC_SESSION_KIND_END];

		/* the merge is kept with this node's parameters (a bad
		 * precedence is reported by the commands that merge) */
		if (gc_merge_opts_node(n, &o, rank, &d) == GC_OK &&
		    (rv = gc_ledger_merge_params(n->lg, o.rank,
		        o.foreign_blobs_optional, &d)) != GC_OK) {
			gc_cli_err("%s", gc_diag_msg(&d, rv));
			gc_node_close(n);
			return GC_EXIT_FAIL;
		}
		gc_diag_clear(&d);
	}
	if (flags & GC_NODE_KEY) {
		bool  failed;
		char *pass = gc_passphrase_get(passfile, &d, &failed);

		if (failed) {
			gc_cli_err("%s", d.msg);
			gc_node_close(n);
			return GC_EXIT_FAIL;
		}
		snprintf(path, sizeof(path), "%s/node.key", n->home);
		rv = gc_key_load(&n->key, path, pass, &d);
		gc_passphrase_free(pass);
		if (rv == GC_OK) {
			rv = gc_ledger_set_key(n->lg, n->key);
			if (rv != GC_OK) {
				gc_diag_set(&d, "%s does not belong to this "
				    "node's ledger", path);
			}
		}
		if (rv != GC_OK) {
			gc_cli_err("%s", gc_diag_msg(&d, rv));
			gc_node_close(n);
			return GC_EXIT_FAIL;
		}
	}
	return GC_EXIT_OK;
}

void
gc_node_close(struct gc_node *n)
{
	gc_ledger_close(n->lg);
	gc_key_free(n->key);
	gc_config_free(n->cfg);
	n->lg  = NULL;
	n->key = NULL;
	n->cfg = NULL;
}
