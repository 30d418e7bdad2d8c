/* config: <home>/gradcap.ini read with inih. Every setting has a safe
 * default, so a missing key is never an error; a malformed file is. */
#ifndef GC_COMMON_CONFIG_H
#define GC_COMMON_CONFIG_H

#include <stdbool.h>

#include "common/gc_err.h"

typedef struct gc_config gc_config;

/* Reads path. A missing file gives an empty config (GC_OK). A syntax error
 * is GC_EINVAL with d naming the file and line. */
gc_err gc_config_load(gc_config **out, const char *path, struct gc_diag *d);
void   gc_config_free(gc_config *c); /* NULL-safe */

/* The value of key in section, or def. Borrowed until gc_config_free. */
const char *gc_config_get(const gc_config *c, const char *section,
    const char *key, const char *def);
long gc_config_get_int(const gc_config *c, const char *section,
    const char *key, long def);
bool gc_config_get_bool(const gc_config *c, const char *section,
    const char *key, bool def);

/* Calls cb for each key of section, in file order. */
void gc_config_each(const gc_config *c, const char *section,
    void (*cb)(const char *key, const char *value, void *arg), void *arg);

#endif
