/*
 * The HTTP/1.1 client: one exchange at a time, driven by tvc_http_step() so
 * the caller's loop never blocks longer than it allows and never does more
 * than a bounded amount of work per call.
 *
 * Life of an exchange: start -> [connect + handshake] -> send head and
 * body -> receive and parse -> (redirect: next hop) -> done.  A connection
 * left open by a keep-alive response is reused by the next exchange to the
 * same origin after a zero-wait look shows it is still quiet.  The network
 * is reached only through the transports (tvc_transport.h).
 *
 * Bounded steps: each tvc_http_step() call makes at most one transport
 * receive and at most one body-sink call (the parser stops after one body
 * piece); state changes that need no I/O run on within the call.
 *
 * Re-sending rules (the reason this file is careful):
 * - a request that failed before any byte reached the transport is always
 *   safe to send again on a new connection;
 * - a request that went out on a *reused* connection and got no response
 *   byte back before EOF/reset is re-sent once on a new connection only if it
 *   is idempotent (GET/HEAD, or TVC_HTTP_IDEMPOTENT);
 * - anything else is reported, with request_bytes_out telling the caller
 *   whether the server may have seen it.
 */
#include <string.h>

#include "chars.h"
#include "chunked.h"
#include "tvc_http.h"

enum {
    ST_IDLE = 0,
    ST_HOP,     /* a redirect's next hop is due */
    ST_CONNECT, /* transport handshake (TCP connect, TLS) */
    ST_SEND,
    ST_RECV
};

/* Step results besides errors: go on within this call, or end the call. */
#define GO_ON 0
#define YIELD 1

/* c->xflags_: per-hop facts. */
#define X_HEADERS_SEEN 1 /* final headers handled (callbacks run) */
#define X_DRAINING 2     /* reading a redirect's body to reuse the connection */
#define X_REUSED 4       /* this hop runs on a kept-alive connection */

static int streq(const char *a, const char *b)
{
    return tvc_ch_streq(a, b);
}

static uint64_t now(const struct tvc_http_client *c)
{
    return c->port->now_ms(c->port->ctx);
}

/* How long a transport call may wait: the caller's allowance, never past
 * the deadline (so a deadline is noticed within one call). */
static uint32_t clamp_wait(const struct tvc_http_client *c, uint32_t wait_ms,
                           uint64_t deadline)
{
    uint64_t t = now(c);
    uint64_t left = deadline > t ? deadline - t : 0;
    return left < wait_ms ? (uint32_t)left : wait_ms;
}

static uint32_t io_timeout(const struct tvc_http_client *c)
{
    return c->req->io_timeout_ms ? c->req->io_timeout_ms : TVC_HTTP_IO_TIMEOUT_MS;
}

/* @p t, or the owner's end of every exchange (end_by) if that is sooner. */
static uint64_t cap_end(const struct tvc_http_client *c, uint64_t t)
{
    return c->end_by && c->end_by < t ? c->end_by : t;
}

/* Progress: the silence timer starts again (never past end_by).  Returns
 * nonzero once end_by has passed: a peer that always has one more byte
 * ready is ended too. */
static int touch(struct tvc_http_client *c)
{
    uint64_t t = now(c);
    c->deadline_ = cap_end(c, t + io_timeout(c));
    return c->end_by && t >= c->end_by;
}

static const struct tvc_transport *transport_for(const struct tvc_http_client *c, int scheme)
{
    return scheme == TVC_SCHEME_HTTPS ? c->https_t_ : scheme == TVC_SCHEME_HTTP ? c->http_t_ : NULL;
}

static int t_send(struct tvc_http_client *c, const uint8_t *p, size_t n, uint32_t w)
{
    return c->conn_->send(c->conn_->ctx, p, n, w);
}

static int t_recv(struct tvc_http_client *c, uint8_t *p, size_t n, uint32_t w)
{
    return c->conn_->recv(c->conn_->ctx, p, n, w);
}

