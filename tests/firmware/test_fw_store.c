/* The RAM file store of boards/cortex-m4 (fw_store.h), on the board: the
 * port's storage semantics, the full-store errors, and libtvc's journal
 * and request budget running over it. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "fw_store.h"
#include "fw_nonet.h"
#include "suites.h"
#include "tvc_journal.h"

static struct fw_store st;
static struct tvc_port port;

/* The journal checks need a whole port: a network half that is never used
 * (a board without network still needs a clock and entropy). */
static uint64_t clock_ms(void *ctx)
{
    (void)ctx;
    return 1000;
}
/* a fixed pattern: the budget only names its lease with it */
static int fixed_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0x5a, len);
    return 0;
}

static void setup(void)
{
    memset(&port, 0, sizeof port);
    port.version = TVC_PORT_VERSION;
    fw_port_no_network(&port);
    port.now_ms = clock_ms;
    port.entropy = fixed_entropy;
    fw_store_init(&st, &port);
}

/* Write a whole file through the port: open, write, sync (unless told
 * not to), close. */
static int put(const char *path, unsigned flags, const char *text, int sync)
{
    int fh = port.file_open(port.ctx, path, flags), rc;
    if (fh < 0)
        return fh;
    rc = port.file_write(port.ctx, fh, (const uint8_t *)text, strlen(text));
    if (rc >= 0 && sync)
        rc = port.file_sync(port.ctx, fh);
    if (port.file_close(port.ctx, fh) != 0 && rc >= 0)
        rc = TVC_ERR_STORAGE;
    return rc < 0 ? rc : 0;
}

/* Read a whole file into buf (NUL-terminated), in small pieces; the
 * length, or the error. */
static int get(const char *path, char *buf, size_t cap)
{
    int fh = port.file_open(port.ctx, path, TVC_FILE_READ), n;
    size_t have = 0;
    if (fh < 0)
        return fh;
    do {
        size_t want = cap - 1 - have < 7 ? cap - 1 - have : 7;
        n = port.file_read(port.ctx, fh, (uint8_t *)buf + have, want);
        if (n > 0)
            have += (size_t)n;
    } while (n > 0 && have < cap - 1);
    buf[have] = '\0';
    (void)port.file_close(port.ctx, fh);
    return n < 0 ? n : (int)have;
}

static long fsize(const char *path)
{
    uint64_t n = 0;
    int rc = port.file_size(port.ctx, path, &n);
    return rc < 0 ? rc : (long)n;
}

static void t_write_sync_read(void)
{
    char b[64];
    setup();
    CHECK_EQ(port.file_open(port.ctx, "a.txt", TVC_FILE_READ), TVC_ERR_NOT_FOUND);
    CHECK_EQ(put("a.txt", TVC_FILE_WRITE, "hello, board", 1), 0);
    CHECK_EQ(get("a.txt", b, sizeof b), 12);
    CHECK_STR(b, "hello, board");
    CHECK_EQ(fsize("a.txt"), 12);
    /* same file through other spellings of its path */
    CHECK_EQ(fsize("/a.txt"), 12);
    CHECK_EQ(fsize("./a.txt"), 12);
    /* WRITE replaces the content */
    CHECK_EQ(put("a.txt", TVC_FILE_WRITE, "new", 1), 0);
    CHECK_EQ(get("a.txt", b, sizeof b), 3);
    CHECK_STR(b, "new");
    CHECK_EQ(st.used, 3);
}

static void t_durable_after_sync(void)
{
    char b[64];
    int fh;
    setup();
    CHECK_EQ(put("d.txt", TVC_FILE_WRITE, "synced", 1), 0);
    /* written, not synced: readers still see the synced content */
    fh = port.file_open(port.ctx, "d.txt", TVC_FILE_WRITE);
    CHECK(fh >= 0);
    CHECK_EQ(port.file_write(port.ctx, fh, (const uint8_t *)"unsynced", 8), 8);
    CHECK_EQ(get("d.txt", b, sizeof b), 6);
    CHECK_STR(b, "synced");
    /* a power cut drops the unsynced bytes and the handle */
    fw_store_power_cut(&st);
    CHECK_EQ(port.file_sync(port.ctx, fh), TVC_ERR_STORAGE);
    CHECK_EQ(get("d.txt", b, sizeof b), 6);
    CHECK_STR(b, "synced");
    /* closing without a sync drops them as well */
    CHECK_EQ(put("d.txt", TVC_FILE_WRITE, "never synced", 0), 0);
    CHECK_EQ(get("d.txt", b, sizeof b), 6);
    CHECK_STR(b, "synced");
    /* a name created but never synced exists, empty */
    CHECK_EQ(put("e.txt", TVC_FILE_WRITE, "x", 0), 0);
    CHECK_EQ(fsize("e.txt"), 0);
    CHECK_EQ(st.used, 6); /* nothing pending left behind */
}

