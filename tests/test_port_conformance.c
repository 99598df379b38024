/* The port conformance kit (tests/conformance/) run on the POSIX port.
 *
 * The peer the network cases need is started here: a child process serving
 * the kit's protocol (tvc_conformance.h) on 127.0.0.1, single-threaded over
 * poll(), bounded by alarm() and by its parent's life, and stopped by its
 * pid at the end.  The "refused" port is a socket bound and never listened
 * on, held by this process so that nobody else can take it.  Storage runs in
 * a fresh directory under $TMPDIR (removed afterwards), the disk-full case
 * on /dev/full.
 *
 * usage: test_port_conformance [CASE-SUBSTRING]
 */
#define _DEFAULT_SOURCE

#include "conformance/tvc_conformance.h"
#include "tvc_posix.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- peer */

enum { M_FREE, M_CMD, M_ECHO, M_STALL, M_DRIP };

#define PEER_CONNS 64
#define PEER_DRIP_MS 5

struct pconn {
    int fd;
    int mode;
    char cmd[16];
    size_t ncmd;
    uint8_t out[8192];
    size_t out_len, out_off;
    int eof;         /* echo: the client has finished sending */
    size_t drip_i;
    uint64_t drip_at;
};

static struct pconn pc[PEER_CONNS];

static uint64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void drop(struct pconn *c, int abortive)
{
    if (abortive) {
        struct linger lg = { 1, 0 };
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(c->fd);
    c->fd = -1;
    c->mode = M_FREE;
}

static void command(struct pconn *c)
{
    static const char bye[] = "bye\n";
    int one = 1;

    if (strcmp(c->cmd, "echo") == 0) {
        c->mode = M_ECHO;
    } else if (strcmp(c->cmd, "stall") == 0) {
        c->mode = M_STALL;
    } else if (strcmp(c->cmd, "close") == 0) {
        /* Everything the client sent is read, so close() sends a FIN. */
        (void)send(c->fd, bye, sizeof bye - 1, MSG_NOSIGNAL);
        drop(c, 0);
    } else if (strcmp(c->cmd, "reset") == 0) {
        drop(c, 1);
    } else if (strcmp(c->cmd, "drip") == 0) {
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->mode = M_DRIP;
        c->drip_i = 0;
        c->drip_at = mono_ms();
    } else {
        drop(c, 0);
    }
}

static void on_readable(struct pconn *c)
{
    uint8_t b[512];
    ssize_t n;
    size_t i;

    if (c->mode == M_CMD) {
        n = recv(c->fd, b, sizeof b, MSG_DONTWAIT);
        if (n <= 0) {
            if (n == 0 || (errno != EAGAIN && errno != EINTR))
                drop(c, 0);
            return;
        }
        for (i = 0; i < (size_t)n; i++) {
            if (b[i] == '\n') {
                c->cmd[c->ncmd] = '\0';
                command(c);
                /* Bytes after the line only matter to echo. */
                if (c->mode == M_ECHO && i + 1 < (size_t)n) {
                    memcpy(c->out, b + i + 1, (size_t)n - i - 1);
                    c->out_len = (size_t)n - i - 1;
                }
                return;
            }
            if (c->ncmd + 1 >= sizeof c->cmd) {
                drop(c, 0);
                return;
            }
            c->cmd[c->ncmd++] = (char)b[i];
        }
    } else if (c->mode == M_ECHO) {
        n = recv(c->fd, c->out, sizeof c->out, MSG_DONTWAIT);
        if (n > 0) {
            c->out_len = (size_t)n;
            c->out_off = 0;
        } else if (n == 0) {
            c->eof = 1;
        } else if (errno != EAGAIN && errno != EINTR) {
            drop(c, 0);
        }
    }
}

static void on_writable(struct pconn *c)
{
    ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                     MSG_DONTWAIT | MSG_NOSIGNAL);

    if (n > 0) {
        c->out_off += (size_t)n;
        if (c->out_off == c->out_len)
            c->out_len = c->out_off = 0;
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        drop(c, 0);
    }
}

