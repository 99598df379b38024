/* Storage faults at every step: the journal and the request budget over
 * the POSIX port, with the Nth storage call (open, read, write, sync,
 * close, lock, size, rename, remove, directory sync/create/list) failing,
 * for every N until the operation no longer reaches N.  Whatever fails:
 *  - the operation reports an error (never a success built on a failed
 *    write), or succeeds when the failing call did not matter;
 *  - a saved record is either the old one or the new one, whole;
 *  - a budget the take or release could not update is left byte for byte
 *    as it was (unless only the directory sync after the rename failed:
 *    then the new file is in place, whole), the process can still give
 *    back what it holds, and then the next process can take from it (no
 *    lock or lease left behind: before the fix in src/budget.c a failed
 *    directory sync left a lease holding the whole hour for 15 minutes);
 *  - no descriptor is leaked (a failing close still closes). */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"
#include "tvc_journal.h"
#include "tvc_posix.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tvc_posix px;
static struct tvc_port real, faulty;
static long calls, fail_at; /* fail_at 0: no fault */
static char dir[256];

static const char *failed_fn; /* the call that failed, for the checks */

#define hit() hit_(__func__)
static int hit_(const char *fn)
{
    if (++calls != fail_at)
        return 0;
    failed_fn = fn;
    return 1;
}

static int f_open(void *c, const char *p, unsigned fl)
{
    return hit() ? TVC_ERR_STORAGE : real.file_open(c, p, fl);
}
static int f_read(void *c, int fh, uint8_t *b, size_t n)
{
    return hit() ? TVC_ERR_STORAGE : real.file_read(c, fh, b, n);
}
static int f_write(void *c, int fh, const uint8_t *b, size_t n)
{
    return hit() ? TVC_ERR_STORAGE : real.file_write(c, fh, b, n);
}
static int f_sync(void *c, int fh)
{
    return hit() ? TVC_ERR_STORAGE : real.file_sync(c, fh);
}
static int f_close(void *c, int fh)
{
    int rc = real.file_close(c, fh); /* a failing close still closes */
    return hit() ? TVC_ERR_STORAGE : rc;
}
static int f_lock(void *c, int fh)
{
    return hit() ? TVC_ERR_STORAGE : real.file_lock(c, fh);
}
static int f_size(void *c, const char *p, uint64_t *s)
{
    return hit() ? TVC_ERR_STORAGE : real.file_size(c, p, s);
}
static int f_rename(void *c, const char *a, const char *b)
{
    return hit() ? TVC_ERR_STORAGE : real.file_rename(c, a, b);
}
static int f_remove(void *c, const char *p)
{
    return hit() ? TVC_ERR_STORAGE : real.file_remove(c, p);
}
static int f_dir_sync(void *c, const char *d)
{
    return hit() ? TVC_ERR_STORAGE : real.dir_sync(c, d);
}
static int f_dir_create(void *c, const char *d)
{
    return hit() ? TVC_ERR_STORAGE : real.dir_create(c, d);
}
static int f_dir_list(void *c, const char *d, int (*cb)(void *, const char *), void *u)
{
    return hit() ? TVC_ERR_STORAGE : real.dir_list(c, d, cb, u);
}

static void make_faulty(void)
{
    faulty = real;
    faulty.file_open = f_open;
    faulty.file_read = f_read;
    faulty.file_write = f_write;
    faulty.file_sync = f_sync;
    faulty.file_close = f_close;
    faulty.file_lock = real.file_lock ? f_lock : NULL;
    faulty.file_size = real.file_size ? f_size : NULL;
    faulty.file_rename = f_rename;
    faulty.file_remove = f_remove;
    faulty.dir_sync = real.dir_sync ? f_dir_sync : NULL;
    faulty.dir_create = real.dir_create ? f_dir_create : NULL;
    faulty.dir_list = real.dir_list ? f_dir_list : NULL;
}

/* ---- files ---- */

static void empty_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[600];

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
}

/* The whole file (at most cap - 1 bytes); -1 when absent. */
static long slurp(const char *name, char *buf, size_t cap)
{
    char p[600];
    FILE *f;
    size_t n;

    snprintf(p, sizeof p, "%s/%s", dir, name);
    f = fopen(p, "rb");
    if (f == NULL)
        return -1;
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return (long)n;
}

