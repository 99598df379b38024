/* Durable files: temp file, fsync, rename, fsync of the directory. */
#include <string.h>

#include "store.h"
#include "tvc_config.h"

int tvc_store_st(int rc)
{
    return rc < 0 ? TVC_ERR_STORAGE : rc;
}

int tvc_store_sync_parent(const struct tvc_port *p, const char *path)
{
    char dir[TVC_PATH_MAX + 64];
    const char *slash = strrchr(path, '/');
    size_t n;

    if (!slash)
        return tvc_store_st(p->dir_sync(p->ctx, "."));
    n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof dir)
        return TVC_ERR_NOSPACE;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return tvc_store_st(p->dir_sync(p->ctx, dir));
}

int tvc_store_commit(const struct tvc_port *p, int fh, int prior, const char *tmp,
                     const char *path)
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
