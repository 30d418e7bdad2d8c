/* The 学信网 采集码 on the student portal: whether the portal asks for
 * it ([online] capture_code), and the checks a code passes before
 * gc_capture_store binds it, opaque, to the student's online CAPTURE (one
 * code, one student, as at the stations). */
#ifndef GC_NODE_PORTAL_BIND_H
#define GC_NODE_PORTAL_BIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/gc_err.h"

enum gc_portal_code_mode {
	GC_PORTAL_CODE_OFF,      /* the page does not ask; a code sent is
	                          * refused */
	GC_PORTAL_CODE_OPTIONAL, /* asked, may be left empty (the default) */
	GC_PORTAL_CODE_REQUIRED, /* a confirm without one is refused */
};

/* [online] capture_code = no | optional | required (NULL c or absent:
 * optional). GC_EINVAL with d naming the setting, its value and the
 * words allowed; *out is then optional. */
gc_err gc_portal_code_mode_load(const gc_config *c,
    enum gc_portal_code_mode *out, struct gc_diag *d);

/* "off", "optional" or "required", as the portal's /api/me says it. */
const char *gc_portal_code_mode_name(enum gc_portal_code_mode m);

/* The code as typed or scanned (surrounding ASCII spaces, tabs and line
 * ends dropped) into out (cap > GC_CAPTURE_CODE_MAX). False, with en and
 * zh saying why in words a student can act on, when it is empty, longer
 * than GC_CAPTURE_CODE_MAX bytes, not UTF-8 or holds a control
 * character. */
bool gc_portal_code_clean(const char *in, size_t len, char *out, size_t cap,
    const char **en, const char **zh);

#endif
