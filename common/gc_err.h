/* gc_err: the one project-wide error enum, and diagnostics that name the
 * item and the reason. */
#ifndef GC_COMMON_GC_ERR_H
#define GC_COMMON_GC_ERR_H

#include <stddef.h>

typedef enum gc_err {
	GC_OK = 0,
	GC_ENOMEM,     /* allocation failed */
	GC_EINVAL,     /* invalid argument or input */
	GC_EIO,        /* I/O error */
	GC_EAGAIN,     /* try again */
	GC_ECLOSED,    /* object closed */
	GC_ETIMEDOUT,  /* timed out */
	GC_ETOOBIG,    /* over a configured cap */
	GC_EBADSIG,    /* signature did not verify */
	GC_ECORRUPT,   /* stored or received bytes failed validation */
	GC_ENOTFOUND,  /* no such item */
	GC_EINTERNAL,  /* programmer error or unexpected library state */
	GC_EEXIST,     /* already present */
	GC_EPERM,      /* not allowed (role, enrollment, revocation) */
	GC_EFORK,      /* a conflicting entry at a known seq: fork proved */
	GC_EGAP,       /* an entry arrived before its predecessor */
	GC_EAUTH,      /* wrong passphrase or key */
	GC_EAMBIGUOUS, /* a prefix or key matches more than one item */
	GC_ERR_COUNT
} gc_err;

#define GC_NODISCARD __attribute__((warn_unused_result))

/* A short English description of rv; never NULL. */
const char *gc_strerror(gc_err rv);

/* gc_err_from_mdb: translate an LMDB return code (0 → GC_OK). */
gc_err gc_err_from_mdb(int rc);

/* gc_err_from_errno: translate an errno value. */
gc_err gc_err_from_errno(int e);

/*
 * A diagnostic: the first failure that was explained, in words that name
 * the item and the reason ("roster.csv row 12, column 身份证号: check digit
 * is 3, expected X"). Functions that take a `struct gc_diag *` may be passed
 * NULL. gc_diag_set keeps the first message (the root cause); later calls
 * are ignored until gc_diag_clear.
 */
struct gc_diag {
	char msg[512];
};

void gc_diag_clear(struct gc_diag *d);
void gc_diag_set(struct gc_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Returns d->msg, or gc_strerror(rv) when nothing was set. */
const char *gc_diag_msg(const struct gc_diag *d, gc_err rv);

#endif
