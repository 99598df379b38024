/*
 * TLS glue over mbedTLS 2.28 and 3.6: the port's sockets as the BIO, the
 * port's entropy as the DRBG seed, verification always required; and the
 * transport (tvc_transport.h) the HTTP client uses for https.
 *
 * Only public mbedTLS API is used (no MBEDTLS_PRIVATE fields), so the same
 * file builds against 2.28 and 3.x; the few version differences are guarded.
 */
#include "tvc_tls.h"
#include "tvc_url.h"

#include <limits.h>
#include <string.h>

#include <mbedtls/net_sockets.h> /* MBEDTLS_ERR_NET_* codes only; no OS code */
#include <mbedtls/oid.h>
#include <mbedtls/version.h>

#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
#include <psa/crypto.h>
#define TVC_TLS_PSA 1
#endif

/* A TLS 1.3 server sends its tickets after the handshake; mbedTLS 3.6.1+
 * hands them to the application only when asked, through mbedtls_ssl_read(). */
#if defined(MBEDTLS_SSL_PROTO_TLS1_3) && defined(MBEDTLS_SSL_SESSION_TICKETS) && \
    defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
#define TVC_TLS13_TICKETS 1
#endif

#if !defined(MBEDTLS_SSL_CLI_C) || !defined(MBEDTLS_X509_CRT_PARSE_C) || !defined(MBEDTLS_CTR_DRBG_C)
#error "libtvc needs MBEDTLS_SSL_CLI_C, MBEDTLS_X509_CRT_PARSE_C and MBEDTLS_CTR_DRBG_C"
#endif
/* (an option of 2.28 only: 3.x always checks, and has no such macro) */
#if MBEDTLS_VERSION_NUMBER < 0x03000000 && !defined(MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE)
#error "libtvc needs MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE (a leaf must be for serverAuth)"
#endif

/* Certificates of the chain: SHA-256 or stronger signatures (no SHA-1),
 * RSA keys of 2048 bits or more, the NIST and Brainpool curves.  Set
 * explicitly so that no mbedTLS build option (e.g. 2.28's
 * MBEDTLS_TLS_DEFAULT_ALLOW_SHA1_IN_CERTIFICATES) can weaken it. */
static const mbedtls_x509_crt_profile strict_profile = {
    MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) |
        MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512),
    0xFFFFFFF, /* any public-key algorithm (RSA limited by the length below) */
    MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP256R1) | MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP384R1) |
        MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP521R1) | MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_BP256R1) |
        MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_BP384R1) | MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_BP512R1),
    2048,
};

#define SAN_IP_TAG (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) /* GeneralName iPAddress [7] */
#define NO_VERIFY_RESULT 0xFFFFFFFFu                   /* get_verify_result(): none yet */

static const char pem_begin[] = "-----BEGIN CERTIFICATE-----";
static const char pem_end[] = "-----END CERTIFICATE-----";
#define PEM_BEGIN_LEN (sizeof pem_begin - 1)
#define PEM_END_LEN (sizeof pem_end - 1)
#define SCRATCH_MIN 64 /* room for a marker and some progress */

/* ------------------------------------------------------------------ */
/* port glue                                                           */

