/* make bench: parser cost, counted in instructions by callgrind
 * (--toggle-collect=bench_*: only the parse calls count, not the set-up).
 * usage: parse_bench MODE REPS FILE...
 *   http   libtvc's HTTP response parser (tvc_http_parser_feed) on each file
 *   hp     Debian's http-parser (http_parser_execute) on the same files
 *   api    the body decoded as libtvc decodes an answer (tvc_api_decode:
 *          jsmn behind libtvc's grammar check, then the field checks)
 *   jsmn   the body tokenized by bare jsmn (Debian's jsmn.h, default build)
 * Each FILE is one raw HTTP response as the simulator sent it.  Prints the
 * number of parses and the bytes they covered. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>
#define JSMN_STATIC
#include <jsmn.h>

#include "tvc_api.h"
#include "tvc_http.h"
#include "tvc_json.h"

#define MAXF 32
static char *resp[MAXF];
static size_t rlen[MAXF], hlen[MAXF];
static unsigned long sink;

static int body_fn(void *user, const uint8_t *d, size_t n)
{
    (void)user;
    (void)d;
    sink += n;
    return 0;
}

__attribute__((noinline)) int bench_tvc_http(const char *r, size_t n);
__attribute__((noinline)) int bench_tvc_http(const char *r, size_t n)
{
    static char hbuf[TVC_HTTP_HEADER_BUF];
    struct tvc_http_parser p;
    size_t off = 0, used;
    int rc = TVC_HTTP_NEED_MORE;
    tvc_http_parser_init(&p, hbuf, sizeof hbuf, 64, 0);
    while (off < n) {
        rc = tvc_http_parser_feed(&p, (const uint8_t *)r + off, n - off, &used, body_fn, NULL);
        if (rc < 0 || rc == TVC_HTTP_DONE)
            break;
        off += used;
    }
    return rc == TVC_HTTP_DONE ? p.status : -1;
}

static int hp_body(http_parser *p, const char *at, size_t n)
{
    (void)p;
    (void)at;
    sink += n;
    return 0;
}
static int hp_done(http_parser *p)
{
    *(int *)p->data = 1;
    return 0;
}

__attribute__((noinline)) int bench_hp(const char *r, size_t n);
__attribute__((noinline)) int bench_hp(const char *r, size_t n)
{
    static http_parser_settings s;
    http_parser p;
    int done = 0;
    s.on_body = hp_body;
    s.on_message_complete = hp_done;
    http_parser_init(&p, HTTP_RESPONSE);
    p.data = &done;
    if (http_parser_execute(&p, &s, r, n) != n || !done)
        return -1;
    return (int)p.status_code;
}

__attribute__((noinline)) int bench_tvc_api(char *body, size_t n);
__attribute__((noinline)) int bench_tvc_api(char *body, size_t n)
{
    static struct tvc_json_tok toks[TVC_JSON_TOKENS];
    struct tvc_api_result res;
    tvc_api_result_init(&res);
    if (tvc_api_decode(body, n, 200, 0, toks, TVC_JSON_TOKENS, &res) < 0)
        return -1;
    return res.state;
}

__attribute__((noinline)) int bench_jsmn(const char *body, size_t n);
__attribute__((noinline)) int bench_jsmn(const char *body, size_t n)
{
    static jsmntok_t toks[TVC_JSON_TOKENS];
    jsmn_parser p;
    jsmn_init(&p);
    return jsmn_parse(&p, body, n, toks, TVC_JSON_TOKENS);
}

int main(int argc, char **argv)
{
    static char scratch[1 << 20];
    int reps, nf = 0, i, k;
    unsigned long parses = 0, bytes = 0;
    const char *mode;

    if (argc < 4) {
        fprintf(stderr, "usage: parse_bench http|hp|api|jsmn REPS FILE...\n");
        return 2;
    }
    mode = argv[1];
    reps = atoi(argv[2]);
    for (i = 3; i < argc && nf < MAXF; i++, nf++) {
        FILE *f = fopen(argv[i], "rb");
        long sz;
        char *e;
        if (!f || fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) <= 0 || sz >= (long)sizeof scratch) {
            fprintf(stderr, "parse_bench: cannot read %s\n", argv[i]);
            return 1;
        }
        rewind(f);
        resp[nf] = malloc((size_t)sz + 1);
        rlen[nf] = fread(resp[nf], 1, (size_t)sz, f);
        resp[nf][rlen[nf]] = '\0';
        fclose(f);
        e = strstr(resp[nf], "\r\n\r\n");
        hlen[nf] = e ? (size_t)(e + 4 - resp[nf]) : 0;
    }
    for (k = 0; k < reps; k++) {
        for (i = 0; i < nf; i++) {
            const char *b = resp[i] + hlen[i];
            size_t bl = rlen[i] - hlen[i];
            int rc;
            if (!strcmp(mode, "http")) {
                rc = bench_tvc_http(resp[i], rlen[i]);
                bl = rlen[i];
            } else if (!strcmp(mode, "hp")) {
                rc = bench_hp(resp[i], rlen[i]);
                bl = rlen[i];
            } else if (!strcmp(mode, "api")) {
                memcpy(scratch, b, bl); /* decoded in place */
                rc = bench_tvc_api(scratch, bl);
            } else if (!strcmp(mode, "jsmn")) {
                rc = bench_jsmn(b, bl);
            } else {
                fprintf(stderr, "parse_bench: unknown mode %s\n", mode);
                return 2;
            }
            if (rc < 0) {
                fprintf(stderr, "parse_bench: %s failed on %s (%d)\n", mode, argv[3 + i], rc);
                return 1;
            }
            parses++;
            bytes += bl;
        }
    }
    printf("parses %lu bytes %lu\n", parses, bytes);
    return sink == 0xFFFFFFFFul;
}
