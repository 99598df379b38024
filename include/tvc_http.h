/**
 * @file tvc_http.h
 * @brief The HTTP/1.1 client: request writer, incremental response parser,
 * and a client that runs one exchange at a time as a step-driven state
 * machine (connect, TLS, send, receive, redirects, keep-alive).
 */
#ifndef TVC_HTTP_H
#define TVC_HTTP_H

#include "tvc_base.h"
#include "tvc_config.h"
#include "tvc_port.h"
#include "tvc_url.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tvc_tls;

/* ------------------------------------------------------------------ */
/* Request writer                                                      */

/** @brief What goes into a request head. */
struct tvc_http_head {
    const char *method;         /**< "GET", "POST", "HEAD", ... (token chars only) */
    const struct tvc_url *url;  /**< Host and request target come from here */
    const char *bearer;         /**< NULL, or token for "Authorization: Bearer <token>" */
    const char *content_type;   /**< NULL, or Content-Type value */
    const char *accept;         /**< NULL, or Accept value */
    int64_t content_length;     /**< -1: no Content-Length; else its value */
    int64_t range_from;         /**< -1: no Range; else "Range: bytes=<n>-" */
    const char *if_range;       /**< NULL, or If-Range validator (ETag or HTTP date) */
    int keep_alive;             /**< 0: send "Connection: close" */
};

/**
 * @brief Write a request head (request line, Host with port when not the
 * scheme default, User-Agent TVC_USER_AGENT, then the fields of @p h, then
 * the empty line).
 * Nothing is written past @p cap and no NUL is appended.  The request
 * target is the URL path ("/" when empty) followed by its query.
 * @return bytes written; TVC_ERR_NOSPACE; TVC_ERR_ARG (a value contains
 *         CR, LF or NUL, the method is not a token, the host is empty or the
 *         host / target contains a space or control character, the path does
 *         not start with '/' or the query with '?', or an unknown scheme).
 *         Arguments are checked before anything is written, so TVC_ERR_ARG
 *         does not depend on @p cap.
 */
int tvc_http_head_write(char *buf, size_t cap, const struct tvc_http_head *h);

/* ------------------------------------------------------------------ */
/* Response parser                                                     */

/** @brief One header field; slices point into the parser's buffer. */
struct tvc_http_header {
    struct tvc_slice name;
    struct tvc_slice value; /**< leading/trailing white space removed */
};

/**
 * @brief tvc_http_parser_feed() progress results (all >= 0).
 *
 * Every response yields TVC_HTTP_HEADERS exactly once, then TVC_HTTP_DONE
 * from a later call: *consumed stops right after the header block, and the
 * caller feeds the rest (possibly nothing).  When there is no body to read
 * (HEAD, 204, 304, Content-Length: 0) the next call returns TVC_HTTP_DONE
 * with *consumed 0, even with len 0.  A body ended by Content-Length or the
 * last chunk returns TVC_HTTP_DONE from the call that consumed its last byte;
 * *consumed then marks the end of the response (the next response, if any,
 * starts there).  Once done, feed returns TVC_HTTP_DONE with *consumed 0.
 */
enum tvc_http_event {
    TVC_HTTP_NEED_MORE = 0, /**< every byte consumed; feed more */
    TVC_HTTP_HEADERS = 1,   /**< final header block complete; feed the rest */
    TVC_HTTP_DONE = 2       /**< response complete; bytes after it are not part of it */
};

/**
 * @brief Body sink: receives body bytes in order.  Return 0, or < 0 to
 * abort: the exchange then ends with TVC_ERR_ABORTED and the returned value
 * is kept in tvc_http_client.sink_err.
 */
typedef int (*tvc_http_body_fn)(void *user, const uint8_t *data, size_t len);

/**
 * @brief Incremental response parser.  The result (status, fields, body
 * bytes and their concatenation) is the same whatever the segmentation of
 * the input, down to one byte per call.
 */
