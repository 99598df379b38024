/* The port conformance kit (see tvc_conformance.h): cases that drive a
 * struct tvc_port and check every return value and wait against
 * include/tvc_port.h.  No OS header, no heap, no stdio: time comes from the
 * port's now_ms(), output goes through opts->print.  Each case is a static
 * function; CASES at the bottom lists them with the part they belong to. */
#include "tvc_conformance.h"

#include <string.h>

/* ---------------------------------------------------------------- state */

static const struct tvc_port *P;
static const struct tvc_conf_peer *PEER;
static const struct tvc_conf_opts *O;
static uint32_t slack;
static unsigned n_pass, n_fail;
static int case_failed, case_skipped;
static const char *case_name;

/* A case that does not apply to this port or run: not counted. */
#define SKIP() do { case_skipped = 1; return; } while (0)

/* Work buffers: static, so the kit needs no stack to speak of. */
static uint8_t big[16384];
static uint8_t rbuf[4096];
static char path_a[200], path_b[200], path_c[200];

/* ---------------------------------------------------------------- output */

static char line[240];
static size_t line_len;

static void l_str(const char *s)
{
    while (*s != '\0' && line_len + 1 < sizeof line)
        line[line_len++] = *s++;
    line[line_len] = '\0';
}

static void l_int(long long v)
{
    char tmp[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

    do {
        tmp[n++] = (char)('0' + (int)(u % 10u));
        u /= 10u;
    } while (u != 0 && n < sizeof tmp - 1);
    if (v < 0)
        tmp[n++] = '-';
    while (n > 0 && line_len + 1 < sizeof line)
        line[line_len++] = tmp[--n];
    line[line_len] = '\0';
}

static void l_flush(void)
{
    if (O->print != NULL)
        O->print(O->print_user, line);
    line_len = 0;
    line[0] = '\0';
}

static const char *err_name(int r)
{
    switch (r) {
    case TVC_ERR_ARG: return "TVC_ERR_ARG";
    case TVC_ERR_NOSPACE: return "TVC_ERR_NOSPACE";
    case TVC_ERR_AGAIN: return "TVC_ERR_AGAIN";
    case TVC_ERR_TIMEOUT: return "TVC_ERR_TIMEOUT";
    case TVC_ERR_DNS: return "TVC_ERR_DNS";
    case TVC_ERR_CONNECT: return "TVC_ERR_CONNECT";
    case TVC_ERR_RESET: return "TVC_ERR_RESET";
    case TVC_ERR_CLOSED: return "TVC_ERR_CLOSED";
    case TVC_ERR_IO: return "TVC_ERR_IO";
    case TVC_ERR_NOT_FOUND: return "TVC_ERR_NOT_FOUND";
    case TVC_ERR_ENTROPY: return "TVC_ERR_ENTROPY";
    case TVC_ERR_STORAGE: return "TVC_ERR_STORAGE";
    case TVC_ERR_PORT: return "TVC_ERR_PORT";
    default: return NULL;
    }
}

static void l_val(long long v)
{
    const char *n = v < 0 && v > -1000 ? err_name((int)v) : NULL;

    l_int(v);
    if (n != NULL) {
        l_str(" ");
        l_str(n);
    }
}

/* A failed check: "FAIL case: conformance.c:LINE: what (got V)". */
static void fail_at(int ln, const char *what, int with_val, long long got)
{
    case_failed = 1;
    l_str("FAIL ");
    l_str(case_name);
    l_str(": tvc_conformance.c:");
    l_int(ln);
    l_str(": ");
    l_str(what);
    if (with_val) {
        l_str(" (got ");
        l_val(got);
        l_str(")");
    }
    l_flush();
}

#define CK(c, what) do { if (!(c)) fail_at(__LINE__, what, 0, 0); } while (0)
#define CKV(c, v, what) do { long long v_ = (long long)(v); \
    if (!(c)) fail_at(__LINE__, what, 1, v_); } while (0)
/* r must equal want exactly */
#define CK_EQ(r, want, what) do { long long r_ = (long long)(r); \
    if (r_ != (long long)(want)) fail_at(__LINE__, what, 1, r_); } while (0)

/* ---------------------------------------------------------------- helpers */

static uint64_t now(void)
{
    return P->now_ms(P->ctx);
}

/* The port gives the kit no way to sleep, so it spins on now_ms(). */
static void spin_ms(uint32_t ms)
{
    uint64_t end = now() + ms;
    unsigned long guard = 0;

    while (now() < end && ++guard < 50000000ul)
        ;
}

/* A wait of w ms that ended in TVC_ERR_AGAIN after el ms: it must have
 * waited (no busy return long before w) and not much longer than w. */
static int waited_ok(uint64_t el, uint32_t w)
{
    return el + 2 + w / 10 >= w && el <= (uint64_t)w + slack;
}

static int is_net_err(int r)
{
    return r == TVC_ERR_RESET || r == TVC_ERR_CLOSED || r == TVC_ERR_IO;
}

/* Connect to the peer's port @p port and finish connect_poll (only 0 or
 * AGAIN allowed on the way).  Returns the handle or a negative code. */
