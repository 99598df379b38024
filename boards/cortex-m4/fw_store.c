/* The RAM-backed file store (fw_store.h has the semantics). */
#include "fw_store.h"

#include <limits.h>
#include <string.h>

#define PENDING(h) (FW_STORE_FILES + (h))

/* The store fw_store_init() set up: the port's ctx belongs to the network
 * half (one ctx per struct tvc_port), so the storage functions ignore it. */
static struct fw_store *the_store;
#define STORE(ctx) ((void)(ctx), the_store)

/* ------------------------------------------------------------------ */
/* the arena: extents kept packed in [0, used)                          */

static void ext_free(struct fw_store *s, int e)
{
    uint32_t off = s->ext[e].off, len = s->ext[e].len, end = off + len;
    int i;

    s->ext[e].off = s->ext[e].len = 0;
    if (len == 0)
        return;
    memmove(s->arena + off, s->arena + end, s->used - end);
    for (i = 0; i < FW_STORE_FILES + FW_STORE_HANDLES; i++)
        if (s->ext[i].len != 0 && s->ext[i].off >= end)
            s->ext[i].off -= len;
    s->used -= len;
}

/* Make extent e n bytes longer; returns the offset of the new bytes, or -1
 * when the arena has no room (nothing changed). */
static long ext_grow(struct fw_store *s, int e, uint32_t n)
{
    uint32_t end;
    int i;

    if (n > sizeof s->arena - s->used)
        return -1;
    if (s->ext[e].len == 0)
        s->ext[e].off = s->used;
    end = s->ext[e].off + s->ext[e].len;
    memmove(s->arena + end + n, s->arena + end, s->used - end);
    for (i = 0; i < FW_STORE_FILES + FW_STORE_HANDLES; i++)
        if (i != e && s->ext[i].len != 0 && s->ext[i].off >= end)
            s->ext[i].off += n;
    s->ext[e].len += n;
    s->used += n;
    if (s->used > s->peak)
        s->peak = s->used;
    return (long)end;
}

/* ------------------------------------------------------------------ */
/* names                                                                */

/* Normalise @p in into out[FW_STORE_PATH_MAX]: components joined by one
 * '/', without empty or "." ones.  The root is "".  -1: too long or "..". */
static int norm(const char *in, char *out)
{
    size_t o = 0, n;
    const char *p = in, *c;

    if (in == NULL)
        return -1;
    for (;;) {
        while (*p == '/')
            p++;
        if (*p == '\0')
            break;
        c = p;
        while (*p != '\0' && *p != '/')
            p++;
        n = (size_t)(p - c);
        if (n == 1 && c[0] == '.')
            continue;
        if (n == 2 && c[0] == '.' && c[1] == '.')
            return -1;
        if (o + (o ? 1 : 0) + n >= FW_STORE_PATH_MAX)
            return -1;
        if (o)
            out[o++] = '/';
        memcpy(out + o, c, n);
        o += n;
    }
    out[o] = '\0';
    return 0;
}

/* Length of the parent's name ("a/b/c" -> 3, "c" -> 0). */
static size_t parent_len(const char *name)
{
    size_t i, n = 0;
    for (i = 0; name[i]; i++)
        if (name[i] == '/')
            n = i;
    return n;
}

static int find(const struct fw_store *s, const char *name)
{
    int i;
    for (i = 0; i < FW_STORE_FILES; i++)
        if (s->node[i].used && s->node[i].linked && strcmp(s->node[i].name, name) == 0)
            return i;
    return -1;
}

/* 1 when the directory named by name[0..len) exists (len 0: the root). */
static int dir_exists(const struct fw_store *s, const char *name, size_t len)
{
    int i;
    if (len == 0)
        return 1;
    for (i = 0; i < FW_STORE_FILES; i++)
        if (s->node[i].used && s->node[i].linked && s->node[i].is_dir &&
            strncmp(s->node[i].name, name, len) == 0 && s->node[i].name[len] == '\0')
            return 1;
    return 0;
}

