/* node: what every subcommand does first: find the home directory, read
 * gradcap.ini, open the ledger, and (for writers) load the key. */
#ifndef GC_NODE_NODE_H
#define GC_NODE_NODE_H

#include <stdbool.h>

#include "common/config.h"
#include "common/keys.h"
#include "common/ledger.h"

struct gc_node {
	char                  home[4096];
	gc_config            *cfg;
	gc_ledger            *lg;
	struct gc_key        *key;
	struct gc_ledger_info info;
};

enum gc_node_flags {
	GC_NODE_KEY    = 1 << 0, /* load the signing key */
	GC_NODE_RDONLY = 1 << 1, /* open the ledger read-only */
};

/*
 * gc_node_open opens the node at home_opt (or $GRADCAP_HOME). With
 * GC_NODE_KEY the key is loaded, unsealed with the passphrase from
 * passfile or $GRADCAP_PASSPHRASE. Prints a clear message and returns an
 * exit code (GC_EXIT_OK on success).
 */
int  gc_node_open(struct gc_node *n, const char *home_opt, unsigned flags,
     const char *passfile);
void gc_node_close(struct gc_node *n);

/* Reads a passphrase: the first line of passfile, else $GRADCAP_PASSPHRASE,
 * else NULL. The result is malloc'd (free it with gc_passphrase_free). */
char *gc_passphrase_get(const char *passfile, struct gc_diag *d, bool *failed);
void  gc_passphrase_free(char *p);

#endif
