/**
 * @file tvc_poll_plan.h
 * @brief When to ask check-status next: a polling schedule that learns from
 * past jobs.  Integer only, no allocation, no I/O (the history's file is
 * read and written by tvc_poll_hist_load() / tvc_poll_hist_save()).
 *
 * @par Policy
 * Times are counted from the generate answer ("elapsed").  The planner keeps
 * a *completion window* [lo, hi] where the job is expected to finish:
 * - no history: the service's documented 2-5 minutes,
 *   [TVC_POLL_PRIOR_LO_MS, TVC_POLL_PRIOR_HI_MS];
 * - with history (the generation times of the last TVC_POLL_HIST jobs):
 *   [min - m, max + m] with m = TVC_POLL_MARGIN_MS + max / (4 n) for n
 *   samples, so the window is wide while little is known and shrinks to the
 *   spread really seen;
 * - step lengths narrow it while the job runs: the history also holds how
 *   long the video step (step 3) lasted after it was first seen; while a
 *   job has not been seen in step 3 at elapsed t, it cannot complete before
 *   t + the shortest video step seen, so lo moves out.
 *
 * The gap to the next poll:
 * - *sparse while completion is unlikely* (before lo): straight to lo when
 *   it is at most the freshness target away (jittered up to a fifth of the
 *   dense gap later, never earlier), else half the way when under two
 *   targets away, else one freshness target;
 * - *dense around the learned completion time* (inside [lo, hi]):
 *   TVC_POLL_DENSE_MS (so the median delay in noticing is about half of it:
 *   3.5 s);
 * - after hi (a late job): the dense gap growing by a quarter of the time
 *   past hi, up to the freshness target;
 * - *stretched to the request budget*: with a budget of per_hour requests a
 *   job's dense polls take at most a quarter of it, i.e. the dense gap is at
 *   least 4 (hi - lo) / per_hour; the budget itself (tvc_budget_take())
 *   still refuses requests past the limit;
 * - *with jitter*: +-10% from the caller's random number, so a fleet never
 *   polls in lock-step;
 * - never denser than TVC_POLL_MIN_MS (the service's documented 5 s) and
 *   never sparser than the freshness target (TVC_POLL_FRESH_MS unless the
 *   caller gives another), which also wins over budget stretching.
 *
 * Learning: when a job completes, tvc_poll_hist_add() keeps its generation
 * time (the answer's generationTime when present, else the elapsed time at
 * the first "completed" answer) and the time its video step lasted after
 * first being seen, in a ring of TVC_POLL_HIST jobs (the observed time only
 * for a job followed from its generate; nothing over TVC_POLL_LEARN_MAX_S).
 * The job engine reads the history when a job starts and writes it back
 * once, when the answer says completed.  Processes sharing a directory do
 * not lock it: when two jobs complete at once, the later write wins and one
 * sample is lost.  The history is only a hint, so that costs nothing but one
 * sample.
 */
#ifndef TVC_POLL_PLAN_H
#define TVC_POLL_PLAN_H

#include "tvc_base.h"
#include "tvc_config.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef TVC_POLL_HIST
#define TVC_POLL_HIST 8 /**< jobs remembered */
#endif
#ifndef TVC_POLL_MIN_MS
#define TVC_POLL_MIN_MS 5000u /**< the documented densest polling */
#endif
#ifndef TVC_POLL_DENSE_MS
#define TVC_POLL_DENSE_MS 7000u /**< gap inside the completion window */
#endif
#ifndef TVC_POLL_FRESH_MS
#define TVC_POLL_FRESH_MS 60000u /**< freshness target: the longest gap */
#endif
#ifndef TVC_POLL_PRIOR_LO_MS
#define TVC_POLL_PRIOR_LO_MS 120000u /**< documented shortest job (2 min) */
#endif
#ifndef TVC_POLL_PRIOR_HI_MS
#define TVC_POLL_PRIOR_HI_MS 300000u /**< documented longest job (5 min) */
#endif
#ifndef TVC_POLL_LEARN_MAX_S
#define TVC_POLL_LEARN_MAX_S 1800u /**< longer generation times are not learnt */
#endif
#ifndef TVC_POLL_MARGIN_MS
#define TVC_POLL_MARGIN_MS 5000u /**< widening of a learned window */
#endif

