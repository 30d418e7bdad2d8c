/* table_xls: the first worksheet of a legacy .xls (BIFF5/BIFF8 in an OLE2
 * compound file) through libfreexl.
 *
 * libfreexl 1.0.6 is not memory-safe on damaged input: mutating a few
 * bytes of a valid file makes it overflow stack and heap buffers within
 * minutes of fuzzing (directory names, string lengths, SST records). So
 * freexl runs in a forked child with CPU and memory limits, and sends the
 * cells back over a pipe; the parent checks everything it receives and
 * builds the table. A crash or a hang becomes an error message. */
#include "common/table_int.h"

#include <errno.h>
#include <fcntl.h>
#include <freexl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/gc_alloc.h"

#define XLS_TIMEOUT_MS  120000          /* the whole read */
#define XLS_CPU_SECONDS 100
#define XLS_MEM_LIMIT   ((rlim_t)2 << 30) /* address space of the child */
#define XLS_BUF         65536

/* Messages from the child, each a type byte then fixed fields. */
enum {
	XM_CELL     = 'C', /* u32 row, u16 col, u32 len, len bytes */
	XM_ERR      = 'E', /* i32 freexl code */
	XM_CELL_ERR = 'R', /* u32 row, u16 col, i32 freexl code */
	XM_PASSWORD = 'P',
	XM_NOSHEET  = 'N',
	XM_DONE     = 'D',
};

/* What a freexl error means to the person who picked the file. */
static const char *
xls_reason(int rc)
{
	switch (rc) {
	case FREEXL_FILE_NOT_FOUND:
		return "cannot open the file";
	case FREEXL_INSUFFICIENT_MEMORY:
		return "out of memory (or the sheet claims an unreasonable "
		       "size)";
	case FREEXL_INVALID_CFBF_HEADER:
	case FREEXL_CFBF_INVALID_SIGNATURE:
	case FREEXL_CFBF_INVALID_SECTOR_SIZE:
		return "not a valid .xls file (bad compound-file header)";
	case FREEXL_CFBF_READ_ERROR:
	case FREEXL_CFBF_SEEK_ERROR:
		return "truncated or damaged .xls file (a sector lies past the "
		       "end of the file)";
	case FREEXL_CFBF_EMPTY_FAT_CHAIN:
	case FREEXL_CFBF_ILLEGAL_FAT_ENTRY:
	case FREEXL_INVALID_MINI_STREAM:
	case FREEXL_CFBF_ILLEGAL_MINI_FAT_ENTRY:
		return "damaged .xls file (broken sector chain)";
	case FREEXL_BIFF_INVALID_BOF:
		return "not an Excel workbook (bad BOF record)";
	case FREEXL_BIFF_INVALID_SST:
	case FREEXL_BIFF_ILLEGAL_SST_INDEX:
		return "damaged .xls file (bad shared-string table)";
	case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
		return "an OLE2 file without a Workbook stream: not an Excel "
		       "workbook (a Word file, or a password-protected one?)";
	case FREEXL_BIFF_ILLEGAL_SHEET_INDEX:
	case FREEXL_BIFF_UNSELECTED_SHEET:
		return "the workbook has no worksheet";
	case FREEXL_INVALID_CHARACTER:
	case FREEXL_UNSUPPORTED_CHARSET:
		return "text in a character set that cannot be converted to "
		       "UTF-8";
	case FREEXL_ILLEGAL_CELL_ROW_COL:
		return "a cell lies outside the sheet's declared size";
	case FREEXL_ILLEGAL_RK_VALUE:
		return "damaged .xls file (bad number record)";
	case FREEXL_CRAFTED_FILE:
		return "severely damaged .xls file (or one crafted to crash "
		       "readers)";
	default:
		return "libfreexl cannot read it";
	}
}

static gc_err
xls_fail(int rc, const char *name, struct gc_diag *d)
{
	gc_diag_set(d, "%s: %s (freexl error %d)", name, xls_reason(rc), rc);
	if (rc == FREEXL_FILE_NOT_FOUND) {
		return GC_EIO;
	}
	return GC_EINVAL;
}

