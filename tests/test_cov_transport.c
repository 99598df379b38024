/* The transports' contracts outside the happy path: every call made in the
 * wrong state or with bad arguments gets its documented error and touches
 * no socket.  Plain TCP (tvc_tcp_transport_init) and the mbedTLS transport
 * (tvc_tls_*), over the POSIX port and a listener on 127.0.0.1 that this
 * test opens. */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"
#include "tls_server.h"
#include "tvc_posix.h"
#include "tvc_tls.h"
#include "tvc_transport.h"

#include <string.h>
#include <unistd.h>

static struct tvc_posix px;
static struct tvc_port port;
static uint8_t scratch[4096];

static void tcp_calls_need_a_connection(void)
{
    struct tvc_transport tr;
    struct tvc_tcp tcp;
    uint8_t b[8];
    uint16_t lport = 0;
    int lfd = ts_listen("127.0.0.1", &lport), afd;

    tvc_tcp_transport_init(&tr, &tcp, &port);
    CHECK_EQ(tr.handshake(tr.ctx, 0), TVC_ERR_STATE);
    CHECK_EQ(tr.send(tr.ctx, (const uint8_t *)"x", 1, 0), TVC_ERR_STATE);
    CHECK_EQ(tr.recv(tr.ctx, b, sizeof b, 0), TVC_ERR_STATE);
    tr.close(tr.ctx); /* safe with none open */
    CHECK(lfd >= 0);
    if (lfd < 0)
        return;
    CHECK_EQ(tr.connect(tr.ctx, "127.0.0.1", lport), 0);
    /* one connection at a time */
    CHECK_EQ(tr.connect(tr.ctx, "127.0.0.1", lport), TVC_ERR_STATE);
    while (tr.handshake(tr.ctx, 100) == TVC_ERR_AGAIN)
        ;
    afd = ts_accept(lfd, 3000);
    CHECK(afd >= 0);
    /* an empty send is a successful no-op; nothing waiting: AGAIN */
    CHECK_EQ(tr.send(tr.ctx, b, 0, 0), 0);
    CHECK_EQ(tr.recv(tr.ctx, b, sizeof b, 0), TVC_ERR_AGAIN);
    CHECK_EQ(tr.send(tr.ctx, (const uint8_t *)"ping", 4, 1000), 4);
    if (afd >= 0) {
        CHECK_EQ(read(afd, b, sizeof b), 4);
        close(afd);
    }
    /* the peer closed: orderly end (0), and a plain TCP end is clean */
    {
        int n, tries = 0;
        while ((n = tr.recv(tr.ctx, b, sizeof b, 200)) == TVC_ERR_AGAIN && ++tries < 20)
            ;
        CHECK_EQ(n, 0);
    }
    CHECK(tr.clean_end == NULL || tr.clean_end(tr.ctx) == 1);
    tr.close(tr.ctx);
    CHECK_EQ(tr.recv(tr.ctx, b, sizeof b, 0), TVC_ERR_STATE);
    close(lfd);
}

static void tls_setup_contract(void)
{
    struct tvc_tls t;
    struct tvc_port noport;

    CHECK_EQ(tvc_tls_setup(NULL, &port), TVC_ERR_ARG);
    tvc_tls_init(&t);
    /* a port without its functions is refused */
    memset(&noport, 0, sizeof noport);
    CHECK(tvc_tls_setup(&t, &noport) < 0);
    CHECK_EQ(tvc_tls_setup(&t, &port), 0);
    CHECK_EQ(tvc_tls_setup(&t, &port), TVC_ERR_STATE);
    tvc_tls_free(&t);
    tvc_tls_free(&t); /* twice is safe */
}

static void tls_ca_file_contract(void)
{
    struct tvc_tls t;
    struct tvc_port nofiles = port;

    tvc_tls_init(&t);
    CHECK_EQ(tvc_tls_add_ca_file(NULL, "x", scratch, sizeof scratch), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_add_ca_file(&t, NULL, scratch, sizeof scratch), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_add_ca_file(&t, "x", scratch, 63), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), scratch, sizeof scratch),
             TVC_ERR_STATE); /* not set up: no port to read with */
    CHECK_EQ(tvc_tls_setup(&t, &port), 0);
    CHECK_EQ(tvc_tls_add_ca_file(&t, "/nonexistent/ca.pem", scratch, sizeof scratch),
             TVC_ERR_NOT_FOUND);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), scratch, sizeof scratch), 1);
    tvc_tls_free(&t);

    /* a port that cannot read files */
    nofiles.file_open = NULL;
    tvc_tls_init(&t);
    if (tvc_tls_setup(&t, &nofiles) == 0)
        CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), scratch, sizeof scratch),
                 TVC_ERR_PORT);
    tvc_tls_free(&t);
}

