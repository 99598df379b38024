/* The template port.  Each function below says what it must do (the
 * contract is include/tvc_port.h; port/README.md explains it) and which
 * cases of the conformance kit (tests/conformance/tvc_conformance.c, case
 * names as it prints them) check it.  Every body is a TODO that compiles
 * and answers "not done": the handle checks and slot tables are real and
 * can stay, the rest is yours.  Work in this order: now_ms, entropy,
 * connect/connect_poll/close, send/recv, then storage.
 *
 * Rules for every function (port/README.md §1): never block longer than
 * wait_ms (0: do not block at all), return only the codes listed, a handle
 * that is not open is TVC_ERR_ARG, no signals, no heap, all state in
 * struct tvc_skel. */
#include "tvc_skel.h"

#include <string.h>

/* ---------------------------------------------------------------- helpers */

static struct tvc_skel_sock *sock_get(struct tvc_skel *sk, int sock)
{
    if (sk == NULL || sock < 0 || sock >= TVC_SKEL_MAX_SOCKS || !sk->socks[sock].used)
        return NULL;
    return &sk->socks[sock];
}

static struct tvc_skel_file *file_get(struct tvc_skel *sk, int fh)
{
    if (sk == NULL || fh < 0 || fh >= TVC_SKEL_MAX_FILES || !sk->files[fh].used)
        return NULL;
    return &sk->files[fh];
}

/* ---------------------------------------------------------------- network */

/* connect: take a free slot first (none: TVC_ERR_NOSPACE, before any
 * lookup); resolve host (IP literals without DNS; blocking is allowed here
 * and only here; failure TVC_ERR_DNS); start a NON-blocking connect to the
 * first address (none can be started: TVC_ERR_CONNECT) and return the slot
 * index at once.  A failure leaves no slot taken.
 * Checked by: net_roundtrip, net_dns_unknown, net_refused, net_handles. */
static int skel_connect(void *ctx, const char *host, uint16_t port)
{
    struct tvc_skel *sk = ctx;
    int i;

    if (sk == NULL || host == NULL)
        return TVC_ERR_ARG;
    for (i = 0; i < TVC_SKEL_MAX_SOCKS && sk->socks[i].used; i++)
        ;
    if (i == TVC_SKEL_MAX_SOCKS)
        return TVC_ERR_NOSPACE;
    (void)port;
    /* TODO: resolve, start the connect, then:
     *   memset(&sk->socks[i], 0, sizeof sk->socks[i]);
     *   sk->socks[i].used = 1;
     *   return i;                                                     */
    return TVC_ERR_CONNECT;
}

/* connect_poll: wait up to wait_ms for the handshake.  0 connected (and 0
 * at once on every later call); TVC_ERR_AGAIN still going; on failure move
 * on to the next address and say AGAIN; after the last one
 * TVC_ERR_CONNECT, and again on every later call until close().
 * Checked by: net_roundtrip, net_refused, net_recv_wait, net_bad_handles. */
static int skel_connect_poll(void *ctx, int sock, uint32_t wait_ms)
{
    struct tvc_skel_sock *s = sock_get(ctx, sock);

    if (s == NULL)
        return TVC_ERR_ARG;
    (void)wait_ms;
    /* TODO */
    return TVC_ERR_CONNECT;
}

/* send: wait up to wait_ms for room, queue what fits, return that count
 * (1..len).  No room within wait_ms: TVC_ERR_AGAIN, never 0; len 0: 0.
 * Peer reset: TVC_ERR_RESET; connection already shut: TVC_ERR_CLOSED;
 * else TVC_ERR_IO.  No SIGPIPE.
 * Checked by: net_roundtrip, net_send_wait, net_orderly_close, net_reset,
 * net_bad_handles. */
static int skel_send(void *ctx, int sock, const uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct tvc_skel_sock *s = sock_get(ctx, sock);

    if (s == NULL || (buf == NULL && len > 0))
        return TVC_ERR_ARG;
    if (len == 0)
        return 0;
    (void)wait_ms;
    /* TODO */
    return TVC_ERR_IO;
}

/* recv: wait up to wait_ms for data, copy out up to len, return the count.
 * Nothing within wait_ms: TVC_ERR_AGAIN.  0 ONLY after the peer's orderly
 * close (FIN), once all data before it is out, and 0 again afterwards.  A
 * reset is TVC_ERR_RESET and stays TVC_ERR_RESET.  len 0: TVC_ERR_ARG (0
 * would mean end of stream).
 * Checked by: net_roundtrip, net_recv_wait, net_orderly_close, net_reset,
 * net_one_byte_at_a_time, net_bad_handles. */
