/* POSIX port: storage.  File handles are plain file descriptors. */
#define _DEFAULT_SOURCE

#include "posix_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h> /* rename */
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static int absent(int e)
{
    return e == ENOENT || e == ENOTDIR;
}

int tvc_posix_file_open(void *ctx, const char *path, unsigned flags)
{
    int fd, oflags;

    (void)ctx;
    if (path == NULL)
        return TVC_ERR_ARG;
    switch (flags) {
    case TVC_FILE_READ:
        oflags = O_RDONLY;
        break;
    case TVC_FILE_WRITE:
        oflags = O_WRONLY | O_CREAT | O_TRUNC;
        break;
    case TVC_FILE_APPEND:
        oflags = O_WRONLY | O_CREAT | O_APPEND;
        break;
    default:
        return TVC_ERR_ARG;
    }
    do
        fd = open(path, oflags | O_CLOEXEC, 0644);
    while (fd < 0 && errno == EINTR);
    if (fd >= 0)
        return fd;
    return flags == TVC_FILE_READ && absent(errno) ? TVC_ERR_NOT_FOUND : TVC_ERR_STORAGE;
}

int tvc_posix_file_read(void *ctx, int fh, uint8_t *buf, size_t len)
{
    ssize_t n;

    (void)ctx;
    if (fh < 0 || (buf == NULL && len > 0))
        return TVC_ERR_ARG;
    if (len > INT_MAX)
        len = INT_MAX;
    do
        n = read(fh, buf, len);
    while (n < 0 && errno == EINTR);
    return n < 0 ? TVC_ERR_STORAGE : (int)n;
}

int tvc_posix_file_write(void *ctx, int fh, const uint8_t *buf, size_t len)
{
    size_t done = 0;
    ssize_t n;

    (void)ctx;
    /* The count is returned as an int. */
    if (fh < 0 || (buf == NULL && len > 0) || len > INT_MAX)
        return TVC_ERR_ARG;
    while (done < len) {
        n = write(fh, buf + done, len - done);
        if (n > 0)
            done += (size_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else
            return TVC_ERR_STORAGE; /* ENOSPC, EIO, EBADF, or a write of 0 */
    }
    return (int)len;
}

int tvc_posix_file_sync(void *ctx, int fh)
{
    (void)ctx;
    if (fh < 0)
        return TVC_ERR_ARG;
#ifdef F_FULLFSYNC
    /* macOS: fsync() leaves the data in the drive's cache. */
    if (fcntl(fh, F_FULLFSYNC) == 0)
        return 0;
#endif
    return fsync(fh) == 0 ? 0 : TVC_ERR_STORAGE;
}

int tvc_posix_file_close(void *ctx, int fh)
{
    (void)ctx;
    if (fh < 0)
        return TVC_ERR_ARG;
    /* After EINTR the descriptor is gone all the same (Linux, POSIX 2024):
     * retrying could close someone else's. */
    if (close(fh) != 0 && errno != EINTR)
        return TVC_ERR_STORAGE;
    return 0;
}

int tvc_posix_file_lock(void *ctx, int fh)
{
    int r;

    (void)ctx;
    if (fh < 0)
        return TVC_ERR_ARG;
    /* flock(), not fcntl() locks: those vanish when the process closes any
     * descriptor of the file, and do not exclude a second open in-process. */
    do
        r = flock(fh, LOCK_EX);
    while (r != 0 && errno == EINTR);
    return r == 0 ? 0 : TVC_ERR_STORAGE;
}

int tvc_posix_file_size(void *ctx, const char *path, uint64_t *size)
{
    struct stat st;

    (void)ctx;
    if (path == NULL || size == NULL)
        return TVC_ERR_ARG;
    if (stat(path, &st) != 0)
        return absent(errno) ? TVC_ERR_NOT_FOUND : TVC_ERR_STORAGE;
    if (!S_ISREG(st.st_mode))
        return TVC_ERR_STORAGE;
    *size = (uint64_t)st.st_size;
    return 0;
}

int tvc_posix_file_rename(void *ctx, const char *from, const char *to)
{
    (void)ctx;
    if (from == NULL || to == NULL)
        return TVC_ERR_ARG;
    return rename(from, to) == 0 ? 0 : TVC_ERR_STORAGE;
}

int tvc_posix_file_remove(void *ctx, const char *path)
{
    (void)ctx;
    if (path == NULL)
        return TVC_ERR_ARG;
    if (unlink(path) == 0)
        return 0;
    return absent(errno) ? TVC_ERR_NOT_FOUND : TVC_ERR_STORAGE;
}

static int sync_dir(const char *dir)
{
    int fd, r;

    do
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return TVC_ERR_STORAGE;
    r = fsync(fd);
    /* EINVAL: a file system that cannot sync directories; nothing more
     * can be done there, and failing would make storage unusable. */
    if (r != 0 && errno == EINVAL)
        r = 0;
    close(fd);
    return r == 0 ? 0 : TVC_ERR_STORAGE;
}

int tvc_posix_dir_sync(void *ctx, const char *dir)
{
    (void)ctx;
    if (dir == NULL)
        return TVC_ERR_ARG;
    return sync_dir(dir);
}

/* Create one directory.  Returns 1 created, 0 already a directory, -1. */
static int make_one(const char *path)
{
    struct stat st;

    if (mkdir(path, 0700) == 0)
        return 1;
    /* EEXIST, but also EACCES / EROFS for a directory that exists in a
     * parent we may not write to: what matters is that it is there. */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    return -1;
}

int tvc_posix_dir_create(void *ctx, const char *dir)
{
    char buf[PATH_MAX];
    size_t len, i, j;
    char c;
    int r;

    (void)ctx;
    if (dir == NULL || dir[0] == '\0')
        return TVC_ERR_ARG;
    len = strlen(dir);
    if (len >= sizeof buf)
        return TVC_ERR_STORAGE;
    memcpy(buf, dir, len + 1);

    /* Each prefix ending at a component's end, parents first. */
    for (i = 1; i <= len; i++) {
        if ((buf[i] != '/' && buf[i] != '\0') || buf[i - 1] == '/')
            continue;
        c = buf[i];
        buf[i] = '\0';
        r = make_one(buf);
        if (r > 0) {
            /* A new directory is durable only once its parent is synced. */
            for (j = i; j > 0 && buf[j - 1] != '/'; j--)
                ;
            if (j == 0) {
                r = sync_dir(".");
            } else {
                char save = buf[j];
                buf[j] = '\0';
                r = sync_dir(buf);
                buf[j] = save;
            }
        }
        buf[i] = c;
        if (r < 0)
            return TVC_ERR_STORAGE;
    }
    return 0;
}

int tvc_posix_dir_list(void *ctx, const char *dir, int (*cb)(void *user, const char *name),
                       void *user)
{
    struct dirent *de;
    DIR *d;
    int r = 0;

    (void)ctx;
    if (dir == NULL || cb == NULL)
        return TVC_ERR_ARG;
    d = opendir(dir);
    if (d == NULL)
        return absent(errno) ? TVC_ERR_NOT_FOUND : TVC_ERR_STORAGE;
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (de == NULL) {
            if (errno != 0)
                r = TVC_ERR_STORAGE;
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        r = cb(user, de->d_name);
        if (r != 0)
            break;
    }
    closedir(d);
    return r;
}
