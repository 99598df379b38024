/* The HTTP client outside its usual paths, over the scripted transport
 * (fake_port.h, virtual time): redirects whose Location cannot be followed,
 * and the argument and state checks of tvc_http_start()/tvc_http_step(). */
#include <stdlib.h>
#include <string.h>

#include "fake_port.h"
#include "harness.h"
#include "tvc.h"

struct ctx {
    struct fp fp;
    struct tvc_port port;
    struct tvc_http_client c;
    char hdr[1024];
    uint8_t io[512];
    struct tvc_http_req rq;
    char redir[TVC_URL_MAX];
};

static struct ctx *setup(void)
{
    struct ctx *x = calloc(1, sizeof *x);
    fp_init(&x->fp, &x->port);
    tvc_http_client_init(&x->c, &x->port, NULL, x->hdr, sizeof x->hdr, x->io, sizeof x->io);
    x->rq.method = "GET";
    x->rq.url = "http://api.example/x";
    x->rq.io_timeout_ms = 5000;
    x->rq.redirect_buf = x->redir;
    x->rq.redirect_cap = sizeof x->redir;
    x->rq.flags = TVC_HTTP_FOLLOW;
    return x;
}

/* One 302 with @p location (NULL: none); returns the exchange's result. */
static int redirect_to(const char *location, int *connects)
{
    static char resp[1200];
    struct ctx *x = setup();
    int rc;

    if (location)
        snprintf(resp, sizeof resp, "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n",
                 location);
    else
        snprintf(resp, sizeof resp, "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n");
    fp_add(&x->fp, resp);
    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    rc = tvc_http_request(&x->c, &x->rq);
    *connects = x->c.connects;
    free(x);
    return rc;
}

static void redirects_that_cannot_be_followed(void)
{
    static char longloc[600];
    int connects = 0;

    /* a Location of half the header buffer or more has no room to resolve */
    memcpy(longloc, "http://cdn.example/", 19);
    memset(longloc + 19, 'a', sizeof longloc - 20);
    CHECK_EQ(redirect_to(longloc, &connects), TVC_ERR_HTTP_REDIRECT);
    CHECK_EQ(connects, 1);
    /* a target that is no URL at all */
    CHECK_EQ(redirect_to("http://[::1/x", &connects), TVC_ERR_URL);
    CHECK_EQ(connects, 1);
    CHECK_EQ(redirect_to("ftp://files.example/v.mp4", &connects), TVC_ERR_URL_SCHEME);
    CHECK_EQ(connects, 1);
    /* https is a scheme with no transport in this client */
    CHECK_EQ(redirect_to("https://cdn.example/v.mp4", &connects), TVC_ERR_URL_SCHEME);
    CHECK_EQ(connects, 1);
    /* the same client follows a usable one (another origin: a new connection) */
    CHECK_EQ(redirect_to("http://cdn.example/v.mp4", &connects), 0);
    CHECK_EQ(connects, 2);
}

static void start_checks_its_arguments(void)
{
    struct ctx *x = setup();
    static char longurl[TVC_URL_MAX + 8];

    CHECK_EQ(tvc_http_start(NULL, &x->rq), TVC_ERR_ARG);
    CHECK_EQ(tvc_http_start(&x->c, NULL), TVC_ERR_ARG);
    x->rq.url = NULL;
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), TVC_ERR_ARG);
    x->rq.url = "http://api.example/x";
    x->rq.method = NULL;
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), TVC_ERR_ARG);
    x->rq.method = "POST";
    x->rq.body_len = 5; /* a length without a body */
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), TVC_ERR_ARG);
    x->rq.body = (const uint8_t *)"hello";
    x->rq.body_len = (size_t)UINT32_MAX; /* no 32-bit Content-Length room */
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), TVC_ERR_ARG);
    x->rq.body_len = 5;
    memcpy(longurl, "http://api.example/", 19);
    memset(longurl + 19, 'a', sizeof longurl - 20);
    x->rq.url = longurl;
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), TVC_ERR_NOSPACE);
    x->rq.url = "gopher://api.example/x";
    CHECK(tvc_http_start(&x->c, &x->rq) < 0);
    x->rq.url = "https://api.example/x"; /* no https transport given */
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), TVC_ERR_URL_SCHEME);
    /* nothing started: stepping is a state error; nothing was sent */
    CHECK_EQ(tvc_http_step(&x->c, 0), TVC_ERR_STATE);
    CHECK_EQ(tvc_http_step(NULL, 0), TVC_ERR_STATE);
    CHECK_EQ(x->c.connects, 0);
    /* a proper request still works on the same client */
    fp_add(&x->fp, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    x->rq.url = "http://api.example/x";
    CHECK_EQ(tvc_http_request(&x->c, &x->rq), 0);
    CHECK_EQ(x->c.resp.status, 201);
    free(x);
}

static void one_exchange_at_a_time(void)
{
    struct ctx *x = setup();

    fp_add(&x->fp, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), 0);
    CHECK_EQ(tvc_http_start(&x->c, &x->rq), TVC_ERR_STATE);
    {
        int rc, n = 0;
        while ((rc = tvc_http_step(&x->c, 100)) == TVC_ERR_AGAIN && ++n < 1000)
            ;
        CHECK_EQ(rc, 0);
    }
    CHECK_EQ(x->c.resp.status, 200);
    free(x);
}

int main(void)
{
    RUN(redirects_that_cannot_be_followed);
    RUN(start_checks_its_arguments);
    RUN(one_exchange_at_a_time);
    return h_summary();
}