static void conn_close(struct tvc_http_client *c)
{
    if (!c->conn_)
        return;
    c->conn_->close(c->conn_->ctx);
    c->conn_ = NULL;
    c->conn_uses = 0;
}

static int fail(struct tvc_http_client *c, int rc)
{
    if (c->conn_ && c->conn_->detail) {
        int d = c->conn_->detail(c->conn_->ctx);
        if (d)
            c->tls_error = d;
    }
    conn_close(c);
    c->state = ST_IDLE;
    return rc;
}

void tvc_http_client_init(struct tvc_http_client *c, const struct tvc_port *port,
                          const struct tvc_transport *https, char *hdr_buf, size_t hdr_cap,
                          uint8_t *io_buf, size_t io_cap)
{
    memset(c, 0, sizeof *c);
    c->port = port;
    tvc_tcp_transport_init(&c->tcp_t_, &c->tcp_, port);
    c->http_t_ = &c->tcp_t_;
    c->https_t_ = https;
    c->hdr_buf = hdr_buf;
    c->hdr_cap = hdr_cap;
    c->io_buf = io_buf;
    c->io_cap = io_cap;
}

/* NULL (scheme refused) or every mandatory function present. */
static int transport_ok(const struct tvc_transport *t)
{
    return !t || (t->connect && t->handshake && t->send && t->recv && t->close);
}

int tvc_http_client_set_transports(struct tvc_http_client *c,
                                   const struct tvc_transport *http,
                                   const struct tvc_transport *https)
{
    if (!c || !transport_ok(http) || !transport_ok(https))
        return TVC_ERR_ARG;
    if (c->state != ST_IDLE)
        return TVC_ERR_STATE;
    conn_close(c);
    c->http_t_ = http;
    c->https_t_ = https;
    return 0;
}

int tvc_http_client_connected(const struct tvc_http_client *c)
{
    return c && c->conn_ != NULL;
}

int tvc_http_client_busy(const struct tvc_http_client *c)
{
    return c && c->state != ST_IDLE;
}

void tvc_http_client_close(struct tvc_http_client *c)
{
    if (c->port)
        conn_close(c);
    c->state = ST_IDLE;
}

static int conn_matches(const struct tvc_http_client *c)
{
    return c->conn_ && c->conn_scheme_ == c->u_.scheme && c->conn_port_ == c->u_.port &&
           tvc_http_slice_ieq_(c->u_.host, c->conn_host_);
}

/* A kept-alive connection is reusable only if it is quiet: no EOF, no reset,
 * no unexpected bytes.  Looks without waiting. */
static int conn_still_good(struct tvc_http_client *c)
{
    int n = t_recv(c, c->io_buf, c->io_cap, 0);
    return n == TVC_ERR_AGAIN;
}

static int write_head(struct tvc_http_client *c)
{
    const struct tvc_http_req *r = c->req;
    struct tvc_http_head h;
    int n;

    memset(&h, 0, sizeof h);
    h.method = c->method_;
    h.url = &c->u_;
    h.bearer = c->drop_auth_ ? NULL : r->bearer;
    h.accept = r->accept;
    h.content_type = c->send_body_ ? r->content_type : NULL;
    if (c->send_body_)
        h.content_length = (int64_t)r->body_len;
    else if (streq(c->method_, "POST") || streq(c->method_, "PUT"))
        h.content_length = 0;
    else
        h.content_length = -1;
    h.range_from = r->range_from > 0 ? r->range_from : -1;
    h.if_range = r->range_from > 0 ? r->if_range : NULL;
    h.keep_alive = !(r->flags & TVC_HTTP_CLOSE);
    n = tvc_http_head_write(c->hdr_buf, c->hdr_cap, &h);
    if (n < 0)
        return n;
    c->head_len_ = (uint32_t)n;
    c->sent_ = 0;
    return 0;
}

