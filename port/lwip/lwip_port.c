/* libtvc port over lwIP's raw TCP API (NO_SYS=1).  See tvc_lwip.h and
 * port/README.md; include/tvc_port.h is the contract. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lwip/dns.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"

#include "tvc_lwip.h"

enum {
    ST_CONNECTING = 1, /* tcp_connect() of addr[cur] pending */
    ST_FAILED_ONE,     /* that attempt failed (err callback); try the next */
    ST_CONNECTED,
    ST_CONNECT_FAILED, /* every address failed: sticky TVC_ERR_CONNECT */
    ST_DEAD            /* was connected; lwIP freed the pcb (err holds why) */
};

void tvc_lwip_service(struct tvc_lwip *lw)
{
    if (lw->poll != NULL)
        lw->poll(lw->board);
    sys_check_timeouts();
}

static uint64_t now64(struct tvc_lwip *lw)
{
    uint32_t t = sys_now();
    if (t < lw->last_now_)
        lw->wraps_++;
    lw->last_now_ = t;
    return ((uint64_t)lw->wraps_ << 32) | t;
}

static uint64_t lw_now_ms(void *ctx)
{
    return now64(ctx);
}

static int lw_entropy(void *ctx, uint8_t *buf, size_t len)
{
    struct tvc_lwip *lw = ctx;
    if (lw->entropy == NULL)
        return TVC_ERR_ENTROPY;
    return lw->entropy(lw->board, buf, len) == 0 ? 0 : TVC_ERR_ENTROPY;
}

static struct tvc_lwip_sock *sock_get(struct tvc_lwip *lw, int sock)
{
    if (sock < 0 || sock >= TVC_LWIP_MAX_SOCKS || !lw->s[sock].used)
        return NULL;
    return &lw->s[sock];
}

/* ---- lwIP callbacks (arg is the slot) ---------------------------------- */

static err_t cb_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct tvc_lwip_sock *s = arg;
    (void)pcb;
    (void)err; /* always ERR_OK in lwIP 2.1; failures come through cb_err */
    if (s != NULL)
        s->state = ST_CONNECTED;
    return ERR_OK;
}

/* The pcb is already freed when this runs. */
static void cb_err(void *arg, err_t err)
{
    struct tvc_lwip_sock *s = arg;
    if (s == NULL)
        return;
    s->pcb = NULL;
    if (s->state == ST_CONNECTING) {
        s->state = ST_FAILED_ONE;
        return;
    }
    s->state = ST_DEAD;
    if (err == ERR_RST || err == ERR_ABRT)
        s->err = TVC_ERR_RESET;
    else if (err == ERR_CLSD || err == ERR_CONN)
        s->err = TVC_ERR_CLOSED;
    else
        s->err = TVC_ERR_IO;
}

static err_t cb_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct tvc_lwip_sock *s = arg;
    (void)pcb;
    if (p == NULL) {
        if (s != NULL)
            s->fin = 1;
        return ERR_OK;
    }
    if (s == NULL || err != ERR_OK) {
        pbuf_free(p);
        return ERR_OK;
    }
    if (s->rxq == NULL)
        s->rxq = p;
    else
        pbuf_cat(s->rxq, p);
    return ERR_OK;
}

static void detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
}

/* ---- connect ------------------------------------------------------------ */

/* Start a connection to s->addr[s->cur]; 0 started, else -1 (no pcb, no route). */
static int attempt(struct tvc_lwip_sock *s)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(IP_GET_TYPE(&s->addr[s->cur]));
    if (pcb == NULL)
        return -1;
    tcp_arg(pcb, s);
    tcp_err(pcb, cb_err);
    tcp_recv(pcb, cb_recv);
    tcp_nagle_disable(pcb);
    s->pcb = pcb;
    s->state = ST_CONNECTING;
    s->attempt_start = now64(s->owner);
    if (tcp_connect(pcb, &s->addr[s->cur], s->port, cb_connected) != ERR_OK) {
        detach(pcb);
        tcp_abort(pcb); /* not yet connected: frees it, sends nothing */
        s->pcb = NULL;
        s->state = ST_FAILED_ONE;
        return -1;
    }
    return 0;
}

/* Start the first address from s->cur on that can be started. */
static int attempt_from(struct tvc_lwip_sock *s)
{
    for (; s->cur < s->naddr; s->cur++)
        if (attempt(s) == 0)
            return 0;
    s->state = ST_CONNECT_FAILED;
    return -1;
}

static int host_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return *a == *b;
}

#if LWIP_DNS
static void cb_dns(const char *name, const ip_addr_t *addr, void *arg)
{
    struct tvc_lwip *lw = arg;
    /* a late answer to a lookup connect() gave up on is ignored */
    if (lw->dns_host_ == NULL || !host_eq(name, lw->dns_host_))
        return;
    lw->dns_done_ = 1;
    lw->dns_ok_ = addr != NULL;
    if (addr != NULL)
        ip_addr_copy(lw->dns_addr_, *addr);
}