/* ---- the child ---- */

struct xw {
	int     fd;
	size_t  len;
	uint8_t buf[XLS_BUF];
};

static void
xw_flush(struct xw *w)
{
	size_t  off = 0;
	ssize_t n;

	while (off < w->len) {
		n = write(w->fd, w->buf + off, w->len - off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			_exit(1); /* the parent stopped listening */
		}
		off += (size_t)n;
	}
	w->len = 0;
}

static void
xw_put(struct xw *w, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t         k;

	while (n > 0) {
		if (w->len == sizeof(w->buf)) {
			xw_flush(w);
		}
		k = sizeof(w->buf) - w->len;
		k = k < n ? k : n;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
	}
}

static void
xw_u8(struct xw *w, uint8_t v)
{
	xw_put(w, &v, 1);
}

static _Noreturn void
xw_end(struct xw *w)
{
	xw_flush(w);
	_exit(0);
}

static _Noreturn void
xw_err(struct xw *w, const void *h, int rc)
{
	int32_t v = rc;

	if (h != NULL) {
		freexl_close(h);
	}
	xw_u8(w, XM_ERR);
	xw_put(w, &v, sizeof(v));
	xw_end(w);
}

/* One cell as text into buf (numbers) or freexl's own string. */
static const char *
xls_cell_text(const FreeXL_CellValue *v, char *buf, size_t cap)
{
	buf[0] = '\0';
	switch (v->type) {
	case FREEXL_CELL_INT:
		snprintf(buf, cap, "%d", v->value.int_value);
		return buf;
	case FREEXL_CELL_DOUBLE:
		gc__table_fmt_num(buf, cap, v->value.double_value);
		return buf;
	case FREEXL_CELL_TEXT:
	case FREEXL_CELL_SST_TEXT:
	case FREEXL_CELL_DATE:     /* "YYYY-MM-DD" */
	case FREEXL_CELL_DATETIME: /* "YYYY-MM-DD HH:MM:SS" */
	case FREEXL_CELL_TIME:
		return v->value.text_value != NULL ? v->value.text_value : buf;
	default:
		return buf;
	}
}

static void
xls_limits(void)
{
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = XLS_CPU_SECONDS;
	setrlimit(RLIMIT_CPU, &rl);
#ifndef __SANITIZE_ADDRESS__ /* ASan's shadow counts as data */
	/* RLIMIT_DATA, not RLIMIT_AS: the parent's shared file mappings
	 * (an LMDB map of many GB) do not count against it. */
	rl.rlim_cur = rl.rlim_max = XLS_MEM_LIMIT;
	setrlimit(RLIMIT_DATA, &rl);
#endif
}

/* Reads path with freexl and writes the messages to fd. Never returns. */
static _Noreturn void
xls_child(int fd, const char *path)
{
	static struct xw w; /* the child's own copy: no allocation needed */
	FreeXL_CellValue v;
	const void      *h = NULL;
	unsigned int     info = 0, rows = 0, r;
	unsigned short   cols = 0, c;
	const char      *text;
	char             num[40];
	uint32_t         u32, len;
	uint16_t         u16;
	int32_t          i32;
	int              rc, devnull;

	w.fd    = fd;
	devnull = open("/dev/null", O_WRONLY);
	if (devnull >= 0) {
		dup2(devnull, STDERR_FILENO); /* freexl's and any crash noise */
	}
	signal(SIGPIPE, SIG_DFL);
	xls_limits();
	rc = freexl_open(path, &h);
	if (rc != FREEXL_OK || h == NULL) {
		/* freexl can fail with a stale FREEXL_OK and no handle */
		xw_err(&w, h, rc != FREEXL_OK ? rc : FREEXL_CRAFTED_FILE);
	}
	if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
	    info == FREEXL_BIFF_OBFUSCATED) {
		xw_u8(&w, XM_PASSWORD);
		xw_end(&w);
	}
	if (freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &info) != FREEXL_OK ||
	    info == 0) {
		xw_u8(&w, XM_NOSHEET);
		xw_end(&w);
	}
	rc = freexl_select_active_worksheet(h, 0);
	if (rc == FREEXL_OK) {
		rc = freexl_worksheet_dimensions(h, &rows, &cols);
	}
	if (rc != FREEXL_OK) {
		xw_err(&w, h, rc);
	}
	for (r = 0; r < rows; r++) {
		for (c = 0; c < cols; c++) {
			rc = freexl_get_cell_value(h, r, c, &v);
			u32 = r;
			u16 = c;
			if (rc != FREEXL_OK) {
				i32 = rc;
				xw_u8(&w, XM_CELL_ERR);
				xw_put(&w, &u32, sizeof(u32));
				xw_put(&w, &u16, sizeof(u16));
				xw_put(&w, &i32, sizeof(i32));
				xw_end(&w);
			}
			text = xls_cell_text(&v, num, sizeof(num));
			len  = (uint32_t)strnlen(text, GC_TABLE_MAX_CELL + 1);
			if (len == 0) {
				continue;
			}
			xw_u8(&w, XM_CELL);
			xw_put(&w, &u32, sizeof(u32));
			xw_put(&w, &u16, sizeof(u16));
			xw_put(&w, &len, sizeof(len));
			xw_put(&w, text, len);
		}
	}
	freexl_close(h);
	xw_u8(&w, XM_DONE);
	xw_end(&w);
}