/* Open (or reuse) a connection for the current hop and queue its request. */
static int begin_hop(struct tvc_http_client *c)
{
    const struct tvc_transport *t = transport_for(c, c->u_.scheme);
    int rc;

    c->xflags_ &= ~(X_HEADERS_SEEN | X_DRAINING | X_REUSED);
    /* "no response byte yet" must describe this hop, not the last one */
    c->resp.bytes_seen = 0;
    if (c->conn_ && (!conn_matches(c) || (c->req->flags & TVC_HTTP_FRESH) ||
                     !conn_still_good(c)))
        conn_close(c);

    rc = write_head(c);
    if (rc < 0)
        return fail(c, rc);

    if (c->conn_) {
        c->xflags_ |= X_REUSED;
        c->state = ST_SEND;
        touch(c);
        return 0;
    }
    if (!t)
        return fail(c, TVC_ERR_URL_SCHEME);
    if (c->u_.host.len >= sizeof c->conn_host_)
        return fail(c, TVC_ERR_URL);
    memcpy(c->conn_host_, c->u_.host.p, c->u_.host.len);
    c->conn_host_[c->u_.host.len] = '\0';
    c->conn_scheme_ = (uint8_t)c->u_.scheme;
    c->conn_port_ = c->u_.port;
    c->conn_uses = 0;
    c->conn_ = t; /* so that a failure reads detail() and closes whatever was opened */
    rc = t->connect(t->ctx, c->conn_host_, c->conn_port_);
    if (rc < 0)
        return fail(c, rc);
    c->connects++;
    c->connect_deadline_ = cap_end(c, now(c) + (c->req->connect_timeout_ms ? c->req->connect_timeout_ms
                                                                           : TVC_HTTP_CONNECT_TIMEOUT_MS));
    c->state = ST_CONNECT;
    return 0;
}

static int method_idempotent(const struct tvc_http_client *c)
{
    return (c->req->flags & TVC_HTTP_IDEMPOTENT) || streq(c->method_, "GET") ||
           streq(c->method_, "HEAD");
}

/* The connection died.  Start the hop again on a new connection when that
 * cannot duplicate the request; else report @p rc. */
static int conn_lost(struct tvc_http_client *c, int rc)
{
    int nothing_out = c->sent_ == 0;
    int safe_retry = (c->xflags_ & X_REUSED) && c->resp.bytes_seen == 0 && method_idempotent(c);

    /* only reached from sending and receiving: connect and handshake
     * failures are reported by their own step */
    if (!c->retried_ && (nothing_out || safe_retry)) {
        c->retried_ = 1;
        conn_close(c);
        rc = begin_hop(c);
        return rc < 0 ? rc : YIELD;
    }
    return fail(c, rc);
}

/* A caller's callback said stop: its own code is kept apart. */
static int sink_abort(struct tvc_http_client *c, int rc)
{
    c->sink_err = rc;
    return TVC_ERR_ABORTED;
}

static int body_sink(void *user, const uint8_t *data, size_t len)
{
    struct tvc_http_client *c = user;
    int rc;
    if ((c->xflags_ & X_DRAINING) || !c->req->on_body)
        return 0;
    rc = c->req->on_body(c->req->user, data, len);
    return rc < 0 ? sink_abort(c, rc) : 0;
}

static int is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Final header block of a hop: decide between following and delivering. */
static int on_headers(struct tvc_http_client *c)
{
    struct tvc_slice loc;

    c->xflags_ |= X_HEADERS_SEEN;
    if ((c->req->flags & TVC_HTTP_FOLLOW) && is_redirect(c->resp.status)) {
        if (tvc_http_parser_header(&c->resp, "Location", &loc) != 0 || loc.len == 0)
            return TVC_ERR_HTTP_REDIRECT;
        if (c->redirects >= TVC_HTTP_MAX_REDIRECTS)
            return TVC_ERR_HTTP_REDIRECT_LIMIT;
        c->xflags_ |= X_DRAINING;
        return 0;
    }
    if (c->req->on_headers) {
        int rc = c->req->on_headers(c->req->user, &c->resp);
        return rc < 0 ? sink_abort(c, rc) : 0;
    }
    return 0;
}

