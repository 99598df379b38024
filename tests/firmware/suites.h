/* The unit-test files the firmware image runs: each file's main() is
 * compiled under the name fw_suite_<name> (-Dmain=...), and this header is
 * forced into every one of them (-include) to declare it. */
#ifndef TVC_FW_SUITES_H
#define TVC_FW_SUITES_H

int fw_suite_json(void);
int fw_suite_url(void);
int fw_suite_http_response(void);
int fw_suite_retry(void);
int fw_suite_http_request(void);
int fw_suite_http_client(void);
int fw_suite_api(void);
int fw_suite_api_exchange(void);
/* tests/firmware/test_fw_store.c: the board's RAM file store (no main to rename) */
int fw_suite_fw_store(void);

/* tests/harness.c (with H_SUITES): end one suite's count, start the next */
void h_suite_end(const char *suite, int *passed, int *failed);

#endif