static int skel_recv(void *ctx, int sock, uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct tvc_skel_sock *s = sock_get(ctx, sock);

    if (s == NULL || buf == NULL || len == 0)
        return TVC_ERR_ARG;
    (void)wait_ms;
    /* TODO */
    return TVC_ERR_IO;
}

/* close: free everything of the handle in any state, without lingering;
 * closing a handle that is not open is harmless.
 * Checked by: net_handles (handles come back), net_bad_handles. */
static void skel_close(void *ctx, int sock)
{
    struct tvc_skel_sock *s = sock_get(ctx, sock);

    if (s == NULL)
        return;
    /* TODO: abort/free the stack's connection object. */
    memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------- time, entropy */

/* now_ms: monotonic milliseconds, 64 bits that do not wrap: extend a
 * 32-bit tick by counting its wraps.  The kit measures every wait with it.
 * Checked by: now_ms, and every "waits about N ms" check. */
static uint64_t skel_now_ms(void *ctx)
{
    struct tvc_skel *sk = ctx;
    uint32_t tick = 0; /* TODO: your 1 kHz tick counter (HAL_GetTick, sys_now, ...) */

    if (tick < sk->last_tick)
        sk->wraps++;
    sk->last_tick = tick;
    return ((uint64_t)sk->wraps << 32) | tick;
}

/* entropy: fill all of buf from a hardware TRNG (never a time-seeded
 * PRNG: this seeds TLS); a fault of the source is TVC_ERR_ENTROPY.
 * Checked by: entropy. */
static int skel_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return TVC_ERR_ENTROPY; /* TODO */
}

/* wall_time: seconds since 1970 UTC, -1 until the clock was really set
 * (SNTP, RTC with a valid flag).  No clock at all: leave the member NULL.
 * Checked by: wall_time. */
static int64_t skel_wall_time(void *ctx)
{
    (void)ctx;
    return -1; /* TODO */
}

/* ---------------------------------------------------------------- storage
 * No file system: delete these and leave the members NULL (the journal,
 * budget and resumable downloads then fail with TVC_ERR_PORT). */

/* file_open: READ an existing file (missing, or its directory missing:
 * TVC_ERR_NOT_FOUND); WRITE creates or truncates; APPEND creates if absent
 * and writes at the end; other flags TVC_ERR_ARG; else TVC_ERR_STORAGE.
 * Checked by: fs_write_read, fs_append, fs_not_found, fs_bad_args. */
static int skel_file_open(void *ctx, const char *path, unsigned flags)
{
    struct tvc_skel *sk = ctx;
    int i;

    if (path == NULL || (flags != TVC_FILE_READ && flags != TVC_FILE_WRITE &&
                         flags != TVC_FILE_APPEND))
        return TVC_ERR_ARG;
    for (i = 0; i < TVC_SKEL_MAX_FILES && sk->files[i].used; i++)
        ;
    if (i == TVC_SKEL_MAX_FILES)
        return TVC_ERR_STORAGE;
    /* TODO: open, then sk->files[i].used = 1; return i; */
    return flags == TVC_FILE_READ ? TVC_ERR_NOT_FOUND : TVC_ERR_STORAGE;
}

/* file_read: up to len bytes, 0 at end of file (and again after).
 * Checked by: fs_write_read, fs_big_write. */
static int skel_file_read(void *ctx, int fh, uint8_t *buf, size_t len)
{
    if (file_get(ctx, fh) == NULL || (buf == NULL && len > 0))
        return TVC_ERR_ARG;
    return TVC_ERR_STORAGE; /* TODO */
}

/* file_write: ALL of len or TVC_ERR_STORAGE: loop over short writes; a
 * full medium is TVC_ERR_STORAGE, never a short count.
 * Checked by: fs_write_read, fs_big_write, fs_disk_full. */
static int skel_file_write(void *ctx, int fh, const uint8_t *buf, size_t len)
{
    if (file_get(ctx, fh) == NULL || (buf == NULL && len > 0))
        return TVC_ERR_ARG;
    return TVC_ERR_STORAGE; /* TODO */
}

/* file_sync: the data is on the medium when this returns.
 * Checked by: fs_write_read, fs_big_write, fs_disk_full. */
static int skel_file_sync(void *ctx, int fh)
{
    if (file_get(ctx, fh) == NULL)
        return TVC_ERR_ARG;
    return TVC_ERR_STORAGE; /* TODO */
}