/* Move to the Location of the finished redirect response; the next hop
 * starts in the next call (ST_HOP). */
static int follow(struct tvc_http_client *c)
{
    struct tvc_slice loc;
    struct tvc_url nu;
    char *ref, *tmp;
    size_t tmp_cap;
    int n, rc, status = c->resp.status;

    if (tvc_http_parser_header(&c->resp, "Location", &loc) != 0)
        return fail(c, TVC_ERR_HTTP_REDIRECT);
    /* Resolve inside hdr_buf: park the reference at its end, write the
     * result at its start; the regions do not overlap. */
    if (loc.len >= c->hdr_cap / 2)
        return fail(c, TVC_ERR_HTTP_REDIRECT);
    ref = c->hdr_buf + c->hdr_cap - loc.len;
    memmove(ref, loc.p, loc.len);
    tmp = c->hdr_buf;
    tmp_cap = c->hdr_cap - loc.len;
    if (tmp_cap > TVC_URL_MAX)
        tmp_cap = TVC_URL_MAX;
    n = tvc_url_resolve(c->url_, strlen(c->url_), ref, loc.len, tmp, tmp_cap);
    if (n < 0)
        return fail(c, n == TVC_ERR_NOSPACE ? TVC_ERR_HTTP_REDIRECT : n);
    rc = tvc_url_parse(tmp, (size_t)n, &nu);
    if (rc < 0)
        return fail(c, TVC_ERR_HTTP_REDIRECT);
    if (c->u_.scheme == TVC_SCHEME_HTTPS && nu.scheme == TVC_SCHEME_HTTP)
        return fail(c, TVC_ERR_HTTP_REDIRECT_INSECURE);
    if (!transport_for(c, nu.scheme))
        return fail(c, TVC_ERR_URL_SCHEME);
    /* Once the key has left for another origin's sake it stays dropped,
     * even if a later hop comes back. */
    if (!c->req->redirect_buf || (size_t)n >= c->req->redirect_cap)
        return fail(c, TVC_ERR_HTTP_REDIRECT); /* no room for the target */
    if (!tvc_url_same_origin(&c->u_, &nu))
        c->drop_auth_ = 1;
    memcpy(c->req->redirect_buf, tmp, (size_t)n + 1);
    c->url_ = c->req->redirect_buf;
    (void)tvc_url_parse(c->url_, (size_t)n, &c->u_);

    if (status == 303 && !streq(c->method_, "HEAD")) {
        c->method_ = "GET";
        c->send_body_ = 0;
    } else if ((status == 301 || status == 302) && streq(c->method_, "POST")) {
        /* What every deployed client does, and RFC 9110 15.4.2 allows. */
        c->method_ = "GET";
        c->send_body_ = 0;
    }
    c->redirects++;
    c->retried_ = 0;
    c->state = ST_HOP;
    return YIELD;
}

/* The response is complete: keep or close the connection, then finish or
 * follow the redirect. */
static int message_done(struct tvc_http_client *c, int at_eof)
{
    int rc;

    if (!(c->xflags_ & X_HEADERS_SEEN)) {
        rc = on_headers(c);
        if (rc < 0)
            return fail(c, rc);
    }
    if (at_eof || !c->resp.keep_alive || c->io_pos_ < c->io_len_ ||
        (c->req->flags & TVC_HTTP_CLOSE))
        conn_close(c);
    else
        c->conn_uses++;
    if (c->xflags_ & X_DRAINING)
        return follow(c);
    c->state = ST_IDLE;
    return GO_ON;
}

