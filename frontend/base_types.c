/* base_types.c - names, defaults and shapes of the shared vocabulary. */
#include "frontend/base_types.h"

const char *st_type_name(enum st_type t)
{
	switch (t) {
	case ST_T_LONG: return "long";
	case ST_T_STRING: return "string";
	case ST_T_STATS: return "stats";
	case ST_T_VOID: return "void";
	default: return "unknown";
	}
}

void st_limits_default(struct st_limits *l)
{
	l->maxstringlen = 512;
	l->maxmapentries = 2048;
	l->maxaction = 1000;
	l->interruptible = 1;
	l->maxnesting = 10;
	l->maxerrors = 0;
	l->hist_elision = 2;
}

void st_stat_shape_init(struct st_stat_shape *shape)
{
	switch (shape->hist) {
	case ST_HIST_LOG:
		shape->nbuckets = ST_HIST_LOG_BUCKETS;
		break;
	case ST_HIST_LINEAR:
		/* under, (hi-lo)/width + 1 regular buckets, over */
		if (shape->width > 0 && shape->hi >= shape->lo)
			shape->nbuckets = (uint32_t)((shape->hi - shape->lo) / shape->width + 3);
		else
			shape->nbuckets = 0;
		break;
	default:
		shape->nbuckets = 0;
		break;
	}
}
