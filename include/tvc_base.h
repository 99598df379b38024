/**
 * @file tvc_base.h
 * @brief libtvc basics: version, the one error enum, byte slices.
 *
 * Every libtvc function that can fail returns an `int`: 0 (TVC_OK) or a
 * count >= 0 on success, a negative `enum tvc_err` on failure.  Errors are
 * grouped by what the caller does next; tvc_err_class() says which group.
 */
#ifndef TVC_BASE_H
#define TVC_BASE_H

#include <stddef.h>
#include <stdint.h>

#define TVC_VERSION_MAJOR 0
#define TVC_VERSION_MINOR 1
#define TVC_VERSION_PATCH 0
#define TVC_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Library status codes.  0 is success; every error is negative. */
enum tvc_err {
    TVC_OK = 0,

    /* -1 .. -9: the caller passed something wrong; fix the input. */
    TVC_ERR_ARG = -1,          /**< invalid argument or option */
    TVC_ERR_NOSPACE = -2,      /**< a caller-supplied buffer is too small */
    TVC_ERR_UTF8 = -3,         /**< text is not valid UTF-8 */
    TVC_ERR_URL = -4,          /**< malformed URL */
    TVC_ERR_URL_SCHEME = -5,   /**< URL scheme is not http or https */
    TVC_ERR_URL_USERINFO = -6, /**< URL carries user:password@ (refused) */
    TVC_ERR_STATE = -7,        /**< function called in the wrong state */
    TVC_ERR_PORT = -8,         /**< port struct missing a function or wrong version */

    /* -10 .. -19: transient; the same call may succeed later. */
    TVC_ERR_AGAIN = -10,   /**< in progress / more input needed; call again */
    TVC_ERR_TIMEOUT = -11, /**< no progress before the deadline */
    TVC_ERR_DNS = -12,     /**< host name could not be resolved */
    TVC_ERR_CONNECT = -13, /**< connection refused or unreachable */
    TVC_ERR_RESET = -14,   /**< connection reset by the peer */
    TVC_ERR_CLOSED = -15,  /**< peer closed before a response started */
    TVC_ERR_IO = -16,      /**< other network send/receive failure */

    /* -20 .. -29: TLS.  Certificate errors are final until trust is fixed. */
    TVC_ERR_TLS = -20,           /**< handshake or record-layer failure */
    TVC_ERR_TLS_UNTRUSTED = -21, /**< certificate chain not anchored in the trust store */
    TVC_ERR_TLS_HOSTNAME = -22,  /**< certificate does not match the host name / IP */
    TVC_ERR_TLS_EXPIRED = -23,   /**< certificate expired or not yet valid */
    TVC_ERR_TLS_CERT = -24,      /**< certificate refused for another reason */
    TVC_ERR_TLS_CA = -25,        /**< trust anchors could not be loaded */

    /* -30 .. -39: the server broke HTTP; do not trust this response. */
    TVC_ERR_HTTP = -30,                  /**< malformed status line or header */
    TVC_ERR_HTTP_HEADERS_TOO_LARGE = -31,/**< header block exceeds the header buffer */
    TVC_ERR_HTTP_TOO_MANY_HEADERS = -32, /**< more header fields than slots */
    TVC_ERR_HTTP_FOLDING = -33,          /**< white space before the first field (folds themselves are unfolded) */
    TVC_ERR_HTTP_FRAMING = -34,          /**< invalid or conflicting Content-Length / Transfer-Encoding */
    TVC_ERR_HTTP_CHUNK = -35,            /**< malformed chunked encoding or chunk size overflow */
    TVC_ERR_HTTP_TRUNCATED = -36,        /**< connection ended inside the body */
    TVC_ERR_HTTP_REDIRECT_LIMIT = -37,   /**< more than TVC_HTTP_MAX_REDIRECTS hops */
    TVC_ERR_HTTP_REDIRECT_INSECURE = -38,/**< redirect from https to http (refused) */
    TVC_ERR_HTTP_REDIRECT = -39,         /**< redirect without a usable Location */

    /* -40 .. -49: JSON. */
    TVC_ERR_JSON = -40,        /**< malformed JSON */
    TVC_ERR_JSON_TOKENS = -41, /**< more JSON tokens than the caller's array holds */
    TVC_ERR_JSON_ESCAPE = -42, /**< bad escape or lone surrogate in a string */
    TVC_ERR_JSON_TYPE = -43,   /**< value has another type than asked for */
    TVC_ERR_JSON_RANGE = -44,  /**< number does not fit the requested type */
    TVC_ERR_NOT_FOUND = -45,   /**< member, file or record absent */

    /* -50 .. -59: local side. */
    TVC_ERR_ABORTED = -50, /**< a caller callback asked to stop */
    TVC_ERR_ENTROPY = -51, /**< the port could not supply entropy */
    TVC_ERR_STORAGE = -52, /**< local storage failed (open, write, sync, rename) */

    /* -60 .. -69: the job and the service. */
    TVC_ERR_HTTP_STATUS = -60,     /**< unexpected HTTP status (e.g. 404 for a download) */
    TVC_ERR_API = -61,             /**< the API answered with an errorCode (see the result) */
    TVC_ERR_OUTCOME_UNKNOWN = -62, /**< generate went out and no answer came; not re-sent */
    TVC_ERR_DEADLINE = -63,        /**< the job's overall deadline passed */
    TVC_ERR_JOB_FAILED = -64,      /**< the job ended in status "failed" */
    TVC_ERR_BUDGET = -65,          /**< the request budget leaves no room before the deadline */
    TVC_ERR_API_PROTOCOL = -66,    /**< answer lacks a required field or has an unknown status */
    TVC_ERR_MEDIA_TYPE = -67       /**< a download answered with a page (HTML, XML, JSON, text), not the file */
};

/** @brief What the caller should do about an error (see tvc_err_class()). */
enum tvc_err_class {
    TVC_CLASS_OK = 0,
    TVC_CLASS_FIX_INPUT, /**< the caller's input or configuration is wrong */
    TVC_CLASS_RETRY,     /**< transient: retry later (idempotent requests only) */
    TVC_CLASS_TRUST,     /**< TLS/certificate problem: fix the trust store or the host */
    TVC_CLASS_PROTOCOL,  /**< the peer broke the protocol: give up on this response */
    TVC_CLASS_LOCAL,     /**< local storage / entropy / caller abort */
    TVC_CLASS_JOB        /**< the job or the service said no: see the result */
};

/**
 * @brief A read-only run of bytes inside some buffer (not NUL-terminated).
 * Each function that returns a slice says how long it stays valid.
 */
struct tvc_slice {
    const char *p;
    size_t len;
};

/**
 * @brief Human-readable text for a status code.
 * @param err any value returned by libtvc (>= 0 gives "ok").
 * @return a static string; never NULL.  Built with TVC_FEATURE_STRERROR 0
 *         (tvc_config.h), the text only names the error's class
 *         ("transient failure", "protocol error", ...).
 */
const char *tvc_strerror(int err);

/**
 * @brief Classify a status code by what the caller does next.
 * @return an enum tvc_err_class value.
 */
int tvc_err_class(int err);

#ifdef __cplusplus
}
#endif
#endif /* TVC_BASE_H */
