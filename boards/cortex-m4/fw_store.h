/* A RAM-backed file store: the storage half of struct tvc_port for a board
 * without a flash driver (QEMU's mps2-an386).  Nothing survives a reset;
 * within a run it keeps the port's semantics (tvc_port.h):
 *
 * - Durability: a file's *content* is what was last synced.  A handle
 *   opened for writing collects its writes in a pending copy; file_sync()
 *   commits it (all at once: readers see the old or the new content, never
 *   a mix).  Closing a handle without a sync drops its pending data, as a
 *   power cut before the write-back would; fw_store_power_cut() does that
 *   to every open handle.  Stricter than POSIX (where closed, unsynced
 *   data stays visible until a crash), so a missing fsync shows up here
 *   at once; libtvc syncs everything it reads back.
 * - TVC_FILE_WRITE truncates at the first sync, not at open (the old
 *   content stays readable until then); TVC_FILE_APPEND adds to the
 *   content at each sync.  Each write is all or nothing.
 * - Names: file_open() creates the name at once (empty content), as
 *   O_CREAT does.  rename, remove, dir_create take effect at once and are
 *   durable at once, so dir_sync() only checks that the directory exists.
 *   file_rename() atomically replaces an existing target; a handle keeps
 *   the file it opened (a renamed file's handle syncs into the new name;
 *   a replaced or removed file stays readable through its handles until
 *   they close), as with POSIX inodes.
 * - file_lock(): one program, no other process: granted at once; a second
 *   handle asking for a lock already held gets TVC_ERR_STORAGE (it would
 *   wait forever in a super loop).
 * - Paths: '/'-separated; a leading '/', "./" parts, repeated and trailing
 *   '/' are ignored ("." and "/" are the root).  A file's or directory's
 *   parent directory must exist.  The root always does.
 * - Fixed sizes (config macros below): FW_STORE_FILES names (files and
 *   directories), FW_STORE_HANDLES open handles, FW_STORE_PATH_MAX bytes
 *   per path, and one FW_STORE_ARENA-byte arena shared by every file's
 *   content and every pending copy (kept packed: freed bytes are
 *   reclaimed at once, no fragmentation).  Out of names, handles or bytes
 *   is TVC_ERR_STORAGE; reading a missing file TVC_ERR_NOT_FOUND.
 *
 * Not thread- or interrupt-safe: call from the main loop only. */
#ifndef TVC_FW_STORE_H
#define TVC_FW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "tvc_port.h"

#ifndef FW_STORE_FILES
#define FW_STORE_FILES 24
#endif
#ifndef FW_STORE_HANDLES
#define FW_STORE_HANDLES 6
#endif
#ifndef FW_STORE_PATH_MAX
#define FW_STORE_PATH_MAX 96
#endif
#ifndef FW_STORE_ARENA
#define FW_STORE_ARENA (16u * 1024u)
#endif

struct fw_extent {
    uint32_t off, len;
};

struct fw_store {
    struct {
        char name[FW_STORE_PATH_MAX]; /* normalised path; "" once unlinked */
        uint8_t used, is_dir, linked;
        uint8_t open;                 /* handles on it */
    } node[FW_STORE_FILES];
    struct {
        int16_t node;                 /* -1 free */
        uint8_t flags;                /* enum tvc_file_flags */
        uint8_t replace;              /* WRITE handle before its first sync */
        uint8_t locked;
        uint32_t pos;                 /* read position */
    } h[FW_STORE_HANDLES];
    /* extents: [0, FILES) node content, [FILES, FILES + HANDLES) pending */
    struct fw_extent ext[FW_STORE_FILES + FW_STORE_HANDLES];
    uint32_t used;                    /* bytes of the arena in use */
    uint32_t peak;                    /* most ever in use */
    uint8_t arena[FW_STORE_ARENA];
};

/* Empty the store (no files, only the root), make it the one the storage
 * functions use, and fill them in @p port (when not NULL).  One store per
 * image: the functions ignore the port's ctx, which stays the network
 * half's.  The other members of @p port are left as they are. */
void fw_store_init(struct fw_store *s, struct tvc_port *port);

/* Drop every open handle and its unsynced data, as a power cut would
 * (@p s: the store fw_store_init() set up). */
void fw_store_power_cut(struct fw_store *s);

/* The storage functions, for a port assembled by hand (ctx unused). */
int fw_store_open(void *ctx, const char *path, unsigned flags);
int fw_store_read(void *ctx, int fh, uint8_t *buf, size_t len);
int fw_store_write(void *ctx, int fh, const uint8_t *buf, size_t len);
int fw_store_sync(void *ctx, int fh);
int fw_store_close(void *ctx, int fh);
int fw_store_lock(void *ctx, int fh);
int fw_store_size(void *ctx, const char *path, uint64_t *size);
int fw_store_rename(void *ctx, const char *from, const char *to);
int fw_store_remove(void *ctx, const char *path);
int fw_store_dir_sync(void *ctx, const char *dir);
int fw_store_dir_create(void *ctx, const char *dir);
int fw_store_dir_list(void *ctx, const char *dir, int (*cb)(void *user, const char *name),
                      void *user);

#endif