static void t_append(void)
{
    char b[64];
    int fh;
    setup();
    CHECK_EQ(put("log", TVC_FILE_APPEND, "one ", 1), 0);
    CHECK_EQ(put("other", TVC_FILE_WRITE, "between", 1), 0); /* content not at the arena's end */
    CHECK_EQ(put("log", TVC_FILE_APPEND, "two ", 1), 0);
    fh = port.file_open(port.ctx, "log", TVC_FILE_APPEND);
    CHECK(fh >= 0);
    CHECK_EQ(port.file_write(port.ctx, fh, (const uint8_t *)"thr", 3), 3);
    CHECK_EQ(port.file_write(port.ctx, fh, (const uint8_t *)"ee", 2), 2);
    CHECK_EQ(port.file_sync(port.ctx, fh), 0);
    CHECK_EQ(port.file_write(port.ctx, fh, (const uint8_t *)" four", 5), 5);
    CHECK_EQ(port.file_sync(port.ctx, fh), 0);
    CHECK_EQ(port.file_close(port.ctx, fh), 0);
    CHECK_EQ(get("log", b, sizeof b), 18);
    CHECK_STR(b, "one two three four");
    CHECK_EQ(get("other", b, sizeof b), 7);
    CHECK_STR(b, "between");
    /* a WRITE handle goes on after its first sync, it does not truncate again */
    fh = port.file_open(port.ctx, "log", TVC_FILE_WRITE);
    CHECK_EQ(port.file_write(port.ctx, fh, (const uint8_t *)"ab", 2), 2);
    CHECK_EQ(port.file_sync(port.ctx, fh), 0);
    CHECK_EQ(port.file_write(port.ctx, fh, (const uint8_t *)"cd", 2), 2);
    CHECK_EQ(port.file_sync(port.ctx, fh), 0);
    CHECK_EQ(port.file_close(port.ctx, fh), 0);
    CHECK_EQ(get("log", b, sizeof b), 4);
    CHECK_STR(b, "abcd");
    CHECK_EQ(st.used, 4 + 7);
}

static void t_rename_replaces(void)
{
    char b[64];
    int rd;
    setup();
    CHECK_EQ(put("rec.json", TVC_FILE_WRITE, "old", 1), 0);
    CHECK_EQ(put("rec.json.tmp", TVC_FILE_WRITE, "new record", 1), 0);
    rd = port.file_open(port.ctx, "rec.json", TVC_FILE_READ); /* holds the old file */
    CHECK(rd >= 0);
    CHECK_EQ(port.file_rename(port.ctx, "rec.json.tmp", "rec.json"), 0);
    CHECK_EQ(fsize("rec.json.tmp"), TVC_ERR_NOT_FOUND);
    CHECK_EQ(get("rec.json", b, sizeof b), 10);
    CHECK_STR(b, "new record");
    /* the replaced file stays readable through its handle, then goes */
    CHECK_EQ(port.file_read(port.ctx, rd, (uint8_t *)b, sizeof b), 3);
    CHECK(memcmp(b, "old", 3) == 0);
    CHECK_EQ(st.used, 13);
    CHECK_EQ(port.file_close(port.ctx, rd), 0);
    CHECK_EQ(st.used, 10);
    /* a missing source, a directory target, a missing target directory */
    CHECK_EQ(port.file_rename(port.ctx, "nope", "rec.json"), TVC_ERR_STORAGE);
    CHECK_EQ(port.dir_create(port.ctx, "d"), 0);
    CHECK_EQ(port.file_rename(port.ctx, "rec.json", "d"), TVC_ERR_STORAGE);
    CHECK_EQ(port.file_rename(port.ctx, "rec.json", "e/rec.json"), TVC_ERR_STORAGE);
    CHECK_EQ(port.file_rename(port.ctx, "rec.json", "d/rec.json"), 0);
    CHECK_EQ(get("d/rec.json", b, sizeof b), 10);
}

