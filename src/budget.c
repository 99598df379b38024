/*
 * The request budget shared by every process using a state directory (see
 * tvc_journal.h for the guarantees).  In RAM: this process's lease and the
 * per-minute counts of the requests it took from it.  In `<dir>/budget`:
 *
 *   tvc-budget 2
 *   <until> <count>          requests that count until <until> + 3600 s
 *   <until> <count> <tag>    an open lease of some process
 *   end
 *
 * Every change runs under an exclusive lock on `<dir>/budget.lock` (never
 * written; the lock is all it is for), reads the file once to count, and
 * when it must change it, streams it a second time into a temp file that
 * replaces it atomically.  Memory stays fixed whatever the file holds.
 */
#include <string.h>

#include "chars.h"
#include "store.h"
#include "tvc_journal.h"

#if TVC_FEATURE_BUDGET

#define WINDOW_S 3600
#define LEASE_S ((int64_t)TVC_BUDGET_LEASE_S)
#define DIGITS_MAX 18      /* up to 10^18-1: fits int64_t */
#define COUNT_MAX 1000000  /* a line counting more is damage */
#define LINE_MAX 48        /* "<18 digits> <7 digits> <16 hex>" fits */
#define POISON TVC_BUDGET_MAX_PER_HOUR /* a damaged file: the window is full */
#define HEADER "tvc-budget 2"

/* ---- reading, line by line, through j->rd_ ---- */

/* Next line into @p line (NUL-terminated, without '\n').
 * @return 1 a whole line; 2 a last line without '\n'; 3 a line too long
 * (skipped); 0 end; TVC_ERR_STORAGE. */
static int rd_line(struct tvc_store_rd *r, char *line)
{
    size_t n = 0;
    int over = 0, c;

    for (;;) {
        c = tvc_store_getc(r);
        if (c < 0)
            return c;
        if (c == TVC_STORE_EOF || c == '\n') {
            line[n] = '\0';
            if (over)
                return 3;
            if (c == '\n')
                return 1;
            return n == 0 ? 0 : 2;
        }
        if (n + 1 < LINE_MAX)
            line[n++] = (char)c;
        else
            over = 1;
    }
}

static int rd_open(struct tvc_store_rd *r, struct tvc_journal *j)
{
    const struct tvc_port *p = j->port;

    r->p = p;
    r->buf = j->rd_;
    r->cap = sizeof j->rd_;
    r->pos = r->len = 0;
    r->fh = p->file_open(p->ctx, j->path_, TVC_FILE_READ);
    if (r->fh == TVC_ERR_NOT_FOUND) {
        r->fh = -1;
        return 0;
    }
    return r->fh < 0 ? TVC_ERR_STORAGE : 0;
}

static void rd_close(struct tvc_store_rd *r)
{
    if (r->fh >= 0)
        (void)r->p->file_close(r->p->ctx, r->fh);
    r->fh = -1;
}

/* 1..DIGITS_MAX decimal digits at *s, not followed by another; advances *s. */
static int num(const char **s, int64_t *v)
{
    uint64_t u;
    size_t n = ch_dec(*s, DIGITS_MAX + 1, UINT64_MAX, &u);

    *s += n;
    *v = (int64_t)u;
    return n > 0 && n <= DIGITS_MAX;
}

/* 0..15 for a lower-case hex digit (the only case the file holds), else -1 */
static int hexval(char c)
{
    return c >= 'A' && c <= 'F' ? -1 : ch_hexval(c);
}

struct entry {
    int64_t until;
    int64_t count;
    int tagged;
    uint8_t tag[8];
};

/* One line of the new format.  @return 1 an entry; 0 damaged. */
static int parse_entry(const char *s, struct entry *e)
{
    int i;

    e->tagged = 0;
    if (!num(&s, &e->until) || *s++ != ' ' || !num(&s, &e->count) || e->count < 1 ||
        e->count > COUNT_MAX)
        return 0;
    if (*s == '\0')
        return 1;
    if (*s++ != ' ')
        return 0;
    for (i = 0; i < 16; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return 0;
        if (i % 2 == 0)
            e->tag[i / 2] = (uint8_t)(h << 4);
        else
            e->tag[i / 2] |= (uint8_t)h;
    }
    if (s[16] != '\0')
        return 0;
    e->tagged = 1;
    return 1;
}

