/*
 * The power-loss journal: one small JSON file per job, always replaced
 * atomically (write "<name>.tmp", fsync, close, rename, fsync the
 * directory), so after a crash a record is either the old or the new one,
 * never a mix.  A leftover "*.tmp" is just ignored by tvc_journal_list().
 */
#include <string.h>

#include "store.h"
#include "tvc_journal.h"
#include "tvc_json.h"

#if TVC_FEATURE_JOURNAL

static const char *const phase_names[] = {
    NULL, "submitting", "polling", "downloading", "done", "failed", "unknown"
};
#define NPHASES (sizeof phase_names / sizeof phase_names[0])

/* Ids name files: keep them to a safe alphabet, so no id can reach
 * outside the directory. */
static int id_ok(const char *id, size_t cap)
{
    size_t i;

    for (i = 0; i < cap && id[i]; i++) {
        char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_'))
            return 0;
    }
    return i > 0 && i < cap;
}

/* dst = dir "/" a b c */
static int make_path(const struct tvc_journal *j, char *dst, size_t cap, const char *a,
                     const char *b, const char *c)
{
    const char *parts[5];
    size_t i, n, len = 0;

    parts[0] = j->dir;
    parts[1] = "/";
    parts[2] = a;
    parts[3] = b;
    parts[4] = c;
    for (i = 0; i < 5; i++) {
        n = strlen(parts[i]);
        if (len + n >= cap)
            return TVC_ERR_NOSPACE;
        memcpy(dst + len, parts[i], n);
        len += n;
    }
    dst[len] = '\0';
    return 0;
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
    if (len >= sizeof j->dir)
        return TVC_ERR_NOSPACE;
    memcpy(j->dir, dir, len);
    j->dir[len] = '\0';
    j->port = port;
    if (strcmp(j->dir, "/") == 0)
        j->dir[0] = '\0'; /* paths become "/<name>" */
    rc = port->dir_create(port->ctx, j->dir[0] ? j->dir : "/");
    return rc < 0 ? TVC_ERR_STORAGE : 0;
}

static const char *dir_name(const struct tvc_journal *j)
{
    return j->dir[0] ? j->dir : "/";
}

/* Replace the file at j->path_ with @p len bytes of j->buf_, atomically. */
static int atomic_write(struct tvc_journal *j, size_t len)
{
    const struct tvc_port *p = j->port;
    size_t plen = strlen(j->path_);
    int fh, rc;

    if (plen + 4 >= sizeof j->tmp_)
        return TVC_ERR_NOSPACE;
    memcpy(j->tmp_, j->path_, plen);
    memcpy(j->tmp_ + plen, ".tmp", 5);
    fh = p->file_open(p->ctx, j->tmp_, TVC_FILE_WRITE);
    if (fh < 0)
        return TVC_ERR_STORAGE;
    rc = p->file_write(p->ctx, fh, (const uint8_t *)j->buf_, len) == (int)len ? 0
                                                                              : TVC_ERR_STORAGE;
    return tvc_store_commit(p, fh, rc, j->tmp_, j->path_);
}

/* A string member of a record; one not NUL-terminated inside its array is
 * refused (TVC_ERR_ARG) rather than over-read. */
static void put_str(struct tvc_jw *w, const char *key, const char *s, size_t cap)
{
    tvc_jw_key(w, key);
    if (memchr(s, '\0', cap) == NULL) {
        if (w->err == 0)
            w->err = TVC_ERR_ARG;
        return;
    }
    tvc_jw_cstr(w, s);
}

#define PUT_STR(w, key, field) put_str((w), (key), (field), sizeof(field))

static int encode(struct tvc_journal *j, const struct tvc_job_rec *r)
{
    struct tvc_jw w;
    int n;

    if (r->phase < 1 || (size_t)r->phase >= NPHASES)
        return TVC_ERR_ARG;
    tvc_jw_init(&w, j->buf_, sizeof j->buf_);
    tvc_jw_object_begin(&w);
    tvc_jw_key(&w, "v");
    tvc_jw_int(&w, 1);
    PUT_STR(&w, "id", r->id);
    tvc_jw_key(&w, "phase");
    tvc_jw_cstr(&w, phase_names[r->phase]);
    PUT_STR(&w, "recordId", r->record_id);
    PUT_STR(&w, "taskId", r->task_id);
    PUT_STR(&w, "adTheme", r->ad_theme);
    PUT_STR(&w, "voiceoverScript", r->voiceover);
    PUT_STR(&w, "referenceImageUrl", r->reference_url);
    tvc_jw_key(&w, "videoDuration");
    tvc_jw_int(&w, r->duration);
    tvc_jw_key(&w, "aspectRatio");
    tvc_jw_cstr(&w, r->landscape ? "landscape" : "portrait");
    PUT_STR(&w, "out", r->out);
    PUT_STR(&w, "storyboardOut", r->storyboard_out);
    PUT_STR(&w, "videoUrl", r->video_url);
    PUT_STR(&w, "imageUrl", r->image_url);
    tvc_jw_key(&w, "createdAt");
    tvc_jw_int(&w, r->created_unix);
    PUT_STR(&w, "lastError", r->last_error);
    tvc_jw_object_end(&w);
    n = tvc_jw_finish(&w);
    return n;
}

