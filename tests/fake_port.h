/* A scripted transport for client tests: each connect() takes the next
 * scripted connection, which serves canned responses (one per request),
 * optionally one byte at a time, and can stall, reset, close or refuse.
 * Time is virtual: a call that "waits" advances the clock by its wait, so
 * timeouts are tested exactly and instantly. */
#ifndef TVC_TEST_FAKE_PORT_H
#define TVC_TEST_FAKE_PORT_H

#include <stddef.h>

#include "tvc_port.h"

#define FP_MAX_CONN 8
#define FP_MAX_RESP 8

struct fp_conn {
    /* script */
    int connect_rc;              /* returned by connect() instead of a handle, if < 0 */
    int poll_rc;                 /* returned by connect_poll(); TVC_ERR_AGAIN = never connects */
    const char *resp[FP_MAX_RESP]; /* responses, released one per request */
    size_t resp_len[FP_MAX_RESP];  /* 0: strlen */
    int nresp;
    size_t chunk;                /* most bytes per recv (0: as many as asked) */
    int idle;                    /* recv with nothing pending: TVC_ERR_AGAIN (quiet), 0 (closed), TVC_ERR_RESET */
    size_t cut_at;               /* in the first response: after this many bytes ... */
    int cut_rc;                  /* ... recv returns this (0 EOF, TVC_ERR_RESET, TVC_ERR_AGAIN stall); cut_at 0 = no cut */
    int cut_now;                 /* cut the first response at 0 bytes (with cut_rc) */
    int send_rc;                 /* < 0: send() fails with this */
    int repeat_last;             /* after the last response, serve it again for every request */
    /* record */
    char host[256];
    unsigned short port;
    char sent[16384];
    size_t sent_len;
    int closed;
    /* state */
    int cur;
    size_t off;
    int pending;
    int used;
};

struct fp {
    struct fp_conn conn[FP_MAX_CONN];
    int nconn;      /* scripted */
    int next;       /* next to hand out */
    unsigned long long clock;
    unsigned long calls;
    unsigned long long seed;    /* entropy: 0 gives bytes 0x5a; else a xorshift64 stream */
};

/* Fill @p port with the fake bound to @p f (f zeroed by the caller first). */
void fp_init(struct fp *f, struct tvc_port *port);
/* Give @p port the storage half of @p real (e.g. the POSIX port), each call
 * made with real's own context; the virtual network and clock stay the
 * fake's.  One real port at a time (it is kept by pointer). */
void fp_use_storage(struct tvc_port *port, const struct tvc_port *real);
/* Add a scripted connection; returns it for further settings. */
struct fp_conn *fp_add(struct fp *f, const char *resp0);

#endif