static int node_new(struct fw_store *s, const char *name, int is_dir)
{
    int i;
    for (i = 0; i < FW_STORE_FILES; i++) {
        if (!s->node[i].used) {
            memset(&s->node[i], 0, sizeof s->node[i]);
            strcpy(s->node[i].name, name);
            s->node[i].used = 1;
            s->node[i].linked = 1;
            s->node[i].is_dir = (uint8_t)is_dir;
            s->ext[i].off = s->ext[i].len = 0;
            return i;
        }
    }
    return -1;
}

/* Free a node nothing refers to any more. */
static void node_release(struct fw_store *s, int i)
{
    if (s->node[i].linked || s->node[i].open)
        return;
    ext_free(s, i);
    s->node[i].used = 0;
}

static void node_unlink(struct fw_store *s, int i)
{
    s->node[i].linked = 0;
    s->node[i].name[0] = '\0';
    node_release(s, i);
}

static int handle(const struct fw_store *s, int fh)
{
    return fh >= 0 && fh < FW_STORE_HANDLES && s->h[fh].node >= 0;
}

/* ------------------------------------------------------------------ */
/* files                                                                */

int fw_store_open(void *ctx, const char *path, unsigned flags)
{
    struct fw_store *s = STORE(ctx);
    char name[FW_STORE_PATH_MAX];
    int fh, i;

    if (flags != TVC_FILE_READ && flags != TVC_FILE_WRITE && flags != TVC_FILE_APPEND)
        return TVC_ERR_STORAGE;
    if (norm(path, name) != 0 || name[0] == '\0')
        return TVC_ERR_STORAGE;
    for (fh = 0; fh < FW_STORE_HANDLES && s->h[fh].node >= 0; fh++)
        ;
    i = find(s, name);
    if (flags == TVC_FILE_READ && i < 0)
        return TVC_ERR_NOT_FOUND;
    if (fh == FW_STORE_HANDLES || (i >= 0 && s->node[i].is_dir))
        return TVC_ERR_STORAGE;
    if (i < 0) {
        if (!dir_exists(s, name, parent_len(name)))
            return TVC_ERR_STORAGE;
        i = node_new(s, name, 0);
        if (i < 0)
            return TVC_ERR_STORAGE;
    }
    s->h[fh].node = (int16_t)i;
    s->h[fh].flags = (uint8_t)flags;
    s->h[fh].replace = flags == TVC_FILE_WRITE;
    s->h[fh].locked = 0;
    s->h[fh].pos = 0;
    s->ext[PENDING(fh)].off = s->ext[PENDING(fh)].len = 0;
    s->node[i].open++;
    return fh;
}

int fw_store_read(void *ctx, int fh, uint8_t *buf, size_t len)
{
    struct fw_store *s = STORE(ctx);
    const struct fw_extent *c;
    uint32_t n;

    if (!handle(s, fh) || s->h[fh].flags != TVC_FILE_READ || (buf == NULL && len > 0))
        return TVC_ERR_STORAGE;
    c = &s->ext[s->h[fh].node];
    if (s->h[fh].pos >= c->len)
        return 0;
    n = c->len - s->h[fh].pos;
    if (len < n)
        n = (uint32_t)len;
    if (n > INT_MAX)
        n = INT_MAX;
    memcpy(buf, s->arena + c->off + s->h[fh].pos, n);
    s->h[fh].pos += n;
    return (int)n;
}

int fw_store_write(void *ctx, int fh, const uint8_t *buf, size_t len)
{
    struct fw_store *s = STORE(ctx);
    long at;

    if (!handle(s, fh) || s->h[fh].flags == TVC_FILE_READ || (buf == NULL && len > 0) ||
        len > INT_MAX || len > sizeof s->arena)
        return TVC_ERR_STORAGE;
    if (len == 0)
        return 0;
    at = ext_grow(s, PENDING(fh), (uint32_t)len);
    if (at < 0)
        return TVC_ERR_STORAGE; /* full: nothing of it was written */
    memcpy(s->arena + at, buf, len);
    return (int)len;
}

