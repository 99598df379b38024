#include "harness.h"

#include <stdlib.h>

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

/* With H_SUITES several test files run in one program (the firmware
 * image): each file's h_summary() stays quiet and the runner reports each
 * file with h_suite_end(), then prints the one closing line itself. */
int h_summary(void)
{
#ifndef H_SUITES
    printf("%d passed, %d failed\n", passed, failed);
    fflush(stdout);
#endif
    return failed ? 1 : 0;
}

#ifdef H_SUITES
void h_suite_end(const char *suite, int *p, int *f);
void h_suite_end(const char *suite, int *p, int *f)
{
    printf("%s: %d passed, %d failed\n", suite, passed, failed);
    fflush(stdout);
    *p = passed;
    *f = failed;
    passed = failed = 0;
}
#endif
