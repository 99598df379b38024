/* Internal to the core: SHA-256 (mbedTLS 2.28 or 3.x) of a file read back
 * through the port's storage functions. */
#ifndef TVC_SHA256_H
#define TVC_SHA256_H

#include "tvc_port.h"

/*
 * Hash the file at @p path, reading it through @p port in small chunks
 * (the stack buffer is 512 bytes; nothing is loaded whole).
 * @param size set to the number of bytes hashed; may be NULL
 * @return 0; TVC_ERR_NOT_FOUND; TVC_ERR_STORAGE.
 */
int tvc_sha256_file(const struct tvc_port *port, const char *path, uint8_t out[32],
                    uint64_t *size);

#endif