int fw_store_sync(void *ctx, int fh)
{
    struct fw_store *s = STORE(ctx);
    int i, p = PENDING(fh);
    long at;

    if (!handle(s, fh))
        return TVC_ERR_STORAGE;
    if (s->h[fh].flags == TVC_FILE_READ)
        return 0;
    i = s->h[fh].node;
    if (s->h[fh].replace) {
        /* WRITE: the pending copy becomes the content */
        ext_free(s, i);
        s->ext[i] = s->ext[p];
        s->ext[p].off = s->ext[p].len = 0;
        s->h[fh].replace = 0;
    } else if (s->ext[p].len != 0) {
        if (s->ext[i].len == 0 || s->ext[i].off + s->ext[i].len == s->ext[p].off) {
            /* adjacent (or no content yet): the extents merge */
            if (s->ext[i].len == 0)
                s->ext[i].off = s->ext[p].off;
            s->ext[i].len += s->ext[p].len;
            s->ext[p].off = s->ext[p].len = 0;
        } else {
            /* copied to the content's end (needs room for a second copy
             * while it happens), then the pending copy is freed */
            at = ext_grow(s, i, s->ext[p].len);
            if (at < 0)
                return TVC_ERR_STORAGE; /* content and pending data unchanged */
            memmove(s->arena + at, s->arena + s->ext[p].off, s->ext[p].len);
            ext_free(s, p);
        }
    }
    return 0;
}

int fw_store_close(void *ctx, int fh)
{
    struct fw_store *s = STORE(ctx);
    int i;

    if (!handle(s, fh))
        return TVC_ERR_STORAGE;
    i = s->h[fh].node;
    ext_free(s, PENDING(fh)); /* unsynced writes are lost */
    s->h[fh].node = -1;
    s->h[fh].locked = 0;
    s->node[i].open--;
    node_release(s, i);
    return 0;
}

int fw_store_lock(void *ctx, int fh)
{
    struct fw_store *s = STORE(ctx);
    int k;

    if (!handle(s, fh))
        return TVC_ERR_STORAGE;
    for (k = 0; k < FW_STORE_HANDLES; k++)
        if (k != fh && s->h[k].node == s->h[fh].node && s->h[k].locked)
            return TVC_ERR_STORAGE; /* would wait forever: one program, one loop */
    s->h[fh].locked = 1;
    return 0;
}

int fw_store_size(void *ctx, const char *path, uint64_t *size)
{
    struct fw_store *s = STORE(ctx);
    char name[FW_STORE_PATH_MAX];
    int i;

    if (size == NULL || norm(path, name) != 0)
        return TVC_ERR_STORAGE;
    i = find(s, name);
    if (i < 0)
        return name[0] == '\0' ? TVC_ERR_STORAGE : TVC_ERR_NOT_FOUND;
    if (s->node[i].is_dir)
        return TVC_ERR_STORAGE;
    *size = s->ext[i].len;
    return 0;
}

int fw_store_rename(void *ctx, const char *from, const char *to)
{
    struct fw_store *s = STORE(ctx);
    char a[FW_STORE_PATH_MAX], b[FW_STORE_PATH_MAX];
    int f, t;

    if (norm(from, a) != 0 || norm(to, b) != 0 || a[0] == '\0' || b[0] == '\0')
        return TVC_ERR_STORAGE;
    f = find(s, a);
    if (f < 0 || s->node[f].is_dir || !dir_exists(s, b, parent_len(b)))
        return TVC_ERR_STORAGE; /* (directories are not renamed) */
    if (strcmp(a, b) == 0)
        return 0;
    t = find(s, b);
    if (t >= 0) {
        if (s->node[t].is_dir)
            return TVC_ERR_STORAGE;
        node_unlink(s, t); /* its open handles keep it until they close */
    }
    strcpy(s->node[f].name, b);
    return 0;
}

