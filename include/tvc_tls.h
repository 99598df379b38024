/**
 * @file tvc_tls.h
 * @brief The mbedTLS glue (2.28 and 3.6): the TLS transport and the SHA-256
 * hash.  The only libtvc header that includes mbedTLS; include it yourself
 * (tvc.h does not).  Certificate verification is always on; there is no
 * switch to turn it off.
 *
 * One `struct tvc_tls` carries the configuration, the trust anchors, one
 * connection at a time, and the last session for resumption.  mbedTLS itself
 * may allocate (its record buffers); how is set by the mbedTLS build config.
 *
 * @code
 * static struct tvc_tls tls;
 * static struct tvc_transport https;
 * tvc_tls_init(&tls);
 * tvc_tls_setup(&tls, &port);                       // DRBG seeded from the port
 * tvc_tls_add_ca(&tls, ca_pem, sizeof ca_pem);
 * tvc_tls_transport_init(&https, &tls);
 * tvc_http_client_init(&http, &port, &https, hdr, sizeof hdr, io, sizeof io);
 * @endcode
 */
#ifndef TVC_TLS_H
#define TVC_TLS_H

#include "tvc_base.h"
#include "tvc_config.h"
#include "tvc_hash.h"
#include "tvc_port.h"
#include "tvc_transport.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tvc_tls {
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca;
    mbedtls_ssl_session session;     /**< last session, offered on reconnect */
    char session_host[TVC_HOST_MAX];
    uint16_t session_port;
    int have_session;

    const struct tvc_port *port;
    int sock;                        /**< transport handle of the connection, -1 none */
    uint32_t wait_ms;                /**< wait allowed in the current port call */
    int io_err;                      /**< port error seen by the BIO, 0 none */
    int mbedtls_err;                 /**< raw mbedTLS code of the last failure, 0 none */
    uint32_t verify_flags;           /**< mbedTLS verify flags of the last handshake */
    uint8_t ip[16];                  /**< target address when the host is an IP literal */
    int ip_family;                   /**< 0 name, 4 or 6 */
    int setup;                       /**< tvc_tls_setup() done */
    int ssl_ready;                   /**< ssl context set up for a connection */
    int ca_count;                    /**< trust anchors loaded */
    int handshake_done;              /**< 1 done, 0 not yet, -1 failed (sticky until the next start) */
    int tcp_pending;                 /**< transport use: TCP connect not finished yet */
    int peer_closed;                 /**< 1 once the peer ended with close_notify: a clean end,
                                          as opposed to a bare TCP close that could be a cut */
    int eof_seen;                    /**< the transport under TLS reported its end of stream */
};

/** @brief Zero the struct; never fails; tvc_tls_free() is safe afterwards (twice too). */
void tvc_tls_init(struct tvc_tls *t);

/**
 * @brief Seed the DRBG from the port's entropy and build the configuration
 * (client, TLS 1.2 or later, verification required).  @p t keeps pointers to
 * itself and to @p port: neither may move afterwards.
 * @return 0; TVC_ERR_PORT; TVC_ERR_ENTROPY; TVC_ERR_TLS (raw code in mbedtls_err);
 *         TVC_ERR_STATE (already set up).  A failed setup may be retried.
 */
int tvc_tls_setup(struct tvc_tls *t, const struct tvc_port *port);

/**
 * @brief Add trust anchors from memory: one or more PEM certificates, or one DER.
 * Needs no setup.  As with mbedtls_x509_crt_parse(), PEM must end in a NUL
 * that @p len counts (sizeof a string literal, or strlen() + 1).
 * @return number of certificates added (>= 1); TVC_ERR_TLS_CA;
 *         TVC_ERR_ARG (no data, or PEM without its NUL).
 */
int tvc_tls_add_ca(struct tvc_tls *t, const uint8_t *data, size_t len);

/**
 * @brief Add trust anchors from a PEM bundle file, read through the port's
 * storage functions one certificate at a time via @p scratch (4 KiB is
 * enough for common certificates; a larger certificate is skipped, as is
 * one that does not parse).  Needs tvc_tls_setup() (for the port).
 * @return number of certificates added (>= 1); TVC_ERR_NOT_FOUND;
 *         TVC_ERR_TLS_CA (no certificate could be parsed); TVC_ERR_PORT
 *         (no file functions); TVC_ERR_STORAGE (open or read failed);
 *         TVC_ERR_STATE (not set up); TVC_ERR_ARG (scratch under 64 bytes).
 */
