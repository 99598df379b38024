/* POSIX port: monotonic clock, wall clock, entropy. */
#define _DEFAULT_SOURCE

#include "posix_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

/* getrandom() (Linux 3.17, glibc 2.25); without it, or on a kernel that
 * lacks the system call, /dev/urandom.  TVC_POSIX_NO_GETRANDOM forces the
 * fallback (used to test it). */
#if defined(__linux__) && !defined(TVC_POSIX_NO_GETRANDOM) && defined(__has_include)
#if __has_include(<sys/random.h>)
#include <sys/random.h>
#define HAVE_GETRANDOM 1
#endif
#endif

/* A wall clock earlier than this (2020-01-01) was never set: a device
 * without a battery-backed clock boots in 1970 until NTP runs. */
#define CLOCK_SET_AFTER 1577836800

uint64_t tvc_posix_now_ms(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    /* Cannot fail with a valid clock id; 0 keeps the result defined. */
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t tvc_posix_wall_time(void *ctx)
{
    time_t t = time(NULL);

    (void)ctx;
    if (t == (time_t)-1 || (int64_t)t < CLOCK_SET_AFTER)
        return -1;
    return (int64_t)t;
}

static int urandom(uint8_t *buf, size_t len)
{
    ssize_t n;
    int fd;

    do
        fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return TVC_ERR_ENTROPY;
    while (len > 0) {
        n = read(fd, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            close(fd);
            return TVC_ERR_ENTROPY;
        }
    }
    close(fd);
    return 0;
}

int tvc_posix_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    if (buf == NULL && len > 0)
        return TVC_ERR_ARG;
#ifdef HAVE_GETRANDOM
    /* Blocks only until the kernel pool is first seeded, which is the point.
     * Requests over 256 bytes may come back short: loop. */
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == ENOSYS) {
            break;
        } else {
            return TVC_ERR_ENTROPY;
        }
    }
    if (len == 0)
        return 0;
#endif
    return urandom(buf, len);
}
