/*
 * Resumable download to `<path>.part`, renamed over `<path>` only once the
 * length is verified and the bytes are durable.
 *
 * The sidecar `<path>.part.meta` is what makes a resume safe: it ties the
 * part to its URL and to the validator of the answer that started it, and
 * it is written and fsynced right after the part is truncated for a new
 * answer and before any of that answer's bytes land, so a part never sits
 * next to a meta that describes other bytes.  It is rewritten in place (no
 * temp file): the old meta only ever described the part just truncated, and
 * a meta torn by a power cut lacks its "end" line and is refused, which
 * costs the resume and nothing else.  Meta format, one "key value" per
 * line, ended by "end" so a torn file is recognised:
 *
 *     tvc-dl 1
 *     url <url>
 *     validator <ETag or Last-Modified, may be empty>
 *     total <length, -1 unknown>
 *     end
 *
 * URLs and header values cannot hold CR or LF (the URL parser and the HTTP
 * parser refuse them), so the line format needs no escaping.
 */
#include <string.h>

#include "chars.h"
#include "store.h"
#include "tvc_download.h"
#include "tvc_url.h"

enum {
    DL_IDLE = 0,
    DL_HASH,   /* hashing the kept part before asking for the rest */
    DL_HEAD,   /* request running, final headers not seen yet */
    DL_BODY,   /* appending body bytes to the part */
    DL_SKIP,   /* 416: the part is already whole; the body is ignored */
    DL_DONE,
    DL_FAILED
};

#define I64_MAX_DIV10 ((INT64_MAX - 9) / 10)

static int running(const struct tvc_dl *d)
{
    return d->state_ == DL_HASH || d->state_ == DL_HEAD || d->state_ == DL_BODY ||
           d->state_ == DL_SKIP;
}

static int remove_if_present(const struct tvc_port *p, const char *path)
{
    int rc = p->file_remove(p->ctx, path);
    return rc == TVC_ERR_NOT_FOUND ? 0 : tvc_store_st(rc);
}

/* The one path buffer holds "<path>" followed by the suffix asked for. */
static const char *with_suffix(struct tvc_dl *d, const char *suffix)
{
    size_t n = strlen(suffix);
    memcpy(d->path_ + d->plen_, suffix, n + 1);
    return d->path_;
}

static const char *part_path(struct tvc_dl *d)
{
    return with_suffix(d, ".part");
}

static const char *meta_path(struct tvc_dl *d)
{
    return with_suffix(d, ".part.meta");
}

/* Hash helpers: no hash configured means no digest (d->sha256 stays zero). */
static int h_start(struct tvc_dl *d)
{
    return d->hash ? tvc_store_st(d->hash->start(d->hash->ctx)) : 0;
}

static int h_update(struct tvc_dl *d, const uint8_t *p, size_t n)
{
    return d->hash ? tvc_store_st(d->hash->update(d->hash->ctx, p, n)) : 0;
}

static int h_finish(struct tvc_dl *d)
{
    return d->hash ? tvc_store_st(d->hash->finish(d->hash->ctx, d->sha256)) : 0;
}

static int meta_write(struct tvc_dl *d, const char *validator, int64_t total)
{
    const struct tvc_port *p = d->port;
    const char *meta = meta_path(d);
    uint8_t buf[128]; /* a short URL's meta goes out in one write */
    struct tvc_store_wr w;
    int rc, rc2;

    if (tvc_store_create(&w, p, meta, buf, sizeof buf) < 0)
        return TVC_ERR_STORAGE;
    tvc_store_put(&w, "tvc-dl 1\nurl ", 13);
    tvc_store_put(&w, d->url_, strlen(d->url_));
    tvc_store_put(&w, "\nvalidator ", 11);
    tvc_store_put(&w, validator, strlen(validator));
    tvc_store_put(&w, "\ntotal ", 7);
    tvc_store_num(&w, total);
    tvc_store_put(&w, "\nend\n", 5);
    tvc_store_flush(&w);
    rc = w.err;
    if (rc == 0)
        rc = tvc_store_st(p->file_sync(p->ctx, w.fh));
    rc2 = tvc_store_st(p->file_close(p->ctx, w.fh));
    if (rc == 0)
        rc = rc2;
    if (rc < 0)
        (void)p->file_remove(p->ctx, meta);
    return rc;
}

/*
 * Read the meta and check it belongs to d->url_.  On a match the stored
 * validator is in d->validator_ and the length in d->total_.
 * @return 1 usable for a resume; 0 absent, damaged or another URL.
 */
