/* The harness of tests/harness.h for the firmware image, where several
 * test files run in one program: the same cases, CHECKs and FAIL lines as
 * tests/harness.c, but h_summary() prints "<suite> done" figures under a
 * name the runner gives, and the runner prints the one closing line
 * "N passed, N failed" for all of them. */
#include "harness.h"

#include <stdlib.h>

#include "suites.h"

static int passed, failed, cur_failed;
static const char *cur_name = "?";

void h_begin(const char *name)
{
    cur_name = name;
    cur_failed = 0;
}

void h_end(void)
{
    if (cur_failed)
        failed++;
    else
        passed++;
    if (getenv("TVC_TEST_VERBOSE"))
        printf("%s %s\n", cur_failed ? "FAIL" : "ok  ", cur_name);
}

int h_failed_now(void) { return cur_failed; }

void h_fail(const char *file, int line, const char *what)
{
    cur_failed = 1;
    printf("FAIL %s: %s:%d: %s\n", cur_name, file, line, what);
    fflush(stdout);
}

int h_summary(void)
{
    return failed ? 1 : 0;
}

void h_suite_end(const char *suite, int *p, int *f)
{
    printf("%s: %d passed, %d failed\n", suite, passed, failed);
    fflush(stdout);
    *p = passed;
    *f = failed;
    passed = failed = 0;
}
