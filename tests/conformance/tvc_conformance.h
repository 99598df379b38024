/**
 * @file tvc_conformance.h
 * @brief The port conformance kit: one run of cases any `struct tvc_port`
 * can be checked with, on Linux or on a bare-metal board alike.
 *
 * The kit drives the port's functions and checks every return value and
 * every wait against `include/tvc_port.h`.  It includes no OS header (only
 * tvc_port.h, <stddef.h>, <stdint.h> and <string.h>), allocates nothing and
 * measures time with the port's own now_ms(); output goes through a line
 * callback, so a board can send it to a UART.
 *
 * Network cases need a **peer**: a TCP server somewhere the port can reach,
 * speaking this small protocol on one port.  The client connects, sends one
 * command line, and the peer then behaves as named:
 *
 * | command    | the peer                                                  |
 * |------------|-----------------------------------------------------------|
 * | `echo\n`   | sends back every byte it receives; closes in order at EOF |
 * | `stall\n`  | neither reads nor writes any more (keeps the connection)  |
 * | `close\n`  | sends `bye\n`, then closes in order (FIN)                 |
 * | `reset\n`  | closes abortively (SO_LINGER 0: an RST)                   |
 * | `drip\n`   | sends TVC_CONF_DRIP_TEXT one byte at a time, about 5 ms   |
 * |            | apart (one TCP segment each), then closes in order        |
 *
 * plus a second port on the same host where nothing listens (connections
 * are refused).  tests/test_port_conformance.c starts such a peer on
 * 127.0.0.1 for the POSIX port.
 *
 * Storage cases run in a scratch directory the port can create; the kit
 * creates and removes only entries below it.
 */
#ifndef TVC_CONFORMANCE_H
#define TVC_CONFORMANCE_H

#include "tvc_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief What the `drip` peer sends, byte by byte. */
#define TVC_CONF_DRIP_TEXT "one byte at a time, each in its own segment.\n"

/** @brief Where the peer is. */
struct tvc_conf_peer {
    const char *host;      /**< as connect() takes it, e.g. "127.0.0.1" */
    uint16_t port;         /**< the command port (protocol above) */
    uint16_t refuse_port;  /**< a port on @p host where nothing listens */
};

/** @brief Flags of struct tvc_conf_opts. */
enum tvc_conf_flags {
    TVC_CONF_NO_DNS = 1,   /**< skip the unknown-name case (no resolver) */
    TVC_CONF_NO_LOCK = 2   /**< skip file_lock (a port that leaves it NULL) */
};

/** @brief How to run.  Zero-initialise, then set what applies. */
struct tvc_conf_opts {
    /** Storage cases run below this directory (created if absent);
     * NULL skips the storage half. */
    const char *scratch_dir;
    /** Optional: a path whose writes fail because the medium is full
     * (Linux: "/dev/full"); NULL skips that case. */
    const char *full_path;
    /** How much longer than wait_ms a call may take before it counts as
     * blocking too long (scheduling, emulation); 0 means 500. */
    uint32_t slack_ms;
    /** enum tvc_conf_flags. */
    unsigned flags;
    /** Only cases whose name contains this text run; NULL runs all. */
    const char *only;
    /** Receives each output line, without its newline; NULL prints nothing. */
    void (*print)(void *user, const char *line);
    void *print_user;
};

/** @brief Counts of one run. */
struct tvc_conf_result {
    unsigned passed;
    unsigned failed;
};

/**
 * @brief Run every case that applies: the general ones (tvc_port_check,
 * now_ms, entropy, wall_time) always, the network ones when @p peer is not
 * NULL, the storage ones when opts->scratch_dir is set.
 *
 * Prints one line per case (`ok   name` or `FAIL name: what`, each failed
 * check with the kit's line number) and last `N passed, N failed`.
 *
 * @param res receives the counts; may be NULL.
 * @return the number of failed cases (0: the port conforms).
 */
int tvc_conformance_run(const struct tvc_port *port, const struct tvc_conf_peer *peer,
                        const struct tvc_conf_opts *opts, struct tvc_conf_result *res);

#ifdef __cplusplus
}
#endif
#endif /* TVC_CONFORMANCE_H */
