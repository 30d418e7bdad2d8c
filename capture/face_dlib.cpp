// Placeholder until the dlib shim lands: reports that no detector exists.
#include "capture/face.h"

extern "C" gc_err
gc_facedet_open(gc_facedet **out, const char *model_path, struct gc_diag *d)
{
	(void)model_path;
	*out = nullptr;
	gc_diag_set(d, "face detection is not built yet");
	return GC_EINTERNAL;
}

extern "C" void
gc_facedet_close(gc_facedet *fd)
{
	(void)fd;
}

extern "C" gc_err
gc_facedet_run(gc_facedet *fd, const struct gc_image *grey, float min_score,
    struct gc_face *faces, int max, int *n)
{
	(void)fd;
	(void)grey;
	(void)min_score;
	(void)faces;
	(void)max;
	*n = 0;
	return GC_EINTERNAL;
}