static int open_to(uint16_t port, int check)
{
    uint64_t t0 = now();
    int s, r;

    s = P->connect(P->ctx, PEER->host, port);
    if (s < 0) {
        if (check)
            CKV(0, s, "connect() to the peer");
        return s;
    }
    for (;;) {
        r = P->connect_poll(P->ctx, s, 100);
        if (r == 0)
            break;
        if (r != TVC_ERR_AGAIN || now() - t0 > 10000u) {
            if (check)
                CKV(0, r, "connect_poll() to the peer: 0 or TVC_ERR_AGAIN until connected");
            P->close(P->ctx, s);
            return r == TVC_ERR_AGAIN ? TVC_ERR_CONNECT : r;
        }
    }
    return s;
}

/* Send all of buf (a command line), within 5 s. */
static int send_all(int s, const uint8_t *buf, size_t len)
{
    uint64_t t0 = now();
    size_t done = 0;
    int r;

    while (done < len) {
        r = P->send(P->ctx, s, buf + done, len - done, 100);
        if (r > 0 && (size_t)r <= len - done) {
            done += (size_t)r;
            continue;
        }
        if (r != TVC_ERR_AGAIN || now() - t0 > 5000u) {
            CKV(0, r, "send(): a count in 1..len or TVC_ERR_AGAIN");
            return -1;
        }
    }
    return 0;
}

/* A connected handle on which the peer now behaves as @p cmd. */
static int open_cmd(const char *cmd)
{
    int s = open_to(PEER->port, 1);

    if (s < 0)
        return -1;
    if (send_all(s, (const uint8_t *)cmd, strlen(cmd)) != 0) {
        P->close(P->ctx, s);
        return -1;
    }
    return s;
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)((i * 7u + (i >> 8) * 13u) & 0xffu);
}

/* ---------------------------------------------------------------- general */

static void c_port_check(void)
{
    CK_EQ(P->version, TVC_PORT_VERSION, "version is TVC_PORT_VERSION");
    CK_EQ(tvc_port_check(P), 0, "tvc_port_check()");
    if (O->scratch_dir != NULL)
        CK_EQ(tvc_port_check_storage(P), 0, "tvc_port_check_storage()");
}

static void c_now_ms(void)
{
    uint64_t first = now(), prev = first, t;
    unsigned long i;

    for (i = 0; i < 50000000ul; i++) {
        t = now();
        if (t < prev) {
            CK(0, "now_ms() went back");
            return;
        }
        prev = t;
        if (t - first >= 20)
            break;
    }
    CK(prev - first >= 20, "now_ms() advances (20 ms within 5e7 calls)");
}

static void c_entropy(void)
{
    uint8_t a[32], b[32], c[300];
    size_t i, same = 0;

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    memset(c, 0, sizeof c);
    CK_EQ(P->entropy(P->ctx, a, sizeof a), 0, "entropy(32)");
    CK_EQ(P->entropy(P->ctx, b, sizeof b), 0, "entropy(32) again");
    CK(memcmp(a, b, sizeof a) != 0, "two entropy draws differ");
    CK_EQ(P->entropy(P->ctx, c, 1), 0, "entropy(1)");
    CK_EQ(P->entropy(P->ctx, c, sizeof c), 0, "entropy(300): the whole buffer");
    /* c was zeroed: a part left unfilled shows as a run of zeros (about
     * one zero byte in 256 is expected). */
    for (i = 0; i < sizeof c; i++)
        same += c[i] == 0;
    CKV(same < 20, same, "entropy(300) fills the whole buffer (zero bytes counted)");
    for (i = 0; i < sizeof c - 32 && memcmp(c + i, a, 8) != 0; i++)
        ;
    CK(i == sizeof c - 32, "entropy draws do not repeat each other");
}

static void c_wall_time(void)
{
    int64_t t;

    if (P->wall_time == NULL)
        SKIP(); /* optional */
    t = P->wall_time(P->ctx);
    CKV(t == -1 || t > 0, t, "wall_time(): seconds since 1970, or -1 when not set");
}

/* ---------------------------------------------------------------- network */

static void c_net_roundtrip(void)
{
    static const size_t total = 48u * 1024u;
    size_t sent = 0, got = 0, i;
    uint64_t t0;
    int s, r, bad = 0;

    s = open_cmd("echo\n");
    if (s < 0)
        return;
    CK_EQ(P->connect_poll(P->ctx, s, 0), 0, "connect_poll() once connected: 0 at once");
    for (i = 0; i < sizeof big; i++)
        big[i] = pattern(i);
    t0 = now();
    while (got < total && now() - t0 < 20000u) {
        if (sent < total) {
            size_t off = sent % sizeof big, n = sizeof big - off;
            if (n > total - sent)
                n = total - sent;
            r = P->send(P->ctx, s, big + off, n, 0);
            if (r > 0 && (size_t)r <= n)
                sent += (size_t)r;
            else if (r != TVC_ERR_AGAIN) {
                CKV(0, r, "send(): a count in 1..len or TVC_ERR_AGAIN (never 0)");
                break;
            }
        }
        r = P->recv(P->ctx, s, rbuf, sizeof rbuf, sent < total ? 0 : 200);
        if (r > 0 && (size_t)r <= sizeof rbuf) {
            for (i = 0; i < (size_t)r; i++)
                bad += rbuf[i] != pattern((got + i) % sizeof big);
            got += (size_t)r;
        } else if (r != TVC_ERR_AGAIN) {
            CKV(0, r, "recv() during the echo: a count in 1..len or TVC_ERR_AGAIN");
            break;
        }
    }
    CKV(got == total, got, "every byte came back from the echo peer");
    CK_EQ(bad, 0, "the echoed bytes are the ones sent, in order");
    P->close(P->ctx, s);
}

