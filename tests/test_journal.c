/* Journal records and the shared request budget, on the real POSIX port in
 * a fresh temporary directory per case. */
#define _DEFAULT_SOURCE

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "tvc_journal.h"
#include "tvc_posix.h"

static struct tvc_posix px;
static struct tvc_port port;
static struct tvc_journal jr;
static char dir[256];

/* ---- helpers ---- */

static void rm_rf(const char *d)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", d);
}

static void fresh_dir(void)
{
    strcpy(dir, "/tmp/tvc-journal-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
}

static void setup(void)
{
    fresh_dir();
    tvc_posix_init(&px, &port);
    CHECK_EQ(tvc_journal_open(&jr, &port, dir), 0);
}

static void teardown(void)
{
    rm_rf(dir);
}

static int exists(const char *name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

static void write_file(const char *name, const char *text, size_t len)
{
    char p[512];
    FILE *f;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    f = fopen(p, "wb");
    if (!f)
        return;
    fwrite(text, 1, len, f);
    fclose(f);
}

static size_t read_file(const char *name, char *out, size_t cap)
{
    char p[512];
    FILE *f;
    size_t n;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    f = fopen(p, "rb");
    if (!f)
        return (size_t)-1;
    n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
    return n;
}

static int count_tmp(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l >= 4 && strcmp(de->d_name + l - 4, ".tmp") == 0)
            n++;
    }
    closedir(d);
    return n;
}

static void sample(struct tvc_job_rec *r, const char *id)
{
    memset(r, 0, sizeof *r);
    strcpy(r->id, id);
    r->phase = TVC_PHASE_POLLING;
    strcpy(r->record_id, "rec-42");
    strcpy(r->task_id, "task/7");
    strcpy(r->ad_theme, "Caf\xc3\xa9 \"Zur Sonne\" \xe2\x98\x95 \\ line\nnext\ttab \xf0\x9f\x8e\xac \xe6\x97\xa5\xe6\x9c\xac");
    strcpy(r->voiceover, "Say \"hello\" \xe2\x80\x94 twice");
    strcpy(r->reference_url, "https://cdn.example.com/ref.png?x=1&y=\"2\"");
    r->duration = 15;
    r->landscape = 1;
    strcpy(r->out, "/var/lib/tvc/out video.mp4");
    strcpy(r->storyboard_out, "");
    strcpy(r->video_url, "https://files.example.com/v.mp4");
    strcpy(r->image_url, "https://files.example.com/i.png");
    r->created_unix = 1700000000;
    strcpy(r->last_error, "");
}

static void check_same(const struct tvc_job_rec *a, const struct tvc_job_rec *b)
{
    CHECK_STR(a->id, b->id);
    CHECK_EQ(a->phase, b->phase);
    CHECK_STR(a->record_id, b->record_id);
    CHECK_STR(a->task_id, b->task_id);
    CHECK_STR(a->ad_theme, b->ad_theme);
    CHECK_STR(a->voiceover, b->voiceover);
    CHECK_STR(a->reference_url, b->reference_url);
    CHECK_EQ(a->duration, b->duration);
    CHECK_EQ(a->landscape, b->landscape);
    CHECK_STR(a->out, b->out);
    CHECK_STR(a->storyboard_out, b->storyboard_out);
    CHECK_STR(a->video_url, b->video_url);
    CHECK_STR(a->image_url, b->image_url);
    CHECK_EQ(a->created_unix, b->created_unix);
    CHECK_STR(a->last_error, b->last_error);
}

/* ---- journal cases ---- */