static int entropy_cb(void *p, unsigned char *buf, size_t len)
{
    const struct tvc_tls *t = p;
    return t->port->entropy(t->port->ctx, buf, len) == 0 ? 0
                                                          : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* Port errors outside the documented set count as TVC_ERR_IO (tvc_port.h). */
static int transport_err(int n)
{
    return (n == TVC_ERR_RESET || n == TVC_ERR_CLOSED || n == TVC_ERR_IO) ? n : TVC_ERR_IO;
}

static int bio_send(void *p, const unsigned char *buf, size_t len)
{
    struct tvc_tls *t = p;
    int n;

    if (len > INT_MAX)
        len = INT_MAX;
    n = t->port->send(t->port->ctx, t->sock, buf, len, t->wait_ms);
    if (n > 0)
        return n;
    if (n == TVC_ERR_AGAIN)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    t->io_err = transport_err(n); /* 0 is a port bug: treated as IO */
    return t->io_err == TVC_ERR_RESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *p, unsigned char *buf, size_t len)
{
    struct tvc_tls *t = p;
    int n;

    if (len > INT_MAX)
        len = INT_MAX;
    n = t->port->recv(t->port->ctx, t->sock, buf, len, t->wait_ms);
    if (n == 0)
        t->eof_seen = 1;
    if (n >= 0)
        return n; /* 0: orderly end of stream, mbedTLS makes it CONN_EOF */
    if (n == TVC_ERR_AGAIN)
        return MBEDTLS_ERR_SSL_WANT_READ;
    t->io_err = transport_err(n);
    return t->io_err == TVC_ERR_RESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
}

/*
 * mbedTLS checks host names itself (SAN dNSName / CN), but with no host name
 * set it checks nothing: for an IP literal the leaf must carry that address
 * as an iPAddress SAN (RFC 6125: never the CN).  A mismatch is reported like
 * mbedTLS's own, so the handshake fails with the same flag.
 */
static int verify_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    const struct tvc_tls *t = p;
    const mbedtls_x509_sequence *s;
    size_t n;

    if (depth != 0)
        return 0;
    /* A leaf whose extendedKeyUsage lacks serverAuth (RFC 5280: without the
     * extension any purpose) is not a server's, whatever mbedTLS checks. */
    if (mbedtls_x509_crt_check_extended_key_usage(crt, MBEDTLS_OID_SERVER_AUTH,
                                                  MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) != 0)
        *flags |= MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
    if (t->ip_family == 0)
        return 0;
    n = t->ip_family == 4 ? 4 : 16;
    for (s = &crt->subject_alt_names; s != NULL; s = s->next) {
        if (s->buf.tag == SAN_IP_TAG && s->buf.len == n && s->buf.p != NULL &&
            memcmp(s->buf.p, t->ip, n) == 0)
            return 0;
    }
    *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    return 0;
}

/* ------------------------------------------------------------------ */
/* errors                                                              */

/* An X.509 error from parsing the peer's certificate (not lack of memory). */
static int is_x509_err(int e)
{
    int hi = (-e) & 0x7F80; /* the high-level module part of an mbedTLS code */
    return e < 0 && hi >= 0x2080 && hi <= 0x3000 && hi != (-MBEDTLS_ERR_X509_ALLOC_FAILED);
}

/*
 * The stored failure (mbedtls_err, verify_flags, io_err) as a tvc error.
 * Certificate verdicts come first, and among them the most fundamental: an
 * untrusted chain makes everything else it claims meaningless; a trusted
 * certificate for another name is the wrong server whatever the date; only
 * the right server's certificate being out of its validity period (often the
 * device clock) is reported as EXPIRED.
 */
