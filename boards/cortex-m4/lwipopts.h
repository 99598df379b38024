/*
 * lwIP 2.1.3 options for the cortex-m4 board: no OS (NO_SYS=1), the raw
 * TCP API only, IPv4 over Ethernet, a DNS client; sized for one TLS
 * connection at a time.  Used by boards/cortex-m4/mbedtls.mk (make lwip)
 * and by every file that includes an lwIP header.
 *
 * The board provides sys_now() (milliseconds, for the timeouts) and what
 * lwip/arch/cc.h names (a random number for DNS, the assert hook).
 */
#ifndef TVC_BOARD_LWIPOPTS_H
#define TVC_BOARD_LWIPOPTS_H

/* ---- No OS, raw API only ---------------------------------------------- */
#define NO_SYS                    1
#define SYS_LIGHTWEIGHT_PROT      0    /* one super loop, no interrupts into lwIP */
#define LWIP_SOCKET               0
#define LWIP_NETCONN              0
#define LWIP_TIMERS               1    /* sys_check_timeouts() from the loop */

/* ---- Protocols --------------------------------------------------------- */
#define LWIP_IPV4                 1
#define LWIP_IPV6                 0
#define LWIP_ARP                  1
#define LWIP_ETHERNET             1
#define LWIP_ICMP                 1
#define LWIP_RAW                  0
#define LWIP_UDP                  1    /* for DNS */
#define LWIP_TCP                  1
#define LWIP_IGMP                 0
#define LWIP_AUTOIP               0
/* Static addressing: under QEMU's user network the guest is 10.0.2.15/24,
 * gateway (and the host) 10.0.2.2, DNS 10.0.2.3; the board sets them. */
#define LWIP_DHCP                 0
#define LWIP_DNS                  1
#define DNS_TABLE_SIZE            2
#define DNS_MAX_SERVERS           1
#define DNS_MAX_NAME_LENGTH       128
#define IP_REASSEMBLY             0    /* the TCP MSS keeps datagrams whole */
#define IP_FRAG                   0
#define LWIP_NETIF_TX_SINGLE_PBUF 1    /* one contiguous frame per send: simple drivers */

/* ---- TCP ---------------------------------------------------------------
 * A server sends 16 KB TLS records, but the window need not hold a whole
 * one: the port moves received data on into mbedTLS's 16 KB input buffer
 * and calls tcp_recved(), reopening the window, so a record streams
 * through a 4-segment window.  The pbuf pool only has to cover that
 * window.  The MSS is the classic 536 bytes: every received frame takes at
 * least one pool buffer of the MSS's size whatever its length, so a small
 * MSS keeps the pool (and the window) small; the flow's 300 KB video
 * still comes in well under a second of QEMU time.  The client's own
 * records are at most 1 KB (MBEDTLS_SSL_OUT_CONTENT_LEN); a send larger
 * than TCP_SND_BUF goes out in parts, as the port's send returns how much
 * it took. */
#define TCP_MSS                   536
#define TCP_WND                   (4 * TCP_MSS)
#define TCP_SND_BUF               (2 * TCP_MSS)
#define TCP_SND_QUEUELEN          (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_QUEUE_OOSEQ           0    /* no out-of-order queue: RAM over speed */
#define LWIP_TCP_KEEPALIVE        0
#define LWIP_ALTCP                0

/* ---- Memory: a small heap for outgoing data, pools for the rest -------- */
#define MEM_ALIGNMENT             4
/* The heap holds the outgoing TCP segments (TCP_SND_BUF of data, copied,
 * with their headers and pbufs: about 1.3 KB), empty ACKs, DNS queries and
 * a packet waiting for ARP.  When it is short, tcp_write() says ERR_MEM
 * and the port's send waits for ACKs to free some. */
#define MEM_SIZE                  (TCP_SND_BUF + 768)
#define MEMP_NUM_PBUF             4
#define MEMP_NUM_RAW_PCB          0
#define MEMP_NUM_UDP_PCB          1
#define MEMP_NUM_TCP_PCB          2    /* the connection, and one in TIME-WAIT */
#define MEMP_NUM_TCP_PCB_LISTEN   1
#define MEMP_NUM_TCP_SEG          (TCP_SND_QUEUELEN + 2)
#define MEMP_NUM_ARP_QUEUE        2
#define ARP_TABLE_SIZE            2
/* A pool buffer holds TCP_MSS plus headers (592 bytes); a longer frame
 * takes a chain of them.  Not every sender keeps to the MSS the board
 * announces: QEMU's user network sends 1494-byte frames (3 buffers) all
 * the same.  The window (2144 bytes) bounds what is in flight to one full
 * frame and part of another, 5 buffers, and one more takes an ARP or an
 * ACK meanwhile.  (The flow runs with 0 frames dropped for want of a
 * buffer: the driver counts them, flow.c prints "no pbuf".) */
#define PBUF_POOL_SIZE            6

/* ---- Off: statistics, debug, extras ------------------------------------ */
#define LWIP_STATS                0
#define LWIP_NETIF_HOSTNAME       0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK  0
#define LWIP_HAVE_LOOPIF          0
#define LWIP_NETIF_LOOPBACK       0
#define LWIP_DEBUG_TIMERNAMES     0

#endif /* TVC_BOARD_LWIPOPTS_H */