static void c_net_refused(void)
{
    uint64_t t0 = now();
    int s, r;

    s = P->connect(P->ctx, PEER->host, PEER->refuse_port);
    if (s < 0) {
        CK_EQ(s, TVC_ERR_CONNECT, "connect() to a closed port: a handle or TVC_ERR_CONNECT");
        return;
    }
    for (;;) {
        r = P->connect_poll(P->ctx, s, 200);
        if (r != TVC_ERR_AGAIN || now() - t0 > 10000u)
            break;
    }
    CK_EQ(r, TVC_ERR_CONNECT, "connect_poll() to a closed port: TVC_ERR_CONNECT");
    CK_EQ(P->connect_poll(P->ctx, s, 0), TVC_ERR_CONNECT, "and again: it stays failed");
    P->close(P->ctx, s);
}

static void c_net_dns_unknown(void)
{
    int s;

    if (O->flags & TVC_CONF_NO_DNS)
        SKIP();
    s = P->connect(P->ctx, "nonexistent.invalid", 80);
    CK_EQ(s, TVC_ERR_DNS, "connect() to an unknown name: TVC_ERR_DNS");
    if (s >= 0)
        P->close(P->ctx, s);
}

static void c_net_recv_wait(void)
{
    uint64_t t0, el;
    int s, r;

    s = open_cmd("stall\n");
    if (s < 0)
        return;
    t0 = now();
    r = P->recv(P->ctx, s, rbuf, sizeof rbuf, 300);
    el = now() - t0;
    CK_EQ(r, TVC_ERR_AGAIN, "recv(300 ms) from a silent peer: TVC_ERR_AGAIN");
    CKV(waited_ok(el, 300), el, "recv(300 ms) waits about 300 ms (ms measured)");
    t0 = now();
    r = P->recv(P->ctx, s, rbuf, sizeof rbuf, 0);
    el = now() - t0;
    CK_EQ(r, TVC_ERR_AGAIN, "recv(0 ms) from a silent peer: TVC_ERR_AGAIN");
    CKV(el <= slack, el, "recv(0 ms) does not block");
    t0 = now();
    r = P->connect_poll(P->ctx, s, 300);
    el = now() - t0;
    CK_EQ(r, 0, "connect_poll() on a connected handle: 0");
    CKV(el <= slack, el, "connect_poll() on a connected handle returns at once");
    P->close(P->ctx, s);
}

static void c_net_send_wait(void)
{
    size_t sent = 0, cap = 64u * 1024u * 1024u;
    uint64_t t0, el;
    int s, r = 0;

    s = open_cmd("stall\n");
    if (s < 0)
        return;
    memset(big, 'z', sizeof big);
    /* The peer reads nothing: its window and our send buffer fill up. */
    while (sent < cap) {
        r = P->send(P->ctx, s, big, sizeof big, 0);
        if (r > 0 && (size_t)r <= sizeof big)
            sent += (size_t)r;
        else
            break;
    }
    CK_EQ(r, TVC_ERR_AGAIN, "send(0 ms) to a peer that reads nothing ends in TVC_ERR_AGAIN");
    CKV(sent > 0, sent, "something was sent first");
    /* Let data in flight settle (the path may hold more than the send
     * buffer: a stack that learns of ACKs only inside its calls, a NAT):
     * until a 100 ms wait finds no room, within 30 s. */
    t0 = now();
    while (r == TVC_ERR_AGAIN && sent < cap && now() - t0 < 30000u) {
        r = P->send(P->ctx, s, big, sizeof big, 100);
        if (r == TVC_ERR_AGAIN)
            break;
        CKV(r > 0 && (size_t)r <= sizeof big, r, "send(100 ms): a count in 1..len or TVC_ERR_AGAIN");
        if (r <= 0)
            break;
        sent += (size_t)r;
        r = TVC_ERR_AGAIN;
    }
    if (r == TVC_ERR_AGAIN) {
        /* Room may still open later (a kernel compacting the peer's
         * receive queue frees window): a count is then a right answer, and
         * the wait is measured on the first 300 ms call that finds none. */
        uint64_t t1 = now();
        for (;;) {
            t0 = now();
            r = P->send(P->ctx, s, big, sizeof big, 300);
            el = now() - t0;
            if (r > 0 && (size_t)r <= sizeof big && sent < cap && now() - t1 < 30000u) {
                sent += (size_t)r;
                continue;
            }
            break;
        }
        CK_EQ(r, TVC_ERR_AGAIN, "send(300 ms) with no room: TVC_ERR_AGAIN, never 0");
        CKV(waited_ok(el, 300), el, "send(300 ms) waits about 300 ms for room (ms measured)");
        t0 = now();
        r = P->send(P->ctx, s, big, sizeof big, 0);
        el = now() - t0;
        CKV(r == TVC_ERR_AGAIN || (r > 0 && (size_t)r <= sizeof big), r,
            "send(0 ms) with no room: TVC_ERR_AGAIN (or a count, had room opened)");
        CKV(el <= slack, el, "send(0 ms) does not block");
    }
    P->close(P->ctx, s);
}

/* Receive until @p want bytes or a non-count; returns the last result. */
static int recv_text(int s, char *out, size_t want, size_t chunk, size_t *got)
{
    uint64_t t0 = now();
    int r = TVC_ERR_AGAIN;

    *got = 0;
    while (*got < want && now() - t0 < 10000u) {
        size_t n = want - *got < chunk ? want - *got : chunk;
        r = P->recv(P->ctx, s, (uint8_t *)out + *got, n, 1000);
        if (r > 0 && (size_t)r <= n)
            *got += (size_t)r;
        else if (r != TVC_ERR_AGAIN)
            break;
    }
    return r;
}