static int classify(const struct tvc_tls *t)
{
    uint32_t f = t->verify_flags == NO_VERIFY_RESULT ? 0 : t->verify_flags;

    f &= ~(uint32_t)MBEDTLS_X509_BADCERT_SKIP_VERIFY;
    if (f & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
        return TVC_ERR_TLS_UNTRUSTED;
    if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH)
        return TVC_ERR_TLS_HOSTNAME;
    if (f & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
        return TVC_ERR_TLS_EXPIRED;
    if (f != 0)
        return TVC_ERR_TLS_CERT;
    if (t->io_err != 0)
        return t->io_err;
    if (t->mbedtls_err == MBEDTLS_ERR_SSL_CONN_EOF)
        return TVC_ERR_CLOSED;
    if (is_x509_err(t->mbedtls_err))
        return TVC_ERR_TLS_CERT;
    return TVC_ERR_TLS;
}

/* A fatal mbedTLS result: remembered, and sticky until the next start. */
static int fail(struct tvc_tls *t, int raw)
{
    t->mbedtls_err = raw;
    t->handshake_done = -1;
    return classify(t);
}

/* ------------------------------------------------------------------ */
/* sessions                                                            */

static void session_drop(struct tvc_tls *t)
{
    mbedtls_ssl_session_free(&t->session);
    mbedtls_ssl_session_init(&t->session);
    t->have_session = 0;
}

/* Keep the current session for the host/port recorded at start.  Failure
 * only costs the next resumption. */
static void session_save(struct tvc_tls *t)
{
    session_drop(t);
    if (t->session_host[0] == '\0')
        return; /* host too long to remember */
    if (mbedtls_ssl_get_session(&t->ssl, &t->session) != 0) {
        session_drop(t);
        return;
    }
    t->have_session = 1;
}

/* ------------------------------------------------------------------ */
/* lifecycle                                                           */

void tvc_tls_init(struct tvc_tls *t)
{
    if (t == NULL)
        return;
    memset(t, 0, sizeof *t);
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_ctr_drbg_init(&t->drbg);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_ssl_session_init(&t->session);
    t->sock = -1;
}

void tvc_tls_free(struct tvc_tls *t)
{
    if (t == NULL)
        return;
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_ssl_session_free(&t->session);
    tvc_tls_init(t);
}

/* Leave the contexts as tvc_tls_init() made them, so setup can be retried. */
static int setup_fail(struct tvc_tls *t, int raw, int err)
{
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_ctr_drbg_init(&t->drbg);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_ssl_config_init(&t->conf);
    t->mbedtls_err = raw;
    return err;
}

int tvc_tls_setup(struct tvc_tls *t, const struct tvc_port *port)
{
    static const unsigned char pers[] = "libtvc";
    int ret;

    if (t == NULL)
        return TVC_ERR_ARG;
    if (t->setup)
        return TVC_ERR_STATE;
    if (tvc_port_check(port) != 0)
        return TVC_ERR_PORT;
    t->port = port;

#ifdef TVC_TLS_PSA
    /* mbedTLS 3.x needs PSA for TLS 1.3 and USE_PSA builds; PSA draws on
     * mbedTLS's own entropy configuration, not on the port. */
    {
        psa_status_t st = psa_crypto_init();
        if (st != PSA_SUCCESS) {
            t->mbedtls_err = (int)st;
            return st == PSA_ERROR_INSUFFICIENT_ENTROPY ? TVC_ERR_ENTROPY : TVC_ERR_TLS;
        }
    }
#endif

    ret = mbedtls_ctr_drbg_seed(&t->drbg, entropy_cb, t, pers, sizeof pers - 1);
    if (ret != 0)
        return setup_fail(t, ret, TVC_ERR_ENTROPY);
    ret = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
                                      MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0)
        return setup_fail(t, ret, TVC_ERR_TLS);
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_cert_profile(&t->conf, &strict_profile);
#if MBEDTLS_VERSION_NUMBER >= 0x03020000
    mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_verify(&t->conf, verify_cb, t);
#if defined(TVC_TLS13_TICKETS) && MBEDTLS_VERSION_NUMBER >= 0x03060100
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
        &t->conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
    t->setup = 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* trust anchors                                                       */

static int chain_count(const mbedtls_x509_crt *c)
{
    int n = 0;
    for (; c != NULL; c = c->next)
        if (c->raw.len != 0)
            n++;
    return n;
}

static size_t find(const uint8_t *hay, size_t n, const char *needle, size_t m)
{
    size_t i;
    if (n < m)
        return (size_t)-1;
    for (i = 0; i + m <= n; i++)
        if (hay[i] == (uint8_t)needle[0] && memcmp(hay + i, needle, m) == 0)
            return i;
    return (size_t)-1;
}

/*
 * mbedtls_x509_crt_parse() reads PEM only when the buffer ends in NUL (it
 * uses string functions); anything else it takes for one DER certificate.
 * Copying unterminated PEM would need a buffer we do not have, so PEM must
 * come with its NUL counted in len (sizeof a string literal, strlen() + 1),
 * as with mbedTLS itself; unterminated PEM is refused with TVC_ERR_ARG
 * rather than misreported as a bad certificate.
 */
int tvc_tls_add_ca(struct tvc_tls *t, const uint8_t *data, size_t len)
{
    int before, ret;

    if (t == NULL || data == NULL || len == 0)
        return TVC_ERR_ARG;
    if (data[len - 1] != '\0' && find(data, len, pem_begin, PEM_BEGIN_LEN) != (size_t)-1)
        return TVC_ERR_ARG;
    before = chain_count(&t->ca);
    ret = mbedtls_x509_crt_parse(&t->ca, data, len);
    t->ca_count = chain_count(&t->ca);
    if (t->ca_count <= before) {
        t->mbedtls_err = ret;
        return TVC_ERR_TLS_CA;
    }
    return t->ca_count - before;
}

/* Parse the PEM block at buf[0..n): NUL-terminated in place (buf[n] exists
 * and is restored), so no copy is needed. */
static int parse_block(struct tvc_tls *t, uint8_t *buf, size_t n)
{
    uint8_t saved = buf[n];
    int ret;

    buf[n] = 0;
    ret = mbedtls_x509_crt_parse(&t->ca, buf, n + 1);
    buf[n] = saved;
    if (ret != 0)
        t->mbedtls_err = ret;
    return ret == 0;
}

/* Drop all but the last keep bytes of buf[0..*fill). */
static void keep_tail(uint8_t *buf, size_t *fill, size_t keep)
{
    if (*fill > keep) {
        memmove(buf, buf + *fill - keep, keep);
        *fill = keep;
    }
}

enum { SEEK, IN_BLOCK, SKIP_BLOCK };

/*
 * Stream the file through scratch, one certificate block at a time.  In
 * IN_BLOCK the block starts at scratch[0]; one byte of scratch is always kept
 * free for the NUL mbedTLS needs.  A block that does not fit is skipped up to
 * its END line; text between blocks (comments, other PEM types) is ignored.
 */
int tvc_tls_add_ca_file(struct tvc_tls *t, const char *path, uint8_t *scratch,
                        size_t scratch_len)
{
    const struct tvc_port *port;
    size_t cap, fill = 0, at;
    int fh, n, state = SEEK, eof = 0, added = 0, err = 0;

    if (t == NULL || path == NULL || scratch == NULL || scratch_len < SCRATCH_MIN)
        return TVC_ERR_ARG;
    port = t->port;
    if (!t->setup || port == NULL)
        return TVC_ERR_STATE;
    if (port->file_open == NULL || port->file_read == NULL || port->file_close == NULL)
        return TVC_ERR_PORT;
    fh = port->file_open(port->ctx, path, TVC_FILE_READ);
    if (fh < 0)
        return fh == TVC_ERR_NOT_FOUND ? TVC_ERR_NOT_FOUND : TVC_ERR_STORAGE;
    cap = scratch_len - 1;

    for (;;) {
        if (state == SEEK) {
            at = find(scratch, fill, pem_begin, PEM_BEGIN_LEN);
            if (at != (size_t)-1) {
                memmove(scratch, scratch + at, fill - at);
                fill -= at;
                state = IN_BLOCK;
                continue;
            }
            keep_tail(scratch, &fill, PEM_BEGIN_LEN - 1);
        } else if (state == IN_BLOCK) {
            at = find(scratch + PEM_BEGIN_LEN, fill - PEM_BEGIN_LEN, pem_end, PEM_END_LEN);
            if (at != (size_t)-1) {
                at += PEM_BEGIN_LEN + PEM_END_LEN;
                added += parse_block(t, scratch, at);
                memmove(scratch, scratch + at, fill - at);
                fill -= at;
                state = SEEK;
                continue;
            }
            if (fill == cap) { /* larger than scratch: skip it */
                keep_tail(scratch, &fill, PEM_END_LEN - 1);
                state = SKIP_BLOCK;
            }
        } else {
            at = find(scratch, fill, pem_end, PEM_END_LEN);
            if (at != (size_t)-1) {
                at += PEM_END_LEN;
                memmove(scratch, scratch + at, fill - at);
                fill -= at;
                state = SEEK;
                continue;
            }
            keep_tail(scratch, &fill, PEM_END_LEN - 1);
        }
        if (eof)
            break;
        n = port->file_read(port->ctx, fh, scratch + fill, cap - fill);
        if (n < 0) {
            err = TVC_ERR_STORAGE;
            break;
        }
        if (n == 0)
            eof = 1;
        fill += (size_t)n;
    }
    (void)port->file_close(port->ctx, fh);
    t->ca_count = chain_count(&t->ca);
    if (err != 0)
        return err;
    return added > 0 ? added : TVC_ERR_TLS_CA;
}

/* ------------------------------------------------------------------ */
/* connection                                                          */

int tvc_tls_start(struct tvc_tls *t, int sock, const char *host, uint16_t port)
{
    size_t hlen;
    int ret, fam;

    if (t == NULL || host == NULL || sock < 0)
        return TVC_ERR_ARG;
    hlen = strlen(host);
    if (hlen == 0 || hlen > MBEDTLS_SSL_MAX_HOST_NAME_LEN)
        return TVC_ERR_ARG;
    if (!t->setup || t->ca_count <= 0)
        return TVC_ERR_STATE;

    t->io_err = 0;
    t->eof_seen = 0;
    t->mbedtls_err = 0;
    t->peer_closed = 0;
    t->verify_flags = 0;
    t->handshake_done = 0;
    t->tcp_pending = 0;
    t->sock = -1;

    ret = t->ssl_ready ? mbedtls_ssl_session_reset(&t->ssl) : mbedtls_ssl_setup(&t->ssl, &t->conf);
    if (ret != 0) {
        t->mbedtls_err = ret;
        return TVC_ERR_TLS;
    }
    t->ssl_ready = 1;

    fam = tvc_ip_parse(host, hlen, t->ip);
    if (fam == 4 || fam == 6) {
        /* No SNI for addresses (RFC 6066); NULL also tells mbedTLS 3.6.3+
         * that the name check is deliberately ours (verify_cb). */
        t->ip_family = fam;
        ret = mbedtls_ssl_set_hostname(&t->ssl, NULL);
    } else {
        t->ip_family = 0;
        memset(t->ip, 0, sizeof t->ip);
        ret = mbedtls_ssl_set_hostname(&t->ssl, host);
    }
    if (ret != 0) {
        t->mbedtls_err = ret;
        return TVC_ERR_TLS;
    }

    /* One session slot: offered to the same host and port only, otherwise
     * replaced by this connection's once its handshake succeeds. */
    if (t->have_session && t->session_port == port && strcmp(t->session_host, host) == 0) {
        if (mbedtls_ssl_set_session(&t->ssl, &t->session) != 0)
            session_drop(t);
    } else {
        session_drop(t);
        if (hlen < sizeof t->session_host)
            memcpy(t->session_host, host, hlen + 1);
        else
            t->session_host[0] = '\0';
        t->session_port = port;
    }

    t->sock = sock;
    mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
    return 0;
}

static int handshake_over(struct tvc_tls *t)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03020000
    return mbedtls_ssl_is_handshake_over(&t->ssl);
#elif MBEDTLS_VERSION_NUMBER >= 0x03000000
    return t->ssl.MBEDTLS_PRIVATE(state) == MBEDTLS_SSL_HANDSHAKE_OVER;
#else
    return t->ssl.state == MBEDTLS_SSL_HANDSHAKE_OVER;
#endif
}

