#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* mkdtemp on older glibc */

#include "tl_servers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void nap_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

int tl_spawn(struct tl_proc *p, const char *const *argv, const char *log)
{
    char *args[32];
    posix_spawn_file_actions_t fa;
    int i = 0, rc;

    memset(p, 0, sizeof *p);
    snprintf(p->log, sizeof p->log, "%s", log);
    /* The wrapper bounds the server's life even if this process dies
     * before it can stop it. */
    args[i++] = "timeout";
    args[i++] = "-k";
    args[i++] = "3";
    args[i++] = TL_SERVER_LIFETIME;
    while (*argv != NULL && i < 31)
        args[i++] = (char *)*argv++; /* posix_spawn's argv is not const */
    args[i] = NULL;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, p->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    rc = posix_spawnp(&p->pid, "timeout", &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "tl: spawn %s: %s\n", args[4], strerror(rc));
        p->pid = 0;
        return -1;
    }
    return 0;
}

int tl_alive(struct tl_proc *p)
{
    int status;
    if (p->pid <= 0)
        return 0;
    if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
        p->pid = 0;
        return 0;
    }
    return 1;
}

void tl_stop(struct tl_proc *p)
{
    uint64_t deadline;
    int status;

    if (p->pid <= 0)
        return;
    kill(p->pid, SIGTERM);
    deadline = ts_now_ms() + 2000;
    while (waitpid(p->pid, &status, WNOHANG) == 0) {
        if (ts_now_ms() >= deadline) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &status, 0);
            break;
        }
        nap_ms(5);
    }
    p->pid = 0;
}

int tl_free_ports(uint16_t *ports, int n)
{
    int fds[16], i, ok = 0;

    if (n > 16)
        return -1;
    /* All open at once, so the kernel hands out distinct ports. */
    for (i = 0; i < n; i++)
        if ((fds[i] = ts_listen("127.0.0.1", &ports[i])) < 0)
            break;
    ok = i == n;
    while (i-- > 0)
        close(fds[i]);
    return ok ? 0 : -1;
}

static int tcp_probe(uint16_t port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), rc;

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    close(fd);
    return rc;
}

int tl_wait_port(struct tl_proc *p, uint16_t port, int timeout_ms)
{
    uint64_t deadline = ts_now_ms() + (uint64_t)timeout_ms;

    while (ts_now_ms() < deadline) {
        if (tcp_probe(port) == 0)
            return 0;
        if (!tl_alive(p))
            return -1;
        nap_ms(20);
    }
    return -1;
}

int tl_temp_dir(char *dir, size_t cap)
{
    if (cap < 32)
        return -1;
    snprintf(dir, cap, "/tmp/tvc-live-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("tl: mkdtemp");
        return -1;
    }
    /* readable by a server that drops to another user */
    return chmod(dir, 0755) == 0 ? 0 : -1;
}

void tl_remove_dir(const char *dir)
{
    char cmd[400];
    if (dir == NULL || strncmp(dir, "/tmp/tvc-live-", 14) != 0 || strchr(dir, '\'') != NULL)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "tl: could not remove %s\n", dir);
}

int tl_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    size_t n;
    if (f == NULL)
        return -1;
    n = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || n != len)
        return -1;
    return 0;
}

static int find_line(const char *path, const char *needle, char *line, size_t cap)
{
    char buf[2048];
    FILE *f = fopen(path, "r");
    int found = -1;

    if (f == NULL)
        return -1;
    while (found != 0 && fgets(buf, sizeof buf, f) != NULL) {
        /* a line still being written has no newline yet: not complete */
        size_t n = strlen(buf);
        if (n == 0 || buf[n - 1] != '\n' || strstr(buf, needle) == NULL)
            continue;
        buf[n - 1] = '\0';
        snprintf(line, cap, "%s", buf);
        found = 0;
    }
    fclose(f);
    return found;
}