static int meta_load(struct tvc_dl *d)
{
    const struct tvc_port *p = d->port;
    uint8_t buf[64];
    struct tvc_store_rd r;
    char key[16];
    size_t klen, vlen, ulen = strlen(d->url_);
    int ch, in_key = 1, bad = 0, line = 0, have_url = 0, have_end = 0, neg = 0, other = 0;
    int64_t num = 0;

    memset(&r, 0, sizeof r);
    r.p = p;
    r.buf = buf;
    r.cap = sizeof buf;
    r.fh = p->file_open(p->ctx, meta_path(d), TVC_FILE_READ);
    if (r.fh < 0)
        return 0;
    d->validator_[0] = '\0';
    d->total_ = -1;
    klen = vlen = 0;
    while (!bad && !have_end) {
        ch = tvc_store_getc(&r);
        if (ch < 0 || ch == TVC_STORE_EOF)
            break; /* end, or unreadable: both end the parse */
        if (in_key) {
            if (ch == ' ' || ch == '\n') {
                key[klen] = '\0';
                in_key = 0;
                vlen = 0;
                num = 0;
                neg = 0;
                if (ch == ' ')
                    continue;
            } else {
                if (klen + 1 >= sizeof key)
                    bad = 1;
                else
                    key[klen++] = (char)ch;
                continue;
            }
        }
        if (ch != '\n') {
            if (line == 0) {
                bad |= vlen > 0 || ch != '1' || !tvc_ch_streq(key, "tvc-dl");
            } else if (tvc_ch_streq(key, "url")) {
                other |= vlen >= ulen || d->url_[vlen] != (char)ch;
            } else if (tvc_ch_streq(key, "validator")) {
                if (vlen + 1 >= sizeof d->validator_)
                    bad = 1;
                else
                    d->validator_[vlen] = (char)ch;
            } else if (tvc_ch_streq(key, "total")) {
                if (ch == '-' && vlen == 0)
                    neg = 1;
                else if (ch < '0' || ch > '9' || num > I64_MAX_DIV10)
                    bad = 1;
                else
                    num = num * 10 + (ch - '0');
            }
            vlen++;
            continue;
        }
        /* end of a line */
        if (line == 0) {
            bad |= vlen != 1;
        } else if (tvc_ch_streq(key, "url")) {
            other |= vlen != ulen;
            have_url = 1;
        } else if (tvc_ch_streq(key, "validator")) {
            d->validator_[vlen] = '\0';
        } else if (tvc_ch_streq(key, "total")) {
            if (neg)
                bad |= vlen != 2 || num != 1;
            d->total_ = neg ? -1 : num;
            bad |= vlen == 0;
        } else if (tvc_ch_streq(key, "end")) {
            have_end = 1;
        }
        line++;
        in_key = 1;
        klen = 0;
    }
    (void)p->file_close(p->ctx, r.fh);
    /* A part of another URL is kept only when the caller vouches for the
     * resource (a re-signed media URL) and something can prove it the same
     * file: a validator (If-Range) or a known length (Content-Range). */
    if (other && (!d->same_resource || (!d->validator_[0] && d->total_ < 0)))
        bad = 1;
    if (bad || !have_url || !have_end) {
        d->validator_[0] = '\0';
        d->total_ = -1;
        return 0;
    }
    d->other_url_ = (uint8_t)other;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Response handling                                                   */

static void progress(struct tvc_dl *d)
{
    if (d->progress)
        d->progress(d->progress_user, d->have_, d->expect_);
}

static int close_part(struct tvc_dl *d, int sync)
{
    int rc = 0, rc2;

    if (d->fh_ < 0)
        return 0;
    if (sync)
        rc = tvc_store_st(d->port->file_sync(d->port->ctx, d->fh_));
    rc2 = tvc_store_st(d->port->file_close(d->port->ctx, d->fh_));
    d->fh_ = -1;
    return rc < 0 ? rc : rc2;
}

/* The part does not hold what the server thinks: drop it so the next start
 * begins clean, and report @p err. */
static int discard(struct tvc_dl *d, int err)
{
    (void)close_part(d, 0);
    (void)d->port->file_remove(d->port->ctx, part_path(d));
    (void)d->port->file_remove(d->port->ctx, meta_path(d));
    d->have_ = 0;
    return err;
}

static int parse_num(const char **s, const char *end, int64_t *v)
{
    uint64_t n;
    size_t k = ch_dec(*s, (size_t)(end - *s), (uint64_t)INT64_MAX + 1u, &n);

    if (k == 0 || n > (uint64_t)INT64_MAX)
        return -1;
    *s += k;
    *v = (int64_t)n;
    return 0;
}

/*
 * Content-Range: "bytes first-last/total" or "bytes * /total" (without the
 * space); total may be "*".  -1 stands for each '*'.
 * @return 0; -1 malformed.
 */
static int parse_content_range(struct tvc_slice v, int64_t *first, int64_t *last,
                               int64_t *total)
{
    static const char unit[] = "bytes";
    const char *s = v.p, *end = v.p + v.len;
    size_t i;

    for (i = 0; i < 5; i++, s++)
        if (s == end || (*s | 0x20) != unit[i])
            return -1;
    if (s == end || *s != ' ')
        return -1;
    while (s < end && *s == ' ')
        s++;
    if (s < end && *s == '*') {
        s++;
        *first = *last = -1;
    } else {
        if (parse_num(&s, end, first) < 0 || s == end || *s++ != '-' ||
            parse_num(&s, end, last) < 0 || *last < *first)
            return -1;
    }
    if (s == end || *s++ != '/')
        return -1;
    if (s < end && *s == '*') {
        s++;
        *total = -1;
    } else if (parse_num(&s, end, total) < 0) {
        return -1;
    }
    if (s != end)
        return -1;
    if (*last >= 0 && *total >= 0 && *last >= *total)
        return -1;
    return 0;
}

/* The validator usable for a later If-Range: a strong ETag, else (only when
 * there is no ETag at all) Last-Modified.  RFC 9110 13.1.5 forbids weak
 * tags in If-Range, and a date when an entity tag exists. */
static void pick_validator(struct tvc_dl *d, const struct tvc_http_parser *r)
{
    struct tvc_slice v;

    /* validator_ is free again: the If-Range that used it has gone out */
    d->validator_[0] = '\0';
    if (tvc_http_parser_header(r, "ETag", &v) == 0) {
        if (v.len < 2 || v.p[0] != '"' || v.p[v.len - 1] != '"')
            return; /* weak (W/"..") or malformed */
    } else if (tvc_http_parser_header(r, "Last-Modified", &v) != 0) {
        return;
    }
    if (v.len == 0 || v.len >= sizeof d->validator_)
        return;
    memcpy(d->validator_, v.p, v.len);
    d->validator_[v.len] = '\0';
}

/* A 206 that names its validator must name the one the kept part had (a
 * server that ignored If-Range would otherwise splice two files). */
static int same_validator(struct tvc_dl *d, const struct tvc_http_parser *r)
{
    struct tvc_slice v;
    size_t n = strlen(d->validator_);

    if (n == 0 || tvc_http_parser_header(r, d->validator_[0] == '"' ? "ETag" : "Last-Modified",
                                         &v) != 0)
        return 1;
    return v.len == n && memcmp(v.p, d->validator_, n) == 0;
}

/* An error page is not media: any text/... type (HTML, plain text, XML),
 * and application/xml, application/json or any application/...+xml or
 * +json (e.g. application/problem+json, application/xhtml+xml). */
static int is_page(const struct tvc_http_parser *r)
{
    struct tvc_slice v;
    char t[48];
    size_t n = 0;

    if (tvc_http_parser_header(r, "Content-Type", &v) != 0)
        return 0;
    while (n < v.len && n + 1 < sizeof t && v.p[n] != ';' && !ch_ows(v.p[n])) {
        t[n] = (char)ch_lower(v.p[n]);
        n++;
    }
    t[n] = '\0';
    if (n > 5 && memcmp(t, "text/", 5) == 0)
        return 1;
    return n > 14 && memcmp(t, "application/", 12) == 0 &&
           (tvc_ch_streq(t + 12, "xml") || tvc_ch_streq(t + 12, "json") ||
            tvc_ch_streq(t + n - 4, "+xml") || tvc_ch_streq(t + n - 5, "+json"));
}

static int on_200(struct tvc_dl *d, const struct tvc_http_parser *r)
{
    const struct tvc_port *p = d->port;
    int rc;

    /* Truncate first, then describe the new bytes: a crash between the two
     * leaves an empty part, never old bytes under a new validator.  When a
     * kept part is dropped (a resume answered with 200) the truncation is
     * made durable before the new meta is: some file systems do not order
     * one file's fsync after another file's truncation. */
    int dropped = d->resumed;
    d->resumed = 0;
    d->have_ = 0;
    rc = h_start(d);
    if (rc < 0)
        return rc;
    d->fh_ = p->file_open(p->ctx, part_path(d), TVC_FILE_WRITE);
    if (d->fh_ < 0) {
        d->fh_ = -1;
        return TVC_ERR_STORAGE;
    }
    if (dropped) {
        rc = tvc_store_st(p->file_sync(p->ctx, d->fh_));
        if (rc < 0)
            return rc;
    }
    d->expect_ = r->content_length;
    d->total_ = r->content_length;
    pick_validator(d, r);
    /* without TVC_FEATURE_RESUME no sidecar is written (nor read) */
    rc = TVC_FEATURE_RESUME ? meta_write(d, d->validator_, d->expect_) : 0;
    if (rc < 0)
        return rc;
    d->state_ = DL_BODY;
    progress(d);
    return 0;
}

static int on_206(struct tvc_dl *d, const struct tvc_http_parser *r)
{
    const struct tvc_port *p = d->port;
    struct tvc_slice cr;
    int64_t first, last, total;

    if (d->rq_.range_from <= 0)
        return discard(d, TVC_ERR_HTTP_FRAMING); /* a range we did not ask for */
    if (tvc_http_parser_header(r, "Content-Range", &cr) != 0 ||
        parse_content_range(cr, &first, &last, &total) != 0 || first < 0)
        return discard(d, TVC_ERR_HTTP_FRAMING);
    if ((uint64_t)first != d->have_ ||
        (r->content_length >= 0 && r->content_length != last + 1 - first) ||
        (total >= 0 && d->total_ >= 0 && total != d->total_) ||
        (d->other_url_ && !d->validator_[0] && total != d->total_) || !same_validator(d, r))
        return discard(d, TVC_ERR_HTTP_FRAMING);
    /* A server may send less than asked: the length check at the end then
     * reports TRUNCATED and the next start resumes from there. */
    d->expect_ = total >= 0 ? total : last + 1;
    d->fh_ = p->file_open(p->ctx, part_path(d), TVC_FILE_APPEND);
    if (d->fh_ < 0) {
        d->fh_ = -1;
        return TVC_ERR_STORAGE;
    }
    d->resumed = 1;
    d->state_ = DL_BODY;
    /* The kept bytes now belong to this URL: a later resume needs no vouching. */
    if (d->other_url_ && TVC_FEATURE_RESUME &&
        meta_write(d, d->validator_, total >= 0 ? total : d->total_) < 0)
        return TVC_ERR_STORAGE;
    d->other_url_ = 0;
    progress(d);
    return 0;
}

static int on_416(struct tvc_dl *d, const struct tvc_http_parser *r)
{
    struct tvc_slice cr;
    int64_t first, last, total;

    if (d->rq_.range_from <= 0)
        return TVC_ERR_HTTP_STATUS;
    if (tvc_http_parser_header(r, "Content-Range", &cr) == 0 &&
        parse_content_range(cr, &first, &last, &total) == 0 && first < 0 && total >= 0 &&
        (uint64_t)total == d->have_) {
        d->expect_ = total;
        d->resumed = 1;
        d->state_ = DL_SKIP;
        progress(d);
        return 0;
    }
    /* The part is longer than the resource or otherwise wrong: resuming it
     * again would loop, so it goes. */
    return discard(d, TVC_ERR_HTTP_STATUS);
}

static int on_headers(void *user, const struct tvc_http_parser *r)
{
    struct tvc_dl *d = user;
    int rc;

    d->http_status = r->status;
    /* an error page is checked before anything touches the part */
    if ((r->status == 200 || r->status == 206) && is_page(r))
        rc = TVC_ERR_MEDIA_TYPE;
    else if (r->status == 200)
        rc = on_200(d, r);
    else if (r->status == 206)
        rc = on_206(d, r);
    else if (r->status == 416)
        rc = on_416(d, r);
    else
        rc = TVC_ERR_HTTP_STATUS;
    if (rc < 0)
        d->err_ = rc;
    return rc;
}

static int on_body(void *user, const uint8_t *data, size_t len)
{
    struct tvc_dl *d = user;
    int rc;

    if (d->state_ != DL_BODY || len == 0)
        return 0;
    if (d->expect_ >= 0 && (uint64_t)d->expect_ - d->have_ < len) {
        d->err_ = discard(d, TVC_ERR_HTTP_FRAMING); /* more than announced */
        return d->err_;
    }
    /* Straight from the client's receive buffer to storage: one write per
     * body piece, and the client delivers at most one piece per step. */
    rc = d->port->file_write(d->port->ctx, d->fh_, data, len);
    if (rc != (int)len || h_update(d, data, len) < 0) {
        d->err_ = TVC_ERR_STORAGE;
        return d->err_;
    }
    d->have_ += len;
    progress(d);
    return 0;
}

/* ------------------------------------------------------------------ */

/* The exchange ended well: verify, make durable, hash, publish. */
static int finish(struct tvc_dl *d)
{
    const struct tvc_port *p = d->port;
    uint64_t size;
    int rc;

    if (d->state_ != DL_BODY && d->state_ != DL_SKIP)
        return TVC_ERR_STATE;
    rc = close_part(d, 1);
    if (rc < 0)
        return rc;
    rc = p->file_size(p->ctx, part_path(d), &size);
    if (rc < 0)
        return TVC_ERR_STORAGE;
    if (d->expect_ >= 0 && size != (uint64_t)d->expect_)
        return TVC_ERR_HTTP_TRUNCATED;
    /* No length to check and no clean TLS close: the bytes may be a cut
     * (RFC 9112 9.8).  Kept as a part; never published as finished. */
    if (d->expect_ < 0 && d->http->unclean_end)
        return TVC_ERR_HTTP_TRUNCATED;
    /* Hashed as the bytes went by (and the kept part before the resume):
     * the size check above ties the hash to what is on disk. */
    if (size != d->have_ || h_finish(d) < 0)
        return TVC_ERR_STORAGE;
    rc = tvc_store_st(p->file_rename(p->ctx, part_path(d), d->dest_));
    if (rc == 0)
    {
        (void)with_suffix(d, ""); /* the destination, in our writable buffer */
        rc = tvc_store_sync_parent(p, d->path_);
    }
    if (rc < 0)
        return rc;
    /* A meta left behind by a failure here is harmless: with no part next
     * to it, the next start deletes it. */
    (void)p->file_remove(p->ctx, meta_path(d));
    d->bytes = size;
    return 0;
}

int tvc_dl_start(struct tvc_dl *d, struct tvc_http_client *http, const struct tvc_port *port,
                 const char *url, const char *path)
{
    struct tvc_url u;
    uint64_t size = 0;
    size_t plen;
    int rc, resume = 0;

    if (!d || !http || !url || !path || !path[0])
        return TVC_ERR_ARG;
    if (running(d) || tvc_http_client_busy(http))
        return TVC_ERR_STATE; /* the client's buffer is borrowed for hashing */
    rc = tvc_port_check_storage(port);
    if (rc < 0)
        return rc;
    plen = strlen(path);
    if (plen >= TVC_PATH_MAX || strlen(url) >= TVC_URL_MAX)
        return TVC_ERR_NOSPACE;
    if (path[plen - 1] == '/')
        return TVC_ERR_ARG;
    rc = tvc_url_parse(url, strlen(url), &u);
    if (rc < 0)
        return rc;
    d->url_ = url;
    d->dest_ = path;
    memcpy(d->path_, path, plen + 1);
    d->plen_ = (uint16_t)plen;

    d->http = http;
    d->port = port;
    memset(d->sha256, 0, sizeof d->sha256);
    d->bytes = 0;
    d->resumed = 0;
    d->http_status = 0;
    d->validator_[0] = '\0';
    d->fh_ = -1;
    d->have_ = 0;
    d->total_ = -1;
    d->expect_ = -1;
    d->err_ = 0;
    d->state_ = DL_IDLE;
    d->hash_fh_ = -1;
    d->hashed_ = 0;
    d->other_url_ = 0;
    rc = h_start(d);
    if (rc < 0)
        return rc;

    rc = port->file_size(port->ctx, part_path(d), &size);
    if (rc < 0 && rc != TVC_ERR_NOT_FOUND)
        return TVC_ERR_STORAGE;
    if (TVC_FEATURE_RESUME && rc == 0 && size > 0 && size <= (uint64_t)INT64_MAX && meta_load(d))
        resume = 1;
    if (resume) {
        d->have_ = size;
        d->resumed = 1;
    } else {
        d->validator_[0] = '\0';
        d->total_ = -1;
        rc = remove_if_present(port, part_path(d));
        if (rc == 0)
            rc = remove_if_present(port, meta_path(d));
        if (rc < 0)
            return rc;
    }

    memset(&d->rq_, 0, sizeof d->rq_);
    d->rq_.method = "GET";
    d->rq_.url = d->url_;
    d->rq_.bearer = NULL; /* download URLs never get the key */
    d->rq_.range_from = resume ? (int64_t)size : 0;
    d->rq_.if_range = resume && d->validator_[0] ? d->validator_ : NULL;
    d->rq_.flags = TVC_HTTP_FOLLOW;
    d->rq_.redirect_buf = d->redirect_;
    d->rq_.redirect_cap = sizeof d->redirect_;
    d->rq_.io_timeout_ms = d->io_timeout_ms;
    d->rq_.connect_timeout_ms = d->connect_timeout_ms;
    d->rq_.on_headers = on_headers;
    d->rq_.on_body = on_body;
    d->rq_.user = d;
    if (resume && d->hash) {
        /* The kept bytes are hashed a bounded slice per step first. */
        d->hash_fh_ = port->file_open(port->ctx, part_path(d), TVC_FILE_READ);
        if (d->hash_fh_ < 0) {
            d->hash_fh_ = -1;
            return TVC_ERR_STORAGE;
        }
        d->state_ = DL_HASH;
        return 0;
    }
    rc = tvc_http_start(http, &d->rq_);
    if (rc < 0)
        return rc;
    d->state_ = DL_HEAD;
    return 0;
}

/* One slice of hashing the kept part (at most TVC_DL_HASH_PER_STEP bytes,
 * read through the client's receive buffer, idle until the request starts);
 * starts the request when done. */
static int hash_step(struct tvc_dl *d)
{
    const struct tvc_port *p = d->port;
    uint8_t *buf = d->http->io_buf;
    size_t done = 0, want;
    int n, rc;

    while (done < TVC_DL_HASH_PER_STEP) {
        want = TVC_DL_HASH_PER_STEP - done;
        if (want > d->http->io_cap)
            want = d->http->io_cap;
        n = p->file_read(p->ctx, d->hash_fh_, buf, want);
        if (n < 0 || n > (int)want)
            return TVC_ERR_STORAGE;
        if (n == 0)
            break;
        if (h_update(d, buf, (size_t)n) < 0)
            return TVC_ERR_STORAGE;
        d->hashed_ += (uint64_t)n;
        done += (size_t)n;
    }
    if (done == TVC_DL_HASH_PER_STEP)
        return TVC_ERR_AGAIN;
    (void)p->file_close(p->ctx, d->hash_fh_);
    d->hash_fh_ = -1;
    if (d->hashed_ != d->have_)
        return TVC_ERR_STORAGE; /* the part changed under us */
    rc = tvc_http_start(d->http, &d->rq_);
    if (rc < 0)
        return rc;
    d->state_ = DL_HEAD;
    return TVC_ERR_AGAIN;
}

int tvc_dl_step(struct tvc_dl *d, uint32_t wait_ms)
{
    int rc;

    if (!d)
        return TVC_ERR_ARG;
    if (d->state_ == DL_DONE)
        return 0;
    if (d->state_ == DL_FAILED)
        return d->err_;
    if (!running(d))
        return TVC_ERR_STATE;
    if (d->state_ == DL_HASH) {
        rc = hash_step(d);
        if (rc == TVC_ERR_AGAIN)
            return rc;
        if (rc < 0) {
            if (d->hash_fh_ >= 0)
                (void)d->port->file_close(d->port->ctx, d->hash_fh_);
            d->hash_fh_ = -1;
            d->err_ = rc;
            d->state_ = DL_FAILED;
            return rc;
        }
    }
    rc = tvc_http_step(d->http, wait_ms);
    if (rc == TVC_ERR_AGAIN)
        return rc;
    if (rc == TVC_ERR_ABORTED && d->http->sink_err < 0)
        rc = d->http->sink_err; /* our own callback's reason: storage, status, framing */
    if (rc == 0)
        rc = finish(d);
    if (rc < 0) {
        /* Synced so that what is kept for a resume is really there. */
        (void)close_part(d, 1);
        d->err_ = rc;
        d->state_ = DL_FAILED;
        return rc;
    }
    d->state_ = DL_DONE;
    return 0;
}

void tvc_dl_abort(struct tvc_dl *d)
{
    if (!d || !running(d))
        return;
    if (d->hash_fh_ >= 0)
        (void)d->port->file_close(d->port->ctx, d->hash_fh_);
    d->hash_fh_ = -1;
    tvc_http_client_close(d->http);
    (void)close_part(d, 1);
    d->err_ = TVC_ERR_ABORTED;
    d->state_ = DL_FAILED;
}

void tvc_hex(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}
