/**
 * @file tvc_port.h
 * @brief The platform port: the only way the libtvc core reaches the outside.
 *
 * A port is one `struct tvc_port` of function pointers plus an opaque `ctx`
 * the core never looks inside.  It is handed in at init and must outlive every
 * object that uses it.  `port/posix/` is the reference implementation and
 * `port/README.md` the porting guide.
 *
 * ## Return values, written once for every function below
 * - A count (>= 0) or 0 means success.
 * - A negative `enum tvc_err` means failure.  Ports return only the codes
 *   listed for each function; anything else is treated as TVC_ERR_IO
 *   (network) or TVC_ERR_STORAGE (files).
 * - **TVC_ERR_AGAIN is not an error**: "nothing happened within wait_ms".
 *   The core keeps its own deadlines (from now_ms()) and decides when
 *   silence has become TVC_ERR_TIMEOUT.  Ports never return TVC_ERR_TIMEOUT.
 * - **End of stream**: recv() returns 0 exactly when the peer closed its
 *   sending side in order (TCP FIN).  An abortive close (RST) is
 *   TVC_ERR_RESET.  recv() never returns 0 for any other reason.
 * - `wait_ms` is the longest the call may block; 0 means "do not block,
 *   just look".  The core never sleeps: it only ever waits inside these calls.
 *
 * Socket and file handles are small integers >= 0 chosen by the port.
 */
#ifndef TVC_PORT_H
#define TVC_PORT_H

#include "tvc_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Version of struct tvc_port this header describes. */
#define TVC_PORT_VERSION 1

/** @brief file_open() flags. */
enum tvc_file_flags {
    TVC_FILE_READ = 1,   /**< open an existing file for reading */
    TVC_FILE_WRITE = 2,  /**< create or truncate, write only */
    TVC_FILE_APPEND = 4  /**< create if absent, writes go to the end */
};

struct tvc_port {
    /** Must be TVC_PORT_VERSION. */
    unsigned version;
    /** Passed as first argument to every function; the core never reads it. */
    void *ctx;

    /* ---------------- network ---------------- */

    /**
     * @brief Resolve @p host and start a TCP connection to @p port.
     * May return before the connection is established; connect_poll()
     * finishes it.  Resolution may block (getaddrinfo does).
     * @param host NUL-terminated name or IP literal (IPv6 without brackets).
     * @return handle >= 0; TVC_ERR_DNS (no such host), TVC_ERR_CONNECT
     *         (no address could be tried), TVC_ERR_NOSPACE (no free handle).
     */
    int (*connect)(void *ctx, const char *host, uint16_t port);

    /**
     * @brief Wait up to @p wait_ms for a started connection to complete.
     * A port with several addresses for the host moves on to the next one
     * when one fails.
     * @return 0 connected; TVC_ERR_AGAIN still in progress; TVC_ERR_CONNECT
     *         every address refused or unreachable.
     */
    int (*connect_poll)(void *ctx, int sock, uint32_t wait_ms);

    /**
     * @brief Send up to @p len bytes, waiting up to @p wait_ms for room.
     * @return count > 0 sent (may be less than len); TVC_ERR_AGAIN nothing
     *         could be sent; TVC_ERR_RESET / TVC_ERR_CLOSED / TVC_ERR_IO.
     *         Never 0 when len > 0.  Must not raise SIGPIPE or the like.
     */
    int (*send)(void *ctx, int sock, const uint8_t *buf, size_t len, uint32_t wait_ms);

    /**
     * @brief Receive up to @p len bytes, waiting up to @p wait_ms for some.
     * @return count > 0; 0 orderly end of stream; TVC_ERR_AGAIN nothing
     *         arrived; TVC_ERR_RESET / TVC_ERR_IO.
     */
    int (*recv)(void *ctx, int sock, uint8_t *buf, size_t len, uint32_t wait_ms);

    /** @brief Close a handle from connect().  Never fails; the handle is free again. */
    void (*close)(void *ctx, int sock);

    /* ---------------- time and entropy ---------------- */

