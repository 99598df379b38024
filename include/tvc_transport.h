/**
 * @file tvc_transport.h
 * @brief The byte stream under the HTTP client: a struct of function
 * pointers plus a context the client never looks inside, in the spirit of
 * FreeRTOS coreHTTP's `TransportInterface_t`.
 *
 * libtvc ships two transports:
 * - plain TCP over the port (`struct tvc_tcp`, tvc_tcp_transport_init(),
 *   below; no TLS library involved);
 * - TLS over mbedTLS (tvc_tls_transport_init() in tvc_tls.h, the only
 *   public header that includes mbedTLS).
 *
 * A board whose modem or Wi-Fi module does TLS itself (cellular modems,
 * ESP-AT, a secure element) fills in its own `struct tvc_transport` for
 * https and links no TLS library at all.
 *
 * ## Contract, for every function below
 * - One connection per transport at a time: connect() is only called when
 *   none is open (after close()).
 * - Counts (>= 0) and 0 mean success; negative values are `enum tvc_err`.
 * - **TVC_ERR_AGAIN is not an error**: nothing happened within @p wait_ms.
 *   The client keeps the deadlines.  Never return TVC_ERR_TIMEOUT.
 * - @p wait_ms is the longest one call may block (0: just look).
 * - recv() returns 0 exactly once the peer ended the stream in order; see
 *   clean_end() for whether that end was provably complete.
 */
#ifndef TVC_TRANSPORT_H
#define TVC_TRANSPORT_H

#include "tvc_base.h"
#include "tvc_port.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tvc_transport {
    /** Passed as first argument to every function; the client never reads it. */
    void *ctx;

    /**
     * @brief Start a connection to @p host (NUL-terminated name or IP
     * literal, IPv6 without brackets) and @p port.  May return before the
     * connection is up; handshake() finishes it.  Name resolution may block.
     * @return 0; TVC_ERR_DNS, TVC_ERR_CONNECT, TVC_ERR_NOSPACE; for TLS also
     *         TVC_ERR_STATE (no trust anchors), TVC_ERR_TLS, TVC_ERR_ARG.
     */
    int (*connect)(void *ctx, const char *host, uint16_t port);

    /**
     * @brief Advance the connection setup by a bounded amount: finish the
     * TCP connect, then (TLS) one handshake step per call.
     * @return 0 ready for send/recv; TVC_ERR_AGAIN call again (nothing
     *         ready within @p wait_ms, or one step done and more to do);
     *         TVC_ERR_CONNECT; TVC_ERR_RESET / TVC_ERR_CLOSED / TVC_ERR_IO;
     *         TLS verdicts (TVC_ERR_TLS_UNTRUSTED, _HOSTNAME, _EXPIRED,
     *         _CERT, TVC_ERR_TLS).
     */
    int (*handshake)(void *ctx, uint32_t wait_ms);

    /**
     * @brief Send up to @p len bytes.  After TVC_ERR_AGAIN the caller
     * repeats the call with the same bytes (a TLS record may be pending).
     * @return count > 0 (never 0 when len > 0); TVC_ERR_AGAIN;
     *         TVC_ERR_RESET / TVC_ERR_CLOSED / TVC_ERR_IO / TVC_ERR_TLS.
     */
    int (*send)(void *ctx, const uint8_t *buf, size_t len, uint32_t wait_ms);

    /**
     * @brief Receive up to @p len bytes, at most one lower-layer read's
     * worth (no internal loop over several records' worth of waiting).
     * @return count > 0; 0 orderly end; TVC_ERR_AGAIN; TVC_ERR_RESET /
     *         TVC_ERR_IO / TVC_ERR_TLS.
     */
    int (*recv)(void *ctx, uint8_t *buf, size_t len, uint32_t wait_ms);

    /** @brief End the connection (best effort, never waits).  Safe when none is open. */
    void (*close)(void *ctx);

    /**
     * @brief After recv() returned 0: was the end provably complete?  Plain
     * TCP: always 1 (a FIN is all there is).  TLS: 1 only when the peer
     * sent close_notify; a bare TCP close could be a cut (RFC 9112 9.8).
     * May be NULL (treated as 1).
     */
    int (*clean_end)(void *ctx);

    /**
     * @brief Raw code of the lower layer's last failure (for TLS the
     * mbedTLS code), 0 if none; for diagnostics only.  May be NULL.
     */
    int (*detail)(void *ctx);
};

/* ------------------------------------------------------------------ */
/* Plain TCP over the port                                              */

/** @brief Context of the plain TCP transport.  Private members; 8 bytes on a 32-bit MCU. */
struct tvc_tcp {
    const struct tvc_port *port_;
    int sock_; /* -1 when none */
};

/**
 * @brief Make @p t a plain TCP transport over @p port's network functions,
 * with @p tcp as its context.  @p tcp and @p port must outlive @p t's use.
 * Never fails.
 */
void tvc_tcp_transport_init(struct tvc_transport *t, struct tvc_tcp *tcp,
                            const struct tvc_port *port);

#ifdef __cplusplus
}
#endif
#endif /* TVC_TRANSPORT_H */
