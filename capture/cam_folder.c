/*
 * cam_folder: "folder:<dir>", a hot folder that a tethered camera's or a
 * scanner's software saves JPEG files into.
 *
 * A thread runs its own uv loop with a uv_fs_event on the directory, a
 * periodic uv_timer that re-stats the files not yet delivered (and rescans
 * the whole directory every FOLDER_RESCAN_MS, since inotify drops events
 * when its queue overflows), a uv_check that delivers files renamed in,
 * and a uv_async that stops it.
 *
 * Which files: regular files (symlinks are not followed) whose name ends
 * .jpg or .jpeg in any case and does not start with '.'. Files already in
 * the folder when gc_cam_start runs are not delivered: only new ones.
 *
 * When a file is done: its writer has finished when either
 *   - it was renamed into the folder (the writer wrote "x.tmp" and renamed
 *     it to "x.jpg"): a rename event, no write event for the name since,
 *     and the file ends with the JPEG end-of-image marker. It is delivered
 *     at once. (libuv reports IN_CREATE as a rename event too; a file
 *     created in place is told apart by the write events that follow, and
 *     by the missing marker while it is still incomplete.)
 *   - or its size, mtime and inode have not changed for settle_ms
 *     (default 500), re-stated on each timer tick.
 * Each version of a file (name, inode, size, mtime) is delivered once: a
 * file overwritten later, or one still being written when the source
 * started, is delivered again once it has settled.
 *
 * Frames: kind GC_FRAME_JPEG (by name; the pipeline checks the content),
 * the whole file (at most GC__CAM_MAX_FILE bytes; a bigger one is skipped
 * with a CAM-SKIP warning), the name, seq counting delivered frames and
 * ts_ns the monotonic time of delivery. width, height, stride are 0.
 * When all pool slots are out, a ready file waits for the next tick.
 */
#include "capture/cam.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "capture/cam_int.h"
#include "common/gc_alloc.h"
#include "common/fileio.h"
#include "common/gc_log.h"

#define FOLDER_RESCAN_MS  1000
#define FOLDER_SETTLE_DEF 500

/* What we know of one file name in the folder. */
struct fent {
	struct fent    *next; /* hash chain */
	ino_t           ino;
	off_t           size;
	struct timespec mtime;
	uint64_t        changed_ns; /* last seen ino/size/mtime change */
	uint32_t        gen;        /* the last full scan that saw it */
	bool            done;    /* this version: delivered, skipped, or old */
	bool            renamed; /* a rename event and no write since */
	char            name[];
};

struct folder {
	char           *dir;
	int             dirfd;
	int             settle_ms;
	int             tick_ms;
	gc_cam_frame_cb cb;
	void           *cb_arg;
	uint64_t        seq;

	struct gc__cam_pool pool;

	struct fent **tab; /* hash buckets; nbuckets is a power of two */
	size_t        nbuckets;
	size_t        count;
	uint32_t      gen;
	uint64_t      last_rescan_ns;
	bool          need_rescan;
	bool          scan_failing; /* log the first failure of a streak */
	bool          renames;      /* some entry has renamed set */

	uv_loop_t     loop;
	uv_fs_event_t ev;
	uv_timer_t    timer;
	uv_check_t    check;
	uv_async_t    stop;
	uv_thread_t   thread;
	bool          loop_inited;
	bool          running; /* the loop thread was started */
};

enum observe_how {
	OBS_BASELINE, /* before start: remember as done */
	OBS_SCAN,     /* a directory scan or a re-stat */
	OBS_RENAME,   /* a rename (or create) event for the name */
	OBS_CHANGE,   /* a write or attribute event for the name */
};

/* --- the name table ------------------------------------------------- */

static size_t
fent_hash(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */

	for (; *s != '\0'; s++) {
		h = (h ^ (uint8_t)*s) * 1099511628211u;
	}
	return (size_t)h;
}

