/* The journal reader, on record files as a power cut may leave them.  The
 * input is a record file.  Properties: a record that loads holds only
 * NUL-terminated, valid UTF-8 text within its fields and a known phase;
 * saved again and reloaded it is the same record; and every proper prefix
 * of a saved record (a write torn by power loss) is refused as damaged
 * (TVC_ERR_JSON), never read as another record. */
#include "fuzz.h"
#include "mem_port.h"
#include "tvc.h"

static struct mp M;
static struct tvc_port P;
static struct tvc_journal J;
static struct tvc_job_rec R1, R2;

#define TXT(r, f) check_text((r)->f, sizeof (r)->f)
static void check_text(const char *s, size_t cap)
{
    const char *z = memchr(s, 0, cap);
    size_t n;
    FZ_CHECK(z != NULL);
    n = (size_t)(z - s);
    FZ_CHECK(tvc_utf8_check(s, n) == 0);
}

static void check_rec(const struct tvc_job_rec *r)
{
    TXT(r, id);
    TXT(r, record_id);
    TXT(r, task_id);
    TXT(r, ad_theme);
    TXT(r, voiceover);
    TXT(r, reference_url);
    TXT(r, out);
    TXT(r, storyboard_out);
    TXT(r, video_url);
    TXT(r, image_url);
    TXT(r, last_error);
    FZ_CHECK(r->id[0] != '\0');
    FZ_CHECK(r->phase >= TVC_PHASE_SUBMITTING && r->phase <= TVC_PHASE_UNKNOWN);
}

static int same(const struct tvc_job_rec *a, const struct tvc_job_rec *b)
{
#define S(f) (strcmp(a->f, b->f) == 0)
    return S(id) && S(record_id) && S(task_id) && S(ad_theme) && S(voiceover) &&
           S(reference_url) && S(out) && S(storyboard_out) && S(video_url) && S(image_url) &&
           S(last_error) && a->phase == b->phase && a->duration == b->duration &&
           a->landscape == b->landscape && a->created_unix == b->created_unix;
#undef S
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char name[80], path[120];
    static uint8_t saved[MP_FILE_MAX];
    struct mp_file *f;
    size_t slen, k, step;
    int rc;

    if (size > MP_FILE_MAX)
        return 0;
    memset(&M, 0, sizeof M);
    mp_init(&M, &P);
    FZ_CHECK(tvc_journal_open(&J, &P, "/j") == 0);
    mp_put(&M, "/j/job-f.json", data, size);
    rc = tvc_journal_load(&J, "job-f.json", &R1);
    FZ_CHECK(rc == 0 || rc == TVC_ERR_JSON);
    if (rc != 0) {
        FZ_CHECK(R1.id[0] == '\0' && R1.phase == 0 && R1.created_unix == -1);
        return 0;
    }
    check_rec(&R1);
    /* save, reload: the same record */
    rc = tvc_journal_save(&J, &R1);
    if (rc != 0) {
        FZ_CHECK(rc == TVC_ERR_ARG || rc == TVC_ERR_NOSPACE);
        return 0;
    }
    snprintf(name, sizeof name, "job-%s.json", R1.id);
    snprintf(path, sizeof path, "/j/%s", name);
    FZ_CHECK(tvc_journal_load(&J, name, &R2) == 0);
    FZ_CHECK(same(&R1, &R2));
    /* torn copies of what was saved */
    f = mp_get(&M, path);
    FZ_CHECK(f != NULL);
    slen = f->len;
    memcpy(saved, f->data, slen);
    step = slen / 24 + 1;
    for (k = 0; k < slen; k += step) {
        const uint8_t *close = memchr(saved + k, '}', slen - k);
        mp_put(&M, path, saved, k);
        rc = tvc_journal_load(&J, name, &R2);
        if (close != NULL) /* the final '}' is cut off: damaged */
            FZ_CHECK(rc == TVC_ERR_JSON);
        else /* only the white space after it is */
            FZ_CHECK(rc == 0 && same(&R1, &R2));
    }
    return 0;
}