int tvc_tls_handshake(struct tvc_tls *t, uint32_t wait_ms)
{
    int ret;

    if (t == NULL)
        return TVC_ERR_ARG;
    if (t->sock < 0)
        return TVC_ERR_STATE;
    if (t->handshake_done == 1)
        return 0;
    if (t->handshake_done < 0)
        return classify(t);
    t->wait_ms = wait_ms;
    /* One step (one message or flight) per call, as mbedtls_ssl_handshake()
     * would loop over them. */
    ret = mbedtls_ssl_handshake_step(&t->ssl);
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
        return TVC_ERR_AGAIN;
    if (ret == 0 && !handshake_over(t))
        return TVC_ERR_AGAIN;
    t->verify_flags = mbedtls_ssl_get_verify_result(&t->ssl);
    if (ret != 0)
        return fail(t, ret);
    t->handshake_done = 1;
    session_save(t);
    return 0;
}

int tvc_tls_send(struct tvc_tls *t, const uint8_t *buf, size_t len, uint32_t wait_ms)
{
    int ret;

    if (t == NULL || (buf == NULL && len > 0))
        return TVC_ERR_ARG;
    if (t->sock < 0 || t->handshake_done == 0)
        return TVC_ERR_STATE;
    if (t->handshake_done < 0)
        return classify(t);
    if (len == 0)
        return 0;
    /* After TVC_ERR_AGAIN the caller must repeat the call with the same
     * data: mbedTLS may already hold part of it in an unsent record. */
    t->wait_ms = wait_ms;
    ret = mbedtls_ssl_write(&t->ssl, buf, len);
    if (ret > 0)
        return ret;
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
        return TVC_ERR_AGAIN;
    return fail(t, ret);
}

