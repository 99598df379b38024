/* SHA-256 through mbedTLS, behind tvc_hash.h.  2.28 names the
 * int-returning calls *_ret(); 3.x renamed them back to the plain names, so
 * both are mapped here.  mbedTLS only fails here on accelerator errors. */
#include "tvc_tls.h"

#include <mbedtls/version.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define SHA_STARTS mbedtls_sha256_starts
#define SHA_UPDATE mbedtls_sha256_update
#define SHA_FINISH mbedtls_sha256_finish
#else
#define SHA_STARTS mbedtls_sha256_starts_ret
#define SHA_UPDATE mbedtls_sha256_update_ret
#define SHA_FINISH mbedtls_sha256_finish_ret
#endif

static int sha_start(void *ctx)
{
    mbedtls_sha256_context *c = ctx;

    mbedtls_sha256_free(c);
    mbedtls_sha256_init(c);
    return SHA_STARTS(c, 0) == 0 ? 0 : TVC_ERR_STORAGE;
}

static int sha_update(void *ctx, const uint8_t *data, size_t len)
{
    return SHA_UPDATE((mbedtls_sha256_context *)ctx, data, len) == 0 ? 0 : TVC_ERR_STORAGE;
}

static int sha_finish(void *ctx, uint8_t out[TVC_SHA256_LEN])
{
    mbedtls_sha256_context *c = ctx;
    int rc = SHA_FINISH(c, out) == 0 ? 0 : TVC_ERR_STORAGE;

    mbedtls_sha256_free(c);
    mbedtls_sha256_init(c);
    return rc;
}

void tvc_hash_mbedtls_init(struct tvc_hash *h, mbedtls_sha256_context *ctx)
{
    mbedtls_sha256_init(ctx);
    h->ctx = ctx;
    h->start = sha_start;
    h->update = sha_update;
    h->finish = sha_finish;
}