static struct fent **
fent_slot(struct folder *fo, const char *name)
{
	struct fent **pp = &fo->tab[fent_hash(name) & (fo->nbuckets - 1)];

	while (*pp != NULL && strcmp((*pp)->name, name) != 0) {
		pp = &(*pp)->next;
	}
	return pp;
}

static void
fent_grow(struct folder *fo)
{
	size_t        n   = fo->nbuckets * 2;
	struct fent **tab = gc_calloc(n, sizeof(*tab));

	if (tab == NULL) {
		return; /* longer chains, still correct */
	}
	for (size_t i = 0; i < fo->nbuckets; i++) {
		while (fo->tab[i] != NULL) {
			struct fent *e = fo->tab[i];
			size_t       b = fent_hash(e->name) & (n - 1);

			fo->tab[i] = e->next;
			e->next    = tab[b];
			tab[b]     = e;
		}
	}
	gc_free(fo->tab);
	fo->tab      = tab;
	fo->nbuckets = n;
}

static void
fent_remove(struct folder *fo, struct fent **pp)
{
	struct fent *e = *pp;

	*pp = e->next;
	fo->count--;
	gc_free(e);
}

/* --- observing files ------------------------------------------------ */

static bool
same_version(const struct fent *e, const struct stat *st)
{
	return e->ino == st->st_ino && e->size == st->st_size &&
	    e->mtime.tv_sec == st->st_mtim.tv_sec &&
	    e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static void
set_version(struct fent *e, const struct stat *st, uint64_t now)
{
	e->ino        = st->st_ino;
	e->size       = st->st_size;
	e->mtime      = st->st_mtim;
	e->changed_ns = now;
}

/* Records what name is now; returns its entry (NULL: gone or not ours). */
static struct fent *
observe(struct folder *fo, const char *name, enum observe_how how,
    uint64_t now)
{
	struct fent **pp = fent_slot(fo, name);
	struct fent  *e  = *pp;
	struct stat   st;
	size_t        n;

	if (fstatat(fo->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISREG(st.st_mode)) {
		if (e != NULL) {
			fent_remove(fo, pp);
		}
		return NULL;
	}
	if (e == NULL) {
		n = strlen(name);
		e = gc_alloc(sizeof(*e) + n + 1);
		if (e == NULL) {
			return NULL; /* the next scan tries again */
		}
		memset(e, 0, sizeof(*e));
		memcpy(e->name, name, n + 1);
		set_version(e, &st, now);
		e->done = how == OBS_BASELINE;
		*pp     = e;
		fo->count++;
		if (fo->count > fo->nbuckets) {
			fent_grow(fo);
		}
	} else if (!same_version(e, &st)) {
		set_version(e, &st, now);
		e->done = how == OBS_BASELINE;
	}
	if (how == OBS_RENAME && !e->done) {
		e->renamed  = true;
		fo->renames = true;
	} else if (how == OBS_CHANGE) {
		e->renamed = false;
	}
	e->gen = fo->gen;
	return e;
}

/* Reads the whole directory; forgets names that are gone. */
static void
full_scan(struct folder *fo, enum observe_how how, uint64_t now)
{
	int            fd;
	DIR           *dp;
	struct dirent *de;

	fd = openat(fo->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (dp == NULL) {
		if (!fo->scan_failing) {
			GC_LOG(GC_LOG_WARN, "CAM-FOLDER", "folder %s: cannot "
			    "read the directory: %s", fo->dir,
			    strerror(errno));
		}
		fo->scan_failing = true;
		if (fd >= 0) {
			close(fd);
		}
		return;
	}
	if (fo->scan_failing) {
		GC_LOG(GC_LOG_NOTICE, "CAM-FOLDER", "folder %s: readable "
		    "again", fo->dir);
		fo->scan_failing = false;
	}
	fo->gen++;
	for (;;) {
		errno = 0;
		de    = readdir(dp);
		if (de == NULL) {
			break;
		}
		if (gc__cam_jpeg_name(de->d_name)) {
			observe(fo, de->d_name, how, now);
		}
	}
	if (errno == 0) { /* a complete listing: sweep what is gone */
		for (size_t i = 0; i < fo->nbuckets; i++) {
			struct fent **pp = &fo->tab[i];

			while (*pp != NULL) {
				if ((*pp)->gen != fo->gen) {
					fent_remove(fo, pp);
				} else {
					pp = &(*pp)->next;
				}
			}
		}
	}
	closedir(dp);
	fo->last_rescan_ns = now;
	fo->need_rescan    = false;
}

/* --- delivering ----------------------------------------------------- */

/* Whether the file ends with the JPEG end-of-image marker FF D9. */
static bool
ends_with_eoi(struct folder *fo, const struct fent *e)
{
	uint8_t tail[2];
	int     fd;
	bool    ok;

	if (e->size < 4) {
		return false;
	}
	fd = openat(fo->dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	ok = pread(fd, tail, 2, e->size - 2) == 2 && tail[0] == 0xff &&
	    tail[1] == 0xd9;
	close(fd);
	return ok;
}

/*
 * Reads e into a pool slot and calls back. Leaves e pending (not done)
 * when it should be tried again: no free slot, or the file changed under
 * us (then its version is updated and it settles anew).
 */
static void
deliver(struct folder *fo, struct fent *e, uint64_t now)
{
	struct gc__cam_slot *s = NULL;
	struct stat          st, st2;
	int                  fd;
	size_t               got;
	bool                 ok;
	gc_err               rv;

	if (e->size <= 0) {
		return; /* nothing written yet */
	}
	if (e->size > GC__CAM_MAX_FILE) {
		GC_LOG(GC_LOG_WARN, "CAM-SKIP", "folder %s: %s is %jd bytes, "
		    "over the %d MiB cap: skipped", fo->dir, e->name,
		    (intmax_t)e->size, (int)(GC__CAM_MAX_FILE >> 20));
		e->done = true;
		return;
	}
	fd = openat(fo->dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT) {
			GC_LOG(GC_LOG_WARN, "CAM-SKIP", "folder %s: cannot "
			    "open %s: %s", fo->dir, e->name, strerror(errno));
			e->done = true;
		}
		return; /* gone: the next scan forgets it */
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		goto out;
	}
	if (!same_version(e, &st)) {
		set_version(e, &st, now);
		goto out;
	}
	rv = gc__cam_pool_get(&fo->pool, (size_t)st.st_size, &s);
	if (rv == GC_EAGAIN) {
		goto out; /* the consumer is behind: next tick */
	}
	if (rv != GC_OK) {
		GC_LOG(GC_LOG_WARN, "CAM-SKIP", "folder %s: no memory for "
		    "%s (%jd bytes): skipped", fo->dir, e->name,
		    (intmax_t)st.st_size);
		e->done = true;
		goto out;
	}
	errno = 0;
	ok    = gc_read_full(fd, s->buf, (size_t)st.st_size, &got) == GC_OK &&
	    got == (size_t)st.st_size;
	if (fstat(fd, &st2) != 0) {
		ok = false;
	} else if (!same_version(e, &st2)) {
		/* Written to while we read: let it settle again. */
		set_version(e, &st2, now);
		gc__cam_pool_put(&fo->pool, s);
		goto out;
	}
	if (!ok) {
		GC_LOG(GC_LOG_WARN, "CAM-SKIP", "folder %s: cannot read %s: "
		    "%s", fo->dir, e->name, errno != 0 ? strerror(errno) :
		    "file shrank");
		e->done = true;
		gc__cam_pool_put(&fo->pool, s);
		goto out;
	}
	close(fd);
	s->f.kind  = GC_FRAME_JPEG;
	s->f.data  = s->buf;
	s->f.len   = (size_t)st.st_size;
	s->f.seq   = fo->seq++;
	s->f.ts_ns = now;
	snprintf(s->f.name, sizeof(s->f.name), "%s", e->name);
	e->done    = true;
	e->renamed = false;
	fo->cb(&s->f, fo->cb_arg);
	return;
out:
	close(fd);
}

/* --- the loop thread ------------------------------------------------ */

static void
folder_event_cb(uv_fs_event_t *h, const char *filename, int events,
    int status)
{
	struct folder *fo = h->data;

	if (status < 0 || filename == NULL) {
		fo->need_rescan = true; /* the timer rescans soon */
		return;
	}
	if (gc__cam_jpeg_name(filename)) {
		observe(fo, filename,
		    (events & UV_RENAME) != 0 ? OBS_RENAME : OBS_CHANGE,
		    gc__cam_now_ns());
	}
}

/* After each batch of events: files renamed in and complete go out now.
 * A create event looks like a rename; the write events that follow a
 * create arrive in the same batch and clear the flag first. */
static void
folder_check_cb(uv_check_t *h)
{
	struct folder *fo  = h->data;
	uint64_t       now = gc__cam_now_ns();

	if (!fo->renames) {
		return;
	}
	fo->renames = false;
	for (size_t i = 0; i < fo->nbuckets; i++) {
		for (struct fent *e = fo->tab[i]; e != NULL; e = e->next) {
			if (!e->renamed || e->done) {
				continue;
			}
			if (ends_with_eoi(fo, e)) {
				deliver(fo, e, now); /* does not unlink e */
			} else {
				e->renamed = false; /* let it settle */
			}
			if (!e->done && e->renamed) {
				fo->renames = true; /* retry next turn */
			}
		}
	}
}

static void
folder_timer_cb(uv_timer_t *h)
{
	struct folder *fo  = h->data;
	uint64_t       now = gc__cam_now_ns();
	bool           scanned = false;

	if (fo->need_rescan ||
	    now - fo->last_rescan_ns >=
	        (uint64_t)FOLDER_RESCAN_MS * 1000000u) {
		full_scan(fo, OBS_SCAN, now);
		scanned = true;
	}
	for (size_t i = 0; i < fo->nbuckets; i++) {
		struct fent **pp = &fo->tab[i];

		while (*pp != NULL) {
			struct fent *e = *pp;

			if (e->done) {
				pp = &e->next;
				continue;
			}
			if (!scanned && observe(fo, e->name, OBS_SCAN, now) ==
			    NULL) {
				continue; /* removed: *pp is the next entry */
			}
			if (now - e->changed_ns >=
			    (uint64_t)fo->settle_ms * 1000000u) {
				deliver(fo, e, now);
			}
			pp = &e->next;
		}
	}
}

static void
folder_close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h)) {
		uv_close(h, NULL);
	}
}

