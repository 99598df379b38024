/**
 * @file tvc_posix.h
 * @brief The POSIX port of libtvc (Linux, the BSDs, macOS).
 *
 * One `struct tvc_posix` holds all state of one port instance in fixed-size
 * tables (no heap).  It must outlive every libtvc object that uses the port.
 * An instance is not thread-safe: use it from one thread at a time.
 *
 * @code
 * static struct tvc_posix px;
 * struct tvc_port port;
 * tvc_posix_init(&px, &port);
 * tvc_posix_resolve_add(&px, "api.example.com:443:192.0.2.7");  // optional
 * @endcode
 *
 * Return values of the port functions are those of include/tvc_port.h; the
 * POSIX specifics (what each maps from) are in port/README.md.
 *
 * The table sizes below change the layout of struct tvc_posix: compile the
 * port and every user of this header with the same values.
 */
#ifndef TVC_POSIX_H
#define TVC_POSIX_H

#include "tvc_hash.h"
#include "tvc_port.h"
#include "tvc_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Its options (TVC_POSIX_*) are in tvc_config.h with all the others. */

/*
 * The layout of the state, public only so that it can be allocated
 * statically.  Do not touch the members, except attempt_ms.
 */

/** @brief One IP address: kept compact instead of a struct sockaddr_storage
 * (24 bytes instead of 128) and without system headers in this header. */
struct tvc_posix_addr {
    uint8_t family;    /**< 4 or 6 */
    uint8_t ip[16];    /**< network byte order; IPv4 uses the first 4 */
    uint32_t scope_id; /**< IPv6 scope (link-local), else 0 */
};

/** @brief One "HOST:PORT:ADDR" override. */
struct tvc_posix_resolve {
    char host[TVC_HOST_MAX]; /**< without brackets */
    uint16_t port;
    struct tvc_posix_addr addr;
};

/** @brief One connection slot; its index is the socket handle. */
struct tvc_posix_sock {
    int fd;            /**< -1 when none */
    uint8_t state;     /**< 0 free, connecting, connected, failed, reset */
    uint8_t naddr;     /**< candidate addresses */
    uint8_t cur;       /**< the one being tried */
    uint16_t port;
    uint64_t started_ms; /**< when the current address was tried */
    struct tvc_posix_addr addr[TVC_POSIX_MAX_ADDRS];
};

struct tvc_posix {
    struct tvc_posix_sock socks[TVC_POSIX_MAX_SOCKS];
    struct tvc_posix_resolve resolve[TVC_POSIX_MAX_RESOLVE];
    unsigned nresolve;
    /** Per-address connect budget in ms; tvc_posix_init() sets
     * TVC_POSIX_ATTEMPT_MS, the application may change it afterwards. */
    uint32_t attempt_ms;
};

/**
 * @brief Reset @p px (no connection, empty override table) and fill @p port
 * with the POSIX implementation bound to it (port->ctx = px).  Every member
 * of struct tvc_port is set, storage included.  Never fails.
 *
 * Must not be called while @p px still has open connections (they would
 * leak their file descriptors).
 */
void tvc_posix_init(struct tvc_posix *px, struct tvc_port *port);

/**
 * @brief Add a curl-style resolve override: connect() to HOST:PORT uses the
 * listed addresses, in order, instead of DNS.
 *
 * Form: `HOST:PORT:ADDR[,ADDR...]`.  HOST is a name or a bracketed IPv6
 * literal `[2001:db8::1]`, compared as text, without regard to ASCII case,
 * with the host connect() is given (brackets removed); PORT is 1..65535;
 * each ADDR is an IPv4 or IPv6 literal, the latter with or without brackets.
 * Several specs for the same HOST:PORT add up, tried in the order added.
 *
 * @return 0; TVC_ERR_ARG (malformed spec, or NULL); TVC_ERR_NOSPACE (the
 *         table cannot hold every address of the spec: nothing is added).
 */
int tvc_posix_resolve_add(struct tvc_posix *px, const char *spec);

/** @brief State of tvc_posix_sha256_init()'s engine. */
struct tvc_posix_sha256 {
    uint32_t st[8];
    uint64_t bytes;
    uint8_t buf[64];
};

/**
 * @brief SHA-256 with the x86 SHA extensions, behind tvc_hash.h, when the
 * CPU has them (CPUID SHA, SSE4.1, SSSE3): several times faster than a
 * software SHA-256 (mbedTLS has no x86 acceleration), for hashing downloads.
 * @return 0 (@p h set up on @p ctx); TVC_ERR_STATE (not an x86 CPU with the
 *         SHA extensions, or not built for x86: keep another engine, e.g.
 *         tvc_hash_mbedtls_init()); TVC_ERR_ARG.
 */
int tvc_posix_sha256_init(struct tvc_hash *h, struct tvc_posix_sha256 *ctx);

#ifdef __cplusplus
}
#endif
#endif /* TVC_POSIX_H */
