/* Plain TCP transport: the port's sockets, one connection at a time. */
#include "tvc_transport.h"

/* Port errors outside the documented set count as TVC_ERR_IO (tvc_port.h). */
static int net_err(int n)
{
    return (n == TVC_ERR_AGAIN || n == TVC_ERR_RESET || n == TVC_ERR_CLOSED) ? n : TVC_ERR_IO;
}

static int tcp_connect(void *ctx, const char *host, uint16_t port)
{
    struct tvc_tcp *t = ctx;
    int rc;

    if (t->sock_ >= 0)
        return TVC_ERR_STATE;
    rc = t->port_->connect(t->port_->ctx, host, port);
    if (rc < 0)
        return rc;
    t->sock_ = rc;
    return 0;
}

static int tcp_handshake(void *ctx, uint32_t wait_ms)
{
    struct tvc_tcp *t = ctx;

    if (t->sock_ < 0)
        return TVC_ERR_STATE;
    return t->port_->connect_poll(t->port_->ctx, t->sock_, wait_ms);
}

static int tcp_send(void *ctx, const uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct tvc_tcp *t = ctx;
    int n;

    if (t->sock_ < 0)
        return TVC_ERR_STATE;
    n = t->port_->send(t->port_->ctx, t->sock_, buf, len, wait_ms);
    if (n > 0 || (n == 0 && len == 0))
        return n;
    return n == 0 ? TVC_ERR_IO : net_err(n);
}

static int tcp_recv(void *ctx, uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct tvc_tcp *t = ctx;
    int n;

    if (t->sock_ < 0)
        return TVC_ERR_STATE;
    n = t->port_->recv(t->port_->ctx, t->sock_, buf, len, wait_ms);
    return n >= 0 ? n : net_err(n);
}

static void tcp_close(void *ctx)
{
    struct tvc_tcp *t = ctx;

    if (t->sock_ < 0)
        return;
    t->port_->close(t->port_->ctx, t->sock_);
    t->sock_ = -1;
}

static int tcp_clean_end(void *ctx)
{
    (void)ctx;
    return 1; /* a FIN is all plain TCP has */
}

void tvc_tcp_transport_init(struct tvc_transport *t, struct tvc_tcp *tcp,
                            const struct tvc_port *port)
{
    tcp->port_ = port;
    tcp->sock_ = -1;
    t->ctx = tcp;
    t->connect = tcp_connect;
    t->handshake = tcp_handshake;
    t->send = tcp_send;
    t->recv = tcp_recv;
    t->close = tcp_close;
    t->clean_end = tcp_clean_end;
    t->detail = NULL;
}
