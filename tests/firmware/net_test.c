/* Network test image for the Cortex-M4 (QEMU mps2-an386): the LAN9118
 * driver, the lwIP netif and libtvc's lwIP port (port/lwip), end to end
 * through QEMU's user-mode network to a server on the host's loopback
 * (tests/firmware/net_server.py, reached at 10.0.2.2).
 *
 * Command line (QEMU -append): "PORT CLOSED_PORT" — the server's port and
 * a port on which nothing listens.  Prints one line per case, what it
 * received ("big: bytes=N crc32=X", checked by the script against the
 * file), and a closing "N passed, N failed"; exits 0 only when all passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "netif_lan9118.h"
#include "tvc_http.h"
#include "tvc_lwip.h"
#include "tvc_port.h"

int main(void);

static int passed, failed;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (ok)
        passed++;
    else
        failed++;
}

/* CRC-32 (IEEE 802.3, as zlib's crc32), four bits at a time. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    static const uint32_t t[16] = {
        0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
        0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
        0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu};
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        crc = (crc >> 4) ^ t[crc & 15u];
        crc = (crc >> 4) ^ t[crc & 15u];
    }
    return ~crc;
}

struct sink {
    uint64_t bytes;
    uint32_t crc;
};

static int on_body(void *user, const uint8_t *d, size_t n)
{
    struct sink *s = user;
    s->bytes += n;
    s->crc = crc32_update(s->crc, d, n);
    return 0;
}

static struct netif_lan9118 nl;
static struct tvc_lwip lw;
static struct tvc_port port;
static struct tvc_http_client client;
static char hdr_buf[TVC_HTTP_HEADER_BUF];
static uint8_t io_buf[TVC_HTTP_IO_BUF];

static int get(const char *url, struct sink *s, unsigned flags)
{
    struct tvc_http_req rq;
    memset(&rq, 0, sizeof rq);
    memset(s, 0, sizeof *s);
    rq.method = "GET";
    rq.url = url;
    rq.flags = flags;
    rq.on_body = on_body;
    rq.user = s;
    return tvc_http_request(&client, &rq);
}

/* Port-level cases on a raw connection: connect, AGAIN after wait_ms on
 * silence, a request, data then 0 at the peer's FIN. */
static void raw_cases(uint16_t srv)
{
    static const char req[] = "GET /small.txt HTTP/1.0\r\nHost: x\r\n\r\n";
    uint8_t buf[512];
    uint64_t t0, dt;
    int sock, rc, got = 0, n;

    sock = port.connect(port.ctx, "10.0.2.2", srv);
    check(sock >= 0, "port: connect to an IP literal starts");
    if (sock < 0)
        return;
    t0 = port.now_ms(port.ctx);
    do
        rc = port.connect_poll(port.ctx, sock, 100);
    while (rc == TVC_ERR_AGAIN && port.now_ms(port.ctx) - t0 < 5000);
    check(rc == 0, "port: connect_poll completes");
    t0 = port.now_ms(port.ctx);
    rc = port.recv(port.ctx, sock, buf, sizeof buf, 300);
    dt = port.now_ms(port.ctx) - t0;
    printf("     recv on silence: %d after %lu ms\n", rc, (unsigned long)dt);
    check(rc == TVC_ERR_AGAIN && dt >= 300 && dt < 1000, "port: recv returns AGAIN after wait_ms");
    rc = port.send(port.ctx, sock, (const uint8_t *)req, sizeof req - 1, 1000);
    check(rc == (int)sizeof req - 1, "port: send queues the request");
    t0 = port.now_ms(port.ctx);
    for (;;) {
        n = port.recv(port.ctx, sock, buf, sizeof buf, 200);
        if (n > 0)
            got += n;
        else if (n != TVC_ERR_AGAIN || port.now_ms(port.ctx) - t0 > 5000)
            break;
    }
    printf("     response: %d bytes, then %d\n", got, n);
    check(got > 0 && n == 0, "port: data, then 0 at the peer's FIN");
    check(port.recv(port.ctx, sock, buf, sizeof buf, 0) == 0, "port: 0 again after the FIN");
    port.close(port.ctx, sock);
    port.close(port.ctx, sock); /* twice is harmless */

    /* the server resets the connection (SO_LINGER 0) */
    sock = port.connect(port.ctx, "10.0.2.2", srv);
    t0 = port.now_ms(port.ctx);
    do
        rc = port.connect_poll(port.ctx, sock, 100);
    while (sock >= 0 && rc == TVC_ERR_AGAIN && port.now_ms(port.ctx) - t0 < 5000);
    if (sock >= 0 && rc == 0) {
        static const char rst[] = "GET /reset HTTP/1.1\r\nHost: x\r\n\r\n";
        (void)port.send(port.ctx, sock, (const uint8_t *)rst, sizeof rst - 1, 1000);
        t0 = port.now_ms(port.ctx);
        do
            n = port.recv(port.ctx, sock, buf, sizeof buf, 200);
        while ((n == TVC_ERR_AGAIN || n > 0) && port.now_ms(port.ctx) - t0 < 5000);
        printf("     after the server's reset: %d\n", n);
        check(n == TVC_ERR_RESET, "port: RESET after the peer's abortive close");
        check(port.recv(port.ctx, sock, buf, sizeof buf, 0) == TVC_ERR_RESET, "port: RESET again");
        check(port.send(port.ctx, sock, buf, 1, 0) == TVC_ERR_RESET, "port: send after the reset fails");
    } else {
        check(0, "port: connect for the reset case");
    }
    port.close(port.ctx, sock);
}

