/* Internal to the core: the durable-file steps the journal, the budget and
 * the downloader share, through the port's storage functions. */
#ifndef TVC_STORE_H
#define TVC_STORE_H

#include "tvc_journal.h"
#include "tvc_port.h"

/* Any failure of a storage call is TVC_ERR_STORAGE (the port contract). */
int tvc_store_st(int rc);

/* fsync the directory holding @p path: everything before the last '/'
 * ("/" for a file in the root, "." for a bare name).  @p path is cut at
 * that '/' for the call and restored, so no copy of it is made.
 * 0; TVC_ERR_STORAGE. */
int tvc_store_sync_parent(const struct tvc_port *p, char *path);

/* Publish a temp file atomically.  @p fh is open on @p tmp and holds the
 * new content; @p prior is an error already met while writing it (0 if
 * none).  Sync, close, rename over @p path, sync the directory: after a
 * power cut either the old or the new file is there, whole.  On any
 * failure the temp file is removed and the error returned. */
int tvc_store_commit(const struct tvc_port *p, int fh, int prior, const char *tmp,
                     char *path);

/* Buffered writing: bytes gather in @p buf and go out in @p cap pieces.
 * The first failure sticks in err. */
struct tvc_store_wr {
    const struct tvc_port *p;
    uint8_t *buf;
    size_t cap, len;
    int fh;
    int err;
};
/* Create (or truncate) @p path for writing through @p buf.  0; TVC_ERR_STORAGE. */
int tvc_store_create(struct tvc_store_wr *w, const struct tvc_port *p, const char *path,
                     uint8_t *buf, size_t cap);
void tvc_store_put(struct tvc_store_wr *w, const char *s, size_t n);
void tvc_store_num(struct tvc_store_wr *w, int64_t v); /* decimal, signed */
void tvc_store_flush(struct tvc_store_wr *w);

/* Buffered reading, a byte at a time.  fh < 0: reads as empty. */
struct tvc_store_rd {
    const struct tvc_port *p;
    uint8_t *buf;
    size_t cap, pos, len;
    int fh;
};
#define TVC_STORE_EOF 256
/* The next byte (0..255); TVC_STORE_EOF; TVC_ERR_STORAGE. */
int tvc_store_getc(struct tvc_store_rd *r);

/* Journal paths: @p dst (j->path_ or j->tmp_, both starting with the
 * directory) gets "/" a b c after the directory.  0; TVC_ERR_NOSPACE. */
int tvc_journal_path_(struct tvc_journal *j, char *dst, const char *a, const char *b,
                      const char *c);

#endif
