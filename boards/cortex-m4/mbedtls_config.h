/*
 * mbedTLS 3.6 LTS configuration for the cortex-m4 board (bare metal, no OS).
 * Used as MBEDTLS_CONFIG_FILE by boards/cortex-m4/mbedtls.mk, for the library
 * and for every file that includes an mbedTLS header.
 *
 * What it is: a TLS 1.2 and 1.3 *client* with certificate verification;
 * ECDHE over P-256 and X25519; AES-GCM and ChaCha20-Poly1305; X.509 parsing
 * (PEM and DER, RSA and ECDSA signatures, so real CAs verify); nothing else.
 * No server, no DTLS, no TLS 1.0/1.1, no CBC, no static RSA key exchange,
 * no renegotiation, no filesystem, no sockets.
 *
 * What the board must provide (link-time dependencies of the image):
 *   - mbedtls_hardware_poll()  entropy (MBEDTLS_ENTROPY_HARDWARE_ALT);
 *   - mbedtls_ms_time()        a millisecond clock (MBEDTLS_PLATFORM_MS_TIME_ALT),
 *                              used by TLS 1.3 session tickets' age;
 * and at run time, before the first handshake:
 *   - mbedtls_memory_buffer_alloc_init(arena, size)  the static heap arena;
 *   - mbedtls_platform_set_time(fn)  wall-clock seconds since the epoch, for
 *     the certificate validity check (MBEDTLS_PLATFORM_TIME_ALT).  Until a
 *     board sets it, the time is 0 (1970), so every certificate is "not yet
 *     valid" and the handshake fails closed rather than skipping the check.
 *     Under QEMU the board reads the host's time through semihosting
 *     (SYS_TIME); a real board takes it from an RTC or SNTP.
 *   - psa_crypto_init()  (libtvc's TLS glue calls it): TLS 1.3 runs over PSA.
 *
 * The PSA side is derived from this legacy configuration by mbedTLS itself
 * (MBEDTLS_PSA_CRYPTO_CONFIG is off), so there is no separate PSA config.
 */
#ifndef TVC_BOARD_MBEDTLS_CONFIG_H
#define TVC_BOARD_MBEDTLS_CONFIG_H

/* ---- System and platform --------------------------------------------- */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_PLATFORM_C
/* calloc/free go through mbedtls_platform_set_calloc_free(), which
 * mbedtls_memory_buffer_alloc_init() points at the static arena */
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* the arena's high-water mark (mbedtls_memory_buffer_alloc_max_get(), which
 * boards/cortex-m4/fw_platform.c prints); costs a few counters and the
 * allocator's fatal-error messages on stderr */
#define MBEDTLS_MEMORY_DEBUG
/* No C library defaults: calloc/free are unset until the arena is set
 * (so newlib's malloc is never linked), time() is never called.  What
 * mbedTLS still takes from newlib is named here: snprintf (X.509 names)
 * and exit (the arena allocator stops on a corrupted heap, which ends an
 * emulated run through the board's _exit). */
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#include <stdio.h>    /* snprintf (platform.h no longer includes it) */
#include <stdlib.h>   /* exit */
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO snprintf
#define MBEDTLS_PLATFORM_EXIT_MACRO exit
/* Time: seconds from a board hook (certificate validity), milliseconds from
 * the board's clock; no time() or gettimeofday() from the C library. */
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_TIME_ALT
#define MBEDTLS_PLATFORM_MS_TIME_ALT
/* Entropy: no /dev/urandom or getrandom(); the board's hardware source only */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* ---- Symmetric crypto and hashes ------------------------------------- */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES        /* tables in flash, not RAM */
#define MBEDTLS_AES_FEWER_TABLES      /* 2 KB of tables instead of 8 KB */
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA384_C              /* TLS_AES_256_GCM_SHA384, P-384 CAs */
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C

/* ---- Public key: ECDHE (P-256, X25519), ECDSA and RSA verification ---- */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED   /* verifying P-384 CA signatures */
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_RSA_C                      /* RSA certificates (verify only) */
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21                  /* RSA-PSS, which TLS 1.3 requires */
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C

/* ---- X.509 ------------------------------------------------------------ */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE /* libtvc refuses a leaf not for serverAuth */
/* TLS 1.3 offers the rsa_pss_rsae signature algorithms (the only RSA ones
 * a TLS 1.3 server may sign its handshake with) only with this */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT

/* ---- PSA crypto (3.6 runs TLS 1.3 over it) ---------------------------- */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_KEY_SLOT_COUNT 16

/* ---- TLS: client only, 1.2 and 1.3 ------------------------------------ */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED /* resumption */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE  /* TLS 1.3 requires it in 3.6 */
/* Record buffers: servers send full 16 KB records, and a record can only
 * be decrypted whole, so the input side takes 16 KB; the client's own
 * records (requests) are small. */
#define MBEDTLS_SSL_IN_CONTENT_LEN  16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

/* ---- RAM over speed ---------------------------------------------------- */
#define MBEDTLS_MPI_WINDOW_SIZE 2
#define MBEDTLS_MPI_MAX_SIZE 512           /* RSA-4096 */
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_ENTROPY_MAX_SOURCES 2

#endif /* TVC_BOARD_MBEDTLS_CONFIG_H */
