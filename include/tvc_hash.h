/**
 * @file tvc_hash.h
 * @brief SHA-256 behind a small interface, so the core needs no crypto
 * library of its own.  libtvc ships mbedTLS's (tvc_hash_mbedtls_init() in
 * tvc_tls.h); a board may plug a hardware hash engine instead.
 *
 * One hash in progress per struct at a time: start(), any number of
 * update(), finish().  start() may be called again at any time to drop the
 * hash in progress and begin a new one.
 */
#ifndef TVC_HASH_H
#define TVC_HASH_H

#include "tvc_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Bytes in a SHA-256 digest. */
#define TVC_SHA256_LEN 32

struct tvc_hash {
    /** Passed as first argument to every function; the core never reads it. */
    void *ctx;
    /** @brief Begin a new hash.  @return 0; TVC_ERR_STORAGE (engine failure). */
    int (*start)(void *ctx);
    /** @brief Add @p len bytes.  @return 0; TVC_ERR_STORAGE. */
    int (*update)(void *ctx, const uint8_t *data, size_t len);
    /** @brief Write the digest to @p out.  @return 0; TVC_ERR_STORAGE. */
    int (*finish)(void *ctx, uint8_t out[TVC_SHA256_LEN]);
};

#ifdef __cplusplus
}
#endif
#endif /* TVC_HASH_H */