/* After the stream ended (or broke): recv() keeps saying @p want. */
static void recv_stays(int s, int want, const char *what)
{
    uint64_t t0, el;
    int r;

    CK_EQ(P->recv(P->ctx, s, rbuf, sizeof rbuf, 0), want, what);
    t0 = now();
    r = P->recv(P->ctx, s, rbuf, sizeof rbuf, 300);
    el = now() - t0;
    CK_EQ(r, want, what);
    CKV(el <= slack, el, "that answer comes at once, not after wait_ms");
}

/* Wait (bounded) for recv() to stop saying AGAIN. */
static int recv_settle(int s)
{
    uint64_t t0 = now();
    int r;

    do
        r = P->recv(P->ctx, s, rbuf, sizeof rbuf, 500);
    while (r == TVC_ERR_AGAIN && now() - t0 < 10000u);
    return r;
}

static void c_net_orderly_close(void)
{
    char text[8];
    size_t got;
    int s, r, i;

    s = open_cmd("close\n");
    if (s < 0)
        return;
    r = recv_text(s, text, 4, sizeof text, &got);
    CKV(got == 4 && memcmp(text, "bye\n", 4) == 0, r, "the data sent before the FIN arrives first");
    r = recv_settle(s);
    CK_EQ(r, 0, "recv() after the peer's orderly close (FIN): 0");
    recv_stays(s, 0, "recv() after end of stream: 0 again");
    /* Writing to a connection the peer has closed: an error code (the
     * peer's stack answers with an RST), never a signal, never 0. */
    for (i = 0; i < 100; i++) {
        r = P->send(P->ctx, s, (const uint8_t *)"late", 4, 100);
        if (r <= 0)
            break;
        spin_ms(10);
        /* connect_poll() of a connected handle is 0 at once, and lets a
         * port that only hears its stack inside its calls (lwIP) take the
         * peer's RST in. */
        CK_EQ(P->connect_poll(P->ctx, s, 0), 0, "connect_poll() of a connection the peer closed: 0");
    }
    CKV(is_net_err(r), r, "send() after the peer closed: TVC_ERR_CLOSED, _RESET or _IO");
    r = P->send(P->ctx, s, (const uint8_t *)"late", 4, 100);
    CKV(is_net_err(r), r, "and again");
    P->close(P->ctx, s);
}

static void c_net_reset(void)
{
    int s, r;

    s = open_cmd("reset\n");
    if (s < 0)
        return;
    r = recv_settle(s);
    CK_EQ(r, TVC_ERR_RESET, "recv() after the peer's abortive close (RST): TVC_ERR_RESET");
    recv_stays(s, TVC_ERR_RESET, "recv() after a reset: TVC_ERR_RESET again (never 0)");
    r = P->send(P->ctx, s, (const uint8_t *)"x", 1, 100);
    CKV(is_net_err(r), r, "send() after a reset: TVC_ERR_RESET, _CLOSED or _IO");
    P->close(P->ctx, s);
}

static void c_net_one_byte_at_a_time(void)
{
    static const char want[] = TVC_CONF_DRIP_TEXT;
    char text[sizeof want + 8];
    size_t got, got2;
    int s, r;

    s = open_cmd("drip\n");
    if (s < 0)
        return;
    /* The first ten bytes into a 1-byte buffer, the rest 7 at a time. */
    r = recv_text(s, text, 10, 1, &got);
    CKV(got == 10, r, "recv(len 1) returns each byte");
    r = recv_text(s, text + 10, sizeof want - 1 - 10, 7, &got2);
    CKV(got2 == sizeof want - 1 - 10, r, "recv() collects the rest (counts of 1..len)");
    CK(memcmp(text, want, sizeof want - 1) == 0, "the bytes are the peer's, in order");
    r = recv_settle(s);
    CK_EQ(r, 0, "then 0: the peer closed in order");
    P->close(P->ctx, s);
}

static void c_net_handles(void)
{
    int h[17], n = 0, i, j, r, again;

    for (;;) {
        r = P->connect(P->ctx, PEER->host, PEER->port);
        if (r < 0 || n == 16)
            break;
        for (i = 0; i < n; i++)
            CKV(h[i] != r, r, "connect() hands out distinct handles");
        h[n++] = r;
    }
    if (r >= 0) {
        P->close(P->ctx, r);
        l_str("note ");
        l_str(case_name);
        l_str(": 17 connections open at once; TVC_ERR_NOSPACE not reached");
        l_flush();
    } else {
        CK_EQ(r, TVC_ERR_NOSPACE, "connect() with every handle in use: TVC_ERR_NOSPACE");
        CK(n >= 1, "at least one connection at a time");
    }
    /* A freed handle can be used again. */
    if (n > 0) {
        P->close(P->ctx, h[n - 1]);
        r = P->connect(P->ctx, PEER->host, PEER->port);
        CKV(r >= 0, r, "connect() after a close(): a handle again");
        if (r >= 0)
            h[n - 1] = r;
    }
    for (i = 0; i < n; i++)
        P->close(P->ctx, h[i]);
    /* Failed connects leave no handle behind. */
    for (i = 0; i < n + 2; i++) {
        r = P->connect(P->ctx, PEER->host, PEER->refuse_port);
        if (r >= 0) {
            for (j = 0; j < 200 && P->connect_poll(P->ctx, r, 50) == TVC_ERR_AGAIN; j++)
                ;
            P->close(P->ctx, r);
        }
        if (!(O->flags & TVC_CONF_NO_DNS))
            (void)P->connect(P->ctx, "nonexistent.invalid", 80);
    }
    again = 0;
    for (i = 0; i < n; i++) {
        h[i] = P->connect(P->ctx, PEER->host, PEER->port);
        again += h[i] >= 0;
    }
    CKV(again == n, again, "after failed connects and closes every handle is free again");
    for (i = 0; i < n; i++)
        if (h[i] >= 0)
            P->close(P->ctx, h[i]);
}