/* ---- the parent ---- */

struct xr {
	int      fd;
	int64_t  deadline;  /* CLOCK_MONOTONIC ms */
	bool     timed_out;
	size_t   pos, len;
	uint8_t  buf[XLS_BUF];
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Refills the buffer; false at EOF, on error or past the deadline. */
static bool
xr_fill(struct xr *r)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	int64_t       left;
	ssize_t       n;
	int           pr;

	for (;;) {
		left = r->deadline - now_ms();
		if (left <= 0) {
			r->timed_out = true;
			return false;
		}
		pr = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (pr < 0 && errno == EINTR) {
			continue;
		}
		if (pr == 0) {
			r->timed_out = true;
			return false;
		}
		if (pr < 0) {
			return false;
		}
		n = read(r->fd, r->buf, sizeof(r->buf));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return false;
		}
		r->pos = 0;
		r->len = (size_t)n;
		return true;
	}
}

static bool
xr_get(struct xr *r, void *dst, size_t n)
{
	uint8_t *p = dst;
	size_t   k;

	while (n > 0) {
		if (r->pos == r->len && !xr_fill(r)) {
			return false;
		}
		k = r->len - r->pos;
		k = k < n ? k : n;
		memcpy(p, r->buf + r->pos, k);
		r->pos += k;
		p += k;
		n -= k;
	}
	return true;
}

/* Receives the child's messages into b. *done is set when the child
 * finished normally; false with GC_OK means it died or went silent. */
static gc_err
xls_receive(struct xr *r, struct gc__tb *b, const char *name,
    struct gc_diag *d, bool *done)
{
	char        text[GC_TABLE_MAX_CELL + 1]; /* cell bytes in transit */
	uint8_t     type;
	uint32_t    row, len, line = 0;
	uint16_t    col;
	int32_t     rc;
	bool        in_row = false;
	gc_err      rv;

