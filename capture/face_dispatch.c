/* Which build of the dlib shim runs: the AVX2 + FMA one when the CPU has
 * both, else the one for any x86-64 (capture/CMakeLists.txt builds
 * face_dlib.cpp twice). GC_FACEDET=base forces the portable one (tests
 * and benches run both). */
#include "capture/face.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FD_DECLARE(sfx)                                                   \
	gc_err gc_facedet_open##sfx(gc_facedet **, const char *,           \
	    struct gc_diag *);                                             \
	void   gc_facedet_close##sfx(gc_facedet *);                        \
	gc_err gc_facedet_run##sfx(gc_facedet *, const struct gc_image *,  \
	    float, struct gc_face *, int, int *);                          \
	gc_err gc_facedet_detect##sfx(gc_facedet *,                        \
	    const struct gc_image *, float, struct gc_face *, int, int *); \
	gc_err gc_facedet_fit##sfx(gc_facedet *, const struct gc_image *,  \
	    struct gc_face *);

FD_DECLARE(_base)
#ifdef GC_FACEDET_AVX2
FD_DECLARE(_avx2)
#endif

struct fd_ops {
	const char *name;
	gc_err (*open)(gc_facedet **, const char *, struct gc_diag *);
	void (*close)(gc_facedet *);
	gc_err (*run)(gc_facedet *, const struct gc_image *, float,
	    struct gc_face *, int, int *);
	gc_err (*detect)(gc_facedet *, const struct gc_image *, float,
	    struct gc_face *, int, int *);
	gc_err (*fit)(gc_facedet *, const struct gc_image *, struct gc_face *);
};

static const struct fd_ops base = { "base", gc_facedet_open_base,
	gc_facedet_close_base, gc_facedet_run_base, gc_facedet_detect_base,
	gc_facedet_fit_base };
#ifdef GC_FACEDET_AVX2
static const struct fd_ops avx2 = { "avx2", gc_facedet_open_avx2,
	gc_facedet_close_avx2, gc_facedet_run_avx2, gc_facedet_detect_avx2,
	gc_facedet_fit_avx2 };
#endif

static const struct fd_ops *ops;
static pthread_once_t       ops_once = PTHREAD_ONCE_INIT;

static void
ops_choose(void)
{
	const char *force = getenv("GC_FACEDET");

	ops = &base;
#ifdef GC_FACEDET_AVX2
	__builtin_cpu_init();
	if ((force == NULL || strcmp(force, "base") != 0) &&
	    __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		ops = &avx2;
	}
#else
	(void)force;
#endif
}

static const struct fd_ops *
fd_ops(void)
{
	pthread_once(&ops_once, ops_choose);
	return ops;
}

const char *
gc_facedet_variant(void)
{
	return fd_ops()->name;
}

gc_err
gc_facedet_open(gc_facedet **out, const char *model_path, struct gc_diag *d)
{
	return fd_ops()->open(out, model_path, d);
}

void
gc_facedet_close(gc_facedet *fd)
{
	fd_ops()->close(fd);
}

gc_err
gc_facedet_run(gc_facedet *fd, const struct gc_image *grey, float min_score,
    struct gc_face *faces, int max, int *n)
{
	return fd_ops()->run(fd, grey, min_score, faces, max, n);
}

gc_err
gc_facedet_detect(gc_facedet *fd, const struct gc_image *grey,
    float min_score, struct gc_face *faces, int max, int *n)
{
	return fd_ops()->detect(fd, grey, min_score, faces, max, n);
}

gc_err
gc_facedet_fit(gc_facedet *fd, const struct gc_image *grey, struct gc_face *f)
{
	return fd_ops()->fit(fd, grey, f);
}