/* Names, handles and addresses: no DNS server is set, so an unknown name
 * fails in connect(); the socket table is full at TVC_LWIP_MAX_SOCKS; a
 * silent first address (no host answers ARP for 10.0.2.99) is dropped
 * after attempt_ms and the second one connects. */
static void table_cases(uint16_t srv)
{
    char spec[64];
    int socks[TVC_LWIP_MAX_SOCKS], i, sock, rc;
    uint64_t t0, dt;

    t0 = port.now_ms(port.ctx);
    rc = port.connect(port.ctx, "no-such-host.invalid", srv);
    check(rc == TVC_ERR_DNS && port.now_ms(port.ctx) - t0 < 1000,
          "port: a name neither in the table nor in DNS gives TVC_ERR_DNS");

    for (i = 0; i < TVC_LWIP_MAX_SOCKS; i++)
        socks[i] = port.connect(port.ctx, "10.0.2.2", srv);
    rc = port.connect(port.ctx, "10.0.2.2", srv);
    check(socks[0] >= 0 && socks[TVC_LWIP_MAX_SOCKS - 1] >= 0 && rc == TVC_ERR_NOSPACE,
          "port: TVC_ERR_NOSPACE when every handle is in use");
    for (i = 0; i < TVC_LWIP_MAX_SOCKS; i++)
        port.close(port.ctx, socks[i]);

    snprintf(spec, sizeof spec, "two.test:%u:10.0.2.99,10.0.2.2", (unsigned)srv);
    check(tvc_lwip_resolve_add(&lw, spec) == 0, "port: resolve entry with two addresses");
    lw.attempt_ms = 500;
    t0 = port.now_ms(port.ctx);
    sock = port.connect(port.ctx, "two.test", srv);
    do
        rc = port.connect_poll(port.ctx, sock, 100);
    while (sock >= 0 && rc == TVC_ERR_AGAIN && port.now_ms(port.ctx) - t0 < 5000);
    dt = port.now_ms(port.ctx) - t0;
    printf("     two addresses: %d after %lu ms\n", rc, (unsigned long)dt);
    check(sock >= 0 && rc == 0 && dt >= 500 && dt < 3000,
          "port: a silent first address is dropped after attempt_ms, the second connects");
    port.close(port.ctx, sock);
    lw.attempt_ms = TVC_LWIP_ATTEMPT_MS;
}

