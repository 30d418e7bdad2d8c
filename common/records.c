#include "common/records.h"

#include <string.h>

#include "common/cbor.h"

static const char *kind_names[GC_SESSION_KIND_END] = { "central", "makeup",
	"individual", "online" };
static const char *kind_zh[GC_SESSION_KIND_END] = { "集中", "补拍", "散拍",
	"线上" };

const char *
gc_session_kind_name(enum gc_session_kind k)
{
	return (unsigned)k < GC_SESSION_KIND_END ? kind_names[k] : "?";
}

const char *
gc_session_kind_zh(enum gc_session_kind k)
{
	return (unsigned)k < GC_SESSION_KIND_END ? kind_zh[k] : "?";
}

int
gc_session_kind_parse(const char *s)
{
	for (int i = 0; i < GC_SESSION_KIND_END; i++) {
		if (strcmp(s, kind_names[i]) == 0 || strcmp(s, kind_zh[i]) == 0) {
			return i;
		}
	}
	return -1;
}

void
gc_session_open_encode(struct gc_buf *b, const struct gc_session_rec *s)
{
	gc_cbor_map(b, 5);
	gc_cbor_uint(b, 0);
	gc_cbor_text(b, s->id);
	gc_cbor_uint(b, 1);
	gc_cbor_text(b, gc_session_kind_name(s->kind));
	gc_cbor_uint(b, 2);
	gc_cbor_text(b, s->location);
	gc_cbor_uint(b, 3);
	gc_cbor_text(b, s->operator_);
	gc_cbor_uint(b, 4);
	gc_cbor_uint(b, s->opened);
}

gc_err
gc_session_open_decode(const uint8_t *p, size_t n, struct gc_session_rec *out)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[5];
	char                 kind[16];
	int                  k;

	memset(out, 0, sizeof(*out));
	gc_cbor_cur_init(&c, p, n);
	if (gc_cbor_map_fields(&c, f, 5) != GC_OK ||
	    !gc_cbor_field_strcpy(&f[0], out->id, sizeof(out->id)) ||
	    out->id[0] == '\0' ||
	    !gc_cbor_field_strcpy(&f[1], kind, sizeof(kind)) ||
	    (k = gc_session_kind_parse(kind)) < 0) {
		return GC_ECORRUPT;
	}
	out->kind = (enum gc_session_kind)k;
	gc_cbor_field_strcpy(&f[2], out->location, sizeof(out->location));
	gc_cbor_field_strcpy(&f[3], out->operator_, sizeof(out->operator_));
	gc_cbor_field_uint(&f[4], &out->opened);
	return GC_OK;
}

void
gc_session_close_encode(struct gc_buf *b, const char *id, uint64_t closed,
    uint64_t captures)
{
	gc_cbor_map(b, 3);
	gc_cbor_uint(b, 0);
	gc_cbor_text(b, id);
	gc_cbor_uint(b, 1);
	gc_cbor_uint(b, closed);
	gc_cbor_uint(b, 2);
	gc_cbor_uint(b, captures);
}

gc_err
gc_session_close_decode(const uint8_t *p, size_t n, char id[GC_SESSION_ID_LEN])
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[1];

	gc_cbor_cur_init(&c, p, n);
	if (gc_cbor_map_fields(&c, f, 1) != GC_OK ||
	    !gc_cbor_field_strcpy(&f[0], id, GC_SESSION_ID_LEN) ||
	    id[0] == '\0') {
		return GC_ECORRUPT;
	}
	return GC_OK;
}

/* CAPTURE body keys (docs/formats.md). */
enum {
	CAP_STUDENT = 0,
	CAP_SESSION,
	CAP_SESSION_KIND,
	CAP_BIND,
	CAP_CODE,
	CAP_PHOTO,
	CAP_ORIGINAL,
	CAP_VERDICT,
	CAP_CHECKS,
	CAP_OVERRIDES,
	CAP_CAMERA,
	CAP_OPERATOR,
	CAP_ATTEMPT,
	CAP_PROFILE,
	CAP_SEQ,
	CAP_NKEYS
};

