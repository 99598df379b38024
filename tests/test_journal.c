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
    static char big[8 * sizeof(struct tvc_job_rec) + 2048];

    setup();
    /* larger than any record */
    memset(big, ' ', sizeof big);
    memcpy(big, minimal, strlen(minimal));
    write_file("job-aa.json", big, sizeof big);
    CHECK_EQ(tvc_journal_load(&jr, "job-aa.json", &b), TVC_ERR_JSON);
    /* as large, inside a number, a string, or a skipped member */
    {
        static const char *const heads[] = { "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"x\":1",
                                             "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"x\":\"",
                                             "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"x\":0.",
                                             "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"adTheme\":\"" };
        size_t k;
        for (k = 0; k < sizeof heads / sizeof heads[0]; k++) {
            memset(big, k == 1 || k == 3 ? 'x' : '7', sizeof big);
            memcpy(big, heads[k], strlen(heads[k]));
            memcpy(big + sizeof big - 2, k == 1 || k == 3 ? "\"}" : "0}", 2);
            write_file("job-aa.json", big, sizeof big);
            CHECK_EQ(tvc_journal_load(&jr, "job-aa.json", &b), TVC_ERR_JSON);
        }
    }
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
    static char doc[4 * TVC_JOURNAL_TEXT_MAX + TVC_PATH_MAX + 128];
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
    CHECK_STR(tvc_journal_dir(&j2), sub);
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


/* The streaming parser: any JSON spelling of a record loads, escapes are
 * decoded, members it does not know are skipped, and anything that is not
 * a flat object of strings, integers and literals is damage. */
static void t_parser(void)
{
    static struct tvc_job_rec b;
    static const char spaced[] =
        " \r\n{ \"phase\" : \"downloading\" ,\t\"id\":\"aa\", \"v\" : 1,\n"
        "  \"future\": \"ignored \\\" \\u00e9\", \"n\": -1.5e3, \"t\": true, \"f\": false,\n"
        "  \"adTheme\": \"caf\\u00e9 \\ud83c\\udfac \\/ \\b\\f\\n\\r\\t\",\n"
        "  \"videoUrl\": \"https://v.example/a\", \"videoDuration\": 15, \"createdAt\": null,\n"
        "  \"aspectRatio\": \"landscape\", \"lastError\": null } \n";
    static const char *const bad[] = {
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"x\":{}}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"x\":[]}",
        "{\"v\":1.0,\"id\":\"aa\",\"phase\":\"done\"}",
        "{\"v\":01,\"id\":\"aa\",\"phase\":\"done\"}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",}",
        "{\"v\":1,\"id\":\"aa\" \"phase\":\"done\"}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"adTheme\":\"a\\u0000b\"}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"adTheme\":\"\\udc00\"}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"adTheme\":\"\\x\"}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"adTheme\":\"tab\there\"}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"adTheme\":\"\xc3\"}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"createdAt\":99999999999999999999}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"videoDuration\":3601}",
        "{\"v\":1,\"id\":null,\"phase\":\"done\"}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\",\"t\":tru}",
        "{}",
        "{\"v\":1,\"id\":\"aa\",\"phase\":\"done\"}{}",
    };
    size_t i;

    setup();
    write_file("job-aa.json", spaced, strlen(spaced));
    CHECK_EQ(tvc_journal_load(&jr, "job-aa.json", &b), 0);
    CHECK_STR(b.id, "aa");
    CHECK_EQ(b.phase, TVC_PHASE_DOWNLOADING);
    CHECK_STR(b.ad_theme, "caf\xc3\xa9 \xf0\x9f\x8e\xac / \b\f\n\r\t");
    CHECK_STR(b.video_url, "https://v.example/a");
    CHECK_EQ(b.duration, 15);
    CHECK_EQ(b.created_unix, -1);
    CHECK_EQ(b.landscape, 1);
    CHECK_STR(b.last_error, "");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file("job-aa.json", bad[i], strlen(bad[i]));
        if (tvc_journal_load(&jr, "job-aa.json", &b) != TVC_ERR_JSON) {
            printf("  accepted: %s\n", bad[i]);
            CHECK(0);
        }
        CHECK_STR(b.id, "");
    }
    teardown();
}

/* Members far longer than the I/O chunk, and every byte that needs an
 * escape, survive the round trip through the chunked writer and reader. */
