/* The conformance kit's network half on the lwIP port (port/lwip), on the
 * emulated Cortex-M4 (QEMU mps2-an386, LAN9118 on QEMU's user network),
 * against tests/conformance/conf_peer.py on the host (reached at 10.0.2.2).
 *
 * Command line (QEMU -append): "PORT REFUSE_PORT" — the peer's command port
 * and a port where nothing listens.  The kit prints one line per case and
 * "N passed, N failed"; exits 0 only when all passed.  Storage is not part
 * of the lwIP port (its members are NULL): those cases are not run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "netif_lan9118.h"
#include "tvc_conformance.h"
#include "tvc_lwip.h"

int main(void);

static struct netif_lan9118 nl;
static struct tvc_lwip lw;
static struct tvc_port port;

/* Entropy for the emulation only: the host's /dev/urandom, read through
 * semihosting (BKPT 0xAB: SYS_OPEN 0x01, SYS_READ 0x06).  A real board
 * reads its TRNG here. */
static int32_t semihost(uint32_t op, void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

static int host_random(void *user, uint8_t *buf, size_t len)
{
    static int32_t fd = -1;
    static char name[] = "/dev/urandom";
    uint32_t args[3];
    int32_t left;

    (void)user;
    if (fd < 0) {
        args[0] = (uint32_t)(uintptr_t)name;
        args[1] = 1; /* "rb" */
        args[2] = (uint32_t)(sizeof name - 1);
        fd = semihost(0x01, args);
        if (fd < 0)
            return TVC_ERR_ENTROPY;
    }
    while (len > 0) {
        args[0] = (uint32_t)fd;
        args[1] = (uint32_t)(uintptr_t)buf;
        args[2] = (uint32_t)len;
        left = semihost(0x06, args); /* bytes NOT read */
        if (left < 0 || (size_t)left >= len)
            return TVC_ERR_ENTROPY;
        buf += len - (size_t)left;
        len = (size_t)left;
    }
    return 0;
}

static void print_line(void *user, const char *line)
{
    (void)user;
    printf("%s\n", line);
}

int main(void)
{
    static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    struct tvc_conf_peer peer;
    struct tvc_conf_opts opts;
    ip4_addr_t ip, mask, gw;
    unsigned long srv = 0, refuse = 0;
    char cmd[128];
    const char *a;
    int failed;

    printf("libtvc port conformance, lwIP %s port on mps2-an386\n", LWIP_VERSION_STRING);
    /* the command line is "<image> PORT REFUSE_PORT" */
    if (board_cmdline(cmd, sizeof cmd) > 0 && (a = strchr(cmd, ' ')) != NULL) {
        srv = strtoul(a, NULL, 10);
        a = strchr(a + 1, ' ');
        if (a != NULL)
            refuse = strtoul(a, NULL, 10);
    }
    if (srv == 0 || srv > 65535 || refuse == 0 || refuse > 65535) {
        printf("usage: -append \"PORT REFUSE_PORT\"\n0 passed, 1 failed\n");
        return 2;
    }
    lwip_init();
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    if (netif_lan9118_add(&nl, LAN9118_MPS2_BASE, mac, &ip, &mask, &gw) != 0) {
        printf("lan9118: no netif\n0 passed, 1 failed\n");
        return 1;
    }
    tvc_lwip_init(&lw, &port, netif_lan9118_poll_hook, &nl, host_random);

    memset(&peer, 0, sizeof peer);
    peer.host = "10.0.2.2";
    peer.port = (uint16_t)srv;
    peer.refuse_port = (uint16_t)refuse;
    memset(&opts, 0, sizeof opts);
    opts.slack_ms = 1500; /* an emulated CPU on a shared host */
    opts.flags = TVC_CONF_NO_DNS; /* QEMU's DNS forwards to the host's resolver */
    opts.print = print_line;
    failed = tvc_conformance_run(&port, &peer, &opts, NULL);
    printf("stack high-water: %lu of %lu bytes\n", (unsigned long)board_stack_used(),
           (unsigned long)board_stack_size());
    fflush(stdout);
    return failed ? 1 : 0;
}
