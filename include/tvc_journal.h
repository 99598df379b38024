/**
 * @file tvc_journal.h
 * @brief The power-loss journal and the shared request budget, kept in a
 * state directory through the port's storage functions.
 *
 * Files (all replaced atomically: temp file, fsync, rename, fsync of the
 * directory; after a power cut each is either the old or the new one):
 * - `inflight-<id>.json`: written *before* a generate is sent;
 * - `job-<id>.json`: written as soon as the generate answer arrives (then the
 *   in-flight marker is removed), and rewritten at every phase change, never
 *   per poll;
 * - `budget` (+ `budget.lock`): the request budget shared by every process
 *   using the directory (see "Request budget" below);
 * - `history`: generation and step times of the last jobs, for the polling
 *   schedule (tvc_poll_plan.h), rewritten once per job at "completed".
 *
 * @par Storage writes of one job (flash wear)
 * Polling writes nothing.  A job of the job engine (tvc_job.h) with a journal
 * and a budget costs the same storage work whatever the number of polls
 * (tests/test_wear.c: a job with 5 polls and one with 60, default options):
 * - journal: the in-flight marker, the record at submit, at "completed"
 *   (downloading) and at the end, and the polling history (tvc_poll_plan.h,
 *   file `history`, about 25 bytes) at "completed": 5 atomic replacements,
 *   9 file_write calls (1700 bytes), 5 file syncs + 6 directory syncs (one
 *   more for removing the marker);
 * - budget: one lease taken before generate and given back when polling
 *   ends: 2 atomic replacements, 2 file_write calls (78 bytes with 5 polls,
 *   195 with 60: one line per minute polled), 2 file + 2 directory syncs;
 * - downloads (storyboard image and video, tvc_download.h): 4 files (each
 *   .part.meta in one write, fsynced in place; each part), 4 file_write
 *   calls for the test's small bodies, 4 file + 2 directory syncs.
 * In all: 11 files written, 15 file_write calls, 21 fsyncs (11 file +
 * 10 directory).  Before the lease, the 60-poll job cost 139 fsyncs and
 * 237 file_write calls (61 budget rewrites: one per request).
 * A job polling for longer than one lease covers (TVC_BUDGET_LEASE requests
 * or TVC_BUDGET_LEASE_S seconds) adds one budget replacement per further
 * lease: 300 polls over 45 min cost 6 budget replacements in all.
 *
 * @par Request budget
 * At most `per_hour` API requests in any 3600 s window, summed over every
 * process sharing the directory.  The count lives in RAM; the file is a
 * checkpoint written only when a process takes a *lease*:
 * - a process that has no usable lease locks `budget.lock`, reads `budget`,
 *   and reserves `min(TVC_BUDGET_LEASE, room)` requests there (one atomic
 *   replacement).  It then takes requests from the lease in RAM without
 *   touching storage.  Other processes see the whole lease as spent;
 * - a lease is good for TVC_BUDGET_LEASE_S seconds; the file counts it as
 *   if every request in it were sent at the last second of that time;
 * - when the lease is used up, expires, or is given back
 *   (tvc_budget_release(): the job engine does so when polling ends, when
 *   the job ends and on tvc_job_abort()), the process replaces its lease in
 *   the file by what it really sent: per-minute counts, each request counted
 *   as if sent at the last second of its minute;
 * - the requests this process sent are kept in RAM as per-minute counts
 *   (struct tvc_budget_lease, under 70 bytes).
 *
 * @par What holds after a power loss (or a kill)
 * - The budget is never exceeded: every request ever sent is covered in the
 *   file by a lease whose count and time cover it, or by its per-minute
 *   count.  A request counts until at most 59 s after it really left the
 *   window (minute rounding): the client may wait up to 59 s longer than an
 *   exact count would, never less.
 * - Worst-case under-use: a process that dies holding a lease loses its
 *   unused part (at most TVC_BUDGET_LEASE requests, 64 by default) and keeps
 *   its used part counted late, for at most TVC_BUDGET_LEASE_S + 3600 s after
 *   the lease was taken (900 + 3600 s = 75 min by default).  One lease per
 *   process at most; nothing else is lost.
 * - A process refused while others hold leases looks again (a read, no
 *   write) after at most TVC_BUDGET_RECHECK_S, since leases are often given
 *   back early.
 * - A damaged budget file (truncated, garbage, not written by this
 *   version's format or its predecessor's) is taken as *full*: the window
 *   is closed for 3600 s from when the damage is found (the file is then
 *   rewritten with that charge and every entry that could still be read).
 *   Worst case: one hour without API requests; never one too many.
 * - The clock going back: entries later than now + TVC_BUDGET_LEASE_S count
 *   as if taken at now + TVC_BUDGET_LEASE_S, so they leave at the latest
 *   75 min after the jump, never sooner than the real ones would.
 * - Journal records are replaced atomically; a damaged record (truncated,
 *   garbage) loads as TVC_ERR_JSON and nothing of it is used.
 *
 * @par Budget file format
 * @code
 * tvc-budget 2
 * <until> <count>            requests sent, counted until <until> + 3600 s
 * <until> <count> <tag>      an open lease (16 hex digits naming it)
 * end
 * @endcode
 * The old format (one Unix timestamp per line, no header) is still read.
 *
 * @par RAM
 * struct tvc_journal holds two path buffers (rename needs the temp and the
 * final path at once; the directory is kept as the prefix of both), a
 * TVC_JOURNAL_CHUNK write buffer, a TVC_JOURNAL_READ_BUF read buffer and the
 * lease.  Records are written in TVC_JOURNAL_CHUNK pieces and read by a
 * bounded streaming parser (no scratch buffer, no token array), so no
 * function of the journal or the budget has a stack frame over 256 bytes or
 * a TVC_PATH_MAX-sized local.
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

/**
 * @brief A journalled job: everything resume needs, plus short labels.
 */