int tvc_http_start(struct tvc_http_client *c, const struct tvc_http_req *req)
{
    size_t len;
    int rc;

    if (!c || !req || !req->method || !req->url || !c->hdr_buf || !c->io_buf)
        return TVC_ERR_ARG;
    if (c->state != ST_IDLE)
        return TVC_ERR_STATE;
    rc = tvc_port_check(c->port);
    if (rc < 0)
        return rc;
    if (req->body_len && !req->body)
        return TVC_ERR_ARG;
    if (req->body_len > UINT32_MAX - 65536u)
        return TVC_ERR_ARG;
    len = strlen(req->url);
    if (len >= TVC_URL_MAX)
        return TVC_ERR_NOSPACE;
    rc = tvc_url_parse(req->url, len, &c->u_);
    if (rc < 0)
        return rc;
    if (!transport_for(c, c->u_.scheme))
        return TVC_ERR_URL_SCHEME;
    if (!transport_ok(c->https_t_))
        return TVC_ERR_ARG; /* init() cannot refuse a half-filled transport */

    c->req = req;
    c->url_ = req->url;
    c->method_ = req->method;
    c->send_body_ = req->body != NULL;
    c->drop_auth_ = 0;
    c->redirects = 0;
    c->retried_ = 0;
    c->request_bytes_out = 0;
    c->unclean_end = 0;
    c->tls_error = 0;
    c->sink_err = 0;
    c->xflags_ = 0;
    rc = begin_hop(c);
    return rc < 0 ? rc : 0;
}

static int step_connect(struct tvc_http_client *c, uint32_t wait_ms)
{
    int rc = c->conn_->handshake(c->conn_->ctx, clamp_wait(c, wait_ms, c->connect_deadline_));
    if (rc == TVC_ERR_AGAIN)
        return now(c) >= c->connect_deadline_ ? fail(c, TVC_ERR_TIMEOUT) : TVC_ERR_AGAIN;
    if (rc < 0)
        return fail(c, rc); /* refused before any request byte */
    c->state = ST_SEND;
    touch(c);
    return YIELD; /* the handshake call may have received: bound the call */
}

static int step_send(struct tvc_http_client *c, uint32_t wait_ms)
{
    const uint8_t *p;
    size_t left, total = c->head_len_ + (c->send_body_ ? c->req->body_len : 0);
    int n;

    if (c->sent_ < c->head_len_) {
        p = (const uint8_t *)c->hdr_buf + c->sent_;
        left = c->head_len_ - c->sent_;
    } else {
        p = c->req->body + (c->sent_ - c->head_len_);
        left = c->req->body_len - (c->sent_ - c->head_len_);
    }
    n = t_send(c, p, left, clamp_wait(c, wait_ms, c->deadline_));
    if (n == TVC_ERR_AGAIN)
        return now(c) >= c->deadline_ ? fail(c, TVC_ERR_TIMEOUT) : TVC_ERR_AGAIN;
    if (n <= 0)
        return conn_lost(c, n < 0 ? n : TVC_ERR_IO);
    if (c->sent_ == 0)
        c->requests++;
    c->sent_ += (uint32_t)n;
    c->request_bytes_out = 1;
    if (touch(c))
        return fail(c, TVC_ERR_TIMEOUT);
    if (c->sent_ < total)
        return YIELD; /* one send per call */
    tvc_http_parser_init(&c->resp, c->hdr_buf, c->hdr_cap, TVC_HTTP_MAX_HEADERS,
                         streq(c->method_, "HEAD"));
    c->io_pos_ = c->io_len_ = 0;
    c->state = ST_RECV;
    c->fed_after_headers_ = 1;
    return GO_ON;
}

