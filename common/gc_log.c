#include "common/gc_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

_Atomic int gc_log_threshold = GC_LOG_NOTICE;

static pthread_mutex_t log_mtx = PTHREAD_MUTEX_INITIALIZER;
static const int       log_fd  = 2; /* stderr */

static const char *level_names[] = { "emerg", "alert", "crit", "err", "warn",
	"notice", "info", "debug" };

int
gc_log_level_parse(const char *s)
{
	for (int i = GC_LOG_ERR; i <= GC_LOG_DEBUG; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			return i;
		}
	}
	return -1;
}

void
gc_log_emit(enum gc_log_level lvl, const char *msgid, const char *fmt, ...)
{
	char            raw[1024], line[2048];
	size_t          n = 0;
	va_list         ap;
	struct timespec ts;
	struct tm       tm;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "%s %s ",
	    level_names[(int)lvl & 7], msgid);
	/* Escape control bytes so one message stays one line; UTF-8 passes. */
	for (const unsigned char *p = (const unsigned char *)raw;
	     *p != '\0' && n + 5 < sizeof(line); p++) {
		if (*p < 0x20 || *p == 0x7f) {
			n += (size_t)snprintf(line + n, sizeof(line) - n,
			    "\\x%02x", *p);
		} else {
			line[n++] = (char)*p;
		}
	}
	line[n++] = '\n';
	pthread_mutex_lock(&log_mtx);
	if (write(log_fd, line, n) < 0) {
		/* nowhere left to report a failed log write */
	}
	pthread_mutex_unlock(&log_mtx);
}
