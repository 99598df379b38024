#include "fake_port.h"

#include <string.h>

static struct fp_conn *get(struct fp *f, int sock)
{
    if (sock < 0 || sock >= f->next)
        return NULL;
    return &f->conn[sock];
}

static int fp_connect(void *ctx, const char *host, uint16_t port)
{
    struct fp *f = ctx;
    struct fp_conn *c;
    f->calls++;
    if (f->next >= f->nconn)
        return TVC_ERR_CONNECT; /* nothing scripted: refused */
    c = &f->conn[f->next];
    strncpy(c->host, host, sizeof c->host - 1);
    c->port = port;
    c->used = 1;
    if (c->connect_rc < 0) {
        f->next++;
        return c->connect_rc;
    }
    return f->next++;
}

static int fp_connect_poll(void *ctx, int sock, uint32_t wait_ms)
{
    struct fp *f = ctx;
    struct fp_conn *c = get(f, sock);
    f->calls++;
    if (!c)
        return TVC_ERR_ARG;
    if (c->poll_rc == TVC_ERR_AGAIN)
        f->clock += wait_ms;
    return c->poll_rc;
}

/* The response the current request gets (repeat_last: the last one again). */
static int resp_idx(const struct fp_conn *c)
{
    return c->repeat_last && c->nresp > 0 && c->cur >= c->nresp ? c->nresp - 1 : c->cur;
}

static size_t resp_len(const struct fp_conn *c, int i)
{
    return c->resp_len[i] ? c->resp_len[i] : strlen(c->resp[i]);
}

static int fp_send(void *ctx, int sock, const uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct fp *f = ctx;
    struct fp_conn *c = get(f, sock);
    (void)wait_ms;
    f->calls++;
    if (!c || c->closed)
        return TVC_ERR_ARG;
    if (c->send_rc < 0)
        return c->send_rc;
    if (c->sent_len + len < sizeof c->sent) {
        memcpy(c->sent + c->sent_len, buf, len);
        c->sent_len += len;
    }
    if (c->cur < c->nresp || c->cut_now || (c->repeat_last && c->nresp > 0))
        c->pending = 1;
    return (int)len;
}

static int fp_recv(void *ctx, int sock, uint8_t *buf, size_t len, uint32_t wait_ms)
{
    struct fp *f = ctx;
    struct fp_conn *c = get(f, sock);
    size_t total, n;
    f->calls++;
    if (!c || c->closed)
        return TVC_ERR_ARG;
    if (!c->pending) {
        if (c->idle == TVC_ERR_AGAIN)
            f->clock += wait_ms;
        return c->idle;
    }
    if (c->cut_now || (c->cur == 0 && c->cut_at && c->off >= c->cut_at)) {
        if (c->cut_rc == TVC_ERR_AGAIN)
            f->clock += wait_ms;
        return c->cut_rc;
    }
    total = resp_len(c, resp_idx(c));
    n = total - c->off;
    if (c->chunk && n > c->chunk)
        n = c->chunk;
    if (n > len)
        n = len;
    if (c->cur == 0 && c->cut_at && c->off + n > c->cut_at)
        n = c->cut_at - c->off;
    memcpy(buf, c->resp[resp_idx(c)] + c->off, n);
    c->off += n;
    if (c->off == total) {
        c->cur++;
        c->off = 0;
        c->pending = 0;
    }
    return (int)n;
}

static void fp_close(void *ctx, int sock)
{
    struct fp *f = ctx;
    struct fp_conn *c = get(f, sock);
    if (c)
        c->closed = 1;
}

static uint64_t fp_now(void *ctx)
{
    return ((struct fp *)ctx)->clock;
}

static int fp_entropy(void *ctx, uint8_t *buf, size_t len)
{
    struct fp *f = ctx;
    size_t i;
    if (!f->seed) {
        memset(buf, 0x5a, len);
        return 0;
    }
    for (i = 0; i < len; i++) {
        f->seed ^= f->seed << 13;
        f->seed ^= f->seed >> 7;
        f->seed ^= f->seed << 17;
        buf[i] = (uint8_t)(f->seed >> 32);
    }
    return 0;
}

void fp_init(struct fp *f, struct tvc_port *port)
{
    memset(port, 0, sizeof *port);
    port->version = TVC_PORT_VERSION;
    port->ctx = f;
    port->connect = fp_connect;
    port->connect_poll = fp_connect_poll;
    port->send = fp_send;
    port->recv = fp_recv;
    port->close = fp_close;
    port->now_ms = fp_now;
    port->entropy = fp_entropy;
    f->clock = 1000;
}

struct fp_conn *fp_add(struct fp *f, const char *resp0)
{
    struct fp_conn *c = &f->conn[f->nconn++];
    c->idle = TVC_ERR_AGAIN;
    if (resp0) {
        c->resp[0] = resp0;
        c->nresp = 1;
    }
    return c;
}

/* ---- a real storage half behind the fake port (fp_use_storage) ---- */

static const struct tvc_port *st_real;

static int st_open(void *c, const char *p, unsigned f) { (void)c; return st_real->file_open(st_real->ctx, p, f); }
static int st_read(void *c, int fh, uint8_t *b, size_t n) { (void)c; return st_real->file_read(st_real->ctx, fh, b, n); }
static int st_write(void *c, int fh, const uint8_t *b, size_t n) { (void)c; return st_real->file_write(st_real->ctx, fh, b, n); }
static int st_sync(void *c, int fh) { (void)c; return st_real->file_sync(st_real->ctx, fh); }
static int st_close(void *c, int fh) { (void)c; return st_real->file_close(st_real->ctx, fh); }
static int st_lock(void *c, int fh) { (void)c; return st_real->file_lock(st_real->ctx, fh); }
static int st_size(void *c, const char *p, uint64_t *sz) { (void)c; return st_real->file_size(st_real->ctx, p, sz); }
static int st_rename(void *c, const char *a, const char *b) { (void)c; return st_real->file_rename(st_real->ctx, a, b); }
static int st_remove(void *c, const char *p) { (void)c; return st_real->file_remove(st_real->ctx, p); }
static int st_dsync(void *c, const char *d) { (void)c; return st_real->dir_sync(st_real->ctx, d); }
static int st_dcreate(void *c, const char *d) { (void)c; return st_real->dir_create(st_real->ctx, d); }
static int st_dlist(void *c, const char *d, int (*cb)(void *, const char *), void *u)
{
    (void)c;
    return st_real->dir_list(st_real->ctx, d, cb, u);
}

void fp_use_storage(struct tvc_port *port, const struct tvc_port *real)
{
    st_real = real;
    port->file_open = st_open;
    port->file_read = st_read;
    port->file_write = st_write;
    port->file_sync = st_sync;
    port->file_close = st_close;
    port->file_lock = st_lock;
    port->file_size = st_size;
    port->file_rename = st_rename;
    port->file_remove = st_remove;
    port->dir_sync = st_dsync;
    port->dir_create = st_dcreate;
    port->dir_list = st_dlist;
}
