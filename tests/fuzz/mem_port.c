#include "mem_port.h"

#include <string.h>

static struct mp_file *find(struct mp *m, const char *name)
{
    int i;
    for (i = 0; i < MP_FILES; i++)
        if (m->f[i].name[0] && strcmp(m->f[i].name, name) == 0)
            return &m->f[i];
    return NULL;
}

static struct mp_file *create(struct mp *m, const char *name)
{
    struct mp_file *f = find(m, name);
    int i;
    if (f != NULL) {
        f->len = 0;
        return f;
    }
    if (strlen(name) >= sizeof m->f[0].name)
        return NULL;
    for (i = 0; i < MP_FILES; i++)
        if (!m->f[i].name[0]) {
            strcpy(m->f[i].name, name);
            m->f[i].len = 0;
            return &m->f[i];
        }
    return NULL;
}

void mp_put(struct mp *m, const char *name, const void *data, size_t len)
{
    struct mp_file *f = create(m, name);
    if (f == NULL)
        return;
    if (len > MP_FILE_MAX)
        len = MP_FILE_MAX;
    memcpy(f->data, data, len);
    f->len = len;
}

struct mp_file *mp_get(struct mp *m, const char *name)
{
    return find(m, name);
}

static int n_connect(void *ctx, const char *host, uint16_t port)
{
    (void)ctx;
    (void)host;
    (void)port;
    return TVC_ERR_CONNECT;
}

static int n_poll(void *ctx, int s, uint32_t w)
{
    (void)ctx;
    (void)s;
    (void)w;
    return TVC_ERR_CONNECT;
}

static int n_send(void *ctx, int s, const uint8_t *b, size_t n, uint32_t w)
{
    (void)ctx;
    (void)s;
    (void)b;
    (void)n;
    (void)w;
    return TVC_ERR_IO;
}

static int n_recv(void *ctx, int s, uint8_t *b, size_t n, uint32_t w)
{
    (void)ctx;
    (void)s;
    (void)b;
    (void)n;
    (void)w;
    return TVC_ERR_IO;
}

static void n_close(void *ctx, int s)
{
    (void)ctx;
    (void)s;
}

static uint64_t now_ms(void *ctx)
{
    return ((struct mp *)ctx)->clock++;
}

static int entropy(void *ctx, uint8_t *b, size_t n)
{
    struct mp *m = ctx;
    size_t i;
    for (i = 0; i < n; i++) {
        m->seed = m->seed * 1103515245u + 12345u;
        b[i] = (uint8_t)(m->seed >> 16);
    }
    return 0;
}

static int64_t wall(void *ctx)
{
    return ((struct mp *)ctx)->wall;
}

static int f_open(void *ctx, const char *path, unsigned flags)
{
    struct mp *m = ctx;
    struct mp_file *f;
    int i;
    for (i = 0; i < MP_HANDLES && m->h[i].file >= 0; i++)
        ;
    if (i == MP_HANDLES)
        return TVC_ERR_STORAGE;
    if (flags == TVC_FILE_READ) {
        if ((f = find(m, path)) == NULL)
            return TVC_ERR_NOT_FOUND;
    } else if (flags == TVC_FILE_APPEND) {
        f = find(m, path);
        if (f == NULL)
            f = create(m, path);
    } else {
        f = create(m, path);
    }
    if (f == NULL)
        return TVC_ERR_STORAGE;
    m->h[i].file = (int)(f - m->f);
    m->h[i].pos = flags == TVC_FILE_APPEND ? f->len : 0;
    m->h[i].flags = flags;
    return i;
}

static struct mp_file *fh_file(struct mp *m, int fh)
{
    if (fh < 0 || fh >= MP_HANDLES || m->h[fh].file < 0)
        return NULL;
    return &m->f[m->h[fh].file];
}

static int f_read(void *ctx, int fh, uint8_t *buf, size_t len)
{
    struct mp *m = ctx;
    struct mp_file *f = fh_file(m, fh);
    size_t n;
    if (f == NULL || m->h[fh].flags != TVC_FILE_READ)
        return TVC_ERR_STORAGE;
    n = f->len - m->h[fh].pos;
    if (n > len)
        n = len;
    memcpy(buf, f->data + m->h[fh].pos, n);
    m->h[fh].pos += n;
    return (int)n;
}

