/**
 * @file tvc_http.h
 * @brief The HTTP/1.1 client: request writer, incremental response parser,
 * and a client that runs one exchange at a time as a step-driven state
 * machine (connect, handshake, send, receive, redirects, keep-alive).
 *
 * The client reaches the network only through a `struct tvc_transport`
 * (tvc_transport.h), one for http:// and one for https://.  Nothing here
 * depends on a TLS library.
 */
#ifndef TVC_HTTP_H
#define TVC_HTTP_H

#include "tvc_base.h"
#include "tvc_config.h"
#include "tvc_port.h"
#include "tvc_transport.h"
#include "tvc_url.h"

#ifdef __cplusplus
extern "C" {
#endif

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

    /* results: valid from TVC_HTTP_HEADERS until the next init */
    int64_t content_length;    /**< -1 when absent */
    uint64_t body_bytes;       /**< body bytes delivered so far */
    struct tvc_slice reason;
    uint32_t bytes_seen;       /**< response bytes consumed (incl. 1xx), saturating; 0: none yet */
    uint16_t status;           /**< e.g. 200 */
    uint16_t nhdrs;
    uint8_t minor;             /**< HTTP/1.<minor> */
    uint8_t chunked;           /**< Transfer-Encoding: chunked */
    uint8_t until_close;       /**< body runs until the connection closes */
    uint8_t no_body;           /**< HEAD, 204, 304 */
    uint8_t keep_alive;        /**< connection reusable after DONE */

    /* private */
    uint8_t st_;
    uint8_t head_req_;
    uint16_t cap_;
    uint16_t used_;
    uint16_t max_hdrs_;
    int err_;                  /* sticky error once st_ is the failed state */
    uint32_t line_;
    uint64_t left_;
};

/**
 * @brief Prepare to parse one response.
 *
 * The header block of each response (status line through the empty line,
 * line ends included) is copied into @p buf and must fit in @p cap bytes
 * (at most 65535 are used).  Fields are not copied anywhere else: lookups
 * (tvc_http_parser_header(), tvc_http_parser_field()) walk that block, so
 * the parser needs no slot array, only a count:
 * a block of exactly @p cap bytes is accepted, one byte more fails with
 * TVC_ERR_HTTP_HEADERS_TOO_LARGE.  Each interim 1xx block is bounded
 * separately (it is dropped before the next one is read).
 *
 * Accepted: status line "HTTP/1.<digit>" (a minor version above 1 is read
 * as HTTP/1.1, RFC 9110 section 2.5: minor is then 1), one SP, a status
 * 100..599 (exactly 3 digits), optional SP and reason; CRLF or bare LF line
 * ends; field values trimmed of SP/HTAB, obs-text allowed; obsolete line
 * folding (a field line continued by a line starting with SP or HTAB) is
 * replaced in place by SP before the value is read (RFC 9112 section 5.2:
 * a user agent MUST do so), in header and trailer fields.  Framing follows
 * RFC 9112 section 6.3: HEAD / 204 / 304 have no body (content_length still
 * reports a valid Content-Length, else -1); Transfer-Encoding must be exactly
 * one "chunked" coding and must not come with Content-Length (an HTTP/1.0
 * chunked response is decoded but never kept alive); repeated or listed
 * Content-Length values must all be equal; neither means the body runs until
 * close.  Chunk sizes are at most 16 hex digits and at most 2^63-1; white
 * space after the size is only accepted before a ';' extension.
 *
 *
 * Deliberate refusals, stricter than a recipient could be, each with its
 * reason and a named test in tests/test_fuzz_regress.c (rfc_*):
 * - A 101 (Switching Protocols) is TVC_ERR_HTTP: the client never sends
 *   Upgrade, and a server MUST NOT switch to a protocol the client did not
 *   indicate (RFC 9110 section 7.8); what follows would not be HTTP/1.1.
 * - Empty lines (or anything) before the status line are TVC_ERR_HTTP: the
 *   tolerance of RFC 9112 section 2.2 is for a server expecting a request
 *   line; a response starts with its status line (section 4), and a stray
 *   CRLF there is the trace of a mis-framed previous response on the
 *   connection, which must not be guessed past.
 * - White space between the status line and the first field is
 *   TVC_ERR_HTTP_FOLDING (RFC 9112 section 2.2 lets a recipient reject it;
 *   there is no field for it to continue).
 * - Transfer-Encoding other than exactly one final "chunked" (e.g. "gzip,
 *   chunked", "chunked, gzip", "identity") is TVC_ERR_HTTP_FRAMING: the
 *   client sends no TE field, so a server may send no coding but chunked
 *   (RFC 9112 section 7.4 / RFC 9110 section 10.1.4), and a non-final
 *   chunked would make the body run until close (RFC 9112 section 6.3 4),
 *   a length the client could not verify.  So is Transfer-Encoding with
 *   Content-Length (section 6.3 3: "ought to be handled as an error").
 * - Other major versions ("HTTP/2.0", "HTTP/0.9") are TVC_ERR_HTTP.
 *
 * @param buf      storage for the header block (its size bounds the headers)
 * @param max_hdrs most header fields accepted in one block; one more fails
 *                 with TVC_ERR_HTTP_TOO_MANY_HEADERS (0: none accepted)
 * @param head_req 1 when the request was HEAD (the response has no body)
 */