static void t_chunks(void)
{
    static struct tvc_job_rec a, b;
    size_t i;

    setup();
    sample(&a, "big");
    for (i = 0; i + 1 < sizeof a.video_url; i++)
        a.video_url[i] = (char)('a' + i % 26);
    a.video_url[i] = '\0';
    for (i = 0; i + 1 < sizeof a.out; i++)
        a.out[i] = (char)(1 + i % 127); /* controls, quotes, backslashes, DEL */
    a.out[i] = '\0';
    for (i = 0; i + 1 < sizeof a.last_error; i++)
        a.last_error[i] = '"';
    a.last_error[i] = '\0';
    CHECK_EQ(tvc_journal_save(&jr, &a), 0);
    CHECK_EQ(tvc_journal_load(&jr, "job-big.json", &b), 0);
    check_same(&a, &b);
    teardown();
}

/* ---- budget ---- */

#define T0 1700000000LL /* 20 s into its minute: the minute ends at T0+39 */

/* What a budget file holds. */
struct bfile {
    int header, ended, entries, leases;
    long long sum;
};

static int parse_budget(struct bfile *f)
{
    static char text[65536];
    char *line, *save = NULL;
    size_t n = read_file("budget", text, sizeof text);

    memset(f, 0, sizeof *f);
    if (n == (size_t)-1)
        return -1;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        long long until, count;
        char tag[32];
        int k;
        if (strcmp(line, "tvc-budget 2") == 0) {
            f->header++;
            continue;
        }
        if (strcmp(line, "end") == 0) {
            f->ended++;
            continue;
        }
        k = sscanf(line, "%lld %lld %31s", &until, &count, tag);
        if (k < 2)
            return -1;
        f->entries++;
        f->sum += count;
        f->leases += k == 3;
    }
    return 0;
}

static long long budget_sum(void)
{
    struct bfile f;
    if (parse_budget(&f) < 0 || f.header != 1 || f.ended != 1)
        return -1;
    return f.sum;
}

static int budget_leases(void)
{
    struct bfile f;
    return parse_budget(&f) < 0 ? -1 : f.leases;
}

/* Storage calls through a counting wrapper of the POSIX port. */
static struct {
    int opens_w, writes, syncs, dsyncs, renames;
} cnt;

static int c_open(void *c, const char *p, unsigned f)
{
    (void)c;
    if (f != TVC_FILE_READ && !strstr(p, "budget.lock"))
        cnt.opens_w++;
    return port.file_open(port.ctx, p, f);
}
static int c_write(void *c, int fh, const uint8_t *b, size_t n)
{
    (void)c;
    cnt.writes++;
    return port.file_write(port.ctx, fh, b, n);
}
static int c_sync(void *c, int fh)
{
    (void)c;
    cnt.syncs++;
    return port.file_sync(port.ctx, fh);
}
static int c_dsync(void *c, const char *d)
{
    (void)c;
    cnt.dsyncs++;
    return port.dir_sync(port.ctx, d);
}
static int c_rename(void *c, const char *a, const char *b)
{
    (void)c;
    cnt.renames++;
    return port.file_rename(port.ctx, a, b);
}

static void counting(struct tvc_port *cp)
{
    *cp = port;
    cp->file_open = c_open;
    cp->file_write = c_write;
    cp->file_sync = c_sync;
    cp->dir_sync = c_dsync;
    cp->file_rename = c_rename;
    memset(&cnt, 0, sizeof cnt);
}

