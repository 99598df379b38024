/**
 * @file tvc_config.h
 * @brief Every compile-time option of libtvc, each with its default.
 *
 * A board overrides options by defining them before this header is read:
 * name a file with `-DTVC_CONFIG_FILE='"my_tvc_config.h"'` and it is included
 * first.  Every option here is `#ifndef`-guarded; impossible combinations stop
 * the build with `#error`.
 */
#ifndef TVC_CONFIG_H
#define TVC_CONFIG_H

#ifdef TVC_CONFIG_FILE
#include TVC_CONFIG_FILE
#endif

/**
 * @brief User-Agent sent with every request.
 * Possible values: any string literal without CR/LF.
 * Default: "libtvc/<version>".
 */
#ifndef TVC_USER_AGENT
#define TVC_USER_AGENT "libtvc/" TVC_VERSION_STRING
#endif

/**
 * @brief Most header fields kept per response.
 * Possible values: 8 .. 255.  Default: 64 (CDNs and proxies send many).
 * A response with more fields fails with TVC_ERR_HTTP_TOO_MANY_HEADERS.
 */
#ifndef TVC_HTTP_MAX_HEADERS
#define TVC_HTTP_MAX_HEADERS 64
#endif

/**
 * @brief Redirect hops followed before TVC_ERR_HTTP_REDIRECT_LIMIT.
 * Possible values: 0 .. 20.  Default: 5.
 */
#ifndef TVC_HTTP_MAX_REDIRECTS
#define TVC_HTTP_MAX_REDIRECTS 5
#endif

/**
 * @brief Longest URL the client can hold (request URL and redirect targets),
 * including the terminating NUL.
 * Possible values: 64 .. 65535.  Default: 1024.
 */
#ifndef TVC_URL_MAX
#define TVC_URL_MAX 1024
#endif

/**
 * @brief Longest host name, including the terminating NUL.
 * Possible values: 16 .. 256.  Default: 256 (DNS allows 253).
 */
#ifndef TVC_HOST_MAX
#define TVC_HOST_MAX 256
#endif

/**
 * @brief Default time allowed for TCP connect plus TLS handshake, in ms.
 * Possible values: 1 .. 2^31-1.  Default: 15000.
 */
#ifndef TVC_HTTP_CONNECT_TIMEOUT_MS
#define TVC_HTTP_CONNECT_TIMEOUT_MS 15000
#endif

/**
 * @brief Default longest silence (no byte sent or received) during a request,
 * in ms, before TVC_ERR_TIMEOUT.
 * Possible values: 1 .. 2^31-1.  Default: 30000.
 */
#ifndef TVC_HTTP_IO_TIMEOUT_MS
#define TVC_HTTP_IO_TIMEOUT_MS 30000
#endif

/**
 * @brief Longest chunk-extension or trailer section accepted, in bytes.
 * Possible values: 64 .. 2^20.  Default: 4096.
 * Longer ones fail with TVC_ERR_HTTP_CHUNK (a server cannot make us read
 * an unbounded line).
 */
#ifndef TVC_HTTP_MAX_CHUNK_LINE
#define TVC_HTTP_MAX_CHUNK_LINE 4096
#endif

/**
 * @brief Default size of the response header buffer a client should be given.
 * Possible values: 256 .. 65535.  Default: 2048.
 * Used by the sizing macros and the `tvc` program; the library itself uses
 * whatever size the caller hands in.
 */
#ifndef TVC_HTTP_HEADER_BUF
#define TVC_HTTP_HEADER_BUF 2048
#endif

/**
 * @brief Default size of the receive buffer a client should be given.
 * Possible values: 64 .. 65535.  Default: 2048.
 */
#ifndef TVC_HTTP_IO_BUF
#define TVC_HTTP_IO_BUF 2048
#endif

/**
 * @brief Deepest JSON nesting the writer supports.
 * Possible values: 1 .. 32.  Default: 8.
 */
#ifndef TVC_JSON_MAX_DEPTH
#define TVC_JSON_MAX_DEPTH 8
#endif

/**
 * @brief Default number of JSON tokens a caller should hand in for an API answer.
 * Possible values: 16 .. 65535.  Default: 96.
 */
#ifndef TVC_JSON_TOKENS
#define TVC_JSON_TOKENS 96
#endif

/**
 * @brief Longest file path (journal, downloads), including the NUL.
 * Possible values: 32 .. 4096.  Default: 256.
 */
#ifndef TVC_PATH_MAX
#define TVC_PATH_MAX 256
#endif

/* ---- impossible combinations ---- */
#if TVC_HTTP_MAX_HEADERS < 8 || TVC_HTTP_MAX_HEADERS > 255
#error "TVC_HTTP_MAX_HEADERS must be 8..255"
#endif
#if TVC_HTTP_MAX_REDIRECTS < 0 || TVC_HTTP_MAX_REDIRECTS > 20
#error "TVC_HTTP_MAX_REDIRECTS must be 0..20"
#endif
#if TVC_URL_MAX < 64 || TVC_URL_MAX > 65535
#error "TVC_URL_MAX must be 64..65535"
#endif
#if TVC_HOST_MAX < 16 || TVC_HOST_MAX > 256
#error "TVC_HOST_MAX must be 16..256"
#endif
#if TVC_HTTP_HEADER_BUF < 256 || TVC_HTTP_HEADER_BUF > 65535
#error "TVC_HTTP_HEADER_BUF must be 256..65535"
#endif
#if TVC_HTTP_IO_BUF < 64 || TVC_HTTP_IO_BUF > 65535
#error "TVC_HTTP_IO_BUF must be 64..65535"
#endif
#if TVC_JSON_MAX_DEPTH < 1 || TVC_JSON_MAX_DEPTH > 32
#error "TVC_JSON_MAX_DEPTH must be 1..32"
#endif
#if TVC_PATH_MAX < 32 || TVC_PATH_MAX > 4096
#error "TVC_PATH_MAX must be 32..4096"
#endif
#if TVC_HTTP_MAX_CHUNK_LINE < 64
#error "TVC_HTTP_MAX_CHUNK_LINE must be at least 64"
#endif

#endif /* TVC_CONFIG_H */