/* Walks a budget file: old format (one timestamp per line) or new. */
struct walk {
    struct tvc_store_rd r;
    int fmt;     /* 0 not known yet, 1 old, 2 new */
    int ended;   /* new format: "end" seen */
    int damaged; /* anything that is not a whole, well-formed file */
    struct entry e; /* the current entry */
};

/* Next entry, into w->e.  @return 1; 0 at the end; TVC_ERR_STORAGE. */
static int walk_next(struct walk *w)
{
    struct entry *e = &w->e;
    char line[LINE_MAX];
    int rc;

    for (;;) {
        rc = rd_line(&w->r, line);
        if (rc <= 0) {
            if (rc == 0 && w->fmt == 0 && w->r.fh >= 0)
                w->damaged = 1; /* an empty file: a write that never finished */
            if (rc == 0 && w->fmt == 2 && !w->ended)
                w->damaged = 1; /* cut short */
            return rc;
        }
        if (rc == 3 || w->ended) {
            w->damaged = 1;
            continue;
        }
        if (w->fmt == 0) {
            if (rc == 1 && tvc_ch_streq(line, HEADER)) {
                w->fmt = 2;
                continue;
            }
            w->fmt = 1;
        }
        if (w->fmt == 2) {
            if (tvc_ch_streq(line, "end")) {
                w->ended = 1;
                continue;
            }
            if (rc == 1 && parse_entry(line, e))
                return 1;
        } else {
            const char *s = line;
            /* the old format: a timestamp per line, each ended by '\n' */
            if (rc == 1 && num(&s, &e->until) && *s == '\0') {
                e->count = 1;
                e->tagged = 0;
                return 1;
            }
        }
        w->damaged = 1;
    }
}

static int walk_open(struct walk *w, struct tvc_journal *j)
{
    w->fmt = 0;
    w->ended = 0;
    w->damaged = 0;
    return rd_open(&w->r, j);
}

/* ---- writing, through j->wr_ ---- */

static void wr_entry(struct tvc_store_wr *w, int64_t until, int64_t count, const uint8_t *tag)
{
    char t[17];
    int i;

    tvc_store_num(w, until);
    tvc_store_put(w, " ", 1);
    tvc_store_num(w, count);
    if (tag) {
        t[0] = ' ';
        for (i = 0; i < 8; i++) {
            t[1 + 2 * i] = tvc_ch_hexd[tag[i] >> 4];
            t[2 + 2 * i] = tvc_ch_hexd[tag[i] & 15];
        }
        tvc_store_put(w, t, sizeof t);
    }
    tvc_store_put(w, "\n", 1);
}

/* ---- the window ---- */

/* An entry counts while @p now is before its until + 3600 s. */
static int in_window(int64_t until, int64_t now)
{
    return until > now - WINDOW_S;
}

/* Nothing legitimate lies further ahead than a lease taken now: later
 * entries come from a clock that went back, and count as that. */
static int64_t clamp(int64_t until, int64_t now)
{
    return until > now + LEASE_S ? now + LEASE_S : until;
}

static int is_own(const struct tvc_journal *j, const struct entry *e)
{
    const struct tvc_budget_lease *l = &j->lease_;

    return l->active && e->tagged && memcmp(e->tag, l->tag, sizeof l->tag) == 0 &&
           e->count == l->granted && e->until == l->start + LEASE_S;
}

/* The minute of a time >= 0 (no 64-bit divide: see tvc_ch_divu()). */
static int64_t minute(int64_t t)
{
    unsigned r;

    return (int64_t)tvc_ch_divu((uint64_t)t, 60, &r);
}

/* A minute's requests count until its last second. */
static int64_t minute_until(const struct tvc_budget_lease *l, size_t i)
{
    return (minute(l->start) + (int64_t)i) * 60 + 59;
}

struct tally {
    int64_t count;
    int64_t oldest;
    int any;
    int others_open; /* another process holds a lease */
    int damaged;
};

/* An entry that counts: into the tally and, with @p out, into the new file. */
static void keep(struct tally *t, struct tvc_store_wr *out, int64_t until, int64_t n,
                 const uint8_t *tag, int64_t now)
{
    if (!in_window(until, now))
        return;
    t->count += n;
    if (!t->any || until < t->oldest)
        t->oldest = until;
    t->any = 1;
    if (out)
        wr_entry(out, until, n, tag);
}