int tvc_tls_recv(struct tvc_tls *t, uint8_t *buf, size_t len, uint32_t wait_ms)
{
    int ret;

    if (t == NULL || buf == NULL || len == 0)
        return TVC_ERR_ARG;
    if (t->sock < 0 || t->handshake_done == 0)
        return TVC_ERR_STATE;
    if (t->handshake_done < 0)
        return classify(t);
    t->wait_ms = wait_ms;
    for (;;) {
        ret = mbedtls_ssl_read(&t->ssl, buf, len);
#ifdef TVC_TLS13_TICKETS
        if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
            session_save(t);
            continue;
        }
#endif
        break;
    }
    if (ret > 0)
        return ret;
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
        t->peer_closed = 1;
    /* mbedtls_ssl_read() returns 0 both for an end of stream (it turns
     * CONN_EOF into 0) and for two empty application-data records in a
     * row.  Only the first is an end: the BIO saw it.  The second means
     * nothing arrived yet (tests/test_fuzz_regress.c:
     * tls_empty_records_are_not_an_end; mbedTLS itself fails the fourth
     * empty record in a row, so this cannot go on). */
    if (ret == 0 && !t->eof_seen)
        return TVC_ERR_AGAIN;
    if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF)
        return 0;
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
        return TVC_ERR_AGAIN;
    return fail(t, ret);
}

