#include "capture/frame.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void
guide(struct gc_frame_plan *o, enum gc_frame_fix fix, double detail)
{
	o->fix = fix;
	switch (fix) {
	case GC_FIX_NONE:
		o->guide_zh[0] = o->guide_en[0] = '\0';
		break;
	case GC_FIX_CLOSER:
		snprintf(o->guide_zh, sizeof(o->guide_zh), "人脸太小：请学生靠近"
		    "相机或把镜头拉近（全分辨率下脸宽仅 %.0f 像素）", detail);
		snprintf(o->guide_en, sizeof(o->guide_en), "the face is too "
		    "small: move closer or zoom in (only %.0f px wide at full "
		    "resolution)", detail);
		break;
	case GC_FIX_BACK:
		snprintf(o->guide_zh, sizeof(o->guide_zh), "人像太大：请学生后退"
		    "或把镜头拉远，头肩需完整入镜");
		snprintf(o->guide_en, sizeof(o->guide_en), "the head fills the "
		    "frame: move back or zoom out so head and shoulders fit");
		break;
	case GC_FIX_CAM_HIGHER:
		snprintf(o->guide_zh, sizeof(o->guide_zh), "头顶上方空间不够：请"
		    "把相机调高（或让学生坐低一些）");
		snprintf(o->guide_en, sizeof(o->guide_en), "no room above the "
		    "head: raise the camera (or lower the seat)");
		break;
	case GC_FIX_CAM_LOWER:
		snprintf(o->guide_zh, sizeof(o->guide_zh), "下巴以下空间不够：请"
		    "把相机调低（或让学生坐高一些）");
		snprintf(o->guide_en, sizeof(o->guide_en), "no room below the "
		    "chin: lower the camera (or raise the seat)");
		break;
	case GC_FIX_MOVE_LEFT:
		snprintf(o->guide_zh, sizeof(o->guide_zh), "学生偏向画面右侧：请"
		    "向画面中央移动");
		snprintf(o->guide_en, sizeof(o->guide_en), "the student is too "
		    "far to the right of the picture: centre the student");
		break;
	case GC_FIX_MOVE_RIGHT:
		snprintf(o->guide_zh, sizeof(o->guide_zh), "学生偏向画面左侧：请"
		    "向画面中央移动");
		snprintf(o->guide_en, sizeof(o->guide_en), "the student is too "
		    "far to the left of the picture: centre the student");
		break;
	case GC_FIX_PROPORTION:
		snprintf(o->guide_zh, sizeof(o->guide_zh), "头发与眼睛的距离和脸宽"
		    "不成比例：请整理头发、摘下帽子后重拍");
		snprintf(o->guide_en, sizeof(o->guide_en), "hair height and face "
		    "width do not fit together: tidy the hair, remove any hat, "
		    "and retake");
		break;
	}
}

/* Where a crop at scale k with the hair top at output row h lands, and
 * whether it stays inside the source. */
struct try {
	double x, y, w, h;
	int    over_top, over_bottom, over_left, over_right;
};

static struct try
place(const struct gc_profile *p, int sw, int sh, double cx, double ht,
    double k, double hrow)
{
	struct try t;

	t.w           = p->out_w / k;
	t.h           = p->out_h / k;
	t.x           = cx - t.w / 2;
	t.y           = ht - hrow / k;
	t.over_top    = t.y < -1e-6;
	t.over_bottom = t.y + t.h > sh + 1e-6;
	t.over_left   = t.x < -1e-6;
	t.over_right  = t.x + t.w > sw + 1e-6;
	return t;
}

void
gc_frame_plan(const struct gc_profile *p, int src_w, int src_h,
    const struct gc_face_measures *m, bool hair_found,
    struct gc_frame_plan *o)
{
	double fw = m->face_width, cx = m->face_centre.x;
	double ht = hair_found ? m->hair_top : m->brow_y - 0.55 * fw;
	double E  = m->eye_mid.y - ht; /* hair top to eyes, source px */
	double kmin, kmax, ktarget;
	int    nsteps = 48;
	bool   any_top = false, any_bottom = false, any_left = false,
	     any_right = false;