void tvc_http_parser_init(struct tvc_http_parser *p, char *buf, size_t cap, unsigned max_hdrs,
                          int head_req);

/**
 * @brief Feed received bytes.  Interim 1xx responses are skipped.
 * Body bytes go to @p fn (may be NULL to discard).
 *
 * Bounded work: one call makes **at most one call of @p fn** (one body
 * piece).  When a piece was delivered and input remains (several chunks in
 * one buffer), the call returns TVC_HTTP_NEED_MORE with *consumed < @p len:
 * feed the rest again.  Otherwise TVC_HTTP_NEED_MORE means every byte was
 * consumed.
 * @param consumed set to the number of bytes used from @p data
 * @return TVC_HTTP_NEED_MORE, TVC_HTTP_HEADERS, TVC_HTTP_DONE (see enum);
 *         TVC_ERR_HTTP, TVC_ERR_HTTP_HEADERS_TOO_LARGE,
 *         TVC_ERR_HTTP_TOO_MANY_HEADERS, TVC_ERR_HTTP_FOLDING (white space
 *         before the first field; folds are unfolded),
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
 * @brief First field named @p name (case-insensitive).  Valid from
 * TVC_HTTP_HEADERS until the header buffer is reused (the next request of
 * the client).  The slice points into the header buffer.
 * @return 0 and @p value set; TVC_ERR_NOT_FOUND; TVC_ERR_ARG (@p p or
 *         @p name NULL).
 */
int tvc_http_parser_header(const struct tvc_http_parser *p, const char *name,
                           struct tvc_slice *value);

/**
 * @brief Field number @p i (0 .. nhdrs-1) in arrival order; either output
 * may be NULL.  Slices point into the header buffer.
 * @return 0; TVC_ERR_NOT_FOUND (no such field).
 */
int tvc_http_parser_field(const struct tvc_http_parser *p, unsigned i,
                          struct tvc_slice *name, struct tvc_slice *value);

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
    /** With TVC_HTTP_FOLLOW: room for the redirect targets of this exchange
     * (TVC_URL_MAX bytes hold any URL the client accepts).  NULL, or a target
     * that does not fit: the redirect ends the exchange with
     * TVC_ERR_HTTP_REDIRECT.  Kept by the caller (a download keeps it in its
     * own state, which the job shares with the API's work area) so that a
     * client that never follows redirects carries no URL buffer. */
    char *redirect_buf;
    size_t redirect_cap;
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
 * when the server allows.  All storage is inside or handed in.  Members
 * ending in '_' are private.
 */
struct tvc_http_client {
    const struct tvc_port *port;
    const struct tvc_transport *http_t_;  /* transport for http://, NULL: refused */
    const struct tvc_transport *https_t_; /* transport for https://, NULL: refused */
    struct tvc_transport tcp_t_;          /* built-in plain TCP over the port */
    struct tvc_tcp tcp_;
    char *hdr_buf;              /**< request head and response header block */
    size_t hdr_cap;
    uint8_t *io_buf;            /**< receive buffer */
    size_t io_cap;
    struct tvc_http_parser resp; /**< the current / last response */
    /** Set by the owner (a job: its deadline): no exchange runs past this
     *  time of the port's clock, in ms (0: no limit).  Progress restarts the
     *  silence timer (io_timeout_ms) but never past end_by, so an answer that
     *  trickles in a byte at a time still ends, with TVC_ERR_TIMEOUT. */
    uint64_t end_by;

    /* the open connection, if any */
    const struct tvc_transport *conn_; /* NULL when none */
    uint32_t conn_uses;         /**< exchanges completed on this connection */
    uint16_t conn_port_;
    uint8_t conn_scheme_;
    char conn_host_[TVC_HOST_MAX];

    /* the exchange in progress */
    const struct tvc_http_req *req;
    const char *url_;           /* current hop's URL: req->url, or req->redirect_buf */
    struct tvc_url u_;          /* url_ parsed; slices into it */
    const char *method_;
    uint8_t state;              /**< 0 idle, else an exchange runs (read it with tvc_http_client_busy()) */
    uint8_t send_body_;
    uint8_t drop_auth_;
    uint8_t xflags_;
    uint8_t fed_after_headers_;
    uint8_t retried_;
    uint8_t call_recv_;         /* transport receives in the current tvc_http_step() call */
    uint8_t call_sink_;         /* body pieces delivered in the current call */
    uint32_t head_len_;
    uint32_t sent_;
    uint32_t io_pos_;
    uint32_t io_len_;
    uint64_t deadline_;
    uint64_t connect_deadline_;