static int write_record(struct tvc_journal *j, const char *prefix,
                        const struct tvc_job_rec *rec)
{
    int n, rc;

    if (!j || !rec)
        return TVC_ERR_ARG;
    if (!id_ok(rec->id, sizeof rec->id))
        return TVC_ERR_ARG;
    rc = make_path(j, j->path_, sizeof j->path_, prefix, rec->id, ".json");
    if (rc < 0)
        return rc;
    n = encode(j, rec);
    if (n < 0)
        return n;
    return atomic_write(j, (size_t)n);
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
    rc = make_path(j, j->path_, sizeof j->path_, "inflight-", rec->id, ".json");
    if (rc < 0)
        return rc;
    rc = remove_if_present(j->port, j->path_, &removed);
    if (rc == 0 && removed)
        rc = tvc_store_st(j->port->dir_sync(j->port->ctx, dir_name(j)));
    return rc;
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

/* String member @p key into @p out.  Absent or null gives "".  @p cut_ok:
 * free text, where a value cut at a UTF-8 boundary is acceptable. */
static int get_str(const struct tvc_json *js, const char *key, char *out, size_t cap,
                   int cut_ok)
{
    int idx = tvc_json_find(js, 0, key), rc;

    out[0] = '\0';
    if (idx == TVC_ERR_NOT_FOUND || (idx >= 0 && tvc_json_is_null(js, idx)))
        return 0;
    if (idx < 0)
        return TVC_ERR_JSON;
    rc = tvc_json_string(js, idx, out, cap, NULL);
    if (rc == TVC_ERR_NOSPACE && cut_ok)
        rc = 0;
    if (rc < 0) {
        out[0] = '\0';
        return TVC_ERR_JSON;
    }
    return 0;
}

static int get_int(const struct tvc_json *js, const char *key, int64_t *v, int64_t dflt)
{
    int idx = tvc_json_find(js, 0, key);

    *v = dflt;
    if (idx == TVC_ERR_NOT_FOUND || (idx >= 0 && tvc_json_is_null(js, idx)))
        return 0;
    if (idx < 0 || tvc_json_int(js, idx, v) < 0)
        return TVC_ERR_JSON;
    return 0;
}

static int decode(const struct tvc_json *js, struct tvc_job_rec *r)
{
    int64_t v;
    size_t i;
    int idx, rc = 0;

    if (tvc_json_kind(js, 0) != TVC_JSON_OBJECT)
        return TVC_ERR_JSON;
    idx = tvc_json_find(js, 0, "v");
    if (idx < 0 || tvc_json_int(js, idx, &v) < 0 || v != 1)
        return TVC_ERR_JSON;

    idx = tvc_json_find(js, 0, "phase");
    if (idx < 0)
        return TVC_ERR_JSON;
    for (i = 1; i < NPHASES; i++)
        if (tvc_json_string_eq(js, idx, phase_names[i]))
            break;
    if (i == NPHASES)
        return TVC_ERR_JSON;
    r->phase = (int)i;

    if (tvc_json_find(js, 0, "id") < 0)
        return TVC_ERR_JSON;
    rc |= get_str(js, "id", r->id, sizeof r->id, 0);
    rc |= get_str(js, "recordId", r->record_id, sizeof r->record_id, 0);
    rc |= get_str(js, "taskId", r->task_id, sizeof r->task_id, 0);
    rc |= get_str(js, "adTheme", r->ad_theme, sizeof r->ad_theme, 1);
    rc |= get_str(js, "voiceoverScript", r->voiceover, sizeof r->voiceover, 1);
    rc |= get_str(js, "referenceImageUrl", r->reference_url, sizeof r->reference_url, 0);
    rc |= get_str(js, "out", r->out, sizeof r->out, 0);
    rc |= get_str(js, "storyboardOut", r->storyboard_out, sizeof r->storyboard_out, 0);
    rc |= get_str(js, "videoUrl", r->video_url, sizeof r->video_url, 0);
    rc |= get_str(js, "imageUrl", r->image_url, sizeof r->image_url, 0);
    rc |= get_str(js, "lastError", r->last_error, sizeof r->last_error, 1);
    if (rc != 0 || !id_ok(r->id, sizeof r->id))
        return TVC_ERR_JSON;

    if (get_int(js, "videoDuration", &v, 0) < 0 || v < 0 || v > 3600)
        return TVC_ERR_JSON;
    r->duration = (int)v;
    if (get_int(js, "createdAt", &v, -1) < 0)
        return TVC_ERR_JSON;
    r->created_unix = v;
    idx = tvc_json_find(js, 0, "aspectRatio");
    r->landscape = idx >= 0 && tvc_json_string_eq(js, idx, "landscape");
    return 0;
}

int tvc_journal_load(struct tvc_journal *j, const char *name, struct tvc_job_rec *rec)
{
    const struct tvc_port *p;
    struct tvc_json_tok toks[TVC_JOURNAL_TOKENS];
    struct tvc_json js;
    size_t len = 0;
    int fh, n, rc = 0;

    if (!j || !name || !rec || !name[0] || strchr(name, '/') || name[0] == '.')
        return TVC_ERR_ARG;
    p = j->port;
    rc = make_path(j, j->path_, sizeof j->path_, name, "", "");
    if (rc < 0)
        return rc;
    fh = p->file_open(p->ctx, j->path_, TVC_FILE_READ);
    if (fh < 0)
        return fh == TVC_ERR_NOT_FOUND ? TVC_ERR_NOT_FOUND : TVC_ERR_STORAGE;
    for (;;) {
        if (len == sizeof j->buf_) {
            rc = TVC_ERR_JSON; /* no record is this large */
            break;
        }
        n = p->file_read(p->ctx, fh, (uint8_t *)j->buf_ + len, sizeof j->buf_ - len);
        if (n < 0 || (size_t)n > sizeof j->buf_ - len) {
            rc = TVC_ERR_STORAGE;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    (void)p->file_close(p->ctx, fh);
    if (rc < 0)
        return rc;

    memset(rec, 0, sizeof *rec);
    rec->created_unix = -1;
    n = tvc_json_parse(&js, j->buf_, len, toks, TVC_JOURNAL_TOKENS);
    rc = n < 0 ? TVC_ERR_JSON : decode(&js, rec);
    if (rc < 0) {
        memset(rec, 0, sizeof *rec);
        rec->created_unix = -1;
    }
    return rc;
}

int tvc_journal_remove(struct tvc_journal *j, const char *id)
{
    static const char *const prefixes[] = { "job-", "inflight-" };
    size_t i;
    int rc, removed = 0;

    if (!j || !id || !id_ok(id, sizeof ((struct tvc_job_rec *)0)->id))
        return TVC_ERR_ARG;
    for (i = 0; i < 2; i++) {
        rc = make_path(j, j->path_, sizeof j->path_, prefixes[i], id, ".json");
        if (rc == 0)
            rc = remove_if_present(j->port, j->path_, &removed);
        if (rc < 0)
            return rc;
    }
    if (removed)
        return tvc_store_st(j->port->dir_sync(j->port->ctx, dir_name(j)));
    return 0;
}

/* ------------------------------------------------------------------ */
/* Listing                                                             */

struct list_ctx {
    int (*cb)(void *user, const char *name);
    void *user;
    int cb_rc;
};

static int has_prefix(const char *s, const char *pre)
{
    return strncmp(s, pre, strlen(pre)) == 0;
}

static int is_record_name(const char *name)
{
    size_t len = strlen(name), pre;

    if (has_prefix(name, "job-"))
        pre = 4;
    else if (has_prefix(name, "inflight-"))
        pre = 9;
    else
        return 0;
    /* at least one id character, then exactly ".json" at the end */
    return len > pre + 5 && strcmp(name + len - 5, ".json") == 0;
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

    if (!j || !cb)
        return TVC_ERR_ARG;
    lc.cb = cb;
    lc.user = user;
    lc.cb_rc = 0;
    rc = j->port->dir_list(j->port->ctx, dir_name(j), list_one, &lc);
    if (lc.cb_rc != 0)
        return lc.cb_rc;
    if (rc == TVC_ERR_NOT_FOUND)
        return 0; /* no directory, no records */
    return tvc_store_st(rc);
}

#else /* !TVC_FEATURE_JOURNAL: compiled out; every entry point says so */

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
