/* Chunked transfer coding decoder (RFC 9112 section 7.1), one byte at a time
 * except for chunk data, which goes straight from the input to the sink. */
#include <string.h>

#include "chunked.h"
#include "chars.h"

#define I64_MAX ((uint64_t)INT64_MAX)

/* Character classes are src/chars.h's, under this file's names.  qdtext /
 * quoted-pair payload is field text: HTAB, SP, VCHAR, obs-text. */
#define is_tchar(c) ch_tchar(c)
#define hexval(c) ch_hexval(c)
#define is_qchar(c) ch_field_text(c)
#define is_ws(c) ch_ows(c)

int tvc_http_body_out(struct tvc_http_parser *p, const uint8_t *d, size_t n,
                      tvc_http_body_fn fn, void *user)
{
    if (n == 0)
        return 0;
    if (fn) {
        int rc = fn(user, d, n);
        if (rc < 0)
            return rc;
    }
    p->body_bytes += n;
    return 0;
}

/* The chunk line ended (after CR LF or bare LF). */
static void line_done(struct tvc_http_parser *p)
{
    p->line_ = 0;
    p->st_ = p->left_ ? TVC_PS_CH_DATA : TVC_PS_TR_START;
}

/* One byte of the chunk-size line: size [ *( BWS ";" BWS name [ BWS "="
 * BWS ( token / quoted-string ) ] ) ] then CRLF or LF.  Returns 0 or
 * TVC_ERR_HTTP_CHUNK. */
static int size_line_byte(struct tvc_http_parser *p, uint8_t c)
{
    int st = p->st_;

    if (st == TVC_PS_CH_LF) {
        if (c != '\n')
            return TVC_ERR_HTTP_CHUNK;
        line_done(p);
        return 0;
    }
    if (c == '\r' || c == '\n') {
        /* only after a complete size, name or value (no trailing BWS) */
        if (st != TVC_PS_CH_SIZE && st != TVC_PS_CH_NAME && st != TVC_PS_CH_VAL &&
            st != TVC_PS_CH_QEND)
            return TVC_ERR_HTTP_CHUNK;
        if (c == '\r')
            p->st_ = TVC_PS_CH_LF;
        else
            line_done(p);
        return 0;
    }
    if (++p->line_ > TVC_HTTP_MAX_CHUNK_LINE)
        return TVC_ERR_HTTP_CHUNK;

    switch (st) {
    case TVC_PS_CH_SIZE0:
    case TVC_PS_CH_SIZE: {
        int v = hexval(c);
        if (v >= 0) {
            /* line_ counts this digit: every byte so far is a digit */
            if (p->line_ > 16 || p->left_ > (I64_MAX - (uint64_t)v) / 16u)
                return TVC_ERR_HTTP_CHUNK;
            p->left_ = p->left_ * 16u + (uint64_t)v;
            p->st_ = TVC_PS_CH_SIZE;
            return 0;
        }
        if (st == TVC_PS_CH_SIZE0)
            return TVC_ERR_HTTP_CHUNK;
        break;
    }
    case TVC_PS_CH_NAME0:
        if (is_ws(c))
            return 0;
        if (!is_tchar(c))
            return TVC_ERR_HTTP_CHUNK;
        p->st_ = TVC_PS_CH_NAME;
        return 0;
    case TVC_PS_CH_NAME:
    case TVC_PS_CH_NAME_BWS:
        if (is_tchar(c) && st == TVC_PS_CH_NAME)
            return 0;
        if (c == '=') {
            p->st_ = TVC_PS_CH_VAL0;
            return 0;
        }
        if (is_ws(c)) {
            p->st_ = TVC_PS_CH_NAME_BWS;
            return 0;
        }
        if (c == ';')
            break;
        return TVC_ERR_HTTP_CHUNK;
    case TVC_PS_CH_VAL0:
        if (is_ws(c))
            return 0;
        if (c == '"') {
            p->st_ = TVC_PS_CH_QUOTE;
            return 0;
        }
        if (!is_tchar(c))
            return TVC_ERR_HTTP_CHUNK;
        p->st_ = TVC_PS_CH_VAL;
        return 0;
    case TVC_PS_CH_VAL:
        if (is_tchar(c))
            return 0;
        break;
    case TVC_PS_CH_QUOTE:
        if (c == '"')
            p->st_ = TVC_PS_CH_QEND;
        else if (c == '\\')
            p->st_ = TVC_PS_CH_QPAIR;
        else if (!is_qchar(c))
            return TVC_ERR_HTTP_CHUNK;
        return 0;
    case TVC_PS_CH_QPAIR:
        if (!is_qchar(c))
            return TVC_ERR_HTTP_CHUNK;
        p->st_ = TVC_PS_CH_QUOTE;
        return 0;
    case TVC_PS_CH_QEND:
    case TVC_PS_CH_BWS:
        break;
    default:
        return TVC_ERR_HTTP_CHUNK;
    }

    /* after the size, a name, a value or BWS: ';' starts an extension */
    if (c == ';') {
        p->st_ = TVC_PS_CH_NAME0;
        return 0;
    }
    if (is_ws(c)) {
        p->st_ = TVC_PS_CH_BWS;
        return 0;
    }
    return TVC_ERR_HTTP_CHUNK;
}

