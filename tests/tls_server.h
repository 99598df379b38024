/* Test support for TLS: a throwaway PKI made by tests/certs.sh, real
 * `openssl s_server` instances on 127.0.0.1 / ::1, and plain TCP listeners.
 * Linked into every test binary; everything here is prefixed ts_. */
#ifndef TVC_TEST_TLS_SERVER_H
#define TVC_TEST_TLS_SERVER_H

#include <stdint.h>
#include <sys/types.h>

/* Generate the PKI (once per process) into a fresh directory under /tmp,
 * removed at exit.  Returns the directory, or NULL (reason on stderr). */
const char *ts_pki(void);

/* "<pki dir>/<name>" in one of a few rotating static buffers. */
const char *ts_pki_path(const char *name);

/* Remove the PKI directory now (also done at exit). */
void ts_pki_remove(void);

struct ts_server {
    pid_t pid;     /* 0 when not running */
    uint16_t port; /* the port s_server reported */
    char log[512]; /* its stdout + stderr */
};

/* Start `openssl s_server -www` on @host ("127.0.0.1" or "::1", any free
 * port) with PKI files @cert / @key; it exits by itself after @naccept
 * connections.  Waits (bounded) until it listens.  Returns 0 or -1. */
int ts_server_start(struct ts_server *s, const char *host, const char *cert,
                    const char *key, int naccept);

/* The same with @extra, a NULL-terminated list of further s_server
 * arguments (at most 8), or NULL. */
int ts_server_start_ex(struct ts_server *s, const char *host, const char *cert,
                       const char *key, int naccept, const char *const *extra);

/* Stop it (SIGTERM, then SIGKILL) and reap it.  Safe when not running. */
void ts_server_stop(struct ts_server *s);

/* A blocking TCP listener on @host, any free port (written to *port).
 * Returns the fd or -1. */
int ts_listen(const char *host, uint16_t *port);

/* Accept one connection within @timeout_ms.  Returns the fd or -1. */
int ts_accept(int lfd, int timeout_ms);

/* Milliseconds from a monotonic clock. */
uint64_t ts_now_ms(void);

#endif