struct tvc_job_rec {
    char id[33];                       /**< local id (hex), names the files */
    int phase;                         /**< enum tvc_phase */
    char record_id[TVC_ID_MAX];
    char task_id[TVC_ID_MAX];
    char ad_theme[TVC_JOURNAL_TEXT_MAX];      /**< label, maybe cut */
    char voiceover[TVC_JOURNAL_TEXT_MAX];     /**< label, maybe cut */
    char reference_url[TVC_JOURNAL_TEXT_MAX]; /**< label, maybe cut */
    int duration;
    int landscape;
    char out[TVC_PATH_MAX];            /**< video path ("" = default name) */
    char storyboard_out[TVC_PATH_MAX]; /**< "" = not wanted */
    char video_url[TVC_URL_MAX];
    char image_url[TVC_URL_MAX];
    int64_t created_unix;              /**< -1 unknown */
    char last_error[TVC_JOURNAL_ERROR_MAX];
};

/** @brief Per-minute request counts kept per lease (minutes a lease spans). */
#define TVC_BUDGET_MINUTES (TVC_BUDGET_LEASE_S / 60 + 2)

/** @brief The budget lease of one process (private to budget.c). */
struct tvc_budget_lease {
    int64_t start;         /**< wall s the lease was taken */
    int32_t per_hour;      /**< the limit it was taken under */
    uint16_t granted;      /**< requests reserved in the file */
    uint16_t left;         /**< of which not used yet */
    uint16_t used[TVC_BUDGET_MINUTES]; /**< used, per minute from start's minute */
    uint8_t tag[8];        /**< names the lease's line in the file */
    uint8_t active;        /**< the file holds this lease */
};

struct tvc_journal {
    const struct tvc_port *port;
    size_t dir_len_;                 /**< path_ and tmp_ start with the directory */
    char path_[TVC_PATH_MAX + 64];   /**< directory "/" name */
    char tmp_[TVC_PATH_MAX + 64];    /**< the temp file of an atomic replace */
    uint8_t rd_[TVC_JOURNAL_READ_BUF];
    uint8_t wr_[TVC_JOURNAL_CHUNK];
    struct tvc_budget_lease lease_;
};

/**
 * @brief Bind to @p dir (created if absent).  Holds no lease.
 * @return 0; TVC_ERR_ARG; TVC_ERR_PORT; TVC_ERR_NOSPACE (@p dir longer than
 *         TVC_PATH_MAX - 1); TVC_ERR_STORAGE; TVC_ERR_STATE when built with
 *         TVC_FEATURE_JOURNAL 0.
 */
int tvc_journal_open(struct tvc_journal *j, const struct tvc_port *port, const char *dir);

/** @brief The directory bound by tvc_journal_open() ("/" for the root); valid
 * until the next call on @p j.  NULL when @p j is NULL or not open; ""
 * when built with TVC_FEATURE_JOURNAL 0. */
const char *tvc_journal_dir(struct tvc_journal *j);

