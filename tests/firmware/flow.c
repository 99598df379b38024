/* The whole generate-and-poll flow on QEMU's mps2-an386 (Cortex-M4), no
 * OS: a super loop drives libtvc's job engine over TLS (mbedTLS 3.6,
 * certificate verification on) over lwIP's raw TCP API (port/lwip) on the
 * polled LAN9118, with the RAM file store (boards/cortex-m4/fw_store.c)
 * as the disk, against the bundled simulator on the host (10.0.2.2 from
 * QEMU's user-mode network).
 *
 * Command line (QEMU -append; tests/firmware/run_flow.sh builds it), words
 * key=value without spaces:
 *   seed=<hex>        entropy seed (emulation only: see fw_platform.c)
 *   ca=<file>         host file: PEM trust anchors (copied into the store)
 *   key=<file>        host file: the API key
 *   base=<url>        API base URL, e.g. https://api.sim.test:40001
 *   resolve=H:P:A     host-table entries (resolve, resolve2 ... resolve4)
 *   theme=<text>      ad theme ('_' stands for a space)
 *   duration=10|15, landscape=0|1, poll_ms=<ms>, deadline_ms=<ms>
 *
 * Prints progress, then "video sha256 <hex>" and "video bytes <n>", the
 * RAM figures, and exits (semihosting) with 0 on success, otherwise with
 * the negated libtvc error code (see fail()). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "board.h"
#include "fw_platform.h"
#include "fw_store.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/timeouts.h"
#include "netif_lan9118.h"
#include "tvc_job.h"
#include "tvc_lwip.h"
#include "tvc_tls.h"
#include "tvc_transport.h"

int main(void);

/* The store lives in the board's PSRAM: it stands for the flash a real
 * player would have, so it is not counted as RAM. */
extern char __psram_start[], __psram_end[];
#define STORE ((struct fw_store *)(void *)__psram_start)

static struct netif_lan9118 nl;
static struct tvc_lwip lw;
static struct tvc_port port;
static struct tvc_tls tls;
static struct tvc_transport https;
static mbedtls_sha256_context sha_ctx;
static struct tvc_hash sha;
static struct tvc_http_client http;
static char hdr_buf[TVC_HTTP_HEADER_BUF];
static uint8_t io_buf[TVC_HTTP_IO_BUF];
static struct tvc_journal journal;
static struct tvc_job job;
static char api_key[256];
static char theme[128];

/* A decimal argument (its leading digits; dflt without any). */
static unsigned long arg_ul(const char *key, unsigned long dflt)
{
    const char *v = fw_arg(key);
    unsigned long n = 0;

    if (v == NULL || *v < '0' || *v > '9')
        return dflt;
    while (*v >= '0' && *v <= '9' && n <= (0xFFFFFFFFul - 9u) / 10u)
        n = n * 10u + (unsigned long)(*v++ - '0');
    return n;
}

static void on_event(void *user, const struct tvc_job *j, int event)
{
    static int64_t last_pct = -1;
    (void)user;
    switch (event) {
    case TVC_EV_SUBMITTED:
        printf("[%7lu ms] submitted: record %s\n", (unsigned long)board_millis(), j->rec.record_id);
        break;
    case TVC_EV_STATUS:
        printf("[%7lu ms] status: HTTP %d, state %d\n", (unsigned long)board_millis(),
               j->res.http_status, (int)j->res.state);
        break;
    case TVC_EV_WAITING:
        printf("[%7lu ms] waiting %lu ms\n", (unsigned long)board_millis(),
               (unsigned long)j->wait_reason_ms);
        break;
    case TVC_EV_DOWNLOAD:
        if (j->dl_have == 0)
            last_pct = -1;
        if (j->dl_total > 0) {
            int64_t pct = (int64_t)(j->dl_have * 100u / (uint64_t)j->dl_total) / 25 * 25;
            if (pct != last_pct || j->dl_have == 0) {
                printf("[%7lu ms] download %s: %lu of %ld bytes\n", (unsigned long)board_millis(),
                       j->dl_what == 2 ? "video" : "storyboard", (unsigned long)j->dl_have,
                       (long)j->dl_total);
                last_pct = pct;
            }
        }
        break;
    case TVC_EV_DONE:
        printf("[%7lu ms] done\n", (unsigned long)board_millis());
        break;
    default:
        break;
    }
}

