/* SHA-256 through mbedTLS.  2.28 names the int-returning calls *_ret();
 * 3.x renamed them back to the plain names, so both are mapped here. */
#include "sha256.h"


#include <mbedtls/sha256.h>
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

int tvc_sha256_begin(mbedtls_sha256_context *ctx)
{
    mbedtls_sha256_free(ctx);
    mbedtls_sha256_init(ctx);
    return SHA_STARTS(ctx, 0) == 0 ? 0 : TVC_ERR_STORAGE;
}

int tvc_sha256_update(mbedtls_sha256_context *ctx, const uint8_t *p, size_t n)
{
    return SHA_UPDATE(ctx, p, n) == 0 ? 0 : TVC_ERR_STORAGE;
}

int tvc_sha256_end(mbedtls_sha256_context *ctx, uint8_t out[32])
{
    int rc = SHA_FINISH(ctx, out) == 0 ? 0 : TVC_ERR_STORAGE;
    mbedtls_sha256_free(ctx);
    mbedtls_sha256_init(ctx);
    return rc;
}
