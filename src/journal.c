/*
 * The power-loss journal: one small JSON file per job, always replaced
 * atomically (write "<name>.tmp", fsync, close, rename, fsync the
 * directory), so after a crash a record is either the old or the new one,
 * never a mix.  A leftover "*.tmp" is just ignored by tvc_journal_list().
 *
 * Records are streamed out through the journal's TVC_JOURNAL_CHUNK write
 * buffer and parsed back as they are read (a record is one flat JSON
 * object), so no buffer holds a whole record.
 */
#include <stddef.h>
#include <string.h>

#include "chars.h"
#include "store.h"
#include "tvc_journal.h"
#include "tvc_json.h"

#if TVC_FEATURE_JOURNAL

static const char *const phase_names[] = {
    NULL, "submitting", "polling", "downloading", "done", "failed", "unknown"
};
#define NPHASES (sizeof phase_names / sizeof phase_names[0])

/* No record the writer makes is larger: every byte of every string escaped
 * as \u00XX, plus the keys. */
#define FILE_MAX (6 * sizeof(struct tvc_job_rec) + 1024)

/* The members of a record, in file order. */
enum kind { K_V, K_STR, K_TXT, K_PHASE, K_DURATION, K_ASPECT, K_CREATED };

struct member {
    const char *key;
    unsigned short off, size;
    unsigned char kind;
};

#define STR(key, field, kind) { key, offsetof(struct tvc_job_rec, field), \
                                sizeof(((struct tvc_job_rec *)0)->field), kind }

static const struct member members[] = {
    { "v", 0, 0, K_V },
    STR("id", id, K_STR),
    { "phase", 0, 0, K_PHASE },
    STR("recordId", record_id, K_STR),
    STR("taskId", task_id, K_STR),
    STR("adTheme", ad_theme, K_TXT),
    STR("voiceoverScript", voiceover, K_TXT),
    STR("referenceImageUrl", reference_url, K_TXT),
    { "videoDuration", 0, 0, K_DURATION },
    { "aspectRatio", 0, 0, K_ASPECT },
    STR("out", out, K_STR),
    STR("storyboardOut", storyboard_out, K_STR),
    STR("videoUrl", video_url, K_STR),
    STR("imageUrl", image_url, K_STR),
    { "createdAt", 0, 0, K_CREATED },
    STR("lastError", last_error, K_TXT),
};
#define NMEMBERS (sizeof members / sizeof members[0])

static int is_text(const struct member *m)
{
    return m->kind == K_STR || m->kind == K_TXT;
}

/* Ids name files: keep them to a safe alphabet, so no id can reach
 * outside the directory. */
static int id_ok(const char *id, size_t cap)
{
    size_t i;

    for (i = 0; i < cap && id[i]; i++)
        if (!ch_id(id[i]))
            return 0;
    return i > 0 && i < cap;
}

int tvc_journal_path_(struct tvc_journal *j, char *dst, const char *a, const char *b,
                      const char *c)
{
    const char *parts[3];
    size_t i, n, len = j->dir_len_;
    const size_t cap = sizeof j->path_;

    parts[0] = a;
    parts[1] = b;
    parts[2] = c;
    dst[len++] = '/';
    for (i = 0; i < 3; i++) {
        n = strlen(parts[i]);
        if (len + n >= cap)
            return TVC_ERR_NOSPACE;
        memcpy(dst + len, parts[i], n);
        len += n;
    }
    dst[len] = '\0';
    return 0;
}

const char *tvc_journal_dir(struct tvc_journal *j)
{
    if (!j || !j->port)
        return NULL;
    j->path_[j->dir_len_] = '\0';
    return j->dir_len_ ? j->path_ : "/";
}

static int sync_dir(struct tvc_journal *j)
{
    return tvc_store_st(j->port->dir_sync(j->port->ctx, tvc_journal_dir(j)));
}

static int remove_if_present(const struct tvc_port *p, const char *path, int *removed)
{
    int rc = p->file_remove(p->ctx, path);

    if (rc == 0 && removed)
        *removed = 1;
    return rc == TVC_ERR_NOT_FOUND ? 0 : tvc_store_st(rc);
}