static void t_budget_lease(void)
{
    static struct tvc_journal jc;
    static char before[4096], after[4096];
    struct tvc_port cp;
    int64_t wait = 0;
    int i;

    setup();
    counting(&cp);
    CHECK_EQ(tvc_journal_open(&jc, &cp, dir), 0);
    memset(&cnt, 0, sizeof cnt);
    /* the first take writes the lease: 5 requests (all of per_hour) */
    CHECK_EQ(tvc_budget_take(&jc, 5, T0, &wait), 0);
    CHECK_EQ(cnt.renames, 1);
    CHECK_EQ(cnt.syncs, 1);
    CHECK_EQ(budget_sum(), 5);
    CHECK_EQ(budget_leases(), 1);
    read_file("budget", before, sizeof before);
    /* the next four come from RAM: no storage write at all */
    for (i = 1; i < 5; i++)
        CHECK_EQ(tvc_budget_take(&jc, 5, T0 + i * 10, &wait), 0);
    CHECK_EQ(cnt.opens_w, 1);
    CHECK_EQ(cnt.writes, 1);
    CHECK_EQ(cnt.renames, 1);
    read_file("budget", after, sizeof after);
    CHECK_STR(after, before);
    /* used up: the lease becomes what was used, per minute (4 in T0's
     * minute, 1 at T0+40 in the next), and there is no room */
    wait = 0;
    CHECK_EQ(tvc_budget_take(&jc, 5, T0 + 100, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(wait, 39 + 3600 - 100);
    CHECK_EQ(cnt.renames, 2);
    CHECK_EQ(budget_sum(), 5);
    CHECK_EQ(budget_leases(), 0);
    read_file("budget", before, sizeof before);
    {
        char want[128];
        snprintf(want, sizeof want, "tvc-budget 2\n%lld 4\n%lld 1\nend\n", T0 + 39, T0 + 99);
        CHECK_STR(before, want);
    }
    /* a refusal with nothing to settle writes nothing */
    CHECK_EQ(tvc_budget_take(&jc, 5, T0 + 200, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(cnt.renames, 2);
    /* minute rounding: at most 59 s late, never early */
    CHECK_EQ(tvc_budget_take(&jc, 5, T0 + 3638, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(wait, 1);
    CHECK_EQ(tvc_budget_take(&jc, 5, T0 + 3639, &wait), 0); /* 4 left the window */
    CHECK_EQ(budget_sum(), 1 + 4);                          /* T0+99 + a lease of 4 */
    CHECK_EQ(budget_leases(), 1);
    /* release: the lease shrinks to what was used */
    CHECK_EQ(tvc_budget_release(&jc, T0 + 3640), 0);
    CHECK_EQ(budget_sum(), 2);
    CHECK_EQ(budget_leases(), 0);
    i = cnt.renames;
    CHECK_EQ(tvc_budget_release(&jc, T0 + 3641), 0); /* nothing held: no write */
    CHECK_EQ(cnt.renames, i);
    /* a larger limit has room at once */
    CHECK_EQ(tvc_budget_take(&jc, 6, T0 + 3641, &wait), 0);

    CHECK_EQ(tvc_budget_take(&jc, 0, T0, &wait), TVC_ERR_ARG);
    CHECK_EQ(tvc_budget_take(&jc, TVC_BUDGET_MAX_PER_HOUR + 1, T0, &wait), TVC_ERR_ARG);
    CHECK_EQ(tvc_budget_take(&jc, 5, -1, &wait), TVC_ERR_ARG);
    CHECK_EQ(tvc_budget_release(&jc, -1), TVC_ERR_ARG);
    CHECK_EQ(count_tmp(), 0);
    CHECK(exists("budget.lock"));
    teardown();
}

/* A lease is good for TVC_BUDGET_LEASE requests or TVC_BUDGET_LEASE_S,
 * whichever ends first; a changed limit takes a new one. */
static void t_budget_lease_limits(void)
{
    static struct tvc_journal jc;
    struct tvc_port cp;
    int64_t wait;
    int i;

    setup();
    counting(&cp);
    CHECK_EQ(tvc_journal_open(&jc, &cp, dir), 0);
    for (i = 0; i < TVC_BUDGET_LEASE; i++)
        CHECK_EQ(tvc_budget_take(&jc, 1000, T0 + i, &wait), 0);
    CHECK_EQ(cnt.renames, 1);
    CHECK_EQ(budget_sum(), TVC_BUDGET_LEASE);
    CHECK_EQ(tvc_budget_take(&jc, 1000, T0 + i, &wait), 0); /* a second lease */
    CHECK_EQ(cnt.renames, 2);
    CHECK_EQ(budget_sum(), 2 * TVC_BUDGET_LEASE);
    CHECK_EQ(budget_leases(), 1);
    CHECK_EQ(tvc_budget_take(&jc, 1000, T0 + i + TVC_BUDGET_LEASE_S - 1, &wait), 0);
    CHECK_EQ(cnt.renames, 2);
    CHECK_EQ(tvc_budget_take(&jc, 1000, T0 + i + TVC_BUDGET_LEASE_S, &wait), 0); /* expired */
    CHECK_EQ(cnt.renames, 3);
    CHECK_EQ(budget_sum(), TVC_BUDGET_LEASE + 2 + TVC_BUDGET_LEASE);
    CHECK_EQ(tvc_budget_take(&jc, 999, T0 + i + TVC_BUDGET_LEASE_S, &wait), 0); /* limit changed */
    CHECK_EQ(cnt.renames, 4);
    CHECK_EQ(budget_leases(), 1);
    CHECK_EQ(tvc_budget_release(&jc, T0 + i + TVC_BUDGET_LEASE_S), 0);
    CHECK_EQ(budget_sum(), TVC_BUDGET_LEASE + 2 + 1 + 1);
    CHECK_EQ(budget_leases(), 0);
    teardown();
}

/* Another process's open lease: refused, told to look again soon; it is
 * given back, and there is room. */
static void t_budget_others(void)
{
    static struct tvc_journal ja, jb;
    int64_t wait = 0;

    setup();
    CHECK_EQ(tvc_journal_open(&ja, &port, dir), 0);
    CHECK_EQ(tvc_journal_open(&jb, &port, dir), 0);
    CHECK_EQ(tvc_budget_take(&ja, 3, T0, &wait), 0); /* a lease of 3 */
    CHECK_EQ(tvc_budget_take(&jb, 3, T0 + 1, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(wait, TVC_BUDGET_RECHECK_S);
    CHECK_EQ(tvc_budget_release(&ja, T0 + 5), 0); /* used 1 of 3 */
    CHECK_EQ(tvc_budget_take(&jb, 3, T0 + 6, &wait), 0);
    CHECK_EQ(tvc_budget_take(&jb, 3, T0 + 7, &wait), 0);
    CHECK_EQ(tvc_budget_take(&jb, 3, T0 + 8, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(wait, 39 + 3600 - 8); /* nothing open now: the oldest leaves */
    CHECK_EQ(budget_sum(), 3);
    /* a process that dies holding a lease: it counts in full until its
     * end + 3600 s, then leaves */
    CHECK_EQ(tvc_budget_take(&ja, 3, T0 + 4000, &wait), 0);
    memset(&ja, 0, sizeof ja); /* power cut: the RAM is gone */
    CHECK_EQ(tvc_budget_take(&jb, 3, T0 + 4001, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(wait, TVC_BUDGET_RECHECK_S);
    CHECK_EQ(tvc_budget_take(&jb, 3, T0 + 4000 + TVC_BUDGET_LEASE_S + 3599, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_budget_take(&jb, 3, T0 + 4000 + TVC_BUDGET_LEASE_S + 3600, &wait), 0);
    teardown();
}

/* Files written by the previous version (a timestamp per line) still
 * count; entries from the future (the clock went back) count as a lease
 * taken now, so they leave at most TVC_BUDGET_LEASE_S + 3600 s later. */
static void t_budget_old_format(void)
{
    char text[256];
    int64_t wait = 0;
    int n;

    setup();
    n = snprintf(text, sizeof text, "%lld\n%lld\n%lld\n%lld\n", T0 - 3000, T0 - 100, T0 + 86400,
                 T0 - 4000);
    write_file("budget", text, (size_t)n);
    CHECK_EQ(tvc_budget_take(&jr, 3, T0, &wait), TVC_ERR_AGAIN); /* T0-4000 is out */
    CHECK_EQ(wait, 600);
    CHECK_EQ(tvc_budget_take(&jr, 4, T0, &wait), 0);
    CHECK_EQ(budget_sum(), 4); /* rewritten in the new format */
    CHECK_EQ(tvc_budget_release(&jr, T0), 0);
    CHECK_EQ(tvc_budget_take(&jr, 1, T0 + 3599 + TVC_BUDGET_LEASE_S, &wait), TVC_ERR_AGAIN);
    CHECK_EQ(tvc_budget_take(&jr, 1, T0 + 3600 + TVC_BUDGET_LEASE_S, &wait), 0);
    teardown();
}

/* A torn or damaged file: the window is taken as full for an hour from
 * when the damage is found, never as empty. */
static const struct {
    const char *name;
    const char *text;
} torn[] = {
    { "empty file", "" },
    { "garbage", "\x7f" "ELF\x01\x02 not a budget\n" },
    { "cut before end", "tvc-budget 2\n1699999000 3\n" },
    { "cut inside a line", "tvc-budget 2\n1699999000 3\n16999" },
    { "bad line", "tvc-budget 2\n1699999000 x\nend\n" },
    { "zero count", "tvc-budget 2\n1699999000 0\nend\n" },
    { "after end", "tvc-budget 2\nend\n1699999000 1\n" },
    { "bad tag", "tvc-budget 2\n1699999000 1 xyz\nend\n" },
    { "long line", "tvc-budget 2\n1699999000 1 00000000000000000000000000000000000000000000\nend\n" },
    { "old format, cut", "1699999000\n16999" },
    { "old format, junk", "1699999000\nhello\n" },
    { "zeros", "\0\0\0\0\0\0\0\0" },
};

static void t_budget_torn(void)
{
    size_t i;
    int64_t wait;

    for (i = 0; i < sizeof torn / sizeof torn[0]; i++) {
        h_begin(torn[i].name);
        setup();
        write_file("budget", torn[i].text,
                   i + 1 == sizeof torn / sizeof torn[0] ? 8 : strlen(torn[i].text));
        wait = 0;
        CHECK_EQ(tvc_budget_take(&jr, TVC_BUDGET_MAX_PER_HOUR, T0, &wait), TVC_ERR_AGAIN);
        CHECK_EQ(wait, 3600);
        CHECK(budget_sum() >= TVC_BUDGET_MAX_PER_HOUR); /* the charge is durable */
        CHECK_EQ(tvc_budget_take(&jr, 1, T0 + 3599, &wait), TVC_ERR_AGAIN);
        CHECK_EQ(tvc_budget_take(&jr, 1, T0 + 3600, &wait), 0);
        CHECK_EQ(count_tmp(), 0);
        teardown();
        h_end();
    }
}

static void t_budget_storage_fail(void)
{
    static struct tvc_journal jb;
    static char before[4096], after[4096];
    const struct tvc_port *good;
    struct tvc_port bad;
    int64_t wait;

    setup();
    CHECK_EQ(tvc_budget_take(&jr, 5, T0, &wait), 0);
    read_file("budget", before, sizeof before);
    bad = port;
    bad.file_rename = fail_rename;
    CHECK_EQ(tvc_journal_open(&jb, &bad, dir), 0);
    CHECK_EQ(tvc_budget_take(&jb, 50, T0 + 1, &wait), TVC_ERR_STORAGE);
    read_file("budget", after, sizeof after);
    CHECK_STR(after, before);
    CHECK_EQ(count_tmp(), 0);
    bad = port;
    bad.file_write = fail_write;
    CHECK_EQ(tvc_journal_open(&jb, &bad, dir), 0);
    CHECK_EQ(tvc_budget_take(&jb, 50, T0 + 1, &wait), TVC_ERR_STORAGE);
    read_file("budget", after, sizeof after);
    CHECK_STR(after, before);
    CHECK_EQ(count_tmp(), 0);
    /* a release that cannot write keeps the lease, counted in full */
    good = jr.port;
    jr.port = &bad;
    CHECK_EQ(tvc_budget_release(&jr, T0 + 2), TVC_ERR_STORAGE);
    jr.port = good;
    CHECK_EQ(budget_leases(), 1);
    CHECK_EQ(tvc_budget_release(&jr, T0 + 2), 0);
    CHECK_EQ(budget_leases(), 0);
    CHECK_EQ(budget_sum(), 1);
    teardown();
}

/* Processes hammering the same budget, each with its leases: the lock
 * must make the total exactly the limit, and the file must say so.  A
 * process told to recheck (another one holds a lease) asks again without
 * counting it as a try: the run ends for each process at TRIES requests or
 * when the window is full with no lease open, so the total does not depend
 * on how the scheduler interleaves them (it once did: a process could spend
 * its tries on rechecks and leave the rest of the window unused). */
static void t_budget_processes(void)
{
    enum { LIMIT = 150, PROCS = 3, TRIES = 80 };
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
            long spins = 0;
            int64_t wait;
            tvc_posix_init(&cpx, &cport);
            if (tvc_journal_open(&cj, &cport, dir) != 0)
                _exit(255);
            for (k = 0; k < TRIES; k++) {
                int rc = tvc_budget_take(&cj, LIMIT, T0, &wait);
                if (rc == 0)
                    ok++;
                else if (rc == TVC_ERR_AGAIN && wait == TVC_BUDGET_RECHECK_S &&
                         ++spins < 1000000)
                    k--; /* others hold leases: ask again */
                else if (rc == TVC_ERR_AGAIN && wait == 39 + 3600)
                    break; /* full, and no lease open */
                else
                    _exit(254);
            }
            if (tvc_budget_release(&cj, T0) != 0)
                _exit(253);
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
    CHECK_EQ(budget_sum(), LIMIT);
    CHECK_EQ(budget_leases(), 0);
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
    RUN(t_parser);
    RUN(t_chunks);
    RUN(t_atomic);
    RUN(t_open);
    RUN(t_budget_lease);
    RUN(t_budget_lease_limits);
    RUN(t_budget_others);
    RUN(t_budget_old_format);
    t_budget_torn();
    RUN(t_budget_storage_fail);
    RUN(t_budget_processes);
    return h_summary();
}
