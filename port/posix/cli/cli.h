/* The tvc program: shared declarations of its files. */
#ifndef TVC_CLI_H
#define TVC_CLI_H

#include <stdio.h>

#include "tvc.h"
#include "tvc_posix.h"

/* Exit statuses: the program's contract (README "Exit status"). */
enum {
    EX_DONE = 0,
    EX_USAGE = 2,
    EX_AUTH = 3,
    EX_CREDITS = 4,
    EX_RATE = 5,
    EX_FAILED = 6,
    EX_NOTFOUND = 7,
    EX_NET = 8,
    EX_DEADLINE = 9,
    EX_UNKNOWN = 10,
    EX_STORAGE = 11,
    EX_SERVER = 12
};

struct cli_opts {
    const char *cmd;
    const char *base_url;
    const char *api_key_file;
    const char *cacert;
    const char *state_dir;
    const char *resolve[TVC_POSIX_MAX_RESOLVE];
    int nresolve;
    double poll_interval;   /* seconds, 0 = adaptive */
    double timeout;         /* seconds */
    int per_hour;
    int json;
    int quiet;
    /* command arguments */
    const char *theme, *voiceover, *reference_url, *out, *storyboard_out;
    const char *record_id, *task_id, *url;
    int duration, landscape, no_wait;
};

/* cli_output.c */
int cli_exit_code(int rc, const struct tvc_api_result *res, int in_download);
void cli_print_json(const struct cli_opts *o, const struct tvc_job *j,
                    const struct tvc_api_result *res, int rc, int in_download,
                    const char *video_file,
                    const char *storyboard_file, const uint8_t *sha, int64_t bytes,
                    uint32_t api_requests);
void cli_json_begin_list(void);
void cli_json_end_list(int count);
void cli_error(const struct cli_opts *o, int rc, const struct tvc_api_result *res);

/* cli_progress.c */
void cli_progress_init(const struct cli_opts *o, const struct tvc_port *port);
void cli_progress_event(void *user, const struct tvc_job *j, int event);
/* A copy of an answer that outlives the job's API work area. */
void cli_keep_answer(const struct tvc_api_result *r);
/* A new job: the kept copy of another job's answer must not speak for it. */
void cli_forget_answer(void);
/* The job's last answer: its own while the strings are valid, else the copy. */
const struct tvc_api_result *cli_answer(const struct tvc_job *j);
void cli_progress_dl(void *user, uint64_t have, int64_t total);
void cli_progress_end(void);
void cli_note(const char *fmt, ...);

#endif
