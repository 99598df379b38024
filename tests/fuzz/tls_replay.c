/* See tls_replay.h. */
#define _POSIX_C_SOURCE 200809L
#include "tls_replay.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "tvc.h"
#include "tvc_tls.h"

/* ---- the pinned clock ---------------------------------------------- */

/* mbedTLS reads the wall clock through time() (MBEDTLS_HAVE_TIME, no
 * platform override in Debian's build): for the client random's first
 * bytes and for certificate validity.  This definition takes the place of
 * libc's in the programs that link this file; it is the real clock except
 * while a session runs. */
static time_t pinned;

time_t time(time_t *out)
{
    time_t now = pinned;
    if (now == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        now = ts.tv_sec;
    }
    if (out != NULL)
        *out = now;
    return now;
}

/* ---- the wire -------------------------------------------------------- */

struct wire {
    /* server -> client */
    const uint8_t *s2c;
    size_t s2c_len, s2c_off;
    uint8_t *s2c_rec; /* recording: where the server writes */
    size_t chunk;
    /* client -> server */
    uint8_t *c2s;
    size_t c2s_len, c2s_off;
    const uint8_t *expect; /* replay: the recorded client bytes */
    size_t expect_len;
    int faithful;
    /* the live server, when recording */
    struct srv *srv;
    uint64_t clock;
    uint32_t seed;
};

struct srv {
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt crt;
    mbedtls_pk_context key;
    const struct tr_plan *plan;
    struct wire *w;
    int state; /* 0 handshake, 1 reading the request, 2 done, -1 failed */
    char req[1024];
    size_t req_len;
};

static void srv_step(struct srv *s);

static int p_connect(void *ctx, const char *host, uint16_t port)
{
    (void)ctx;
    (void)host;
    (void)port;
    return 0;
}

static int p_poll(void *ctx, int sock, uint32_t wait_ms)
{
    (void)ctx;
    (void)sock;
    (void)wait_ms;
    return 0;
}

static int p_send(void *ctx, int sock, const uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct wire *w = ctx;
    (void)sock;
    (void)wait_ms;
    if (w->expect != NULL &&
        (w->c2s_len + len > w->expect_len || memcmp(w->expect + w->c2s_len, buf, len) != 0))
        w->faithful = 0;
    if (w->c2s_len + len > TR_MAX)
        return TVC_ERR_RESET;
    if (w->c2s != NULL)
        memcpy(w->c2s + w->c2s_len, buf, len);
    w->c2s_len += len;
    return (int)len;
}

static int p_recv(void *ctx, int sock, uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct wire *w = ctx;
    size_t n;
    (void)sock;
    (void)wait_ms;
    if (w->srv != NULL && w->s2c_off == w->s2c_len) {
        srv_step(w->srv);
        if (w->s2c_off == w->s2c_len)
            return w->srv->state == 2 || w->srv->state < 0 ? 0 : TVC_ERR_AGAIN;
    }
    if (w->s2c_off == w->s2c_len)
        return 0; /* the recorded stream ends: the peer closed */
    n = w->s2c_len - w->s2c_off;
    if (w->chunk && n > w->chunk)
        n = w->chunk;
    if (n > len)
        n = len;
    memcpy(buf, w->s2c + w->s2c_off, n);
    w->s2c_off += n;
    return (int)n;
}

static void p_close(void *ctx, int sock)
{
    (void)ctx;
    (void)sock;
}

static uint64_t p_now(void *ctx)
{
    return ++((struct wire *)ctx)->clock;
}

static int p_entropy(void *ctx, uint8_t *buf, size_t len)
{
    struct wire *w = ctx;
    size_t i;
    for (i = 0; i < len; i++) {
        w->seed = w->seed * 1664525u + 1013904223u;
        buf[i] = (uint8_t)(w->seed >> 24);
    }
    return 0;
}

static void port_init(struct tvc_port *p, struct wire *w)
{
    memset(p, 0, sizeof *p);
    p->version = TVC_PORT_VERSION;
    p->ctx = w;
    p->connect = p_connect;
    p->connect_poll = p_poll;
    p->send = p_send;
    p->recv = p_recv;
    p->close = p_close;
    p->now_ms = p_now;
    p->entropy = p_entropy;
    w->seed = 0x7e57u;
}

/* ---- the recorded server ---------------------------------------------- */