static void
folder_stop_cb(uv_async_t *h)
{
	uv_walk(h->loop, folder_close_walk_cb, NULL);
}

static void
folder_thread(void *arg)
{
	struct folder *fo = arg;

	uv_run(&fo->loop, UV_RUN_DEFAULT); /* until every handle is closed */
}

/* --- the source ----------------------------------------------------- */

static gc_err
folder_open(void **out, const char *arg, const struct gc_cam_cfg *cfg,
    struct gc_diag *d)
{
	struct folder *fo;
	int            fd;

	*out = NULL;
	if (arg[0] == '\0') {
		gc_diag_set(d, "camera source 'folder:': no directory given");
		return GC_EINVAL;
	}
	fd = open(arg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		gc_diag_set(d, "camera source 'folder:%s': %s", arg,
		    e == ENOTDIR ? "not a directory" : strerror(e));
		return e == ENOENT ? GC_ENOTFOUND :
		    e == ENOTDIR   ? GC_EINVAL :
		                     gc_err_from_errno(e);
	}
	fo            = gc_xzalloc(sizeof(*fo));
	fo->dir       = gc_xstrdup(arg);
	fo->dirfd     = fd;
	fo->settle_ms = cfg->settle_ms > 0 ? cfg->settle_ms :
	                                     FOLDER_SETTLE_DEF;
	fo->tick_ms   = fo->settle_ms / 4;
	if (fo->tick_ms < 10) {
		fo->tick_ms = 10;
	} else if (fo->tick_ms > 250) {
		fo->tick_ms = 250;
	}
	fo->nbuckets = 64;
	fo->tab      = gc_xzalloc(fo->nbuckets * sizeof(*fo->tab));
	gc__cam_pool_init(&fo->pool);
	*out = fo;
	return GC_OK;
}

