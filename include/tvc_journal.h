/**
 * @file tvc_journal.h
 * @brief The power-loss journal and the shared request budget, kept in a
 * state directory through the port's storage functions.
 *
 * Files (all written atomically: temp file, fsync, rename, fsync of the
 * directory):
 * - `inflight-<id>.json`: written *before* a generate is sent;
 * - `job-<id>.json`: written as soon as the generate answer arrives (then the
 *   in-flight marker is removed), and rewritten at every phase change;
 * - `budget` (+ `budget.lock`): the timestamps of recent API requests,
 *   shared by every process using the directory.
 */
#ifndef TVC_JOURNAL_H
#define TVC_JOURNAL_H

#include "tvc_base.h"
#include "tvc_config.h"
#include "tvc_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Built with TVC_FEATURE_JOURNAL 0 (tvc_config.h) every tvc_journal_*
 * function returns TVC_ERR_STATE and does nothing; with TVC_FEATURE_BUDGET 0
 * tvc_budget_take() does.
 */

/** @brief Phases of a journalled job. */
enum tvc_phase {
    TVC_PHASE_SUBMITTING = 1, /**< generate may be in flight (marker only) */
    TVC_PHASE_POLLING,        /**< accepted; polling check-status */
    TVC_PHASE_DOWNLOADING,    /**< completed; fetching files */
    TVC_PHASE_DONE,           /**< files on disk */
    TVC_PHASE_FAILED,         /**< the service said failed, or a final error */
    TVC_PHASE_UNKNOWN         /**< generate went out, no answer: outcome unknown */
};

struct tvc_job_rec {
    char id[33];                       /**< local id (hex), names the files */
    int phase;                         /**< enum tvc_phase */
    char record_id[TVC_ID_MAX];
    char task_id[TVC_ID_MAX];
    char ad_theme[TVC_JOURNAL_TEXT_MAX];
    char voiceover[TVC_JOURNAL_TEXT_MAX];
    char reference_url[TVC_URL_MAX];
    int duration;
    int landscape;
    char out[TVC_PATH_MAX];            /**< video path ("" = default name) */
    char storyboard_out[TVC_PATH_MAX]; /**< "" = not wanted */
    char video_url[TVC_URL_MAX];
    char image_url[TVC_URL_MAX];
    int64_t created_unix;              /**< -1 unknown */
    char last_error[TVC_JOURNAL_ERROR_MAX];
};

struct tvc_journal {
    const struct tvc_port *port;
    char dir[TVC_PATH_MAX];
    char path_[TVC_PATH_MAX + 64];
    char tmp_[TVC_PATH_MAX + 64];
    char buf_[4 * TVC_JOURNAL_TEXT_MAX + 4 * TVC_URL_MAX + 2 * TVC_PATH_MAX + 1024];
};

/** @brief Bind to @p dir (created if absent).  @return 0; TVC_ERR_PORT; TVC_ERR_NOSPACE; TVC_ERR_STORAGE. */
int tvc_journal_open(struct tvc_journal *j, const struct tvc_port *port, const char *dir);

/**
 * @brief Write `inflight-<rec->id>.json` durably.
 * @return 0; TVC_ERR_STORAGE; TVC_ERR_NOSPACE (record or path too long);
 *         TVC_ERR_ARG (id empty or not made of [0-9A-Za-z_-], phase out of
 *         range, a text member not NUL-terminated); TVC_ERR_UTF8.
 */
int tvc_journal_mark_inflight(struct tvc_journal *j, const struct tvc_job_rec *rec);

/**
 * @brief Write `job-<rec->id>.json` durably, then remove the in-flight marker
 * of the same id if present.  @return as tvc_journal_mark_inflight().
 */
int tvc_journal_save(struct tvc_journal *j, const struct tvc_job_rec *rec);

/**
 * @brief Load a record by file name ("job-<id>.json" or "inflight-<id>.json").
 * @return 0; TVC_ERR_NOT_FOUND; TVC_ERR_JSON (damaged file); TVC_ERR_STORAGE;
 *         TVC_ERR_ARG (@p name empty, with '/', or starting with '.').
 */
int tvc_journal_load(struct tvc_journal *j, const char *name, struct tvc_job_rec *rec);

/** @brief Remove both files of @p id (absent ones are fine).  @return 0; TVC_ERR_STORAGE; TVC_ERR_ARG. */
int tvc_journal_remove(struct tvc_journal *j, const char *id);

/**
 * @brief Call @p cb for every record file name in the directory
 * ("job-*.json" and "inflight-*.json"; temp files are skipped).
 * @return 0; TVC_ERR_STORAGE; or @p cb's non-zero value.
 */
int tvc_journal_list(struct tvc_journal *j, int (*cb)(void *user, const char *name), void *user);

/**
 * @brief Take one request from the budget shared through `<dir>/budget`:
 * at most @p per_hour requests in any 3600 s window, across processes.
 * A timestamp later than @p now_unix (the clock went back) still counts, as
 * if taken at @p now_unix; lines that are not a timestamp are dropped.
 * @param now_unix wall-clock seconds (the budget outlives reboots)
 * @param wait_s   on TVC_ERR_AGAIN: seconds (>= 1) until the oldest request
 *                 of the window leaves it; may be NULL
 * @return 0 (taken and recorded durably); TVC_ERR_AGAIN; TVC_ERR_STORAGE;
 *         TVC_ERR_NOSPACE (directory path too long);
 *         TVC_ERR_ARG (per_hour < 1 or > TVC_BUDGET_MAX_PER_HOUR, or
 *         now_unix < 0, i.e. the clock is not set).
 */
int tvc_budget_take(struct tvc_journal *j, int per_hour, int64_t now_unix, int64_t *wait_s);

#ifdef __cplusplus
}
#endif
#endif /* TVC_JOURNAL_H */
