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

int h_summary(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    fflush(stdout);
    return failed ? 1 : 0;
}