/* The RAM the run used.  tests/firmware/run_flow.sh saves the block from
 * "RAM (bytes):" to "  total" (into ram.txt beside the image) and
 * `make size BOARD=cortex-m4` prints it beside the image's flash.
 *   static   .data + .bss without the mbedTLS arena: every pool, buffer
 *            and struct the image declares (lwIP's pools and heap, the
 *            driver's state, libtvc's structs, mbedTLS's globals);
 *   arena    what mbedTLS's allocator needed of its static arena: the
 *            furthest byte it wrote (the arena is painted at start) or the
 *            peak of its block accounting, whichever is larger;
 *   stack    the deepest the stack reached (painted at reset);
 *   heap     none: the image has no malloc (boards/cortex-m4/tiny_stdio.c
 *            replaces newlib's stdio, and the image links without _sbrk,
 *            so a malloc pulled in by anything would fail the link).
 * The arena and stack peaks move by a few bytes from run to run: the
 * simulator makes a new CA and server key at each start, so certificate
 * and signature lengths differ by a byte or two, and the SysTick interrupt
 * may or may not land on the deepest call.  They are reported rounded up
 * to RAM_ROUND bytes, so that the same commands give the same figures; the
 * exact values of the run follow the block.  The reserved sizes (the
 * arena's and the stack's) are what the image sets aside. */
#define RAM_ROUND 256u

static void report(void)
{
    struct fw_ram r;

    fw_ram_figures(&r, RAM_ROUND);
    printf("RAM (bytes):\n");
    printf("  static w/o arena     %6lu  (.data+.bss; of which struct tvc_job %lu, journal %lu, "
           "tvc_tls %lu, HTTP buffers %lu)\n",
           (unsigned long)r.static_ram, (unsigned long)sizeof job, (unsigned long)sizeof journal,
           (unsigned long)sizeof tls, (unsigned long)(sizeof hdr_buf + sizeof io_buf));
    printf("  mbedTLS arena peak   %6lu  (rounded up to %u; of %lu reserved)\n",
           (unsigned long)r.arena_peak, RAM_ROUND, (unsigned long)r.arena.size);
    printf("  stack peak           %6lu  (rounded up to %u; of %lu reserved, painted)\n",
           (unsigned long)r.stack_peak, RAM_ROUND, (unsigned long)r.stack_reserved);
    printf("  heap                 %6lu  (no malloc in the image)\n", (unsigned long)r.heap);
    printf("  total                %6lu  (static w/o arena + arena peak + stack peak; reserved: %lu)\n",
           (unsigned long)r.total, (unsigned long)r.reserved);
    printf("RAM this run, exact: arena %lu (%lu bytes in %lu blocks at most + headers, reached offset "
           "%lu), stack %lu\n",
           (unsigned long)r.arena_exact, (unsigned long)r.arena.max_used, (unsigned long)r.arena.max_blocks,
           (unsigned long)r.arena.extent, (unsigned long)r.stack_exact);
    printf("RAM store (PSRAM, the board's disk): peak %lu of %lu bytes\n",
           (unsigned long)STORE->peak, (unsigned long)sizeof STORE->arena);
    printf("lan9118: rx %lu frames (%lu dropped, %lu errors, %lu no pbuf), tx %lu frames (%lu failed)\n",
           (unsigned long)nl.dev.rx_frames, (unsigned long)nl.dev.rx_dropped,
           (unsigned long)nl.dev.rx_errors, (unsigned long)nl.rx_nopbuf,
           (unsigned long)nl.dev.tx_frames, (unsigned long)nl.tx_fail);
}

/* Exit status: the negated libtvc error code (TVC_ERR_TLS_UNTRUSTED -> 21),
 * 1 for anything else. */
static int fail(const char *what, int rc)
{
    printf("FAIL: %s: %s (%d)\n", what, tvc_strerror(rc), rc);
    report();
    return rc < 0 && rc > -100 ? -rc : 1;
}

