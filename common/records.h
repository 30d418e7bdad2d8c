/* records: the bodies of SESSION_OPEN, SESSION_CLOSE and CAPTURE entries
 * (docs/formats.md), encoded as deterministic CBOR and decoded again. */
#ifndef GC_COMMON_RECORDS_H
#define GC_COMMON_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"

#define GC_SESSION_ID_LEN 20 /* "s-" + 16 hex + NUL, with room */

/* Session kinds (capture channels, domain.md §6.1), in the default merge
 * precedence order. */
enum gc_session_kind {
	GC_SESSION_CENTRAL = 0, /* 集中 */
	GC_SESSION_MAKEUP,      /* 补拍 */
	GC_SESSION_INDIVIDUAL,  /* 散拍 (studio photos imported) */
	GC_SESSION_ONLINE,      /* 线上 (online photos imported) */
	GC_SESSION_KIND_END
};
const char *gc_session_kind_name(enum gc_session_kind k); /* "central" */
const char *gc_session_kind_zh(enum gc_session_kind k);   /* "集中" */
int         gc_session_kind_parse(const char *s);          /* -1 unknown */

struct gc_session_rec {
	char                 id[GC_SESSION_ID_LEN];
	enum gc_session_kind kind;
	char                 location[128];
	char                 operator_[64];
	uint64_t             opened;  /* unix seconds */
	bool                 closed;  /* derived: a SESSION_CLOSE was seen */
	uint64_t             open_seq; /* derived: the SESSION_OPEN entry's
	                                * seq on its feed */
};

void   gc_session_open_encode(struct gc_buf *b, const struct gc_session_rec *s);
gc_err gc_session_open_decode(const uint8_t *p, size_t n,
    struct gc_session_rec *out);
/* SESSION_CLOSE: {0: id, 1: closed unix s, 2: captures taken} */
void   gc_session_close_encode(struct gc_buf *b, const char *id,
    uint64_t closed, uint64_t captures);
gc_err gc_session_close_decode(const uint8_t *p, size_t n,
    char id[GC_SESSION_ID_LEN]);

/* How the student was identified when the photo was bound. */
#define GC_BIND_QR         "qr"
#define GC_BIND_ID_CARD    "id-card"
#define GC_BIND_STUDENT_NO "student-no"
#define GC_BIND_SEARCH     "search"
#define GC_BIND_FILENAME   "filename"
#define GC_BIND_INVITE     "invite" /* signed in to the portal by invitation */

/* A scanned capture code (采集码): kept whole as a blob, at most this
 * many bytes. */
#define GC_CAPTURE_CODE_MAX 1024

#define GC_CAPTURE_MAX_CHECKS    32
#define GC_CAPTURE_MAX_OVERRIDES 16

struct gc_capture_check {
	char    id[24];
	uint8_t verdict; /* 0 pass, 1 warn, 2 fail */
	char    value[48];
};

struct gc_capture_override {
	char check[24];
	char reason[256];
};

struct gc_capture_rec {
	char                       student[80];  /* student key */
	char                       session[GC_SESSION_ID_LEN];
	enum gc_session_kind       session_kind;
	char                       bind[16];     /* GC_BIND_* */
	bool                       has_code;
	uint8_t                    code_hash[32]; /* SHA-256 of the scanned
	                                           * code, stored opaque */
	uint8_t                    photo[32];     /* normalised photo blob */
	uint8_t                    original[32];  /* the shot as taken */
	uint8_t                    verdict;       /* the report's, 0..2 */
	struct gc_capture_check    checks[GC_CAPTURE_MAX_CHECKS];
	int                        nchecks;
	struct gc_capture_override ov[GC_CAPTURE_MAX_OVERRIDES];
	int                        nov;
	char                       camera[128];
	char                       operator_[64];
	uint32_t                   attempt;
	char                       profile[64];
	uint32_t                   seq;  /* 拍摄序号: the student's number in
	                                  * the session's shooting order (1,
	                                  * 2, ...; a retake keeps it), 0 none */
};

void   gc_capture_encode(struct gc_buf *b, const struct gc_capture_rec *c);
/* GC_ECORRUPT when the body is not a CAPTURE body. */
gc_err gc_capture_decode(const uint8_t *p, size_t n,
    struct gc_capture_rec *out);

/* ---- decisions on captures (docs/formats.md) ---- */

/* VOID: {0: capture entry id, 1: reason}. A site may void only its own
 * captures; the coordinator any. */
struct gc_void_rec {
	uint8_t capture[32];
	char    reason[256];
};
void   gc_void_encode(struct gc_buf *b, const struct gc_void_rec *v);
gc_err gc_void_decode(const uint8_t *p, size_t n, struct gc_void_rec *out);

/* REVIEW: {0: capture entry id, 1: decision (0 approve, 1 reject),
 * 2: reason}. The latest review of a capture by (hlc, entry id) counts. */
enum gc_review_decision { GC_REVIEW_APPROVE = 0, GC_REVIEW_REJECT = 1 };
struct gc_review_rec {
	uint8_t                 capture[32];
	enum gc_review_decision decision;
	char                    reason[256];
};
void   gc_review_encode(struct gc_buf *b, const struct gc_review_rec *r);
gc_err gc_review_decode(const uint8_t *p, size_t n,
    struct gc_review_rec *out);

/* RESOLVE: {0: student key, 1: the winning capture's entry id,
 * 2: reason}. Coordinator only; the latest by (hlc, entry id) counts. */
struct gc_resolve_rec {
	char    student[80];
	uint8_t capture[32];
	char    reason[256];
};
void   gc_resolve_encode(struct gc_buf *b, const struct gc_resolve_rec *r);
gc_err gc_resolve_decode(const uint8_t *p, size_t n,
    struct gc_resolve_rec *out);

#endif
