/* TLS security cases through the whole HTTP client: an API request carrying
 * a distinctive key goes to a real `openssl s_server` (no -www: it writes
 * every byte it receives to its log) that offers a bad certificate or an
 * old protocol.  Each is refused in the handshake, no request byte reaches
 * the transport (request_bytes_out 0), and the server's log holds neither
 * the key nor any part of the request.  A control run with a good
 * certificate shows that the log does catch the request when one is sent.
 * Certificates: tests/certs.sh (via tls_server.c). */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"
#include "tls_server.h"
#include "tvc_http.h"
#include "tvc_posix.h"
#include "tvc_tls.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/x509_crt.h>

extern char **environ;

#define KEY "sk-TLS-SECURITY-never-on-the-wire-7f3a9c"
#define WEAK "DEFAULT@SECLEVEL=0" /* lets s_server offer what OpenSSL 3 refuses by default */

struct srv {
    int in;         /* write end of the server's stdin: held open (EOF would end s_server) */
    pid_t pid;
    uint16_t port;
    char log[400];
};

static void nap(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static uint16_t accept_port(const char *log)
{
    char line[256];
    FILE *f = fopen(log, "r");
    uint16_t p = 0;
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon = strrchr(line, ':');
        if (strncmp(line, "ACCEPT ", 7) == 0 && colon != NULL)
            p = (uint16_t)strtoul(colon + 1, NULL, 10);
    }
    fclose(f);
    return p;
}

static void srv_stop(struct srv *s)
{
    uint64_t end = ts_now_ms() + 2000;
    int st;
    if (s->in > 0)
        close(s->in);
    s->in = -1;
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    while (waitpid(s->pid, &st, WNOHANG) == 0) {
        if (ts_now_ms() > end) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
            break;
        }
        nap(5);
    }
    s->pid = 0;
}

/* openssl s_server on 127.0.0.1 (any port), echoing what it receives into
 * its log; @extra: further arguments (NULL-terminated, at most 6). */
static int srv_start(struct srv *s, const char *stem, const char *const *extra)
{
    static unsigned seq;
    char cert[400], key[400];
    char *argv[24];
    posix_spawn_file_actions_t fa;
    uint64_t end;
    int i = 0, st, fds[2];

    memset(s, 0, sizeof *s);
    s->in = -1;
    if (pipe(fds) != 0)
        return -1;
    s->in = fds[1];
    if (ts_pki() == NULL)
        return -1;
    snprintf(s->log, sizeof s->log, "%s", ts_pki_path("x"));
    snprintf(s->log + strlen(s->log) - 1, 40, "sec-server-%u.log", seq++);
    snprintf(cert, sizeof cert, "%s.crt", ts_pki_path(stem));
    snprintf(key, sizeof key, "%s.key", ts_pki_path(stem));
    argv[i++] = "openssl";
    argv[i++] = "s_server";
    argv[i++] = "-accept";
    argv[i++] = "127.0.0.1:0";
    argv[i++] = "-cert";
    argv[i++] = cert;
    argv[i++] = "-key";
    argv[i++] = key;
    argv[i++] = "-naccept";
    argv[i++] = "1";
    while (extra != NULL && *extra != NULL && i < 20)
        argv[i++] = (char *)*extra++;
    argv[i] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addopen(&fa, 1, s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    st = posix_spawnp(&s->pid, "openssl", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[0]);
    if (st != 0) {
        s->pid = 0;
        return -1;
    }
    end = ts_now_ms() + 5000;
    while (ts_now_ms() < end) {
        if ((s->port = accept_port(s->log)) != 0)
            return 0;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            s->pid = 0;
            break;
        }
        nap(10);
    }
    fprintf(stderr, "s_server for %s did not start (log %s)\n", stem, s->log);
    srv_stop(s);
    return -1;
}

