// Placeholder until the libcamera shim lands.
#include "capture/cam.h"

extern "C" int gc__cam_libcamera_placeholder(void);

extern "C" int
gc__cam_libcamera_placeholder(void)
{
	return 0;
}