    /* results and statistics */
    int redirects;              /**< hops followed in the last exchange */
    int request_bytes_out;      /**< 1 once any request byte of this exchange reached the transport */
    int unclean_end;            /**< 1 when the body ran until the connection closed and the
                                     transport could not prove the end (TLS without close_notify):
                                     complete by framing, not provably (RFC 9112 9.8) */
    int tls_error;              /**< raw lower-layer code of the last failure, from the transport's
                                     detail() (for TLS, the TLS library's own code); 0 none */
    int sink_err;               /**< with TVC_ERR_ABORTED: the callback's own negative code
                                     (on_headers or on_body); 0 otherwise */
    uint32_t connects;          /**< connections opened by this client */
    uint32_t requests;          /**< request heads sent by this client (incl. redirects) */
};

/**
 * @brief Set up a client.  Never fails; tvc_http_client_close() is safe
 * afterwards.  @p hdr_cap bounds the response header block (use
 * TVC_HTTP_HEADER_BUF; at most 65535 bytes are used); @p io_cap is the
 * receive buffer (TVC_HTTP_IO_BUF), the most one step ever receives.
 *
 * http:// goes through a plain TCP transport over @p port built into the
 * client; https:// through @p https (the TLS transport libtvc ships, see
 * tvc_transport.h, or a modem's own TLS), which may be NULL for an http-only
 * client (https URLs then fail with TVC_ERR_URL_SCHEME).
 * tvc_http_client_set_transports() replaces either.  @p port (for its clock
 * and the built-in transport) and the transports must outlive the client.
 */
void tvc_http_client_init(struct tvc_http_client *c, const struct tvc_port *port,
                          const struct tvc_transport *https, char *hdr_buf, size_t hdr_cap,
                          uint8_t *io_buf, size_t io_cap);

/**
 * @brief Use @p http for http:// and @p https for https:// URLs (either may
 * be NULL: that scheme then fails with TVC_ERR_URL_SCHEME).  Closes any
 * open connection.  Only between exchanges.
 * @return 0; TVC_ERR_STATE (an exchange is running); TVC_ERR_ARG (@p c
 *         NULL, or a transport lacks connect/handshake/send/recv/close).
 */
int tvc_http_client_set_transports(struct tvc_http_client *c,
                                   const struct tvc_transport *http,
                                   const struct tvc_transport *https);

/** @brief 1 while a connection is open (kept alive or in use), else 0. */
int tvc_http_client_connected(const struct tvc_http_client *c);

/** @brief 1 while an exchange runs (between tvc_http_start() and its end), else 0. */
int tvc_http_client_busy(const struct tvc_http_client *c);

/**
 * @brief Begin an exchange.  Nothing is sent until tvc_http_step(), except
 * that reusing a kept-alive connection first looks (without waiting)
 * whether the server closed it.  @p req->url is not copied: it must stay
 * valid until the exchange ends (as must the rest of @p req).
 * @return 0; TVC_ERR_STATE (an exchange is running); TVC_ERR_ARG (also:
 *         the https transport given to init() lacks a mandatory function);
 *         TVC_ERR_URL / TVC_ERR_URL_SCHEME (also: no transport for the
 *         scheme) / TVC_ERR_URL_USERINFO; TVC_ERR_NOSPACE (URL of
 *         TVC_URL_MAX bytes or more); TVC_ERR_PORT; or the transport's
 *         connect() error (TVC_ERR_DNS, TVC_ERR_CONNECT, ...).
 */
int tvc_http_start(struct tvc_http_client *c, const struct tvc_http_req *req);

/**
 * @brief Advance the exchange by a bounded amount of work.
 *
 * One call makes **at most one transport receive** (of at most io_cap
 * bytes), **at most one body-sink call** (req->on_body, one piece of at
 * most io_cap bytes), at most one transport send, at most one handshake
 * step (one TLS handshake message exchange for the shipped TLS transport),
 * and blocks at most about @p wait_ms in any one transport call (0: never
 * block).  It never sleeps otherwise.  When more work is ready it returns
 * TVC_ERR_AGAIN: call again (at once, or after other work).
 *
 * @return TVC_ERR_AGAIN (call again); 0 (complete: the final response was
 *         received whole and given to the callbacks; its status is
 *         c->resp.status); or an error, after which the connection is closed:
 *         network (TVC_ERR_DNS, _CONNECT, _TIMEOUT, _RESET, _CLOSED, _IO),
 *         TLS (TVC_ERR_TLS*, raw code in c->tls_error), HTTP framing
 *         (TVC_ERR_HTTP*), redirects (TVC_ERR_HTTP_REDIRECT*), TVC_ERR_URL_SCHEME
 *         (redirect to a scheme without transport), or TVC_ERR_ABORTED when
 *         on_headers or on_body returned < 0 (that value, the callback's own,
 *         is in c->sink_err; library errors and callback codes never mix).
 *         When c->request_bytes_out is 0 on error, no byte of the request
 *         reached the network.
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