static void tls_calls_in_the_wrong_state(void)
{
    struct tvc_tls t;
    uint8_t b[16];
    char longhost[300];

    CHECK_EQ(tvc_tls_handshake(NULL, 0), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_send(NULL, b, 1, 0), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_recv(NULL, b, sizeof b, 0), TVC_ERR_ARG);
    tvc_tls_close(NULL);
    tvc_tls_init(&t);
    /* not set up, no trust anchors */
    CHECK_EQ(tvc_tls_start(&t, 3, "example.com", 443), TVC_ERR_STATE);
    CHECK_EQ(tvc_tls_setup(&t, &port), 0);
    CHECK_EQ(tvc_tls_start(&t, 3, "example.com", 443), TVC_ERR_STATE);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), scratch, sizeof scratch), 1);
    /* bad arguments to start */
    memset(longhost, 'a', sizeof longhost - 1);
    longhost[sizeof longhost - 1] = '\0';
    CHECK_EQ(tvc_tls_start(&t, 3, NULL, 443), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_start(&t, 3, "", 443), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_start(&t, 3, longhost, 443), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_start(&t, -1, "example.com", 443), TVC_ERR_ARG);
    /* nothing started: every I/O call is a state error */
    CHECK_EQ(tvc_tls_handshake(&t, 0), TVC_ERR_STATE);
    CHECK_EQ(tvc_tls_send(&t, b, 1, 0), TVC_ERR_STATE);
    CHECK_EQ(tvc_tls_recv(&t, b, sizeof b, 0), TVC_ERR_STATE);
    /* bad buffers are argument errors first */
    CHECK_EQ(tvc_tls_send(&t, NULL, 1, 0), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_recv(&t, NULL, 1, 0), TVC_ERR_ARG);
    CHECK_EQ(tvc_tls_recv(&t, b, 0, 0), TVC_ERR_ARG);
    tvc_tls_close(&t); /* nothing open: harmless */
    tvc_tls_free(&t);
}

static void tls_transport_contract(void)
{
    struct tvc_transport tr;
    struct tvc_tls t;
    uint8_t b[16];
    uint16_t lport = 0;
    int lfd = ts_listen("127.0.0.1", &lport), afd;

    tvc_tls_init(&t);
    tvc_tls_transport_init(&tr, &t);
    /* not set up / no trust anchors: refused before any connection */
    CHECK_EQ(tr.connect(tr.ctx, "127.0.0.1", lport), TVC_ERR_STATE);
    CHECK_EQ(tvc_tls_setup(&t, &port), 0);
    CHECK_EQ(tr.connect(tr.ctx, "127.0.0.1", lport), TVC_ERR_STATE);
    CHECK_EQ(tr.handshake(tr.ctx, 0), TVC_ERR_STATE);
    CHECK_EQ(tr.send(tr.ctx, (const uint8_t *)"x", 1, 0), TVC_ERR_STATE);
    CHECK_EQ(tr.recv(tr.ctx, b, sizeof b, 0), TVC_ERR_STATE);
    CHECK_EQ(tvc_tls_add_ca_file(&t, ts_pki_path("ca.crt"), scratch, sizeof scratch), 1);
    CHECK(lfd >= 0);
    if (lfd >= 0) {
        CHECK_EQ(tr.connect(tr.ctx, "127.0.0.1", lport), 0);
        CHECK_EQ(tr.connect(tr.ctx, "127.0.0.1", lport), TVC_ERR_STATE);
        /* the TCP connect finishes first (AGAIN), then the ClientHello goes
         * out; a peer that closes without a word ends the handshake */
        afd = ts_accept(lfd, 3000);
        CHECK(afd >= 0);
        if (afd >= 0) {
            int rc, tries = 0;
            close(afd);
            while ((rc = tr.handshake(tr.ctx, 100)) == TVC_ERR_AGAIN && ++tries < 50)
                ;
            CHECK(rc == TVC_ERR_CLOSED || rc == TVC_ERR_RESET || rc == TVC_ERR_IO ||
                  rc == TVC_ERR_TLS);
            /* the failure is final until the next connection */
            CHECK_EQ(tr.handshake(tr.ctx, 0), rc);
            CHECK_EQ(tr.send(tr.ctx, (const uint8_t *)"x", 1, 0), rc);
            CHECK_EQ(tr.recv(tr.ctx, b, sizeof b, 0), rc);
        }
        tr.close(tr.ctx);
        CHECK_EQ(tr.handshake(tr.ctx, 0), TVC_ERR_STATE);
        close(lfd);
    }
    tvc_tls_free(&t);
}

int main(void)
{
    tvc_posix_init(&px, &port);
    if (ts_pki() == NULL) {
        printf("no test PKI (tests/certs.sh)\n0 passed, 1 failed\n");
        return 1;
    }
    RUN(tcp_calls_need_a_connection);
    RUN(tls_setup_contract);
    RUN(tls_ca_file_contract);
    RUN(tls_calls_in_the_wrong_state);
    RUN(tls_transport_contract);
    ts_pki_remove();
    return h_summary();
}