	*done = false;
	while (xr_get(r, &type, 1)) {
		switch (type) {
		case XM_CELL:
			if (!xr_get(r, &row, 4) || !xr_get(r, &col, 2) ||
			    !xr_get(r, &len, 4)) {
				return GC_OK;
			}
			if (in_row && row + 1 != line) {
				rv = gc__tb_end_row(b, line);
				if (rv != GC_OK) {
					return rv;
				}
			}
			in_row = true;
			line   = row + 1;
			if (len > GC_TABLE_MAX_CELL) {
				/* the builder words the error */
				return gc__tb_cell_at(b, line, col, text,
				    GC_TABLE_MAX_CELL + 1);
			}
			if (!xr_get(r, text, len)) {
				return GC_OK;
			}
			rv = gc__tb_cell_at(b, line, col, text, len);
			if (rv != GC_OK) {
				return rv;
			}
			break;
		case XM_DONE:
			*done = true;
			return in_row ? gc__tb_end_row(b, line) : GC_OK;
		case XM_ERR:
			if (!xr_get(r, &rc, 4)) {
				return GC_OK;
			}
			*done = true;
			return xls_fail(rc, name, d);
		case XM_CELL_ERR:
			if (!xr_get(r, &row, 4) || !xr_get(r, &col, 2) ||
			    !xr_get(r, &rc, 4)) {
				return GC_OK;
			}
			*done = true;
			gc_diag_set(d, "%s: row %" PRIu32 ": cannot read cell %u: "
			    "%s (freexl error %d)", name, row + 1,
			    (unsigned)col + 1, xls_reason(rc), (int)rc);
			return GC_EINVAL;
		case XM_PASSWORD:
			*done = true;
			gc_diag_set(d, "%s: the workbook is password-protected; "
			    "save a copy without a password", name);
			return GC_EINVAL;
		case XM_NOSHEET:
			*done = true;
			gc_diag_set(d, "%s: the workbook has no worksheet", name);
			return GC_EINVAL;
		default:
			return GC_OK; /* garbage: treated as a dead child */
		}
	}
	return GC_OK;
}

/* Ends the child (if still there) and reaps it; its exit status. */
static int
xls_reap(pid_t pid, bool kill_it)
{
	int   st = 0;
	pid_t w;

	if (kill_it) {
		kill(pid, SIGKILL);
	}
	do {
		w = waitpid(pid, &st, 0);
	} while (w < 0 && errno == EINTR);
	return w == pid ? st : -1;
}

gc_err
gc__table_read_xls(struct gc_table **out, const char *path,
    const char *name, struct gc_diag *d)
{
	struct xr       *rd;
	struct gc__tb    b;
	int              p[2];
	pid_t            pid;
	bool             done = false;
	int              st;
	gc_err           rv;

	*out = NULL;
	rv   = gc__tb_init(&b, "xls", "", name, d);
	if (rv != GC_OK) {
		return rv;
	}
	b.trim_tail = true;
	rd          = gc_alloc(sizeof(*rd));
	if (rd == NULL) {
		gc__tb_release(&b);
		return GC_ENOMEM;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		gc_free(rd);
		gc__tb_release(&b);
		gc_diag_set(d, "%s: cannot start the .xls reader: %s", name,
		    strerror(errno));
		return GC_EIO;
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		gc_free(rd);
		gc__tb_release(&b);
		gc_diag_set(d, "%s: cannot start the .xls reader: %s", name,
		    strerror(errno));
		return GC_EIO;
	}
	if (pid == 0) {
		close(p[0]);
		xls_child(p[1], path);
	}
	close(p[1]);
	memset(rd, 0, sizeof(*rd));
	rd->fd       = p[0];
	rd->deadline = now_ms() + XLS_TIMEOUT_MS;
	rv           = xls_receive(rd, &b, name, d, &done);
	close(p[0]);
	st = xls_reap(pid, !done || rv != GC_OK);
	if (rv == GC_OK && !done) {
		if (rd->timed_out) {
			gc_diag_set(d, "%s: reading the .xls took longer than "
			    "%d s; the file is damaged or too large", name,
			    XLS_TIMEOUT_MS / 1000);
		} else if (st != -1 && WIFSIGNALED(st)) {
			gc_diag_set(d, "%s: the .xls reader (libfreexl) crashed "
			    "on this file (signal %d): it is damaged or not a "
			    "real .xls; save it again as .xlsx", name,
			    WTERMSIG(st));
		} else {
			gc_diag_set(d, "%s: the .xls reader (libfreexl) stopped "
			    "early: the file is damaged; save it again as "
			    ".xlsx", name);
		}
		rv = GC_EINVAL;
	}
	gc_free(rd);
	if (rv == GC_OK && b.t->nrows == 0) {
		gc_diag_set(d, "%s: the first worksheet is empty", name);
		rv = GC_EINVAL;
	}
	if (rv != GC_OK) {
		gc__tb_release(&b);
		return rv;
	}
	*out = gc__tb_take(&b);
	return GC_OK;
}
