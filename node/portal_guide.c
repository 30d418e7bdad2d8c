/* The portal's live camera guide (node/portal_int.h): POST /api/guide, the
 * body one small frame of the phone's camera (a JPEG of at most
 * GUIDE_SIDE px, scaled from the preview by the page), the query the
 * camera's own size (w, h). The answer is what the station's guide says
 * on the same checks (capture/pipeline.h, gc_pipeline_guide): the face,
 * the crop the photo would be cut at, and one instruction at a time, the
 * first that fails in the stations' order, in the station's words. A few
 * frames a second at most, per student; a frame that finds the pipeline
 * busy is not queued (503 busy). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/jpeg.h"
#include "common/buf.h"
#include "common/json.h"
#include "common/review_window.h"
#include "node/portal_int.h"

#define GUIDE_SIDE  640  /* the longer side of a frame, at most */
#define GUIDE_MIN   120  /* the shorter side, at least */
#define CAMERA_SIDE 8192 /* the camera's own longer side, at most */

/* A dimension of the query (1..CAMERA_SIDE), or 0 when absent; -1 when
 * malformed. */
static int
query_dim(const char *query, const char *name)
{
	char  v[16];
	char *end;
	long  x;

	if (!gc_httpd_query(query, name, v, sizeof(v)) || v[0] == '\0') {
		return 0;
	}
	x = strtol(v, &end, 10);
	if (*end != '\0' || x < 1 || x > CAMERA_SIDE) {
		return -1;
	}
	return (int)x;
}

static void
box_json(struct gc_buf *b, double x, double y, double w, double h)
{
	gc_buf_printf(b, "{\"x\":%.0f,\"y\":%.0f,\"w\":%.0f,\"h\":%.0f}", x, y,
	    w, h);
}

/* The one instruction: the framing's or face count's guidance, else the
 * first failing check in report order (gc_check_ids: the stations'),
 * leaving out a failing background the portal will replace. NULL: none
 * fails. */
static const struct gc_check *
first_failure(const struct gc_report *r, bool bg_replaced)
{
	for (int i = 0; i < gc_check_count; i++) {
		const struct gc_check *c = gc_report_get(r, gc_check_ids[i]);

		if (c == NULL || c->verdict != GC_VERDICT_FAIL) {
			continue;
		}
		if (bg_replaced && strncmp(c->id, "background.", 11) == 0) {
			continue;
		}
		return c;
	}
	return NULL;
}

static void
guide_answer(struct gc_httpd_req *r, const struct gc_pipeline_result *res,
    bool bg_replaced)
{
	const struct gc_report *rp = &res->report;
	const struct gc_check  *c  = first_failure(rp, bg_replaced);
	const char             *zh = NULL, *en = NULL;

	if (rp->guide_zh[0] != '\0') {
		zh = rp->guide_zh;
		en = rp->guide_en;
	} else if (c != NULL) {
		zh = c->msg_zh;
		en = c->msg_en;
	}
	r->ctype = "application/json";
	gc_buf_reset(&r->out);
	gc_buf_printf(&r->out, "{\"frame_w\":%d,\"frame_h\":%d,\"face\":",
	    res->src_w, res->src_h);
	if (res->has_face) {
		box_json(&r->out, res->face_x, res->face_y, res->face_w,
		    res->face_h);
	} else {
		gc_buf_puts(&r->out, "null");
	}
	gc_buf_puts(&r->out, ",\"target\":");
	if (res->plan.ok) {
		box_json(&r->out, res->plan.x, res->plan.y, res->plan.w,
		    res->plan.h);
	} else {
		gc_buf_puts(&r->out, "null");
	}
	gc_buf_printf(&r->out, ",\"ready\":%s,\"check\":", zh == NULL &&
	    res->has_face && res->plan.ok ? "true" : "false");
	gc_json_str(&r->out, c != NULL && rp->guide_zh[0] == '\0' ? c->id :
	    NULL);
	gc_buf_puts(&r->out, ",\"instruction\":");
	gc_json_str(&r->out, zh);
	gc_buf_puts(&r->out, ",\"instruction_en\":");
	gc_json_str(&r->out, en);
	/* every failing check, in order, for whoever wants more than one */
	gc_buf_puts(&r->out, ",\"failed\":[");
	for (int i = 0, k = 0; i < gc_check_count; i++) {
		const struct gc_check *f = gc_report_get(rp, gc_check_ids[i]);

		if (f != NULL && f->verdict == GC_VERDICT_FAIL) {
			gc_buf_puts(&r->out, k++ ? "," : "");
			gc_json_str(&r->out, f->id);
		}
	}
	gc_buf_puts(&r->out, "]}");
}

