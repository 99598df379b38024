/*
 * The request budget shared by every process using a state directory:
 * `<dir>/budget` holds one decimal Unix timestamp per line, one per request
 * of the last hour.  A take runs under an exclusive lock on
 * `<dir>/budget.lock` (never written; the lock is all it is for), reads the
 * file, and if there is room rewrites it atomically with the new request.
 *
 * Memory stays fixed whatever the file holds: it is streamed twice, once to
 * count (and find the oldest entry) and once to copy the entries still
 * inside the window into the new file.
 */
#include <string.h>

#include "store.h"
#include "tvc_journal.h"

#if TVC_FEATURE_BUDGET

#define WINDOW_S 3600
#define LINE_MAX_DIGITS 18 /* up to 10^18-1: fits int64_t */

static int make_path(const struct tvc_journal *j, char *dst, size_t cap, const char *name)
{
    size_t dl = strlen(j->dir), nl = strlen(name);

    if (dl + 1 + nl >= cap)
        return TVC_ERR_NOSPACE;
    memcpy(dst, j->dir, dl);
    dst[dl] = '/';
    memcpy(dst + dl + 1, name, nl + 1);
    return 0;
}

/* Streaming reader of the timestamp lines. */
struct ts_rd {
    const struct tvc_port *p;
    int fh; /* < 0: no file (reads as empty) */
    size_t pos, len;
    uint8_t buf[128];
};

/*
 * Next well-formed timestamp (digits only, then '\n' or the end of the
 * file); malformed lines are skipped.
 * @return 1 and *t; 0 at the end; TVC_ERR_STORAGE.
 */
static int ts_next(struct ts_rd *r, int64_t *t)
{
    int64_t v = 0;
    int digits = 0, bad = 0, n;
    uint8_t ch;

    if (r->fh < 0)
        return 0;
    for (;;) {
        if (r->pos == r->len) {
            n = r->p->file_read(r->p->ctx, r->fh, r->buf, sizeof r->buf);
            if (n < 0 || n > (int)sizeof r->buf)
                return TVC_ERR_STORAGE;
            if (n == 0) {
                /* A last line without '\n' still counts when whole. */
                if (digits > 0 && !bad) {
                    *t = v;
                    return 1;
                }
                return 0;
            }
            r->pos = 0;
            r->len = (size_t)n;
        }
        ch = r->buf[r->pos++];
        if (ch == '\n') {
            if (digits > 0 && !bad) {
                *t = v;
                return 1;
            }
            v = 0;
            digits = 0;
            bad = 0;
        } else if (ch >= '0' && ch <= '9' && digits < LINE_MAX_DIGITS) {
            v = v * 10 + (ch - '0');
            digits++;
        } else {
            bad = 1;
        }
    }
}

static int ts_open(struct ts_rd *r, const struct tvc_port *p, const char *path)
{
    r->p = p;
    r->pos = r->len = 0;
    r->fh = p->file_open(p->ctx, path, TVC_FILE_READ);
    if (r->fh == TVC_ERR_NOT_FOUND) {
        r->fh = -1;
        return 0;
    }
    return r->fh < 0 ? TVC_ERR_STORAGE : 0;
}

static void ts_close(struct ts_rd *r)
{
    if (r->fh >= 0)
        (void)r->p->file_close(r->p->ctx, r->fh);
    r->fh = -1;
}

/* Buffered writer for the new file. */
struct ts_wr {
    const struct tvc_port *p;
    int fh;
    int err;
    size_t len;
    uint8_t buf[128];
};

static void wr_flush(struct ts_wr *w)
{
    if (w->err == 0 && w->len > 0 &&
        w->p->file_write(w->p->ctx, w->fh, w->buf, w->len) != (int)w->len)
        w->err = TVC_ERR_STORAGE;
    w->len = 0;
}