struct tvc_http_parser {
    /* caller's storage */
    char *buf;
    size_t cap;
    struct tvc_http_header *hdrs;
    unsigned max_hdrs;

    /* results: valid from TVC_HTTP_HEADERS until the next init */
    int status;                /**< e.g. 200 */
    int minor;                 /**< HTTP/1.<minor> */
    struct tvc_slice reason;
    unsigned nhdrs;
    int64_t content_length;    /**< -1 when absent */
    uint8_t chunked;           /**< Transfer-Encoding: chunked */
    uint8_t until_close;       /**< body runs until the connection closes */
    uint8_t no_body;           /**< HEAD, 204, 304 */
    uint8_t keep_alive;        /**< connection reusable after DONE */
    uint64_t body_bytes;       /**< body bytes delivered so far */
    uint32_t bytes_seen;       /**< response bytes consumed (incl. 1xx), saturating; 0: none yet */

    /* private */
    int st_;
    size_t used_;
    uint64_t left_;
    size_t line_;
    int head_req_;
    int err_;                  /* sticky error once st_ is the failed state */
};

/**
 * @brief Prepare to parse one response.
 *
 * The header block of each response (status line through the empty line,
 * line ends included) is copied into @p buf and must fit in @p cap bytes:
 * a block of exactly @p cap bytes is accepted, one byte more fails with
 * TVC_ERR_HTTP_HEADERS_TOO_LARGE.  Each interim 1xx block is bounded
 * separately (it is dropped before the next one is read).
 *
 * Accepted: status line "HTTP/1.0" or "HTTP/1.1", one SP, a status 100..599
 * (exactly 3 digits), optional SP and reason; CRLF or bare LF line ends;
 * field values trimmed of SP/HTAB, obs-text allowed.  Framing follows
 * RFC 9112 section 6.3: HEAD / 204 / 304 have no body (content_length still
 * reports a valid Content-Length, else -1); Transfer-Encoding must be exactly
 * one "chunked" coding and must not come with Content-Length (an HTTP/1.0
 * chunked response is decoded but never kept alive); repeated or listed
 * Content-Length values must all be equal; neither means the body runs until
 * close.  Chunk sizes are at most 16 hex digits and at most 2^63-1; white
 * space after the size is only accepted before a ';' extension.
 *
 * @param buf      storage for the header block (its size bounds the headers)
 * @param hdrs     slots for header fields
 * @param head_req 1 when the request was HEAD (the response has no body)
 */
void tvc_http_parser_init(struct tvc_http_parser *p, char *buf, size_t cap,
                          struct tvc_http_header *hdrs, unsigned max_hdrs,
                          int head_req);

/**
 * @brief Feed received bytes.  Interim 1xx responses are skipped.
 * Body bytes go to @p fn (may be NULL to discard).
 * @param consumed set to the number of bytes used from @p data
 * @return TVC_HTTP_NEED_MORE, TVC_HTTP_HEADERS, TVC_HTTP_DONE (see enum);
 *         TVC_ERR_HTTP, TVC_ERR_HTTP_HEADERS_TOO_LARGE,
 *         TVC_ERR_HTTP_TOO_MANY_HEADERS, TVC_ERR_HTTP_FOLDING,
 *         TVC_ERR_HTTP_FRAMING, TVC_ERR_HTTP_CHUNK; or what @p fn returned.
 *         After an error the parser stays failed.
 */
int tvc_http_parser_feed(struct tvc_http_parser *p, const uint8_t *data,
                         size_t len, size_t *consumed, tvc_http_body_fn fn,
                         void *user);

/**
 * @brief The peer closed the connection.
 * @return TVC_HTTP_DONE (the body ran until close and is complete, or the
 *         response was already complete: calling it again after DONE
 *         returns DONE again; keep_alive becomes 0 either way);
 *         TVC_ERR_CLOSED (not one response byte arrived);
 *         TVC_ERR_HTTP_TRUNCATED (closed inside the head or body);
 *         after a feed error, that error.  Errors are sticky like feed's.
 */