/* file_close: frees the handle and its lock; a write error that shows only
 * now is TVC_ERR_STORAGE.  Checked by: every fs_ case. */
static int skel_file_close(void *ctx, int fh)
{
    struct tvc_skel_file *f = file_get(ctx, fh);

    if (f == NULL)
        return TVC_ERR_ARG;
    /* TODO: close the file object. */
    memset(f, 0, sizeof *f);
    return 0;
}

/* file_lock: exclusive, blocking, released by file_close(), effective
 * between processes; on a single-application RTOS a per-path mutex, or 0
 * if only one task ever opens the journal.  Checked by: fs_lock. */
static int skel_file_lock(void *ctx, int fh)
{
    if (file_get(ctx, fh) == NULL)
        return TVC_ERR_ARG;
    return 0; /* TODO if several tasks or processes share the journal */
}

/* file_size: of a regular file; missing TVC_ERR_NOT_FOUND.
 * Checked by: fs_write_read, fs_big_write, fs_append, fs_not_found, fs_rename. */
static int skel_file_size(void *ctx, const char *path, uint64_t *size)
{
    (void)ctx;
    if (path == NULL || size == NULL)
        return TVC_ERR_ARG;
    return TVC_ERR_NOT_FOUND; /* TODO */
}

/* file_rename: ATOMICALLY replace an existing @p to (after a power cut the
 * old or the new file exists, never neither); missing @p from is
 * TVC_ERR_STORAGE.  Checked by: fs_rename. */
static int skel_file_rename(void *ctx, const char *from, const char *to)
{
    (void)ctx;
    if (from == NULL || to == NULL)
        return TVC_ERR_ARG;
    return TVC_ERR_STORAGE; /* TODO */
}

/* file_remove: missing TVC_ERR_NOT_FOUND.  Checked by: fs_rename, fs_not_found. */
static int skel_file_remove(void *ctx, const char *path)
{
    (void)ctx;
    if (path == NULL)
        return TVC_ERR_ARG;
    return TVC_ERR_NOT_FOUND; /* TODO */
}

/* dir_sync: make the entries of dir (a rename just done) durable; a no-op
 * returning 0 where metadata is already atomic (LittleFS); a missing
 * directory TVC_ERR_STORAGE.  Checked by: fs_dirs, fs_rename. */
static int skel_dir_sync(void *ctx, const char *dir)
{
    (void)ctx;
    if (dir == NULL)
        return TVC_ERR_ARG;
    return TVC_ERR_STORAGE; /* TODO */
}

/* dir_create: mkdir -p; an existing directory is 0, an existing FILE of
 * that name TVC_ERR_STORAGE.  Checked by: fs_dirs, fs_list. */
static int skel_dir_create(void *ctx, const char *dir)
{
    (void)ctx;
    if (dir == NULL || dir[0] == '\0')
        return TVC_ERR_ARG;
    return TVC_ERR_STORAGE; /* TODO */
}

/* dir_list: cb once per entry (not "." or ".."); stop and return cb's
 * value when it is non-zero; missing dir TVC_ERR_NOT_FOUND.
 * Checked by: fs_list. */
static int skel_dir_list(void *ctx, const char *dir, int (*cb)(void *user, const char *name),
                         void *user)
{
    (void)ctx;
    (void)user;
    if (dir == NULL || cb == NULL)
        return TVC_ERR_ARG;
    return TVC_ERR_NOT_FOUND; /* TODO */
}

/* ---------------------------------------------------------------- set-up */

/* Checked by: port_check (tvc_port_check, tvc_port_check_storage). */
void tvc_skel_init(struct tvc_skel *sk, struct tvc_port *port)
{
    memset(sk, 0, sizeof *sk);
    memset(port, 0, sizeof *port);
    port->version = TVC_PORT_VERSION;
    port->ctx = sk;
    port->connect = skel_connect;
    port->connect_poll = skel_connect_poll;
    port->send = skel_send;
    port->recv = skel_recv;
    port->close = skel_close;
    port->now_ms = skel_now_ms;
    port->entropy = skel_entropy;
    port->wall_time = skel_wall_time;
    port->file_open = skel_file_open;
    port->file_read = skel_file_read;
    port->file_write = skel_file_write;
    port->file_sync = skel_file_sync;
    port->file_close = skel_file_close;
    port->file_lock = skel_file_lock;
    port->file_size = skel_file_size;
    port->file_rename = skel_file_rename;
    port->file_remove = skel_file_remove;
    port->dir_sync = skel_dir_sync;
    port->dir_create = skel_dir_create;
    port->dir_list = skel_dir_list;
}
