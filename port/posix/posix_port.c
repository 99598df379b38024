/* POSIX port: filling struct tvc_port, and the resolve-override table. */
#define _DEFAULT_SOURCE

#include "posix_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

void tvc_posix_init(struct tvc_posix *px, struct tvc_port *port)
{
    unsigned i;

    memset(px, 0, sizeof *px);
    for (i = 0; i < TVC_POSIX_MAX_SOCKS; i++)
        px->socks[i].fd = -1;
    px->attempt_ms = TVC_POSIX_ATTEMPT_MS;

    memset(port, 0, sizeof *port);
    port->version = TVC_PORT_VERSION;
    port->ctx = px;
    port->connect = tvc_posix_connect;
    port->connect_poll = tvc_posix_connect_poll;
    port->send = tvc_posix_send;
    port->recv = tvc_posix_recv;
    port->close = tvc_posix_close;
    port->now_ms = tvc_posix_now_ms;
    port->entropy = tvc_posix_entropy;
    port->wall_time = tvc_posix_wall_time;
    port->file_open = tvc_posix_file_open;
    port->file_read = tvc_posix_file_read;
    port->file_write = tvc_posix_file_write;
    port->file_sync = tvc_posix_file_sync;
    port->file_close = tvc_posix_file_close;
    port->file_lock = tvc_posix_file_lock;
    port->file_size = tvc_posix_file_size;
    port->file_rename = tvc_posix_file_rename;
    port->file_remove = tvc_posix_file_remove;
    port->dir_sync = tvc_posix_dir_sync;
    port->dir_create = tvc_posix_dir_create;
    port->dir_list = tvc_posix_dir_list;
}

/* An IPv4 or IPv6 literal of exactly len bytes, the latter optionally in
 * brackets (then it must be IPv6). */
static int parse_ip(const char *s, size_t len, struct tvc_posix_addr *a)
{
    char buf[INET6_ADDRSTRLEN + 2];
    int bracketed = len >= 2 && s[0] == '[' && s[len - 1] == ']';

    if (bracketed) {
        s++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET6, buf, a->ip) == 1) {
        a->family = 6;
        return 0;
    }
    if (!bracketed && inet_pton(AF_INET, buf, a->ip) == 1) {
        a->family = 4;
        return 0;
    }
    return -1;
}

/* A name: printable ASCII without the characters the spec syntax uses. */
static int valid_name(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len >= TVC_HOST_MAX)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || c == '[' || c == ']' || c == ',' || c == '/')
            return 0;
    }
    return 1;
}

int tvc_posix_resolve_add(struct tvc_posix *px, const char *spec)
{
    const char *host, *p, *end;
    size_t hlen, cap, n = 0;
    unsigned long portnum = 0;
    int digits = 0, bad = 0;
    struct tvc_posix_addr a;

    if (px == NULL || spec == NULL || px->nresolve > TVC_POSIX_MAX_RESOLVE)
        return TVC_ERR_ARG;

    /* HOST */
    if (spec[0] == '[') {
        host = spec + 1;
        p = strchr(host, ']');
        if (p == NULL)
            return TVC_ERR_ARG;
        hlen = (size_t)(p - host);
        if (hlen >= TVC_HOST_MAX || parse_ip(spec, hlen + 2, &a) != 0)
            return TVC_ERR_ARG;
        p++;
    } else {
        host = spec;
        p = strchr(spec, ':');
        if (p == NULL)
            return TVC_ERR_ARG;
        hlen = (size_t)(p - host);
        if (!valid_name(host, hlen))
            return TVC_ERR_ARG;
    }
    if (*p++ != ':')
        return TVC_ERR_ARG;

    /* PORT */
    for (; *p >= '0' && *p <= '9'; p++) {
        if (++digits > 5)
            return TVC_ERR_ARG;
        portnum = portnum * 10 + (unsigned long)(*p - '0');
    }
    if (digits == 0 || portnum == 0 || portnum > 65535 || *p++ != ':')
        return TVC_ERR_ARG;

    /* ADDR[,ADDR...]: entries are written past nresolve and committed only
     * when the whole spec is valid and fits. */
    cap = TVC_POSIX_MAX_RESOLVE - px->nresolve;
    for (;;) {
        end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        if (parse_ip(p, (size_t)(end - p), &a) != 0) {
            bad = 1;
            break;
        }
        if (n < cap) {
            struct tvc_posix_resolve *r = &px->resolve[px->nresolve + n];
            memcpy(r->host, host, hlen);
            r->host[hlen] = '\0';
            r->port = (uint16_t)portnum;
            r->addr = a;
        }
        n++;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    if (bad)
        return TVC_ERR_ARG;
    if (n > cap)
        return TVC_ERR_NOSPACE;
    px->nresolve += (unsigned)n;
    return 0;
}

/* ASCII-only, so that the locale cannot change what matches. */
static int same_host(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + ('a' - 'A'));
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + ('a' - 'A'));
        if (x != y)
            return 0;
        if (x == '\0')
            return 1;
    }
}

size_t tvc_posix_resolve_lookup(const struct tvc_posix *px, const char *host, uint16_t port,
                                struct tvc_posix_addr *out, size_t max)
{
    size_t n = 0;
    unsigned i;

    for (i = 0; i < px->nresolve && i < TVC_POSIX_MAX_RESOLVE && n < max; i++)
        if (px->resolve[i].port == port && same_host(px->resolve[i].host, host))
            out[n++] = px->resolve[i].addr;
    return n;
}