static void c_net_bad_handles(void)
{
    static const int bad[] = { -1, 1000 };
    unsigned i;
    int s;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CKV(P->connect_poll(P->ctx, bad[i], 0) < 0, bad[i], "connect_poll() on a handle never opened fails");
        CKV(P->send(P->ctx, bad[i], (const uint8_t *)"x", 1, 0) < 0, bad[i],
            "send() on a handle never opened fails");
        CKV(P->recv(P->ctx, bad[i], rbuf, sizeof rbuf, 0) < 0, bad[i],
            "recv() on a handle never opened fails (never 0)");
        P->close(P->ctx, bad[i]); /* must be harmless */
    }
    s = open_cmd("stall\n");
    if (s < 0)
        return;
    CKV(P->recv(P->ctx, s, rbuf, 0, 0) != 0, 0, "recv(len 0) is not 0: 0 means end of stream");
    CK_EQ(P->send(P->ctx, s, rbuf, 0, 0), 0, "send(len 0): 0");
    P->close(P->ctx, s);
    P->close(P->ctx, s); /* closing twice is harmless */
    CKV(P->recv(P->ctx, s, rbuf, sizeof rbuf, 0) < 0, s, "recv() on a closed handle fails");
}

/* ---------------------------------------------------------------- storage */

static const char *mk(char *buf, const char *name)
{
    size_t a = strlen(O->scratch_dir), b = strlen(name);

    if (a + 1 + b + 1 > sizeof path_a) {
        buf[0] = '\0';
        return buf;
    }
    memcpy(buf, O->scratch_dir, a);
    buf[a] = '/';
    memcpy(buf + a + 1, name, b + 1);
    return buf;
}

static int put_file(const char *path, const char *text, unsigned flags)
{
    size_t n = strlen(text);
    int fh = P->file_open(P->ctx, path, flags), r, r2;

    if (fh < 0)
        return fh;
    r = P->file_write(P->ctx, fh, (const uint8_t *)text, n);
    r2 = P->file_close(P->ctx, fh);
    if (r != (int)n)
        return r < 0 ? r : TVC_ERR_STORAGE;
    return r2;
}

/* Whole file into rbuf as text; returns length or a negative code. */
static int get_file(const char *path)
{
    int fh = P->file_open(P->ctx, path, TVC_FILE_READ), r, n = 0;

    if (fh < 0)
        return fh;
    while ((size_t)n < sizeof rbuf - 1) {
        r = P->file_read(P->ctx, fh, rbuf + n, sizeof rbuf - 1 - (size_t)n);
        if (r < 0) {
            n = r;
            break;
        }
        if (r == 0)
            break;
        n += r;
    }
    (void)P->file_close(P->ctx, fh);
    if (n >= 0)
        rbuf[n] = 0;
    return n;
}

static int file_is(const char *path, const char *text)
{
    int n = get_file(path);

    return n == (int)strlen(text) && memcmp(rbuf, text, (size_t)n) == 0;
}

static void c_fs_dirs(void)
{
    CK_EQ(P->dir_create(P->ctx, O->scratch_dir), 0, "dir_create(scratch)");
    CK_EQ(P->dir_create(P->ctx, O->scratch_dir), 0, "dir_create() of an existing directory: 0");
    CK_EQ(P->dir_create(P->ctx, mk(path_a, "d1/d2/d3")), 0, "dir_create() with missing parents");
    CK_EQ(P->dir_create(P->ctx, mk(path_a, "d1/d2")), 0, "dir_create() of an existing one: 0");
    CK_EQ(put_file(mk(path_b, "plain"), "x", TVC_FILE_WRITE), 0, "a file");
    CK_EQ(P->dir_create(P->ctx, path_b), TVC_ERR_STORAGE,
          "dir_create() where a file of that name exists: TVC_ERR_STORAGE");
    CK_EQ(P->dir_sync(P->ctx, O->scratch_dir), 0, "dir_sync(scratch)");
    CK_EQ(P->dir_sync(P->ctx, mk(path_a, "d1/d2/d3")), 0, "dir_sync() of a new directory");
    CK_EQ(P->dir_sync(P->ctx, mk(path_a, "nowhere")), TVC_ERR_STORAGE,
          "dir_sync() of a missing directory: TVC_ERR_STORAGE");
    CK_EQ(P->file_remove(P->ctx, path_b), 0, "file_remove()");
}