/** @brief Past jobs, kept in the journal (file "history"). */
struct tvc_poll_hist {
    uint8_t n;                          /**< samples held (<= TVC_POLL_HIST) */
    uint8_t next;                       /**< ring position of the next sample */
    uint16_t gen_s[TVC_POLL_HIST];      /**< generation time, s */
    uint16_t video_s[TVC_POLL_HIST];    /**< video step after first seen, s; 0 unknown */
};

/** @brief One job's plan. */
struct tvc_poll_plan {
    struct tvc_poll_hist hist;
    uint32_t lo_ms, hi_ms;   /**< the completion window (from the history) */
    uint32_t vmin_ms;        /**< shortest video step seen; 0 none */
    uint32_t fresh_ms;       /**< freshness target */
    uint32_t pre3_ms;        /**< last elapsed seen before step 3 */
    uint32_t seen3_ms;       /**< first elapsed seen in step 3; 0 not yet */
};

/** @brief Add one finished job to @p h (the oldest goes when full).
 * Times are rounded to seconds and capped at 65535 s. */
void tvc_poll_hist_add(struct tvc_poll_hist *h, uint32_t gen_ms, uint32_t video_ms);

/**
 * @brief Start a plan from @p h (NULL or empty: the documented prior).
 * @param fresh_ms the freshness target (0: TVC_POLL_FRESH_MS; never below
 *        TVC_POLL_MIN_MS).
 */
void tvc_poll_plan_init(struct tvc_poll_plan *p, const struct tvc_poll_hist *h,
                        uint32_t fresh_ms);

/** @brief Tell the plan what an answer at @p elapsed_ms said: @p step is
 * the answer's currentStep (1..3; anything else is ignored). */
void tvc_poll_plan_seen(struct tvc_poll_plan *p, uint32_t elapsed_ms, int step);

/** @brief The lower edge of the completion window now (step lengths applied). */
uint32_t tvc_poll_plan_lo(const struct tvc_poll_plan *p);

/**
 * @brief The gap (ms) from @p elapsed_ms to the next poll.
 * @param per_hour request budget (0: none)
 * @param rnd      a random number (jitter)
 */
uint32_t tvc_poll_plan_next(const struct tvc_poll_plan *p, uint32_t elapsed_ms, int per_hour,
                            uint32_t rnd);

/** @brief Learn from a completed job: its generation time @p gen_ms (the
 * answer's, or elapsed at the first "completed" answer) and when it was first
 * seen in step 3.  Adds to p->hist. */
void tvc_poll_plan_learn(struct tvc_poll_plan *p, uint32_t gen_ms);

struct tvc_journal;
/** @brief Read the history from the journal directory's "history" file.
 * Absent or damaged: *h empty.  @return 0; TVC_ERR_NOT_FOUND (absent);
 * TVC_ERR_JSON (damaged); TVC_ERR_STORAGE; TVC_ERR_ARG; TVC_ERR_STATE
 * (built with TVC_FEATURE_JOURNAL 0). */
int tvc_poll_hist_load(struct tvc_journal *j, struct tvc_poll_hist *h);

/** @brief Replace the "history" file atomically (one file_write).
 * @return 0; TVC_ERR_STORAGE; TVC_ERR_NOSPACE; TVC_ERR_ARG; TVC_ERR_STATE. */
int tvc_poll_hist_save(struct tvc_journal *j, const struct tvc_poll_hist *h);

#ifdef __cplusplus
}
#endif
#endif /* TVC_POLL_PLAN_H */