static void t_roundtrip(void)
{
    static struct tvc_job_rec a, b;
    char text[8192];

    setup();
    sample(&a, "0123abcd");
    CHECK_EQ(tvc_journal_save(&jr, &a), 0);
    CHECK(exists("job-0123abcd.json"));
    CHECK_EQ(tvc_journal_load(&jr, "job-0123abcd.json", &b), 0);
    check_same(&a, &b);
    /* the file is the documented JSON */
    CHECK(read_file("job-0123abcd.json", text, sizeof text) != (size_t)-1);
    CHECK(strstr(text, "\"v\":1") != NULL);
    CHECK(strstr(text, "\"phase\":\"polling\"") != NULL);
    CHECK(strstr(text, "\"aspectRatio\":\"landscape\"") != NULL);
    CHECK(strstr(text, "\"videoDuration\":15") != NULL);
    CHECK(strstr(text, "\"createdAt\":1700000000") != NULL);
    CHECK(strstr(text, "\\\"Zur Sonne\\\"") != NULL);

    /* portrait, unknown creation time, an error text */
    a.landscape = 0;
    a.created_unix = -1;
    a.duration = 10;
    strcpy(a.last_error, "HTTP 503 \"busy\"");
    CHECK_EQ(tvc_journal_save(&jr, &a), 0);
    CHECK_EQ(tvc_journal_load(&jr, "job-0123abcd.json", &b), 0);
    check_same(&a, &b);
    CHECK_EQ(count_tmp(), 0);
    teardown();
}

static void t_phases(void)
{
    static const int phases[] = { TVC_PHASE_POLLING, TVC_PHASE_DOWNLOADING, TVC_PHASE_DONE,
                                  TVC_PHASE_FAILED, TVC_PHASE_UNKNOWN };
    static const char *const names[] = { "polling", "downloading", "done", "failed", "unknown" };
    static struct tvc_job_rec a, b;
    char text[8192], want[64];
    size_t i;

    setup();
    sample(&a, "feed");
    for (i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        a.phase = phases[i];
        CHECK_EQ(tvc_journal_save(&jr, &a), 0);
        CHECK_EQ(tvc_journal_load(&jr, "job-feed.json", &b), 0);
        CHECK_EQ(b.phase, phases[i]);
        read_file("job-feed.json", text, sizeof text);
        snprintf(want, sizeof want, "\"phase\":\"%s\"", names[i]);
        CHECK(strstr(text, want) != NULL);
    }
    a.phase = 0;
    CHECK_EQ(tvc_journal_save(&jr, &a), TVC_ERR_ARG);
    a.phase = TVC_PHASE_UNKNOWN + 1;
    CHECK_EQ(tvc_journal_save(&jr, &a), TVC_ERR_ARG);
    CHECK_EQ(tvc_journal_load(&jr, "job-feed.json", &b), 0);
    CHECK_EQ(b.phase, TVC_PHASE_UNKNOWN); /* failed saves changed nothing */
    CHECK_EQ(count_tmp(), 0);
    teardown();
}

static void t_inflight(void)
{
    static struct tvc_job_rec a, b;

    setup();
    sample(&a, "abc123");
    a.phase = TVC_PHASE_SUBMITTING;
    a.record_id[0] = a.task_id[0] = '\0';
    CHECK_EQ(tvc_journal_mark_inflight(&jr, &a), 0);
    CHECK(exists("inflight-abc123.json"));
    CHECK(!exists("job-abc123.json"));
    CHECK_EQ(tvc_journal_load(&jr, "inflight-abc123.json", &b), 0);
    CHECK_EQ(b.phase, TVC_PHASE_SUBMITTING);
    CHECK_STR(b.ad_theme, a.ad_theme);
    CHECK_STR(b.record_id, "");

    a.phase = TVC_PHASE_POLLING;
    strcpy(a.record_id, "r1");
    CHECK_EQ(tvc_journal_save(&jr, &a), 0);
    CHECK(exists("job-abc123.json"));
    CHECK(!exists("inflight-abc123.json"));
    CHECK_EQ(tvc_journal_load(&jr, "inflight-abc123.json", &b), TVC_ERR_NOT_FOUND);
    /* saving again without a marker is fine */
    CHECK_EQ(tvc_journal_save(&jr, &a), 0);
    CHECK_EQ(count_tmp(), 0);
    teardown();
}