int fw_store_remove(void *ctx, const char *path)
{
    struct fw_store *s = STORE(ctx);
    char name[FW_STORE_PATH_MAX];
    size_t n;
    int i, k;

    if (norm(path, name) != 0 || name[0] == '\0')
        return TVC_ERR_STORAGE;
    i = find(s, name);
    if (i < 0)
        return TVC_ERR_NOT_FOUND;
    if (s->node[i].is_dir) {
        n = strlen(name);
        for (k = 0; k < FW_STORE_FILES; k++)
            if (k != i && s->node[k].used && s->node[k].linked &&
                parent_len(s->node[k].name) == n && strncmp(s->node[k].name, name, n) == 0)
                return TVC_ERR_STORAGE; /* not empty */
    }
    node_unlink(s, i);
    return 0;
}

/* ------------------------------------------------------------------ */
/* directories                                                          */

int fw_store_dir_sync(void *ctx, const char *dir)
{
    struct fw_store *s = STORE(ctx);
    char name[FW_STORE_PATH_MAX];

    if (norm(dir, name) != 0 || !dir_exists(s, name, strlen(name)))
        return TVC_ERR_STORAGE;
    return 0; /* names are durable as soon as they change */
}

int fw_store_dir_create(void *ctx, const char *dir)
{
    struct fw_store *s = STORE(ctx);
    char name[FW_STORE_PATH_MAX];
    size_t i, n;
    int k;
    char c;

    if (norm(dir, name) != 0)
        return TVC_ERR_STORAGE;
    n = strlen(name);
    for (i = 1; i <= n; i++) {
        if (i < n && name[i] != '/')
            continue;
        c = name[i];
        name[i] = '\0'; /* the prefix up to this component */
        k = find(s, name);
        if (k >= 0 && !s->node[k].is_dir)
            return TVC_ERR_STORAGE;
        if (k < 0 && node_new(s, name, 1) < 0)
            return TVC_ERR_STORAGE;
        name[i] = c;
    }
    return 0;
}

int fw_store_dir_list(void *ctx, const char *dir, int (*cb)(void *user, const char *name),
                      void *user)
{
    struct fw_store *s = STORE(ctx);
    char name[FW_STORE_PATH_MAX];
    size_t n;
    int k, rc;

    if (cb == NULL || norm(dir, name) != 0)
        return TVC_ERR_STORAGE;
    n = strlen(name);
    if (!dir_exists(s, name, n)) {
        k = find(s, name);
        return k >= 0 ? TVC_ERR_STORAGE : TVC_ERR_NOT_FOUND;
    }
    for (k = 0; k < FW_STORE_FILES; k++) {
        const char *e = s->node[k].name;
        if (!s->node[k].used || !s->node[k].linked || parent_len(e) != n ||
            (n != 0 && strncmp(e, name, n) != 0))
            continue;
        rc = cb(user, n ? e + n + 1 : e);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ */

void fw_store_power_cut(struct fw_store *s)
{
    int fh;
    for (fh = 0; fh < FW_STORE_HANDLES; fh++)
        if (s->h[fh].node >= 0)
            (void)fw_store_close(NULL, fh);
}

void fw_store_init(struct fw_store *s, struct tvc_port *port)
{
    int fh;

    memset(s, 0, sizeof *s);
    for (fh = 0; fh < FW_STORE_HANDLES; fh++)
        s->h[fh].node = -1;
    the_store = s;
    if (port == NULL)
        return;
    port->file_open = fw_store_open;
    port->file_read = fw_store_read;
    port->file_write = fw_store_write;
    port->file_sync = fw_store_sync;
    port->file_close = fw_store_close;
    port->file_lock = fw_store_lock;
    port->file_size = fw_store_size;
    port->file_rename = fw_store_rename;
    port->file_remove = fw_store_remove;
    port->dir_sync = fw_store_dir_sync;
    port->dir_create = fw_store_dir_create;
    port->dir_list = fw_store_dir_list;
}