/* Feed buffered bytes once (at most one body piece). */
static int feed(struct tvc_http_client *c)
{
    uint64_t before = c->resp.body_bytes;
    size_t used = 0;
    int rc;

    /* A zero-length feed after the headers lets a bodiless response
     * finish without waiting for bytes that will never come. */
    c->fed_after_headers_ = 1;
    rc = tvc_http_parser_feed(&c->resp, c->io_buf + c->io_pos_, c->io_len_ - c->io_pos_, &used,
                              body_sink, c);
    c->io_pos_ += (uint32_t)used;
    if (c->resp.body_bytes != before)
        c->call_sink_ = 1;
    if (rc == TVC_HTTP_HEADERS) {
        c->fed_after_headers_ = 0;
        rc = on_headers(c);
        return rc < 0 ? fail(c, rc) : GO_ON;
    }
    if (rc == TVC_HTTP_DONE)
        return message_done(c, 0);
    if (rc < 0)
        return fail(c, rc);
    if (used == 0 && c->io_pos_ < c->io_len_)
        return fail(c, TVC_ERR_STATE); /* the parser made no progress: never spin */
    return GO_ON;
}

static int step_recv(struct tvc_http_client *c, uint32_t wait_ms)
{
    int n, rc;

    if (c->io_pos_ < c->io_len_ || !c->fed_after_headers_)
        return c->call_sink_ ? YIELD : feed(c);
    if (c->call_recv_)
        return YIELD;
    c->call_recv_ = 1;
    n = t_recv(c, c->io_buf, c->io_cap, clamp_wait(c, wait_ms, c->deadline_));
    if (n == TVC_ERR_AGAIN)
        return now(c) >= c->deadline_ ? fail(c, TVC_ERR_TIMEOUT) : TVC_ERR_AGAIN;
    if (n > 0) {
        c->io_pos_ = 0;
        c->io_len_ = (uint32_t)n;
        if (touch(c))
            return fail(c, TVC_ERR_TIMEOUT);
        return GO_ON;
    }
    if (n == 0) {
        /* A body that runs until close is provably whole only if the
         * transport can say so (TLS: close_notify); a bare TCP close under
         * TLS may be a cut (RFC 9112 section 9.8).  Many servers never send
         * it, so the exchange completes and the fact is reported: callers
         * whose data has no structure of its own to check (downloads)
         * refuse it. */
        if (c->resp.until_close && (c->xflags_ & X_HEADERS_SEEN) && c->conn_->clean_end &&
            !c->conn_->clean_end(c->conn_->ctx))
            c->unclean_end = 1;
        rc = tvc_http_parser_eof(&c->resp);
        if (rc == TVC_HTTP_DONE)
            return message_done(c, 1);
        if (rc == TVC_ERR_CLOSED)
            return conn_lost(c, rc);
        return fail(c, rc);
    }
    if (c->resp.bytes_seen == 0)
        return conn_lost(c, n);
    return fail(c, n);
}

int tvc_http_step(struct tvc_http_client *c, uint32_t wait_ms)
{
    int rc;

    if (!c || c->state == ST_IDLE)
        return TVC_ERR_STATE;
    c->call_recv_ = 0;
    c->call_sink_ = 0;
    for (;;) {
        switch (c->state) {
        case ST_HOP:
            rc = begin_hop(c);
            if (rc == 0)
                rc = YIELD; /* begin_hop may have looked at a kept connection */
            break;
        case ST_CONNECT: rc = step_connect(c, wait_ms); break;
        case ST_SEND: rc = step_send(c, wait_ms); break;
        case ST_RECV: rc = step_recv(c, wait_ms); break;
        default: return TVC_ERR_STATE;
        }
        if (rc < 0)
            return rc;
        if (c->state == ST_IDLE)
            return 0;
        if (rc == YIELD)
            return TVC_ERR_AGAIN;
    }
}

int tvc_http_request(struct tvc_http_client *c, const struct tvc_http_req *req)
{
    int rc = tvc_http_start(c, req);
    if (rc < 0)
        return rc;
    do
        rc = tvc_http_step(c, 0xFFFFFFFFu);
    while (rc == TVC_ERR_AGAIN);
    return rc;
}
