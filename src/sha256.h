/* Internal to the core: incremental SHA-256 over mbedTLS 2.28 or 3.x. */
#ifndef TVC_SHA256_H
#define TVC_SHA256_H

#include <mbedtls/sha256.h>

#include "tvc_port.h"

/* Incremental hashing over mbedTLS 2.28 or 3.x names.  0 or TVC_ERR_STORAGE
 * (mbedTLS only fails here on hardware-accelerator errors). */
int tvc_sha256_begin(mbedtls_sha256_context *ctx);
int tvc_sha256_update(mbedtls_sha256_context *ctx, const uint8_t *p, size_t n);
int tvc_sha256_end(mbedtls_sha256_context *ctx, uint8_t out[32]);

#endif