static void drip(struct pconn *c, uint64_t now)
{
    static const char text[] = TVC_CONF_DRIP_TEXT;

    if (now < c->drip_at)
        return;
    if (c->drip_i == sizeof text - 1) {
        drop(c, 0);
        return;
    }
    if (send(c->fd, text + c->drip_i, 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1)
        c->drip_i++;
    c->drip_at = now + PEER_DRIP_MS;
}

static void peer_loop(int lfd, pid_t parent)
{
    struct pollfd pfd[PEER_CONNS + 1];
    struct pconn *who[PEER_CONNS + 1];
    int i, n, timeout, fd;

    for (i = 0; i < PEER_CONNS; i++)
        pc[i].fd = -1;
    for (;;) {
        if (getppid() != parent)
            _exit(0);
        n = 0;
        timeout = 500;
        pfd[n].fd = lfd;
        pfd[n].events = POLLIN;
        who[n++] = NULL;
        for (i = 0; i < PEER_CONNS; i++) {
            struct pconn *c = &pc[i];
            short ev = 0;
            if (c->mode == M_CMD)
                ev = POLLIN;
            else if (c->mode == M_ECHO)
                ev = c->out_len > 0 ? POLLOUT : (c->eof ? 0 : POLLIN);
            else if (c->mode == M_DRIP)
                timeout = 1;
            if (c->mode == M_ECHO && c->eof && c->out_len == 0) {
                drop(c, 0);
                continue;
            }
            if (ev == 0)
                continue;
            pfd[n].fd = c->fd;
            pfd[n].events = ev;
            who[n++] = c;
        }
        if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
            _exit(3);
        for (i = 1; i < n; i++) {
            if (pfd[i].revents & POLLOUT)
                on_writable(who[i]);
            else if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
                on_readable(who[i]);
        }
        for (i = 0; i < PEER_CONNS; i++)
            if (pc[i].mode == M_DRIP)
                drip(&pc[i], mono_ms());
        if (pfd[0].revents & POLLIN) {
            fd = accept(lfd, NULL, NULL);
            if (fd >= 0) {
                for (i = 0; i < PEER_CONNS && pc[i].mode != M_FREE; i++)
                    ;
                if (i == PEER_CONNS) {
                    close(fd);
                } else {
                    memset(&pc[i], 0, sizeof pc[i]);
                    pc[i].fd = fd;
                    pc[i].mode = M_CMD;
                }
            }
        }
    }
}

/* A TCP socket on 127.0.0.1 (any port), listening when @p listening. */
static int bound(uint16_t *port, int listening)
{
    struct sockaddr_in sin;
    socklen_t sl = sizeof sin;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
        (listening && listen(fd, 64) != 0) ||
        getsockname(fd, (struct sockaddr *)&sin, &sl) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sin.sin_port);
    return fd;
}

/* ---------------------------------------------------------------- main */

static void print_line(void *user, const char *text)
{
    (void)user;
    printf("%s\n", text);
    fflush(stdout);
}

static void rm_rf(const char *dir)
{
    char p[512];
    struct dirent *de;
    struct stat st;
    DIR *d = opendir(dir);

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_rf(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    static struct tvc_posix px;
    struct tvc_port port;
    struct tvc_conf_peer peer;
    struct tvc_conf_opts opts;
    char tmp[256], scratch[300];
    const char *tdir = getenv("TMPDIR");
    uint16_t cmd_port = 0, refuse_port = 0;
    int lfd, rfd, failed, status;
    const char *ext;
    char ext_host[64];
    unsigned ext_port = 0, ext_refuse = 0;
    pid_t parent = getpid(), pid;

    /* TVC_CONF_PEER="HOST PORT REFUSE_PORT": use that peer (e.g.
     * tests/conformance/conf_peer.py) instead of starting one. */
    ext = getenv("TVC_CONF_PEER");
    if (ext != NULL && sscanf(ext, "%63s %u %u", ext_host, &ext_port, &ext_refuse) != 3)
        ext = NULL;
    lfd = bound(&cmd_port, 1);
    rfd = bound(&refuse_port, 0);
    if (lfd < 0 || rfd < 0) {
        printf("cannot bind on 127.0.0.1\n0 passed, 1 failed\n");
        return 1;
    }
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        printf("fork failed\n0 passed, 1 failed\n");
        return 1;
    }
    if (pid == 0) {
        alarm(120); /* never outlive a broken run */
        close(rfd);
        peer_loop(lfd, parent);
        _exit(0);
    }
    close(lfd);

    snprintf(tmp, sizeof tmp, "%s/tvc-conf-XXXXXX", tdir && tdir[0] ? tdir : "/tmp");
    if (mkdtemp(tmp) == NULL) {
        printf("mkdtemp failed\n0 passed, 1 failed\n");
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
        return 1;
    }
    /* A directory the kit must create itself, parents included. */
    snprintf(scratch, sizeof scratch, "%s/scratch/dir", tmp);

    tvc_posix_init(&px, &port);
    memset(&peer, 0, sizeof peer);
    peer.host = ext != NULL ? ext_host : "127.0.0.1";
    peer.port = ext != NULL ? (uint16_t)ext_port : cmd_port;
    peer.refuse_port = ext != NULL ? (uint16_t)ext_refuse : refuse_port;
    memset(&opts, 0, sizeof opts);
    opts.scratch_dir = scratch;
    opts.full_path = access("/dev/full", W_OK) == 0 ? "/dev/full" : NULL;
    opts.slack_ms = 1500; /* two cores shared with sanitizers and emulators */
    opts.only = argc > 1 ? argv[1] : NULL;
    opts.print = print_line;

    /* SIGPIPE keeps its default action: a port raising it would kill the
     * run, which tests/run.sh counts as a failure. */
    failed = tvc_conformance_run(&port, &peer, &opts, NULL);

    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    close(rfd);
    rm_rf(tmp);
    return failed ? 1 : 0;
}
