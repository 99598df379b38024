/**
 * @file tvc_skel.h
 * @brief The template port: copy port/skeleton/ to port/<yours>/, rename
 * tvc_skel to your port's name, and fill in every TODO of skel_port.c.
 *
 * As shipped it compiles warning-free (make check-skeleton builds it for the
 * host and for the Cortex-M4) and passes tvc_port_check(), but every
 * function only answers "not done" — it moves no byte.  port/README.md is
 * the guide; tests/conformance/ the test that says when you are done.
 */
#ifndef TVC_SKEL_H
#define TVC_SKEL_H

#include "tvc_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fixed tables: size them for your device.  The core needs one connection
 * per HTTP client (plus one while a redirect is followed) and up to three
 * open files (journal, budget, a download and its meta file). */
#ifndef TVC_SKEL_MAX_SOCKS
#define TVC_SKEL_MAX_SOCKS 2
#endif
#ifndef TVC_SKEL_MAX_FILES
#define TVC_SKEL_MAX_FILES 4
#endif

/** @brief One connection slot; its index is the socket handle. */
struct tvc_skel_sock {
    uint8_t used;    /**< 0 free */
    uint8_t state;   /**< TODO: connecting, connected, failed, reset, ... */
    /* TODO: your stack's connection object (a socket number, an lwIP
     * tcp_pcb * and its pbuf queue, a modem link id), the addresses still
     * to try, a sticky error. */
};

/** @brief One open file; its index is the file handle. */
struct tvc_skel_file {
    uint8_t used;
    /* TODO: your file system's file object (FIL, lfs_file_t, ...). */
};

/** @brief All state of one port instance: allocate it statically. */
struct tvc_skel {
    struct tvc_skel_sock socks[TVC_SKEL_MAX_SOCKS];
    struct tvc_skel_file files[TVC_SKEL_MAX_FILES];
    /* TODO: board hooks (tick counter, TRNG, netif poll), wrap count of a
     * 32-bit tick for now_ms(). */
    uint32_t last_tick, wraps;
};

/**
 * @brief Reset @p sk and fill @p port with the template's functions
 * (port->ctx = sk).  Every member of struct tvc_port is set; delete the
 * storage ones (leave them NULL) on a device without a file system.
 */
void tvc_skel_init(struct tvc_skel *sk, struct tvc_port *port);

/**
 * @brief Run the conformance kit on @p port from a board's main(): the
 * network cases against tests/conformance/conf_peer.py on the PC (address
 * set in skel_conformance.c), the storage cases in a scratch directory.
 * @param print receives each output line (e.g. your UART); ends with
 *        "N passed, N failed".
 * @param only run only the cases whose name contains this text; NULL: all.
 * @return the number of failed cases.
 */
int tvc_skel_conformance(const struct tvc_port *port,
                         void (*print)(void *user, const char *line), void *user,
                         const char *only);

#ifdef __cplusplus
}
#endif
#endif /* TVC_SKEL_H */