static int s_bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct wire *w = ((struct srv *)ctx)->w;
    if (w->s2c_len + len > TR_MAX)
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    memcpy(w->s2c_rec + w->s2c_len, buf, len);
    w->s2c_len += len;
    return (int)len;
}

static int s_bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct wire *w = ((struct srv *)ctx)->w;
    size_t n = w->c2s_len - w->c2s_off;
    if (n == 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (n > len)
        n = len;
    memcpy(buf, w->c2s + w->c2s_off, n);
    w->c2s_off += n;
    return (int)n;
}

static int s_entropy(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0x42, len);
    return 0;
}

static int srv_init(struct srv *s, const char *dir)
{
    char path[512];
    int rc;

    mbedtls_ssl_init(&s->ssl);
    mbedtls_ssl_config_init(&s->conf);
    mbedtls_ctr_drbg_init(&s->drbg);
    mbedtls_x509_crt_init(&s->crt);
    mbedtls_pk_init(&s->key);
    snprintf(path, sizeof path, "%s/good.crt", dir);
    rc = mbedtls_x509_crt_parse_file(&s->crt, path);
    snprintf(path, sizeof path, "%s/good.key", dir);
#if MBEDTLS_VERSION_MAJOR >= 3
    if (rc == 0)
        rc = mbedtls_pk_parse_keyfile(&s->key, path, NULL, mbedtls_ctr_drbg_random, &s->drbg);
#else
    if (rc == 0)
        rc = mbedtls_pk_parse_keyfile(&s->key, path, NULL);
#endif
    if (rc == 0)
        rc = mbedtls_ctr_drbg_seed(&s->drbg, s_entropy, NULL, (const unsigned char *)"srv", 3);
    if (rc == 0)
        rc = mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_SERVER,
                                         MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc == 0) {
        mbedtls_ssl_conf_rng(&s->conf, mbedtls_ctr_drbg_random, &s->drbg);
        mbedtls_ssl_conf_max_version(&s->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                     MBEDTLS_SSL_MINOR_VERSION_3); /* TLS 1.2 */
        rc = mbedtls_ssl_conf_own_cert(&s->conf, &s->crt, &s->key);
    }
    if (rc == 0)
        rc = mbedtls_ssl_setup(&s->ssl, &s->conf);
    if (rc != 0) {
        fprintf(stderr, "tls_replay: server setup failed: -0x%04x\n", (unsigned)-rc);
        return -1;
    }
    mbedtls_ssl_set_bio(&s->ssl, s, s_bio_send, s_bio_recv, NULL);
    return 0;
}

static void srv_free(struct srv *s)
{
    mbedtls_ssl_free(&s->ssl);
    mbedtls_ssl_config_free(&s->conf);
    mbedtls_ctr_drbg_free(&s->drbg);
    mbedtls_x509_crt_free(&s->crt);
    mbedtls_pk_free(&s->key);
}

static void srv_write(struct srv *s, const char *data, size_t len)
{
    int rc = mbedtls_ssl_write(&s->ssl, (const unsigned char *)data, len);
    if (rc < 0 || (size_t)rc != len)
        s->state = -1;
}

static void srv_step(struct srv *s)
{
    int rc, i;

    if (s->state == 0) {
        rc = mbedtls_ssl_handshake(&s->ssl);
        if (rc == 0)
            s->state = 1;
        else if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE)
            s->state = -1;
        return;
    }
    if (s->state != 1)
        return;
    rc = mbedtls_ssl_read(&s->ssl, (unsigned char *)s->req + s->req_len,
                          sizeof s->req - 1 - s->req_len);
    if (rc == MBEDTLS_ERR_SSL_WANT_READ)
        return;
    if (rc <= 0) {
        s->state = -1;
        return;
    }
    s->req_len += (size_t)rc;
    s->req[s->req_len] = '\0';
    if (strstr(s->req, "\r\n\r\n") == NULL)
        return;
    for (i = 0; i < s->plan->empty_before; i++)
        srv_write(s, "", 0);
    srv_write(s, s->plan->response, strlen(s->plan->response));
    for (i = 0; i < s->plan->empty_after; i++)
        srv_write(s, "", 0);
    if (s->plan->close_notify)
        (void)mbedtls_ssl_close_notify(&s->ssl);
    if (s->state == 1)
        s->state = 2;
}

