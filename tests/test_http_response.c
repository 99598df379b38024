/* Response parser: a table of named responses, each run whole, one byte per
 * call, in random splits, and in every two-piece split, every piece placed
 * right before an unmapped page.  Every run must give the same status,
 * fields, body, result and end offset. */
#define _DEFAULT_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "tvc_http.h"

#define R(s) .raw = s, .raw_len = sizeof(s) - 1
#define B(s) .body = s, .body_len = sizeof(s) - 1
#define DONE TVC_HTTP_DONE

enum { F_CHUNKED = 1, F_CLOSE = 2, F_NOBODY = 4, F_KA = 8 };

struct hv {
    const char *name;
    const char *value; /* NULL: must be absent */
};

struct vec {
    const char *name;
    const char *raw;
    size_t raw_len;
    int head_req;
    size_t cap;        /* 0: 1024 */
    unsigned max_hdrs; /* 0: 32 */
    int res;           /* TVC_HTTP_DONE or the error */
    int eof;           /* 1: feeding all ends in NEED_MORE; res comes from eof() */
    /* checked when status != 0 (the final header block was accepted) */
    int status, minor;
    const char *reason;
    int64_t cl;
    int flags;
    int nh; /* exact field count when > 0 */
    struct hv hv[4];
    /* body delivered (also for errors: what came before the error) */
    const char *body;
    size_t body_len;
};

/* ------------------------------------------------------------------ */

