/* tracecmd_backend.h - the trace-cmd plugin: live tracefs instances,
 * trace.dat (v6) recordings and their reader. */
#ifndef ST_PLUGINS_TRACECMD_BACKEND_H
#define ST_PLUGINS_TRACECMD_BACKEND_H

#include "runtime/backend.h"

extern const struct st_backend st_tracecmd_backend;

/* Custom trace.dat options (ignored by trace-cmd, which skips unknown ids). */
#define ST_TRACECMD_OPT_INFO  0x5A7A   /* st_recording_encode() blob */
#define ST_TRACECMD_OPT_TASKS 0x5A7B   /* task snapshot at record start */
#define ST_TRACECMD_OPT_PARTIAL 0x5A7C /* a provisional header (struct tc_log_partial) */

/* The backend's entry points (see runtime/backend.h for their contracts). */
int st_tracecmd_live_open(const struct st_source *src, uint32_t nsrc, const struct st_backend_opts *o,
			  struct st_stream **out, char **err);
int st_tracecmd_record_open(const char *path, const struct st_source *src, uint32_t nsrc,
			    const struct st_backend_opts *o, struct st_recorder **out, char **err);
int st_tracecmd_record_begin(struct st_recorder *r, const struct st_recording_info *ri, char **err);
int st_tracecmd_record_run(struct st_recorder *r, char **err);
int st_tracecmd_record_finish(struct st_recorder *r, const struct st_recording_info *ri,
			      struct st_record_stats *stats, char **err);
void st_tracecmd_record_abort(struct st_recorder *r);
int st_tracecmd_report_open(const char *path, struct st_recording_info *ri,
			    struct st_recording **out, char **err);
struct tep_handle *st_tracecmd_report_tep(struct st_recording *rec);
int st_tracecmd_report_stream(struct st_recording *rec, const struct st_source *src, uint32_t nsrc,
			      struct st_stream **out, char **err);
void st_tracecmd_report_close(struct st_recording *rec);

#endif