void
gc_portal_guide(struct gc_portal_req *p)
{
	struct gc_httpd_req      *r = p->r;
	struct gc_portal_capture *cap = p->cap;
	struct gc_pipeline_result res;
	struct gc_jpeg_info       info;
	const char               *who = p->student;
	uint64_t                  now = (uint64_t)time(NULL);
	int                       w, h, fw, fh;
	double                    scale;
	bool                      bg_replaced, busy;
	gc_pipeline              *pl;
	gc_err                    rv;

	if (!(cap->online.methods & GC_ONLINE_CAMERA)) {
		gc_portal_error(r, 403, "method_off", "the school takes no "
		    "photos from the phone's camera here: upload a studio photo",
		    "本校不接受在线拍照，请上传照相馆拍摄的照片");
		return;
	}
	/* the second's first: a frame it refuses costs none of the hour's */
	if (gc_ratelimit_take(cap->guide_s, who, strlen(who), now)) {
		gc_portal_error(r, 429, "too_many", "at most 3 guide frames a "
		    "second", "实时引导请求过于频繁，请稍候");
		return;
	}
	if (gc_ratelimit_take(cap->guide_h, who, strlen(who), now)) {
		gc_portal_error(r, 429, "too_many", "the live guide has had "
		    "its frames for this hour: take the photo, or try again "
		    "later", "本小时的实时引导次数已用完：可以直接拍照，或稍后再试");
		return;
	}
	if (r->body_len == 0 || gc_fmt_sniff((const uint8_t *)r->body,
	    r->body_len) != GC_FMT_JPEG || gc_jpeg_probe((const uint8_t *)
	    r->body, r->body_len, &info, NULL) != GC_OK) {
		gc_portal_error(r, 400, "bad_frame", "send one camera frame as "
		    "a JPEG", "实时引导收到的画面不是 JPEG 图像");
		return;
	}
	fw = info.orientation >= 5 ? info.height : info.width;
	fh = info.orientation >= 5 ? info.width : info.height;
	if ((fw > fh ? fw : fh) > GUIDE_SIDE || (fw < fh ? fw : fh) <
	    GUIDE_MIN) {
		gc_portal_error(r, 400, "bad_frame", "a guide frame is 120 to "
		    "640 px on its sides: scale the preview down", "实时引导的"
		    "画面尺寸应为 120–640 像素");
		return;
	}
	w = query_dim(r->query, "w");
	h = query_dim(r->query, "h");
	if (w == 0 && h == 0) {
		w = fw;
		h = fh;
	}
	scale = w > 0 ? (double)w / fw : 0;
	if (w <= 0 || h <= 0 || scale < 1 || fabs((double)h / fh - scale) >
	    0.03 * scale + 2.0 / fh * scale) {
		gc_portal_error(r, 400, "bad_frame", "w and h are the camera's "
		    "size: the frame is that picture scaled down (same shape)",
		    "实时引导的画面比例与相机画面不一致");
		return;
	}
	/* a frame is worth something only now: it never waits for the
	 * pipeline (a photo or another student's frame), the page sends the
	 * next one */
	pl = gc_portal_pipeline_trytake(cap, p->n->cfg, &busy);
	if (pl == NULL && busy) {
		gc_portal_error(r, 503, "busy", "the checks are busy: the next "
		    "frame, or take the photo", "实时引导繁忙，稍后继续；仍可直接"
		    "拍照");
		return;
	}
	if (pl == NULL) {
		gc_portal_error(r, 503, "unavailable", cap->err,
		    "照片检测暂不可用，请稍后再试");
		return;
	}
	gc_pipeline_result_init(&res);
	rv = gc_pipeline_guide(pl, (const uint8_t *)r->body, r->body_len,
	    scale, &res);
	gc_portal_pipeline_give(cap, pl);
	/* read only once a pipeline was handed out (portal_int.h) */
	bg_replaced = cap->prof.replace_background;
	if (rv != GC_OK) {
		gc_pipeline_result_release(&res);
		gc_portal_error(r, 503, "unavailable", gc_strerror(rv),
		    "服务器繁忙，请稍后再试");
		return;
	}
	if (gc_report_get(&res.report, "file.format") != NULL &&
	    gc_report_get(&res.report, "file.format")->verdict ==
	    GC_VERDICT_FAIL) {
		gc_pipeline_result_release(&res);
		gc_portal_error(r, 400, "bad_frame", "the frame does not "
		    "decode", "实时引导收到的画面已损坏，无法解码");
		return;
	}
	guide_answer(r, &res, bg_replaced);
	gc_pipeline_result_release(&res);
}