static gc_err
folder_start(void *src, gc_cam_frame_cb cb, void *arg)
{
	struct folder *fo = src;
	int            r;

	if (fo->loop_inited) {
		return GC_EINVAL; /* a second start, or one after a failure */
	}
	fo->cb     = cb;
	fo->cb_arg = arg;
	r          = uv_loop_init(&fo->loop);
	if (r != 0) {
		return GC_EIO;
	}
	fo->loop_inited = true;
	uv_async_init(&fo->loop, &fo->stop, folder_stop_cb);
	uv_timer_init(&fo->loop, &fo->timer);
	uv_check_init(&fo->loop, &fo->check);
	uv_fs_event_init(&fo->loop, &fo->ev);
	fo->stop.data  = fo;
	fo->timer.data = fo;
	fo->check.data = fo;
	fo->ev.data    = fo;

	/* What is there now is not ours. Scan before watching: a file that
	 * lands in between is found by the first rescan. */
	full_scan(fo, OBS_BASELINE, gc__cam_now_ns());
	r = uv_fs_event_start(&fo->ev, folder_event_cb, fo->dir, 0);
	if (r != 0) {
		GC_LOG(GC_LOG_WARN, "CAM-FOLDER", "folder %s: cannot watch "
		    "it (%s): rescanning every %d ms instead", fo->dir,
		    uv_strerror(r), FOLDER_RESCAN_MS);
	}
	uv_check_start(&fo->check, folder_check_cb);
	uv_timer_start(&fo->timer, folder_timer_cb, (uint64_t)fo->tick_ms,
	    (uint64_t)fo->tick_ms);
	r = uv_thread_create(&fo->thread, folder_thread, fo);
	if (r != 0) {
		return gc_err_from_errno(-r);
	}
	fo->running = true;
	return GC_OK;
}

