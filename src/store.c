/* Durable files: temp file, fsync, rename, fsync of the directory; and the
 * small buffered reader and writer the journal and the budget share. */
#include <string.h>

#include "chars.h"
#include "store.h"
#include "tvc_config.h"

int tvc_store_st(int rc)
{
    return rc < 0 ? TVC_ERR_STORAGE : rc;
}

int tvc_store_sync_parent(const struct tvc_port *p, char *path)
{
    char *slash = NULL, *s;
    int rc;

    for (s = path; *s; s++) /* the last '/' (no strrchr: one libc routine less) */
        if (*s == '/')
            slash = s;
    if (!slash)
        return tvc_store_st(p->dir_sync(p->ctx, "."));
    if (slash == path)
        return tvc_store_st(p->dir_sync(p->ctx, "/"));
    *slash = '\0';
    rc = tvc_store_st(p->dir_sync(p->ctx, path));
    *slash = '/';
    return rc;
}

int tvc_store_commit(const struct tvc_port *p, int fh, int prior, const char *tmp,
                     char *path)
{
    int rc = prior, rc2;

    if (rc == 0)
        rc = tvc_store_st(p->file_sync(p->ctx, fh));
    rc2 = tvc_store_st(p->file_close(p->ctx, fh));
    if (rc == 0)
        rc = rc2;
    if (rc == 0)
        rc = tvc_store_st(p->file_rename(p->ctx, tmp, path));
    if (rc == 0)
        return tvc_store_sync_parent(p, path);
    (void)p->file_remove(p->ctx, tmp);
    return rc;
}

void tvc_store_flush(struct tvc_store_wr *w)
{
    if (w->err == 0 && w->len > 0 &&
        w->p->file_write(w->p->ctx, w->fh, w->buf, w->len) != (int)w->len)
        w->err = TVC_ERR_STORAGE;
    w->len = 0;
}

int tvc_store_create(struct tvc_store_wr *w, const struct tvc_port *p, const char *path,
                     uint8_t *buf, size_t cap)
{
    w->p = p;
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->err = 0;
    w->fh = p->file_open(p->ctx, path, TVC_FILE_WRITE);
    return w->fh < 0 ? TVC_ERR_STORAGE : 0;
}

void tvc_store_put(struct tvc_store_wr *w, const char *s, size_t n)
{
    while (n > 0) {
        size_t k = w->cap - w->len;
        if (k == 0) {
            tvc_store_flush(w);
            continue;
        }
        if (k > n)
            k = n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

void tvc_store_num(struct tvc_store_wr *w, int64_t v)
{
    char tmp[CH_I64_MAX];
    const char *s = tvc_ch_i64(tmp + sizeof tmp, v);

    tvc_store_put(w, s, (size_t)(tmp + sizeof tmp - s));
}

int tvc_store_getc(struct tvc_store_rd *r)
{
    if (r->pos == r->len) {
        int got;
        if (r->fh < 0)
            return TVC_STORE_EOF;
        got = r->p->file_read(r->p->ctx, r->fh, r->buf, r->cap);
        if (got < 0 || (size_t)got > r->cap)
            return TVC_ERR_STORAGE;
        if (got == 0)
            return TVC_STORE_EOF;
        r->pos = 0;
        r->len = (size_t)got;
    }
    return r->buf[r->pos++];
}
