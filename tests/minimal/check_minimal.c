/* The core built with every TVC_FEATURE_* switch 0 (make check-minimal):
 * what each switch promises when it is off, checked on the real objects. */
#include "harness.h"
#include "tvc.h"

#if TVC_FEATURE_HTTP_DATE || TVC_FEATURE_STRERROR || TVC_FEATURE_BUDGET || \
    TVC_FEATURE_JOURNAL || TVC_FEATURE_RESUME
#error "build this with every TVC_FEATURE_* switch 0"
#endif

static void strerror_by_class(void)
{
    CHECK_STR(tvc_strerror(0), "ok");
    CHECK_STR(tvc_strerror(5), "ok");
    CHECK_STR(tvc_strerror(TVC_ERR_ARG), "invalid input");
    CHECK_STR(tvc_strerror(TVC_ERR_TIMEOUT), "transient failure");
    CHECK_STR(tvc_strerror(TVC_ERR_TLS_UNTRUSTED), "TLS trust failure");
    CHECK_STR(tvc_strerror(TVC_ERR_HTTP_CHUNK), "protocol error");
    CHECK_STR(tvc_strerror(TVC_ERR_STORAGE), "local failure");
    CHECK_STR(tvc_strerror(TVC_ERR_DEADLINE), "job failure");
    CHECK(tvc_strerror(-12345) != NULL);
}

static void retry_after_seconds_only(void)
{
    CHECK_EQ(tvc_http_retry_after("120", 3, 0), 120);
    CHECK_EQ(tvc_http_retry_after(" 7 ", 3, -1), 7);
    CHECK_EQ(tvc_http_retry_after("99999999999999999999", 20, 0), 2147483647);
    CHECK_EQ(tvc_http_retry_after("12a", 3, 0), TVC_ERR_HTTP);
    /* a date is not understood: the caller's own backoff applies */
    CHECK_EQ(tvc_http_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 29, 784111777), TVC_ERR_HTTP);
    CHECK_EQ(tvc_http_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", 30, 784111777), TVC_ERR_HTTP);
}

static void journal_and_budget_absent(void)
{
    struct tvc_journal j;
    struct tvc_job_rec rec;
    int64_t wait_s = -5;

    memset(&j, 0, sizeof j);
    memset(&rec, 0, sizeof rec);
    CHECK_EQ(tvc_journal_open(&j, NULL, "state"), TVC_ERR_STATE);
    CHECK_EQ(tvc_journal_save(&j, &rec), TVC_ERR_STATE);
    CHECK_EQ(tvc_journal_mark_inflight(&j, &rec), TVC_ERR_STATE);
    CHECK_EQ(tvc_journal_load(&j, "job-x.json", &rec), TVC_ERR_STATE);
    CHECK_EQ(tvc_journal_remove(&j, "x"), TVC_ERR_STATE);
    CHECK_EQ(tvc_journal_list(&j, NULL, NULL), TVC_ERR_STATE);
    CHECK_EQ(tvc_budget_take(&j, 10, 1000, &wait_s), TVC_ERR_STATE);
    CHECK_EQ(wait_s, -5);
}

int main(void)
{
    RUN(strerror_by_class);
    RUN(retry_after_seconds_only);
    RUN(journal_and_budget_absent);
    return h_summary();
}