/**
 * @brief Write `inflight-<rec->id>.json` durably.
 * @return 0; TVC_ERR_STORAGE; TVC_ERR_NOSPACE (path too long);
 *         TVC_ERR_ARG (id empty or not made of [0-9A-Za-z_-], phase out of
 *         range, a text member not NUL-terminated); TVC_ERR_UTF8.
 *         Invalid records are refused before any file is touched.
 *         TVC_ERR_STATE when built with TVC_FEATURE_JOURNAL 0.
 */
int tvc_journal_mark_inflight(struct tvc_journal *j, const struct tvc_job_rec *rec);

/**
 * @brief Write `job-<rec->id>.json` durably, then remove the in-flight marker
 * of the same id if present.  @return as tvc_journal_mark_inflight().
 */
int tvc_journal_save(struct tvc_journal *j, const struct tvc_job_rec *rec);

/**
 * @brief Load a record by file name ("job-<id>.json" or "inflight-<id>.json").
 * The file is parsed as it is read, in TVC_JOURNAL_READ_BUF pieces: a record is
 * one flat JSON object (string, integer or null members); free-text labels
 * longer than the record holds are cut at a UTF-8 boundary, an id, path or
 * URL that does not fit is damage.
 * @return 0; TVC_ERR_NOT_FOUND; TVC_ERR_JSON (damaged file: not JSON, not a
 *         flat object, truncated, trailing bytes, larger than any record,
 *         "v" not 1, no id or phase); TVC_ERR_STORAGE; TVC_ERR_NOSPACE (path
 *         too long); TVC_ERR_ARG (@p name empty, with '/', or starting with
 *         '.').  On any error *rec is zeroed (created_unix -1).
 *         TVC_ERR_STATE when built with TVC_FEATURE_JOURNAL 0.
 */
int tvc_journal_load(struct tvc_journal *j, const char *name, struct tvc_job_rec *rec);

/** @brief Remove both files of @p id (absent ones are fine).  @return 0; TVC_ERR_STORAGE; TVC_ERR_ARG; TVC_ERR_NOSPACE;
 * TVC_ERR_STATE when built with TVC_FEATURE_JOURNAL 0. */
int tvc_journal_remove(struct tvc_journal *j, const char *id);

/**
 * @brief Call @p cb for every record file name in the directory
 * ("job-*.json" and "inflight-*.json"; temp files are skipped).
 * @return 0; TVC_ERR_ARG; TVC_ERR_STORAGE; or @p cb's non-zero value;
 *         TVC_ERR_STATE when built with TVC_FEATURE_JOURNAL 0.
 */
int tvc_journal_list(struct tvc_journal *j, int (*cb)(void *user, const char *name), void *user);

/**
 * @brief Take one request from the budget shared through `<dir>/budget`:
 * at most @p per_hour requests in any 3600 s window, across processes.
 * From a usable lease this is a RAM operation (no storage access);
 * otherwise the lease is checkpointed and a new one taken (see above).
 * @param now_unix wall-clock seconds (the budget outlives reboots)
 * @param wait_s   on TVC_ERR_AGAIN: seconds (>= 1) until room may appear:
 *                 the oldest request leaves the window, or at most
 *                 TVC_BUDGET_RECHECK_S when other processes hold leases;
 *                 may be NULL
 * @return 0 (taken; covered by a lease durable in the file); TVC_ERR_AGAIN;
 *         TVC_ERR_STORAGE (nothing taken; the file is as before);
 *         TVC_ERR_NOSPACE (directory path too long); TVC_ERR_ARG (@p j not
 *         open, per_hour < 1 or > TVC_BUDGET_MAX_PER_HOUR, or now_unix < 0,
 *         i.e. the clock is not set).  When the port has no entropy for a
 *         lease's name, the request is recorded alone (one write per request).
 *         TVC_ERR_STATE when built with TVC_FEATURE_BUDGET 0.
 */
int tvc_budget_take(struct tvc_journal *j, int per_hour, int64_t now_unix, int64_t *wait_s);

/**
 * @brief Give back the unused part of this process's lease: its line in the
 * file is replaced by the per-minute counts of the requests really taken.
 * Without a lease it does nothing (no storage access).
 * @return 0; TVC_ERR_STORAGE (the lease stays, still counted in full);
 *         TVC_ERR_NOSPACE; TVC_ERR_ARG (@p j NULL or not open, now_unix < 0);
 *         TVC_ERR_STATE when built with TVC_FEATURE_BUDGET 0.
 */
int tvc_budget_release(struct tvc_journal *j, int64_t now_unix);

#ifdef __cplusplus
}
#endif
#endif /* TVC_JOURNAL_H */