/* ---- the client (libtvc's transport) --------------------------------- */

/* mbedTLS 3.x offers TLS 1.3 too: its ClientHello carries key shares drawn
 * through PSA from mbedTLS's own entropy, not the pinned one, so no two
 * runs would send the same bytes.  The client offers TLS 1.2 only (what
 * the server here speaks anyway), as with 2.28. */
static int tls12_only(struct tvc_tls *t)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03020000 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
    mbedtls_ssl_conf_max_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    (void)t;
#endif
    return 0;
}

static void client(struct wire *w, const char *ca, struct tr_result *r)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    struct tvc_port port;
    struct tvc_tls t;
    uint8_t buf[512];
    int rc = TVC_ERR_STATE, i;
    size_t sent = 0;

    memset(r, 0, sizeof *r);
    port_init(&port, w);
    tvc_tls_init(&t);
    if (tvc_tls_setup(&t, &port) != 0 ||
        tls12_only(&t) != 0 ||
        tvc_tls_add_ca(&t, (const uint8_t *)ca, strlen(ca) + 1) < 1 ||
        tvc_tls_start(&t, 0, "localhost", 443) != 0) {
        r->handshake_rc = TVC_ERR_STATE;
        tvc_tls_free(&t);
        return;
    }
    for (i = 0; i < 10000; i++)
        if ((rc = tvc_tls_handshake(&t, 0)) != TVC_ERR_AGAIN)
            break;
    r->handshake_rc = rc;
    if (rc == 0) {
        for (i = 0; i < 1000 && sent < sizeof req - 1; i++) {
            rc = tvc_tls_send(&t, (const uint8_t *)req + sent, sizeof req - 1 - sent, 0);
            if (rc > 0)
                sent += (size_t)rc;
            else if (rc != TVC_ERR_AGAIN)
                break;
        }
        r->send_rc = rc < 0 ? rc : 0;
        for (i = 0; (rc >= 0 || rc == TVC_ERR_AGAIN) && i < 10000; i++) {
            rc = tvc_tls_recv(&t, buf, sizeof buf, 0);
            if (rc == TVC_ERR_AGAIN) {
                r->again++;
                continue;
            }
            if (rc <= 0)
                break;
            if (r->len + (size_t)rc <= sizeof r->data) {
                memcpy(r->data + r->len, buf, (size_t)rc);
                r->len += (size_t)rc;
            }
        }
        r->end_rc = rc;
        r->clean = t.peer_closed;
    }
    tvc_tls_close(&t);
    tvc_tls_free(&t);
}

int tr_record(struct tr_transcript *t, const char *pki_dir, const struct tr_plan *plan,
              struct tr_result *live)
{
    static struct srv s;
    struct wire w;
    char path[512];
    FILE *f;
    size_t n;
    struct timespec ts;

    memset(t, 0, sizeof *t);
    snprintf(path, sizeof path, "%s/ca.crt", pki_dir);
    f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    n = fread(t->ca, 1, sizeof t->ca - 1, f);
    fclose(f);
    t->ca[n] = '\0';
    clock_gettime(CLOCK_REALTIME, &ts);
    t->when = ts.tv_sec;

    memset(&s, 0, sizeof s);
    memset(&w, 0, sizeof w);
    w.s2c = t->srv;
    w.s2c_rec = t->srv;
    w.c2s = t->cli;
    w.srv = &s;
    w.faithful = 1;
    s.plan = plan;
    s.w = &w;
    pinned = t->when;
    if (srv_init(&s, pki_dir) != 0) {
        srv_free(&s);
        pinned = 0;
        return -1;
    }
    client(&w, t->ca, live);
    live->faithful = 1;
    srv_free(&s);
    pinned = 0;
    t->srv_len = w.s2c_len;
    t->cli_len = w.c2s_len;
    return 0;
}

void tr_replay(const struct tr_transcript *t, const uint8_t *srv, size_t srv_len, size_t chunk,
               struct tr_result *r)
{
    struct wire w;

    memset(&w, 0, sizeof w);
    w.s2c = srv;
    w.s2c_len = srv_len;
    w.chunk = chunk;
    w.expect = t->cli;
    w.expect_len = t->cli_len;
    w.faithful = 1;
    pinned = t->when;
    client(&w, t->ca, r);
    r->faithful = w.faithful;
    pinned = 0;
}