/* One byte of the trailer section.  Returns 0, 1 (section complete) or an error. */
static int trailer_byte(struct tvc_http_parser *p, uint8_t c)
{
    switch (p->st_) {
    case TVC_PS_TR_END_LF:
        return c == '\n' ? 1 : TVC_ERR_HTTP_CHUNK;
    case TVC_PS_TR_START:
        if (c == '\n')
            return 1;
        if (c == '\r') {
            p->st_ = TVC_PS_TR_END_LF;
            return 0;
        }
        /* a trailer field starts with its name (no junk); a line starting
         * with SP or HTAB after a field is an obs-fold, continuing it (RFC
         * 9112 section 5.2; trailer fields are checked, then dropped) */
        if (is_ws(c) && p->line_ > 0) {
            p->st_ = TVC_PS_TR_LINE;
            break;
        }
        if (!is_tchar(c))
            return TVC_ERR_HTTP_CHUNK;
        p->st_ = TVC_PS_TR_LINE;
        break;
    case TVC_PS_TR_LINE:
        if (c == '\r')
            p->st_ = TVC_PS_TR_LF;
        else if (c == '\n')
            p->st_ = TVC_PS_TR_START;
        else if (c != '\t' && (c < 0x20 || c == 0x7f))
            return TVC_ERR_HTTP_CHUNK;
        break;
    case TVC_PS_TR_LF:
        if (c != '\n')
            return TVC_ERR_HTTP_CHUNK;
        p->st_ = TVC_PS_TR_START;
        break;
    default:
        return TVC_ERR_HTTP_CHUNK;
    }
    /* trailer lines with their line ends, the final empty line excluded */
    if (++p->line_ > TVC_HTTP_MAX_CHUNK_LINE)
        return TVC_ERR_HTTP_CHUNK;
    return 0;
}

int tvc_chunked_feed(struct tvc_http_parser *p, const uint8_t *d, size_t len,
                     size_t *used, tvc_http_body_fn fn, void *user)
{
    size_t i = 0;
    int rc;

    while (i < len) {
        rc = 0;
        switch (p->st_) {
        case TVC_PS_CH_DATA: {
            size_t n = len - i;
            if ((uint64_t)n > p->left_)
                n = (size_t)p->left_;
            rc = tvc_http_body_out(p, d + i, n, fn, user);
            i += n;
            if (rc < 0) {
                *used = i;
                return rc;
            }
            p->left_ -= n;
            if (p->left_ == 0)
                p->st_ = TVC_PS_CH_DATA_CR;
            if (n > 0 && i < len) {
                /* one body piece per call: the caller feeds the rest */
                *used = i;
                return TVC_HTTP_NEED_MORE;
            }
            continue;
        }
        case TVC_PS_CH_DATA_CR:
            if (d[i] == '\r')
                p->st_ = TVC_PS_CH_DATA_LF;
            else if (d[i] == '\n')
                p->st_ = TVC_PS_CH_SIZE0;
            else
                rc = TVC_ERR_HTTP_CHUNK;
            break;
        case TVC_PS_CH_DATA_LF:
            if (d[i] == '\n')
                p->st_ = TVC_PS_CH_SIZE0;
            else
                rc = TVC_ERR_HTTP_CHUNK;
            break;
        case TVC_PS_TR_START:
        case TVC_PS_TR_LINE:
        case TVC_PS_TR_LF:
        case TVC_PS_TR_END_LF:
            rc = trailer_byte(p, d[i]);
            if (rc == 1) {
                p->st_ = TVC_PS_DONE;
                *used = i + 1;
                return TVC_HTTP_DONE;
            }
            break;
        default:
            rc = size_line_byte(p, d[i]);
            break;
        }
        i++;
        if (rc < 0) {
            *used = i;
            return rc;
        }
    }
    *used = len;
    return TVC_HTTP_NEED_MORE;
}