static const struct vec vecs[] = {
    /* ---- Content-Length ---- */
    {.name = "cl_small",
     R("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"),
     .res = DONE, .status = 200, .minor = 1, .reason = "OK", .cl = 5, .flags = F_KA, .nh = 2,
     .hv = {{"content-type", "text/plain"}, {"CONTENT-LENGTH", "5"}, {"Content-Typ", NULL}},
     B("hello")},
    {.name = "cl_zero", R("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), .res = DONE,
     .status = 200, .minor = 1, .cl = 0, .flags = F_KA, .nh = 1},
    {.name = "cl_binary_body",
     R("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\na\r\n\0\r\n\n"), .res = DONE,
     .status = 200, .minor = 1, .cl = 7, .flags = F_KA, B("a\r\n\0\r\n\n")},
    {.name = "cl_body_looks_like_head",
     R("HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"), .res = DONE,
     .status = 200, .minor = 1, .cl = 19, .flags = F_KA, B("HTTP/1.1 200 OK\r\n\r\n")},
    {.name = "cl_leading_zeros", R("HTTP/1.1 200 OK\r\nContent-Length: 0003\r\n\r\nabc"),
     .res = DONE, .status = 200, .minor = 1, .cl = 3, .flags = F_KA, B("abc")},
    {.name = "cl_duplicate_identical",
     R("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\nContent-Length: 5\r\n\r\nhello"),
     .res = DONE, .status = 200, .minor = 1, .cl = 5, .flags = F_KA, .nh = 3, B("hello")},
    {.name = "cl_list_identical", R("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello"),
     .res = DONE, .status = 200, .minor = 1, .cl = 5, .flags = F_KA,
     .hv = {{"Content-Length", "5, 5"}}, B("hello")},
    {.name = "cl_list_identical_ows",
     R("HTTP/1.1 200 OK\r\nContent-Length:5 ,\t5,5\r\nContent-Length: 05\r\n\r\nhello"),
     .res = DONE, .status = 200, .minor = 1, .cl = 5, .flags = F_KA, B("hello")},
    {.name = "cl_status_404", R("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"),
     .res = DONE, .status = 404, .minor = 1, .reason = "Not Found", .cl = 9, .flags = F_KA,
     B("not found")},
    {.name = "cl_max_int64_truncated",
     R("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nabc"),
     .res = TVC_ERR_HTTP_TRUNCATED, .eof = 1, .status = 200, .minor = 1,
     .cl = INT64_MAX, .flags = F_KA, B("abc")},

    /* ---- chunked ---- */
    {.name = "chunked_single",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA, B("hello")},
    {.name = "chunked_many",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
       "1\r\na\r\n2\r\nbc\r\na\r\n0123456789\r\n10\r\n0123456789abcdef\r\n"
       "3\r\n\r\n\n\r\n0\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA,
     B("abc01234567890123456789abcdef\r\n\n")},
    {.name = "chunked_upper_mixed_hex",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
       "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0000000000000003\r\nxyz\r\n"
       "0000000000000000\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA,
     B("abcdefghijklmnopqrstuvwxyzxyz")},
    {.name = "chunked_extensions",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
       "5;foo=bar\r\nhello\r\n"
       "3 ; a = \"x;y\\\"z\\\\\" ;b;c=\"\"\r\nabc\r\n"
       "2;name\r\nde\r\n"
       "1;q=\"\xc3\xa9\t\"\r\nf\r\n"
       "0;last=1\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA,
     B("helloabcdef")},
    {.name = "chunked_trailers",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
       "4\r\nwiki\r\n0\r\nX-Checksum: abc\r\nX-Other:\t2\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA, .nh = 2,
     .hv = {{"X-Checksum", NULL}, {"x-a", "1"}}, B("wiki")},
    {.name = "chunked_lf_only",
     R("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\nhello\n3;x=y\nabc\n0\nT: 1\n\n"),
     .res = DONE, .status = 200, .minor = 1, .reason = "OK", .cl = -1,
     .flags = F_CHUNKED | F_KA, B("helloabc")},
    {.name = "chunked_mixed_line_ends",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\n\r\n2\nab\r\n2\r\ncd\n0\r\nT: 1\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA, B("abcd")},
    {.name = "chunked_te_list_case",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: , \tChUnKeD ,\r\n\r\n1\r\nx\r\n0\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA, B("x")},
    {.name = "chunked_http10_not_kept",
     R("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
       "2\r\nhi\r\n0\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 0, .cl = -1, .flags = F_CHUNKED, B("hi")},
    {.name = "chunked_max_size_truncated",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nabc"),
     .res = TVC_ERR_HTTP_TRUNCATED, .eof = 1, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("abc")},

    /* ---- until close ---- */
    {.name = "until_close",
     R("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until close\r\n\r\nmore"),
     .res = DONE, .eof = 1, .status = 200, .minor = 1, .cl = -1, .flags = F_CLOSE,
     B("body until close\r\n\r\nmore")},
    {.name = "until_close_empty", R("HTTP/1.1 200 OK\r\n\r\n"), .res = DONE, .eof = 1,
     .status = 200, .minor = 1, .cl = -1, .flags = F_CLOSE},
    {.name = "until_close_http10_keepalive_ignored",
     R("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nxyz"), .res = DONE, .eof = 1,
     .status = 200, .minor = 0, .cl = -1, .flags = F_CLOSE, B("xyz")},

    /* ---- persistence ---- */
    {.name = "http10_close", R("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi"), .res = DONE,
     .status = 200, .minor = 0, .cl = 2, .flags = 0, B("hi")},
    {.name = "http10_keep_alive",
     R("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nhi"),
     .res = DONE, .status = 200, .minor = 0, .cl = 2, .flags = F_KA, B("hi")},
    {.name = "http11_connection_close_in_list",
     R("HTTP/1.1 200 OK\r\nConnection: keep-alive, CLOSE\r\nContent-Length: 2\r\n\r\nhi"),
     .res = DONE, .status = 200, .minor = 1, .cl = 2, .flags = 0, B("hi")},
    {.name = "http11_connection_close_second_field",
     R("HTTP/1.1 200 OK\r\nConnection: upgrade\r\nconnection:close\r\nContent-Length: 0\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = 0, .flags = 0},
    {.name = "http11_connection_closed_is_not_close",
     R("HTTP/1.1 200 OK\r\nConnection: closed, xclose\r\nContent-Length: 0\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = 0, .flags = F_KA},

    /* ---- no body ---- */
    {.name = "head_with_cl", .head_req = 1,
     R("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"), .res = DONE, .status = 200,
     .minor = 1, .cl = 1000, .flags = F_NOBODY | F_KA},
    {.name = "head_with_te_chunked", .head_req = 1,
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), .res = DONE, .status = 200,
     .minor = 1, .cl = -1, .flags = F_NOBODY | F_KA},
    {.name = "head_with_bad_cl_ignored", .head_req = 1,
     R("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n"), .res = DONE, .status = 200,
     .minor = 1, .cl = -1, .flags = F_NOBODY | F_KA},
    {.name = "s204_with_cl", R("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"),
     .res = DONE, .status = 204, .minor = 1, .reason = "No Content", .cl = 10,
     .flags = F_NOBODY | F_KA},
    {.name = "s304_with_cl",
     R("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"x\"\r\n\r\n"), .res = DONE,
     .status = 304, .minor = 1, .cl = 10, .flags = F_NOBODY | F_KA,
     .hv = {{"etag", "\"x\""}}},
    {.name = "s304_http10", R("HTTP/1.0 304 Not Modified\r\n\r\n"), .res = DONE, .status = 304,
     .minor = 0, .cl = -1, .flags = F_NOBODY},

    /* ---- interim responses ---- */
    {.name = "continue_100_then_200",
     R("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
     .res = DONE, .status = 200, .minor = 1, .reason = "OK", .cl = 2, .flags = F_KA, .nh = 1,
     B("ok")},
    {.name = "early_hints_103_then_200",
     R("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nLink: </b.js>\r\n\r\n"
       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\n\r\nok"),
     .res = DONE, .status = 200, .minor = 1, .cl = 2, .flags = F_KA, .nh = 2,
     .hv = {{"Link", NULL}, {"x-a", "1"}}, B("ok")},
    {.name = "several_interim_then_chunked",
     R("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX-P: 1\r\n\r\n"
       "HTTP/1.1 103 Early Hints\nLink: <x>\n\nHTTP/1.0 201 Created\r\n"
       "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
     .res = DONE, .status = 201, .minor = 0, .reason = "Created", .cl = -1,
     .flags = F_CHUNKED, .nh = 1, .hv = {{"X-P", NULL}, {"Link", NULL}}, B("abc")},
    {.name = "interim_then_head", .head_req = 1,
     R("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = 7, .flags = F_NOBODY | F_KA},

    /* ---- status line and field syntax that is accepted ---- */
    {.name = "reason_empty_with_space", R("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .reason = "", .cl = 0, .flags = F_KA},
    {.name = "reason_empty_no_space", R("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .reason = "", .cl = 0, .flags = F_KA},
    {.name = "reason_obs_text_and_spaces",
     R("HTTP/1.1 599 \xc3\x96K  fine\t!\r\nContent-Length: 0\r\n\r\n"), .res = DONE,
     .status = 599, .minor = 1, .reason = "\xc3\x96K  fine\t!", .cl = 0, .flags = F_KA},
    {.name = "value_trim_obs_text_empty",
     R("HTTP/1.1 200 OK\r\nX-A: \t  spaced  value \t \r\nX-Empty:\r\nX-Blank:   \r\n"
       "X-Name: caf\xc3\xa9\r\nX-Dup: first\r\nx-dup: second\r\n"
       "!#$%&'*+-.^_`|~09aZ: t\r\nContent-Length: 0\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = 0, .flags = F_KA, .nh = 8,
     .hv = {{"x-a", "spaced  value"}, {"X-EMPTY", ""}, {"x-name", "caf\xc3\xa9"},
            {"X-DUP", "first"}}},
    {.name = "lf_only_head", R("HTTP/1.1 200 OK\nContent-Length: 2\nX: a b\n\nok"), .res = DONE,
     .status = 200, .minor = 1, .reason = "OK", .cl = 2, .flags = F_KA,
     .hv = {{"x", "a b"}}, B("ok")},
    {.name = "max_hdrs_exact", .max_hdrs = 3,
     R("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 1\r\n\r\nz"), .res = DONE,
     .status = 200, .minor = 1, .cl = 1, .flags = F_KA, .nh = 3, .hv = {{"b", "2"}}, B("z")},
    {.name = "interim_fields_count_separately", .max_hdrs = 2,
     R("HTTP/1.1 103 Early Hints\r\nL: 1\r\nL: 2\r\n\r\n"
       "HTTP/1.1 200 OK\r\nA: 1\r\nContent-Length: 1\r\n\r\nz"),
     .res = DONE, .status = 200, .minor = 1, .cl = 1, .flags = F_KA, .nh = 2, B("z")},

    /* ---- framing errors ---- */
    {.name = "cl_conflicting_fields",
     R("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_conflicting_list", R("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_empty_list_element", R("HTTP/1.1 200 OK\r\nContent-Length: 5,,5\r\n\r\nhello"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_and_te", R("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: "
                            "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "te_and_cl", R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: "
                            "0\r\n\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "te_gzip", R("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "te_identity", R("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nxx"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "te_chunked_then_gzip",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "te_gzip_then_chunked",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "te_gzip_chunked_two_fields",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "te_chunked_twice",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "te_chunked_with_param",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "te_empty", R("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_garbage", R("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_trailing_garbage", R("HTTP/1.1 200 OK\r\nContent-Length: 5a\r\n\r\nhello"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_inner_space", R("HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\nhello"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_empty", R("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_negative", R("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_plus_sign", R("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_hex", R("HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\nhello"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_overflow_int64",
     R("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},
    {.name = "cl_overflow_uint64",
     R("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551621\r\n\r\n"),
     .res = TVC_ERR_HTTP_FRAMING},

    /* ---- chunk errors ---- */
    {.name = "chunk_size_17_digits",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nx\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_size_2p63",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8000000000000000\r\nx"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_size_2p64_minus1",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\nx"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_bad_crlf_after_data",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("hello")},
    {.name = "chunk_cr_without_lf_after_data",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r0\r\n\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("abc")},
    {.name = "chunk_cr_without_lf_after_size",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\rabc\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_data_too_long",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("ab")},
    {.name = "chunk_empty_size_line",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_non_hex",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\ng\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_0x_prefix",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_negative",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_leading_space",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_trailing_space_no_ext",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_ext_empty_name",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_ext_empty_value",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\r\nhello\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_ext_unterminated_quote",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\r\nhello\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_ext_junk_after_quote",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\"y\r\nhello\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_ext_ctl_in_quote",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"\x01\"\r\nhello\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_ext_bad_name_char",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a@b\r\nhello\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1, .flags = F_CHUNKED | F_KA},
    {.name = "chunk_trailer_ctl",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: a\x01\r\n\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("x")},
    /* obs-fold in a trailer continues the field (RFC 9112 5.2, issue 9) */
    {.name = "chunk_trailer_folded",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: a\r\n b\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("x")},
    {.name = "chunk_trailer_starts_with_space",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n b\r\n\r\n"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("x")},
    {.name = "chunk_final_cr_without_lf",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\rX"),
     .res = TVC_ERR_HTTP_CHUNK, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("x")},

    /* ---- head syntax errors ---- */
    /* obs-fold is replaced by SP (RFC 9112 5.2, issue 9) */
    {.name = "obs_fold", R("HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\nContent-Length: 0\r\n\r\n"),
     .res = DONE, .status = 200, .minor = 1, .cl = 0, .flags = F_KA, .nh = 2,
     .hv = {{"x-a", "1    continued"}, {"content-length", "0"}}},
    {.name = "obs_fold_tab_first_line", R("HTTP/1.1 200 OK\r\n\tX-A: 1\r\n\r\n"),
     .res = TVC_ERR_HTTP_FOLDING},
    {.name = "space_before_colon", R("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello"),
     .res = TVC_ERR_HTTP},
    {.name = "tab_before_colon", R("HTTP/1.1 200 OK\r\nX-A\t: 5\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "field_without_colon", R("HTTP/1.1 200 OK\r\nX-A 5\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "field_empty_name", R("HTTP/1.1 200 OK\r\n: 5\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "field_bad_name_char", R("HTTP/1.1 200 OK\r\nX(y): 5\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "value_ctl_01", R("HTTP/1.1 200 OK\r\nX-A: a\x01z\r\nContent-Length: 0\r\n\r\n"),
     .res = TVC_ERR_HTTP},
    {.name = "value_nul", R("HTTP/1.1 200 OK\r\nX-A: a\0z\r\nContent-Length: 0\r\n\r\n"),
     .res = TVC_ERR_HTTP},
    {.name = "value_del", R("HTTP/1.1 200 OK\r\nX-A: a\x7fz\r\nContent-Length: 0\r\n\r\n"),
     .res = TVC_ERR_HTTP},
    {.name = "value_bare_cr", R("HTTP/1.1 200 OK\r\nX-A: a\rContent-Length: 0\r\n\r\n"),
     .res = TVC_ERR_HTTP},
    {.name = "status_http2", R("HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"), .res = TVC_ERR_HTTP},
    /* a minor version above 1 is read as HTTP/1.1 (RFC 9110 2.5, issue 9) */
    {.name = "status_http12", R("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n"), .res = DONE,
     .status = 200, .minor = 1, .cl = 0, .flags = F_KA, .nh = 1},
    {.name = "status_http09_style", R("HTTP/0.9 200 OK\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_lowercase_proto", R("http/1.1 200 OK\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_two_digits", R("HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_four_digits", R("HTTP/1.1 2000 OK\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_non_digit", R("HTTP/1.1 2x0 OK\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_below_100", R("HTTP/1.1 099 Low\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_above_599", R("HTTP/1.1 600 High\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_missing_version", R("200 OK\r\nContent-Length: 0\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_no_version_digit", R("HTTP/ 200 OK\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_double_space", R("HTTP/1.1  200 OK\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_tab_separator", R("HTTP/1.1\t200 OK\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_tab_before_reason", R("HTTP/1.1 200\tOK\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_ctl_in_reason", R("HTTP/1.1 200 O\x01K\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_icy", R("ICY 200 OK\r\n\r\n"), .res = TVC_ERR_HTTP},
    {.name = "status_leading_empty_line", R("\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
     .res = TVC_ERR_HTTP},
    {.name = "status_101", R("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\n\r\n"),
     .res = TVC_ERR_HTTP},
    {.name = "interim_then_bad", R("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA : b\r\n\r\n"),
     .res = TVC_ERR_HTTP},
    {.name = "interim_bad_field", R("HTTP/1.1 103 Early Hints\r\nLink <x>\r\n\r\n"
                                    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
     .res = TVC_ERR_HTTP},
    {.name = "header_too_large_small_cap", .cap = 64,
     R("HTTP/1.1 200 OK\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
       "Content-Length: 0\r\n\r\n"),
     .res = TVC_ERR_HTTP_HEADERS_TOO_LARGE},
    {.name = "header_too_large_interim", .cap = 40,
     R("HTTP/1.1 103 Early Hints\r\nLink: </aaaaaaaaaaaaaaa>\r\n\r\n"
       "HTTP/1.1 200 OK\r\n\r\n"),
     .res = TVC_ERR_HTTP_HEADERS_TOO_LARGE},
    {.name = "too_many_headers", .max_hdrs = 2,
     R("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"), .res = TVC_ERR_HTTP_TOO_MANY_HEADERS},
    {.name = "too_many_headers_in_interim", .max_hdrs = 1,
     R("HTTP/1.1 103 Early Hints\r\nA: 1\r\nB: 2\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"),
     .res = TVC_ERR_HTTP_TOO_MANY_HEADERS},

    /* ---- connection closed early ---- */
    {.name = "eof_before_any_byte", .raw = "", .raw_len = 0, .res = TVC_ERR_CLOSED, .eof = 1},
    {.name = "eof_in_status_line", R("HTTP/1.1 20"), .res = TVC_ERR_HTTP_TRUNCATED, .eof = 1},
    {.name = "eof_in_head", R("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"),
     .res = TVC_ERR_HTTP_TRUNCATED, .eof = 1},
    {.name = "eof_after_interim", R("HTTP/1.1 100 Continue\r\n\r\n"),
     .res = TVC_ERR_HTTP_TRUNCATED, .eof = 1},
    {.name = "eof_in_cl_body", R("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"),
     .res = TVC_ERR_HTTP_TRUNCATED, .eof = 1, .status = 200, .minor = 1, .cl = 10,
     .flags = F_KA, B("hello")},
    {.name = "eof_in_chunk_data",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"),
     .res = TVC_ERR_HTTP_TRUNCATED, .eof = 1, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("hel")},
    {.name = "eof_before_last_chunk",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"),
     .res = TVC_ERR_HTTP_TRUNCATED, .eof = 1, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("hello")},
    {.name = "eof_in_trailers",
     R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: 1\r\n"),
     .res = TVC_ERR_HTTP_TRUNCATED, .eof = 1, .status = 200, .minor = 1, .cl = -1,
     .flags = F_CHUNKED | F_KA, B("x")},
};

/* ------------------------------------------------------------------ */
/* the runner                                                          */

#define BODY_MAX 65536
#define SNAP_MAX 16384
#define GUARD_SPAN (128 * 1024)

struct outcome {
    int rc;                  /* final result */
    int used_eof;            /* eof() gave rc */
    int headers_events;
    size_t consumed;         /* bytes used up to DONE / error / the end */
    uint8_t body[BODY_MAX];
    size_t body_len;
    uint64_t body_bytes;
    int body_before_headers, zero_len_sink, sink_outside, body_overflow;
    char at_headers[SNAP_MAX]; /* fields when HEADERS came */
    char at_end[SNAP_MAX];     /* fields after the final result */
    int after_ok;              /* feed/eof after the end repeat the result */
};

static uint8_t *guard_end;  /* first byte of a PROT_NONE page: input pieces end here */
static uint8_t *hguard_end; /* same for the header buffer: the parser's writes end here */
static const uint8_t *piece_lo, *piece_hi;
static struct outcome ref_o, cur_o;

static uint8_t *guarded_span(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *m = mmap(NULL, GUARD_SPAN + (size_t)pg, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (m == MAP_FAILED || mprotect(m + GUARD_SPAN, (size_t)pg, PROT_NONE) != 0) {
        perror("mmap");
        exit(2);
    }
    return m + GUARD_SPAN;
}

static void guard_init(void)
{
    guard_end = guarded_span();
    hguard_end = guarded_span();
}

static int feed_sink_calls; /* sink calls within the current feed call */

static int sink(void *user, const uint8_t *d, size_t n)
{
    struct outcome *o = user;

    feed_sink_calls++;
    if (n == 0)
        o->zero_len_sink = 1;
    if (d < piece_lo || d + n > piece_hi)
        o->sink_outside = 1;
    if (o->headers_events == 0)
        o->body_before_headers = 1;
    if (o->body_len + n > BODY_MAX) {
        o->body_overflow = 1;
    } else {
        memcpy(o->body + o->body_len, d, n);
        o->body_len += n;
    }
    return 0;
}

static void snap(const struct tvc_http_parser *p, char *out)
{
    size_t len;
    unsigned i;

    len = (size_t)snprintf(out, SNAP_MAX, "%d 1.%d [%.*s] cl=%lld ch=%d uc=%d nb=%d ka=%d n=%u",
                           p->status, p->minor, (int)p->reason.len, p->reason.p ? p->reason.p : "",
                           (long long)p->content_length, p->chunked, p->until_close, p->no_body,
                           p->keep_alive, p->nhdrs);
    for (i = 0; i < p->nhdrs && len < SNAP_MAX; i++) {
        struct tvc_slice n, v;
        if (tvc_http_parser_field(p, i, &n, &v) != 0)
            break;
        len += (size_t)snprintf(out + len, SNAP_MAX - len, "|%.*s=%.*s", (int)n.len, n.p,
                                (int)v.len, v.p);
    }
}

static size_t vec_cap(const struct vec *v) { return v->cap ? v->cap : 1024; }
static unsigned vec_max(const struct vec *v) { return v->max_hdrs ? v->max_hdrs : 32; }

/* Feed @p data (len bytes) cut at cuts[0..ncuts) (ascending, may repeat). */
static void run(const struct vec *v, const uint8_t *data, size_t len, const size_t *cuts,
                size_t ncuts, struct outcome *o)
{
    char *hbuf = (char *)hguard_end - vec_cap(v);
    struct tvc_http_parser p;
    size_t k, start = 0, c;
    int finished = 0, rc = TVC_HTTP_NEED_MORE;

    memset(o, 0, offsetof(struct outcome, body));
    o->body_len = 0;
    o->body_overflow = o->body_before_headers = o->zero_len_sink = o->sink_outside = 0;
    o->at_headers[0] = o->at_end[0] = '\0';
    tvc_http_parser_init(&p, hbuf, vec_cap(v), vec_max(v), v->head_req);

    for (k = 0; k <= ncuts && !finished; k++) {
        size_t end = k < ncuts ? cuts[k] : len, plen = end - start, off = 0;
        uint8_t *g = guard_end - plen;

        memcpy(g, data + start, plen);
        piece_lo = g;
        piece_hi = guard_end;
        start = end;
        for (;;) {
            c = (size_t)-1;
            feed_sink_calls = 0;
            rc = tvc_http_parser_feed(&p, g + off, plen - off, &c, sink, o);
            if (feed_sink_calls > 1)
                h_fail(__FILE__, __LINE__, "more than one sink call in one feed");
            if (c > plen - off) {
                h_fail(__FILE__, __LINE__, "consumed beyond the input");
                c = plen - off;
            }
            off += c;
            o->consumed += c;
            if (rc == TVC_HTTP_HEADERS) {
                o->headers_events++;
                snap(&p, o->at_headers);
                continue; /* feed the rest, even if nothing is left */
            }
            if (rc == TVC_HTTP_NEED_MORE) {
                /* stopping early is allowed only right after one body piece */
                if (off != plen && feed_sink_calls == 1 && c > 0)
                    continue;
                if (off != plen)
                    h_fail(__FILE__, __LINE__, "NEED_MORE without consuming everything");
                break;
            }
            finished = 1;
            break;
        }
    }
    o->used_eof = 0;
    if (!finished) {
        o->used_eof = 1;
        rc = tvc_http_parser_eof(&p);
    }
    o->rc = rc;
    o->body_bytes = p.body_bytes;
    snap(&p, o->at_end);

    /* the end is sticky: feeding more or closing repeats the result */
    {
        int again = tvc_http_parser_feed(&p, (const uint8_t *)"HTTP/1.1 200 OK\r\n\r\n", 19, &c,
                                         sink, o);
        int again_eof = tvc_http_parser_eof(&p);
        int again_eof2 = tvc_http_parser_eof(&p);
        o->after_ok = again == rc && c == 0 && again_eof == rc && again_eof2 == rc;
        if (rc >= 0 && p.body_bytes != o->body_bytes)
            o->after_ok = 0;
    }
    if (p.bytes_seen != o->consumed)
        h_fail(__FILE__, __LINE__, "bytes_seen differs from bytes consumed");
}

static const char *const next_response = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxyz";

static int same(const struct outcome *a, const struct outcome *b)
{
    return a->rc == b->rc && a->used_eof == b->used_eof &&
           a->headers_events == b->headers_events && a->consumed == b->consumed &&
           a->body_len == b->body_len && memcmp(a->body, b->body, a->body_len) == 0 &&
           a->body_bytes == b->body_bytes && strcmp(a->at_headers, b->at_headers) == 0 &&
           strcmp(a->at_end, b->at_end) == 0 && a->after_ok == b->after_ok &&
           !b->body_before_headers && !b->zero_len_sink && !b->sink_outside &&
           !b->body_overflow;
}

/* Check the reference (whole-input) outcome against the vector. */
static void check_expect(const struct vec *v, const struct outcome *o, size_t raw_len, int appended)
{
    char want[SNAP_MAX];

    CHECK_EQ(o->rc, v->res);
    CHECK_EQ(o->used_eof, v->eof);
    CHECK(o->after_ok);
    CHECK(!o->body_before_headers && !o->zero_len_sink && !o->sink_outside && !o->body_overflow);
    CHECK_MEM(o->body, o->body_len, v->body ? v->body : "", v->body ? v->body_len : 0);
    CHECK_EQ(o->body_bytes, v->body ? v->body_len : 0);
    /* DONE stops right at the end, before the appended next response;
     * with nothing appended (eof vectors) everything must be consumed */
    if ((v->res == TVC_HTTP_DONE && appended) || v->eof)
        CHECK_EQ(o->consumed, raw_len);
    if (!v->status) {
        CHECK_EQ(o->headers_events, 0);
        return;
    }
    CHECK_EQ(o->headers_events, 1);
    if (v->res == TVC_HTTP_DONE) /* results stay valid (slices intact) after DONE */
        CHECK_STR(o->at_end, o->at_headers);
    {
        /* rebuild what the fields should read when HEADERS is returned */
        int n = snprintf(want, sizeof want, "%d 1.%d [", v->status, v->minor);
        CHECK(strncmp(o->at_headers, want, (size_t)n) == 0);
        if (v->reason) {
            n = snprintf(want, sizeof want, "%d 1.%d [%s] ", v->status, v->minor, v->reason);
            CHECK(strncmp(o->at_headers, want, (size_t)n) == 0);
        }
        snprintf(want, sizeof want, " cl=%lld ch=%d uc=%d nb=%d ka=%d n=", (long long)v->cl,
                 !!(v->flags & F_CHUNKED), !!(v->flags & F_CLOSE), !!(v->flags & F_NOBODY),
                 !!(v->flags & F_KA));
        if (!strstr(o->at_headers, want)) {
            char m[512];
            snprintf(m, sizeof m, "fields: want \"%.100s\" in \"%.300s\"", want, o->at_headers);
            h_fail(__FILE__, __LINE__, m);
        }
        if (v->nh > 0) {
            snprintf(want, sizeof want, "n=%d", v->nh);
            CHECK(strstr(o->at_headers, want) != NULL);
        }
    }
}

/* Look the vector's fields up through the API, on a whole-input parse. */
static void check_fields(const struct vec *v)
{
    static char hbuf[GUARD_SPAN];
    struct tvc_http_parser p;
    struct tvc_slice val;
    size_t c, i;
    int rc;

    if (!v->status)
        return;
    tvc_http_parser_init(&p, hbuf, vec_cap(v), vec_max(v), v->head_req);
    rc = tvc_http_parser_feed(&p, (const uint8_t *)v->raw, v->raw_len, &c, NULL, NULL);
    CHECK_EQ(rc, TVC_HTTP_HEADERS);
    CHECK_EQ(p.status, v->status);
    CHECK_EQ(p.minor, v->minor);
    CHECK_EQ(p.content_length, v->cl);
    if (v->reason)
        CHECK_MEM(p.reason.p, p.reason.len, v->reason, strlen(v->reason));
    for (i = 0; i < 4 && v->hv[i].name; i++) {
        int r = tvc_http_parser_header(&p, v->hv[i].name, &val);
        if (v->hv[i].value) {
            CHECK_EQ(r, 0);
            if (r == 0)
                CHECK_MEM(val.p, val.len, v->hv[i].value, strlen(v->hv[i].value));
        } else {
            CHECK_EQ(r, TVC_ERR_NOT_FOUND);
        }
    }
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static void report(const struct vec *v, const char *mode, const size_t *cuts, size_t ncuts)
{
    char m[512];
    size_t n, i;

    n = (size_t)snprintf(m, sizeof m, "%s: %s differs from whole (rc %d/%d consumed %zu/%zu "
                         "body %zu/%zu) cuts:", v->name, mode, cur_o.rc, ref_o.rc,
                         cur_o.consumed, ref_o.consumed, cur_o.body_len, ref_o.body_len);
    for (i = 0; i < ncuts && i < 12 && n < sizeof m - 16; i++)
        n += (size_t)snprintf(m + n, sizeof m - n, " %zu", cuts[i]);
    h_fail(__FILE__, __LINE__, m);
    if (strcmp(cur_o.at_end, ref_o.at_end) != 0)
        printf("  ref: %.300s\n  got: %.300s\n", ref_o.at_end, cur_o.at_end);
}

/* Run one vector under every segmentation; every outcome must equal the
 * whole-input one, which must match the vector's expectations. */
static void check_vector(const struct vec *v)
{
    static uint8_t data[GUARD_SPAN];
    static size_t cuts[GUARD_SPAN];
    size_t len = v->raw_len, n, i, r;
    int append = !v->eof; /* an until-close or truncated body would swallow it */

    if (len + 64 > GUARD_SPAN) {
        h_fail(__FILE__, __LINE__, "vector too long");
        return;
    }
    memcpy(data, v->raw, len);
    if (append) {
        memcpy(data + len, next_response, strlen(next_response));
        len += strlen(next_response);
    }

    /* (a) whole */
    run(v, data, len, cuts, 0, &ref_o);
    check_expect(v, &ref_o, v->raw_len, append);
    check_fields(v);

    /* (b) one byte per call */
    for (i = 0; i + 1 < len; i++)
        cuts[i] = i + 1;
    run(v, data, len, cuts, len ? len - 1 : 0, &cur_o);
    if (!same(&ref_o, &cur_o)) {
        report(v, "one byte per call", cuts, 0);
        return;
    }

    /* (c) random splits, including empty pieces */
    for (r = 0; r < 200; r++) {
        if (r % 2) {
            size_t pos = 0;
            n = 0;
            while (pos < len) {
                pos += (size_t)(rng() % 8); /* 0: an empty piece */
                if (pos > len)
                    pos = len;
                cuts[n++] = pos;
            }
        } else {
            n = (size_t)(rng() % 12) + 1;
            for (i = 0; i < n; i++)
                cuts[i] = len ? (size_t)(rng() % (len + 1)) : 0;
            qsort(cuts, n, sizeof cuts[0], cmp_size);
        }
        run(v, data, len, cuts, n, &cur_o);
        if (!same(&ref_o, &cur_o)) {
            report(v, "random split", cuts, n);
            return;
        }
    }

    /* (d) every two-piece split */
    for (i = 0; i <= len; i++) {
        cuts[0] = i;
        run(v, data, len, cuts, 1, &cur_o);
        if (!same(&ref_o, &cur_o)) {
            report(v, "two-piece split", cuts, 1);
            return;
        }
    }
}

static void test_vectors(void)
{
    size_t i;

    for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        h_begin(vecs[i].name);
        check_vector(&vecs[i]);
        h_end();
    }
}

/* ------------------------------------------------------------------ */
/* generated vectors at the limits                                     */

static char gen_raw[GUARD_SPAN / 2];
static char gen_body[GUARD_SPAN / 4];

static void gen_run(const char *name, size_t raw_len, struct vec *v)
{
    v->name = name;
    v->raw = gen_raw;
    v->raw_len = raw_len;
    h_begin(name);
    check_vector(v);
    h_end();
}

/* A block of exactly cap bytes fits; one byte more does not. */
static void test_header_block_exactly_cap(void)
{
    static const char *const eol[] = {"\r\n", "\n"};
    size_t pad, e;

    for (e = 0; e < 2; e++) {
        for (pad = 0; pad < 300; pad += 37) {
            struct vec v;
            size_t n, block;
            memset(&v, 0, sizeof v);
            n = (size_t)sprintf(gen_raw, "HTTP/1.1 200 OK%sX-Pad: ", eol[e]);
            memset(gen_raw + n, 'p', pad);
            n += pad;
            n += (size_t)sprintf(gen_raw + n, "%sContent-Length: 2%s%s", eol[e], eol[e], eol[e]);
            block = n;
            n += (size_t)sprintf(gen_raw + n, "ok");

            v.cap = block;
            v.res = DONE;
            v.status = 200;
            v.minor = 1;
            v.cl = 2;
            v.flags = F_KA;
            v.nh = 2;
            v.body = "ok";
            v.body_len = 2;
            gen_run(e ? "header_block_exactly_cap_lf" : "header_block_exactly_cap_crlf", n, &v);

            memset(&v, 0, sizeof v);
            v.cap = block - 1;
            v.res = TVC_ERR_HTTP_HEADERS_TOO_LARGE;
            gen_run(e ? "header_block_cap_minus_1_lf" : "header_block_cap_minus_1_crlf", n, &v);
        }
    }
}

/* Each interim block is bounded on its own: 1xx + final may exceed cap together. */
static void test_interim_blocks_bounded_separately(void)
{
    struct vec v;
    const char *raw = "HTTP/1.1 100 Continue\r\nX-Pad: 0123456789abc\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: 0123\r\n\r\nok";
    size_t first = strlen("HTTP/1.1 100 Continue\r\nX-Pad: 0123456789abc\r\n\r\n");
    size_t second = strlen("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: 0123\r\n\r\n");

    h_begin("interim_blocks_same_length");
    CHECK_EQ(first, second); /* both blocks exactly cap */
    h_end();
    strcpy(gen_raw, raw);
    memset(&v, 0, sizeof v);
    v.cap = first;
    v.res = DONE;
    v.status = 200;
    v.minor = 1;
    v.cl = 2;
    v.flags = F_KA;
    v.nh = 2;
    v.body = "ok";
    v.body_len = 2;
    gen_run("interim_and_final_each_exactly_cap", strlen(raw), &v);
    memset(&v, 0, sizeof v);
    v.cap = first - 1;
    v.res = TVC_ERR_HTTP_HEADERS_TOO_LARGE;
    gen_run("interim_one_over_cap", strlen(raw), &v);
}

static void chunk_vec(struct vec *v, int res, const char *body)
{
    memset(v, 0, sizeof *v);
    v->res = res;
    v->status = 200;
    v->minor = 1;
    v->cl = -1;
    v->flags = F_CHUNKED | F_KA;
    v->body = body;
    v->body_len = strlen(body);
}

#define CHUNK_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

/* Chunk line (size + extensions) of exactly TVC_HTTP_MAX_CHUNK_LINE bytes passes. */
static void test_chunk_line_limit(void)
{
    struct vec v;
    size_t n, extra;

    for (extra = 0; extra < 2; extra++) {
        /* "1;" + name: line length MAX + extra */
        n = (size_t)sprintf(gen_raw, CHUNK_HEAD "1;");
        memset(gen_raw + n, 'e', TVC_HTTP_MAX_CHUNK_LINE - 2 + extra);
        n += TVC_HTTP_MAX_CHUNK_LINE - 2 + extra;
        n += (size_t)sprintf(gen_raw + n, "\r\nx\r\n0\r\n\r\n");
        chunk_vec(&v, extra ? TVC_ERR_HTTP_CHUNK : DONE, extra ? "" : "x");
        gen_run(extra ? "chunk_ext_name_max_plus_1" : "chunk_ext_name_exactly_max", n, &v);

        /* last chunk with a quoted value: 0;q="..." */
        n = (size_t)sprintf(gen_raw, CHUNK_HEAD "2\r\nab\r\n0;q=\"");
        memset(gen_raw + n, 'v', TVC_HTTP_MAX_CHUNK_LINE - 6 + extra);
        n += TVC_HTTP_MAX_CHUNK_LINE - 6 + extra;
        n += (size_t)sprintf(gen_raw + n, "\"\r\n\r\n");
        chunk_vec(&v, extra ? TVC_ERR_HTTP_CHUNK : DONE, "ab");
        gen_run(extra ? "chunk_ext_quoted_max_plus_1" : "chunk_ext_quoted_exactly_max", n, &v);
    }
}

/* Trailer section (lines with their line ends, final empty line excluded)
 * of exactly TVC_HTTP_MAX_CHUNK_LINE bytes passes. */
static void test_trailer_limit(void)
{
    struct vec v;
    size_t n, extra, pad;

    for (extra = 0; extra < 2; extra++) {
        n = (size_t)sprintf(gen_raw, CHUNK_HEAD "1\r\nx\r\n0\r\nA: 1\r\nT: ");
        pad = TVC_HTTP_MAX_CHUNK_LINE - 6 - 5 + extra; /* "A: 1\r\n" + "T: " "\r\n" */
        memset(gen_raw + n, 't', pad);
        n += pad;
        n += (size_t)sprintf(gen_raw + n, "\r\n\r\n");
        chunk_vec(&v, extra ? TVC_ERR_HTTP_CHUNK : DONE, "x");
        gen_run(extra ? "trailer_max_plus_1" : "trailer_exactly_max", n, &v);
    }
}

/* Many chunks of pseudo-random sizes, hex case and extensions. */
static void test_generated_chunked(void)
{
    struct vec v;
    size_t n, total = 0, k;
    uint64_t st = 12345;

    n = (size_t)sprintf(gen_raw, CHUNK_HEAD);
    for (k = 0; k < 120; k++) {
        size_t sz, i;
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        sz = (size_t)(st >> 33) % 40 + 1;
        n += (size_t)sprintf(gen_raw + n, (k % 3) ? "%zx" : "%zX", sz);
        if (k % 5 == 0)
            n += (size_t)sprintf(gen_raw + n, ";k=%zu;q=\"a b\"", k);
        n += (size_t)sprintf(gen_raw + n, (k % 7) ? "\r\n" : "\n");
        for (i = 0; i < sz; i++) {
            char c = (char)(st >> (8 * (i % 7)));
            gen_body[total++] = c ? c : 'z';
            gen_raw[n++] = c ? c : 'z';
        }
        n += (size_t)sprintf(gen_raw + n, "\r\n");
    }
    n += (size_t)sprintf(gen_raw + n, "0\r\nX-T: done\r\n\r\n");
    gen_body[total] = '\0';
    chunk_vec(&v, DONE, "");
    v.body = gen_body;
    v.body_len = total;
    gen_run("generated_120_chunks", n, &v);
}

/* ------------------------------------------------------------------ */
/* direct cases                                                        */

static int sink_calls;
static int sink_fail_at;

static int failing_sink(void *user, const uint8_t *d, size_t n)
{
    (void)user;
    (void)d;
    (void)n;
    return ++sink_calls >= sink_fail_at ? -77 : 0;
}

static void test_sink_error_aborts(void)
{
    static const char *const raws[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\nhello",
    };
    char hbuf[256];
    struct tvc_http_parser p;
    size_t i, j, c;
    int rc, at;

    for (i = 0; i < 3; i++) {
        for (at = 1; at <= 2; at++) {
            size_t len = strlen(raws[i]);
            tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, 0);
            sink_calls = 0;
            sink_fail_at = at;
            rc = TVC_HTTP_NEED_MORE;
            /* one byte per call so the body arrives in several sink calls */
            for (j = 0; j < len && rc >= 0; j++)
                rc = tvc_http_parser_feed(&p, (const uint8_t *)raws[i] + j, 1, &c,
                                          failing_sink, NULL);
            CHECK_EQ(rc, -77);
            CHECK_EQ(sink_calls, at);
            CHECK_EQ(p.body_bytes, (uint64_t)(at - 1)); /* the refused byte is not counted */
            CHECK_EQ(p.keep_alive, 0);
            CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"x", 1, &c, failing_sink, NULL), -77);
            CHECK_EQ(c, 0);
            CHECK_EQ(tvc_http_parser_eof(&p), -77);
            CHECK_EQ(sink_calls, at);
        }
    }
    /* the whole input in one call: the first sink call aborts */
    tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, 0);
    sink_calls = 0;
    sink_fail_at = 1;
    rc = tvc_http_parser_feed(&p, (const uint8_t *)raws[0], strlen(raws[0]), &c, failing_sink, NULL);
    CHECK_EQ(rc, TVC_HTTP_HEADERS);
    rc = tvc_http_parser_feed(&p, (const uint8_t *)raws[0] + c, 5, &c, failing_sink, NULL);
    CHECK_EQ(rc, -77);
    CHECK_EQ(tvc_http_parser_feed(&p, NULL, 0, &c, NULL, NULL), -77);
}

static void test_no_body_sequence(void)
{
    static const struct {
        const char *raw;
        int head_req;
    } cases[] = {
        {"HTTP/1.1 204 No Content\r\n\r\n", 0},
        {"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", 0},
        {"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", 1},
        {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0},
    };
    char hbuf[256];
    struct tvc_http_parser p;
    size_t i, c;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].raw);
        tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, cases[i].head_req);
        CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)cases[i].raw, len, &c, NULL, NULL),
                 TVC_HTTP_HEADERS);
        CHECK_EQ(c, len);
        /* the next call, even empty (NULL data), completes it */
        CHECK_EQ(tvc_http_parser_feed(&p, NULL, 0, &c, NULL, NULL), TVC_HTTP_DONE);
        CHECK_EQ(c, 0);
        CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"junk", 4, &c, NULL, NULL), TVC_HTTP_DONE);
        CHECK_EQ(c, 0);
        CHECK_EQ(p.keep_alive, 1);
        CHECK_EQ(tvc_http_parser_eof(&p), TVC_HTTP_DONE);
        CHECK_EQ(tvc_http_parser_eof(&p), TVC_HTTP_DONE);
        CHECK_EQ(p.keep_alive, 0); /* closed now */

        /* closing right after HEADERS is a complete response too */
        tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, cases[i].head_req);
        CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)cases[i].raw, len, &c, NULL, NULL),
                 TVC_HTTP_HEADERS);
        CHECK_EQ(tvc_http_parser_eof(&p), TVC_HTTP_DONE);
        CHECK_EQ(tvc_http_parser_feed(&p, NULL, 0, &c, NULL, NULL), TVC_HTTP_DONE);
    }
}

static void test_eof_results(void)
{
    char hbuf[256];
    struct tvc_http_parser p;
    size_t c;

    tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, 0);
    CHECK_EQ(p.bytes_seen, 0);
    CHECK_EQ(tvc_http_parser_feed(&p, NULL, 0, &c, NULL, NULL), TVC_HTTP_NEED_MORE);
    CHECK_EQ(tvc_http_parser_eof(&p), TVC_ERR_CLOSED);
    CHECK_EQ(tvc_http_parser_eof(&p), TVC_ERR_CLOSED);
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"H", 1, &c, NULL, NULL), TVC_ERR_CLOSED);
    CHECK_EQ(c, 0);

    tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, 0);
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"H", 1, &c, NULL, NULL), TVC_HTTP_NEED_MORE);
    CHECK(p.bytes_seen != 0);
    CHECK_EQ(tvc_http_parser_eof(&p), TVC_ERR_HTTP_TRUNCATED);
    CHECK_EQ(tvc_http_parser_eof(&p), TVC_ERR_HTTP_TRUNCATED);

    /* until close: DONE at eof, then DONE again */
    tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, 0);
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"HTTP/1.1 200 OK\r\n\r\nab", 21, &c, NULL,
                                  NULL), TVC_HTTP_HEADERS);
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"ab", 2, &c, NULL, NULL), TVC_HTTP_NEED_MORE);
    CHECK_EQ(p.body_bytes, 2);
    CHECK_EQ(tvc_http_parser_eof(&p), TVC_HTTP_DONE);
    CHECK_EQ(tvc_http_parser_eof(&p), TVC_HTTP_DONE);
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"cd", 2, &c, NULL, NULL), TVC_HTTP_DONE);
    CHECK_EQ(c, 0);
    CHECK_EQ(p.body_bytes, 2);

    /* bad arguments are refused without failing the parser */
    tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, 0);
    CHECK_EQ(tvc_http_parser_feed(&p, NULL, 3, &c, NULL, NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_http_parser_feed(NULL, (const uint8_t *)"x", 1, &c, NULL, NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_http_parser_eof(NULL), TVC_ERR_ARG);
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"HTTP/1.1 200 OK\n\n", 17, NULL, NULL,
                                  NULL), TVC_HTTP_HEADERS);
}

static void test_header_lookup(void)
{
    static const char raw[] = "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n"
                              "Content-Length: 0\r\nX-\xc3\xa9: no\r\n\r\n";
    static const char raw2[] = "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n"
                               "Content-Length: 0\r\n";
    char hbuf[256];
    struct tvc_http_parser p;
    struct tvc_slice v;
    size_t c;

    tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, 0);
    CHECK_EQ(tvc_http_parser_header(&p, "Content-Length", &v), TVC_ERR_NOT_FOUND);
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)raw, sizeof raw - 1, &c, NULL, NULL),
             TVC_ERR_HTTP); /* non-token byte in a name */

    tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, 0);
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)raw2, sizeof raw2 - 1, &c, NULL, NULL),
             TVC_HTTP_NEED_MORE);
    CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"\r\n", 2, &c, NULL, NULL), TVC_HTTP_HEADERS);
    CHECK_EQ(tvc_http_parser_header(&p, "SET-COOKIE", &v), 0);
    CHECK_MEM(v.p, v.len, "a=1", 3); /* the first of repeated fields */
    CHECK_EQ(tvc_http_parser_header(&p, "content-length", &v), 0);
    CHECK_MEM(v.p, v.len, "0", 1);
    CHECK_EQ(tvc_http_parser_header(&p, "content-lengt", &v), TVC_ERR_NOT_FOUND);
    CHECK_EQ(tvc_http_parser_header(&p, "content-length2", &v), TVC_ERR_NOT_FOUND);
    CHECK_EQ(tvc_http_parser_header(&p, "", &v), TVC_ERR_NOT_FOUND);
    CHECK_EQ(p.nhdrs, 3);
}

/* Responses back to back on one connection: each parse starts where the
 * previous one ended. */
static void test_pipelined(void)
{
    static const char raw[] =
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2\r\nde\r\n0\r\n\r\n"
        "HTTP/1.1 204 No Content\r\n\r\n"
        "HTTP/1.1 200 OK\r\n\r\nrest";
    static const int want_status[] = {200, 201, 204, 200};
    static const char *const want_body[] = {"abc", "de", "", "rest"};
    char hbuf[256];
    struct tvc_http_parser p;
    struct outcome *o = &cur_o;
    size_t off = 0, len = sizeof raw - 1, c;
    int k, rc;

    for (k = 0; k < 4; k++) {
        tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, 0);
        memset(o, 0, offsetof(struct outcome, body));
        o->body_len = 0;
        piece_lo = (const uint8_t *)raw;
        piece_hi = (const uint8_t *)raw + len;
        o->headers_events = 1;
        do {
            rc = tvc_http_parser_feed(&p, (const uint8_t *)raw + off, len - off, &c, sink, o);
            off += c;
        } while (rc == TVC_HTTP_HEADERS || (rc == TVC_HTTP_NEED_MORE && c > 0 && off < len));
        if (k == 3) {
            CHECK_EQ(rc, TVC_HTTP_NEED_MORE);
            rc = tvc_http_parser_eof(&p);
        }
        CHECK_EQ(rc, TVC_HTTP_DONE);
        CHECK_EQ(p.status, want_status[k]);
        CHECK_MEM(o->body, o->body_len, want_body[k], strlen(want_body[k]));
        CHECK_EQ(p.keep_alive, k < 3);
    }
    CHECK_EQ(off, len);
}

/* Bodies beyond 4 GiB: 64-bit counts, bytes_seen saturates. */
static void test_large_bodies(void)
{
    static uint8_t chunk[1 << 20];
    static const char *const heads[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 4294967306\r\n\r\n", /* 2^32 + 10 */
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000A\r\n",
    };
    char hbuf[256];
    struct tvc_http_parser p;
    uint64_t left;
    size_t c, i;
    int rc;

    for (i = 0; i < 2; i++) {
        tvc_http_parser_init(&p, hbuf, sizeof hbuf, 8, 0);
        CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)heads[i], strlen(heads[i]), &c, NULL,
                                      NULL), TVC_HTTP_HEADERS);
        if (i == 1)
            CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)heads[i] + c, strlen(heads[i]) - c,
                                          &c, NULL, NULL), TVC_HTTP_NEED_MORE);
        left = 4294967306ull;
        rc = TVC_HTTP_NEED_MORE;
        while (left > 0 && rc == TVC_HTTP_NEED_MORE) {
            size_t n = left < sizeof chunk ? (size_t)left : sizeof chunk;
            rc = tvc_http_parser_feed(&p, chunk, n, &c, NULL, NULL);
            CHECK_EQ(c, n);
            left -= n;
        }
        CHECK_EQ(left, 0);
        CHECK_EQ(p.body_bytes, 4294967306ull);
        CHECK_EQ(p.bytes_seen, UINT32_MAX);
        if (i == 0) {
            CHECK_EQ(rc, TVC_HTTP_DONE);
        } else {
            CHECK_EQ(rc, TVC_HTTP_NEED_MORE);
            CHECK_EQ(tvc_http_parser_feed(&p, (const uint8_t *)"\r\n0\r\n\r\nX", 8, &c, NULL,
                                          NULL), TVC_HTTP_DONE);
            CHECK_EQ(c, 7);
        }
    }
}

/* The over-read detector is real: touching the byte after a piece faults. */
static void test_guard_page_faults(void)
{
    pid_t pid = fork();
    int st = 0;

    if (pid == 0) {
        volatile uint8_t x;
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) /* quiet the sanitizer's report of the expected fault */
            dup2(fd, 2);
        x = guard_end[-1]; /* the last byte of a piece is readable */
        x = *(volatile uint8_t *)guard_end;
        (void)x;
        _exit(0);
    }
    CHECK(pid > 0);
    CHECK(waitpid(pid, &st, 0) == pid);
    /* killed by SIGSEGV, or (under ASan) exited non-zero after reporting it */
    CHECK(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0));
}

int main(void)
{
    guard_init();
    RUN(test_guard_page_faults);
    test_vectors();
    test_header_block_exactly_cap();
    test_interim_blocks_bounded_separately();
    test_chunk_line_limit();
    test_trailer_limit();
    test_generated_chunked();
    RUN(test_sink_error_aborts);
    RUN(test_no_body_sequence);
    RUN(test_eof_results);
    RUN(test_header_lookup);
    RUN(test_pipelined);
    RUN(test_large_bodies);
    return h_summary();
}
