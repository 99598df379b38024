/* Functions shared between the files of the POSIX port.  Not installed:
 * applications see only tvc_posix.h. */
#ifndef TVC_POSIX_INTERNAL_H
#define TVC_POSIX_INTERNAL_H

#include "tvc_posix.h"

/* posix_port.c: the override addresses for host:port, in the order added.
 * Returns how many were written to out (at most max). */
size_t tvc_posix_resolve_lookup(const struct tvc_posix *px, const char *host, uint16_t port,
                                struct tvc_posix_addr *out, size_t max);

/* posix_net.c */
int tvc_posix_connect(void *ctx, const char *host, uint16_t port);
int tvc_posix_connect_poll(void *ctx, int sock, uint32_t wait_ms);
int tvc_posix_send(void *ctx, int sock, const uint8_t *buf, size_t len, uint32_t wait_ms);
int tvc_posix_recv(void *ctx, int sock, uint8_t *buf, size_t len, uint32_t wait_ms);
void tvc_posix_close(void *ctx, int sock);

/* posix_sys.c */
uint64_t tvc_posix_now_ms(void *ctx);
int tvc_posix_entropy(void *ctx, uint8_t *buf, size_t len);
int64_t tvc_posix_wall_time(void *ctx);

/* posix_fs.c */
int tvc_posix_file_open(void *ctx, const char *path, unsigned flags);
int tvc_posix_file_read(void *ctx, int fh, uint8_t *buf, size_t len);
int tvc_posix_file_write(void *ctx, int fh, const uint8_t *buf, size_t len);
int tvc_posix_file_sync(void *ctx, int fh);
int tvc_posix_file_close(void *ctx, int fh);
int tvc_posix_file_lock(void *ctx, int fh);
int tvc_posix_file_size(void *ctx, const char *path, uint64_t *size);
int tvc_posix_file_rename(void *ctx, const char *from, const char *to);
int tvc_posix_file_remove(void *ctx, const char *path);
int tvc_posix_dir_sync(void *ctx, const char *dir);
int tvc_posix_dir_create(void *ctx, const char *dir);
int tvc_posix_dir_list(void *ctx, const char *dir, int (*cb)(void *user, const char *name),
                       void *user);

#endif
