/* Incremental HTTP/1.x response parser (RFC 9112).  The header block is
 * copied whole into the caller's buffer and parsed only once its empty line
 * has arrived, so the outcome never depends on how the input was split. */
#include <string.h>

#include "chunked.h"
#include "chars.h"

#define HEAD_INTERIM 1 /* parse_head(): a 1xx to skip */

static int fail(struct tvc_http_parser *p, int err)
{
    p->st_ = TVC_PS_FAILED;
    p->err_ = err;
    p->keep_alive = 0;
    return err;
}

/* Character classes are src/chars.h's, under this file's names; field text
 * (HTAB, SP, VCHAR, obs-text) is what a field value or reason phrase may hold. */
#define is_tchar(c) ch_tchar(c)
#define is_ws(c) ch_ows(c)
#define is_text(c) ch_field_text(c)
#define lower(c) ch_lower(c)

/* Case-insensitive equality of a slice and a NUL-terminated string (the
 * client's connection matching uses it too: see chunked.h). */
int tvc_http_slice_ieq_(struct tvc_slice s, const char *z)
{
    size_t i;

    for (i = 0; i < s.len; i++)
        if (z[i] == '\0' || lower((uint8_t)s.p[i]) != lower((uint8_t)z[i]))
            return 0;
    return z[i] == '\0';
}

static struct tvc_slice trim(const char *s, const char *e)
{
    struct tvc_slice r;

    while (s < e && is_ws((uint8_t)*s))
        s++;
    while (e > s && is_ws((uint8_t)e[-1]))
        e--;
    r.p = s;
    r.len = (size_t)(e - s);
    return r;
}

/* Next element of a comma-separated list (trimmed, maybe empty).
 * Returns 0 when the list is exhausted. */
static int list_next(const char **cur, const char *end, struct tvc_slice *el)
{
    const char *s = *cur, *e;

    if (s == NULL)
        return 0;
    e = s;
    while (e < end && *e != ',')
        e++;
    *el = trim(s, e);
    *cur = e < end ? e + 1 : NULL;
    return 1;
}

/* ------------------------------------------------------------------ */
/* header block                                                        */

/* The line starting at *pos, without its CR LF / LF; *pos moves past it.
 * Every line of a complete block ends with LF. */
static void next_line(const char *b, size_t n, size_t *pos, const char **s, const char **e)
{
    const char *lf = memchr(b + *pos, '\n', n - *pos);

    *s = b + *pos;
    *e = lf;
    if (*e > *s && (*e)[-1] == '\r')
        (*e)--;
    *pos = (size_t)(lf - b) + 1;
}

