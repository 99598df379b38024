/* Internal to the response parser: parser states and the chunked decoder. */
#ifndef TVC_CHUNKED_H
#define TVC_CHUNKED_H

#include "tvc_http.h"

/* Values of struct tvc_http_parser.st_. */
enum tvc_ps {
    TVC_PS_HEAD = 0, /* collecting a header block into buf */
    TVC_PS_NOBODY,   /* headers returned; no body: next feed is DONE */
    TVC_PS_LEN,      /* Content-Length body, left_ bytes to go */
    TVC_PS_CLOSE,    /* body until the connection closes */
    TVC_PS_DONE,
    TVC_PS_FAILED,   /* err_ holds the error */

    /* chunked body; line_ counts the chunk line or the trailer section */
    TVC_PS_CH_SIZE0,    /* first hex digit of a chunk size */
    TVC_PS_CH_SIZE,     /* more hex digits (line_ == digits so far) */
    TVC_PS_CH_BWS,      /* white space after size or value: only ';' may follow */
    TVC_PS_CH_NAME0,    /* after ';': BWS, then an extension name */
    TVC_PS_CH_NAME,     /* in the name */
    TVC_PS_CH_NAME_BWS, /* white space after the name: '=' or ';' must follow */
    TVC_PS_CH_VAL0,     /* after '=': BWS, then token or quoted string */
    TVC_PS_CH_VAL,      /* in a token value */
    TVC_PS_CH_QUOTE,    /* in a quoted value */
    TVC_PS_CH_QPAIR,    /* after a backslash in a quoted value */
    TVC_PS_CH_QEND,     /* after the closing quote */
    TVC_PS_CH_LF,       /* CR seen at the end of the chunk line */
    TVC_PS_CH_DATA,     /* left_ data bytes to go */
    TVC_PS_CH_DATA_CR,  /* CRLF after the data */
    TVC_PS_CH_DATA_LF,
    TVC_PS_TR_START,    /* start of a trailer line (or the final empty line) */
    TVC_PS_TR_LINE,
    TVC_PS_TR_LF,       /* CR seen inside the trailer line */
    TVC_PS_TR_END_LF    /* CR seen on the final empty line */
};

/* Hand @p n body bytes to @p fn (if any) and count them.
 * Returns 0 or the sink's negative value. */
int tvc_http_body_out(struct tvc_http_parser *p, const uint8_t *d, size_t n,
                      tvc_http_body_fn fn, void *user);

/* Run the chunked decoder from one of the TVC_PS_CH_ / TVC_PS_TR_ states.
 * Makes at most one call of @p fn: after a body piece it stops with
 * TVC_HTTP_NEED_MORE and *used < len when input remains.
 * Sets *used; returns TVC_HTTP_NEED_MORE (all used, or stopped after a
 * body piece), TVC_HTTP_DONE (the
 * final empty line was the last used byte), TVC_ERR_HTTP_CHUNK or a sink
 * error.  State is left in p->st_ / left_ / line_. */
/* Case-insensitive equality of a slice and a NUL-terminated string. */
int tvc_http_slice_ieq_(struct tvc_slice s, const char *z);

int tvc_chunked_feed(struct tvc_http_parser *p, const uint8_t *d, size_t len,
                     size_t *used, tvc_http_body_fn fn, void *user);

#endif