	memset(o, 0, sizeof(*o));
	if (fw <= 1 || E <= 1) {
		guide(o, GC_FIX_PROPORTION, 0);
		return;
	}
	/* scales that keep face width and the hair-to-eye span in range,
	 * never upscale, and need no more pixels than the source has */
	kmin = fmax(p->face_w_min / fw, (p->eye_min - p->hair_max) / E);
	kmax = fmin(p->face_w_max / fw, (p->eye_max - p->hair_min) / E);
	if (p->face_w_min / fw > 1.0) {
		guide(o, GC_FIX_CLOSER, fw);
		return;
	}
	kmax = fmin(kmax, 1.0);
	kmin = fmax(kmin, fmax((double)p->out_w / src_w,
	    (double)p->out_h / src_h));
	if (kmin > kmax) {
		if ((double)p->out_w / src_w > p->face_w_max / fw ||
		    (double)p->out_h / src_h > p->face_w_max / fw) {
			guide(o, GC_FIX_BACK, 0);
		} else if (p->face_w_min / fw > kmax) {
			guide(o, GC_FIX_CLOSER, fw);
		} else {
			guide(o, GC_FIX_PROPORTION, 0);
		}
		return;
	}
	ktarget = ((p->face_w_min + p->face_w_max) / 2.0) / fw;
	ktarget = fmin(fmax(ktarget, kmin), kmax);
	/* try scales from the target outwards, and for each the hair rows
	 * allowed, preferring the middle of the hair range */
	for (int i = 0; i <= nsteps; i++) {
		double k;

		if (i == 0) {
			k = ktarget;
		} else {
			double span = kmax - kmin;
			int    j    = (i + 1) / 2;
			double d    = span * j / (nsteps / 2.0);

			k = (i % 2) ? ktarget + d : ktarget - d;
			if (k < kmin - 1e-12 || k > kmax + 1e-12) {
				continue;
			}
		}
		{
			double hlo = fmax(p->hair_min, p->eye_min - k * E);
			double hhi = fmin(p->hair_max, p->eye_max - k * E);
			double mid = (p->hair_min + p->hair_max) / 2.0;
			double hy;
			struct try t;

			if (hlo > hhi) {
				continue;
			}
			/* the hair row that keeps the crop inside vertically,
			 * closest to the middle of the range */
			hy = fmin(fmax(mid, hlo), hhi);
			t  = place(p, src_w, src_h, cx, ht, k, hy);
			if (t.over_top) {
				hy = fmax(hlo, fmin(hhi, ht * k));
			} else if (t.over_bottom) {
				hy = fmin(hhi, fmax(hlo, (ht - (src_h -
				    p->out_h / k)) * k));
			}
			t = place(p, src_w, src_h, cx, ht, k, hy);
			/* a shift within half the centring tolerance */
			if (t.over_left || t.over_right) {
				double slack = (p->centre_tol / 2.0) / k;

				if (t.over_left && -t.x <= slack) {
					t.x = 0;
				} else if (t.over_right &&
				    t.x + t.w - src_w <= slack) {
					t.x = src_w - t.w;
				}
				t.over_left  = t.x < -1e-6;
				t.over_right = t.x + t.w > src_w + 1e-6;
			}
			any_top |= t.over_top;
			any_bottom |= t.over_bottom;
			any_left |= t.over_left;
			any_right |= t.over_right;
			if (!t.over_top && !t.over_bottom && !t.over_left &&
			    !t.over_right) {
				o->ok = true;
				o->x  = fmax(0, t.x);
				o->y  = fmax(0, t.y);
				o->w  = fmin(t.w, src_w - o->x);
				o->h  = fmin(t.h, src_h - o->y);
				o->k  = k;
				guide(o, GC_FIX_NONE, 0);
				return;
			}
		}
	}
	if (!hair_found && m->brow_y - 0.55 * fw < 0) {
		guide(o, GC_FIX_CAM_HIGHER, 0);
	} else if (any_top && any_bottom) {
		guide(o, GC_FIX_BACK, 0);
	} else if (any_top) {
		guide(o, GC_FIX_CAM_HIGHER, 0);
	} else if (any_bottom) {
		guide(o, GC_FIX_CAM_LOWER, 0);
	} else if (any_left) {
		guide(o, GC_FIX_MOVE_RIGHT, 0);
	} else if (any_right) {
		guide(o, GC_FIX_MOVE_LEFT, 0);
	} else {
		guide(o, GC_FIX_PROPORTION, 0);
	}
}
