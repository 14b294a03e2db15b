/* catalog.h (runtime) - the catalogs the runtime offers lowering. */
#ifndef ST_RUNTIME_CATALOG_H
#define ST_RUNTIME_CATALOG_H

#include "lowering/catalog.h"

struct tep_handle;

/* The live kernel's events (tracefs; formats read on demand). */
struct st_catalog *st_catalog_tracefs(void);
/* 0, or -errno when the live catalog could not read tracefs (no root). */
int st_catalog_tracefs_status(struct st_catalog *c);
/* A recording's events (tep stays owned by the caller). */
struct st_catalog *st_catalog_from_tep(struct tep_handle *tep);

/* Resolve against first, falling back to second (may be NULL); frees both. */
struct st_catalog *st_catalog_layered(struct st_catalog *first, struct st_catalog *second);

#endif
