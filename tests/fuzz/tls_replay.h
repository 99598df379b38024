/* Record a TLS session between libtvc's mbedTLS transport (tvc_tls, the
 * client) and an in-process mbedTLS server, with a fixed clock (time() is
 * pinned while a session runs) and fixed entropy on both sides, so the
 * whole conversation is a pure function of the PKI.  Then replay the
 * server's recorded bytes (or altered ones) to a fresh client: with the
 * same entropy and clock it sends the same bytes, derives the same keys and
 * reads the recorded answers exactly as it read them live.  No socket: the
 * port's send/recv move bytes between memory buffers.
 * Used by tests/fuzz/fuzz_tls.c and tests/test_fuzz_regress.c. */
#ifndef TVC_TLS_REPLAY_H
#define TVC_TLS_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TR_MAX 16384

/* What the recorded server does after reading the request's head. */
struct tr_plan {
    const char *response; /* application data, sent as one record */
    int empty_before;     /* empty application-data records before it */
    int empty_after;      /* ... and after it */
    int close_notify;     /* 1: end with close_notify; 0: the stream just ends */
};

struct tr_transcript {
    uint8_t srv[TR_MAX]; /* every byte the server sent, in order */
    size_t srv_len;
    uint8_t cli[TR_MAX]; /* every byte the client sent */
    size_t cli_len;
    time_t when;         /* the pinned clock */
    char ca[4096];       /* the trust anchor (PEM, NUL-terminated) */
};

/* What one client session saw. */
struct tr_result {
    int handshake_rc;  /* tvc_tls_handshake()'s final result */
    int send_rc;       /* tvc_tls_send()'s (or 0 when not reached) */
    uint8_t data[8192];
    size_t len;        /* application bytes received */
    int end_rc;        /* the tvc_tls_recv() result that ended reading: 0 (end) or an error */
    int again;         /* TVC_ERR_AGAIN results on the way */
    int clean;         /* the end was a close_notify */
    int faithful;      /* the client sent exactly the recorded client bytes (as far as it got) */
};

/* Record a session on the PKI of @p pki_dir (tests/certs.sh: ca.crt,
 * good.crt, good.key) with @p plan.  0, or -1 (reason on stderr). */
int tr_record(struct tr_transcript *t, const char *pki_dir, const struct tr_plan *plan,
              struct tr_result *live);

/* Replay @p srv (the recorded server bytes, or others) to a fresh client,
 * delivered at most @p chunk bytes per receive (0: as asked). */
void tr_replay(const struct tr_transcript *t, const uint8_t *srv, size_t srv_len, size_t chunk,
               struct tr_result *r);

#endif