int tvc_http_parser_eof(struct tvc_http_parser *p);

/**
 * @brief First field named @p name (case-insensitive).
 * @return 0 and @p value set; TVC_ERR_NOT_FOUND.
 */
int tvc_http_parser_header(const struct tvc_http_parser *p, const char *name,
                           struct tvc_slice *value);

/* ------------------------------------------------------------------ */
/* Client                                                              */

/** @brief tvc_http_req.flags */
enum tvc_http_flags {
    TVC_HTTP_FOLLOW = 1,     /**< follow 301/302/303/307/308 (at most TVC_HTTP_MAX_REDIRECTS) */
    TVC_HTTP_IDEMPOTENT = 2, /**< may be re-sent when a reused connection turns out dead */
    TVC_HTTP_FRESH = 4,      /**< use a new connection (for requests that must not be re-sent) */
    TVC_HTTP_CLOSE = 8       /**< ask the server to close after this response */
};

/**
 * @brief One request.  Must stay valid (with everything it points to) until
 * the exchange ends.
 */
struct tvc_http_req {
    const char *method;       /**< "GET", "POST", "HEAD" */
    const char *url;          /**< absolute http(s) URL, NUL-terminated */
    const char *bearer;       /**< API key, or NULL; never sent to another origin */
    const char *content_type; /**< NULL or value */
    const char *accept;       /**< NULL or value */
    const uint8_t *body;      /**< request body or NULL */
    size_t body_len;
    int64_t range_from;       /**< 0 (or less): whole resource; > 0: first byte wanted (Range: bytes=N-) */
    const char *if_range;     /**< NULL, or validator for If-Range (sent only with a Range) */
    unsigned flags;           /**< enum tvc_http_flags */
    uint32_t connect_timeout_ms; /**< 0: TVC_HTTP_CONNECT_TIMEOUT_MS */
    uint32_t io_timeout_ms;      /**< longest silence; 0: TVC_HTTP_IO_TIMEOUT_MS */

    /**
     * Called once for the final response (after redirects) before any body
     * byte; the status and fields are readable from the client.  Return 0,
     * or < 0 to abort (the connection is closed; the exchange ends with
     * TVC_ERR_ABORTED and the value is kept in sink_err).  May be NULL.
     */
    int (*on_headers)(void *user, const struct tvc_http_parser *resp);
    /** Body bytes of the final response.  May be NULL (discard). */
    tvc_http_body_fn on_body;
    void *user;
};

/**
 * @brief A client: one connection at a time, kept alive between requests
 * when the server allows.  All storage is inside or handed in.
 */
struct tvc_http_client {
    const struct tvc_port *port;
    struct tvc_tls *tls;        /**< NULL: https URLs fail with TVC_ERR_URL_SCHEME */
    char *hdr_buf;              /**< request head and response header block */
    size_t hdr_cap;
    uint8_t *io_buf;            /**< receive buffer */
    size_t io_cap;
    struct tvc_http_header hdrs[TVC_HTTP_MAX_HEADERS];
    struct tvc_http_parser resp; /**< the current / last response */

    /* the open connection, if any */
    int sock;                   /**< -1 when none */
    int conn_scheme;
    uint16_t conn_port;
    char conn_host[TVC_HOST_MAX];
    uint32_t conn_uses;         /**< exchanges completed on this connection */

    /* the exchange in progress */
    const struct tvc_http_req *req;
    char url[TVC_URL_MAX];      /**< current hop's URL */
    struct tvc_url u;
    const char *method;
    int send_body;
    int drop_auth;
    int state;
    unsigned xflags;            /**< private per-hop flags */
    int fed_after_headers;
    int retried;
    size_t head_len;
    size_t sent;
    size_t io_pos;
    size_t io_len;
    uint64_t deadline;
    uint64_t connect_deadline;

