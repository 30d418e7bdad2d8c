/* profile: a school's photo policy and check thresholds. The default
 * follows 教毕指〔2017〕99号 as domain.md gives it ("Rules we can check
 * automatically"); a school overrides any value in an INI section
 * [profile.NAME] of gradcap.ini. */
#ifndef GC_CAPTURE_PROFILE_H
#define GC_CAPTURE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "common/gc_err.h"

#define GC_PROFILE_MAX_COLOURS 8

struct gc_rgb {
	unsigned char r, g, b;
};

struct gc_profile {
	char name[64];
	/* output */
	int    out_w, out_h, dpi;
	int    min_quality;             /* JPEG quality floor (60) */
	size_t size_min, size_max;      /* the size window, bytes (20–40 KB) */
	size_t size_hard_min, size_hard_max; /* outside: fail (10–100 KB) */
	/* geometry on the output frame, px */
	int   hair_min, hair_max;       /* top of hair from the top: 50–110 */
	int   eye_min, eye_max;         /* eye line from the top: 200–300 */
	int   face_w_min, face_w_max;   /* cheek to cheek: 180–300 */
	int   centre_tol;               /* |face centre − W/2|: 24 */
	int   ied_warn;                 /* inter-eye distance below: warn */
	/* pose, degrees */
	float roll_max, yaw_max, pitch_max;
	/* expression */
	float eye_open_min, eye_open_warn;     /* EAR: fail below min */
	float mouth_open_warn, mouth_open_max; /* gap/width: fail above max */
	/* background */
	struct gc_rgb bg[GC_PROFILE_MAX_COLOURS];
	int           nbg;
	float bg_delta_e_pass, bg_delta_e_warn; /* ΔE to nearest allowed */
	float bg_std_max;      /* per-channel std over background samples */
	float bg_strip_max;    /* ΔE between left/right/top strip means */
	bool  replace_background; /* online capture may replace a failing
	                           * background with bg[0] (background.h) */
	/* clothing */
	float clothing_delta_e_min;  /* vs background */
	bool  ban_blue, ban_purple, ban_yellow, ban_green, ban_pink,
	    ban_white, ban_black;    /* school clothing-colour bans */
	bool  ban_like_background;   /* clothing hue near the background hue */
	/* exposure and light (OFIQ-style, face region) */
	float lum_min, lum_max;      /* mean face luminance, 0..1: 0.3–0.7 */
	float clip_max;              /* share of face pixels clipped: 0.02 */
	float balance_min;           /* L/R cheek histogram intersection 0.7 */
	/* sharpness: variance of the Laplacian of the face, output scale */
	float sharp_min, sharp_warn;
	/* glasses */
	bool  glasses_allowed;
	float glare_warn;            /* share of near-white pixels in an eye
	                              * box */
	float redeye_max;            /* red dominance in the pupils */
	/* detection */
	float face_min_score;        /* HOG confidence floor */
};

/* The default profile ("default"). */
void gc_profile_default(struct gc_profile *p);

/*
 * gc_profile_load fills p with the default, then applies
 * [profile.NAME] from cfg (NULL cfg or NAME "default" with no section:
 * the default itself). An unknown NAME (no such section, not "default")
 * is GC_ENOTFOUND; a bad value is GC_EINVAL with d naming the section,
 * key and value.
 */
gc_err gc_profile_load(struct gc_profile *p, const gc_config *cfg,
    const char *name, struct gc_diag *d);

/* The clothing colours p bans, by their banned_clothing names ("blue",
 * "purple", ...; static strings) into names (at most max of them): how
 * many it bans. */
size_t gc_profile_banned(const struct gc_profile *p, const char **names,
    size_t max);

#endif