/* One pass (under the lock) over the file @p w was opened on and this
 * process's lease: counts what holds inside the window (without this
 * process's old lease line, replaced by the minutes it really used; with a
 * charge for damage) and with @p out also writes it there.  Closes @p w. */
static int pass(struct tvc_journal *j, int64_t now, struct tally *t, struct walk *w,
                struct tvc_store_wr *out)
{
    const struct tvc_budget_lease *l = &j->lease_;
    struct entry *e = &w->e;
    size_t i;
    int rc;

    memset(t, 0, sizeof *t);
    while ((rc = walk_next(w)) == 1) {
        if (is_own(j, e))
            continue; /* replaced by what was really used */
        e->until = clamp(e->until, now);
        if (e->tagged && in_window(e->until, now))
            t->others_open = 1;
        keep(t, out, e->until, e->count, e->tagged ? e->tag : NULL, now);
    }
    rd_close(&w->r);
    if (rc < 0)
        return rc;
    t->damaged = w->damaged;
    if (l->active)
        for (i = 0; i < TVC_BUDGET_MINUTES; i++)
            if (l->used[i])
                keep(t, out, clamp(minute_until(l, i), now), l->used[i], NULL, now);
    if (t->damaged)
        keep(t, out, now, POISON, NULL, now);
    return 0;
}

/* Count what the file and this process's lease hold (under the lock). */
static int count_all(struct tvc_journal *j, int64_t now, struct tally *t, struct walk *w)
{
    int rc = walk_open(w, j);

    return rc < 0 ? rc : pass(j, now, t, w, NULL);
}

/* Write the file anew: what pass() keeps, and then: with @p grant > 0 a
 * new lease of that many requests named @p tag, with @p grant < 0 one
 * request taken now (no lease). */
static int rewrite(struct tvc_journal *j, int64_t now, int grant, const uint8_t *tag,
                   struct walk *rw)
{
    const struct tvc_port *p = j->port;
    struct tvc_store_wr w;
    struct tally t;
    int rc;

    rc = walk_open(rw, j);
    if (rc < 0)
        return rc;
    if (tvc_store_create(&w, p, j->tmp_, j->wr_, sizeof j->wr_) < 0) {
        rd_close(&rw->r);
        return TVC_ERR_STORAGE;
    }
    tvc_store_put(&w, HEADER "\n", sizeof HEADER);
    rc = pass(j, now, &t, rw, &w);
    if (grant > 0)
        wr_entry(&w, now + LEASE_S, grant, tag);
    else if (grant < 0)
        wr_entry(&w, minute(now) * 60 + 59, 1, NULL);
    tvc_store_put(&w, "end\n", 4);
    tvc_store_flush(&w);
    if (rc == 0)
        rc = w.err;
    return tvc_store_commit(p, w.fh, rc, j->tmp_, j->path_);
}

/* Whether the file now holds a lease named @p tag: after a failed rewrite,
 * tells a file replaced all but its directory sync from one left as it was
 * (0 too when the file cannot be read). */
static int holds_tag(struct tvc_journal *j, const uint8_t *tag)
{
    struct walk w;
    int found = 0;

    if (walk_open(&w, j) < 0)
        return 0;
    while (walk_next(&w) == 1)
        if (w.e.tagged && memcmp(w.e.tag, tag, sizeof w.e.tag) == 0)
            found = 1;
    rd_close(&w.r);
    return found;
}

static int lock_budget(struct tvc_journal *j, int *lock)
{
    const struct tvc_port *p = j->port;
    int rc = tvc_journal_path_(j, j->path_, "budget.lock", "", "");

    if (rc == 0)
        rc = tvc_journal_path_(j, j->tmp_, "budget.tmp", "", "");
    if (rc < 0)
        return rc;
    *lock = p->file_open(p->ctx, j->path_, TVC_FILE_APPEND);
    if (*lock < 0)
        return TVC_ERR_STORAGE;
    if (p->file_lock(p->ctx, *lock) < 0) {
        (void)p->file_close(p->ctx, *lock);
        return TVC_ERR_STORAGE;
    }
    return tvc_journal_path_(j, j->path_, "budget", "", ""); /* shorter: fits */
}