int main(void)
{
    static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    static const char *const res_keys[] = {"resolve", "resolve2", "resolve3", "resolve4"};
    struct tvc_gen_params p;
    ip4_addr_t ip, mask, gw;
    const char *base, *v;
    uint32_t sleep_ms = 0, t_start;
    char hex[65];
    long n;
    size_t i;
    int rc, steps = 0;

    (void)fw_platform_init();
    printf("libtvc flow on mps2-an386 (Cortex-M4): lwIP %s, mbedTLS %s, LAN9118, RAM store in PSRAM\n",
           LWIP_VERSION_STRING, MBEDTLS_VERSION_STRING);
    if ((size_t)(__psram_end - __psram_start) < sizeof(struct fw_store))
        return fail("the RAM store does not fit the PSRAM", TVC_ERR_NOSPACE);

    lwip_init();
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    if (netif_lan9118_add(&nl, LAN9118_MPS2_BASE, mac, &ip, &mask, &gw) != 0)
        return fail("LAN9118 bring-up", TVC_ERR_IO);
    printf("net: 10.0.2.15/24 gw 10.0.2.2\n");

    /* the port: network from port/lwip, storage from the RAM store,
     * entropy and clocks from the board */
    tvc_lwip_init(&lw, &port, netif_lan9118_poll_hook, &nl, fw_entropy);
    port.wall_time = fw_wall_time;
    fw_store_init(STORE, &port);
    for (i = 0; i < sizeof res_keys / sizeof res_keys[0]; i++)
        if ((v = fw_arg(res_keys[i])) != NULL) {
            rc = tvc_lwip_resolve_add(&lw, v);
            if (rc < 0)
                return fail("host table entry", rc);
            printf("host table: %s\n", v);
        }
    if ((rc = tvc_port_check(&port)) < 0)
        return fail("tvc_port_check", rc);

    /* TLS: DRBG from the seed, trust anchors from the host into the store */
    tvc_tls_init(&tls);
    if ((rc = tvc_tls_setup(&tls, &port)) < 0)
        return fail("tvc_tls_setup (seed=<hex> on the command line?)", rc);
    if (fw_arg("ca") == NULL)
        return fail("no ca=<file>", TVC_ERR_ARG);
    if ((rc = port.dir_create(port.ctx, "trust")) < 0 ||
        (rc = fw_host_to_store(&port, fw_arg("ca"), "trust/ca.pem")) < 0)
        return fail("CA into the store", rc);
    /* the HTTP client's I/O buffer is free until the client starts: it
     * serves as tvc_tls_add_ca_file()'s window */
    if ((rc = tvc_tls_add_ca_file(&tls, "trust/ca.pem", io_buf, sizeof io_buf)) < 1)
        return fail("tvc_tls_add_ca_file", rc < 0 ? rc : TVC_ERR_NOT_FOUND);
    printf("CA: %d certificate(s) from the RAM store\n", rc);
    tvc_tls_transport_init(&https, &tls);
    tvc_hash_mbedtls_init(&sha, &sha_ctx);
    tvc_http_client_init(&http, &port, &https, hdr_buf, sizeof hdr_buf, io_buf, sizeof io_buf);
    if ((rc = tvc_journal_open(&journal, &port, "journal")) < 0)
        return fail("tvc_journal_open", rc);

    /* the API key and the parameters */
    n = fw_host_read_arg("key", api_key, sizeof api_key);
    while (n > 0 && (api_key[n - 1] == '\n' || api_key[n - 1] == '\r' || api_key[n - 1] == ' '))
        api_key[--n] = '\0';
    if (n <= 0)
        return fail("no API key (key=<file>)", TVC_ERR_ARG);
    base = fw_arg("base");
    if (base == NULL)
        return fail("no base=<url>", TVC_ERR_ARG);
    v = fw_arg("theme");
    snprintf(theme, sizeof theme, "%s", v ? v : "Bare-metal_coffee_ad");
    for (i = 0; theme[i]; i++)
        if (theme[i] == '_')
            theme[i] = ' ';
    memset(&p, 0, sizeof p);
    p.ad_theme = theme;
    p.duration = (int)arg_ul("duration", 10);
    p.landscape = (int)arg_ul("landscape", 0);
    printf("API %s, key %ld bytes (not printed), theme \"%s\", %d s\n", base, n, theme, p.duration);

    memset(&job, 0, sizeof job);
    job.poll_ms = (uint32_t)arg_ul("poll_ms", 0);
    job.deadline_ms = (uint32_t)arg_ul("deadline_ms", 0);
    job.on_event = on_event;
    job.hash = &sha;
    rc = tvc_job_start_new(&job, &port, &http, &journal, base, api_key, &p, "video.mp4",
                           "storyboard.png");
    if (rc < 0)
        return fail("tvc_job_start_new", rc);

    /* the super loop: one bounded step, then service the network while
     * the engine sleeps */
    t_start = board_millis();
    for (;;) {
        rc = tvc_job_step(&job, 50, &sleep_ms);
        steps++;
        if (rc != TVC_ERR_AGAIN)
            break;
        if (sleep_ms) {
            uint32_t t0 = board_millis();
            do
                tvc_lwip_service(&lw);
            while (board_millis() - t0 < sleep_ms);
        } else {
            tvc_lwip_service(&lw);
        }
    }
    printf("[%7lu ms] job ended: %s (%d) after %d steps, %lu ms, %lu API requests\n",
           (unsigned long)board_millis(), rc == 0 ? "ok" : tvc_strerror(rc), rc, steps,
           (unsigned long)(board_millis() - t_start), (unsigned long)job.api_requests);
    if (rc != 0) {
        if (http.tls_error)
            printf("mbedTLS error -0x%04x\n", (unsigned)-http.tls_error);
        return fail("job", rc);
    }
    tvc_hex(job.video_sha256, 32, hex);
    printf("record %s\n", job.rec.record_id);
    printf("video sha256 %s\n", hex);
    printf("video bytes %lu\n", (unsigned long)job.video_bytes);
    {
        uint64_t sz = 0;
        (void)port.file_size(port.ctx, job.rec.out, &sz);
        printf("video file %s in the store: %lu bytes; storyboard %s\n", job.rec.out,
               (unsigned long)sz, job.have_storyboard_file ? "yes" : "no");
    }
    report();
    tvc_http_client_close(&http);
    tvc_tls_free(&tls);
    return 0;
}