static int parse_status(struct tvc_http_parser *p, const char *s, const char *e)
{
    size_t len = (size_t)(e - s), i;

    /* RFC 9110 section 2.5: a minor version above 1 is read as the highest
     * one we speak, 1.1; another major version is not HTTP/1.x at all */
    if (len < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !ch_digit(s[7]) || s[8] != ' ')
        return TVC_ERR_HTTP;
    for (i = 9; i < 12; i++)
        if (s[i] < '0' || s[i] > '9')
            return TVC_ERR_HTTP;
    if (s[9] < '1' || s[9] > '5')
        return TVC_ERR_HTTP;
    if (len > 12 && s[12] != ' ')
        return TVC_ERR_HTTP;
    for (i = 13; i < len; i++)
        if (!is_text((uint8_t)s[i]))
            return TVC_ERR_HTTP;
    p->minor = s[7] == '0' ? 0 : 1;
    p->status = (uint16_t)((s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0'));
    p->reason.p = len > 13 ? s + 13 : e;
    p->reason.len = len > 13 ? len - 13 : 0;
    return 0;
}

static int parse_field(struct tvc_http_parser *p, const char *s, const char *e)
{
    const char *c = s, *v;

    if (is_ws((uint8_t)*s))
        return TVC_ERR_HTTP_FOLDING;
    while (c < e && is_tchar((uint8_t)*c))
        c++;
    if (c == s || c == e || *c != ':') /* empty name, no colon, space before ':' */
        return TVC_ERR_HTTP;
    for (v = c + 1; v < e; v++)
        if (!is_text((uint8_t)*v))
            return TVC_ERR_HTTP;
    if (p->nhdrs >= p->max_hdrs_)
        return TVC_ERR_HTTP_TOO_MANY_HEADERS;
    p->nhdrs++; /* kept in the block itself: next_field() finds it again */
    return 0;
}

/* Merge one Content-Length field value ("5" or "5, 5") into *cl (-1: none yet). */
static int merge_cl(struct tvc_slice v, int64_t *cl)
{
    const char *cur = v.p;
    struct tvc_slice el;

    while (list_next(&cur, v.p + v.len, &el)) {
        uint64_t n = 0;
        size_t i;

        if (el.len == 0)
            return TVC_ERR_HTTP_FRAMING;
        for (i = 0; i < el.len; i++) {
            unsigned d = (unsigned)((uint8_t)el.p[i] - '0');
            /* n * 10 + d > INT64_MAX, without a 64-bit divide */
            if (d > 9 || n > (uint64_t)INT64_MAX / 10u ||
                (n == (uint64_t)INT64_MAX / 10u && d > (unsigned)(INT64_MAX % 10)))
                return TVC_ERR_HTTP_FRAMING;
            n = n * 10u + d;
        }
        if (*cl >= 0 && (uint64_t)*cl != n)
            return TVC_ERR_HTTP_FRAMING;
        *cl = (int64_t)n;
    }
    return 0;
}

/* Count the codings of one Transfer-Encoding value into *chunked / *other. */
static void scan_te(struct tvc_slice v, unsigned *chunked, unsigned *other)
{
    const char *cur = v.p;
    struct tvc_slice el;

    while (list_next(&cur, v.p + v.len, &el)) {
        if (el.len == 0)
            continue;
        if (tvc_http_slice_ieq_(el, "chunked"))
            (*chunked)++;
        else
            (*other)++;
    }
}

/*
 * The fields of the stored header block, in order, without a slot array:
 * the block in buf[0..used_) is the status line and nhdrs field lines that
 * parse_field() validated (each has a ':' and ends with a line feed).
 * *pos starts at 0 (the status line is skipped) and *left at nhdrs.
 * @return 1 with @p name and @p value (trimmed); 0 after the last field.
 */
static int next_field(const struct tvc_http_parser *p, size_t *pos, unsigned *left,
                      struct tvc_slice *name, struct tvc_slice *value)
{
    const char *s, *e, *c;

    if (*left == 0)
        return 0;
    if (*pos == 0)
        next_line(p->buf, p->used_, pos, &s, &e);
    next_line(p->buf, p->used_, pos, &s, &e);
    c = memchr(s, ':', (size_t)(e - s));
    name->p = s;
    name->len = (size_t)(c - s);
    *value = trim(c + 1, e);
    (*left)--;
    return 1;
}

/* Framing and persistence of a final response (RFC 9112 6.3 and 9.3). */
static int frame(struct tvc_http_parser *p)
{
    unsigned left = p->nhdrs, te_fields = 0, te_chunked = 0, te_other = 0, conn_close = 0,
             conn_ka = 0;
    int64_t cl = -1;
    int cl_rc = 0, cl_fields = 0;
    size_t pos = 0;
    struct tvc_slice name, value;

    while (next_field(p, &pos, &left, &name, &value)) {
        if (tvc_http_slice_ieq_(name, "content-length")) {
            cl_fields = 1;
            if (cl_rc == 0)
                cl_rc = merge_cl(value, &cl);
        } else if (tvc_http_slice_ieq_(name, "transfer-encoding")) {
            te_fields = 1;
            scan_te(value, &te_chunked, &te_other);
        } else if (tvc_http_slice_ieq_(name, "connection")) {
            const char *cur = value.p;
            struct tvc_slice el;
            while (list_next(&cur, value.p + value.len, &el)) {
                if (tvc_http_slice_ieq_(el, "close"))
                    conn_close = 1;
                else if (tvc_http_slice_ieq_(el, "keep-alive"))
                    conn_ka = 1;
            }
        }
    }
    p->keep_alive = (uint8_t)(!conn_close && (p->minor >= 1 || conn_ka));

    if (p->head_req_ || p->status == 204 || p->status == 304) {
        /* no body whatever the fields say; Content-Length is informative */
        p->no_body = 1;
        p->content_length = cl_rc == 0 ? cl : -1;
        p->st_ = TVC_PS_NOBODY;
        return 0;
    }
    if (te_fields) {
        /* we never ask for a coding: exactly "chunked" and nothing else */
        if (cl_fields || te_chunked != 1 || te_other != 0)
            return TVC_ERR_HTTP_FRAMING;
        p->chunked = 1;
        if (p->minor == 0) /* RFC 9112 6.1: HTTP/1.0 with TE: close afterwards */
            p->keep_alive = 0;
        p->left_ = 0;
        p->line_ = 0;
        p->st_ = TVC_PS_CH_SIZE0;
        return 0;
    }
    if (cl_fields) {
        if (cl_rc < 0)
            return cl_rc;
        p->content_length = cl;
        p->left_ = (uint64_t)cl;
        p->st_ = TVC_PS_LEN;
        return 0;
    }
    p->until_close = 1;
    p->keep_alive = 0;
    p->st_ = TVC_PS_CLOSE;
    return 0;
}

/*
 * RFC 9112 section 5.2: a user agent MUST replace each obs-fold (a line end
 * followed by SP or HTAB) with SP before interpreting the field value.  Done
 * in place, from the end of the first field line on, so the block keeps its
 * size and the field walk sees one longer line.  White space right after the
 * status line is not a fold (there is no field to continue) and stays an
 * error (section 2.2 lets a recipient reject it), as the first field line.
 */
static void unfold(char *b, size_t from, size_t n)
{
    size_t i, k;

    for (i = from; i + 1 < n; i++) {
        if (b[i] != '\n' || !is_ws((uint8_t)b[i + 1]))
            continue;
        /* obs-fold = OWS CRLF RWS: all of it becomes SP */
        k = i;
        if (b[k - 1] == '\r')
            b[--k] = ' ';
        while (k > from && is_ws((uint8_t)b[k - 1]))
            b[--k] = ' ';
        for (k = i; k < n && (k == i || is_ws((uint8_t)b[k])); k++)
            b[k] = ' ';
    }
}

/* Parse the complete block in buf[0..used_).  Returns 0 (final response,
 * state set for the body), HEAD_INTERIM, or an error. */
static int parse_head(struct tvc_http_parser *p)
{
    char *b = p->buf;
    const char *s, *e;
    size_t n = p->used_, pos = 0;
    int rc;

    next_line(b, n, &pos, &s, &e);
    rc = parse_status(p, s, e);
    if (rc < 0)
        return rc;
    if (pos < n && !is_ws((uint8_t)b[pos])) {
        const char *lf = memchr(b + pos, '\n', n - pos);
        unfold(b, (size_t)(lf - b), n);
    }
    for (;;) {
        next_line(b, n, &pos, &s, &e);
        if (s == e)
            break;
        rc = parse_field(p, s, e);
        if (rc < 0)
            return rc;
    }
    if (p->status < 200) {
        if (p->status == 101) /* we never ask to switch protocols */
            return TVC_ERR_HTTP;
        return HEAD_INTERIM;
    }
    return frame(p);
}

static void head_reset(struct tvc_http_parser *p)
{
    p->used_ = 0;
    p->line_ = 0;
    p->nhdrs = 0;
    p->status = 0;
    p->minor = 0;
    p->reason.p = p->buf;
    p->reason.len = 0;
}

static int head_feed(struct tvc_http_parser *p, const uint8_t *d, size_t len, size_t *used)
{
    size_t i;

    for (i = 0; i < len; i++) {
        uint8_t c = d[i];
        int rc;

        if (p->used_ >= p->cap_) {
            *used = i;
            return TVC_ERR_HTTP_HEADERS_TOO_LARGE;
        }
        p->buf[p->used_++] = (char)c;
        /* Refuse a peer that is not speaking HTTP at its first bytes, not
         * when its header block would end (it may never end). */
        if (p->used_ <= 5 && c != (uint8_t)"HTTP/"[p->used_ - 1]) {
            *used = i + 1;
            return TVC_ERR_HTTP;
        }
        if (c != '\n') {
            p->line_++;
            continue;
        }
        if (!(p->line_ == 0 || (p->line_ == 1 && p->buf[p->used_ - 2] == '\r'))) {
            p->line_ = 0;
            continue;
        }
        /* the empty line: the block is complete */
        rc = parse_head(p);
        if (rc == HEAD_INTERIM) {
            head_reset(p);
            continue;
        }
        *used = i + 1;
        return rc < 0 ? rc : TVC_HTTP_HEADERS;
    }
    *used = len;
    return TVC_HTTP_NEED_MORE;
}

/* ------------------------------------------------------------------ */

void tvc_http_parser_init(struct tvc_http_parser *p, char *buf, size_t cap, unsigned max_hdrs,
                          int head_req)
{
    memset(p, 0, sizeof *p);
    p->buf = buf;
    p->cap_ = (uint16_t)(!buf ? 0 : cap > 65535u ? 65535u : cap);
    p->max_hdrs_ = (uint16_t)(max_hdrs > 65535u ? 65535u : max_hdrs);
    p->content_length = -1;
    p->head_req_ = head_req ? 1 : 0;
    p->st_ = TVC_PS_HEAD;
    head_reset(p);
}

int tvc_http_parser_feed(struct tvc_http_parser *p, const uint8_t *data, size_t len,
                         size_t *consumed, tvc_http_body_fn fn, void *user)
{
    size_t dummy, used = 0;
    int rc;

    if (!consumed)
        consumed = &dummy;
    *consumed = 0;
    if (!p || (!data && len))
        return TVC_ERR_ARG;

    switch (p->st_) {
    case TVC_PS_FAILED:
        return p->err_;
    case TVC_PS_DONE:
        return TVC_HTTP_DONE;
    case TVC_PS_NOBODY:
        p->st_ = TVC_PS_DONE;
        return TVC_HTTP_DONE;
    case TVC_PS_HEAD:
        rc = head_feed(p, data, len, &used);
        break;
    case TVC_PS_LEN:
        used = len;
        if ((uint64_t)used > p->left_)
            used = (size_t)p->left_;
        rc = tvc_http_body_out(p, data, used, fn, user);
        if (rc == 0) {
            p->left_ -= used;
            rc = TVC_HTTP_NEED_MORE;
            if (p->left_ == 0) {
                p->st_ = TVC_PS_DONE;
                rc = TVC_HTTP_DONE;
            }
        }
        break;
    case TVC_PS_CLOSE:
        used = len;
        rc = tvc_http_body_out(p, data, len, fn, user);
        break;
    default:
        rc = tvc_chunked_feed(p, data, len, &used, fn, user);
        break;
    }

    *consumed = used;
    if (used >= (size_t)(UINT32_MAX - p->bytes_seen))
        p->bytes_seen = UINT32_MAX;
    else
        p->bytes_seen += (uint32_t)used;
    return rc < 0 ? fail(p, rc) : rc;
}

int tvc_http_parser_eof(struct tvc_http_parser *p)
{
    if (!p)
        return TVC_ERR_ARG;
    switch (p->st_) {
    case TVC_PS_FAILED:
        return p->err_;
    case TVC_PS_LEN: /* complete only for Content-Length: 0 */
    case TVC_PS_DONE:
    case TVC_PS_NOBODY:
    case TVC_PS_CLOSE:
        if (p->st_ == TVC_PS_LEN && p->left_ != 0)
            break;
        p->st_ = TVC_PS_DONE;
        p->keep_alive = 0;
        return TVC_HTTP_DONE;
    case TVC_PS_HEAD:
        if (p->bytes_seen == 0)
            return fail(p, TVC_ERR_CLOSED);
        break;
    default:
        break;
    }
    return fail(p, TVC_ERR_HTTP_TRUNCATED);
}

int tvc_http_parser_header(const struct tvc_http_parser *p, const char *name,
                           struct tvc_slice *value)
{
    struct tvc_slice n, v;
    unsigned left;
    size_t pos = 0;

    if (!p || !name)
        return TVC_ERR_ARG;
    left = p->nhdrs;
    while (next_field(p, &pos, &left, &n, &v)) {
        if (tvc_http_slice_ieq_(n, name)) {
            if (value)
                *value = v;
            return 0;
        }
    }
    return TVC_ERR_NOT_FOUND;
}

int tvc_http_parser_field(const struct tvc_http_parser *p, unsigned i,
                          struct tvc_slice *name, struct tvc_slice *value)
{
    struct tvc_slice n = {0, 0}, v = {0, 0};
    unsigned left;
    size_t pos = 0;

    if (!p || i >= p->nhdrs)
        return TVC_ERR_NOT_FOUND;
    left = i + 1;
    while (next_field(p, &pos, &left, &n, &v))
        ;
    if (name)
        *name = n;
    if (value)
        *value = v;
    return 0;
}