static void wr_ts(struct ts_wr *w, int64_t t)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = (uint64_t)t;

    if (w->len + sizeof tmp > sizeof w->buf)
        wr_flush(w);
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        w->buf[w->len++] = (uint8_t)tmp[--n];
    w->buf[w->len++] = '\n';
}

/* A request at @p t still counts at @p now.  Entries in the future (the
 * clock went back) count as taken now: they cannot be older than that. */
static int in_window(int64_t t, int64_t now)
{
    return t > now - WINDOW_S;
}

static int64_t clamp(int64_t t, int64_t now)
{
    return t > now ? now : t;
}

/* Copy the entries inside the window plus @p now to j->tmp_, then rename
 * it over j->path_. */
static int rewrite(struct tvc_journal *j, int64_t now)
{
    const struct tvc_port *p = j->port;
    struct ts_rd r;
    struct ts_wr w;
    int64_t t;
    int rc;

    rc = ts_open(&r, p, j->path_);
    if (rc < 0)
        return rc;
    w.p = p;
    w.err = 0;
    w.len = 0;
    w.fh = p->file_open(p->ctx, j->tmp_, TVC_FILE_WRITE);
    if (w.fh < 0) {
        ts_close(&r);
        return TVC_ERR_STORAGE;
    }
    while ((rc = ts_next(&r, &t)) == 1)
        if (in_window(t, now))
            wr_ts(&w, clamp(t, now));
    ts_close(&r);
    wr_ts(&w, now);
    wr_flush(&w);
    if (rc == 0)
        rc = w.err;
    return tvc_store_commit(p, w.fh, rc, j->tmp_, j->path_);
}

int tvc_budget_take(struct tvc_journal *j, int per_hour, int64_t now_unix, int64_t *wait_s)
{
    const struct tvc_port *p;
    struct ts_rd r;
    int64_t t, oldest = 0;
    int lock, rc, count = 0;

    if (!j || !j->port)
        return TVC_ERR_ARG;
    if (per_hour < 1 || per_hour > TVC_BUDGET_MAX_PER_HOUR || now_unix < 0)
        return TVC_ERR_ARG;
    p = j->port;
    rc = make_path(j, j->path_, sizeof j->path_, "budget.lock");
    if (rc == 0)
        rc = make_path(j, j->tmp_, sizeof j->tmp_, "budget.tmp");
    if (rc < 0)
        return rc;
    lock = p->file_open(p->ctx, j->path_, TVC_FILE_APPEND);
    if (lock < 0)
        return TVC_ERR_STORAGE;
    if (p->file_lock(p->ctx, lock) < 0) {
        (void)p->file_close(p->ctx, lock);
        return TVC_ERR_STORAGE;
    }
    (void)make_path(j, j->path_, sizeof j->path_, "budget"); /* shorter: fits */

    rc = ts_open(&r, p, j->path_);
    if (rc == 0) {
        while ((rc = ts_next(&r, &t)) == 1) {
            if (!in_window(t, now_unix))
                continue;
            t = clamp(t, now_unix);
            if (count == 0 || t < oldest)
                oldest = t;
            if (count < INT32_MAX)
                count++;
        }
        ts_close(&r);
    }
    if (rc == 0) {
        if (count >= per_hour) {
            if (wait_s) {
                t = oldest + WINDOW_S - now_unix;
                *wait_s = t < 1 ? 1 : t;
            }
            rc = TVC_ERR_AGAIN;
        } else {
            rc = rewrite(j, now_unix);
        }
    }
    /* Closing releases the lock; only then may the next process look. */
    (void)p->file_close(p->ctx, lock);
    return rc;
}

#else /* !TVC_FEATURE_BUDGET: compiled out */

int tvc_budget_take(struct tvc_journal *j, int per_hour, int64_t now_unix, int64_t *wait_s)
{
    (void)j, (void)per_hour, (void)now_unix, (void)wait_s;
    return TVC_ERR_STATE;
}
#endif /* TVC_FEATURE_BUDGET */
