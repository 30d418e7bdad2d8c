/* gc_log: one line per message, a stable message id on every line. */
#ifndef GC_COMMON_GC_LOG_H
#define GC_COMMON_GC_LOG_H

#include <stdatomic.h>

enum gc_log_level {
	GC_LOG_ERR = 3,
	GC_LOG_WARN,
	GC_LOG_NOTICE,
	GC_LOG_INFO,
	GC_LOG_DEBUG
};

extern _Atomic int gc_log_threshold;

/* Writes "LEVEL MSGID text" to the log sink (stderr by default), escaping
 * non-printable bytes. Thread-safe. */
void gc_log_emit(enum gc_log_level lvl, const char *msgid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses "err|warn|notice|info|debug"; returns -1 when unknown. */
int gc_log_level_parse(const char *s);

#define GC_LOG(lvl, id, ...)                                              \
	do {                                                              \
		if ((int)(lvl) <= atomic_load_explicit(&gc_log_threshold, \
		                      memory_order_relaxed)) {            \
			gc_log_emit((lvl), (id), __VA_ARGS__);            \
		}                                                         \
	} while (0)

#endif
