#include "capture/capture.h"

const char *
gc_capture_version(void)
{
	return "capture-0";
}
