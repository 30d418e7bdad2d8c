#include "common/config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gc_alloc.h"

struct cfg_item {
	char *section, *key, *value;
};

struct gc_config {
	struct cfg_item *items;
	size_t           n, cap;
	bool             nomem;
};

static int
cfg_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct gc_config *c = user;
	struct cfg_item  *it;

	if (c->n == c->cap) {
		size_t           ncap = c->cap ? c->cap * 2 : 32;
		struct cfg_item *n    = gc_realloc(c->items, ncap * sizeof(*n));

		if (n == NULL) {
			c->nomem = true;
			return 0;
		}
		c->items = n;
		c->cap   = ncap;
	}
	it          = &c->items[c->n];
	it->section = gc_strdup(section);
	it->key     = gc_strdup(name);
	it->value   = gc_strdup(value);
	if (it->section == NULL || it->key == NULL || it->value == NULL) {
		gc_free(it->section);
		gc_free(it->key);
		gc_free(it->value);
		c->nomem = true;
		return 0;
	}
	c->n++;
	return 1;
}

gc_err
gc_config_load(gc_config **out, const char *path, struct gc_diag *d)
{
	gc_config *c = gc_xzalloc(sizeof(*c));
	FILE      *f;
	int        line;

	*out = NULL;
	f    = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT) {
			*out = c;
			return GC_OK;
		}
		gc_diag_set(d, "%s: %s", path, strerror(errno));
		gc_free(c);
		return GC_EIO;
	}
	line = ini_parse_file(f, cfg_handler, c);
	fclose(f);
	if (c->nomem) {
		gc_config_free(c);
		return GC_ENOMEM;
	}
	if (line != 0) {
		gc_diag_set(d, "%s line %d: not 'key = value' or '[section]'",
		    path, line);
		gc_config_free(c);
		return GC_EINVAL;
	}
	*out = c;
	return GC_OK;
}

void
gc_config_free(gc_config *c)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		gc_free(c->items[i].section);
		gc_free(c->items[i].key);
		gc_free(c->items[i].value);
	}
	gc_free(c->items);
	gc_free(c);
}

const char *
gc_config_get(const gc_config *c, const char *section, const char *key,
    const char *def)
{
	const char *v = def;

	if (c == NULL) {
		return def;
	}
	/* the last occurrence wins, as in most INI readers */
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->items[i].section, section) == 0 &&
		    strcmp(c->items[i].key, key) == 0) {
			v = c->items[i].value;
		}
	}
	return v;
}

long
gc_config_get_int(const gc_config *c, const char *section, const char *key,
    long def)
{
	const char *v = gc_config_get(c, section, key, NULL);
	char       *end;
	long        n;

	if (v == NULL) {
		return def;
	}
	errno = 0;
	n     = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0') {
		return def;
	}
	return n;
}

bool
gc_config_get_bool(const gc_config *c, const char *section, const char *key,
    bool def)
{
	const char *v = gc_config_get(c, section, key, NULL);

	if (v == NULL) {
		return def;
	}
	if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "on")) {
		return true;
	}
	if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	    !strcasecmp(v, "off")) {
		return false;
	}
	return def;
}

void
gc_config_each(const gc_config *c, const char *section,
    void (*cb)(const char *key, const char *value, void *arg), void *arg)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->items[i].section, section) == 0) {
			cb(c->items[i].key, c->items[i].value, arg);
		}
	}
}