static void
folder_release(void *src, const struct gc_cam_frame *f)
{
	struct folder *fo = src;

	gc__cam_pool_put(&fo->pool, f->priv);
}

static void
folder_close(void *src)
{
	struct folder *fo = src;

	if (fo == NULL) {
		return;
	}
	if (fo->running) {
		uv_async_send(&fo->stop);
		uv_thread_join(&fo->thread);
	} else if (fo->loop_inited) {
		/* Started partway: close the handles on this thread. */
		uv_walk(&fo->loop, folder_close_walk_cb, NULL);
		uv_run(&fo->loop, UV_RUN_DEFAULT);
	}
	if (fo->loop_inited && uv_loop_close(&fo->loop) != 0) {
		GC_LOG(GC_LOG_ERR, "CAM-FOLDER", "folder %s: loop still "
		    "busy at close", fo->dir);
	}
	for (size_t i = 0; i < fo->nbuckets; i++) {
		while (fo->tab[i] != NULL) {
			fent_remove(fo, &fo->tab[i]);
		}
	}
	gc_free(fo->tab);
	gc__cam_pool_release(&fo->pool);
	close(fo->dirfd);
	gc_free(fo->dir);
	gc_free(fo);
}

const struct gc__cam_ops gc__cam_folder_ops = {
	.prefix  = "folder",
	.open    = folder_open,
	.start   = folder_start,
	.release = folder_release,
	.close   = folder_close,
};
