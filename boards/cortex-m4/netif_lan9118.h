/* An lwIP netif over the polled LAN9118 driver (lan9118.h), for NO_SYS=1
 * builds: frames come in only when netif_lan9118_poll() is called (from
 * the super loop, or from a port's wait, e.g. port/lwip's poll hook). */
#ifndef TVC_BOARD_NETIF_LAN9118_H
#define TVC_BOARD_NETIF_LAN9118_H

#include "lan9118.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"

struct netif_lan9118 {
    struct netif netif;
    struct lan9118 dev;
    uint32_t rx_nopbuf; /* frames dropped: the pbuf pool was empty */
    uint32_t tx_fail;   /* frames lwIP handed over that could not be sent */
};

/* Reset the controller at @p base with @p mac, add it to lwIP as the
 * default netif with a static IPv4 address and set it up (link up).
 * lwip_init() must have run.  Returns 0, or -1 when the controller does
 * not answer or lwIP refuses the netif. */
int netif_lan9118_add(struct netif_lan9118 *nl, uintptr_t base, const uint8_t mac[6],
                      const ip4_addr_t *ip, const ip4_addr_t *mask, const ip4_addr_t *gw);

/* Move the frames waiting in the RX FIFO (at most a small fixed number per
 * call) into lwIP.  Returns how many were handed in. */
int netif_lan9118_poll(struct netif_lan9118 *nl);

/* The same, in the shape port/lwip's poll hook takes (board = the netif_lan9118). */
void netif_lan9118_poll_hook(void *board);

#endif
