/* Internal to the core: the durable-file steps the journal, the budget and
 * the downloader share, through the port's storage functions. */
#ifndef TVC_STORE_H
#define TVC_STORE_H

#include "tvc_port.h"

/* Any failure of a storage call is TVC_ERR_STORAGE (the port contract). */
int tvc_store_st(int rc);

/* fsync the directory holding @p path: everything before the last '/'
 * ("/" for a file in the root, "." for a bare name).
 * 0; TVC_ERR_NOSPACE (path too long); TVC_ERR_STORAGE. */
int tvc_store_sync_parent(const struct tvc_port *p, const char *path);

/* Publish a temp file atomically.  @p fh is open on @p tmp and holds the
 * new content; @p prior is an error already met while writing it (0 if
 * none).  Sync, close, rename over @p path, sync the directory: after a
 * power cut either the old or the new file is there, whole.  On any
 * failure the temp file is removed and the error returned. */
int tvc_store_commit(const struct tvc_port *p, int fh, int prior, const char *tmp,
                     const char *path);

#endif