static int dns_wait(struct tvc_lwip *lw, const char *host, ip_addr_t *out)
{
    uint64_t end;
    err_t e;

    lw->dns_host_ = host;
    lw->dns_done_ = lw->dns_ok_ = 0;
    e = dns_gethostbyname(host, out, cb_dns, lw);
    if (e == ERR_OK) {
        lw->dns_host_ = NULL;
        return 0;
    }
    if (e != ERR_INPROGRESS) {
        lw->dns_host_ = NULL;
        return -1;
    }
    end = now64(lw) + TVC_LWIP_DNS_WAIT_MS;
    while (!lw->dns_done_ && now64(lw) < end)
        tvc_lwip_service(lw);
    lw->dns_host_ = NULL;
    if (!lw->dns_done_ || !lw->dns_ok_)
        return -1;
    ip_addr_copy(*out, lw->dns_addr_);
    return 0;
}
#endif

static int lw_connect(void *ctx, const char *host, uint16_t port)
{
    struct tvc_lwip *lw = ctx;
    struct tvc_lwip_sock *s;
    unsigned i;
    int k;

    if (host == NULL || port == 0)
        return TVC_ERR_ARG;
    for (k = 0; k < TVC_LWIP_MAX_SOCKS && lw->s[k].used; k++)
        ;
    if (k == TVC_LWIP_MAX_SOCKS)
        return TVC_ERR_NOSPACE;
    s = &lw->s[k];
    memset(s, 0, sizeof *s);
    s->owner = lw;
    s->port = port;

    for (i = 0; i < lw->nres && s->naddr < TVC_LWIP_MAX_ADDRS; i++)
        if (lw->res[i].port == port && host_eq(lw->res[i].host, host))
            ip_addr_copy(s->addr[s->naddr++], lw->res[i].addr);
    if (s->naddr == 0) {
        if (ipaddr_aton(host, &s->addr[0]))
            s->naddr = 1;
#if LWIP_DNS
        else if (dns_wait(lw, host, &s->addr[0]) == 0)
            s->naddr = 1;
#endif
        else
            return TVC_ERR_DNS;
    }
    s->used = 1;
    if (attempt_from(s) != 0) {
        s->used = 0;
        return TVC_ERR_CONNECT;
    }
    return k;
}

static int lw_connect_poll(void *ctx, int sock, uint32_t wait_ms)
{
    struct tvc_lwip *lw = ctx;
    struct tvc_lwip_sock *s = sock_get(lw, sock);
    uint64_t end;

    if (s == NULL)
        return TVC_ERR_ARG;
    end = now64(lw) + wait_ms;
    for (;;) {
        tvc_lwip_service(lw);
        if (s->state == ST_CONNECTING && lw->attempt_ms != 0 && s->cur + 1 < s->naddr &&
            now64(lw) - s->attempt_start >= lw->attempt_ms) {
            /* this address is silent: drop it, try the next */
            detach(s->pcb);
            tcp_abort(s->pcb);
            s->pcb = NULL;
            s->state = ST_FAILED_ONE;
        }
        if (s->state == ST_FAILED_ONE) {
            s->cur++;
            (void)attempt_from(s);
        }
        switch (s->state) {
        case ST_CONNECTED:
        case ST_DEAD: /* connected, then lost: send/recv report it */
            return 0;
        case ST_CONNECT_FAILED:
            return TVC_ERR_CONNECT;
        default:
            break;
        }
        if (now64(lw) >= end)
            return TVC_ERR_AGAIN;
    }
}

/* ---- send / recv --------------------------------------------------------- */

static int lw_send(void *ctx, int sock, const uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct tvc_lwip *lw = ctx;
    struct tvc_lwip_sock *s = sock_get(lw, sock);
    uint64_t end;
    size_t room;
    int serviced = 0;
    err_t e;

    if (s == NULL || (buf == NULL && len > 0))
        return TVC_ERR_ARG;
    if (len == 0)
        return 0;
    end = now64(lw) + wait_ms;
    for (;;) {
        if (s->state != ST_CONNECTED || s->pcb == NULL)
            return s->err != 0 ? s->err : (s->state == ST_DEAD ? TVC_ERR_CLOSED : TVC_ERR_ARG);
        room = tcp_sndbuf(s->pcb);
        if (tcp_sndqueuelen(s->pcb) >= TCP_SND_QUEUELEN)
            room = 0;
        if (room > 0) {
            if (room > len)
                room = len;
            if (room > 0xffffu)
                room = 0xffffu;
            e = tcp_write(s->pcb, buf, (u16_t)room, TCP_WRITE_FLAG_COPY);
            if (e == ERR_OK) {
                (void)tcp_output(s->pcb);
                return (int)room;
            }
            if (e != ERR_MEM)
                return e == ERR_CONN || e == ERR_CLSD ? TVC_ERR_CLOSED : TVC_ERR_IO;
            /* ERR_MEM: no segment or heap now; wait for ACKs to free some */
        }
        (void)tcp_output(s->pcb);
        /* wait_ms 0 still takes in what arrived (ACKs opening room):
         * nothing else runs lwIP. */
        if (serviced && now64(lw) >= end)
            return TVC_ERR_AGAIN;
        tvc_lwip_service(lw);
        serviced = 1;
    }
}