static int f_write(void *ctx, int fh, const uint8_t *buf, size_t len)
{
    struct mp *m = ctx;
    struct mp_file *f = fh_file(m, fh);
    if (f == NULL || m->h[fh].flags == TVC_FILE_READ)
        return TVC_ERR_STORAGE;
    if (m->fail_writes_after && ++m->writes >= m->fail_writes_after)
        return TVC_ERR_STORAGE;
    if (m->h[fh].flags == TVC_FILE_APPEND)
        m->h[fh].pos = f->len;
    if (m->h[fh].pos + len > MP_FILE_MAX)
        return TVC_ERR_STORAGE; /* the disk is full */
    memcpy(f->data + m->h[fh].pos, buf, len);
    m->h[fh].pos += len;
    if (m->h[fh].pos > f->len)
        f->len = m->h[fh].pos;
    return (int)len;
}

static int f_sync(void *ctx, int fh)
{
    return fh_file(ctx, fh) ? 0 : TVC_ERR_STORAGE;
}

static int f_close(void *ctx, int fh)
{
    struct mp *m = ctx;
    if (fh_file(m, fh) == NULL)
        return TVC_ERR_STORAGE;
    m->h[fh].file = -1;
    return 0;
}

static int f_lock(void *ctx, int fh)
{
    return fh_file(ctx, fh) ? 0 : TVC_ERR_STORAGE;
}

static int f_size(void *ctx, const char *path, uint64_t *size)
{
    struct mp_file *f = find(ctx, path);
    if (f == NULL)
        return TVC_ERR_NOT_FOUND;
    *size = f->len;
    return 0;
}

static int f_rename(void *ctx, const char *from, const char *to)
{
    struct mp *m = ctx;
    struct mp_file *f = find(m, from), *t;
    int i;
    if (f == NULL || strlen(to) >= sizeof f->name)
        return TVC_ERR_STORAGE;
    t = find(m, to);
    if (t != NULL && t != f) {
        for (i = 0; i < MP_HANDLES; i++)
            if (m->h[i].file == (int)(t - m->f))
                m->h[i].file = -1; /* (an open handle on the old file is gone) */
        t->name[0] = '\0';
    }
    strcpy(f->name, to);
    return 0;
}

static int f_remove(void *ctx, const char *path)
{
    struct mp_file *f = find(ctx, path);
    if (f == NULL)
        return TVC_ERR_NOT_FOUND;
    f->name[0] = '\0';
    return 0;
}

static int d_sync(void *ctx, const char *dir)
{
    (void)ctx;
    (void)dir;
    return 0;
}

static int d_list(void *ctx, const char *dir, int (*cb)(void *user, const char *name), void *user)
{
    struct mp *m = ctx;
    size_t dl = strlen(dir);
    int i, rc;
    for (i = 0; i < MP_FILES; i++) {
        const char *n = m->f[i].name;
        if (n[0] && strncmp(n, dir, dl) == 0 && n[dl] == '/' && strchr(n + dl + 1, '/') == NULL &&
            (rc = cb(user, n + dl + 1)) != 0)
            return rc;
    }
    return 0;
}

void mp_init(struct mp *m, struct tvc_port *port)
{
    int i;
    memset(port, 0, sizeof *port);
    for (i = 0; i < MP_HANDLES; i++)
        m->h[i].file = -1;
    m->clock = 1000;
    m->wall = 1764460800; /* 2025-11-30 */
    m->seed = 1;
    port->version = TVC_PORT_VERSION;
    port->ctx = m;
    port->connect = n_connect;
    port->connect_poll = n_poll;
    port->send = n_send;
    port->recv = n_recv;
    port->close = n_close;
    port->now_ms = now_ms;
    port->entropy = entropy;
    port->wall_time = wall;
    port->file_open = f_open;
    port->file_read = f_read;
    port->file_write = f_write;
    port->file_sync = f_sync;
    port->file_close = f_close;
    port->file_lock = f_lock;
    port->file_size = f_size;
    port->file_rename = f_rename;
    port->file_remove = f_remove;
    port->dir_sync = d_sync;
    port->dir_create = d_sync;
    port->dir_list = d_list;
}
