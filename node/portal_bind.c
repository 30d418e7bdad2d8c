/* The 学信网 采集码 on the student portal (node/portal_bind.h). */
#include "node/portal_bind.h"

#include <string.h>

#include "common/buf.h"
#include "common/records.h"

gc_err
gc_portal_code_mode_load(const gc_config *c, enum gc_portal_code_mode *out,
    struct gc_diag *d)
{
	static const struct {
		const char              *word;
		enum gc_portal_code_mode m;
	} words[] = {
		{ "no", GC_PORTAL_CODE_OFF },
		{ "off", GC_PORTAL_CODE_OFF },
		{ "optional", GC_PORTAL_CODE_OPTIONAL },
		{ "required", GC_PORTAL_CODE_REQUIRED },
		{ "yes", GC_PORTAL_CODE_REQUIRED },
	};
	const char *v;

	*out = GC_PORTAL_CODE_OPTIONAL;
	v    = c != NULL ? gc_config_get(c, "online", "capture_code", NULL) :
	    NULL;
	if (v == NULL) {
		return GC_OK;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(v, words[i].word) == 0) {
			*out = words[i].m;
			return GC_OK;
		}
	}
	gc_diag_set(d, "gradcap.ini [online] capture_code = %.60s: give no, "
	    "optional or required (whether the portal asks students for the "
	    "学信网 采集码)", v);
	return GC_EINVAL;
}

const char *
gc_portal_code_mode_name(enum gc_portal_code_mode m)
{
	switch (m) {
	case GC_PORTAL_CODE_OFF:
		return "off";
	case GC_PORTAL_CODE_REQUIRED:
		return "required";
	case GC_PORTAL_CODE_OPTIONAL:
	default:
		return "optional";
	}
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool
gc_portal_code_clean(const char *in, size_t len, char *out, size_t cap,
    const char **en, const char **zh)
{
	while (len > 0 && blank(in[0])) {
		in++;
		len--;
	}
	while (len > 0 && blank(in[len - 1])) {
		len--;
	}
	*en = NULL;
	*zh = NULL;
	if (len == 0) {
		*en = "the capture code is empty";
		*zh = "请填写学信网采集码";
	} else if (len > GC_CAPTURE_CODE_MAX || len >= cap) {
		*en = "the capture code is too long: copy the code from 学信网 "
		    "exactly";
		*zh = "采集码过长，请从学信网原样复制";
	} else if (!gc_utf8_valid((const uint8_t *)in, len) ||
	    memchr(in, '\0', len) != NULL) {
		*en = "the capture code is not text: copy it from 学信网 again";
		*zh = "采集码格式不对，请从学信网重新复制";
	} else {
		for (size_t i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)in[i];

			if (ch < 0x20 || ch == 0x7f) {
				*en = "the capture code holds a control "
				    "character: copy it from 学信网 again";
				*zh = "采集码格式不对，请从学信网重新复制";
				break;
			}
		}
	}
	if (*en != NULL) {
		return false;
	}
	memcpy(out, in, len);
	out[len] = '\0';
	return true;
}