struct names {
    char n[16][64];
    int count;
    int stop_after;
};

static int collect(void *user, const char *name)
{
    struct names *ns = user;
    if (ns->count < 16)
        snprintf(ns->n[ns->count], sizeof ns->n[0], "%s", name);
    ns->count++;
    if (ns->stop_after && ns->count >= ns->stop_after)
        return 77;
    return 0;
}

static int has_name(const struct names *ns, const char *name)
{
    int i;
    for (i = 0; i < ns->count && i < 16; i++)
        if (strcmp(ns->n[i], name) == 0)
            return 1;
    return 0;
}

static void t_list_remove(void)
{
    static struct tvc_job_rec a;
    static struct names ns;

    setup();
    sample(&a, "aa");
    CHECK_EQ(tvc_journal_save(&jr, &a), 0);
    sample(&a, "bb");
    CHECK_EQ(tvc_journal_save(&jr, &a), 0);
    sample(&a, "cc");
    a.phase = TVC_PHASE_SUBMITTING;
    CHECK_EQ(tvc_journal_mark_inflight(&jr, &a), 0);
    /* things that are not records */
    write_file("job-dd.json.tmp", "{}", 2);
    write_file("inflight-ee.json.tmp", "{}", 2);
    write_file("job-.json", "{}", 2);
    write_file("notes.txt", "x", 1);
    write_file("job-ff.jsonx", "x", 1);
    CHECK_EQ(tvc_budget_take(&jr, 10, 1700000000, NULL), 0); /* budget files too */

    memset(&ns, 0, sizeof ns);
    CHECK_EQ(tvc_journal_list(&jr, collect, &ns), 0);
    CHECK_EQ(ns.count, 3);
    CHECK(has_name(&ns, "job-aa.json"));
    CHECK(has_name(&ns, "job-bb.json"));
    CHECK(has_name(&ns, "inflight-cc.json"));

    memset(&ns, 0, sizeof ns);
    ns.stop_after = 2;
    CHECK_EQ(tvc_journal_list(&jr, collect, &ns), 77);
    CHECK_EQ(ns.count, 2);

    CHECK_EQ(tvc_journal_remove(&jr, "aa"), 0);
    CHECK(!exists("job-aa.json"));
    CHECK_EQ(tvc_journal_remove(&jr, "cc"), 0);
    CHECK(!exists("inflight-cc.json"));
    CHECK_EQ(tvc_journal_remove(&jr, "zz"), 0); /* absent: fine */
    CHECK_EQ(tvc_journal_remove(&jr, "../x"), TVC_ERR_ARG);
    memset(&ns, 0, sizeof ns);
    CHECK_EQ(tvc_journal_list(&jr, collect, &ns), 0);
    CHECK_EQ(ns.count, 1);
    CHECK(has_name(&ns, "job-bb.json"));
    teardown();
}

static void t_bad_ids(void)
{
    static struct tvc_job_rec a, b;

    setup();
    sample(&a, "../evil");
    CHECK_EQ(tvc_journal_save(&jr, &a), TVC_ERR_ARG);
    sample(&a, "");
    CHECK_EQ(tvc_journal_mark_inflight(&jr, &a), TVC_ERR_ARG);
    sample(&a, "ok");
    memset(a.last_error, 'x', sizeof a.last_error); /* not terminated */
    CHECK_EQ(tvc_journal_save(&jr, &a), TVC_ERR_ARG);
    sample(&a, "ok");
    strcpy(a.ad_theme, "bad \xff utf8");
    CHECK_EQ(tvc_journal_save(&jr, &a), TVC_ERR_UTF8);
    CHECK(!exists("job-ok.json"));
    CHECK_EQ(tvc_journal_load(&jr, "../job-ok.json", &b), TVC_ERR_ARG);
    CHECK_EQ(tvc_journal_load(&jr, "", &b), TVC_ERR_ARG);
    CHECK_EQ(count_tmp(), 0);
    teardown();
}