static void t_remove(void)
{
    setup();
    CHECK_EQ(put("gone", TVC_FILE_WRITE, "bytes", 1), 0);
    CHECK_EQ(port.file_remove(port.ctx, "gone"), 0);
    CHECK_EQ(port.file_remove(port.ctx, "gone"), TVC_ERR_NOT_FOUND);
    CHECK_EQ(port.file_open(port.ctx, "gone", TVC_FILE_READ), TVC_ERR_NOT_FOUND);
    CHECK_EQ(fsize("gone"), TVC_ERR_NOT_FOUND);
    CHECK_EQ(st.used, 0);
    /* a directory only when empty */
    CHECK_EQ(port.dir_create(port.ctx, "dir"), 0);
    CHECK_EQ(put("dir/f", TVC_FILE_WRITE, "x", 1), 0);
    CHECK_EQ(port.file_remove(port.ctx, "dir"), TVC_ERR_STORAGE);
    CHECK_EQ(port.file_remove(port.ctx, "dir/f"), 0);
    CHECK_EQ(port.file_remove(port.ctx, "dir"), 0);
    CHECK_EQ(port.dir_sync(port.ctx, "dir"), TVC_ERR_STORAGE);
}

struct names {
    char all[256];
    int n, stop_at;
};

static int collect(void *user, const char *name)
{
    struct names *c = user;
    strcat(c->all, name);
    strcat(c->all, ";");
    c->n++;
    return c->n == c->stop_at ? 42 : 0;
}

static void t_dirs(void)
{
    struct names c;
    setup();
    CHECK_EQ(put("x/y", TVC_FILE_WRITE, "a", 1), TVC_ERR_STORAGE); /* no parent */
    CHECK_EQ(port.dir_create(port.ctx, "state/jobs/"), 0);
    CHECK_EQ(port.dir_create(port.ctx, "state/jobs"), 0); /* already there */
    CHECK_EQ(port.dir_sync(port.ctx, "state/jobs"), 0);
    CHECK_EQ(port.dir_sync(port.ctx, "."), 0);
    CHECK_EQ(port.dir_sync(port.ctx, "/"), 0);
    CHECK_EQ(put("state/a", TVC_FILE_WRITE, "1", 1), 0);
    CHECK_EQ(put("state/b", TVC_FILE_WRITE, "2", 1), 0);
    CHECK_EQ(put("state/jobs/c", TVC_FILE_WRITE, "3", 1), 0);
    CHECK_EQ(put("top", TVC_FILE_WRITE, "4", 1), 0);
    memset(&c, 0, sizeof c);
    CHECK_EQ(port.dir_list(port.ctx, "state", collect, &c), 0);
    CHECK_STR(c.all, "jobs;a;b;");
    memset(&c, 0, sizeof c);
    CHECK_EQ(port.dir_list(port.ctx, "/", collect, &c), 0);
    CHECK_STR(c.all, "state;top;");
    memset(&c, 0, sizeof c);
    c.stop_at = 2;
    CHECK_EQ(port.dir_list(port.ctx, "state/", collect, &c), 42); /* cb's value ends it */
    CHECK_EQ(c.n, 2);
    CHECK_EQ(port.dir_list(port.ctx, "missing", collect, &c), TVC_ERR_NOT_FOUND);
    CHECK_EQ(port.dir_list(port.ctx, "top", collect, &c), TVC_ERR_STORAGE);
    CHECK_EQ(port.dir_create(port.ctx, "top/sub"), TVC_ERR_STORAGE); /* a file on the way */
    CHECK_EQ(port.file_open(port.ctx, "state", TVC_FILE_READ), TVC_ERR_STORAGE);
    CHECK_EQ(port.file_open(port.ctx, "../x", TVC_FILE_WRITE), TVC_ERR_STORAGE);
}

static void t_lock(void)
{
    int a, b;
    setup();
    a = port.file_open(port.ctx, "budget.lock", TVC_FILE_APPEND);
    b = port.file_open(port.ctx, "budget.lock", TVC_FILE_APPEND);
    CHECK(a >= 0 && b >= 0 && a != b);
    CHECK_EQ(port.file_lock(port.ctx, a), 0);
    CHECK_EQ(port.file_lock(port.ctx, b), TVC_ERR_STORAGE); /* would never be granted */
    CHECK_EQ(port.file_close(port.ctx, a), 0);              /* close releases */
    CHECK_EQ(port.file_lock(port.ctx, b), 0);
    CHECK_EQ(port.file_close(port.ctx, b), 0);
    CHECK_EQ(port.file_close(port.ctx, b), TVC_ERR_STORAGE); /* not open any more */
}

