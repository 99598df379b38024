/* lwIP netif over the LAN9118 driver: linkoutput writes a pbuf chain as one
 * frame of several TX buffers; the poll copies each received frame into a
 * pbuf from the pool and hands it to ethernet_input.  Written against
 * lwIP 2.1's netif contract (netif.h, "Writing a network interface driver"
 * in its documentation). */
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#include "netif_lan9118.h"

/* Pieces one frame may come in or go out as (a pbuf chain's length). */
#define NL_PIECES 6
/* Frames moved per poll: bounds the time one poll takes. */
#define NL_RX_BUDGET 8
/* A full TX FIFO drains at line rate; wait this many tries before dropping. */
#define NL_TX_TRIES 10000u

static err_t nl_linkoutput(struct netif *netif, struct pbuf *p)
{
    struct netif_lan9118 *nl = netif->state;
    struct lan9118_piece pc[NL_PIECES];
    unsigned n = 0, tries;
    struct pbuf *q;

    for (q = p; q != NULL; q = q->next) {
        if (q->len == 0)
            continue;
        if (n == NL_PIECES) {
            nl->tx_fail++;
            return ERR_BUF;
        }
        pc[n].data = q->payload;
        pc[n].len = q->len;
        n++;
    }
    for (tries = 0; tries < NL_TX_TRIES; tries++)
        if (lan9118_send_pieces(&nl->dev, pc, n) == 0)
            return ERR_OK;
    nl->tx_fail++;
    return ERR_IF;
}

static err_t nl_init(struct netif *netif)
{
    struct netif_lan9118 *nl = netif->state;

    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->output = etharp_output;
    netif->linkoutput = nl_linkoutput;
    netif->mtu = 1500;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, nl->dev.mac, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

int netif_lan9118_add(struct netif_lan9118 *nl, uintptr_t base, const uint8_t mac[6],
                      const ip4_addr_t *ip, const ip4_addr_t *mask, const ip4_addr_t *gw)
{
    nl->rx_nopbuf = nl->tx_fail = 0;
    if (lan9118_init(&nl->dev, base, mac) != 0)
        return -1;
    if (netif_add(&nl->netif, ip, mask, gw, nl, nl_init, ethernet_input) == NULL)
        return -1;
    netif_set_default(&nl->netif);
    netif_set_up(&nl->netif);
    /* QEMU's PHY completes autonegotiation at once; a real one takes
     * seconds, and a board would poll lan9118_link_up() from its loop. */
    netif_set_link_up(&nl->netif);
    return 0;
}

int netif_lan9118_poll(struct netif_lan9118 *nl)
{
    struct lan9118_piece pc[NL_PIECES];
    struct pbuf *p, *q;
    size_t len;
    unsigned n;
    int got = 0;

    while (got < NL_RX_BUDGET && (len = lan9118_rx_peek(&nl->dev)) != 0) {
        p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        n = 0;
        for (q = p; q != NULL && n < NL_PIECES; q = q->next, n++) {
            pc[n].data = q->payload;
            pc[n].len = q->len;
        }
        if (p == NULL || q != NULL) {
            /* no pbuf (or an absurdly long chain): drop it, TCP resends */
            nl->rx_nopbuf++;
            lan9118_rx_take(&nl->dev, NULL);
            if (p != NULL)
                pbuf_free(p);
            got++;
            continue;
        }
        lan9118_rx_take_pieces(&nl->dev, pc, n);
        if (nl->netif.input(p, &nl->netif) != ERR_OK)
            pbuf_free(p);
        got++;
    }
    return got;
}

void netif_lan9118_poll_hook(void *board)
{
    (void)netif_lan9118_poll(board);
}