    /** @brief Monotonic milliseconds since an arbitrary origin; never goes back. */
    uint64_t (*now_ms)(void *ctx);

    /**
     * @brief Fill @p buf with @p len bytes from a cryptographically secure source.
     * @return 0; TVC_ERR_ENTROPY.
     */
    int (*entropy)(void *ctx, uint8_t *buf, size_t len);

    /**
     * @brief Wall-clock time, seconds since 1970-01-01 UTC (for HTTP dates
     * such as Retry-After).  May be NULL on a device without a clock.
     * @return seconds; or -1 when the clock is not set.
     */
    int64_t (*wall_time)(void *ctx);

    /* ---------------- storage (journal, downloads, trust anchors) ----------------
     * Paths are NUL-terminated, '/'-separated.  A port without storage sets
     * these to NULL; features that need them then fail with TVC_ERR_PORT. */

    /**
     * @brief Open a file.  @p flags is one of enum tvc_file_flags.
     * @return handle >= 0; TVC_ERR_NOT_FOUND (READ of a missing file);
     *         TVC_ERR_STORAGE.
     */
    int (*file_open)(void *ctx, const char *path, unsigned flags);

    /** @brief Read up to @p len bytes.  @return count (0 at end of file); TVC_ERR_STORAGE. */
    int (*file_read)(void *ctx, int fh, uint8_t *buf, size_t len);

    /** @brief Write all @p len bytes.  @return len; TVC_ERR_STORAGE (disk full, I/O error). */
    int (*file_write)(void *ctx, int fh, const uint8_t *buf, size_t len);

    /** @brief Make written data durable (fsync).  @return 0; TVC_ERR_STORAGE. */
    int (*file_sync)(void *ctx, int fh);

    /** @brief Close; releases any lock.  @return 0; TVC_ERR_STORAGE (a delayed write failed). */
    int (*file_close)(void *ctx, int fh);

    /**
     * @brief Take an exclusive advisory lock on an open file, shared across
     * processes; blocks until it is granted.  Released by file_close().
     * @return 0; TVC_ERR_STORAGE.
     */
    int (*file_lock)(void *ctx, int fh);

    /** @brief Size of a file.  @return 0; TVC_ERR_NOT_FOUND; TVC_ERR_STORAGE. */
    int (*file_size)(void *ctx, const char *path, uint64_t *size);

    /** @brief Atomically replace @p to with @p from.  @return 0; TVC_ERR_STORAGE. */
    int (*file_rename)(void *ctx, const char *from, const char *to);

    /** @brief Delete a file.  @return 0; TVC_ERR_NOT_FOUND; TVC_ERR_STORAGE. */
    int (*file_remove)(void *ctx, const char *path);

    /**
     * @brief Make the directory entries of @p dir durable (fsync of the
     * directory), so a rename survives power loss.  @return 0; TVC_ERR_STORAGE.
     */
    int (*dir_sync)(void *ctx, const char *dir);

    /** @brief Create a directory and its parents if absent.  @return 0; TVC_ERR_STORAGE. */
    int (*dir_create)(void *ctx, const char *dir);

    /**
     * @brief Call @p cb once per entry name of @p dir (not "." or "..").
     * Stops early and returns what @p cb returned when that is non-zero.
     * @return 0; TVC_ERR_NOT_FOUND; TVC_ERR_STORAGE; or @p cb's value.
     */
    int (*dir_list)(void *ctx, const char *dir,
                    int (*cb)(void *user, const char *name), void *user);
};

/**
 * @brief Check that a port is usable by the network core.
 * @return 0; TVC_ERR_PORT (NULL, wrong version, or a network/time/entropy
 *         function missing).
 */
int tvc_port_check(const struct tvc_port *port);

/**
 * @brief Check that a port also provides every storage function.
 * @return 0; TVC_ERR_PORT.
 */
int tvc_port_check_storage(const struct tvc_port *port);

#ifdef __cplusplus
}
#endif
#endif /* TVC_PORT_H */
