#include "capture/profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
gc_profile_default(struct gc_profile *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "default");
	p->out_w         = 480;
	p->out_h         = 640;
	p->dpi           = 300;
	p->min_quality   = 60;
	p->size_min      = 20 * 1024;
	p->size_max      = 40 * 1024;
	p->size_hard_min = 10 * 1024;
	p->size_hard_max = 100 * 1024;
	p->hair_min      = 50;
	p->hair_max      = 110;
	p->eye_min       = 200;
	p->eye_max       = 300;
	p->face_w_min    = 180;
	p->face_w_max    = 300;
	p->centre_tol    = 24;
	p->ied_warn      = 90;
	p->roll_max      = 8;
	p->yaw_max       = 5;
	p->pitch_max     = 5;
	p->eye_open_min  = 0.15f;
	p->eye_open_warn = 0.19f;
	p->mouth_open_warn = 0.06f;
	p->mouth_open_max  = 0.15f;
	/* light blue, white, light grey (教毕指〔2017〕99号) */
	p->bg[0] = (struct gc_rgb){ 100, 197, 255 };
	p->bg[1] = (struct gc_rgb){ 255, 255, 255 };
	p->bg[2] = (struct gc_rgb){ 240, 240, 240 };
	p->nbg   = 3;
	p->bg_delta_e_pass = 10;
	p->bg_delta_e_warn = 20;
	p->bg_std_max      = 8;
	p->bg_strip_max    = 10;
	p->clothing_delta_e_min = 20;
	p->ban_like_background  = true;
	p->lum_min     = 0.30f;
	p->lum_max     = 0.70f;
	p->clip_max    = 0.02f;
	p->balance_min = 0.70f;
	p->sharp_min   = 25;
	p->sharp_warn  = 50;
	p->glasses_allowed = true;
	p->glare_warn  = 0.04f;
	p->redeye_max  = 0.2f;
	p->face_min_score = 0.1f; /* a round badge scores 0.04-0.08 */
}

/* ---- loading ---- */

enum ptype { P_INT, P_FLOAT, P_KB, P_RANGE, P_BOOL };

static const struct pkey {
	const char *key;
	enum ptype  type;
	size_t      off, off2; /* off2: the range's upper bound */
} pkeys[] = {
#define F(k, t, m) { k, t, offsetof(struct gc_profile, m), 0 }
#define R(k, a, b) { k, P_RANGE, offsetof(struct gc_profile, a), \
	offsetof(struct gc_profile, b) }
	F("min_quality", P_INT, min_quality),
	F("size_min_kb", P_KB, size_min),
	F("size_max_kb", P_KB, size_max),
	F("size_hard_min_kb", P_KB, size_hard_min),
	F("size_hard_max_kb", P_KB, size_hard_max),
	R("hair_top", hair_min, hair_max),
	R("eye_line", eye_min, eye_max),
	R("face_width", face_w_min, face_w_max),
	F("centre_tolerance", P_INT, centre_tol),
	F("inter_eye_warn", P_INT, ied_warn),
	F("roll_max", P_FLOAT, roll_max),
	F("yaw_max", P_FLOAT, yaw_max),
	F("pitch_max", P_FLOAT, pitch_max),
	F("eye_open_min", P_FLOAT, eye_open_min),
	F("eye_open_warn", P_FLOAT, eye_open_warn),
	F("mouth_open_warn", P_FLOAT, mouth_open_warn),
	F("mouth_open_max", P_FLOAT, mouth_open_max),
	F("background_delta_e", P_FLOAT, bg_delta_e_pass),
	F("background_delta_e_warn", P_FLOAT, bg_delta_e_warn),
	F("background_std_max", P_FLOAT, bg_std_max),
	F("background_strip_max", P_FLOAT, bg_strip_max),
	F("replace_background", P_BOOL, replace_background),
	F("clothing_delta_e_min", P_FLOAT, clothing_delta_e_min),
	F("ban_clothing_like_background", P_BOOL, ban_like_background),
	F("face_luminance_min", P_FLOAT, lum_min),
	F("face_luminance_max", P_FLOAT, lum_max),
	F("clipping_max", P_FLOAT, clip_max),
	F("light_balance_min", P_FLOAT, balance_min),
	F("sharpness_min", P_FLOAT, sharp_min),
	F("sharpness_warn", P_FLOAT, sharp_warn),
	F("glasses_allowed", P_BOOL, glasses_allowed),
	F("glare_warn", P_FLOAT, glare_warn),
	F("redeye_max", P_FLOAT, redeye_max),
	F("face_min_score", P_FLOAT, face_min_score),
