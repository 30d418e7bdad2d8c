/* capture: camera sources, JPEG, face checks (issue 3). */
#ifndef GC_CAPTURE_CAPTURE_H
#define GC_CAPTURE_CAPTURE_H

/* The pipeline's version string, recorded in capture reports. */
const char *gc_capture_version(void);

#endif