int tvc_tls_version(const struct tvc_tls *t)
{
    if (t == NULL || t->sock < 0 || t->handshake_done != 1)
        return 0;
#if MBEDTLS_VERSION_NUMBER >= 0x03020000
    return (int)mbedtls_ssl_get_version_number(&t->ssl);
#else
    return 0x0300 | t->ssl.minor_ver; /* 2.28: major 3, minor 3 is TLS 1.2 */
#endif
}

void tvc_tls_close(struct tvc_tls *t)
{
    if (t == NULL)
        return;
    if (t->sock >= 0 && t->handshake_done == 1) {
        t->wait_ms = 0;
        (void)mbedtls_ssl_close_notify(&t->ssl);
    }
    t->handshake_done = 0;
    t->sock = -1;
}

/* ------------------------------------------------------------------ */
/* transport                                                           */

static int tr_connect(void *ctx, const char *host, uint16_t port)
{
    struct tvc_tls *t = ctx;
    int sock, rc;

    if (t->sock >= 0)
        return TVC_ERR_STATE;
    if (!t->setup || t->port == NULL || t->ca_count <= 0)
        return TVC_ERR_STATE;
    sock = t->port->connect(t->port->ctx, host, port);
    if (sock < 0)
        return sock;
    rc = tvc_tls_start(t, sock, host, port); /* no I/O yet */
    if (rc < 0) {
        t->port->close(t->port->ctx, sock);
        t->sock = -1;
        return rc;
    }
    t->tcp_pending = 1;
    return 0;
}

static int tr_handshake(void *ctx, uint32_t wait_ms)
{
    struct tvc_tls *t = ctx;
    int rc;

    if (t->sock < 0)
        return TVC_ERR_STATE;
    if (t->tcp_pending) {
        rc = t->port->connect_poll(t->port->ctx, t->sock, wait_ms);
        if (rc < 0)
            return rc;
        t->tcp_pending = 0;
        return TVC_ERR_AGAIN; /* the first handshake step comes with the next call */
    }
    return tvc_tls_handshake(t, wait_ms);
}

static int tr_send(void *ctx, const uint8_t *buf, size_t len, uint32_t wait_ms)
{
    return tvc_tls_send(ctx, buf, len, wait_ms);
}

static int tr_recv(void *ctx, uint8_t *buf, size_t len, uint32_t wait_ms)
{
    return tvc_tls_recv(ctx, buf, len, wait_ms);
}

static void tr_close(void *ctx)
{
    struct tvc_tls *t = ctx;
    int sock = t->sock;

    if (sock < 0)
        return;
    tvc_tls_close(t);
    t->port->close(t->port->ctx, sock);
    t->tcp_pending = 0;
}

static int tr_clean_end(void *ctx)
{
    return ((const struct tvc_tls *)ctx)->peer_closed;
}

static int tr_detail(void *ctx)
{
    return ((const struct tvc_tls *)ctx)->mbedtls_err;
}

void tvc_tls_transport_init(struct tvc_transport *tr, struct tvc_tls *t)
{
    tr->ctx = t;
    tr->connect = tr_connect;
    tr->handshake = tr_handshake;
    tr->send = tr_send;
    tr->recv = tr_recv;
    tr->close = tr_close;
    tr->clean_end = tr_clean_end;
    tr->detail = tr_detail;
}