int tl_log_line(const char *path, const char *needle, char *line, size_t cap,
                int timeout_ms)
{
    uint64_t deadline = ts_now_ms() + (uint64_t)timeout_ms;

    line[0] = '\0';
    for (;;) {
        if (find_line(path, needle, line, cap) == 0)
            return 0;
        if (ts_now_ms() >= deadline)
            return -1;
        nap_ms(10);
    }
}

static void show_file(const char *path)
{
    char buf[512];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    while (fgets(buf, sizeof buf, f) != NULL)
        fprintf(stderr, "  | %s", buf);
    fclose(f);
}

int tl_nginx_start(struct tl_proc *p, const char *dir, uint16_t *ports, int nports,
                   tl_conf_fn write_conf, void *user)
{
    char conf[320], errlog[320], out[320], line[256];
    const char *argv[12];
    int attempt, i, ok;

    snprintf(conf, sizeof conf, "%s/nginx.conf", dir);
    snprintf(errlog, sizeof errlog, "%s/error.log", dir);
    snprintf(out, sizeof out, "%s/nginx.out", dir);
    argv[0] = "/usr/sbin/nginx";
    argv[1] = "-p";
    argv[2] = dir;
    argv[3] = "-c";
    argv[4] = conf;
    argv[5] = "-e"; /* before the configuration is read, too */
    argv[6] = errlog;
    argv[7] = "-g";
    argv[8] = "daemon off; master_process off;";
    argv[9] = NULL;

    if (access(argv[0], X_OK) != 0) {
        fprintf(stderr, "tl: %s missing (run: make deps-test)\n", argv[0]);
        return -1;
    }
    for (attempt = 0; attempt < 3; attempt++) {
        if (tl_free_ports(ports, nports) != 0 || write_conf(conf, ports, user) != 0)
            return -1;
        unlink(errlog);
        if (tl_spawn(p, argv, out) != 0)
            return -1;
        ok = 1;
        for (i = 0; ok && i < nports; i++)
            ok = tl_wait_port(p, ports[i], 5000) == 0;
        if (ok)
            return 0;
        tl_stop(p);
        /* Someone took a port between the probe and nginx's bind: again. */
        if (tl_log_line(errlog, "Address already in use", line, sizeof line, 0) == 0)
            continue;
        break;
    }
    fprintf(stderr, "tl: nginx did not start; %s and %s:\n", out, errlog);
    show_file(out);
    show_file(errlog);
    return -1;
}

int tl_python_start(struct tl_proc *p, const char *root, uint16_t *port)
{
    const char *argv[] = {"/usr/bin/python3", "-u", "-m", "http.server", "--bind",
                          "127.0.0.1", "0", "--directory", root, NULL};
    char log[320], line[256];
    const char *at;
    uint64_t deadline;

    *port = 0;
    snprintf(log, sizeof log, "%s/../python.log", root);
    if (tl_spawn(p, argv, log) != 0)
        return -1;
    deadline = ts_now_ms() + 5000;
    while (ts_now_ms() < deadline && tl_alive(p)) {
        /* "Serving HTTP on 127.0.0.1 port 40437 (http://127.0.0.1:40437/) ..." */
        if (tl_log_line(log, "Serving HTTP on", line, sizeof line, 20) == 0 &&
            (at = strstr(line, " port ")) != NULL) {
            *port = (uint16_t)strtoul(at + 6, NULL, 10);
            if (*port != 0 && tl_wait_port(p, *port, 2000) == 0)
                return 0;
            break;
        }
    }
    fprintf(stderr, "tl: python3 http.server did not start; %s:\n", log);
    show_file(log);
    tl_stop(p);
    return -1;
}

int tl_s_server_www(struct ts_server *s, const char *root, int naccept)
{
    static const char *const www[] = {"-WWW", NULL}; /* overrides -www */
    char cwd[1024];
    int rc;

    /* -WWW serves paths relative to its working directory, which it
     * inherits from here. */
    if (getcwd(cwd, sizeof cwd) == NULL || chdir(root) != 0)
        return -1;
    rc = ts_server_start_ex(s, "127.0.0.1", "good.crt", "good.key", naccept, www);
    if (chdir(cwd) != 0)
        rc = -1;
    return rc;
}