void
gc_capture_encode(struct gc_buf *b, const struct gc_capture_rec *c)
{
	gc_cbor_map(b, CAP_NKEYS - (c->has_code ? 0 : 1) - (c->seq ? 0 : 1));
	gc_cbor_uint(b, CAP_STUDENT);
	gc_cbor_text(b, c->student);
	gc_cbor_uint(b, CAP_SESSION);
	gc_cbor_text(b, c->session);
	gc_cbor_uint(b, CAP_SESSION_KIND);
	gc_cbor_text(b, gc_session_kind_name(c->session_kind));
	gc_cbor_uint(b, CAP_BIND);
	gc_cbor_text(b, c->bind);
	if (c->has_code) {
		gc_cbor_uint(b, CAP_CODE);
		gc_cbor_bytes(b, c->code_hash, 32);
	}
	gc_cbor_uint(b, CAP_PHOTO);
	gc_cbor_bytes(b, c->photo, 32);
	gc_cbor_uint(b, CAP_ORIGINAL);
	gc_cbor_bytes(b, c->original, 32);
	gc_cbor_uint(b, CAP_VERDICT);
	gc_cbor_uint(b, c->verdict);
	gc_cbor_uint(b, CAP_CHECKS);
	gc_cbor_array(b, (uint64_t)c->nchecks);
	for (int i = 0; i < c->nchecks; i++) {
		gc_cbor_array(b, 3);
		gc_cbor_text(b, c->checks[i].id);
		gc_cbor_uint(b, c->checks[i].verdict);
		gc_cbor_text(b, c->checks[i].value);
	}
	gc_cbor_uint(b, CAP_OVERRIDES);
	gc_cbor_array(b, (uint64_t)c->nov);
	for (int i = 0; i < c->nov; i++) {
		gc_cbor_array(b, 2);
		gc_cbor_text(b, c->ov[i].check);
		gc_cbor_text(b, c->ov[i].reason);
	}
	gc_cbor_uint(b, CAP_CAMERA);
	gc_cbor_text(b, c->camera);
	gc_cbor_uint(b, CAP_OPERATOR);
	gc_cbor_text(b, c->operator_);
	gc_cbor_uint(b, CAP_ATTEMPT);
	gc_cbor_uint(b, c->attempt);
	gc_cbor_uint(b, CAP_PROFILE);
	gc_cbor_text(b, c->profile);
	if (c->seq != 0) {
		gc_cbor_uint(b, CAP_SEQ);
		gc_cbor_uint(b, c->seq);
	}
}

static bool
hash_field(const struct gc_cbor_field *f, uint8_t out[32])
{
	const uint8_t *p;
	size_t         n;

	if (!gc_cbor_field_bytes(f, &p, &n) || n != 32) {
		return false;
	}
	memcpy(out, p, 32);
	return true;
}

gc_err
gc_capture_decode(const uint8_t *p, size_t n, struct gc_capture_rec *out)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[CAP_NKEYS];
	struct gc_cbor_item  it;
	char                 kind[16];
	uint64_t             v;
	int                  k;

	memset(out, 0, sizeof(*out));
	gc_cbor_cur_init(&c, p, n);
	if (gc_cbor_map_fields(&c, f, CAP_NKEYS) != GC_OK ||
	    !gc_cbor_field_strcpy(&f[CAP_STUDENT], out->student,
	        sizeof(out->student)) ||
	    !gc_cbor_field_strcpy(&f[CAP_SESSION], out->session,
	        sizeof(out->session)) ||
	    !gc_cbor_field_strcpy(&f[CAP_SESSION_KIND], kind, sizeof(kind)) ||
	    (k = gc_session_kind_parse(kind)) < 0 ||
	    !gc_cbor_field_strcpy(&f[CAP_BIND], out->bind, sizeof(out->bind)) ||
	    !hash_field(&f[CAP_PHOTO], out->photo) ||
	    !hash_field(&f[CAP_ORIGINAL], out->original)) {
		return GC_ECORRUPT;
	}
	/* the student key and session id index the capture: never empty */
	if (out->student[0] == '\0' || out->session[0] == '\0') {
		return GC_ECORRUPT;
	}
	out->session_kind = (enum gc_session_kind)k;
	out->has_code     = hash_field(&f[CAP_CODE], out->code_hash);
	if (gc_cbor_field_uint(&f[CAP_VERDICT], &v) && v <= 2) {
		out->verdict = (uint8_t)v;
	}
	if (f[CAP_CHECKS].p != NULL) {
		gc_cbor_cur_init(&c, f[CAP_CHECKS].p, f[CAP_CHECKS].len);
		if (gc_cbor_next(&c, &it) == GC_OK && it.type == GC_CBOR_ARRAY) {
			for (uint64_t i = 0; i < it.val; i++) {
				struct gc_cbor_item a, s;
				struct gc_capture_check *ck =
				    &out->checks[out->nchecks];

				if (gc_cbor_next(&c, &a) != GC_OK ||
				    a.type != GC_CBOR_ARRAY || a.val != 3 ||
				    out->nchecks == GC_CAPTURE_MAX_CHECKS) {
					break;
				}
				if (gc_cbor_next(&c, &s) == GC_OK &&
				    s.type == GC_CBOR_TEXT && s.val < sizeof(ck->id)) {
					memcpy(ck->id, s.data, s.val);
					ck->id[s.val] = '\0';
				}
				if (gc_cbor_next(&c, &s) == GC_OK &&
				    s.type == GC_CBOR_UINT && s.val <= 2) {
					ck->verdict = (uint8_t)s.val;
				}
				if (gc_cbor_next(&c, &s) == GC_OK &&
				    s.type == GC_CBOR_TEXT &&
				    s.val < sizeof(ck->value)) {
					memcpy(ck->value, s.data, s.val);
					ck->value[s.val] = '\0';
				}
				out->nchecks++;
			}
		}
	}
	if (f[CAP_OVERRIDES].p != NULL) {
		gc_cbor_cur_init(&c, f[CAP_OVERRIDES].p, f[CAP_OVERRIDES].len);
		if (gc_cbor_next(&c, &it) == GC_OK && it.type == GC_CBOR_ARRAY) {
			for (uint64_t i = 0; i < it.val &&
			     out->nov < GC_CAPTURE_MAX_OVERRIDES; i++) {
				struct gc_cbor_item         a, s;
				struct gc_capture_override *o = &out->ov[out->nov];

				if (gc_cbor_next(&c, &a) != GC_OK ||
				    a.type != GC_CBOR_ARRAY || a.val != 2) {
					break;
				}
				if (gc_cbor_next(&c, &s) == GC_OK &&
				    s.type == GC_CBOR_TEXT &&
				    s.val < sizeof(o->check)) {
					memcpy(o->check, s.data, s.val);
					o->check[s.val] = '\0';
				}
				if (gc_cbor_next(&c, &s) == GC_OK &&
				    s.type == GC_CBOR_TEXT &&
				    s.val < sizeof(o->reason)) {
					memcpy(o->reason, s.data, s.val);
					o->reason[s.val] = '\0';
				}
				out->nov++;
			}
		}
	}
	gc_cbor_field_strcpy(&f[CAP_CAMERA], out->camera, sizeof(out->camera));
	gc_cbor_field_strcpy(&f[CAP_OPERATOR], out->operator_,
	    sizeof(out->operator_));
	if (gc_cbor_field_uint(&f[CAP_ATTEMPT], &v)) {
		out->attempt = (uint32_t)v;
	}
	gc_cbor_field_strcpy(&f[CAP_PROFILE], out->profile, sizeof(out->profile));
	if (gc_cbor_field_uint(&f[CAP_SEQ], &v) && v <= UINT32_MAX) {
		out->seq = (uint32_t)v;
	}
	return GC_OK;
}

