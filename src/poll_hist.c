/*
 * The polling history (tvc_poll_plan.h) in the journal directory: the file
 * "history", replaced atomically once per completed job (one file_write of
 * about 100 bytes).  Text:
 *   tvc-history 1
 *   <generation s> <video step s>      oldest first, at most TVC_POLL_HIST
 *   end
 */
#include <string.h>

#include "store.h"
#include "tvc_poll_plan.h"

#if TVC_FEATURE_JOURNAL

#define HEADER "tvc-history 1"

static int paths(struct tvc_journal *j)
{
    int rc = tvc_journal_path_(j, j->path_, "history", "", "");
    return rc < 0 ? rc : tvc_journal_path_(j, j->tmp_, "history.tmp", "", "");
}

int tvc_poll_hist_save(struct tvc_journal *j, const struct tvc_poll_hist *h)
{
    struct tvc_store_wr w;
    unsigned i, n;
    int rc;

    if (!j || !j->port || !h)
        return TVC_ERR_ARG;
    rc = paths(j);
    if (rc < 0)
        return rc;
    if (tvc_store_create(&w, j->port, j->tmp_, j->wr_, sizeof j->wr_) < 0)
        return TVC_ERR_STORAGE;
    tvc_store_put(&w, HEADER "\n", sizeof HEADER);
    n = h->n > TVC_POLL_HIST ? TVC_POLL_HIST : h->n;
    for (i = 0; i < n; i++) { /* oldest first */
        unsigned k = (h->next + TVC_POLL_HIST - n + i) % TVC_POLL_HIST;
        tvc_store_num(&w, h->gen_s[k]);
        tvc_store_put(&w, " ", 1);
        tvc_store_num(&w, h->video_s[k]);
        tvc_store_put(&w, "\n", 1);
    }
    tvc_store_put(&w, "end\n", 4);
    tvc_store_flush(&w);
    return tvc_store_commit(j->port, w.fh, w.err, j->tmp_, j->path_);
}

/* The file, read a byte at a time: the header, then pairs of numbers, then
 * "end".  Anything else is damage. */
int tvc_poll_hist_load(struct tvc_journal *j, struct tvc_poll_hist *h)
{
    static const char head[] = HEADER "\n";
    struct tvc_store_rd r;
    uint32_t v[2] = { 0, 0 };
    size_t i;
    int c, k = 0, digits = 0, rc = TVC_ERR_JSON;

    if (!j || !j->port || !h)
        return TVC_ERR_ARG;
    memset(h, 0, sizeof *h);
    rc = paths(j);
    if (rc < 0)
        return rc;
    r.p = j->port;
    r.buf = j->rd_;
    r.cap = sizeof j->rd_;
    r.pos = r.len = 0;
    r.fh = j->port->file_open(j->port->ctx, j->path_, TVC_FILE_READ);
    if (r.fh == TVC_ERR_NOT_FOUND)
        return TVC_ERR_NOT_FOUND;
    if (r.fh < 0)
        return TVC_ERR_STORAGE;
    rc = TVC_ERR_JSON;
    for (i = 0; i < sizeof head - 1; i++)
        if (tvc_store_getc(&r) != (unsigned char)head[i])
            goto out;
    for (;;) {
        c = tvc_store_getc(&r);
        if (c < 0) {
            rc = TVC_ERR_STORAGE;
            goto out;
        }
        if (c >= '0' && c <= '9' && digits < 5) {
            v[k] = v[k] * 10u + (uint32_t)(c - '0');
            digits++;
        } else if (c == ' ' && k == 0 && digits) {
            k = 1;
            digits = 0;
        } else if (c == '\n' && k == 1 && digits) {
            tvc_poll_hist_add(h, v[0] * 1000u, v[1] * 1000u);
            v[0] = v[1] = 0;
            k = digits = 0;
        } else if (c == 'e' && k == 0 && !digits) {
            if (tvc_store_getc(&r) == 'n' && tvc_store_getc(&r) == 'd' &&
                tvc_store_getc(&r) == '\n' && tvc_store_getc(&r) == TVC_STORE_EOF)
                rc = 0;
            goto out;
        } else {
            goto out;
        }
    }
out:
    (void)j->port->file_close(j->port->ctx, r.fh);
    if (rc < 0)
        memset(h, 0, sizeof *h);
    return rc;
}

#else

int tvc_poll_hist_save(struct tvc_journal *j, const struct tvc_poll_hist *h)
{
    (void)j;
    (void)h;
    return TVC_ERR_STATE;
}

int tvc_poll_hist_load(struct tvc_journal *j, struct tvc_poll_hist *h)
{
    (void)j;
    if (h)
        memset(h, 0, sizeof *h);
    return TVC_ERR_STATE;
}

#endif
