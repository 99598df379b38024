/* The firmware test image: the core's unit tests that need no host, run
 * on the Cortex-M4 of QEMU's mps2-an386.  Each test file's lines go to the
 * UART as on the host, then one line per file, the stack high-water mark
 * and the closing "N passed, N failed"; the run ends through semihosting
 * with status 0 only when every case passed.
 *
 * The host command line (QEMU -append) may hold "-v": list every case, as
 * TVC_TEST_VERBOSE does on the host. */
#define _POSIX_C_SOURCE 200112L /* setenv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "suites.h"

int main(void);

static const struct {
    const char *name;
    int (*run)(void);
} suites[] = {
    {"test_json", fw_suite_json},
    {"test_url", fw_suite_url},
    {"test_http_response", fw_suite_http_response},
    {"test_retry", fw_suite_retry},
    {"test_http_request", fw_suite_http_request},
    {"test_http_client", fw_suite_http_client},
    {"test_api", fw_suite_api},
    {"test_api_exchange", fw_suite_api_exchange},
    {"test_fw_store", fw_suite_fw_store},
};

int main(void)
{
    char cmd[256];
    int total_pass = 0, total_fail = 0;
    size_t i;
    uint32_t t_all = board_millis();

    if (board_cmdline(cmd, sizeof cmd) > 0 && strstr(cmd, " -v"))
        setenv("TVC_TEST_VERBOSE", "1", 1);
    printf("libtvc core unit tests on %s\n", "mps2-an386 (Cortex-M4)");
    for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        int p, f, rc;
        uint32_t t0 = board_millis();
        rc = suites[i].run();
        h_suite_end(suites[i].name, &p, &f);
        if (rc != 0 && f == 0)
            f = 1; /* a file that failed without a failed case */
        printf("  (%s: %lu ms)\n", suites[i].name, (unsigned long)(board_millis() - t0));
        total_pass += p;
        total_fail += f;
    }
    printf("stack high-water: %lu of %lu bytes\n", (unsigned long)board_stack_used(),
           (unsigned long)board_stack_size());
    printf("run time on the board clock: %lu ms\n", (unsigned long)(board_millis() - t_all));
    printf("%d passed, %d failed\n", total_pass, total_fail);
    fflush(stdout);
    return total_fail ? 1 : 0;
}