static void c_fs_write_read(void)
{
    const char *p = mk(path_a, "wr");
    uint64_t size = 12345;
    int fh, r;

    fh = P->file_open(P->ctx, p, TVC_FILE_WRITE);
    CKV(fh >= 0, fh, "file_open(WRITE) creates: a handle >= 0");
    if (fh < 0)
        return;
    CK_EQ(P->file_write(P->ctx, fh, (const uint8_t *)"hello", 5), 5, "file_write(): len");
    CK_EQ(P->file_write(P->ctx, fh, (const uint8_t *)", world", 7), 7, "file_write(): len");
    CK_EQ(P->file_sync(P->ctx, fh), 0, "file_sync()");
    CK_EQ(P->file_close(P->ctx, fh), 0, "file_close()");
    CK_EQ(P->file_size(P->ctx, p, &size), 0, "file_size()");
    CK_EQ(size, 12, "file_size() is what was written");
    fh = P->file_open(P->ctx, p, TVC_FILE_READ);
    CKV(fh >= 0, fh, "file_open(READ)");
    if (fh < 0)
        return;
    r = P->file_read(P->ctx, fh, rbuf, 2);
    CK_EQ(r, 2, "file_read(2): 2");
    CK(r == 2 && memcmp(rbuf, "he", 2) == 0, "the first bytes");
    r = P->file_read(P->ctx, fh, rbuf, sizeof rbuf);
    CK_EQ(r, 10, "file_read(more than is left): what is left");
    CK(r == 10 && memcmp(rbuf, "llo, world", 10) == 0, "the rest, in order");
    CK_EQ(P->file_read(P->ctx, fh, rbuf, sizeof rbuf), 0, "file_read() at end of file: 0");
    CK_EQ(P->file_read(P->ctx, fh, rbuf, sizeof rbuf), 0, "and again 0");
    CK_EQ(P->file_close(P->ctx, fh), 0, "file_close()");
    /* WRITE truncates an existing file. */
    CK_EQ(put_file(p, "new", TVC_FILE_WRITE), 0, "file_open(WRITE) of an existing file");
    CK(file_is(p, "new"), "WRITE truncates");
    CK_EQ(P->file_remove(P->ctx, p), 0, "file_remove()");
}

/* file_write() writes all of len or fails: the port loops over short
 * writes.  Big single writes, read back in odd-sized pieces. */
static void c_fs_big_write(void)
{
    const char *p = mk(path_a, "big");
    uint64_t size = 0;
    size_t i, off = 0;
    int fh, r, k, bad = 0;

    for (i = 0; i < sizeof big; i++)
        big[i] = pattern(i);
    fh = P->file_open(P->ctx, p, TVC_FILE_WRITE);
    CKV(fh >= 0, fh, "file_open(WRITE)");
    if (fh < 0)
        return;
    for (k = 0; k < 6; k++)
        CK_EQ(P->file_write(P->ctx, fh, big, sizeof big), (int)sizeof big,
              "file_write(16 KiB) returns all of len");
    CK_EQ(P->file_write(P->ctx, fh, big, 1), 1, "file_write(1)");
    CK_EQ(P->file_sync(P->ctx, fh), 0, "file_sync()");
    CK_EQ(P->file_close(P->ctx, fh), 0, "file_close()");
    CK_EQ(P->file_size(P->ctx, p, &size), 0, "file_size()");
    CK_EQ(size, 6 * sizeof big + 1, "file_size() after the big writes");
    fh = P->file_open(P->ctx, p, TVC_FILE_READ);
    CKV(fh >= 0, fh, "file_open(READ)");
    if (fh < 0)
        return;
    for (;;) {
        r = P->file_read(P->ctx, fh, rbuf, 999);
        if (r <= 0 || r > 999) {
            CKV(r == 0, r, "file_read(999): counts in 1..999, then 0");
            break;
        }
        for (i = 0; i < (size_t)r; i++)
            bad += rbuf[i] != pattern((off + i) % sizeof big);
        off += (size_t)r;
    }
    CK_EQ(off, 6 * sizeof big + 1, "every byte read back");
    CK_EQ(bad, 0, "the bytes read are the bytes written");
    CK_EQ(P->file_close(P->ctx, fh), 0, "file_close()");
    CK_EQ(P->file_remove(P->ctx, p), 0, "file_remove()");
}

static void c_fs_append(void)
{
    const char *p = mk(path_a, "app");
    uint64_t size = 0;

    CK_EQ(put_file(p, "one\n", TVC_FILE_APPEND), 0, "file_open(APPEND) creates an absent file");
    CK_EQ(put_file(p, "two\n", TVC_FILE_APPEND), 0, "file_open(APPEND) of an existing file");
    CK(file_is(p, "one\ntwo\n"), "APPEND writes at the end");
    CK_EQ(P->file_size(P->ctx, p, &size), 0, "file_size()");
    CK_EQ(size, 8, "file_size() after appending");
    CK_EQ(P->file_remove(P->ctx, p), 0, "file_remove()");
}

static void c_fs_not_found(void)
{
    uint64_t size = 7;

    CK_EQ(P->file_open(P->ctx, mk(path_a, "missing"), TVC_FILE_READ), TVC_ERR_NOT_FOUND,
          "file_open(READ) of a missing file: TVC_ERR_NOT_FOUND");
    CK_EQ(P->file_open(P->ctx, mk(path_a, "nodir/missing"), TVC_FILE_READ), TVC_ERR_NOT_FOUND,
          "file_open(READ) in a missing directory: TVC_ERR_NOT_FOUND");
    CK_EQ(P->file_size(P->ctx, mk(path_a, "missing"), &size), TVC_ERR_NOT_FOUND,
          "file_size() of a missing file: TVC_ERR_NOT_FOUND");
    CK_EQ(P->file_remove(P->ctx, mk(path_a, "missing")), TVC_ERR_NOT_FOUND,
          "file_remove() of a missing file: TVC_ERR_NOT_FOUND");
    CK_EQ(P->file_open(P->ctx, mk(path_a, "nodir/f"), TVC_FILE_WRITE), TVC_ERR_STORAGE,
          "file_open(WRITE) in a missing directory: TVC_ERR_STORAGE");
}

