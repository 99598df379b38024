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

#define READ_CHUNK 512

int tvc_sha256_file(const struct tvc_port *port, const char *path, uint8_t out[32],
                    uint64_t *size)
{
    mbedtls_sha256_context ctx;
    uint8_t buf[READ_CHUNK];
    uint64_t total = 0;
    int fh, n, rc;

    fh = port->file_open(port->ctx, path, TVC_FILE_READ);
    if (fh < 0)
        return fh == TVC_ERR_NOT_FOUND ? TVC_ERR_NOT_FOUND : TVC_ERR_STORAGE;
    mbedtls_sha256_init(&ctx);
    rc = SHA_STARTS(&ctx, 0) == 0 ? 0 : TVC_ERR_STORAGE;
    while (rc == 0) {
        n = port->file_read(port->ctx, fh, buf, sizeof buf);
        if (n < 0 || n > (int)sizeof buf) {
            rc = TVC_ERR_STORAGE;
            break;
        }
        if (n == 0)
            break;
        if (SHA_UPDATE(&ctx, buf, (size_t)n) != 0)
            rc = TVC_ERR_STORAGE;
        total += (uint64_t)n;
    }
    if (rc == 0 && SHA_FINISH(&ctx, out) != 0)
        rc = TVC_ERR_STORAGE;
    mbedtls_sha256_free(&ctx);
    /* Read-only: a close failure cannot have lost anything. */
    (void)port->file_close(port->ctx, fh);
    if (rc == 0 && size)
        *size = total;
    return rc;
}
