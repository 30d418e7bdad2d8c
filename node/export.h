/* export: the CHSI package (node/export_chsi.c, docs/export.md), shared
 * by `gradcap export` (node/cmd_export.c) and the UI's export
 * (node/ui_api.c); the shared parts are in node/export.c, the signed
 * folder in node/export_bundle.c. */
#ifndef GC_NODE_EXPORT_H
#define GC_NODE_EXPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "node/node.h"

struct gc_export_opts {
	const char *out;    /* a new or empty folder */
	const char *level;  /* NULL: every 层次 */
	const char *season; /* NULL: "-" in the trusted comment */
	bool        allow;  /* --allow-conflicts */
	bool        quiet;  /* no summary on stdout */
};

/* Students written so far of those exported (total, once known). */
struct gc_export_progress {
	atomic_size_t done, total, photos;
};

/* Writes the package with np (opened with its key; the coordinator);
 * messages through gc_cli_err / gc_cli_note. A CLI exit code. */
int gc_export_run(struct gc_node *np, const struct gc_export_opts *o,
    struct gc_export_progress *pg);

/* The CHSI package itself (what gc_export_run writes). */
int gc_export_chsi_run(struct gc_node *np, const struct gc_export_opts *o,
    struct gc_export_progress *pg);

#endif
