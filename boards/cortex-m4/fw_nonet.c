/* A port's network half that refuses everything: see fw_nonet.h. */
#include "fw_nonet.h"

static int no_connect(void *ctx, const char *host, uint16_t p)
{
    (void)ctx, (void)host, (void)p;
    return TVC_ERR_CONNECT;
}

static int no_poll(void *ctx, int sock, uint32_t wait_ms)
{
    (void)ctx, (void)sock, (void)wait_ms;
    return TVC_ERR_CONNECT;
}

static int no_send(void *ctx, int sock, const uint8_t *buf, size_t len, uint32_t wait_ms)
{
    (void)ctx, (void)sock, (void)buf, (void)len, (void)wait_ms;
    return TVC_ERR_IO;
}

static int no_recv(void *ctx, int sock, uint8_t *buf, size_t len, uint32_t wait_ms)
{
    (void)ctx, (void)sock, (void)buf, (void)len, (void)wait_ms;
    return TVC_ERR_IO;
}

static void no_close(void *ctx, int sock)
{
    (void)ctx, (void)sock;
}

void fw_port_no_network(struct tvc_port *port)
{
    port->connect = no_connect;
    port->connect_poll = no_poll;
    port->send = no_send;
    port->recv = no_recv;
    port->close = no_close;
}
