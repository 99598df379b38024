/**
 * @file tvc_lwip.h
 * @brief libtvc port over lwIP's raw TCP API, for bare-metal (NO_SYS=1)
 * boards with an lwIP netif.
 *
 * There is no OS and no thread: lwIP only makes progress when the program
 * feeds it frames and runs its timers.  While a port function waits (up
 * to its wait_ms) it therefore calls the board's poll hook (which moves
 * received frames from the Ethernet or Wi-Fi driver into the netif) and
 * sys_check_timeouts(), over and over.  The board supplies:
 * - `sys_now()` (lwIP needs it anyway; the port's now_ms() extends it to
 *   64 bits);
 * - a poll hook, and an entropy hook (a TRNG; NULL: entropy fails).
 *
 * Names are resolved from a static table (tvc_lwip_resolve_add(), like the
 * CLI's --resolve), then as IP literals, then through lwIP's DNS client
 * when it is compiled in (LWIP_DNS), waited for inside connect().
 *
 * Storage members of the port are left NULL (a board adds its own file
 * store).  No heap: fixed tables here, lwIP's own pools for the rest.
 *
 * @code
 * static struct tvc_lwip lw;
 * struct tvc_port port;
 * tvc_lwip_init(&lw, &port, my_netif_poll, &my_netif, my_trng_read, NULL);
 * tvc_lwip_resolve_add(&lw, "api.example.com:443:192.0.2.7");
 * @endcode
 */
#ifndef TVC_LWIP_H
#define TVC_LWIP_H

#include "lwip/ip_addr.h"
#include "tvc_port.h"

#ifndef TVC_LWIP_MAX_SOCKS
#define TVC_LWIP_MAX_SOCKS 2 /**< connections open at once */
#endif
#ifndef TVC_LWIP_MAX_ADDRS
#define TVC_LWIP_MAX_ADDRS 4 /**< addresses one connect() tries, in order */
#endif
#ifndef TVC_LWIP_MAX_RESOLVE
#define TVC_LWIP_MAX_RESOLVE 4 /**< resolve-table entries (one address each) */
#endif
#ifndef TVC_LWIP_HOST_MAX
#define TVC_LWIP_HOST_MAX 64 /**< longest host name in the table, NUL included */
#endif
#ifndef TVC_LWIP_ATTEMPT_MS
#define TVC_LWIP_ATTEMPT_MS 3000 /**< time each address but the last gets */
#endif
#ifndef TVC_LWIP_DNS_WAIT_MS
#define TVC_LWIP_DNS_WAIT_MS 10000 /**< longest connect() waits for lwIP's DNS client */
#endif

struct tcp_pcb;
struct pbuf;

/** @brief One connection slot (private). */
struct tvc_lwip_sock {
    struct tvc_lwip *owner;
    struct tcp_pcb *pcb;   /* NULL once lwIP freed it or it was closed */
    struct pbuf *rxq;      /* received, not yet handed out */
    ip_addr_t addr[TVC_LWIP_MAX_ADDRS];
    uint64_t attempt_start;
    uint16_t port;
    uint8_t naddr, cur;
    uint8_t used;
    uint8_t state;         /* enum in lwip_port.c */
    uint8_t fin;           /* the peer's FIN arrived (behind rxq) */
    int err;               /* sticky failure after the connection was up, 0 none */
};

/** @brief The port's state: give it static storage; it must outlive its users. */
struct tvc_lwip {
    void (*poll)(void *board);
    int (*entropy)(void *board, uint8_t *buf, size_t len);
    void *board;
    uint32_t attempt_ms;   /**< TVC_LWIP_ATTEMPT_MS; 0 = no limit */
    uint32_t last_now_;
    uint32_t wraps_;
    struct tvc_lwip_sock s[TVC_LWIP_MAX_SOCKS];
    struct {
        char host[TVC_LWIP_HOST_MAX];
        uint16_t port;
        ip_addr_t addr;
    } res[TVC_LWIP_MAX_RESOLVE];
    unsigned nres;
    /* a DNS lookup in progress */
    const char *dns_host_;
    uint8_t dns_done_, dns_ok_;
    ip_addr_t dns_addr_;
};

/**
 * @brief Fill @p port (version, ctx, the network functions, now_ms,
 * entropy; wall_time and storage NULL) over @p lw.  lwip_init() and the
 * netif must be set up already.  Never fails.
 * @param poll    called while waiting, to move frames into lwIP; may be NULL
 * @param board   passed to @p poll and @p entropy
 * @param entropy fills a buffer from the board's TRNG, returns 0 or
 *                TVC_ERR_ENTROPY; NULL: the port's entropy() fails
 */
void tvc_lwip_init(struct tvc_lwip *lw, struct tvc_port *port, void (*poll)(void *board),
                   void *board, int (*entropy)(void *board, uint8_t *buf, size_t len));

/**
 * @brief Add a static resolve entry, `HOST:PORT:ADDR[,ADDR...]` (as curl's
 * --resolve; ADDR an IP literal lwIP parses).  Entries for the same
 * HOST:PORT add up, tried in order; when any matches, DNS is not asked.
 * @return 0; TVC_ERR_ARG (malformed); TVC_ERR_NOSPACE (table full: none added).
 */
int tvc_lwip_resolve_add(struct tvc_lwip *lw, const char *spec);

/** @brief Run the board's poll hook and lwIP's timers once (what waiting does). */
void tvc_lwip_service(struct tvc_lwip *lw);

#endif /* TVC_LWIP_H */