/* Under the lock: settle this process's lease in the file and, with
 * @p per_hour > 0, take one request (a new lease when there is room). */
static int checkpoint(struct tvc_journal *j, int per_hour, int64_t now, int64_t *wait_s)
{
    const struct tvc_port *p = j->port;
    struct tvc_budget_lease *l = &j->lease_;
    struct walk w; /* one reader for the count and the copy */
    struct tally t;
    uint8_t tag[8];
    int lock, rc;

    rc = lock_budget(j, &lock);
    if (rc < 0)
        return rc;
    rc = count_all(j, now, &t, &w);
    if (rc == 0 && per_hour > 0 && t.count < per_hour) {
        int64_t room = per_hour - t.count;
        int grant = room < TVC_BUDGET_LEASE ? (int)room : TVC_BUDGET_LEASE;
        /* A lease needs a name no other process uses; without entropy,
         * record just this one request. */
        if (p->entropy(p->ctx, tag, sizeof tag) != 0)
            grant = -1;
        rc = rewrite(j, now, grant, tag, &w);
        if (rc == 0) {
            memset(l, 0, sizeof *l);
            if (grant > 0) {
                l->start = now;
                l->per_hour = per_hour;
                l->granted = (uint16_t)grant;
                l->left = (uint16_t)(grant - 1);
                l->used[0] = 1;
                memcpy(l->tag, tag, sizeof tag);
                l->active = 1;
            }
        } else if (grant > 0 && holds_tag(j, tag)) {
            /* Nothing taken, but the new file is in place (only the
             * directory sync after the rename failed): keep the lease's
             * name, none of it usable and nothing used, so that the next
             * take or the release removes its line instead of it holding
             * the budget until it expires. */
            memset(l, 0, sizeof *l);
            l->start = now;
            l->per_hour = per_hour;
            l->granted = (uint16_t)grant;
            memcpy(l->tag, tag, sizeof tag);
            l->active = 1;
        }
    } else if (rc == 0) {
        if (l->active || t.damaged)
            rc = rewrite(j, now, 0, NULL, &w);
        if (rc == 0)
            memset(l, 0, sizeof *l);
        if (rc == 0 && per_hour > 0) {
            /* damage closes the window for a whole hour from now */
            int64_t ws = t.damaged ? WINDOW_S : t.any ? t.oldest + WINDOW_S - now : 1;
            if (t.others_open && ws > TVC_BUDGET_RECHECK_S)
                ws = TVC_BUDGET_RECHECK_S;
            if (wait_s)
                *wait_s = ws < 1 ? 1 : ws;
            rc = TVC_ERR_AGAIN;
        }
    }
    /* Closing releases the lock; only then may the next process look. */
    (void)p->file_close(p->ctx, lock);
    return rc;
}

int tvc_budget_take(struct tvc_journal *j, int per_hour, int64_t now_unix, int64_t *wait_s)
{
    struct tvc_budget_lease *l;

    if (!j || !j->port)
        return TVC_ERR_ARG;
    if (per_hour < 1 || per_hour > TVC_BUDGET_MAX_PER_HOUR || now_unix < 0)
        return TVC_ERR_ARG;
    l = &j->lease_;
    if (l->active && l->left > 0 && l->per_hour == per_hour && now_unix >= l->start &&
        now_unix < l->start + LEASE_S) {
        /* RAM only: the file already counts the whole lease. */
        l->left--;
        l->used[minute(now_unix) - minute(l->start)]++;
        return 0;
    }
    return checkpoint(j, per_hour, now_unix, wait_s);
}

int tvc_budget_release(struct tvc_journal *j, int64_t now_unix)
{
    if (!j || !j->port || now_unix < 0)
        return TVC_ERR_ARG;
    if (!j->lease_.active)
        return 0;
    return checkpoint(j, 0, now_unix, NULL);
}

#else /* !TVC_FEATURE_BUDGET: compiled out */

int tvc_budget_take(struct tvc_journal *j, int per_hour, int64_t now_unix, int64_t *wait_s)
{
    (void)j, (void)per_hour, (void)now_unix, (void)wait_s;
    return TVC_ERR_STATE;
}

int tvc_budget_release(struct tvc_journal *j, int64_t now_unix)
{
    (void)j, (void)now_unix;
    return TVC_ERR_STATE;
}
#endif /* TVC_FEATURE_BUDGET */