static void c_fs_rename(void)
{
    const char *a = mk(path_a, "r-new"), *b = mk(path_b, "r-old");
    uint64_t size;

    CK_EQ(put_file(b, "old contents", TVC_FILE_WRITE), 0, "the file to be replaced");
    CK_EQ(put_file(a, "new", TVC_FILE_WRITE), 0, "its replacement");
    CK_EQ(P->file_rename(P->ctx, a, b), 0, "file_rename() over an existing file: 0");
    CK(file_is(b, "new"), "the target now has the new contents");
    CK_EQ(P->file_size(P->ctx, a, &size), TVC_ERR_NOT_FOUND, "and the source name is gone");
    CK_EQ(P->dir_sync(P->ctx, O->scratch_dir), 0, "dir_sync() after the rename");
    CK_EQ(P->file_rename(P->ctx, a, mk(path_c, "r-other")), TVC_ERR_STORAGE,
          "file_rename() of a missing file: TVC_ERR_STORAGE");
    CK_EQ(P->file_rename(P->ctx, b, mk(path_c, "r-moved")), 0, "file_rename() to a new name");
    CK(file_is(path_c, "new"), "the moved file");
    CK_EQ(P->file_remove(P->ctx, path_c), 0, "file_remove()");
    CK_EQ(P->file_remove(P->ctx, path_c), TVC_ERR_NOT_FOUND, "file_remove() again: TVC_ERR_NOT_FOUND");
}

struct listing {
    unsigned calls, d, f1, f2, other;
};

static int collect(void *user, const char *name)
{
    struct listing *l = user;

    l->calls++;
    if (strcmp(name, "d") == 0)
        l->d++;
    else if (strcmp(name, "f1") == 0)
        l->f1++;
    else if (strcmp(name, "f2") == 0)
        l->f2++;
    else
        l->other++;
    return 0;
}

static int stop_at_once(void *user, const char *name)
{
    (void)name;
    ((struct listing *)user)->calls++;
    return 7;
}

static void c_fs_list(void)
{
    struct listing l;
    const char *dir = mk(path_c, "ls");

    CK_EQ(P->dir_create(P->ctx, dir), 0, "dir_create()");
    CK_EQ(P->dir_create(P->ctx, mk(path_a, "ls/d")), 0, "dir_create()");
    CK_EQ(put_file(mk(path_a, "ls/f1"), "1", TVC_FILE_WRITE), 0, "a file");
    CK_EQ(put_file(mk(path_b, "ls/f2"), "2", TVC_FILE_WRITE), 0, "a file");
    memset(&l, 0, sizeof l);
    CK_EQ(P->dir_list(P->ctx, dir, collect, &l), 0, "dir_list(): 0");
    CK(l.d == 1 && l.f1 == 1 && l.f2 == 1, "dir_list() names each entry once");
    CKV(l.other == 0, l.other, "and nothing else (no \".\" or \"..\")");
    memset(&l, 0, sizeof l);
    CK_EQ(P->dir_list(P->ctx, dir, stop_at_once, &l), 7, "dir_list() returns the callback's non-zero value");
    CK_EQ(l.calls, 1, "and stops at once");
    memset(&l, 0, sizeof l);
    CK_EQ(P->dir_list(P->ctx, mk(path_c, "ls/d"), collect, &l), 0, "dir_list() of an empty directory: 0");
    CK_EQ(l.calls, 0, "with no call");
    CK_EQ(P->dir_list(P->ctx, mk(path_c, "ls/nowhere"), collect, &l), TVC_ERR_NOT_FOUND,
          "dir_list() of a missing directory: TVC_ERR_NOT_FOUND");
    CK_EQ(P->file_remove(P->ctx, path_a), 0, "file_remove()");
    CK_EQ(P->file_remove(P->ctx, path_b), 0, "file_remove()");
    memset(&l, 0, sizeof l);
    CK_EQ(P->dir_list(P->ctx, mk(path_c, "ls"), collect, &l), 0, "dir_list() after removing");
    CK(l.d == 1 && l.calls == 1, "only the directory is left");
}

static void c_fs_lock(void)
{
    const char *p = mk(path_a, "lock");
    int fh;

    if (O->flags & TVC_CONF_NO_LOCK)
        SKIP();
    fh = P->file_open(P->ctx, p, TVC_FILE_APPEND);
    CKV(fh >= 0, fh, "file_open(APPEND)");
    if (fh < 0)
        return;
    CK_EQ(P->file_lock(P->ctx, fh), 0, "file_lock(): 0");
    CK_EQ(P->file_close(P->ctx, fh), 0, "file_close() releases the lock");
    /* If the lock were not released this would block for ever. */
    fh = P->file_open(P->ctx, p, TVC_FILE_APPEND);
    CKV(fh >= 0, fh, "file_open(APPEND) again");
    if (fh < 0)
        return;
    CK_EQ(P->file_lock(P->ctx, fh), 0, "file_lock() again after the close");
    CK_EQ(P->file_close(P->ctx, fh), 0, "file_close()");
    CK_EQ(P->file_remove(P->ctx, p), 0, "file_remove()");
}