static int lw_recv(void *ctx, int sock, uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct tvc_lwip *lw = ctx;
    struct tvc_lwip_sock *s = sock_get(lw, sock);
    uint64_t end;
    int serviced = 0;
    u16_t n;

    if (s == NULL || buf == NULL || len == 0)
        return TVC_ERR_ARG;
    if (s->state != ST_CONNECTED && s->state != ST_DEAD)
        return TVC_ERR_ARG;
    end = now64(lw) + wait_ms;
    for (;;) {
        if (s->rxq != NULL) {
            n = s->rxq->tot_len;
            if (len < n)
                n = (u16_t)len;
            n = pbuf_copy_partial(s->rxq, buf, n, 0);
            s->rxq = pbuf_free_header(s->rxq, n);
            if (s->pcb != NULL)
                tcp_recved(s->pcb, n);
            return (int)n;
        }
        if (s->err != 0)
            return s->err;
        if (s->fin)
            return 0;
        if (s->pcb == NULL)
            return TVC_ERR_IO;
        /* wait_ms 0 still looks at what arrived: nothing else runs lwIP. */
        if (serviced && now64(lw) >= end)
            return TVC_ERR_AGAIN;
        tvc_lwip_service(lw);
        serviced = 1;
    }
}

static void lw_close(void *ctx, int sock)
{
    struct tvc_lwip *lw = ctx;
    struct tvc_lwip_sock *s = sock_get(lw, sock);

    if (s == NULL)
        return;
    if (s->pcb != NULL) {
        detach(s->pcb);
        /* No lingering: with data still unsent or unacknowledged (a peer
         * that stopped reading) a graceful close would keep the pcb, one
         * of MEMP_NUM_TCP_PCB, for minutes; abort frees it now. */
        if (s->state != ST_CONNECTED || s->pcb->unsent != NULL || s->pcb->unacked != NULL ||
            tcp_close(s->pcb) != ERR_OK)
            tcp_abort(s->pcb);
        s->pcb = NULL;
    }
    if (s->rxq != NULL)
        pbuf_free(s->rxq);
    memset(s, 0, sizeof *s);
}

/* ---- set-up ---------------------------------------------------------------- */

int tvc_lwip_resolve_add(struct tvc_lwip *lw, const char *spec)
{
    const char *c1, *c2, *p, *e;
    char addr[48];
    unsigned long port = 0;
    unsigned start;
    size_t hl;

    if (lw == NULL || spec == NULL)
        return TVC_ERR_ARG;
    c1 = strchr(spec, ':');
    if (c1 == NULL || c1 == spec || (size_t)(c1 - spec) >= TVC_LWIP_HOST_MAX)
        return TVC_ERR_ARG;
    hl = (size_t)(c1 - spec);
    for (p = c1 + 1; *p >= '0' && *p <= '9'; p++) {
        port = port * 10 + (unsigned long)(*p - '0');
        if (port > 65535)
            return TVC_ERR_ARG;
    }
    c2 = p;
    if (c2 == c1 + 1 || *c2 != ':' || port == 0)
        return TVC_ERR_ARG;
    start = lw->nres;
    for (p = c2 + 1;; p = e + 1) {
        e = strchr(p, ',');
        if (e == NULL)
            e = p + strlen(p);
        if (e == p || (size_t)(e - p) >= sizeof addr)
            goto bad;
        memcpy(addr, p, (size_t)(e - p));
        addr[e - p] = '\0';
        if (lw->nres == TVC_LWIP_MAX_RESOLVE) {
            lw->nres = start;
            return TVC_ERR_NOSPACE;
        }
        if (!ipaddr_aton(addr, &lw->res[lw->nres].addr))
            goto bad;
        memcpy(lw->res[lw->nres].host, spec, hl);
        lw->res[lw->nres].host[hl] = '\0';
        lw->res[lw->nres].port = (uint16_t)port;
        lw->nres++;

        if (*e == '\0')
            break;
    }
    return 0;
bad:
    lw->nres = start;
    return TVC_ERR_ARG;
}

void tvc_lwip_init(struct tvc_lwip *lw, struct tvc_port *port, void (*poll)(void *board),
                   void *board, int (*entropy)(void *board, uint8_t *buf, size_t len))
{
    memset(lw, 0, sizeof *lw);
    lw->poll = poll;
    lw->board = board;
    lw->entropy = entropy;
    lw->attempt_ms = TVC_LWIP_ATTEMPT_MS;
    lw->last_now_ = sys_now();

    memset(port, 0, sizeof *port); /* wall_time and storage stay NULL */
    port->version = TVC_PORT_VERSION;
    port->ctx = lw;
    port->connect = lw_connect;
    port->connect_poll = lw_connect_poll;
    port->send = lw_send;
    port->recv = lw_recv;
    port->close = lw_close;
    port->now_ms = lw_now_ms;
    port->entropy = lw_entropy;
}