static void t_full(void)
{
    static uint8_t big[FW_STORE_ARENA];
    char name[16];
    int fh, i, hs[FW_STORE_HANDLES];
    setup();

    /* bytes: a write that does not fit fails whole, the rest stays */
    memset(big, 'z', sizeof big);
    fh = port.file_open(port.ctx, "big", TVC_FILE_WRITE);
    CHECK_EQ(port.file_write(port.ctx, fh, big, sizeof big - 10), (int)sizeof big - 10);
    CHECK_EQ(port.file_write(port.ctx, fh, big, 11), TVC_ERR_STORAGE);
    CHECK_EQ(port.file_write(port.ctx, fh, big, 10), 10);
    CHECK_EQ(port.file_write(port.ctx, fh, big, 1), TVC_ERR_STORAGE);
    CHECK_EQ(port.file_sync(port.ctx, fh), 0);
    CHECK_EQ(port.file_close(port.ctx, fh), 0);
    CHECK_EQ(fsize("big"), (long)sizeof big);
    CHECK_EQ(put("more", TVC_FILE_WRITE, "x", 1), TVC_ERR_STORAGE);
    CHECK_EQ(fsize("more"), 0); /* the name was made, the byte was not */
    /* an append needing a second copy at sync while full: refused, intact */
    CHECK_EQ(port.file_remove(port.ctx, "big"), 0);
    CHECK_EQ(put("a", TVC_FILE_WRITE, "0123456789", 1), 0);
    CHECK_EQ(put("b", TVC_FILE_WRITE, "b", 1), 0);
    fh = port.file_open(port.ctx, "a", TVC_FILE_APPEND);
    CHECK_EQ(port.file_write(port.ctx, fh, big, sizeof big - 11), (int)sizeof big - 11);
    CHECK_EQ(port.file_sync(port.ctx, fh), TVC_ERR_STORAGE);
    CHECK_EQ(port.file_close(port.ctx, fh), 0);
    CHECK_EQ(fsize("a"), 10);
    CHECK_EQ(st.used, 11);

    /* names */
    setup();
    for (i = 0; i < FW_STORE_FILES; i++) {
        snprintf(name, sizeof name, "f%d", i);
        CHECK_EQ(put(name, TVC_FILE_WRITE, "n", 1), 0);
    }
    CHECK_EQ(put("one-too-many", TVC_FILE_WRITE, "n", 1), TVC_ERR_STORAGE);
    CHECK_EQ(port.dir_create(port.ctx, "d"), TVC_ERR_STORAGE);
    CHECK_EQ(port.file_remove(port.ctx, "f0"), 0);
    CHECK_EQ(put("one-too-many", TVC_FILE_WRITE, "n", 1), 0);

    /* handles */
    for (i = 0; i < FW_STORE_HANDLES; i++)
        hs[i] = port.file_open(port.ctx, "f1", TVC_FILE_READ);
    CHECK(hs[FW_STORE_HANDLES - 1] >= 0);
    CHECK_EQ(port.file_open(port.ctx, "f1", TVC_FILE_READ), TVC_ERR_STORAGE);
    for (i = 0; i < FW_STORE_HANDLES; i++)
        CHECK_EQ(port.file_close(port.ctx, hs[i]), 0);

    /* paths */
    memset(big, 'p', FW_STORE_PATH_MAX);
    big[FW_STORE_PATH_MAX] = 0;
    CHECK_EQ(port.file_open(port.ctx, (const char *)big, TVC_FILE_WRITE), TVC_ERR_STORAGE);
}

/* libtvc's journal over the store: save, load, list, replace, remove. */
static void sample(struct tvc_job_rec *r, const char *id, int phase)
{
    memset(r, 0, sizeof *r);
    strcpy(r->id, id);
    r->phase = phase;
    strcpy(r->record_id, "rec-1");
    strcpy(r->task_id, "task-1");
    strcpy(r->ad_theme, "A coffee ad on a board");
    strcpy(r->voiceover, "");
    r->duration = 10;
    r->landscape = 1;
    strcpy(r->video_url, "https://cdn.example/v.mp4");
    r->created_unix = 1700000000;
}

