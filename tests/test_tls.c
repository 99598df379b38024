/* TLS glue against real `openssl s_server` instances and raw TCP peers, over
 * the POSIX port.  Certificates are generated per run by tests/certs.sh. */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"
#include "tls_server.h"
#include "tvc_posix.h"
#include "tvc_tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static struct tvc_posix px;
static struct tvc_port port;
static uint8_t scratch[4096];

/* ---------------------------------------------------------------- helpers */

static int load_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    *len = fread(buf, 1, cap, f);
    fclose(f);
    return *len < cap ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

/* init + setup + the test CA from file */
static int tls_ready(struct tvc_tls *t)
{
    tvc_tls_init(t);
    if (tvc_tls_setup(t, &port) != 0)
        return -1;
    return tvc_tls_add_ca_file(t, ts_pki_path("ca.crt"), scratch, sizeof scratch) == 1 ? 0 : -1;
}

static int tcp_connect(const char *host, uint16_t p)
{
    uint64_t deadline = ts_now_ms() + 3000;
    int s = port.connect(port.ctx, host, p), rc;
    if (s < 0)
        return s;
    while ((rc = port.connect_poll(port.ctx, s, 100)) == TVC_ERR_AGAIN && ts_now_ms() < deadline)
        ;
    if (rc != 0) {
        port.close(port.ctx, s);
        return rc;
    }
    return s;
}

/* The caller's deadline loop the HTTP client runs: 100 ms steps, 10 s. */
static int handshake(struct tvc_tls *t)
{
    uint64_t deadline = ts_now_ms() + 10000;
    int rc;
    while ((rc = tvc_tls_handshake(t, 100)) == TVC_ERR_AGAIN && ts_now_ms() < deadline)
        ;
    return rc;
}

/* Connect, start, handshake.  Returns the handshake result; *sock is the
 * transport handle (or -1). */
static int tls_connect(struct tvc_tls *t, const char *host, uint16_t p, int *sock)
{
    int rc;
    *sock = tcp_connect(host, p);
    if (*sock < 0)
        return *sock;
    rc = tvc_tls_start(t, *sock, host, p);
    return rc != 0 ? rc : handshake(t);
}

static void tls_disconnect(struct tvc_tls *t, int sock)
{
    tvc_tls_close(t);
    if (sock >= 0)
        port.close(port.ctx, sock);
}

static int send_all(struct tvc_tls *t, const char *s)
{
    size_t off = 0, len = strlen(s);
    uint64_t deadline = ts_now_ms() + 5000;
    while (off < len && ts_now_ms() < deadline) {
        int n = tvc_tls_send(t, (const uint8_t *)s + off, len - off, 100);
        if (n == TVC_ERR_AGAIN)
            continue;
        if (n <= 0)
            return n;
        off += (size_t)n;
    }
    return off == len ? 0 : TVC_ERR_TIMEOUT;
}