/* Whether the server's log holds @needle. */
static int log_has(const struct srv *s, const char *needle)
{
    static char buf[65536];
    FILE *f = fopen(s->log, "rb");
    size_t n;
    if (f == NULL)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static void show_log(const struct srv *s, int mbedtls_err)
{
    char line[256];
    FILE *f = fopen(s->log, "r");
    fprintf(stderr, "  mbedTLS error -0x%04x; server log:\n", (unsigned)-mbedtls_err);
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        fprintf(stderr, "    %s", line);
    if (f != NULL)
        fclose(f);
}

static struct {
    struct tvc_posix px;
    struct tvc_port port;
    struct tvc_tls tls;
    struct tvc_transport https;
    struct tvc_http_client c;
    char hdr[TVC_HTTP_HEADER_BUF];
    uint8_t io[TVC_HTTP_IO_BUF];
} C;

/* One check-status request with the key, as the API client sends it, to
 * https://@host:port/; returns the exchange's result. */
static int api_request(const char *host, uint16_t port, int *bytes_out)
{
    static const char body[] = "{\"recordId\":\"tvc_secret_case\"}";
    char url[200], spec[200];
    struct tvc_http_req r;
    uint64_t end;
    int rc;

    memset(&C, 0, sizeof C);
    tvc_posix_init(&C.px, &C.port);
    snprintf(spec, sizeof spec, "%s:%u:127.0.0.1", host, (unsigned)port);
    CHECK_EQ(tvc_posix_resolve_add(&C.px, spec), 0);
    tvc_tls_init(&C.tls);
    CHECK_EQ(tvc_tls_setup(&C.tls, &C.port), 0);
    CHECK_EQ(tvc_tls_add_ca_file(&C.tls, ts_pki_path("ca.crt"), C.io, sizeof C.io), 1);
    tvc_tls_transport_init(&C.https, &C.tls);
    tvc_http_client_init(&C.c, &C.port, &C.https, C.hdr, sizeof C.hdr, C.io, sizeof C.io);
    snprintf(url, sizeof url, "https://%s:%u/api/sora-2-tvc/check-status", host, (unsigned)port);
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.url = url;
    r.bearer = KEY;
    r.body = (const uint8_t *)body;
    r.body_len = sizeof body - 1;
    r.content_type = "application/json";
    r.io_timeout_ms = 1500; /* the control run's server never answers */
    rc = tvc_http_start(&C.c, &r);
    end = ts_now_ms() + 10000;
    while (rc == 0 || rc == TVC_ERR_AGAIN) {
        rc = tvc_http_step(&C.c, 100);
        if (ts_now_ms() > end)
            break;
    }
    *bytes_out = C.c.request_bytes_out;
    return rc;
}

struct sec_case {
    const char *name;
    const char *stem;       /* server certificate and key */
    const char *extra[7];   /* further s_server arguments */
    const char *host;       /* name the client asks for */
    int want;
    uint32_t flag;          /* mbedTLS verify flag that must be set (0: a protocol refusal) */
};

static const struct sec_case cases[] = {
    {"unknown CA", "unk", {NULL}, "localhost", TVC_ERR_TLS_UNTRUSTED,
     MBEDTLS_X509_BADCERT_NOT_TRUSTED},
    {"wrong host name", "good", {NULL}, "wrong-name.test", TVC_ERR_TLS_HOSTNAME,
     MBEDTLS_X509_BADCERT_CN_MISMATCH},
    {"expired", "expired", {NULL}, "localhost", TVC_ERR_TLS_EXPIRED, MBEDTLS_X509_BADCERT_EXPIRED},
    {"not yet valid", "future", {NULL}, "localhost", TVC_ERR_TLS_EXPIRED,
     MBEDTLS_X509_BADCERT_FUTURE},
    {"TLS 1.0 only", "good", {"-tls1", "-cipher", WEAK, NULL}, "localhost", TVC_ERR_TLS, 0},
    {"TLS 1.1 only", "good", {"-tls1_1", "-cipher", WEAK, NULL}, "localhost", TVC_ERR_TLS, 0},
    {"chain missing its intermediate", "chained", {NULL}, "localhost", TVC_ERR_TLS_UNTRUSTED,
     MBEDTLS_X509_BADCERT_NOT_TRUSTED},
    {"leaf without serverAuth (clientAuth only)", "client", {NULL}, "localhost", TVC_ERR_TLS_CERT,
     MBEDTLS_X509_BADCERT_EXT_KEY_USAGE},
    {"RSA-1024 leaf", "rsa1024", {"-cipher", WEAK, NULL}, "localhost", TVC_ERR_TLS_CERT,
     MBEDTLS_X509_BADCERT_BAD_KEY},
    {"SHA-1 signature", "sha1", {"-cipher", WEAK, NULL}, "localhost", TVC_ERR_TLS_CERT,
     MBEDTLS_X509_BADCERT_BAD_MD},
};

static void run_case(const struct sec_case *k)
{
    struct srv s;
    int out = -1, rc;

    if (srv_start(&s, k->stem, k->extra) != 0) {
        CHECK(!"server");
        return;
    }
    rc = api_request(k->host, s.port, &out);
    CHECK_EQ(rc, k->want);
    if (k->flag)
        CHECK((C.tls.verify_flags & k->flag) != 0);
    CHECK_EQ(out, 0);                 /* nothing of the request reached the transport */
    tvc_http_client_close(&C.c);
    tvc_tls_free(&C.tls);
    srv_stop(&s);
    CHECK(log_has(&s, "ACCEPT"));    /* the server was there and logging */
    CHECK(!log_has(&s, KEY));
    CHECK(!log_has(&s, "Bearer"));
    CHECK(!log_has(&s, "check-status"));
    if (h_failed_now())
        show_log(&s, C.tls.mbedtls_err);
}

static void test_refused_before_the_key(void)
{
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        h_begin(cases[i].name);
        run_case(&cases[i]);
        h_end();
    }
}

/* The controls: the same servers with a good certificate, or the complete
 * chain, do get the request, key included: the log would have shown it. */
static void test_controls(void)
{
    static const char *const chain[] = {"-cert_chain", NULL, NULL};
    const char *extra[3];
    struct srv s;
    int out = 0, rc;

    h_begin("control: good certificate, the server sees the request");
    if (srv_start(&s, "good", NULL) == 0) {
        rc = api_request("localhost", s.port, &out);
        CHECK(rc == TVC_ERR_TIMEOUT || rc == TVC_ERR_CLOSED || rc == TVC_ERR_HTTP_TRUNCATED ||
              rc == TVC_ERR_HTTP);
        CHECK_EQ(out, 1);
        tvc_http_client_close(&C.c);
        tvc_tls_free(&C.tls);
        srv_stop(&s);
        CHECK(log_has(&s, "Authorization: Bearer " KEY));
    } else {
        CHECK(!"server");
    }
    h_end();

    h_begin("control: the chain with its intermediate is accepted");
    extra[0] = chain[0];
    extra[1] = ts_pki_path("int.crt");
    extra[2] = NULL;
    if (srv_start(&s, "chained", extra) == 0) {
        rc = api_request("localhost", s.port, &out);
        CHECK_EQ(out, 1);
        CHECK_EQ(C.tls.verify_flags, 0);
        tvc_http_client_close(&C.c);
        tvc_tls_free(&C.tls);
        srv_stop(&s);
        CHECK(log_has(&s, "check-status"));
        (void)rc;
    } else {
        CHECK(!"server");
    }
    h_end();
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (ts_pki() == NULL) {
        printf("no PKI\n");
        return 1;
    }
    test_refused_before_the_key();
    test_controls();
    return h_summary();
}