static const struct {
    const char *name;
    const char *text;
} damaged[] = {
    { "garbage", "this is not json" },
    { "empty", "" },
    { "truncated", "{\"v\":1,\"id\":\"aa\",\"phase\":\"poll" },
    { "array", "[1,2,3]" },
    { "no v", "{\"id\":\"aa\",\"phase\":\"polling\"}" },
    { "v 2", "{\"v\":2,\"id\":\"aa\",\"phase\":\"polling\"}" },
    { "no id", "{\"v\":1,\"phase\":\"polling\"}" },
    { "bad id", "{\"v\":1,\"id\":\"a/b\",\"phase\":\"polling\"}" },
    { "no phase", "{\"v\":1,\"id\":\"aa\"}" },
    { "unknown phase", "{\"v\":1,\"id\":\"aa\",\"phase\":\"exploded\"}" },
    { "phase number", "{\"v\":1,\"id\":\"aa\",\"phase\":2}" },
    { "url number", "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"videoUrl\":5}" },
    { "duration string", "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"videoDuration\":\"x\"}" },
    { "bad escape", "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"adTheme\":\"\\ud800\"}" },
    { "trailing", "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\"} x" },
    { "too many tokens", "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"x\":[1,2,3,4,5,6,7,8,9,10,"
                         "11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,"
                         "33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,"
                         "55,56,57,58,59,60,61,62,63,64,65]}" },
};

static void t_damaged_rows(void)
{
    static struct tvc_job_rec b;
    size_t i;

    for (i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
        h_begin(damaged[i].name);
        setup();
        write_file("job-aa.json", damaged[i].text, strlen(damaged[i].text));
        CHECK_EQ(tvc_journal_load(&jr, "job-aa.json", &b), TVC_ERR_JSON);
        CHECK_STR(b.id, ""); /* nothing half-filled */
        teardown();
        h_end();
    }
}

static void t_damaged(void)
{
    static const char minimal[] = "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\"}";
    static struct tvc_job_rec b;
    static char big[sizeof jr.buf_ + 100];

    setup();
    /* larger than any record */
    memset(big, ' ', sizeof big);
    memcpy(big, minimal, strlen(minimal));
    write_file("job-aa.json", big, sizeof big);
    CHECK_EQ(tvc_journal_load(&jr, "job-aa.json", &b), TVC_ERR_JSON);
    /* minimal record: defaults for the rest */
    write_file("job-aa.json", minimal, strlen(minimal));
    CHECK_EQ(tvc_journal_load(&jr, "job-aa.json", &b), 0);
    CHECK_EQ(b.phase, TVC_PHASE_DONE);
    CHECK_EQ(b.created_unix, -1);
    CHECK_STR(b.id, "aa");
    CHECK_STR(b.video_url, "");
    CHECK_EQ(tvc_journal_load(&jr, "job-missing.json", &b), TVC_ERR_NOT_FOUND);
    teardown();
}

/* Free text longer than the record holds is cut at a character boundary;
 * a path or URL that does not fit is damage. */
static void t_long_text(void)
{
    static struct tvc_job_rec b;
    static char doc[4 * TVC_JOURNAL_TEXT_MAX];
    size_t n, i;

    setup();
    n = (size_t)snprintf(doc, sizeof doc, "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"adTheme\":\"x");
    for (i = 0; i < TVC_JOURNAL_TEXT_MAX; i++)
        n += (size_t)snprintf(doc + n, sizeof doc - n, "\xe2\x82\xac"); /* 3-byte euro */
    n += (size_t)snprintf(doc + n, sizeof doc - n, "\"}");
    write_file("job-aa.json", doc, n);
    CHECK_EQ(tvc_journal_load(&jr, "job-aa.json", &b), 0);
    CHECK((strlen(b.ad_theme) - 1) % 3 == 0);
    CHECK(strlen(b.ad_theme) >= TVC_JOURNAL_TEXT_MAX - 3);
    CHECK(strlen(b.ad_theme) < TVC_JOURNAL_TEXT_MAX);

    n = (size_t)snprintf(doc, sizeof doc, "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"out\":\"");
    for (i = 0; i < TVC_PATH_MAX; i++)
        doc[n++] = 'p';
    n += (size_t)snprintf(doc + n, sizeof doc - n, "\"}");
    write_file("job-aa.json", doc, n);
    CHECK_EQ(tvc_journal_load(&jr, "job-aa.json", &b), TVC_ERR_JSON);
    teardown();
}

