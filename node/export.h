/* export: the CHSI package (node/export_chsi.c) and the school's
 * (node/export_school.c), docs/export.md; shared by `gradcap export`
 * (node/cmd_export.c) and the UI's export (node/ui_api.c). The shared
 * parts are in node/export.c, the signed folder in node/export_bundle.c. */
#ifndef GC_NODE_EXPORT_H
#define GC_NODE_EXPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "node/node.h"

/* Who the package is for: `--for chsi|school`. */
enum gc_export_target {
	GC_EXPORT_CHSI = 0, /* photos by 证件号码, for 学信网 (the default) */
	GC_EXPORT_SCHOOL,   /* photos by 学号, the roster and makeup list */
};

/* "chsi" or "school"; false for anything else. */
bool gc_export_target_parse(const char *s, enum gc_export_target *out);

struct gc_export_opts {
	enum gc_export_target target;
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

/* Writes the package for o->target with np (opened with its key; the
 * coordinator); messages through gc_cli_err / gc_cli_note. A CLI exit
 * code. */
int gc_export_run(struct gc_node *np, const struct gc_export_opts *o,
    struct gc_export_progress *pg);

/* The two packages (what gc_export_run writes for o->target). */
int gc_export_chsi_run(struct gc_node *np, const struct gc_export_opts *o,
    struct gc_export_progress *pg);
int gc_export_school_run(struct gc_node *np, const struct gc_export_opts *o,
    struct gc_export_progress *pg);

#endif