static void c_fs_disk_full(void)
{
    int fh, w, s, c;

    if (O->full_path == NULL)
        SKIP();
    fh = P->file_open(P->ctx, O->full_path, TVC_FILE_WRITE);
    CKV(fh >= 0, fh, "file_open(WRITE) of the full medium");
    if (fh < 0)
        return;
    w = P->file_write(P->ctx, fh, big, sizeof big);
    s = P->file_sync(P->ctx, fh);
    c = P->file_close(P->ctx, fh);
    CK(w == TVC_ERR_STORAGE || (w == (int)sizeof big && (s == TVC_ERR_STORAGE || c == TVC_ERR_STORAGE)),
       "a write to a full medium fails with TVC_ERR_STORAGE (in write, sync or close), "
       "never a short count");
    CKV(w == TVC_ERR_STORAGE || w == (int)sizeof big, w, "file_write(): len or TVC_ERR_STORAGE");
}

static void c_fs_bad_args(void)
{
    CKV(P->file_open(P->ctx, mk(path_a, "f"), 0) < 0, 0, "file_open() with flags 0 fails");
    CKV(P->file_open(P->ctx, path_a, TVC_FILE_READ | TVC_FILE_WRITE) < 0, 0,
        "file_open() with two flags fails");
    CKV(P->file_read(P->ctx, -1, rbuf, 1) < 0, -1, "file_read() on handle -1 fails");
    CKV(P->file_write(P->ctx, -1, rbuf, 1) < 0, -1, "file_write() on handle -1 fails");
    CKV(P->file_close(P->ctx, -1) < 0, -1, "file_close() on handle -1 fails");
    CKV(P->file_sync(P->ctx, -1) < 0, -1, "file_sync() on handle -1 fails");
}

/* ---------------------------------------------------------------- runner */

enum { GEN, NET, FS };

static const struct {
    const char *name;
    int part;
    void (*fn)(void);
} CASES[] = {
    { "port_check", GEN, c_port_check },
    { "now_ms", GEN, c_now_ms },
    { "entropy", GEN, c_entropy },
    { "wall_time", GEN, c_wall_time },
    { "net_roundtrip", NET, c_net_roundtrip },
    { "net_refused", NET, c_net_refused },
    { "net_dns_unknown", NET, c_net_dns_unknown },
    { "net_recv_wait", NET, c_net_recv_wait },
    { "net_send_wait", NET, c_net_send_wait },
    { "net_orderly_close", NET, c_net_orderly_close },
    { "net_reset", NET, c_net_reset },
    { "net_one_byte_at_a_time", NET, c_net_one_byte_at_a_time },
    { "net_handles", NET, c_net_handles },
    { "net_bad_handles", NET, c_net_bad_handles },
    { "fs_dirs", FS, c_fs_dirs },
    { "fs_write_read", FS, c_fs_write_read },
    { "fs_big_write", FS, c_fs_big_write },
    { "fs_append", FS, c_fs_append },
    { "fs_not_found", FS, c_fs_not_found },
    { "fs_rename", FS, c_fs_rename },
    { "fs_list", FS, c_fs_list },
    { "fs_lock", FS, c_fs_lock },
    { "fs_disk_full", FS, c_fs_disk_full },
    { "fs_bad_args", FS, c_fs_bad_args },
};

static int contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;

    for (i = 0; hay[i] != '\0'; i++)
        if (strncmp(hay + i, needle, n) == 0)
            return 1;
    return n == 0;
}

int tvc_conformance_run(const struct tvc_port *port, const struct tvc_conf_peer *peer,
                        const struct tvc_conf_opts *opts, struct tvc_conf_result *res)
{
    static const struct tvc_conf_opts none;
    unsigned i;

    O = opts != NULL ? opts : &none;
    P = port;
    PEER = peer;
    slack = O->slack_ms != 0 ? O->slack_ms : 500;
    n_pass = n_fail = 0;
    line_len = 0;

    if (tvc_port_check(port) != 0) {
        /* Nothing else can be called safely. */
        case_name = "port_check";
        n_fail = 1;
        l_str("FAIL port_check: tvc_port_check() refuses the port (NULL, version, or a "
              "network/time/entropy member missing)");
        l_flush();
    } else {
        for (i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
            if (CASES[i].part == NET && (peer == NULL || peer->host == NULL))
                continue;
            if (CASES[i].part == FS && (O->scratch_dir == NULL ||
                                        tvc_port_check_storage(port) != 0)) {
                if (O->scratch_dir != NULL && i > 0 && CASES[i - 1].part != FS) {
                    case_name = "storage";
                    n_fail++;
                    l_str("FAIL storage: a scratch directory was given but "
                          "tvc_port_check_storage() refuses the port");
                    l_flush();
                }
                continue;
            }
            if (O->only != NULL && !contains(CASES[i].name, O->only))
                continue;
            case_name = CASES[i].name;
            case_failed = case_skipped = 0;
            CASES[i].fn();
            if (case_skipped && !case_failed) {
                l_str("skip ");
                l_str(case_name);
                l_flush();
            } else if (case_failed) {
                n_fail++;
            } else {
                n_pass++;
                l_str("ok   ");
                l_str(case_name);
                l_flush();
            }
        }
    }
    l_int(n_pass);
    l_str(" passed, ");
    l_int(n_fail);
    l_str(" failed");
    l_flush();
    if (res != NULL) {
        res->passed = n_pass;
        res->failed = n_fail;
    }
    return (int)n_fail;
}