int tvc_tls_add_ca_file(struct tvc_tls *t, const char *path, uint8_t *scratch,
                        size_t scratch_len);

/**
 * @brief Begin a handshake on connected transport handle @p sock.  For a host
 * name SNI is sent and the certificate must match the name; for an IP literal
 * no SNI is sent and the certificate must carry that IP as a SAN.  A session
 * saved for the same host and port is offered for resumption.
 * @return 0; TVC_ERR_STATE (not set up or no trust anchors); TVC_ERR_TLS;
 *         TVC_ERR_ARG (host NULL, empty or over 255 bytes; sock < 0).
 */
int tvc_tls_start(struct tvc_tls *t, int sock, const char *host, uint16_t port);

/**
 * @brief Advance the handshake by one mbedtls_ssl_handshake_step() (one
 * message or flight), so that a slow handshake never holds the caller.
 * A certificate with several faults reports the first of UNTRUSTED,
 * HOSTNAME, EXPIRED, CERT.  A failure is final for the connection: every
 * later handshake/send/recv returns it again until the next tvc_tls_start().
 * @return 0 done (peer verified); TVC_ERR_AGAIN; TVC_ERR_TLS_UNTRUSTED,
 *         TVC_ERR_TLS_HOSTNAME, TVC_ERR_TLS_EXPIRED, TVC_ERR_TLS_CERT,
 *         TVC_ERR_TLS; or the transport's TVC_ERR_RESET / TVC_ERR_IO /
 *         TVC_ERR_CLOSED; TVC_ERR_STATE (no tvc_tls_start()).
 */
int tvc_tls_handshake(struct tvc_tls *t, uint32_t wait_ms);

/**
 * @brief Send application data.  After TVC_ERR_AGAIN repeat the call with the
 * same data (mbedTLS may hold part of it in a pending record).
 * @return count > 0 (0 when @p len is 0); TVC_ERR_AGAIN; TVC_ERR_TLS or
 *         transport error; TVC_ERR_STATE (handshake not done).
 */
int tvc_tls_send(struct tvc_tls *t, const uint8_t *buf, size_t len, uint32_t wait_ms);

/**
 * @brief Receive application data.
 * @return count > 0; 0 end of stream (close_notify or TCP close);
 *         TVC_ERR_AGAIN; TVC_ERR_TLS or transport error; TVC_ERR_STATE
 *         (handshake not done).
 */
int tvc_tls_recv(struct tvc_tls *t, uint8_t *buf, size_t len, uint32_t wait_ms);

/**
 * @brief End the TLS connection (close_notify, best effort, no waiting) and
 * keep the session for resumption.  Does not close the transport handle.
 */
void tvc_tls_close(struct tvc_tls *t);

/**
 * @brief The protocol version the current connection's handshake agreed on,
 * as on the wire: 0x0303 for TLS 1.2, 0x0304 for TLS 1.3 (mbedTLS 3.6 with
 * MBEDTLS_SSL_PROTO_TLS1_3, against a server that offers it).
 * @return the version; 0 while no handshake has completed since
 *         tvc_tls_start() (and after tvc_tls_close()), or @p t NULL.
 */
int tvc_tls_version(const struct tvc_tls *t);

/** @brief Release everything.  Safe to call twice. */
void tvc_tls_free(struct tvc_tls *t);

/**
 * @brief Make @p tr a transport (tvc_transport.h) that runs TLS over the
 * port's TCP with @p t as its context: connect() opens the TCP connection
 * and prepares TLS (tvc_tls_start(), no I/O), handshake() finishes the TCP
 * connect and then makes **one mbedtls_ssl_handshake_step() per call**,
 * send/recv are tvc_tls_send()/tvc_tls_recv(), close() sends close_notify
 * and closes the socket, clean_end() is peer_closed, detail() is
 * mbedtls_err.  @p t must be set up (tvc_tls_setup()) with trust anchors
 * before the first connect.  Never fails.
 */
void tvc_tls_transport_init(struct tvc_transport *tr, struct tvc_tls *t);

/* ------------------------------------------------------------------ */
/* SHA-256 over mbedTLS                                                 */

/**
 * @brief Make @p h (tvc_hash.h) SHA-256 through mbedTLS, with @p ctx as its
 * state (initialised here; must outlive @p h).  Never fails.  A finished
 * or abandoned hash holds no resources (mbedTLS's software SHA-256 has none).
 */
void tvc_hash_mbedtls_init(struct tvc_hash *h, mbedtls_sha256_context *ctx);

#ifdef __cplusplus
}
#endif
#endif /* TVC_TLS_H */
