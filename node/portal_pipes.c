/* The portal's pipelines (node/portal_int.h): one per CPU, so students'
 * photos are checked side by side, each pipeline used by one thread at a
 * time (capture/pipeline.h: not thread-safe per pipeline). They are
 * opened on demand, the first one loading the face model that the others
 * then share (capture/face_dlib.cpp), outside plmtx so a taker waiting
 * for a pipeline coming back is not held up by one being opened. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture/pipeline.h"
#include "node/portal_int.h"

void
gc_portal_pipes_init(struct gc_portal_capture *c, int max)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (max <= 0) {
		max = ncpu > 0 ? (int)(ncpu < GC_PORTAL_PIPES_MAX ? ncpu :
		    GC_PORTAL_PIPES_MAX) : 1;
	}
	pthread_mutex_init(&c->plmtx, NULL);
	pthread_cond_init(&c->plcond, NULL);
	pthread_mutex_init(&c->inmtx, NULL);
	memset(c->inflight, 0, sizeof(c->inflight));
	c->max    = max < GC_PORTAL_PIPES_MAX ? max : GC_PORTAL_PIPES_MAX;
	c->nidle  = 0;
	c->nopen  = 0;
	c->tried  = false;
	c->broken = false;
	c->err[0] = '\0';
}

void
gc_portal_pipes_release(struct gc_portal_capture *c)
{
	for (int i = 0; i < c->nidle; i++) {
		gc_pipeline_close(c->idle[i]);
	}
	c->nidle = 0;
	c->nopen = 0;
	pthread_cond_destroy(&c->plcond);
	pthread_mutex_destroy(&c->plmtx);
	pthread_mutex_destroy(&c->inmtx);
}

/* The profile, once (plmtx held); false when it does not load. */
static bool
pipes_profile(struct gc_portal_capture *c, const gc_config *cfg)
{
	struct gc_diag d;

	if (!c->tried) {
		c->tried = true;
		gc_diag_clear(&d);
		if (gc_profile_load(&c->prof, cfg, gc_config_get(cfg, "capture",
		    "profile", NULL), &d) != GC_OK) {
			snprintf(c->err, sizeof(c->err), "%s", d.msg);
			c->broken = true;
		}
	}
	return !c->broken;
}

/* Opens one more pipeline (plmtx not held; c->prof is read only by
 * now); NULL with c->err when it cannot. */
static gc_pipeline *
pipes_open(struct gc_portal_capture *c, char *err, size_t cap)
{
	gc_pipeline   *pl = NULL;
	struct gc_diag d;

	gc_diag_clear(&d);
	if (gc_pipeline_open(&pl, &c->prof, &d) != GC_OK) {
		snprintf(err, cap, "%s", d.msg);
		return NULL;
	}
	if (c->prof.replace_background) {
		/* students shoot at home: a failing background is painted
		 * over where the person separates cleanly */
		gc_pipeline_set_opts(pl, &(struct gc_pipeline_opts) {
		    .replace_background = true });
	}
	return pl;
}

/* take (wait) and trytake (*busy when every pipeline is in use). */
static gc_pipeline *
pipes_take(struct gc_portal_capture *c, const gc_config *cfg, bool wait,
    bool *busy)
{
	gc_pipeline *pl = NULL;
	char         err[sizeof(c->err)];

	*busy = false;
	pthread_mutex_lock(&c->plmtx);
	while (pl == NULL && pipes_profile(c, cfg)) {
		if (c->nidle > 0) {
			pl = c->idle[--c->nidle];
			break;
		}
		if (c->nopen >= c->max && !wait) {
			*busy = true;
			break;
		}
		if (c->nopen >= c->max) {
			pthread_cond_wait(&c->plcond, &c->plmtx);
			continue;
		}
		c->nopen++; /* this thread's, while it opens */
		pthread_mutex_unlock(&c->plmtx);
		pl = pipes_open(c, err, sizeof(err));
		pthread_mutex_lock(&c->plmtx);
		if (pl == NULL) {
			c->nopen--;
			if (c->nopen == 0) {
				/* not even one: the model is missing or
				 * broken, which does not mend itself */
				snprintf(c->err, sizeof(c->err), "%s", err);
				c->broken = true;
			} else {
				c->max = c->nopen; /* make do with those */
			}
			pthread_cond_broadcast(&c->plcond);
		}
	}
	pthread_mutex_unlock(&c->plmtx);
	return pl;
}

gc_pipeline *
gc_portal_pipeline_take(struct gc_portal_capture *c, const gc_config *cfg)
{
	bool busy;

	return pipes_take(c, cfg, true, &busy);
}

gc_pipeline *
gc_portal_pipeline_trytake(struct gc_portal_capture *c, const gc_config *cfg,
    bool *busy)
{
	return pipes_take(c, cfg, false, busy);
}

void
gc_portal_pipeline_give(struct gc_portal_capture *c, gc_pipeline *pl)
{
	if (pl == NULL) {
		return;
	}
	pthread_mutex_lock(&c->plmtx);
	c->idle[c->nidle++] = pl;
	pthread_cond_signal(&c->plcond);
	pthread_mutex_unlock(&c->plmtx);
}

bool
gc_portal_inflight_enter(struct gc_portal_capture *c, const char *student)
{
	int free_at = -1;

	pthread_mutex_lock(&c->inmtx);
	for (int i = 0; i < GC_PORTAL_INFLIGHT; i++) {
		if (c->inflight[i][0] == '\0') {
			free_at = free_at < 0 ? i : free_at;
		} else if (strcmp(c->inflight[i], student) == 0) {
			free_at = -2; /* this student's photo is being checked */
			break;
		}
	}
	if (free_at >= 0) {
		snprintf(c->inflight[free_at], sizeof(c->inflight[free_at]),
		    "%s", student);
	}
	pthread_mutex_unlock(&c->inmtx);
	return free_at >= 0;
}

void
gc_portal_inflight_leave(struct gc_portal_capture *c, const char *student)
{
	pthread_mutex_lock(&c->inmtx);
	for (int i = 0; i < GC_PORTAL_INFLIGHT; i++) {
		if (strcmp(c->inflight[i], student) == 0) {
			c->inflight[i][0] = '\0';
			break;
		}
	}
	pthread_mutex_unlock(&c->inmtx);
}