#undef F
#undef R
};

static bool
parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "allowed") || !strcasecmp(v, "on")) {
		*out = true;
		return true;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
	    !strcasecmp(v, "forbidden") || !strcasecmp(v, "off")) {
		*out = false;
		return true;
	}
	return false;
}

static bool
parse_num(const char *v, double *out)
{
	char *end;

	errno = 0;
	*out  = strtod(v, &end);
	while (isspace((unsigned char)*end)) {
		end++;
	}
	return errno == 0 && end != v && *end == '\0';
}

/* "RRGGBB" or "#RRGGBB" or "r,g,b" (one colour). */
static bool
parse_colour(const char *s, size_t n, struct gc_rgb *c)
{
	char         buf[32];
	unsigned int r, g, b;
	char         extra;

	if (n == 0 || n >= sizeof(buf)) {
		return false;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '#') {
		memmove(buf, buf + 1, n);
	}
	if (strlen(buf) == 6 && sscanf(buf, "%2x%2x%2x%c", &r, &g, &b,
	    &extra) == 3) {
		*c = (struct gc_rgb){ (unsigned char)r, (unsigned char)g,
			(unsigned char)b };
		return true;
	}
	return false;
}

struct load_ctx {
	struct gc_profile *p;
	const char        *section;
	struct gc_diag    *d;
	gc_err             rv;
};

static void
bad(struct load_ctx *lc, const char *key, const char *value, const char *why)
{
	if (lc->rv == GC_OK) {
		gc_diag_set(lc->d, "[%s] %s = %s: %s", lc->section, key, value,
		    why);
		lc->rv = GC_EINVAL;
	}
}

/* backgrounds = 64C5FF FFFFFF F0F0F0 (space or comma separated) */
static void
load_backgrounds(struct load_ctx *lc, const char *v)
{
	struct gc_profile *p = lc->p;
	const char        *s = v;

	p->nbg = 0;
	while (*s != '\0') {
		size_t n;

		while (*s == ' ' || *s == ',' || *s == '\t') {
			s++;
		}
		n = strcspn(s, " ,\t");
		if (n == 0) {
			break;
		}
		if (p->nbg == GC_PROFILE_MAX_COLOURS ||
		    !parse_colour(s, n, &p->bg[p->nbg])) {
			bad(lc, "backgrounds", v, "give up to 8 colours as RRGGBB");
			return;
		}
		p->nbg++;
		s += n;
	}
	if (p->nbg == 0) {
		bad(lc, "backgrounds", v, "no colour given");
	}
}

/* The clothing colours a school may ban, by their banned_clothing names. */
static const struct {
	const char *name;
	size_t      off;
} colours[] = {
	{ "blue", offsetof(struct gc_profile, ban_blue) },
	{ "purple", offsetof(struct gc_profile, ban_purple) },
	{ "yellow", offsetof(struct gc_profile, ban_yellow) },
	{ "green", offsetof(struct gc_profile, ban_green) },
	{ "pink", offsetof(struct gc_profile, ban_pink) },
	{ "white", offsetof(struct gc_profile, ban_white) },
	{ "black", offsetof(struct gc_profile, ban_black) },
};

size_t
gc_profile_banned(const struct gc_profile *p, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(colours) / sizeof(colours[0]); i++) {
		if (*(const bool *)((const char *)p + colours[i].off)) {
			if (n < max) {
				names[n] = colours[i].name;
			}
			n++;
		}
	}
	return n;
}