static int open_fds(void)
{
    int fd, n = 0;
    for (fd = 0; fd < 256; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            n++;
    return n;
}

static void sample(struct tvc_job_rec *r, const char *id, const char *url)
{
    memset(r, 0, sizeof *r);
    strcpy(r->id, id);
    r->phase = TVC_PHASE_POLLING;
    strcpy(r->record_id, "rec-1");
    strcpy(r->ad_theme, "theme \xc3\xa9");
    r->duration = 10;
    strcpy(r->video_url, url);
    r->created_unix = 1700000000;
}

/* ---- the sweeps ---- */

static void save_is_old_or_new(void)
{
    static struct tvc_journal jh, jf;
    static struct tvc_job_rec a, b;
    int fds = open_fds(), rc, failures = 0;

    for (fail_at = 1; fail_at < 200; fail_at++) {
        empty_dir();
        CHECK_EQ(tvc_journal_open(&jh, &real, dir), 0);
        sample(&a, "abc", "https://old.example/v.mp4");
        CHECK_EQ(tvc_journal_save(&jh, &a), 0);
        sample(&a, "abc", "https://new.example/v.mp4");
        a.phase = TVC_PHASE_DONE;
        calls = -1000000; /* no fault while opening */
        CHECK_EQ(tvc_journal_open(&jf, &faulty, dir), 0);
        calls = 0;
        rc = tvc_journal_save(&jf, &a);
        CHECK(rc == 0 || rc == TVC_ERR_STORAGE);
        CHECK_EQ(tvc_journal_load(&jh, "job-abc.json", &b), 0);
        if (rc == TVC_ERR_STORAGE) {
            failures++;
            /* the old record, or (the rename done, a later sync failed)
             * the new one: never a mix, never damage */
            CHECK(strcmp(b.video_url, "https://old.example/v.mp4") == 0 ||
                  strcmp(b.video_url, "https://new.example/v.mp4") == 0);
            CHECK(b.phase == TVC_PHASE_POLLING || b.phase == TVC_PHASE_DONE);
            CHECK((b.phase == TVC_PHASE_DONE) == (b.video_url[8] == 'n'));
        } else {
            CHECK_STR(b.video_url, "https://new.example/v.mp4");
            CHECK_EQ(b.phase, TVC_PHASE_DONE);
        }
        CHECK_EQ(open_fds(), fds);
        if (calls < fail_at)
            break; /* the fault was never reached: every step was tried */
    }
    CHECK(fail_at < 200);
    CHECK(failures >= 3); /* create, write, rename at least */
    fail_at = 0;
}

static int count_name(void *user, const char *name)
{
    (void)name;
    ++*(int *)user;
    return 0;
}

static void mark_remove_list_report_faults(void)
{
    static struct tvc_journal jh, jf;
    static struct tvc_job_rec a;
    int fds = open_fds(), rc, failures = 0;

    for (fail_at = 1; fail_at < 200; fail_at++) {
        empty_dir();
        CHECK_EQ(tvc_journal_open(&jh, &real, dir), 0);
        sample(&a, "m1", "https://x.example/v.mp4");
        calls = -1000000;
        CHECK_EQ(tvc_journal_open(&jf, &faulty, dir), 0);
        calls = 0;
        rc = tvc_journal_mark_inflight(&jf, &a);
        if (rc == 0)
            rc = tvc_journal_remove(&jf, "m1");
        CHECK(rc == 0 || rc == TVC_ERR_STORAGE);
        if (rc == 0) {
            static struct tvc_job_rec b;
            CHECK_EQ(tvc_journal_load(&jh, "inflight-m1.json", &b), TVC_ERR_NOT_FOUND);
        } else {
            failures++;
        }
        CHECK_EQ(open_fds(), fds);
        if (calls < fail_at)
            break;
    }
    CHECK(failures >= 2);
    /* listing: a failing directory read is an error, not an empty list */
    fail_at = 1;
    calls = -1000000;
    CHECK_EQ(tvc_journal_open(&jf, &faulty, dir), 0);
    calls = 0;
    {
        int seen = 0;
        CHECK_EQ(tvc_journal_list(&jf, count_name, &seen), TVC_ERR_STORAGE);
        CHECK_EQ(seen, 0);
        fail_at = 0;
        CHECK_EQ(tvc_journal_list(&jf, count_name, &seen), 0);
    }
    fail_at = 0;
}

static void budget_unchanged_when_not_taken(void)
{
    static struct tvc_journal jh, jf;
    static char before[8192], after[8192];
    const int64_t now = 1700000000;
    int fds = open_fds(), rc, pass, failures = 0;
    long nb, na, c, n;

    /* pass 0: no budget file yet; pass 1: one left by another process */
    for (pass = 0; pass < 2; pass++) {
        for (n = 1; n < 400; n++) {
            fail_at = n;
            empty_dir();
            CHECK_EQ(tvc_journal_open(&jh, &real, dir), 0);
            if (pass == 1) {
                CHECK_EQ(tvc_budget_take(&jh, 50, now - 120, NULL), 0);
                CHECK_EQ(tvc_budget_release(&jh, now - 60), 0);
            }
            nb = slurp("budget", before, sizeof before);
            calls = -1000000;
            CHECK_EQ(tvc_journal_open(&jf, &faulty, dir), 0);
            calls = 0;
            rc = tvc_budget_take(&jf, 50, now, NULL);
            c = calls;
            CHECK(rc == 0 || rc == TVC_ERR_STORAGE);
            if (rc == TVC_ERR_STORAGE) {
                failures++;
                na = slurp("budget", after, sizeof after);
                if (strcmp(failed_fn, "f_dir_sync") != 0) {
                    CHECK_EQ(na, nb);
                    CHECK(na < 0 || memcmp(before, after, (size_t)na) == 0);
                } else {
                    /* the rename was done: the new file is whole */
                    CHECK(na > 0 && strncmp(after, "tvc-budget 2\n", 13) == 0 &&
                          strcmp(after + na - 4, "end\n") == 0);
                }
            }
            /* faults off: this process gives back what it holds (also a
             * lease whose file change it could not make durable) ... */
            fail_at = 0;
            CHECK_EQ(tvc_budget_release(&jf, now), 0);
            /* ... and nothing is stuck: another process takes and gives back */
            CHECK_EQ(tvc_journal_open(&jh, &real, dir), 0);
            CHECK_EQ(tvc_budget_take(&jh, 50, now + 1, NULL), 0);
            CHECK_EQ(tvc_budget_release(&jh, now + 1), 0);
            CHECK_EQ(open_fds(), fds);
            fail_at = n;
            if (c < fail_at)
                break;
        }
        CHECK(fail_at < 400);
    }
    CHECK(failures >= 4);
    fail_at = 0;
}

static void budget_release_keeps_the_lease_on_failure(void)
{
    static struct tvc_journal jh, jf;
    static char before[8192], after[8192];
    const int64_t now = 1700000000;
    int fds = open_fds(), rc, failures = 0;
    long nb, na, c, n;

    for (n = 1; n < 400; n++) {
        fail_at = n;
        empty_dir();
        calls = -1000000;
        CHECK_EQ(tvc_journal_open(&jf, &faulty, dir), 0);
        CHECK_EQ(tvc_budget_take(&jf, 50, now, NULL), 0);
        CHECK_EQ(tvc_budget_take(&jf, 50, now, NULL), 0);
        nb = slurp("budget", before, sizeof before);
        calls = 0;
        rc = tvc_budget_release(&jf, now + 5);
        c = calls;
        CHECK(rc == 0 || rc == TVC_ERR_STORAGE);
        if (rc == TVC_ERR_STORAGE) {
            failures++;
            na = slurp("budget", after, sizeof after);
            if (strcmp(failed_fn, "f_dir_sync") != 0) {
                /* the lease stays, counted in full */
                CHECK_EQ(na, nb);
                CHECK(na < 0 || memcmp(before, after, (size_t)na) == 0);
            }
            /* faults off, the release can be made again */
            fail_at = 0;
            CHECK_EQ(tvc_budget_release(&jf, now + 5), 0);
        }
        fail_at = n;
        CHECK_EQ(tvc_journal_open(&jh, &real, dir), 0);
        CHECK_EQ(tvc_budget_take(&jh, 50, now + 6, NULL), 0);
        CHECK_EQ(tvc_budget_release(&jh, now + 6), 0);
        CHECK_EQ(open_fds(), fds);
        if (c < n)
            break;
    }
    CHECK(n < 400);
    CHECK(failures >= 3);
    fail_at = 0;
}

int main(void)
{
    char tmpl[] = "/tmp/tvc-cov-store-XXXXXX";

    tvc_posix_init(&px, &real);
    make_faulty();
    if (mkdtemp(tmpl) == NULL) {
        printf("mkdtemp failed\n0 passed, 1 failed\n");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s", tmpl);
    RUN(save_is_old_or_new);
    RUN(mark_remove_list_report_faults);
    RUN(budget_unchanged_when_not_taken);
    RUN(budget_release_keeps_the_lease_on_failure);
    empty_dir();
    rmdir(dir);
    return h_summary();
}
