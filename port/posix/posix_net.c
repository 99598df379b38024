/* POSIX port: TCP sockets (non-blocking, waited on with poll()). */
#define _DEFAULT_SOURCE

#include "posix_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on the socket instead */
#endif

/* ST_RESET: a reset was reported.  Linux reports it once; later reads
 * return 0, which must not pass for an orderly end of stream. */
enum { ST_FREE = 0, ST_CONNECTING, ST_CONNECTED, ST_FAILED, ST_RESET };

static struct tvc_posix_sock *slot(void *ctx, int sock)
{
    struct tvc_posix *px = ctx;

    if (px == NULL || sock < 0 || sock >= TVC_POSIX_MAX_SOCKS)
        return NULL;
    if (px->socks[sock].state == ST_FREE)
        return NULL;
    return &px->socks[sock];
}

/* Wait for ev on fd for up to wait_ms, resuming after signals with the time
 * left.  Returns 1 ready (or an error condition to be read), 0 nothing
 * within wait_ms, -1 poll() failed. */
static int wait_fd(int fd, short ev, uint32_t wait_ms)
{
    uint64_t deadline = tvc_posix_now_ms(NULL) + wait_ms;
    uint64_t now, left = wait_ms;
    struct pollfd pfd;
    int r;

    for (;;) {
        pfd.fd = fd;
        pfd.events = ev;
        pfd.revents = 0;
        r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
        now = tvc_posix_now_ms(NULL);
        if (now >= deadline)
            return 0;
        left = deadline - now;
    }
}

static socklen_t to_sockaddr(const struct tvc_posix_addr *a, uint16_t port,
                             struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        memcpy(&sin->sin_addr, a->ip, 4);
        return (socklen_t)sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        memcpy(&sin6->sin6_addr, a->ip, 16);
        sin6->sin6_scope_id = a->scope_id;
        return (socklen_t)sizeof *sin6;
    }
}

static int from_sockaddr(const struct sockaddr *sa, struct tvc_posix_addr *a)
{
    memset(a, 0, sizeof *a);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
        a->family = 4;
        memcpy(a->ip, &sin->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;
        a->family = 6;
        memcpy(a->ip, &sin6->sin6_addr, 16);
        a->scope_id = sin6->sin6_scope_id;
        return 0;
    }
    return -1;
}

static int open_socket(int family)
{
    int fd, one = 1;

#if defined(SOCK_CLOEXEC) && defined(SOCK_NONBLOCK)
    fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
#else
    int fl;
    fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    fl = fcntl(fd, F_GETFL);
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        close(fd);
        return -1;
    }
#endif
    /* The core hands over whole records; Nagle would only add latency. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    return fd;
}

/* Start connecting to s->addr[s->cur], moving on past addresses that fail
 * at once (e.g. IPv6 without a route).  Returns 0 started, -1 none left. */
static int start_next(struct tvc_posix_sock *s)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd;

    for (; s->cur < s->naddr; s->cur++) {
        fd = open_socket(s->addr[s->cur].family == 4 ? AF_INET : AF_INET6);
        if (fd < 0)
            continue;
        sl = to_sockaddr(&s->addr[s->cur], s->port, &ss);
        /* EINTR: the connection still completes in the background. */
        if (connect(fd, (struct sockaddr *)&ss, sl) == 0 || errno == EINPROGRESS ||
            errno == EINTR) {
            s->fd = fd;
            s->started_ms = tvc_posix_now_ms(NULL);
            return 0;
        }
        close(fd);
    }
    s->fd = -1;
    return -1;
}

static int resolve(const char *host, struct tvc_posix_sock *s)
{
    struct addrinfo hints, *res, *ai;
    struct tvc_posix_addr a;
    unsigned i;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    /* No AI_ADDRCONFIG: glibc ignores loopback for it, so "localhost" would
     * fail on a device whose only interface is lo.  An address family
     * without a route fails at connect() and the next address is tried. */
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return TVC_ERR_DNS;
    s->naddr = 0;
    for (ai = res; ai != NULL && s->naddr < TVC_POSIX_MAX_ADDRS; ai = ai->ai_next) {
        if (ai->ai_addr == NULL || from_sockaddr(ai->ai_addr, &a) != 0)
            continue;
        for (i = 0; i < s->naddr; i++)
            if (s->addr[i].family == a.family && s->addr[i].scope_id == a.scope_id &&
                memcmp(s->addr[i].ip, a.ip, sizeof a.ip) == 0)
                break;
        if (i == s->naddr)
            s->addr[s->naddr++] = a;
    }
    freeaddrinfo(res);
    return s->naddr > 0 ? 0 : TVC_ERR_DNS;
}

