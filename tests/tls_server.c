#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* mkdtemp on older glibc */

#include "tls_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char pki_dir[256];
static int pki_state; /* 0 not tried, 1 ready, -1 failed */

uint64_t ts_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

void ts_pki_remove(void)
{
    char cmd[300];
    if (pki_state != 1)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", pki_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "ts: could not remove %s\n", pki_dir);
    pki_state = 0;
}

/* certs.sh sits next to this file: found through TVC_TEST_DIR, else the
 * directory this file was compiled from (relative to the build's cwd). */
static void script_path(char *out, size_t cap)
{
    const char *dir = getenv("TVC_TEST_DIR");
    const char *f = __FILE__;
    const char *slash = strrchr(f, '/');

    if (dir != NULL && dir[0] != '\0')
        snprintf(out, cap, "%s/certs.sh", dir);
    else if (slash != NULL)
        snprintf(out, cap, "%.*s/certs.sh", (int)(slash - f), f);
    else
        snprintf(out, cap, "certs.sh");
}

const char *ts_pki(void)
{
    char script[512], cmd[1200];

    if (pki_state == 1)
        return pki_dir;
    if (pki_state < 0)
        return NULL;
    pki_state = -1;
    snprintf(pki_dir, sizeof pki_dir, "/tmp/tvc-tls-XXXXXX");
    if (mkdtemp(pki_dir) == NULL) {
        perror("ts: mkdtemp");
        return NULL;
    }
    pki_state = 1;
    atexit(ts_pki_remove);
    script_path(script, sizeof script);
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' >'%s/certs.log' 2>&1", script, pki_dir, pki_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "ts: %s failed (run from the repository root or set TVC_TEST_DIR)\n",
                script);
        snprintf(cmd, sizeof cmd, "cat '%s/certs.log' >&2", pki_dir);
        (void)!system(cmd);
        ts_pki_remove();
        pki_state = -1;
        return NULL;
    }
    return pki_dir;
}

const char *ts_pki_path(const char *name)
{
    static char bufs[8][320];
    static unsigned next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", pki_dir, name);
    return b;
}

/* The port from s_server's "ACCEPT host:port" line, 0 while not there. */
static uint16_t read_accept_port(const char *log)
{
    char line[256];
    FILE *f = fopen(log, "r");
    uint16_t port = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon;
        if (strncmp(line, "ACCEPT ", 7) != 0 || (colon = strrchr(line, ':')) == NULL)
            continue;
        port = (uint16_t)strtoul(colon + 1, NULL, 10);
    }
    fclose(f);
    return port;
}

int ts_server_start(struct ts_server *s, const char *host, const char *cert,
                    const char *key, int naccept)
{
    return ts_server_start_ex(s, host, cert, key, naccept, NULL);
}

int ts_server_start_ex(struct ts_server *s, const char *host, const char *cert,
                       const char *key, int naccept, const char *const *extra)
{
    static unsigned seq;
    char accept[64], certp[320], keyp[320], nacc[16];
    char *argv[24];
    posix_spawn_file_actions_t fa;
    uint64_t deadline;
    int i = 0, rc, status;

    memset(s, 0, sizeof *s);
    if (ts_pki() == NULL)
        return -1;
    snprintf(s->log, sizeof s->log, "%s/server-%u.log", pki_dir, seq++);
    snprintf(accept, sizeof accept, strchr(host, ':') ? "[%s]:0" : "%s:0", host);
    snprintf(certp, sizeof certp, "%s/%s", pki_dir, cert);
    snprintf(keyp, sizeof keyp, "%s/%s", pki_dir, key);
    snprintf(nacc, sizeof nacc, "%d", naccept);
    argv[i++] = "openssl";
    argv[i++] = "s_server";
    argv[i++] = "-accept";
    argv[i++] = accept;
    argv[i++] = "-cert";
    argv[i++] = certp;
    argv[i++] = "-key";
    argv[i++] = keyp;
    argv[i++] = "-www";
    argv[i++] = "-naccept";
    argv[i++] = nacc;
    while (extra != NULL && *extra != NULL && i < 20)
        argv[i++] = (char *)*extra++; /* posix_spawn's argv is not const */
    argv[i] = NULL;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    rc = posix_spawnp(&s->pid, "openssl", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "ts: spawn openssl: %s\n", strerror(rc));
        s->pid = 0;
        return -1;
    }
    deadline = ts_now_ms() + 5000;
    while (ts_now_ms() < deadline) {
        if ((s->port = read_accept_port(s->log)) != 0)
            return 0;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            break;
        }
        sleep_ms(10);
    }
    fprintf(stderr, "ts: s_server on %s did not start (log %s)\n", host, s->log);
    ts_server_stop(s);
    return -1;
}

void ts_server_stop(struct ts_server *s)
{
    uint64_t deadline;
    int status;

    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    deadline = ts_now_ms() + 2000;
    while (waitpid(s->pid, &status, WNOHANG) == 0) {
        if (ts_now_ms() >= deadline) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
            break;
        }
        sleep_ms(5);
    }
    s->pid = 0;
}

int ts_listen(const char *host, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd, one = 1;

    memset(&ss, 0, sizeof ss);
    if (strchr(host, ':') != NULL) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return -1;
        sl = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return -1;
        sl = sizeof *a;
    }
    fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                           : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

int ts_accept(int lfd, int timeout_ms)
{
    struct pollfd p;
    p.fd = lfd;
    p.events = POLLIN;
    if (poll(&p, 1, timeout_ms) != 1)
        return -1;
    return accept(lfd, NULL, NULL);
}