/* banned_clothing = blue, purple, ... */
static void
load_bans(struct load_ctx *lc, const char *v)
{
	struct gc_profile *p = lc->p;
	const char        *s = v;

	for (size_t i = 0; i < sizeof(colours) / sizeof(colours[0]); i++) {
		*(bool *)((char *)p + colours[i].off) = false;
	}
	while (*s != '\0') {
		size_t n;
		bool   found = false;

		while (*s == ' ' || *s == ',' || *s == '\t') {
			s++;
		}
		n = strcspn(s, " ,\t");
		if (n == 0) {
			break;
		}
		for (size_t i = 0; i < sizeof(colours) / sizeof(colours[0]);
		     i++) {
			if (strlen(colours[i].name) == n &&
			    strncasecmp(s, colours[i].name, n) == 0) {
				*(bool *)((char *)p + colours[i].off) = true;
				found = true;
			}
		}
		if (!found && !(n == 4 && strncasecmp(s, "none", 4) == 0)) {
			bad(lc, "banned_clothing", v, "colours are blue, purple, "
			    "yellow, green, pink, white, black, or none");
			return;
		}
		s += n;
	}
}

static void
load_cb(const char *key, const char *v, void *arg)
{
	struct load_ctx *lc = arg;
	double           x, y;

	if (strcmp(key, "backgrounds") == 0) {
		load_backgrounds(lc, v);
		return;
	}
	if (strcmp(key, "banned_clothing") == 0) {
		load_bans(lc, v);
		return;
	}
	for (size_t i = 0; i < sizeof(pkeys) / sizeof(pkeys[0]); i++) {
		const struct pkey *k = &pkeys[i];
		char              *at = (char *)lc->p + k->off;

		if (strcmp(key, k->key) != 0) {
			continue;
		}
		switch (k->type) {
		case P_BOOL:
			if (!parse_bool(v, (bool *)at)) {
				bad(lc, key, v, "use yes or no");
			}
			return;
		case P_RANGE:
			if (sscanf(v, "%lf - %lf", &x, &y) != 2 || x < 0 ||
			    y < x || y > 10000) {
				bad(lc, key, v, "give a range like 50-110");
				return;
			}
			*(int *)at = (int)x;
			*(int *)((char *)lc->p + k->off2) = (int)y;
			return;
		default:
			if (!parse_num(v, &x) || x < 0 || x > 1e6) {
				bad(lc, key, v, "not a number from 0 up");
				return;
			}
			if (k->type == P_INT) {
				*(int *)at = (int)x;
			} else if (k->type == P_KB) {
				*(size_t *)at = (size_t)(x * 1024);
			} else {
				*(float *)at = (float)x;
			}
			return;
		}
	}
	bad(lc, key, v, "unknown setting");
}

static void
seen_cb(const char *key, const char *value, void *arg)
{
	(void)key;
	(void)value;
	*(int *)arg += 1;
}

gc_err
gc_profile_load(struct gc_profile *p, const gc_config *cfg, const char *name,
    struct gc_diag *d)
{
	char            section[96];
	struct load_ctx lc;
	int             nkeys = 0;

	gc_profile_default(p);
	if (name == NULL || name[0] == '\0') {
		name = "default";
	}
	snprintf(section, sizeof(section), "profile.%s", name);
	gc_config_each(cfg, section, seen_cb, &nkeys);
	if (nkeys == 0) {
		if (strcmp(name, "default") == 0) {
			return GC_OK;
		}
		gc_diag_set(d, "no school profile '%s' (no [%s] section in "
		    "gradcap.ini)", name, section);
		return GC_ENOTFOUND;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	lc.p       = p;
	lc.section = section;
	lc.d       = d;
	lc.rv      = GC_OK;
	gc_config_each(cfg, section, load_cb, &lc);
	if (lc.rv == GC_OK && (p->size_min > p->size_max ||
	    p->min_quality < 1 || p->min_quality > 95)) {
		gc_diag_set(d, "[%s]: size window or min_quality out of range",
		    section);
		lc.rv = GC_EINVAL;
	}
	return lc.rv;
}