    /* results and statistics */
    int redirects;              /**< hops followed in the last exchange */
    int request_bytes_out;      /**< 1 once any request byte of this exchange reached the transport */
    int unclean_end;            /**< 1 when the body ran until a TLS connection closed without
                                     close_notify: complete by framing, not provably (RFC 9112 9.8) */
    int tls_error;              /**< raw mbedTLS code of the last TLS failure (0 if none) */
    int sink_err;               /**< with TVC_ERR_ABORTED: the callback's own negative code
                                     (on_headers or on_body); 0 otherwise */
    uint32_t connects;          /**< TCP connections opened by this client */
    uint32_t requests;          /**< request heads sent by this client (incl. redirects) */
};

/**
 * @brief Set up a client.  Never fails; tvc_http_client_close() is safe
 * afterwards.  @p hdr_cap bounds the response header block (use
 * TVC_HTTP_HEADER_BUF); @p io_cap is the receive buffer (TVC_HTTP_IO_BUF).
 * @p tls may be NULL for an http-only client.
 */
void tvc_http_client_init(struct tvc_http_client *c, const struct tvc_port *port,
                          struct tvc_tls *tls, char *hdr_buf, size_t hdr_cap,
                          uint8_t *io_buf, size_t io_cap);

/**
 * @brief Begin an exchange.  Nothing is sent until tvc_http_step().
 * @return 0; TVC_ERR_STATE (an exchange is running); TVC_ERR_ARG;
 *         TVC_ERR_URL / TVC_ERR_URL_SCHEME / TVC_ERR_URL_USERINFO;
 *         TVC_ERR_NOSPACE (URL longer than TVC_URL_MAX); TVC_ERR_PORT.
 */
int tvc_http_start(struct tvc_http_client *c, const struct tvc_http_req *req);

/**
 * @brief Advance the exchange, blocking at most about @p wait_ms in any one
 * port call (0: never block).  Never sleeps otherwise.
 * @return TVC_ERR_AGAIN (call again); 0 (complete: the final response was
 *         received whole and given to the callbacks; its status is
 *         c->resp.status); or an error, after which the connection is closed:
 *         network (TVC_ERR_DNS, _CONNECT, _TIMEOUT, _RESET, _CLOSED, _IO),
 *         TLS (TVC_ERR_TLS*, raw code in c->tls_error), HTTP framing
 *         (TVC_ERR_HTTP*), redirects (TVC_ERR_HTTP_REDIRECT*), or
 *         TVC_ERR_ABORTED when on_headers or on_body returned < 0 (that
 *         value, the callback's own, is in c->sink_err; library errors and
 *         callback codes never mix).  When c->request_bytes_out is 0 on
 *         error, no byte of the request reached the network.
 */
int tvc_http_step(struct tvc_http_client *c, uint32_t wait_ms);

/**
 * @brief Run a whole exchange, blocking: tvc_http_start() then
 * tvc_http_step() until it ends.  Returns as tvc_http_step().
 *
 * @code
 * static int sink(void *u, const uint8_t *d, size_t n) { fwrite(d, 1, n, u); return 0; }
 * struct tvc_http_req rq = { .method = "GET", .url = "https://example.org/",
 *                            .range_from = -1, .flags = TVC_HTTP_FOLLOW,
 *                            .on_body = sink, .user = stdout };
 * int rc = tvc_http_request(&client, &rq);
 * if (rc == 0) printf("HTTP %d\n", client.resp.status);
 * @endcode
 */
int tvc_http_request(struct tvc_http_client *c, const struct tvc_http_req *req);

/** @brief Abort any exchange and close the connection.  Safe to call twice. */
void tvc_http_client_close(struct tvc_http_client *c);

#ifdef __cplusplus
}
#endif
#endif /* TVC_HTTP_H */
