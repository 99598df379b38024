/**
 * @file tvc_url.h
 * @brief http/https URL parsing and RFC 3986 reference resolution.
 */
#ifndef TVC_URL_H
#define TVC_URL_H

#include "tvc_base.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tvc_scheme { TVC_SCHEME_HTTP = 1, TVC_SCHEME_HTTPS = 2 };

/**
 * @brief A parsed absolute http(s) URL.  All slices point into the string
 * given to tvc_url_parse() and stay valid as long as it does.
 */
struct tvc_url {
    int scheme;              /**< enum tvc_scheme */
    struct tvc_slice host;   /**< host as written; IPv6 literal without brackets */
    int host_is_ip;          /**< 0 name, 4 IPv4 literal, 6 IPv6 literal */
    uint16_t port;           /**< explicit port, else 80 / 443 */
    int port_explicit;       /**< 1 when the URL names a port */
    struct tvc_slice path;   /**< path as written, may be empty (then "/" is meant) */
    struct tvc_slice query;  /**< query including its leading '?', or empty */
};

/**
 * @brief Parse an absolute http or https URL.
 *
 * Scheme and host are matched case-insensitively; path and query are kept
 * verbatim (percent-escapes untouched); a fragment is ignored.
 *
 * @param s   the URL (need not be NUL-terminated)
 * @param len its length
 * @param out filled on success
 * @return 0; TVC_ERR_URL (malformed: empty host, bad port, bad IPv6 literal,
 *         spaces or control characters); TVC_ERR_URL_SCHEME (not http/https,
 *         or relative); TVC_ERR_URL_USERINFO (user@host is refused);
 *         TVC_ERR_ARG (@p out NULL, or @p s NULL with @p len > 0).
 */
int tvc_url_parse(const char *s, size_t len, struct tvc_url *out);

/**
 * @brief Resolve a reference (absolute or relative, as in a Location header)
 * against an absolute base URL, per RFC 3986 section 5.2, dot segments removed.
 *
 * The result is an absolute http(s) URL, NUL-terminated, without fragment.
 *
 * @return length of the result (excluding NUL); TVC_ERR_NOSPACE (does not fit
 *         @p cap); TVC_ERR_ARG (a NULL pointer); or any error of
 *         tvc_url_parse() for the base or the result.
 */
int tvc_url_resolve(const char *base, size_t base_len, const char *ref,
                    size_t ref_len, char *out, size_t cap);

/**
 * @brief Same origin: scheme, host (case-insensitive) and port all equal.
 * @return 1 same origin, 0 different.
 */
int tvc_url_same_origin(const struct tvc_url *a, const struct tvc_url *b);

/**
 * @brief Parse an IPv4 or IPv6 address literal (no brackets, no zone).
 * @param out 16 bytes; an IPv4 address fills the first 4.
 * @return 4 or 6 for the family; TVC_ERR_URL when @p s is not an IP literal;
 *         TVC_ERR_ARG (@p s NULL with @p len > 0).
 */
int tvc_ip_parse(const char *s, size_t len, uint8_t out[16]);

#ifdef __cplusplus
}
#endif
#endif /* TVC_URL_H */