/* ---- decisions ---- */

void
gc_void_encode(struct gc_buf *b, const struct gc_void_rec *v)
{
	gc_cbor_map(b, 2);
	gc_cbor_uint(b, 0);
	gc_cbor_bytes(b, v->capture, 32);
	gc_cbor_uint(b, 1);
	gc_cbor_text(b, v->reason);
}

gc_err
gc_void_decode(const uint8_t *p, size_t n, struct gc_void_rec *out)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[2];

	memset(out, 0, sizeof(*out));
	gc_cbor_cur_init(&c, p, n);
	if (gc_cbor_map_fields(&c, f, 2) != GC_OK ||
	    !hash_field(&f[0], out->capture) ||
	    !gc_cbor_field_strcpy(&f[1], out->reason, sizeof(out->reason))) {
		return GC_ECORRUPT;
	}
	return GC_OK;
}

void
gc_review_encode(struct gc_buf *b, const struct gc_review_rec *r)
{
	gc_cbor_map(b, 3);
	gc_cbor_uint(b, 0);
	gc_cbor_bytes(b, r->capture, 32);
	gc_cbor_uint(b, 1);
	gc_cbor_uint(b, (uint64_t)r->decision);
	gc_cbor_uint(b, 2);
	gc_cbor_text(b, r->reason);
}

gc_err
gc_review_decode(const uint8_t *p, size_t n, struct gc_review_rec *out)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[3];
	uint64_t             d;

	memset(out, 0, sizeof(*out));
	gc_cbor_cur_init(&c, p, n);
	if (gc_cbor_map_fields(&c, f, 3) != GC_OK ||
	    !hash_field(&f[0], out->capture) ||
	    !gc_cbor_field_uint(&f[1], &d) || d > 1 ||
	    !gc_cbor_field_strcpy(&f[2], out->reason, sizeof(out->reason))) {
		return GC_ECORRUPT;
	}
	out->decision = (enum gc_review_decision)d;
	return GC_OK;
}

void
gc_resolve_encode(struct gc_buf *b, const struct gc_resolve_rec *r)
{
	gc_cbor_map(b, 3);
	gc_cbor_uint(b, 0);
	gc_cbor_text(b, r->student);
	gc_cbor_uint(b, 1);
	gc_cbor_bytes(b, r->capture, 32);
	gc_cbor_uint(b, 2);
	gc_cbor_text(b, r->reason);
}

gc_err
gc_resolve_decode(const uint8_t *p, size_t n, struct gc_resolve_rec *out)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[3];

	memset(out, 0, sizeof(*out));
	gc_cbor_cur_init(&c, p, n);
	if (gc_cbor_map_fields(&c, f, 3) != GC_OK ||
	    !gc_cbor_field_strcpy(&f[0], out->student, sizeof(out->student)) ||
	    out->student[0] == '\0' || !hash_field(&f[1], out->capture) ||
	    !gc_cbor_field_strcpy(&f[2], out->reason, sizeof(out->reason))) {
		return GC_ECORRUPT;
	}
	return GC_OK;
}
