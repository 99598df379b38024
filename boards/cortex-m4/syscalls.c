/* The few system calls newlib needs on this board, for an image that uses
 * newlib's malloc (the firmware unit tests): the heap grows from the end of
 * .bss to the stack's limit (_sbrk); writes to stdout and stderr go to
 * UART0; there are no files.  The printf family and exit() are the board's
 * own (tiny_stdio.c), which needs none of these. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "board.h"

int _write(int fd, const void *buf, size_t n);
int _read(int fd, void *buf, size_t n);
int _open(const char *path, int flags, int mode);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
off_t _lseek(int fd, off_t off, int whence);
void *_sbrk(ptrdiff_t incr);
int _kill(int pid, int sig);
int _getpid(void);

int _write(int fd, const void *buf, size_t n)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    board_write(buf, n);
    return (int)n;
}

int _read(int fd, void *buf, size_t n)
{
    (void)fd;
    (void)buf;
    (void)n;
    return 0; /* no console input: end of file */
}

int _open(const char *path, int flags, int mode)
{
    (void)path;
    (void)flags;
    (void)mode;
    errno = ENOENT;
    return -1;
}

int _close(int fd)
{
    (void)fd;
    return 0;
}

int _fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}

int _isatty(int fd)
{
    return fd >= 0 && fd <= 2;
}

off_t _lseek(int fd, off_t off, int whence)
{
    (void)fd;
    (void)off;
    (void)whence;
    errno = ESPIPE;
    return -1;
}

extern char __heap_start[], __heap_end[];

void *_sbrk(ptrdiff_t incr)
{
    static char *brk = __heap_start;
    char *old = brk;
    if (incr > __heap_end - brk || incr < __heap_start - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    brk += incr;
    return old;
}

int _kill(int pid, int sig)
{
    (void)pid;
    board_puts("\nkilled by signal\n");
    board_exit(128 + sig);
}

int _getpid(void)
{
    return 1;
}