/* Read until end of stream; returns the final status (0 = clean end). */
static int recv_all(struct tvc_tls *t, char *page, size_t cap)
{
    size_t len = 0;
    uint64_t deadline = ts_now_ms() + 5000;
    int n = TVC_ERR_TIMEOUT;
    while (ts_now_ms() < deadline && len + 1 < cap) {
        n = tvc_tls_recv(t, (uint8_t *)page + len, cap - 1 - len, 100);
        if (n == TVC_ERR_AGAIN)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    page[len] = '\0';
    return n;
}

/* GET / over a fresh connection to an s_server -www.  Returns the handshake
 * or transfer error; the status page lands in page. */
static int get_page(struct tvc_tls *t, const char *host, uint16_t p, char *page, size_t cap)
{
    int sock, rc;
    page[0] = '\0';
    rc = tls_connect(t, host, p, &sock);
    if (rc == 0)
        rc = send_all(t, "GET / HTTP/1.0\r\n\r\n");
    if (rc == 0)
        rc = recv_all(t, page, cap);
    tls_disconnect(t, sock);
    return rc;
}

static void resolve(const char *name, uint16_t p, const char *addr)
{
    char spec[128];
    tvc_posix_init(&px, &port); /* no connection is open here: a fresh table */
    snprintf(spec, sizeof spec, "%s:%u:%s", name, (unsigned)p, addr);
    CHECK_EQ(tvc_posix_resolve_add(&px, spec), 0);
}

/* ---------------------------------------------------------------- good servers */

/* By name: verified, a GET round trip works, the second connection resumes
 * the first one's session. */
static void test_name_ok_and_resumption(void)
{
    struct ts_server s;
    struct tvc_tls t;
    char page[8192];

    if (ts_server_start(&s, "127.0.0.1", "good.crt", "good.key", 2) != 0) {
        CHECK(!"server");
        return;
    }
    resolve("localhost", s.port, "127.0.0.1");
    CHECK_EQ(tls_ready(&t), 0);
    CHECK_EQ(get_page(&t, "localhost", s.port, page, sizeof page), 0);
    CHECK(strstr(page, "HTTP/1.0 200 ok") != NULL);
    CHECK(strstr(page, "\nNew, ") != NULL);
    CHECK_EQ(t.verify_flags, 0);
    CHECK_EQ(t.ip_family, 0);
    CHECK_EQ(t.have_session, 1);
    CHECK_STR(t.session_host, "localhost");

    CHECK_EQ(get_page(&t, "localhost", s.port, page, sizeof page), 0);
    CHECK(strstr(page, "\nReused, ") != NULL);
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

/* One mbedtls_ssl_handshake_step() per call: even with a generous wait the
 * handshake takes many calls (one per message or flight), never one long
 * call. */
static void test_handshake_is_stepped(void)
{
    struct ts_server s;
    struct tvc_tls t;
    int sock, rc, calls = 0;
    uint64_t deadline;

    if (ts_server_start(&s, "127.0.0.1", "good.crt", "good.key", 1) != 0) {
        CHECK(!"server");
        return;
    }
    resolve("localhost", s.port, "127.0.0.1");
    CHECK_EQ(tls_ready(&t), 0);
    sock = tcp_connect("localhost", s.port);
    CHECK(sock >= 0);
    CHECK_EQ(tvc_tls_start(&t, sock, "localhost", s.port), 0);
    deadline = ts_now_ms() + 10000;
    do {
        rc = tvc_tls_handshake(&t, 2000);
        calls++;
    } while (rc == TVC_ERR_AGAIN && ts_now_ms() < deadline);
    CHECK_EQ(rc, 0);
    CHECK_EQ(t.verify_flags, 0);
    CHECK(calls >= 8); /* a full TLS 1.2 client handshake has about 15 steps */
    printf("note: full handshake in %d calls\n", calls);
    tls_disconnect(&t, sock);
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

/* A session is offered to the same host and port only. */
static void test_session_not_offered_to_other_host(void)
{
    struct ts_server s;
    struct tvc_tls t;
    char page[8192];

    if (ts_server_start(&s, "127.0.0.1", "good.crt", "good.key", 2) != 0) {
        CHECK(!"server");
        return;
    }
    resolve("localhost", s.port, "127.0.0.1");
    CHECK_EQ(tls_ready(&t), 0);
    CHECK_EQ(get_page(&t, "localhost", s.port, page, sizeof page), 0);
    CHECK(strstr(page, "\nNew, ") != NULL);
    CHECK_EQ(get_page(&t, "127.0.0.1", s.port, page, sizeof page), 0);
    CHECK(strstr(page, "\nNew, ") != NULL);
    CHECK(strstr(page, "Reused") == NULL);
    CHECK_STR(t.session_host, "127.0.0.1");
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

/* By IPv4 literal: the certificate's iPAddress SAN is what matches. */
static void test_ipv4_literal_ok(void)
{
    struct ts_server s;
    struct tvc_tls t;
    char page[8192];

    if (ts_server_start(&s, "127.0.0.1", "good.crt", "good.key", 1) != 0) {
        CHECK(!"server");
        return;
    }
    CHECK_EQ(tls_ready(&t), 0);
    CHECK_EQ(get_page(&t, "127.0.0.1", s.port, page, sizeof page), 0);
    CHECK(strstr(page, "HTTP/1.0 200 ok") != NULL);
    CHECK_EQ(t.ip_family, 4);
    CHECK_EQ(t.verify_flags, 0);
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

static void test_ipv6_literal_ok(void)
{
    struct ts_server s;
    struct tvc_tls t;
    char page[8192];

    if (ts_server_start(&s, "::1", "good.crt", "good.key", 1) != 0) {
        printf("note: no IPv6 loopback, test_ipv6_literal_ok skipped\n");
        return;
    }
    CHECK_EQ(tls_ready(&t), 0);
    CHECK_EQ(get_page(&t, "::1", s.port, page, sizeof page), 0);
    CHECK(strstr(page, "HTTP/1.0 200 ok") != NULL);
    CHECK_EQ(t.ip_family, 6);
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

/* Reusing the context: a name set for one connection must not linger into
 * the next by IP (the certificate names wrong.example, not 127.0.0.1). */
static void test_ip_after_name_same_context(void)
{
    struct ts_server s;
    struct tvc_tls t;
    char page[8192];
    int sock;

    if (ts_server_start(&s, "127.0.0.1", "wrong.crt", "wrong.key", 2) != 0) {
        CHECK(!"server");
        return;
    }
    resolve("wrong.example", s.port, "127.0.0.1");
    CHECK_EQ(tls_ready(&t), 0);
    CHECK_EQ(get_page(&t, "wrong.example", s.port, page, sizeof page), 0);
    CHECK(strstr(page, "HTTP/1.0 200 ok") != NULL);
    CHECK_EQ(tls_connect(&t, "127.0.0.1", s.port, &sock), TVC_ERR_TLS_HOSTNAME);
    tls_disconnect(&t, sock);
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

/* SNI: sent for names, never for IP literals, and a name set for one
 * connection does not linger into the next by IP.  The server refuses any
 * SNI other than other.test with a fatal alert and accepts none at all. */
static void test_sni(void)
{
    static const char *const strict[] = {"-servername", "other.test", "-servername_fatal",
                                         "-cert2", NULL, "-key2", NULL, NULL};
    const char *extra[8];
    struct ts_server s;
    struct tvc_tls t;
    char page[8192], cert[320], key[320];
    int sock;

    memcpy(extra, strict, sizeof extra);
    snprintf(cert, sizeof cert, "%s", ts_pki_path("good.crt"));
    snprintf(key, sizeof key, "%s", ts_pki_path("good.key"));
    extra[4] = cert;
    extra[6] = key;
    if (ts_server_start_ex(&s, "127.0.0.1", "good.crt", "good.key", 3, extra) != 0) {
        CHECK(!"server");
        return;
    }
    resolve("localhost", s.port, "127.0.0.1");
    CHECK_EQ(tls_ready(&t), 0);
    CHECK_EQ(get_page(&t, "127.0.0.1", s.port, page, sizeof page), 0);
    CHECK(strstr(page, "HTTP/1.0 200 ok") != NULL);
    CHECK_EQ(tls_connect(&t, "localhost", s.port, &sock), TVC_ERR_TLS);
    CHECK_EQ(t.mbedtls_err, MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE);
    tls_disconnect(&t, sock);
    CHECK_EQ(get_page(&t, "127.0.0.1", s.port, page, sizeof page), 0);
    CHECK(strstr(page, "HTTP/1.0 200 ok") != NULL);
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

/* ---------------------------------------------------------------- refusals */

struct refusal {
    const char *name;
    const char *cert;    /* server certificate (key: same stem) */
    const char *connect; /* host given to tvc_tls_start */
    int resolve;         /* map `connect` to 127.0.0.1 */
    int want;
    uint32_t flag;       /* mbedTLS verify flag that must be set */
};

static const struct refusal refusals[] = {
    {"unknown CA", "unk", "localhost", 1, TVC_ERR_TLS_UNTRUSTED, MBEDTLS_X509_BADCERT_NOT_TRUSTED},
    {"name not in cert", "good", "wrong-name.test", 1, TVC_ERR_TLS_HOSTNAME,
     MBEDTLS_X509_BADCERT_CN_MISMATCH},
    {"IP not in cert", "wrong", "127.0.0.1", 0, TVC_ERR_TLS_HOSTNAME,
     MBEDTLS_X509_BADCERT_CN_MISMATCH},
    {"expired", "expired", "localhost", 1, TVC_ERR_TLS_EXPIRED, MBEDTLS_X509_BADCERT_EXPIRED},
    {"not yet valid", "future", "localhost", 1, TVC_ERR_TLS_EXPIRED, MBEDTLS_X509_BADCERT_FUTURE},
    {"expired, by IP", "expired", "127.0.0.1", 0, TVC_ERR_TLS_EXPIRED,
     MBEDTLS_X509_BADCERT_EXPIRED},
    {"clientAuth only", "client", "localhost", 1, TVC_ERR_TLS_CERT,
     MBEDTLS_X509_BADCERT_EXT_KEY_USAGE},
};

/* Each refusal comes from the handshake, so nothing can be sent: the
 * failure is sticky and send/recv report it instead of touching the wire. */
static void run_refusal(const struct refusal *r)
{
    struct ts_server s;
    struct tvc_tls t;
    char cert[64], key[64];
    uint8_t b[16];
    int sock, rc;

    snprintf(cert, sizeof cert, "%s.crt", r->cert);
    snprintf(key, sizeof key, "%s.key", r->cert);
    if (ts_server_start(&s, "127.0.0.1", cert, key, 1) != 0) {
        CHECK(!"server");
        return;
    }
    if (r->resolve)
        resolve(r->connect, s.port, "127.0.0.1");
    CHECK_EQ(tls_ready(&t), 0);
    rc = tls_connect(&t, r->connect, s.port, &sock);
    CHECK_EQ(rc, r->want);
    CHECK((t.verify_flags & r->flag) != 0);
    CHECK(t.mbedtls_err != 0);
    CHECK_EQ(t.have_session, 0);
    CHECK_EQ(tvc_tls_send(&t, (const uint8_t *)"GET", 3, 0), r->want);
    CHECK_EQ(tvc_tls_recv(&t, b, sizeof b, 0), r->want);
    CHECK_EQ(tvc_tls_handshake(&t, 0), r->want);
    tls_disconnect(&t, sock);
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

static void test_refusals(void)
{
    size_t i;
    for (i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        h_begin(refusals[i].name);
        run_refusal(&refusals[i]);
        h_end();
    }
}

/* ---------------------------------------------------------------- odd peers */

/* A plain HTTP server: a TLS error, promptly, not a hang. */
static void test_not_tls_server(void)
{
    struct tvc_tls t;
    uint16_t p;
    int lfd, cfd, sock, rc;
    uint64_t t0;
    static const char resp[] = "HTTP/1.1 200 OK\r\n\r\n";

    lfd = ts_listen("127.0.0.1", &p);
    CHECK(lfd >= 0);
    CHECK_EQ(tls_ready(&t), 0);
    sock = tcp_connect("127.0.0.1", p);
    CHECK(sock >= 0);
    cfd = ts_accept(lfd, 2000);
    CHECK(cfd >= 0);
    CHECK_EQ(write(cfd, resp, sizeof resp - 1), (long)(sizeof resp - 1));
    shutdown(cfd, SHUT_WR); /* FIN, and unread ClientHello kept: no RST */
    CHECK_EQ(tvc_tls_start(&t, sock, "127.0.0.1", p), 0);
    t0 = ts_now_ms();
    rc = handshake(&t);
    CHECK_EQ(rc, TVC_ERR_TLS);
    CHECK(ts_now_ms() - t0 < 2000);
    CHECK(t.mbedtls_err != 0);
    tls_disconnect(&t, sock);
    close(cfd);
    close(lfd);
    tvc_tls_free(&t);
}

/* A server that accepts and says nothing: AGAIN every time, each call
 * bounded by its wait; the caller's deadline decides. */
static void test_stalled_server(void)
{
    struct tvc_tls t;
    uint16_t p;
    int lfd, sock, i, again = 0;
    uint64_t t0, dt;

    lfd = ts_listen("127.0.0.1", &p);
    CHECK(lfd >= 0);
    CHECK_EQ(tls_ready(&t), 0);
    sock = tcp_connect("127.0.0.1", p); /* completes from the backlog */
    CHECK(sock >= 0);
    CHECK_EQ(tvc_tls_start(&t, sock, "127.0.0.1", p), 0);
    t0 = ts_now_ms();
    /* one handshake step per call: the first steps (state changes, the
     * ClientHello) need no wait; the rest wait for the ServerHello */
    for (i = 0; i < 6; i++)
        again += tvc_tls_handshake(&t, 100) == TVC_ERR_AGAIN;
    dt = ts_now_ms() - t0;
    CHECK_EQ(again, 6);
    CHECK(dt >= 300);  /* the wait reaches the port */
    CHECK(dt < 2000);
    CHECK_EQ(tvc_tls_handshake(&t, 0), TVC_ERR_AGAIN);
    CHECK_EQ(t.io_err, 0);
    tls_disconnect(&t, sock);
    close(lfd);
    tvc_tls_free(&t);
}

/* The peer ends the stream in order during the handshake: CLOSED. */
static void test_peer_fin_in_handshake(void)
{
    struct tvc_tls t;
    uint16_t p;
    int lfd, cfd, sock;

    lfd = ts_listen("127.0.0.1", &p);
    CHECK_EQ(tls_ready(&t), 0);
    sock = tcp_connect("127.0.0.1", p);
    cfd = ts_accept(lfd, 2000);
    CHECK(sock >= 0 && cfd >= 0);
    shutdown(cfd, SHUT_WR);
    CHECK_EQ(tvc_tls_start(&t, sock, "localhost", p), 0);
    CHECK_EQ(handshake(&t), TVC_ERR_CLOSED);
    CHECK_EQ(t.mbedtls_err, MBEDTLS_ERR_SSL_CONN_EOF);
    tls_disconnect(&t, sock);
    close(cfd);
    close(lfd);
    tvc_tls_free(&t);
}

/* The peer resets the connection during the handshake: the transport's
 * RESET comes through. */
static void test_peer_reset_in_handshake(void)
{
    struct tvc_tls t;
    struct linger lg;
    uint16_t p;
    int lfd, cfd, sock;

    lfd = ts_listen("127.0.0.1", &p);
    CHECK_EQ(tls_ready(&t), 0);
    sock = tcp_connect("127.0.0.1", p);
    cfd = ts_accept(lfd, 2000);
    CHECK(sock >= 0 && cfd >= 0);
    CHECK_EQ(tvc_tls_start(&t, sock, "localhost", p), 0);
    CHECK_EQ(tvc_tls_handshake(&t, 50), TVC_ERR_AGAIN); /* ClientHello out */
    lg.l_onoff = 1;
    lg.l_linger = 0;
    setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(cfd); /* RST */
    CHECK_EQ(handshake(&t), TVC_ERR_RESET);
    CHECK_EQ(t.io_err, TVC_ERR_RESET);
    tls_disconnect(&t, sock);
    close(lfd);
    tvc_tls_free(&t);
}

/* ---------------------------------------------------------------- trust anchors */

static void test_add_ca_memory(void)
{
    static uint8_t buf[16384];
    struct tvc_tls t;
    size_t len;
    static const uint8_t junk[] = "this is not a certificate";
    static const uint8_t der_junk[] = {0x30, 0x82, 0x01, 0x00, 0x01, 0x02};

    tvc_tls_init(&t);
    /* PEM with its NUL counted */
    CHECK_EQ(load_file(ts_pki_path("ca.crt"), buf, sizeof buf - 1, &len), 0);
    buf[len] = '\0';
    CHECK_EQ(tvc_tls_add_ca(&t, buf, len + 1), 1);
    CHECK_EQ(t.ca_count, 1);
    /* the same PEM without it: refused as a caller error */
    CHECK_EQ(tvc_tls_add_ca(&t, buf, len), TVC_ERR_ARG);
    CHECK_EQ(t.ca_count, 1);
    /* two in one buffer */
    CHECK_EQ(load_file(ts_pki_path("bundle.pem"), buf, sizeof buf - 1, &len), 0);
    buf[len] = '\0';
    CHECK_EQ(tvc_tls_add_ca(&t, buf, len + 1), 2);
    CHECK_EQ(t.ca_count, 3);
    /* DER */
    CHECK_EQ(load_file(ts_pki_path("ca.der"), buf, sizeof buf, &len), 0);
    CHECK_EQ(tvc_tls_add_ca(&t, buf, len), 1);
    CHECK_EQ(t.ca_count, 4);
    /* garbage, as text, as DER-looking bytes, and unterminated */
    CHECK_EQ(tvc_tls_add_ca(&t, junk, sizeof junk), TVC_ERR_TLS_CA);
    CHECK_EQ(tvc_tls_add_ca(&t, junk, sizeof junk - 1), TVC_ERR_TLS_CA);
    CHECK_EQ(tvc_tls_add_ca(&t, der_junk, sizeof der_junk), TVC_ERR_TLS_CA);
    CHECK_EQ(tvc_tls_add_ca(&t, NULL, 3), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_add_ca(&t, junk, 0), TVC_ERR_ARG);
    CHECK_EQ(t.ca_count, 4);
    tvc_tls_free(&t);
}

/* A CA loaded from memory verifies a real server. */
static void test_add_ca_memory_used(void)
{
    static uint8_t buf[8192];
    struct ts_server s;
    struct tvc_tls t;
    char page[8192];
    size_t len;

    if (ts_server_start(&s, "127.0.0.1", "good.crt", "good.key", 1) != 0) {
        CHECK(!"server");
        return;
    }
    tvc_tls_init(&t);
    CHECK_EQ(tvc_tls_setup(&t, &port), 0);
    CHECK_EQ(load_file(ts_pki_path("ca.der"), buf, sizeof buf, &len), 0);
    CHECK_EQ(tvc_tls_add_ca(&t, buf, len), 1);
    CHECK_EQ(get_page(&t, "127.0.0.1", s.port, page, sizeof page), 0);
    CHECK(strstr(page, "HTTP/1.0 200 ok") != NULL);
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

/* A port whose file_read hands out 7 bytes at a time: markers and blocks
 * straddle every read. */
static int (*real_file_read)(void *, int, uint8_t *, size_t);
static int dribble_read(void *ctx, int fh, uint8_t *buf, size_t len)
{
    return real_file_read(ctx, fh, buf, len < 7 ? len : 7);
}

static void test_add_ca_file(void)
{
    struct tvc_tls t;
    struct tvc_port slow;
    char path[400];
    uint8_t small[300];
    int n;

    tvc_tls_init(&t);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), scratch, sizeof scratch),
             TVC_ERR_STATE); /* before setup: no port yet */
    CHECK_EQ(tvc_tls_setup(&t, &port), 0);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), scratch, sizeof scratch), 1);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("bundle.pem"), scratch, sizeof scratch), 2);
    CHECK_EQ(t.ca_count, 3);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("no-such-file.pem"), scratch, sizeof scratch),
             TVC_ERR_NOT_FOUND);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.key"), scratch, sizeof scratch),
             TVC_ERR_TLS_CA); /* PEM, but no certificate */
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.der"), scratch, sizeof scratch),
             TVC_ERR_TLS_CA); /* not PEM */
    /* every certificate is larger than the scratch: all skipped */
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("bundle.pem"), small, sizeof small),
             TVC_ERR_TLS_CA);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), small, 63), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), small, 64), TVC_ERR_TLS_CA);
    CHECK_EQ(t.ca_count, 3);
    /* the boundary: a block of L bytes needs L + 1 (its NUL) */
    {
        static uint8_t tmp[4096];
        size_t flen, blk;
        CHECK_EQ(load_file(ts_pki_path("ca.crt"), tmp, sizeof tmp, &flen), 0);
        blk = flen - 1; /* the file is the block and a newline */
        CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), scratch, blk), TVC_ERR_TLS_CA);
        CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), scratch, blk + 1), 1);
        CHECK_EQ(t.ca_count, 4);
    }

    /* comments, a corrupt block, an oversize block, then a good one */
    snprintf(path, sizeof path, "%s", ts_pki_path("mixed.pem"));
    {
        static char text[16384];
        static uint8_t good[4096];
        size_t glen = 0, i, o = 0;
        CHECK_EQ(load_file(ts_pki_path("ca.crt"), good, sizeof good - 1, &glen), 0);
        good[glen] = '\0';
        o += (size_t)snprintf(text + o, sizeof text - o,
                              "# comment line\n-----BEGIN CERTIFICATE-----\nAAAA\n"
                              "-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n");
        for (i = 0; i < 80; i++) /* ~6 KiB of base64: larger than 4 KiB */
            o += (size_t)snprintf(text + o, sizeof text - o,
                                  "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5\n");
        o += (size_t)snprintf(text + o, sizeof text - o, "-----END CERTIFICATE-----\n%s", good);
        write_file(path, text);
    }
    CHECK_EQ(tvc_tls_add_ca_file(&t, path, scratch, sizeof scratch), 1);
    CHECK_EQ(t.ca_count, 5);

    /* the same file and the bundle, read 7 bytes at a time */
    slow = port;
    real_file_read = port.file_read;
    slow.file_read = dribble_read;
    t.port = &slow;
    CHECK_EQ(tvc_tls_add_ca_file(&t, path, scratch, sizeof scratch), 1);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("bundle.pem"), scratch, sizeof scratch), 2);
    t.port = &port;

    /* the system bundle through a 4 KiB scratch */
    if (access(SYSTEM_BUNDLE, R_OK) == 0) {
        n = tvc_tls_add_ca_file(&t, SYSTEM_BUNDLE, scratch, sizeof scratch);
        CHECK(n > 100);
        printf("note: %s: %d certificates\n", SYSTEM_BUNDLE, n);
    } else {
        printf("note: %s absent, system bundle case skipped\n", SYSTEM_BUNDLE);
    }
    tvc_tls_free(&t);
}