static void t_journal(void)
{
    static struct tvc_journal j;
    static struct tvc_job_rec a, b;
    struct names c;
    setup();
    CHECK_EQ(tvc_journal_open(&j, &port, "state/tvc"), 0);
    sample(&a, "0badc0de", TVC_PHASE_SUBMITTING);
    CHECK_EQ(tvc_journal_mark_inflight(&j, &a), 0);
    CHECK(fsize("state/tvc/inflight-0badc0de.json") > 0);
    a.phase = TVC_PHASE_POLLING;
    CHECK_EQ(tvc_journal_save(&j, &a), 0);
    /* the marker is gone, the record is there, no temp file is left */
    CHECK_EQ(fsize("state/tvc/inflight-0badc0de.json"), TVC_ERR_NOT_FOUND);
    memset(&c, 0, sizeof c);
    CHECK_EQ(port.dir_list(port.ctx, "state/tvc", collect, &c), 0);
    CHECK_STR(c.all, "job-0badc0de.json;");
    CHECK_EQ(tvc_journal_load(&j, "job-0badc0de.json", &b), 0);
    CHECK_STR(b.id, "0badc0de");
    CHECK_EQ(b.phase, TVC_PHASE_POLLING);
    CHECK_STR(b.task_id, "task-1");
    CHECK_STR(b.ad_theme, "A coffee ad on a board");
    CHECK_STR(b.video_url, "https://cdn.example/v.mp4");
    CHECK_EQ(b.created_unix, 1700000000);
    /* rewritten at a phase change: replaced atomically */
    a.phase = TVC_PHASE_DONE;
    CHECK_EQ(tvc_journal_save(&j, &a), 0);
    CHECK_EQ(tvc_journal_load(&j, "job-0badc0de.json", &b), 0);
    CHECK_EQ(b.phase, TVC_PHASE_DONE);
    /* a second record; the journal lists both */
    sample(&a, "feed", TVC_PHASE_POLLING);
    CHECK_EQ(tvc_journal_save(&j, &a), 0);
    memset(&c, 0, sizeof c);
    CHECK_EQ(tvc_journal_list(&j, collect, &c), 0);
    CHECK_EQ(c.n, 2);
    CHECK(strstr(c.all, "job-0badc0de.json;") != NULL);
    CHECK(strstr(c.all, "job-feed.json;") != NULL);
    /* a record whose save was cut before its sync is still the old one */
    a.phase = TVC_PHASE_DOWNLOADING;
    CHECK_EQ(put("state/tvc/job-feed.json", TVC_FILE_WRITE, "{\"v\":1,", 0), 0);
    CHECK_EQ(tvc_journal_load(&j, "job-feed.json", &b), 0);
    CHECK_EQ(b.phase, TVC_PHASE_POLLING);
    /* remove */
    CHECK_EQ(tvc_journal_remove(&j, "feed"), 0);
    CHECK_EQ(tvc_journal_load(&j, "job-feed.json", &b), TVC_ERR_NOT_FOUND);
    CHECK_EQ(tvc_journal_remove(&j, "0badc0de"), 0);
    memset(&c, 0, sizeof c);
    CHECK_EQ(tvc_journal_list(&j, collect, &c), 0);
    CHECK_EQ(c.n, 0);
    CHECK_EQ(st.used, 0);
    /* damage: a truncated record loads as TVC_ERR_JSON */
    CHECK_EQ(put("state/tvc/job-bad.json", TVC_FILE_WRITE, "{\"v\":1,\"id\":\"ba", 1), 0);
    CHECK_EQ(tvc_journal_load(&j, "job-bad.json", &b), TVC_ERR_JSON);
}

/* The request budget's lease file and lock over the store. */
static void t_budget(void)
{
    static struct tvc_journal j;
    int64_t wait = 0, now = 1700000000;
    int i;
    char b[512];
    setup();
    CHECK_EQ(tvc_journal_open(&j, &port, "b"), 0);
    for (i = 0; i < 3; i++)
        CHECK_EQ(tvc_budget_take(&j, 3, now + i, &wait), 0);
    CHECK_EQ(tvc_budget_take(&j, 3, now + 3, &wait), TVC_ERR_AGAIN);
    CHECK(wait >= 1);
    CHECK_EQ(tvc_budget_release(&j, now + 4), 0);
    CHECK(get("b/budget", b, sizeof b) > 0);
    CHECK(strncmp(b, "tvc-budget 2\n", 13) == 0);
    /* an hour later there is room again */
    CHECK_EQ(tvc_budget_take(&j, 3, now + 3700, &wait), 0);
    CHECK_EQ(tvc_budget_release(&j, now + 3701), 0);
}

int fw_suite_fw_store(void)
{
    RUN(t_write_sync_read);
    RUN(t_durable_after_sync);
    RUN(t_append);
    RUN(t_rename_replaces);
    RUN(t_remove);
    RUN(t_dirs);
    RUN(t_lock);
    RUN(t_full);
    RUN(t_journal);
    RUN(t_budget);
    return h_summary();
}