/* ---- failure injection ---- */

static int fail_rename(void *ctx, const char *from, const char *to)
{
    (void)ctx;
    (void)from;
    (void)to;
    return TVC_ERR_STORAGE;
}

static int fail_write(void *ctx, int fh, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)fh;
    (void)buf;
    (void)len;
    return TVC_ERR_STORAGE;
}

static int fail_sync(void *ctx, int fh)
{
    (void)ctx;
    (void)fh;
    return TVC_ERR_STORAGE;
}

static void t_atomic(void)
{
    static struct tvc_job_rec a, b;
    static struct tvc_journal jb;
    struct tvc_port bad;
    int which;

    setup();
    sample(&a, "keep");
    a.phase = TVC_PHASE_POLLING;
    CHECK_EQ(tvc_journal_save(&jr, &a), 0);
    for (which = 0; which < 3; which++) {
        bad = port;
        if (which == 0)
            bad.file_rename = fail_rename;
        else if (which == 1)
            bad.file_write = fail_write;
        else
            bad.file_sync = fail_sync;
        CHECK_EQ(tvc_journal_open(&jb, &bad, dir), 0);
        a.phase = TVC_PHASE_DONE;
        strcpy(a.video_url, "https://changed.example/");
        CHECK_EQ(tvc_journal_save(&jb, &a), TVC_ERR_STORAGE);
        /* the old record is whole */
        CHECK_EQ(tvc_journal_load(&jr, "job-keep.json", &b), 0);
        CHECK_EQ(b.phase, TVC_PHASE_POLLING);
        CHECK_STR(b.video_url, "https://files.example.com/v.mp4");
        CHECK_EQ(count_tmp(), 0);
    }
    /* a failed save must not remove the marker */
    sample(&a, "mark");
    a.phase = TVC_PHASE_SUBMITTING;
    CHECK_EQ(tvc_journal_mark_inflight(&jr, &a), 0);
    bad = port;
    bad.file_rename = fail_rename;
    CHECK_EQ(tvc_journal_open(&jb, &bad, dir), 0);
    a.phase = TVC_PHASE_POLLING;
    CHECK_EQ(tvc_journal_save(&jb, &a), TVC_ERR_STORAGE);
    CHECK(exists("inflight-mark.json"));
    CHECK(!exists("job-mark.json"));
    teardown();
}

static void t_open(void)
{
    struct tvc_port none;
    char sub[400];
    static struct tvc_journal j2;

    fresh_dir();
    tvc_posix_init(&px, &port);
    snprintf(sub, sizeof sub, "%s/a/b/c/", dir);
    CHECK_EQ(tvc_journal_open(&j2, &port, sub), 0);
    snprintf(sub, sizeof sub, "%s/a/b/c", dir);
    CHECK_STR(j2.dir, sub);
    {
        struct stat st;
        CHECK(stat(sub, &st) == 0 && S_ISDIR(st.st_mode));
    }
    none = port;
    none.dir_list = NULL;
    CHECK_EQ(tvc_journal_open(&j2, &none, dir), TVC_ERR_PORT);
    CHECK_EQ(tvc_journal_open(&j2, &port, ""), TVC_ERR_ARG);
    {
        static char longdir[TVC_PATH_MAX + 10];
        memset(longdir, 'd', sizeof longdir - 1);
        CHECK_EQ(tvc_journal_open(&j2, &port, longdir), TVC_ERR_NOSPACE);
    }
    teardown();
}