/* ---------------------------------------------------------------- states */

static int entropy_fails(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return TVC_ERR_ENTROPY;
}

static void test_setup_errors(void)
{
    struct tvc_tls t;
    struct tvc_port bad;

    tvc_tls_init(&t);
    CHECK_EQ(tvc_tls_setup(&t, NULL), TVC_ERR_PORT);
    bad = port;
    bad.version = TVC_PORT_VERSION + 1;
    CHECK_EQ(tvc_tls_setup(&t, &bad), TVC_ERR_PORT);
    bad = port;
    bad.recv = NULL;
    CHECK_EQ(tvc_tls_setup(&t, &bad), TVC_ERR_PORT);
    bad = port;
    bad.entropy = entropy_fails;
    CHECK_EQ(tvc_tls_setup(&t, &bad), TVC_ERR_ENTROPY);
    CHECK(t.mbedtls_err != 0);
    CHECK_EQ(t.setup, 0);
    /* a failed setup can be retried */
    CHECK_EQ(tvc_tls_setup(&t, &port), 0);
    CHECK_EQ(tvc_tls_setup(&t, &port), TVC_ERR_STATE);
    tvc_tls_free(&t);
}

static void test_state_errors(void)
{
    struct tvc_tls t;
    uint8_t b[8];
    uint16_t p;
    int lfd, sock;

    tvc_tls_init(&t);
    CHECK_EQ(tvc_tls_start(&t, 3, "localhost", 443), TVC_ERR_STATE); /* no setup */
    CHECK_EQ(tvc_tls_setup(&t, &port), 0);
    CHECK_EQ(tvc_tls_start(&t, 3, "localhost", 443), TVC_ERR_STATE); /* no CA */
    CHECK_EQ(tvc_tls_handshake(&t, 0), TVC_ERR_STATE);
    CHECK_EQ(tvc_tls_send(&t, b, 1, 0), TVC_ERR_STATE);
    CHECK_EQ(tvc_tls_recv(&t, b, sizeof b, 0), TVC_ERR_STATE);
    tvc_tls_close(&t); /* harmless without a connection */
    tvc_tls_free(&t);

    CHECK_EQ(tls_ready(&t), 0);
    CHECK_EQ(tvc_tls_start(&t, 3, NULL, 443), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_start(&t, 3, "", 443), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_start(&t, -1, "localhost", 443), TVC_ERR_ARG);
    /* mid-handshake: no application data yet */
    lfd = ts_listen("127.0.0.1", &p);
    sock = tcp_connect("127.0.0.1", p);
    CHECK(lfd >= 0 && sock >= 0);
    CHECK_EQ(tvc_tls_start(&t, sock, "localhost", p), 0);
    CHECK_EQ(tvc_tls_send(&t, b, 1, 0), TVC_ERR_STATE);
    CHECK_EQ(tvc_tls_recv(&t, b, sizeof b, 0), TVC_ERR_STATE);
    tvc_tls_close(&t);
    CHECK_EQ(t.sock, -1);
    CHECK_EQ(tvc_tls_handshake(&t, 0), TVC_ERR_STATE);
    port.close(port.ctx, sock);
    close(lfd);
    tvc_tls_free(&t);
}

