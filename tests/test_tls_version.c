/* The TLS version libtvc negotiates, on whichever mbedTLS line the build
 * links: TLS 1.3 with mbedTLS 3.6 (its default configuration enables it),
 * TLS 1.2 with Debian's 2.28 (which has no 1.3); TLS 1.2 on both against a
 * server that stops at 1.2.  Checked against real `openssl s_server`s and
 * against the bundled simulator (Python's ssl module), over the POSIX port.
 * The headers the build compiled against must be the library it linked. */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"
#include "tls_server.h"
#include "tvc_posix.h"
#include "tvc_tls.h"

#include <mbedtls/version.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TLS12 0x0303
#define TLS13 0x0304

/* What this build must negotiate with a server that offers TLS 1.3. */
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define BEST TLS13
#else
#define BEST TLS12
#endif

static struct tvc_posix px;
static struct tvc_port port;
static uint8_t scratch[4096];

static int tcp_connect(const char *host, uint16_t p)
{
    uint64_t deadline = ts_now_ms() + 5000;
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

/* Connect and handshake (20 s: slower under qemu-user); *sock gets the handle. */
static int tls_connect(struct tvc_tls *t, const char *host, uint16_t p, int *sock)
{
    uint64_t deadline = ts_now_ms() + 20000;
    int rc;
    *sock = tcp_connect(host, p);
    if (*sock < 0)
        return *sock;
    rc = tvc_tls_start(t, *sock, host, p);
    if (rc != 0)
        return rc;
    while ((rc = tvc_tls_handshake(t, 100)) == TVC_ERR_AGAIN && ts_now_ms() < deadline)
        ;
    return rc;
}

static void tls_disconnect(struct tvc_tls *t, int sock)
{
    tvc_tls_close(t);
    if (sock >= 0)
        port.close(port.ctx, sock);
}

/* Send @req, read until the end of the stream into @page; 0 or an error. */
static int exchange(struct tvc_tls *t, const char *req, char *page, size_t cap)
{
    size_t off = 0, len = strlen(req);
    uint64_t deadline = ts_now_ms() + 10000;
    int n = 0;
    while (off < len && ts_now_ms() < deadline) {
        n = tvc_tls_send(t, (const uint8_t *)req + off, len - off, 100);
        if (n == TVC_ERR_AGAIN)
            continue;
        if (n <= 0)
            return n;
        off += (size_t)n;
    }
    len = 0;
    n = TVC_ERR_TIMEOUT;
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

static int tls_ready(struct tvc_tls *t, const char *ca_file)
{
    tvc_tls_init(t);
    if (tvc_tls_setup(t, &port) != 0)
        return -1;
    return tvc_tls_add_ca_file(t, ca_file, scratch, sizeof scratch) >= 1 ? 0 : -1;
}

static void resolve(const char *name, uint16_t p, const char *addr)
{
    char spec[128];
    tvc_posix_init(&px, &port);
    snprintf(spec, sizeof spec, "%s:%u:%s", name, (unsigned)p, addr);
    CHECK_EQ(tvc_posix_resolve_add(&px, spec), 0);
}

/* ---------------------------------------------------------------- the line */

/* The library linked is the line the headers say (a 3.6 build that picked
 * up the system's 2.28 archives, or the reverse, fails here), and the
 * lines this project supports have the version each is tested for. */
static void test_linked_line(void)
{
    unsigned v = mbedtls_version_get_number();
    char s[32];

    mbedtls_version_get_string(s);
    printf("mbedTLS %s (headers %s), expects TLS 1.%d\n", s, MBEDTLS_VERSION_STRING,
           BEST == TLS13 ? 3 : 2);
    fflush(stdout); /* before any fork */
    CHECK_EQ(v >> 16, (unsigned)MBEDTLS_VERSION_NUMBER >> 16);
#if MBEDTLS_VERSION_NUMBER >= 0x03060000
    CHECK_EQ(BEST, TLS13); /* 3.6's default configuration has TLS 1.3 */
#else
    CHECK_EQ(BEST, TLS12);
#endif
}

/* ---------------------------------------------------------------- s_server */

/* s_server as it comes (TLS 1.2 and 1.3): the best this build has; a GET
 * works over it (on 1.3 the server's tickets arrive during the read), and
 * the version reads 0 before the handshake and after close. */
static void test_s_server_default(void)
{
    struct ts_server s;
    struct tvc_tls t;
    char page[8192];
    int sock, rc;

    if (ts_server_start(&s, "127.0.0.1", "good.crt", "good.key", 2) != 0) {
        CHECK(!"server");
        return;
    }
    resolve("localhost", s.port, "127.0.0.1");
    CHECK_EQ(tls_ready(&t, ts_pki_path("ca.crt")), 0);
    CHECK_EQ(tvc_tls_version(&t), 0);
    CHECK_EQ(tvc_tls_version(NULL), 0);
    rc = tls_connect(&t, "localhost", s.port, &sock);
    CHECK_EQ(rc, 0);
    CHECK_EQ(tvc_tls_version(&t), BEST);
    CHECK_EQ(exchange(&t, "GET / HTTP/1.0\r\n\r\n", page, sizeof page), 0);
    CHECK(strstr(page, "HTTP/1.0 200 ok") != NULL);
    /* s_server -www names the protocol it negotiated */
    CHECK(strstr(page, BEST == TLS13 ? "Protocol  : TLSv1.3" : "Protocol  : TLSv1.2") != NULL);
    tls_disconnect(&t, sock);
    CHECK_EQ(tvc_tls_version(&t), 0);

    /* the next connection too (resuming the first one's session) */
    CHECK_EQ(tls_connect(&t, "localhost", s.port, &sock), 0);
    CHECK_EQ(tvc_tls_version(&t), BEST);
    tls_disconnect(&t, sock);
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

/* A server that stops at TLS 1.2: both lines agree on 1.2. */
static void test_s_server_tls12_only(void)
{
    static const char *const only12[] = {"-no_tls1_3", NULL};
    struct ts_server s;
    struct tvc_tls t;
    char page[8192];
    int sock;

    if (ts_server_start_ex(&s, "127.0.0.1", "good.crt", "good.key", 1, only12) != 0) {
        CHECK(!"server");
        return;
    }
    resolve("localhost", s.port, "127.0.0.1");
    CHECK_EQ(tls_ready(&t, ts_pki_path("ca.crt")), 0);
    CHECK_EQ(tls_connect(&t, "localhost", s.port, &sock), 0);
    CHECK_EQ(tvc_tls_version(&t), TLS12);
    CHECK_EQ(exchange(&t, "GET / HTTP/1.0\r\n\r\n", page, sizeof page), 0);
    CHECK(strstr(page, "Protocol  : TLSv1.2") != NULL);
    tls_disconnect(&t, sock);
    tvc_tls_free(&t);
    ts_server_stop(&s);
}

/* ---------------------------------------------------------------- simulator */

struct sim {
    pid_t pid;
    char dir[256];
    uint16_t port;
    char ca[512];
};

static void sim_stop(struct sim *m)
{
    char cmd[300];
    int i, st;

    if (m->pid > 0) {
        kill(m->pid, SIGTERM);
        for (i = 0; i < 100 && waitpid(m->pid, &st, WNOHANG) == 0; i++) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (i == 100) {
            kill(m->pid, SIGKILL);
            waitpid(m->pid, &st, 0);
        }
        m->pid = 0;
    }
    if (m->dir[0] != '\0') {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", m->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", m->dir);
        m->dir[0] = '\0';
    }
}

/* Value of "key": in the ready file's JSON text (a number or a plain string). */
static int json_field(const char *text, const char *key, char *out, size_t cap)
{
    char pat[64];
    const char *p;
    size_t n = 0;

    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(text, pat);
    if (p == NULL)
        return -1;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p == '"')
        p++;
    while (*p != '\0' && *p != '"' && *p != ',' && *p != '\n' && n + 1 < cap)
        out[n++] = *p++;
    out[n] = '\0';
    return n > 0 ? 0 : -1;
}

/* Start tests/sim/nanophoto_sim.py (bounded: 120 s, 100 requests) in a fresh
 * directory and read its port and CA from the ready file. */
static int sim_start(struct sim *m)
{
    const char *tdir = getenv("TVC_TEST_DIR");
    char sim[512], ready[300], text[4096], num[16];
    uint64_t deadline;
    FILE *f;
    size_t n;

    memset(m, 0, sizeof *m);
    snprintf(sim, sizeof sim, "%s/sim/nanophoto_sim.py", tdir != NULL ? tdir : "tests");
    snprintf(m->dir, sizeof m->dir, "/tmp/tvc-tlsver-XXXXXX");
    if (mkdtemp(m->dir) == NULL) {
        m->dir[0] = '\0';
        return -1;
    }
    snprintf(ready, sizeof ready, "%s/ready.json", m->dir);
    m->pid = fork();
    if (m->pid < 0)
        return -1;
    if (m->pid == 0) {
        char log[300];
        snprintf(log, sizeof log, "%s/stdout.log", m->dir);
        if (freopen(log, "w", stdout) == NULL || freopen(log, "a", stderr) == NULL)
            _exit(127);
        execl("/usr/bin/python3", "python3", sim, "--state-dir", m->dir, "--ready-file", ready,
              "--max-seconds", "120", "--max-requests", "100", (char *)NULL);
        _exit(127);
    }
    deadline = ts_now_ms() + 30000;
    while (ts_now_ms() < deadline) {
        int st;
        if (waitpid(m->pid, &st, WNOHANG) == m->pid) {
            m->pid = 0;
            fprintf(stderr, "simulator exited (log %s/stdout.log)\n", m->dir);
            return -1;
        }
        f = fopen(ready, "r");
        if (f != NULL) {
            n = fread(text, 1, sizeof text - 1, f);
            fclose(f);
            text[n] = '\0';
            if (json_field(text, "api_port", num, sizeof num) == 0 &&
                json_field(text, "ca_file", m->ca, sizeof m->ca) == 0) {
                m->port = (uint16_t)atoi(num);
                return m->port != 0 ? 0 : -1;
            }
        }
        {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    fprintf(stderr, "simulator did not get ready in 30 s\n");
    return -1;
}

/* The simulator (Python's ssl, TLS 1.2 and up): the best this build has,
 * and a request answered over it. */
static void test_simulator(void)
{
    struct sim m;
    struct tvc_tls t;
    char page[8192];
    int sock;

    if (sim_start(&m) != 0) {
        CHECK(!"simulator");
        sim_stop(&m);
        return;
    }
    tvc_posix_init(&px, &port);
    CHECK_EQ(tls_ready(&t, m.ca), 0);
    CHECK_EQ(tls_connect(&t, "localhost", m.port, &sock), 0);
    CHECK_EQ(tvc_tls_version(&t), BEST);
    CHECK_EQ(exchange(&t, "GET /__sim/stats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                      page, sizeof page),
             0);
    CHECK(strncmp(page, "HTTP/1.1 200", 12) == 0);
    tls_disconnect(&t, sock);
    tvc_tls_free(&t);
    sim_stop(&m);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (ts_pki() == NULL)
        return 1;
    tvc_posix_init(&px, &port);
    RUN(test_linked_line);
    RUN(test_s_server_default);
    RUN(test_s_server_tls12_only);
    RUN(test_simulator);
    return h_summary();
}
