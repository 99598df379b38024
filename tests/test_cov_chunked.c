/* Chunked decoding: the chunk-extension and trailer grammar at the edges the
 * main table (test_http_response.c) does not reach.  Each response is fed
 * whole and one byte per call; both must give the same result and body. */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "tvc_http.h"

#define HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

struct sink {
    char body[256];
    size_t len;
};

static int on_body(void *user, const uint8_t *d, size_t n)
{
    struct sink *s = user;
    if (s->len + n > sizeof s->body)
        return -1000;
    memcpy(s->body + s->len, d, n);
    s->len += n;
    return 0;
}

/* Feed @p raw in pieces of at most @p step bytes; returns the final result. */
static int run(const char *raw, size_t step, struct sink *s)
{
    struct tvc_http_parser p;
    char buf[512];
    size_t len = strlen(raw), pos = 0;
    int rc = TVC_HTTP_NEED_MORE;

    memset(s, 0, sizeof *s);
    tvc_http_parser_init(&p, buf, sizeof buf, 16, 0);
    while (pos < len) {
        size_t n = len - pos < step ? len - pos : step, used = 0;
        rc = tvc_http_parser_feed(&p, (const uint8_t *)raw + pos, n, &used, on_body, s);
        if (rc < 0 || rc == TVC_HTTP_DONE)
            return rc;
        if (used == 0 && rc == TVC_HTTP_NEED_MORE)
            return -9999; /* no progress: a parser bug */
        pos += used;
    }
    return rc;
}

/* Same result and body whole and byte by byte. */
static void expect(const char *raw, int want, const char *body)
{
    struct sink a, b;
    int ra = run(raw, 4096, &a), rb = run(raw, 1, &b);

    CHECK_EQ(ra, want);
    CHECK_EQ(rb, want);
    CHECK_MEM(a.body, a.len, b.body, b.len);
    if (body != NULL)
        CHECK_MEM(a.body, a.len, body, strlen(body));
}

static void extension_name_must_be_a_token(void)
{
    expect(HEAD "5;@x\r\nhello\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
    expect(HEAD "5; \"x\"\r\nhello\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
    /* the same with a token name is fine, white space before it too */
    expect(HEAD "5; x\r\nhello\r\n0\r\n\r\n", TVC_HTTP_DONE, "hello");
}

static void extension_value_token_or_quoted(void)
{
    expect(HEAD "5;a=b;c=\"d e\"\r\nhello\r\n0\r\n\r\n", TVC_HTTP_DONE, "hello");
    expect(HEAD "5;a=@\r\nhello\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
    expect(HEAD "5;a=(b)\r\nhello\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
    /* '=' with nothing after it before the line end */
    expect(HEAD "5;a=\r\nhello\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
}

static void quoted_pair_needs_a_visible_char(void)
{
    /* an escaped quote and backslash inside the quoted value are data */
    expect(HEAD "5;a=\"x\\\"y\\\\\"\r\nhello\r\n0\r\n\r\n", TVC_HTTP_DONE, "hello");
    /* a quoted-pair cannot escape a control character */
    expect(HEAD "5;a=\"x\\\001\"\r\nhello\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
    /* nor may one stand unescaped in the quoted string */
    expect(HEAD "5;a=\"x\001\"\r\nhello\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
}

static void trailer_cr_must_end_the_line(void)
{
    expect(HEAD "3\r\nabc\r\n0\r\nX-T: v\r\n\r\n", TVC_HTTP_DONE, "abc");
    expect(HEAD "3\r\nabc\r\n0\r\nX-T: v\n\n", TVC_HTTP_DONE, "abc");
    /* a CR inside a trailer field that is not followed by LF */
    expect(HEAD "3\r\nabc\r\n0\r\nX-T: v\rw\r\n\r\n", TVC_ERR_HTTP_CHUNK, "abc");
    /* a control character in a trailer value, and a trailer line that
     * starts with white space (folding) */
    expect(HEAD "3\r\nabc\r\n0\r\nX-T: \001\r\n\r\n", TVC_ERR_HTTP_CHUNK, "abc");
    expect(HEAD "3\r\nabc\r\n0\r\n X-T: v\r\n\r\n", TVC_ERR_HTTP_CHUNK, "abc");
    /* the final empty line's CR must be followed by LF */
    expect(HEAD "3\r\nabc\r\n0\r\n\rX", TVC_ERR_HTTP_CHUNK, "abc");
}

static void chunk_line_ends(void)
{
    /* CR at the end of a chunk line must be followed by LF */
    expect(HEAD "3\rXabc\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
    /* no size at all, or white space where the size belongs */
    expect(HEAD "\r\nabc\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
    expect(HEAD " 3\r\nabc\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
    /* white space after the size is only accepted before an extension */
    expect(HEAD "3 \r\nabc\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
    expect(HEAD "3 ;x\r\nabc\r\n0\r\n\r\n", TVC_HTTP_DONE, "abc");
    /* a name followed by white space, then ';' or '=' */
    expect(HEAD "3;x ;y\r\nabc\r\n0\r\n\r\n", TVC_HTTP_DONE, "abc");
    expect(HEAD "3;x y\r\nabc\r\n0\r\n\r\n", TVC_ERR_HTTP_CHUNK, "");
}

/* Defensive path: a parser whose private state holds no known value (a
 * struct scribbled over, or never initialised) fails closed with
 * TVC_ERR_HTTP_CHUNK, and stays failed; it never reads on. */
static void unknown_state_fails_closed(void)
{
    struct tvc_http_parser p;
    char buf[64];
    size_t used = 99;
    struct sink s;

    memset(&s, 0, sizeof s);
    tvc_http_parser_init(&p, buf, sizeof buf, 4, 0);
    p.st_ = 0xEE;
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"5\r\nhello", 10, &used, on_body, &s),
             TVC_ERR_HTTP_CHUNK);
    CHECK_EQ(s.len, 0);
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"5", 1, &used, on_body, &s),
             TVC_ERR_HTTP_CHUNK);
    CHECK_EQ(used, 0);
    CHECK_EQ(tvc_http_parser_eof(&p), TVC_ERR_HTTP_CHUNK);
}

int main(void)
{
    RUN(extension_name_must_be_a_token);
    RUN(extension_value_token_or_quoted);
    RUN(quoted_pair_needs_a_visible_char);
    RUN(trailer_cr_must_end_the_line);
    RUN(chunk_line_ends);
    RUN(unknown_state_fails_closed);
    return h_summary();
}