int main(void)
{
    static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    char cmd[128], url[96];
    const char *a;
    unsigned long srv = 0, closed = 0;
    ip4_addr_t ip, mask, gw;
    struct sink s;
    uint32_t t0, ms;
    int rc;

    printf("libtvc network test on mps2-an386 (LAN9118, lwIP %s)\n", LWIP_VERSION_STRING);
    /* the command line is "<image> PORT CLOSED_PORT" */
    if (board_cmdline(cmd, sizeof cmd) > 0 && (a = strchr(cmd, ' ')) != NULL) {
        srv = strtoul(a, NULL, 10);
        a = strchr(a + 1, ' ');
        if (a != NULL)
            closed = strtoul(a, NULL, 10);
    }
    if (srv == 0 || srv > 65535 || closed == 0 || closed > 65535) {
        printf("usage: -append \"PORT CLOSED_PORT\"\n0 passed, 1 failed\n");
        return 2;
    }

    lwip_init();
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    rc = netif_lan9118_add(&nl, LAN9118_MPS2_BASE, mac, &ip, &mask, &gw);
    check(rc == 0, "lan9118: reset, MAC address, PHY, netif up");
    if (rc != 0)
        goto out;
    check(lan9118_link_up(&nl.dev), "lan9118: PHY reports link");

    tvc_lwip_init(&lw, &port, netif_lan9118_poll_hook, &nl, NULL);
    check(tvc_port_check(&port) == 0, "port: tvc_port_check");
    check(tvc_lwip_resolve_add(&lw, "files.test:99999:10.0.2.2") == TVC_ERR_ARG,
          "port: resolve entry with a bad port refused");
    snprintf(cmd, sizeof cmd, "files.test:%lu:10.0.2.2", srv);
    check(tvc_lwip_resolve_add(&lw, cmd) == 0, "port: resolve entry added");
    tvc_http_client_init(&client, &port, NULL, hdr_buf, sizeof hdr_buf, io_buf, sizeof io_buf);

    raw_cases((uint16_t)srv);
    table_cases((uint16_t)srv);

    /* 1: a ~1 MB file with Content-Length, through the resolve table */
    snprintf(url, sizeof url, "http://files.test:%lu/big.bin", srv);
    t0 = board_millis();
    rc = get(url, &s, 0);
    ms = board_millis() - t0;
    printf("big: rc=%d status=%u bytes=%lu crc32=%08lx ms=%lu\n", rc, (unsigned)client.resp.status,
           (unsigned long)s.bytes, (unsigned long)s.crc, (unsigned long)ms);
    check(rc == 0 && client.resp.status == 200 && client.resp.content_length == (int64_t)s.bytes &&
              s.bytes > 0,
          "http: GET of the big file, Content-Length bytes received");

    /* 2: chunked, on the same kept-alive connection */
    snprintf(url, sizeof url, "http://files.test:%lu/chunked.bin", srv);
    t0 = board_millis();
    rc = get(url, &s, 0);
    ms = board_millis() - t0;
    printf("chunked: rc=%d status=%u bytes=%lu crc32=%08lx ms=%lu connects=%lu uses=%lu\n", rc,
           (unsigned)client.resp.status, (unsigned long)s.bytes, (unsigned long)s.crc,
           (unsigned long)ms, (unsigned long)client.connects, (unsigned long)client.conn_uses);
    check(rc == 0 && client.resp.status == 200 && client.resp.chunked && s.bytes > 0,
          "http: chunked GET");
    check(client.connects == 1, "http: second request on the kept-alive connection");
    tvc_http_client_close(&client);

    /* 3: nothing listens: TVC_ERR_CONNECT, quickly */
    snprintf(url, sizeof url, "http://10.0.2.2:%lu/", closed);
    t0 = board_millis();
    rc = get(url, &s, 0);
    ms = board_millis() - t0;
    printf("closed port: rc=%d after %lu ms\n", rc, (unsigned long)ms);
    check(rc == TVC_ERR_CONNECT && ms < 5000, "http: closed port gives TVC_ERR_CONNECT within 5 s");

out:
    printf("lan9118: rx %lu frames (%lu dropped, %lu errors, %lu no pbuf), tx %lu frames (%lu busy, %lu failed)\n",
           (unsigned long)nl.dev.rx_frames, (unsigned long)nl.dev.rx_dropped,
           (unsigned long)nl.dev.rx_errors, (unsigned long)nl.rx_nopbuf,
           (unsigned long)nl.dev.tx_frames, (unsigned long)nl.dev.tx_busy, (unsigned long)nl.tx_fail);
    printf("stack high-water: %lu of %lu bytes\n", (unsigned long)board_stack_used(),
           (unsigned long)board_stack_size());
    printf("%d passed, %d failed\n", passed, failed);
    fflush(stdout);
    return failed ? 1 : 0;
}