static void test_free_twice(void)
{
    struct tvc_tls t;

    tvc_tls_init(&t);
    tvc_tls_free(&t);
    tvc_tls_free(&t);
    CHECK_EQ(tls_ready(&t), 0);
    tvc_tls_free(&t);
    CHECK_EQ(t.setup, 0);
    CHECK_EQ(t.ca_count, 0);
    CHECK_EQ(t.sock, -1);
    tvc_tls_free(&t);
    tvc_tls_free(NULL);
}

int main(void)
{
    tvc_posix_init(&px, &port);
    if (ts_pki() == NULL) {
        h_begin("pki");
        CHECK(!"tests/certs.sh failed");
        h_end();
        return h_summary();
    }
    RUN(test_setup_errors);
    RUN(test_state_errors);
    RUN(test_free_twice);
    RUN(test_add_ca_memory);
    RUN(test_add_ca_file);
    RUN(test_add_ca_memory_used);
    RUN(test_name_ok_and_resumption);
    RUN(test_handshake_is_stepped);
    RUN(test_session_not_offered_to_other_host);
    RUN(test_ipv4_literal_ok);
    RUN(test_ipv6_literal_ok);
    RUN(test_ip_after_name_same_context);
    RUN(test_sni);
    test_refusals();
    RUN(test_not_tls_server);
    RUN(test_stalled_server);
    RUN(test_peer_fin_in_handshake);
    RUN(test_peer_reset_in_handshake);
    ts_pki_remove();
    return h_summary();
}