int tvc_posix_connect(void *ctx, const char *host, uint16_t port)
{
    struct tvc_posix *px = ctx;
    struct tvc_posix_sock *s = NULL;
    int i, err;

    if (px == NULL || host == NULL)
        return TVC_ERR_ARG;
    /* Find a slot first: no point resolving for a connection we cannot hold. */
    for (i = 0; i < TVC_POSIX_MAX_SOCKS; i++) {
        if (px->socks[i].state == ST_FREE) {
            s = &px->socks[i];
            break;
        }
    }
    if (s == NULL)
        return TVC_ERR_NOSPACE;

    s->port = port;
    s->cur = 0;
    s->fd = -1;
    s->naddr = (uint8_t)tvc_posix_resolve_lookup(px, host, port, s->addr, TVC_POSIX_MAX_ADDRS);
    if (s->naddr == 0) {
        err = resolve(host, s);
        if (err != 0)
            return err;
    }
    if (start_next(s) != 0)
        return TVC_ERR_CONNECT;
    s->state = ST_CONNECTING;
    return i;
}

/* Did the connection attempt on fd succeed?  0 yes, else an errno. */
static int connect_result(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(int);
    int err = 0;

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return errno;
    if (err != 0)
        return err;
    /* Belt and braces for stacks that report readiness without an error. */
    len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
        return errno == ENOTCONN ? ECONNREFUSED : errno;
    return 0;
}

int tvc_posix_connect_poll(void *ctx, int sock, uint32_t wait_ms)
{
    struct tvc_posix *px = ctx;
    struct tvc_posix_sock *s = slot(ctx, sock);
    uint64_t spent;
    uint32_t wait = wait_ms;
    int r, more;

    if (s == NULL)
        return TVC_ERR_ARG;
    if (s->state == ST_CONNECTED || s->state == ST_RESET)
        return 0; /* established; send/recv report what happened since */
    if (s->state == ST_FAILED)
        return TVC_ERR_CONNECT;

    /* With addresses left, the current one gets only attempt_ms in all. */
    more = s->cur + 1 < s->naddr && px->attempt_ms > 0;
    if (more) {
        spent = tvc_posix_now_ms(NULL) - s->started_ms;
        if (spent >= px->attempt_ms)
            wait = 0;
        else if (px->attempt_ms - spent < wait)
            wait = (uint32_t)(px->attempt_ms - spent);
    }

    r = wait_fd(s->fd, POLLOUT, wait);
    if (r > 0 && connect_result(s->fd) == 0) {
        s->state = ST_CONNECTED;
        return 0;
    }
    if (r == 0 && !(more && tvc_posix_now_ms(NULL) - s->started_ms >= px->attempt_ms))
        return TVC_ERR_AGAIN;

    /* This address failed (or used up its time): on to the next one. */
    close(s->fd);
    s->cur++;
    if (start_next(s) != 0) {
        s->state = ST_FAILED;
        return TVC_ERR_CONNECT;
    }
    return TVC_ERR_AGAIN;
}

int tvc_posix_send(void *ctx, int sock, const uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct tvc_posix_sock *s = slot(ctx, sock);
    ssize_t n;
    int r;

    if (s == NULL || (s->state != ST_CONNECTED && s->state != ST_RESET) ||
        (buf == NULL && len > 0))
        return TVC_ERR_ARG;
    if (len == 0)
        return 0;
    if (s->state == ST_RESET)
        return TVC_ERR_RESET;
    if (len > INT_MAX)
        len = INT_MAX;

    r = wait_fd(s->fd, POLLOUT, wait_ms);
    if (r < 0)
        return TVC_ERR_IO;
    if (r == 0)
        return TVC_ERR_AGAIN;
    for (;;) {
        n = send(s->fd, buf, len, MSG_NOSIGNAL);
        if (n > 0)
            return (int)n;
        if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
            return TVC_ERR_AGAIN;
        if (errno == EINTR)
            continue;
        if (errno == EPIPE || errno == ENOTCONN || errno == ESHUTDOWN)
            return TVC_ERR_CLOSED;
        if (errno == ECONNRESET || errno == ECONNABORTED) {
            s->state = ST_RESET;
            return TVC_ERR_RESET;
        }
        return TVC_ERR_IO;
    }
}

int tvc_posix_recv(void *ctx, int sock, uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct tvc_posix_sock *s = slot(ctx, sock);
    ssize_t n;
    int r;

    /* len 0 is refused: recv() would return 0, which means end of stream. */
    if (s == NULL || (s->state != ST_CONNECTED && s->state != ST_RESET) || buf == NULL ||
        len == 0)
        return TVC_ERR_ARG;
    if (s->state == ST_RESET)
        return TVC_ERR_RESET;
    if (len > INT_MAX)
        len = INT_MAX;

    r = wait_fd(s->fd, POLLIN, wait_ms);
    if (r < 0)
        return TVC_ERR_IO;
    if (r == 0)
        return TVC_ERR_AGAIN;
    for (;;) {
        n = recv(s->fd, buf, len, 0);
        if (n >= 0)
            return (int)n;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return TVC_ERR_AGAIN;
        if (errno == EINTR)
            continue;
        if (errno == ECONNRESET || errno == ECONNABORTED) {
            s->state = ST_RESET;
            return TVC_ERR_RESET;
        }
        return TVC_ERR_IO;
    }
}

void tvc_posix_close(void *ctx, int sock)
{
    struct tvc_posix_sock *s = slot(ctx, sock);

    if (s == NULL)
        return;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->state = ST_FREE;
}
