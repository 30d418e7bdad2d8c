#include "common/gc_err.h"

#include <errno.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const err_tab[GC_ERR_COUNT] = {
	[GC_OK] = "success",
	[GC_ENOMEM] = "out of memory",
	[GC_EINVAL] = "invalid argument or input",
	[GC_EIO] = "input/output error",
	[GC_EAGAIN] = "resource temporarily unavailable",
	[GC_ECLOSED] = "object closed",
	[GC_ETIMEDOUT] = "timed out",
	[GC_ETOOBIG] = "over the configured size limit",
	[GC_EBADSIG] = "signature did not verify",
	[GC_ECORRUPT] = "data failed validation",
	[GC_ENOTFOUND] = "not found",
	[GC_EINTERNAL] = "internal error",
	[GC_EEXIST] = "already present",
	[GC_EPERM] = "not permitted",
	[GC_EFORK] = "conflicting entry: fork proved",
	[GC_EGAP] = "entry arrived before its predecessor",
	[GC_EAUTH] = "wrong passphrase or key",
	[GC_EAMBIGUOUS] = "matches more than one item",
};

const char *
gc_strerror(gc_err rv)
{
	if ((unsigned)rv >= GC_ERR_COUNT) {
		return "unknown error";
	}
	return err_tab[rv];
}

gc_err
gc_err_from_mdb(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return GC_OK;
	case MDB_NOTFOUND:
		return GC_ENOTFOUND;
	case MDB_KEYEXIST:
		return GC_EEXIST;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
	case MDB_DBS_FULL:
	case MDB_READERS_FULL:
		return GC_ETOOBIG;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
	case MDB_BAD_TXN:
	case MDB_BAD_VALSIZE:
	case MDB_BAD_DBI:
	case MDB_INCOMPATIBLE:
		return GC_ECORRUPT;
	case ENOMEM:
		return GC_ENOMEM;
	case EACCES:
	case EPERM:
		return GC_EPERM;
	case ENOENT:
		return GC_ENOTFOUND;
	default:
		return GC_EIO;
	}
}

gc_err
gc_err_from_errno(int e)
{
	switch (e) {
	case 0:
		return GC_OK;
	case ENOMEM:
		return GC_ENOMEM;
	case ENOENT:
		return GC_ENOTFOUND;
	case EEXIST:
		return GC_EEXIST;
	case EACCES:
	case EPERM:
		return GC_EPERM;
	case EINVAL:
		return GC_EINVAL;
	case EAGAIN:
		return GC_EAGAIN;
	case EFBIG:
		return GC_ETOOBIG;
	default:
		return GC_EIO;
	}
}

void
gc_diag_clear(struct gc_diag *d)
{
	if (d != NULL) {
		d->msg[0] = '\0';
	}
}

void
gc_diag_set(struct gc_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL || d->msg[0] != '\0') {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

const char *
gc_diag_msg(const struct gc_diag *d, gc_err rv)
{
	if (d != NULL && d->msg[0] != '\0') {
		return d->msg;
	}
	return gc_strerror(rv);
}