/* ---- budget ---- */

#define T0 1700000000LL

static int count_lines(const char *name)
{
    char text[65536];
    size_t n = read_file(name, text, sizeof text), i;
    int lines = 0;
    if (n == (size_t)-1)
        return -1;
    for (i = 0; i < n; i++)
        lines += text[i] == '\n';
    return lines;
}

static void t_budget_basic(void)
{
    int64_t wait = 0;
    int i;

    setup();
    for (i = 0; i < 5; i++)
        CHECK_EQ(tvc_budget_take(&jr, 5, T0 + i * 10, &wait), 0);
    CHECK_EQ(count_lines("budget"), 5);
    wait = 0;
    CHECK_EQ(tvc_budget_take(&jr, 5, T0 + 100, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(wait, 3600 - 100);
    CHECK_EQ(count_lines("budget"), 5); /* a refusal records nothing */
    /* one second before the oldest leaves: still no */
    CHECK_EQ(tvc_budget_take(&jr, 5, T0 + 3599, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(wait, 1);
    /* the window slides: at T0+3600 the request of T0 is out */
    CHECK_EQ(tvc_budget_take(&jr, 5, T0 + 3600, &wait), 0);
    CHECK_EQ(count_lines("budget"), 5); /* T0 dropped, new one added */
    CHECK_EQ(tvc_budget_take(&jr, 5, T0 + 3600, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(wait, 10); /* next to leave: T0+10 */
    /* a larger limit has room */
    CHECK_EQ(tvc_budget_take(&jr, 6, T0 + 3600, &wait), 0);
    /* much later everything is gone */
    CHECK_EQ(tvc_budget_take(&jr, 1, T0 + 100000, &wait), 0);
    CHECK_EQ(count_lines("budget"), 1);
    CHECK_EQ(tvc_budget_take(&jr, 1, T0 + 100000, NULL), TVC_ERR_AGAIN);

    CHECK_EQ(tvc_budget_take(&jr, 0, T0, &wait), TVC_ERR_ARG);
    CHECK_EQ(tvc_budget_take(&jr, TVC_BUDGET_MAX_PER_HOUR + 1, T0, &wait), TVC_ERR_ARG);
    CHECK_EQ(tvc_budget_take(&jr, 5, -1, &wait), TVC_ERR_ARG);
    CHECK_EQ(count_tmp(), 0);
    CHECK(exists("budget.lock"));
    teardown();
}

static void t_budget_future_and_garbage(void)
{
    char text[4096];
    int64_t wait = 0;
    int n;

    setup();
    /* 3 from the future (the clock went back by a day), 2 valid, junk */
    n = snprintf(text, sizeof text,
                 "%lld\n%lld\nhello\n\n12x4\n-5\n%lld\n99999999999999999999999\n%lld\n"
                 "%lld\r\n%lld",
                 T0 + 86400, T0 + 86400, T0 - 10, T0 + 90000, T0 - 20, T0 - 30);
    write_file("budget", text, (size_t)n);
    /* counted: 3 future + T0-10 + T0-30 (the last line, without '\n');
     * "T0-20\r" is malformed */
    CHECK_EQ(tvc_budget_take(&jr, 6, T0, &wait), 0);
    CHECK_EQ(count_lines("budget"), 6); /* 5 kept + now; junk dropped */
    read_file("budget", text, sizeof text);
    CHECK(strstr(text, "hello") == NULL);
    CHECK(strstr(text, "99999999999") == NULL);
    /* the future ones were kept as "now" */
    snprintf(text + 2048, 64, "%lld\n%lld\n", T0, T0);
    CHECK(strstr(text, text + 2048) != NULL);
    CHECK_EQ(tvc_budget_take(&jr, 6, T0 + 1, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(wait, 3600 - 31); /* oldest: T0-30 */
    /* the future entries leave an hour after "now", not a day */
    CHECK_EQ(tvc_budget_take(&jr, 1, T0 + 3600, &wait), 0);
    CHECK_EQ(count_lines("budget"), 1);
    CHECK_EQ(count_tmp(), 0);
    teardown();
}

static void t_budget_wait_floor(void)
{
    char text[64];
    int64_t wait = 0;
    int n;

    setup();
    /* limit lowered: 3 entries, limit 1; the oldest leaves first */
    n = snprintf(text, sizeof text, "%lld\n%lld\n%lld\n", T0 - 3000, T0 - 100, T0);
    write_file("budget", text, (size_t)n);
    CHECK_EQ(tvc_budget_take(&jr, 1, T0, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(wait, 600);
    CHECK_EQ(tvc_budget_take(&jr, 3, T0, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_budget_take(&jr, 4, T0, &wait), 0);
    teardown();
}

static void t_budget_storage_fail(void)
{
    static struct tvc_journal jb;
    struct tvc_port bad;
    int64_t wait;

    setup();
    CHECK_EQ(tvc_budget_take(&jr, 5, T0, &wait), 0);
    bad = port;
    bad.file_rename = fail_rename;
    CHECK_EQ(tvc_journal_open(&jb, &bad, dir), 0);
    CHECK_EQ(tvc_budget_take(&jb, 5, T0 + 1, &wait), TVC_ERR_STORAGE);
    CHECK_EQ(count_lines("budget"), 1);
    CHECK_EQ(count_tmp(), 0);
    bad = port;
    bad.file_write = fail_write;
    CHECK_EQ(tvc_journal_open(&jb, &bad, dir), 0);
    CHECK_EQ(tvc_budget_take(&jb, 5, T0 + 1, &wait), TVC_ERR_STORAGE);
    CHECK_EQ(count_lines("budget"), 1);
    CHECK_EQ(count_tmp(), 0);
    teardown();
}

/* Two processes hammering the same budget: the lock must make the total
 * exactly the limit. */
static void t_budget_processes(void)
{
    enum { LIMIT = 50, PROCS = 2, TRIES = 40 };
    pid_t pids[PROCS];
    int i, status, total = 0;

    setup();
    for (i = 0; i < PROCS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            static struct tvc_posix cpx;
            static struct tvc_journal cj;
            struct tvc_port cport;
            int k, ok = 0;
            int64_t wait;
            tvc_posix_init(&cpx, &cport);
            if (tvc_journal_open(&cj, &cport, dir) != 0)
                _exit(255);
            for (k = 0; k < TRIES; k++) {
                int rc = tvc_budget_take(&cj, LIMIT, T0, &wait);
                if (rc == 0)
                    ok++;
                else if (rc != TVC_ERR_AGAIN || wait != 3600)
                    _exit(254);
            }
            _exit(ok);
        }
        CHECK(pids[i] > 0);
    }
    for (i = 0; i < PROCS; i++) {
        if (pids[i] <= 0)
            continue;
        CHECK(waitpid(pids[i], &status, 0) == pids[i]);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) <= TRIES);
        total += WEXITSTATUS(status);
    }
    CHECK_EQ(total, LIMIT);
    CHECK_EQ(count_lines("budget"), LIMIT);
    CHECK_EQ(count_tmp(), 0);
    teardown();
}

int main(void)
{
    RUN(t_roundtrip);
    RUN(t_phases);
    RUN(t_inflight);
    RUN(t_list_remove);
    RUN(t_bad_ids);
    t_damaged_rows();
    RUN(t_damaged);
    RUN(t_long_text);
    RUN(t_atomic);
    RUN(t_open);
    RUN(t_budget_basic);
    RUN(t_budget_future_and_garbage);
    RUN(t_budget_wait_floor);
    RUN(t_budget_storage_fail);
    RUN(t_budget_processes);
    return h_summary();
}
