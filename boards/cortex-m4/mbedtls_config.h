/*
 * mbedTLS 3.6 LTS configuration for the cortex-m4 board (bare metal, no OS).
 * Used as MBEDTLS_CONFIG_FILE by boards/cortex-m4/mbedtls.mk, for the library
 * and for every file that includes an mbedTLS header.
 *
 * What it is: a TLS 1.2 and 1.3 *client* with certificate verification;
 * ECDHE over P-256 and X25519; AES-128-GCM and ChaCha20-Poly1305 (with
 * SHA-256); X.509 parsing (PEM and DER) with ECDSA P-256 signatures;
 * nothing else.  No server, no DTLS, no TLS 1.0/1.1, no CBC, no static RSA
 * key exchange, no renegotiation, no filesystem, no sockets.
 *
 * Sized for issue 7's targets (64 KB of RAM in all, 192 KB of flash; the
 * figures are in the README).  Left out by default, and what a board that
 * talks to servers with other chains defines to add it back:
 *   TVC_MBEDTLS_RSA    RSA signatures in certificates (PKCS#1 v1.5 and
 *                      PSS, which TLS 1.3 needs), the ECDHE-RSA suites;
 *   TVC_MBEDTLS_P384   P-384 (ECDSA keys of many public CAs' roots and
 *                      intermediates), SHA-384 and SHA-512, and the
 *                      AES-256-GCM-SHA384 suites.
 * (make ... MBEDTLS_OPTIONS='-DTVC_MBEDTLS_RSA -DTVC_MBEDTLS_P384', see
 * boards/cortex-m4/mbedtls.mk).  With both, the whole-flow image measured
 * 17 KB more flash (185.5 KB in all) and 4.3 KB more RAM (55.9 KB: the
 * server then picks AES-256-GCM-SHA384; the stack peak grows by 1 KB):
 * still under the targets.  The simulator's chain
 * (tests/sim/sim_certs.py, tests/certs.sh: EC P-256 keys,
 * ecdsa-with-SHA256) needs neither.
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
 * mbedTLS still takes from the C library is named here: snprintf (X.509
 * names), exit (the arena allocator stops on a corrupted heap, which ends
 * an emulated run through the board's exit) and printf for the allocator's
 * diagnostics: mbedtls_fprintf(stderr, ...) drops the stream, since the
 * board has one console and naming stderr would pull newlib's 1 KB
 * reentrancy structure into RAM. */
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#include <stdio.h>    /* snprintf (platform.h no longer includes it) */
#include <stdlib.h>   /* exit */
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO snprintf
#define MBEDTLS_PLATFORM_EXIT_MACRO exit
#define MBEDTLS_PLATFORM_FPRINTF_MACRO(stream, ...) printf(__VA_ARGS__)
/* Dates for the certificate validity check: newlib's gmtime_r() (through
 * boards/cortex-m4/mbedtls_alt.c, built into libmbedcrypto.a), not
 * gmtime(), whose static result lives in that same reentrancy structure. */
#define MBEDTLS_PLATFORM_GMTIME_R_ALT
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
#define MBEDTLS_SHA224_C              /* sha256.c builds both; see check_config */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER        /* a loop, not the unrolled rounds */
#define MBEDTLS_HKDF_C
#if defined(TVC_MBEDTLS_P384)
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_SHA512_SMALLER
#endif

/* ---- Public key: ECDHE (P-256, X25519), ECDSA verification ----------- */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#if defined(TVC_MBEDTLS_P384)
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#endif
#define MBEDTLS_ECP_NIST_OPTIM
#if defined(TVC_MBEDTLS_RSA)
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21                  /* RSA-PSS, which TLS 1.3 requires */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
/* TLS 1.3 offers the rsa_pss_rsae signature algorithms (the only RSA ones
 * a TLS 1.3 server may sign its handshake with) only with this */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT
#endif
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C                /* the trust anchors come as PEM */

/* ---- X.509 ------------------------------------------------------------ */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE /* libtvc refuses a leaf not for serverAuth */

/* ---- PSA crypto (3.6 runs TLS 1.3 over it) ---------------------------- */
#define MBEDTLS_PSA_CRYPTO_C
/* Volatile keys held at once: a connection's ECDHE key and its traffic
 * keys (two per direction while the handshake keys give way to the
 * application keys); 8 leaves room for a second connection. */
#define MBEDTLS_PSA_KEY_SLOT_COUNT 8

/* ---- TLS: client only, 1.2 and 1.3 ------------------------------------ */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED /* resumption */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE  /* TLS 1.3 requires it in 3.6 */
/* Record buffers: servers send full 16 KB records, and a record can only
 * be decrypted whole, so the input side takes 16 KB.  The client's own
 * records are small: the ClientHello (about 300 bytes, 500 with a
 * session ticket) and the requests, which go out in records of at most
 * 1 KB (mbedtls_ssl_write() takes what fits and libtvc sends the rest
 * after it, as it does with a short TCP send). */
#define MBEDTLS_SSL_IN_CONTENT_LEN  16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 1024

/* ---- RAM over speed ---------------------------------------------------- */
#define MBEDTLS_MPI_WINDOW_SIZE 2
#if defined(TVC_MBEDTLS_RSA)
#define MBEDTLS_MPI_MAX_SIZE 512           /* RSA-4096 */
#elif defined(TVC_MBEDTLS_P384)
#define MBEDTLS_MPI_MAX_SIZE 48            /* P-384 */
#else
#define MBEDTLS_MPI_MAX_SIZE 32            /* P-256 and X25519 */
#endif
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_ENTROPY_MAX_SOURCES 2

#endif /* TVC_BOARD_MBEDTLS_CONFIG_H */
