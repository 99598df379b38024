/**
 * @file tvc_download.h
 * @brief Resumable downloads to local storage through a fixed buffer.
 *
 * Bytes go to `<path>.part`; a sidecar `<path>.part.meta` remembers the URL
 * and the server's validator (ETag or Last-Modified).  A later start with the
 * same URL and path resumes with `Range` (+ `If-Range`).  A 200 answer to a
 * ranged request restarts from zero; a `Content-Range` that does not start
 * where the part file ends restarts from zero.  When the length is verified
 * the part is fsynced, renamed over `<path>` atomically and the directory
 * synced; only then is the download reported done.  No Authorization header
 * is ever sent (the request carries no key).
 *
 * An error page is never written: a 200/206 whose Content-Type is HTML,
 * XML, JSON or plain text (any text/... type, application/xml,
 * application/json, application/...+xml or +json) ends the download with
 * TVC_ERR_MEDIA_TYPE before the part is touched.
 */
#ifndef TVC_DOWNLOAD_H
#define TVC_DOWNLOAD_H

#include "tvc_base.h"
#include "tvc_config.h"
#include "tvc_hash.h"
#include "tvc_http.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Progress callback: bytes on disk so far, total (-1 unknown). */
typedef void (*tvc_dl_progress_fn)(void *user, uint64_t have, int64_t total);

struct tvc_dl {
    struct tvc_http_client *http;
    const struct tvc_port *port;
    /** SHA-256 engine (tvc_hash.h; e.g. tvc_hash_mbedtls_init() from
     *  tvc_tls.h), or NULL: no digest is computed and sha256 stays zero.
     *  Used by one download at a time. */
    const struct tvc_hash *hash;
    tvc_dl_progress_fn progress;  /**< may be NULL */
    void *progress_user;
    uint32_t io_timeout_ms;       /**< longest silence, ms; 0: TVC_HTTP_IO_TIMEOUT_MS */
    uint32_t connect_timeout_ms;  /**< connect + TLS handshake, ms; 0: TVC_HTTP_CONNECT_TIMEOUT_MS */
    /** 1: the caller vouches that a part at this path is of the same
     * resource even when its meta names another URL (a media URL the
     * service re-signed).  Such a part is resumed only when its meta holds a
     * validator (sent as If-Range; a 206 naming another one restarts) or a
     * length (the 206's total must equal it); its meta then takes the new
     * URL.  0 (default): only a part of this very URL is resumed. */
    int same_resource;

    /* results, valid after success */
    uint8_t sha256[32];           /**< SHA-256 of the finished file (zero without a hash) */
    uint64_t bytes;               /**< its size */
    int resumed;                  /**< 1 when an earlier part was kept */
    int http_status;              /**< status of the last answer */

    /* private */
    const char *url_;             /* the caller's URL (not copied) */
    const char *dest_;            /* the caller's path (not copied) */
    char path_[TVC_PATH_MAX + 11]; /* "<path>" + ".part" or ".part.meta", rewritten in place */
    uint16_t plen_;               /* strlen of <path> */
    char validator_[TVC_DL_VALIDATOR_MAX];         /* stored validator (If-Range), then the new answer's */
    struct tvc_http_req rq_;
    char redirect_[TVC_URL_MAX];  /* where a CDN's redirect target is kept */
    int fh_;
    uint64_t have_;
    int64_t total_;
    int64_t expect_;
    int state_;
    int err_;
    int hash_fh_;                 /* part being hashed before a resume, -1 none */
    uint8_t other_url_;           /* the kept part's meta names another URL */
    uint64_t hashed_;
};

/**
 * @brief Begin (or resume) downloading @p url to @p path.
 * @p port must provide storage; @p http should be a client with an https
 * transport for https URLs.  Set d->hash, d->progress, d->progress_user,
 * d->io_timeout_ms and d->connect_timeout_ms before the call (they are not
 * reset); results and
 * private members are.  The directory of @p path must exist.
 * @p url and @p path are **not copied**: both must stay valid and unchanged
 * until the download has ended (done, failed or aborted).
 * @return 0; TVC_ERR_ARG; TVC_ERR_STATE (this download is running, or
 *         @p http is in an exchange);
 *         TVC_ERR_PORT; TVC_ERR_NOSPACE (path or URL too long); URL errors;
 *         TVC_ERR_STORAGE; or another error of tvc_http_start() (e.g.
 *         TVC_ERR_CONNECT from a port that refuses at once).
 */
int tvc_dl_start(struct tvc_dl *d, struct tvc_http_client *http, const struct tvc_port *port,
                 const char *url, const char *path);

/**
 * @brief Advance the download by a bounded amount of work.
 *
 * One call does one of: hash at most TVC_DL_HASH_PER_STEP bytes of a kept
 * part (file reads of at most the client's io_cap bytes); or one
 * tvc_http_step() (at most one transport receive of at most io_cap bytes and
 * at most one body piece, hence at most one part-file write and one hash
 * update of that piece); plus, on the answer's headers, the meta file
 * (one open, 7 small writes, one fsync), and at the end a fixed number of
 * file operations (fsync, size, rename, directory sync, remove).  It blocks
 * at most about @p wait_ms in any one transport call.
 * @return TVC_ERR_AGAIN (call again: more work is ready or awaited); 0 done (file at path, d->sha256 and d->bytes set);
 *         TVC_ERR_HTTP_STATUS (not 200/206, see d->http_status; the part file
 *         is kept); TVC_ERR_MEDIA_TYPE (an error page, see above; part kept); TVC_ERR_HTTP_TRUNCATED (length did not verify; part kept
 *         for a resume); TVC_ERR_STORAGE; network/TLS/HTTP errors of
 *         tvc_http_step() (part kept: start again to resume).
 */
int tvc_dl_step(struct tvc_dl *d, uint32_t wait_ms);

/** @brief Stop: closes the part file (kept for a later resume).  Safe twice,
 * and on a zeroed struct tvc_dl that never started. */
void tvc_dl_abort(struct tvc_dl *d);

/** @brief Lower-case hex of a SHA-256 (65 bytes with NUL). */
void tvc_hex(const uint8_t *in, size_t len, char *out);

#ifdef __cplusplus
}
#endif
#endif /* TVC_DOWNLOAD_H */