int tvc_journal_open(struct tvc_journal *j, const struct tvc_port *port, const char *dir)
{
    size_t len;
    int rc;

    if (!j || !dir || !dir[0])
        return TVC_ERR_ARG;
    rc = tvc_port_check_storage(port);
    if (rc < 0)
        return rc;
    len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--; /* "state/" and "state" name the same directory */
    if (len >= TVC_PATH_MAX)
        return TVC_ERR_NOSPACE;
    memset(j, 0, sizeof *j);
    j->port = port;
    if (!(len == 1 && dir[0] == '/')) { /* the root: paths become "/<name>" */
        memcpy(j->path_, dir, len);
        memcpy(j->tmp_, dir, len);
        j->dir_len_ = len;
    }
    rc = port->dir_create(port->ctx, tvc_journal_dir(j));
    return rc < 0 ? TVC_ERR_STORAGE : 0;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* A JSON string, escaped as the library's JSON writer does it. */
static void put_json_str(struct tvc_store_wr *w, const char *s)
{
    size_t run = 0, n;
    char e[6];

    tvc_store_put(w, "\"", 1);
    for (;; s++) {
        n = tvc_ch_json_esc((unsigned char)*s, e);
        if (n == 0) {
            run++;
            continue;
        }
        tvc_store_put(w, s - run, run);
        run = 0;
        if (*s == '\0')
            break;
        tvc_store_put(w, e, n);
    }
    tvc_store_put(w, "\"", 1);
}

/* Refuse a record before any file is touched. */
static int check_record(const struct tvc_job_rec *r)
{
    size_t i;

    if (r->phase < 1 || (size_t)r->phase >= NPHASES)
        return TVC_ERR_ARG;
    for (i = 0; i < NMEMBERS; i++) {
        const struct member *m = &members[i];
        const char *s = (const char *)r + m->off;
        const char *nul;
        if (!is_text(m))
            continue;
        nul = memchr(s, '\0', m->size);
        if (nul == NULL)
            return TVC_ERR_ARG; /* not terminated: refused, not over-read */
        if (tvc_utf8_check(s, (size_t)(nul - s)) != 0)
            return TVC_ERR_UTF8;
    }
    return id_ok(r->id, sizeof r->id) ? 0 : TVC_ERR_ARG;
}

static void encode(struct tvc_store_wr *w, const struct tvc_job_rec *r)
{
    size_t i;

    for (i = 0; i < NMEMBERS; i++) {
        const struct member *m = &members[i];
        tvc_store_put(w, i ? ",\"" : "{\"", 2);
        tvc_store_put(w, m->key, strlen(m->key));
        tvc_store_put(w, "\":", 2);
        switch (m->kind) {
        case K_V: tvc_store_num(w, 1); break;
        case K_PHASE: put_json_str(w, phase_names[r->phase]); break;
        case K_DURATION: tvc_store_num(w, r->duration); break;
        case K_ASPECT: put_json_str(w, r->landscape ? "landscape" : "portrait"); break;
        case K_CREATED: tvc_store_num(w, r->created_unix); break;
        default: put_json_str(w, (const char *)r + m->off); break;
        }
    }
    tvc_store_put(w, "}", 1);
    tvc_store_flush(w);
}

static int write_record(struct tvc_journal *j, const char *prefix,
                        const struct tvc_job_rec *rec)
{
    const struct tvc_port *p;
    struct tvc_store_wr w;
    int rc;

    if (!j || !j->port || !rec)
        return TVC_ERR_ARG;
    rc = check_record(rec);
    if (rc < 0)
        return rc;
    p = j->port;
    rc = tvc_journal_path_(j, j->path_, prefix, rec->id, ".json");
    if (rc == 0)
        rc = tvc_journal_path_(j, j->tmp_, prefix, rec->id, ".json.tmp");
    if (rc < 0)
        return rc;
    if (tvc_store_create(&w, p, j->tmp_, j->wr_, sizeof j->wr_) < 0)
        return TVC_ERR_STORAGE;
    encode(&w, rec);
    return tvc_store_commit(p, w.fh, w.err, j->tmp_, j->path_);
}

int tvc_journal_mark_inflight(struct tvc_journal *j, const struct tvc_job_rec *rec)
{
    return write_record(j, "inflight-", rec);
}

int tvc_journal_save(struct tvc_journal *j, const struct tvc_job_rec *rec)
{
    int rc, removed = 0;

    rc = write_record(j, "job-", rec);
    if (rc < 0)
        return rc;
    /* Only now that the job file is durable may the marker go. */
    rc = tvc_journal_path_(j, j->path_, "inflight-", rec->id, ".json");
    if (rc < 0)
        return rc;
    rc = remove_if_present(j->port, j->path_, &removed);
    if (rc == 0 && removed)
        rc = sync_dir(j);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Loading: a bounded streaming parser for one flat JSON object        */

struct jp {
    struct tvc_store_rd r;
    int c;        /* the current byte; TVC_STORE_EOF at the end */
    size_t seen;  /* bytes read: a record is never larger than FILE_MAX */
    int err;
};

/* After any error the current byte reads as the end, so every loop over a
 * character class stops. */
static void jp_next(struct jp *s)
{
    if (!s->err) {
        s->c = tvc_store_getc(&s->r);
        if (s->c < 0)
            s->err = TVC_ERR_STORAGE;
        else if (s->c != TVC_STORE_EOF && ++s->seen > FILE_MAX)
            s->err = TVC_ERR_JSON;
    }
    if (s->err)
        s->c = TVC_STORE_EOF;
}

static void jp_fail(struct jp *s)
{
    if (!s->err)
        s->err = TVC_ERR_JSON;
    s->c = TVC_STORE_EOF;
}

static void jp_ws(struct jp *s)
{
    while (!s->err && (ch_space(s->c)))
        jp_next(s);
}

static void jp_expect(struct jp *s, int ch)
{
    if (s->c != ch)
        jp_fail(s);
    jp_next(s);
}

static unsigned jp_hex4(struct jp *s)
{
    unsigned v = 0;
    int i, h;

    for (i = 0; i < 4; i++) {
        jp_next(s);
        h = ch_hexval(s->c);
        if (h < 0) {
            jp_fail(s);
            return 0;
        }
        v = v << 4 | (unsigned)h;
    }
    return v;
}

struct sink {
    char *dst; /* NULL: skip */
    size_t cap, n;
    int cut;
};

static void emit(struct sink *k, unsigned b)
{
    if (!k->dst)
        return;
    if (k->n + 1 < k->cap)
        k->dst[k->n++] = (char)b;
    else
        k->cut = 1;
}

/* One escape after the backslash (s->c is the escape letter). */
static void jp_escape(struct jp *s, struct sink *k)
{
    unsigned char u[4];
    unsigned cp;
    int b = tvc_ch_json_unesc(s->c), i, n;

    if (b >= 0) {
        emit(k, (unsigned)b);
        return;
    }
    if (s->c != 'u') {
        jp_fail(s);
        return;
    }
    cp = jp_hex4(s);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned lo;
        jp_next(s);
        if (s->c != '\\')
            jp_fail(s);
        jp_next(s);
        if (s->c != 'u')
            jp_fail(s);
        lo = jp_hex4(s);
        if (lo < 0xDC00 || lo > 0xDFFF)
            jp_fail(s);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
        jp_fail(s); /* a lone low surrogate; NUL has no place in a C string */
    }
    if (s->err)
        return;
    n = tvc_ch_utf8(cp, u);
    for (i = 0; i < n; i++)
        emit(k, u[i]);
}

/* Length of the UTF-8 sequence a lead byte starts (1 for anything else). */
static size_t seq_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* A JSON string into @p dst (NULL: skipped).  Text that does not fit is
 * cut at a UTF-8 boundary (k->cut set).  The result must be valid UTF-8. */
static void jp_string(struct jp *s, char *dst, size_t cap, struct sink *k)
{
    k->dst = dst;
    k->cap = cap;
    k->n = 0;
    k->cut = 0;
    if (s->c != '"') {
        jp_fail(s);
        return;
    }
    for (;;) {
        jp_next(s);
        if (s->err)
            return;
        if (s->c == '"')
            break;
        if (s->c == TVC_STORE_EOF || s->c < 0x20) {
            jp_fail(s);
            return;
        }
        if (s->c == '\\') {
            jp_next(s);
            jp_escape(s, k);
        } else {
            emit(k, (unsigned)s->c);
        }
    }
    jp_next(s);
    if (!dst)
        return;
    if (k->cut) {
        size_t i = k->n;
        while (i > 0 && ((unsigned char)dst[i - 1] & 0xC0) == 0x80)
            i--;
        if (i > 0 && k->n - (i - 1) < seq_len((unsigned char)dst[i - 1]))
            k->n = i - 1;
    }
    dst[k->n] = '\0';
    if (tvc_utf8_check(dst, k->n) != 0)
        jp_fail(s);
}

/* A number; *is_int when it is an integer that fits int64_t. */
static void jp_number(struct jp *s, int64_t *v, int *is_int)
{
    uint64_t u = 0;
    int neg = 0, digits = 0, over = 0;

    *is_int = 1;
    if (s->c == '-') {
        neg = 1;
        jp_next(s);
    }
    if (s->c == '0') {
        digits = 1;
        jp_next(s);
    } else {
        while (ch_digit(s->c)) {
            unsigned d = (unsigned)(s->c - '0');
            /* u * 10 + d <= INT64_MAX, without a 64-bit divide */
            if (u > UINT64_C(922337203685477580) || (u == UINT64_C(922337203685477580) && d > 7))
                over = 1;
            else
                u = u * 10 + d;
            digits++;
            jp_next(s);
        }
    }
    if (!digits) {
        jp_fail(s);
        return;
    }
    if (s->c == '.') {
        *is_int = 0;
        jp_next(s);
        if (!ch_digit(s->c))
            jp_fail(s);
        while (ch_digit(s->c))
            jp_next(s);
    }
    if (s->c == 'e' || s->c == 'E') {
        *is_int = 0;
        jp_next(s);
        if (s->c == '+' || s->c == '-')
            jp_next(s);
        if (!ch_digit(s->c))
            jp_fail(s);
        while (ch_digit(s->c))
            jp_next(s);
    }
    if (over)
        *is_int = 0;
    *v = neg ? -(int64_t)u : (int64_t)u;
}

/* true, false or null: @return 1 for null. */
static int jp_literal(struct jp *s)
{
    static const char *const words[] = { "null", "true", "false" };
    const char *w;
    size_t i;

    for (i = 0; i < 3; i++)
        if (s->c == words[i][0])
            break;
    if (i == 3) {
        jp_fail(s); /* also objects and arrays: a record is flat */
        return 0;
    }
    for (w = words[i]; *w; w++) {
        if (s->c != *w) {
            jp_fail(s);
            return 0;
        }
        jp_next(s);
    }
    return i == 0;
}

/* What was seen of the required members. */
struct got {
    int v, phase, id;
};

static void jp_member(struct jp *s, const struct member *m, struct tvc_job_rec *r,
                      struct got *g)
{
    char small[16];
    struct sink k;
    int64_t v = 0;
    int is_int = 0, null = 0, str = s->c == '"';
    size_t i;

    if (m && is_text(m)) {
        char *dst = (char *)r + m->off;
        if (str) {
            jp_string(s, dst, m->size, &k);
            if (k.cut && m->kind != K_TXT)
                jp_fail(s); /* an id, path or URL that does not fit is damage */
        } else if (jp_literal(s)) {
            dst[0] = '\0';
        } else {
            jp_fail(s);
        }
        if (m->off == offsetof(struct tvc_job_rec, id))
            g->id = 1;
        return;
    }
    if (str)
        jp_string(s, small, sizeof small, &k);
    else if (s->c == '-' || ch_digit(s->c))
        jp_number(s, &v, &is_int);
    else
        null = jp_literal(s);
    if (!m || s->err)
        return; /* unknown member: read and ignored */
    switch (m->kind) {
    case K_V:
        g->v = is_int && v == 1;
        if (!g->v)
            jp_fail(s);
        break;
    case K_PHASE:
        for (i = 1; str && i < NPHASES; i++)
            if (tvc_ch_streq(small, phase_names[i]))
                break;
        if (!str || i == NPHASES)
            jp_fail(s);
        r->phase = (int)i;
        g->phase = 1;
        break;
    case K_DURATION:
        if (null)
            r->duration = 0;
        else if (is_int && v >= 0 && v <= 3600)
            r->duration = (int)v;
        else
            jp_fail(s);
        break;
    case K_CREATED:
        if (null)
            r->created_unix = -1;
        else if (is_int)
            r->created_unix = v;
        else
            jp_fail(s);
        break;
    default: /* K_ASPECT */
        r->landscape = str && tvc_ch_streq(small, "landscape");
        break;
    }
}

static int jp_record(struct jp *s, struct tvc_job_rec *r)
{
    struct got g = { 0, 0, 0 };
    char key[24];
    struct sink k;
    size_t i;

    jp_next(s);
    jp_ws(s);
    jp_expect(s, '{');
    jp_ws(s);
    if (s->c == '}')
        jp_fail(s);
    while (!s->err) {
        const struct member *m = NULL;
        jp_string(s, key, sizeof key, &k);
        for (i = 0; i < NMEMBERS && !k.cut; i++)
            if (tvc_ch_streq(key, members[i].key))
                m = &members[i];
        jp_ws(s);
        jp_expect(s, ':');
        jp_ws(s);
        jp_member(s, m, r, &g);
        jp_ws(s);
        if (s->c == '}')
            break;
        jp_expect(s, ',');
        jp_ws(s);
    }
    jp_next(s);
    jp_ws(s);
    if (s->c != TVC_STORE_EOF)
        jp_fail(s); /* trailing bytes */
    if (!s->err && (!g.v || !g.phase || !g.id || !id_ok(r->id, sizeof r->id)))
        jp_fail(s);
    return s->err;
}

static void rec_clear(struct tvc_job_rec *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->created_unix = -1;
}

int tvc_journal_load(struct tvc_journal *j, const char *name, struct tvc_job_rec *rec)
{
    const struct tvc_port *p;
    struct jp s;
    int rc;

    if (rec)
        rec_clear(rec);
    if (!j || !j->port || !name || !rec || !name[0] || memchr(name, '/', strlen(name)) ||
        name[0] == '.')
        return TVC_ERR_ARG;
    p = j->port;
    rc = tvc_journal_path_(j, j->path_, name, "", "");
    if (rc < 0)
        return rc;
    memset(&s, 0, sizeof s);
    s.r.p = p;
    s.r.buf = j->rd_;
    s.r.cap = sizeof j->rd_;
    s.r.fh = p->file_open(p->ctx, j->path_, TVC_FILE_READ);
    if (s.r.fh < 0)
        return s.r.fh == TVC_ERR_NOT_FOUND ? TVC_ERR_NOT_FOUND : TVC_ERR_STORAGE;
    rc = jp_record(&s, rec);
    (void)p->file_close(p->ctx, s.r.fh);
    if (rc < 0)
        rec_clear(rec);
    return rc;
}

int tvc_journal_remove(struct tvc_journal *j, const char *id)
{
    static const char *const prefixes[] = { "job-", "inflight-" };
    size_t i;
    int rc, removed = 0;

    if (!j || !j->port || !id || !id_ok(id, sizeof ((struct tvc_job_rec *)0)->id))
        return TVC_ERR_ARG;
    for (i = 0; i < 2; i++) {
        rc = tvc_journal_path_(j, j->path_, prefixes[i], id, ".json");
        if (rc == 0)
            rc = remove_if_present(j->port, j->path_, &removed);
        if (rc < 0)
            return rc;
    }
    if (removed)
        return sync_dir(j);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Listing                                                             */

struct list_ctx {
    int (*cb)(void *user, const char *name);
    void *user;
    int cb_rc;
};

static int is_record_name(const char *name)
{
    size_t len = strlen(name), pre;

    /* (memcmp, not strncmp: one libc routine less; len guards the reads) */
    if (len >= 4 && memcmp(name, "job-", 4) == 0)
        pre = 4;
    else if (len >= 9 && memcmp(name, "inflight-", 9) == 0)
        pre = 9;
    else
        return 0;
    /* at least one id character, then exactly ".json" at the end */
    return len > pre + 5 && tvc_ch_streq(name + len - 5, ".json");
}

static int list_one(void *user, const char *name)
{
    struct list_ctx *lc = user;

    if (!is_record_name(name))
        return 0;
    lc->cb_rc = lc->cb(lc->user, name);
    return lc->cb_rc;
}

int tvc_journal_list(struct tvc_journal *j, int (*cb)(void *user, const char *name), void *user)
{
    struct list_ctx lc;
    int rc;

    if (!j || !j->port || !cb)
        return TVC_ERR_ARG;
    lc.cb = cb;
    lc.user = user;
    lc.cb_rc = 0;
    rc = j->port->dir_list(j->port->ctx, tvc_journal_dir(j), list_one, &lc);
    if (lc.cb_rc != 0)
        return lc.cb_rc;
    if (rc == TVC_ERR_NOT_FOUND)
        return 0; /* no directory, no records */
    return tvc_store_st(rc);
}

#else /* !TVC_FEATURE_JOURNAL: compiled out; every entry point says so */

const char *tvc_journal_dir(struct tvc_journal *j)
{
    (void)j;
    return "";
}

int tvc_journal_open(struct tvc_journal *j, const struct tvc_port *port, const char *dir)
{
    (void)j, (void)port, (void)dir;
    return TVC_ERR_STATE;
}

int tvc_journal_mark_inflight(struct tvc_journal *j, const struct tvc_job_rec *rec)
{
    (void)j, (void)rec;
    return TVC_ERR_STATE;
}

int tvc_journal_save(struct tvc_journal *j, const struct tvc_job_rec *rec)
{
    (void)j, (void)rec;
    return TVC_ERR_STATE;
}

int tvc_journal_load(struct tvc_journal *j, const char *name, struct tvc_job_rec *rec)
{
    (void)j, (void)name, (void)rec;
    return TVC_ERR_STATE;
}

int tvc_journal_remove(struct tvc_journal *j, const char *id)
{
    (void)j, (void)id;
    return TVC_ERR_STATE;
}

int tvc_journal_list(struct tvc_journal *j, int (*cb)(void *user, const char *name), void *user)
{
    (void)j, (void)cb, (void)user;
    return TVC_ERR_STATE;
}
#endif /* TVC_FEATURE_JOURNAL */
