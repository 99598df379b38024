/* tvc: generate TVC ads from the command line (POSIX).  The contract of
 * its options and exit statuses is in README.md; this file only wires the
 * library to argv, files and the environment. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "tvc_tls.h"

static const char usage_text[] =
    "usage:\n"
    "  tvc generate --theme TEXT [--voiceover TEXT] [--reference-url URL]\n"
    "               [--duration 10|15] [--aspect portrait|landscape]\n"
    "               [--out FILE] [--storyboard-out FILE] [--no-wait]\n"
    "  tvc status   (--record-id ID | --task-id ID)\n"
    "  tvc wait     --record-id ID [--out FILE] [--storyboard-out FILE]\n"
    "  tvc resume\n"
    "  tvc download URL --out FILE\n"
    "  tvc --help | --version\n"
    "\n"
    "common options:\n"
    "  --base-url URL            API base (env TVC_BASE_URL; default https://nanophoto.ai)\n"
    "  --api-key-file PATH       file holding the key; else env NANOPHOTO_API_KEY\n"
    "  --cacert PEMFILE          trust anchors (env TVC_CA_FILE; default: system bundle)\n"
    "  --resolve HOST:PORT:ADDR  use ADDR for HOST:PORT (repeatable)\n"
    "  --state-dir DIR           journal and request budget (env TVC_STATE_DIR)\n"
    "  --poll-interval SECONDS   base poll interval (default: learnt from past jobs)\n"
    "  --timeout SECONDS         overall deadline for the job (default 900); for status\n"
    "                            and download, no retry starts after it\n"
    "  --max-requests-per-hour N client-side budget of API requests (default 100)\n"
    "  --json                    one JSON object on stdout with the result\n"
    "  --quiet                   no progress on stderr\n"
    "\n"
    "exit status: 0 done, 2 usage/invalid input, 3 auth, 4 credits, 5 rate limit,\n"
    "6 job failed, 7 record not found, 8 network/TLS/protocol, 9 deadline,\n"
    "10 outcome unknown, 11 download/storage, 12 server error\n";

static const char system_bundle[] = "/etc/ssl/certs/ca-certificates.crt";

/* Everything big lives here, not on the stack. */
static struct tvc_posix px;
static struct tvc_port port;
static struct tvc_tls tls;
static struct tvc_transport https_t; /* TLS over mbedTLS, for https:// */
static mbedtls_sha256_context sha_ctx;
static struct tvc_posix_sha256 sha_ni;
static struct tvc_hash sha;          /* SHA-256 of downloads */
static struct tvc_http_client http;
static char hdr_buf[8192]; /* CDN redirects carry large header blocks */
static uint8_t io_buf[16384];
static struct tvc_journal journal;
static struct tvc_job job;
static char api_key[512];
static char state_dir[TVC_PATH_MAX];
static char out_path[TVC_PATH_MAX];
static char sb_path[TVC_PATH_MAX];

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "tvc: ");
    fprintf(stderr, fmt, arg ? arg : "");
    fprintf(stderr, "\n(tvc --help for usage)\n");
    return EX_USAGE;
}

static int parse_seconds(const char *s, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0) || v > 31536000.0)
        return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, struct cli_opts *o)
{
    int i;
    memset(o, 0, sizeof *o);
    o->timeout = 900;
    o->per_hour = 100;
    o->duration = 10;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE(field)                                                                  \
    do {                                                                             \
        if (!v)                                                                      \
            return usage_error("%s needs a value", a);                               \
        o->field = v;                                                                \
        i++;                                                                         \
    } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("tvc %s (libtvc)\n", TVC_VERSION_STRING);
            exit(0);
        } else if (!strcmp(a, "--base-url")) TAKE(base_url);
        else if (!strcmp(a, "--api-key-file")) TAKE(api_key_file);
        else if (!strcmp(a, "--cacert")) TAKE(cacert);
        else if (!strcmp(a, "--state-dir")) TAKE(state_dir);
        else if (!strcmp(a, "--theme")) TAKE(theme);
        else if (!strcmp(a, "--voiceover")) TAKE(voiceover);
        else if (!strcmp(a, "--reference-url")) TAKE(reference_url);
        else if (!strcmp(a, "--out")) TAKE(out);
        else if (!strcmp(a, "--storyboard-out")) TAKE(storyboard_out);
        else if (!strcmp(a, "--record-id")) TAKE(record_id);
        else if (!strcmp(a, "--task-id")) TAKE(task_id);
        else if (!strcmp(a, "--resolve")) {
            if (!v)
                return usage_error("%s needs a value", a);
            if (o->nresolve >= TVC_POSIX_MAX_RESOLVE)
                return usage_error("too many --resolve entries%s", NULL);
            o->resolve[o->nresolve++] = v;
            i++;
        } else if (!strcmp(a, "--duration")) {
            if (!v || (strcmp(v, "10") != 0 && strcmp(v, "15") != 0))
                return usage_error("--duration must be 10 or 15%s", NULL);
            o->duration = v[1] == '0' ? 10 : 15;
            i++;
        } else if (!strcmp(a, "--aspect")) {
            if (!v || (strcmp(v, "portrait") != 0 && strcmp(v, "landscape") != 0))
                return usage_error("--aspect must be portrait or landscape%s", NULL);
            o->landscape = !strcmp(v, "landscape");
            i++;
        } else if (!strcmp(a, "--poll-interval")) {
            if (!v || parse_seconds(v, &o->poll_interval) < 0)
                return usage_error("--poll-interval needs a positive number of seconds%s", NULL);
            i++;
        } else if (!strcmp(a, "--timeout")) {
            if (!v || parse_seconds(v, &o->timeout) < 0)
                return usage_error("--timeout needs a positive number of seconds%s", NULL);
            i++;
        } else if (!strcmp(a, "--max-requests-per-hour")) {
            char *end;
            long n;
            if (!v)
                return usage_error("%s needs a value", a);
            n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 1000)
                return usage_error("--max-requests-per-hour must be 1..1000%s", NULL);
            o->per_hour = (int)n;
            i++;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--no-wait")) {
            o->no_wait = 1;
        } else if (!strcmp(a, "--api-key")) {
            return usage_error("%s is not accepted: a key on the command line shows in ps; "
                               "use --api-key-file or NANOPHOTO_API_KEY", a);
        } else if (a[0] == '-' && a[1] == '-') {
            return usage_error("unknown option %s", a);
        } else if (!o->cmd) {
            o->cmd = a;
        } else if (!strcmp(o->cmd, "download") && !o->url) {
            o->url = a;
        } else {
            return usage_error("unexpected argument %s", a);
        }
#undef TAKE
    }
    if (!o->cmd)
        return usage_error("no command given%s", NULL);
    if (!o->base_url)
        o->base_url = getenv("TVC_BASE_URL");
    if (!o->base_url || !o->base_url[0])
        o->base_url = "https://nanophoto.ai";
    if (!o->cacert)
        o->cacert = getenv("TVC_CA_FILE");
    if (!o->cacert || !o->cacert[0])
        o->cacert = system_bundle;
    if (!o->state_dir)
        o->state_dir = getenv("TVC_STATE_DIR");
    return 0;
}

static int is_loopback(const char *h, size_t n)
{
    uint8_t ip[16];
    int fam;
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n == 9 && !strncmp(h, "localhost", 9))
        return 1;
    fam = tvc_ip_parse(h, n, ip);
    return (fam == 4 && ip[0] == 127) ||
           (fam == 6 && !memcmp(ip, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16));
}

/* The key travels in a header: over plain http only to this machine (by
 * address, or by a --resolve entry that points the name at loopback). */
static int check_base_url(const struct cli_opts *o)
{
    struct tvc_url u;
    int i;
    if (tvc_url_parse(o->base_url, strlen(o->base_url), &u) < 0) {
        fprintf(stderr, "tvc: bad --base-url %s\n", o->base_url);
        return EX_USAGE;
    }
    if (u.scheme == TVC_SCHEME_HTTPS || is_loopback(u.host.p, u.host.len))
        return 0;
    for (i = 0; i < o->nresolve; i++) {
        const char *r = o->resolve[i], *c1 = strchr(r, ':'), *c2;
        if (r[0] == '[')
            c1 = strstr(r, "]:") ? strstr(r, "]:") + 1 : NULL;
        c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 && (size_t)(c1 - r) == u.host.len + (r[0] == '[' ? 2u : 0u) &&
            !strncmp(r + (r[0] == '['), u.host.p, u.host.len) &&
            (unsigned long)strtoul(c1 + 1, NULL, 10) == u.port && is_loopback(c2 + 1, strlen(c2 + 1)))
            return 0;
    }
    fprintf(stderr, "tvc: refusing to send the API key over plain http to %.*s; use https\n",
            (int)u.host.len, u.host.p);
    return EX_USAGE;
}

/* The key comes from a file or the environment, never argv (ps shows it). */
static int load_key(const struct cli_opts *o)
{
    size_t n = 0;
    int rc = check_base_url(o);
    if (rc)
        return rc;
    if (o->api_key_file) {
        FILE *f = fopen(o->api_key_file, "r");
        if (!f) {
            fprintf(stderr, "tvc: cannot read --api-key-file %s: %s\n", o->api_key_file, strerror(errno));
            return EX_USAGE;
        }
        n = fread(api_key, 1, sizeof api_key - 1, f);
        (void)fclose(f); /* read only: fread's count is what matters */
    } else {
        const char *e = getenv("NANOPHOTO_API_KEY");
        if (e) {
            n = strlen(e);
            if (n >= sizeof api_key)
                n = sizeof api_key - 1;
            memcpy(api_key, e, n);
        }
    }
    api_key[n] = '\0';
    while (n > 0 && (api_key[n - 1] == '\n' || api_key[n - 1] == '\r' || api_key[n - 1] == ' ' ||
                     api_key[n - 1] == '\t'))
        api_key[--n] = '\0';
    if (n == 0) {
        fprintf(stderr, "tvc: no API key: use --api-key-file PATH or set NANOPHOTO_API_KEY\n");
        return EX_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)api_key[i];
        if (c < 0x21 || c == 0x7f) {
            fprintf(stderr, "tvc: the API key contains white space or control characters\n");
            return EX_USAGE;
        }
    }
    return 0;
}

static int setup_net(const struct cli_opts *o, int need_tls)
{
    static uint8_t scratch[8192];
    int i, rc;

    tvc_posix_init(&px, &port);
    for (i = 0; i < o->nresolve; i++) {
        if (tvc_posix_resolve_add(&px, o->resolve[i]) < 0) {
            fprintf(stderr, "tvc: bad --resolve %s (want HOST:PORT:ADDR)\n", o->resolve[i]);
            return EX_USAGE;
        }
    }
    tvc_tls_init(&tls);
    if (need_tls) {
        rc = tvc_tls_setup(&tls, &port);
        if (rc < 0) {
            fprintf(stderr, "tvc: TLS setup failed: %s\n", tvc_strerror(rc));
            return EX_NET;
        }
        rc = tvc_tls_add_ca_file(&tls, o->cacert, scratch, sizeof scratch);
        if (rc < 0) {
            fprintf(stderr, "tvc: cannot load trust anchors from %s: %s\n", o->cacert, tvc_strerror(rc));
            return EX_USAGE;
        }
    }
    tvc_tls_transport_init(&https_t, &tls);
    if (tvc_posix_sha256_init(&sha, &sha_ni) < 0) /* x86 SHA extensions, else mbedTLS */
        tvc_hash_mbedtls_init(&sha, &sha_ctx);
    tvc_http_client_init(&http, &port, need_tls ? &https_t : NULL, hdr_buf, sizeof hdr_buf, io_buf,
                         sizeof io_buf);
    cli_progress_init(o, &port);
    return 0;
}

static int default_state_dir(const struct cli_opts *o)
{
    const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    int n;
    if (o->state_dir && o->state_dir[0])
        n = snprintf(state_dir, sizeof state_dir, "%s", o->state_dir);
    else if (x && x[0] == '/')
        n = snprintf(state_dir, sizeof state_dir, "%s/tvc", x);
    else if (home && home[0] && !(geteuid() == 0 && !strcmp(home, "/")))
        n = snprintf(state_dir, sizeof state_dir, "%s/.local/state/tvc", home);
    else
        n = snprintf(state_dir, sizeof state_dir, "/var/lib/tvc");
    if (n < 0 || (size_t)n >= sizeof state_dir) {
        fprintf(stderr, "tvc: state directory path too long\n");
        return EX_USAGE;
    }
    if (tvc_journal_open(&journal, &port, state_dir) < 0) {
        fprintf(stderr, "tvc: cannot use state directory %s\n", state_dir);
        return EX_STORAGE;
    }
    return 0;
}

/* Journal paths must work from any directory `tvc resume` runs in. */
static int absolute(const char *in, char *out, size_t cap, int dir_only)
{
    char cwd[PATH_MAX];
    int n;
    if (in && in[0] == '/') {
        n = snprintf(out, cap, "%s", in);
    } else {
        if (!getcwd(cwd, sizeof cwd))
            return -1;
        n = dir_only ? snprintf(out, cap, "%s/", cwd) : snprintf(out, cap, "%s/%s", cwd, in);
    }
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/* Like curl --create-dirs: an --out in a directory that does not exist yet
 * is created rather than failing after the job was paid for. */
static int make_parent(const char *path)
{
    char dir[TVC_PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t n;
    if (!slash || slash == path)
        return 0;
    n = (size_t)(slash - path);
    if (n >= sizeof dir)
        return -1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    if (port.dir_create(port.ctx, dir) < 0) {
        fprintf(stderr, "tvc: cannot create directory %s\n", dir);
        return -1;
    }
    return 0;
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void sleep_ms(uint32_t ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* The blocking convenience: step, and sleep when told to. */
static int run_job(const struct cli_opts *o, int stop_after_submit)
{
    uint32_t nap = 0;
    int rc;
    for (;;) {
        rc = tvc_job_step(&job, 250, &nap);
        if (rc != TVC_ERR_AGAIN)
            break;
        if (stop_after_submit && job.rec.phase == TVC_PHASE_POLLING) {
            /* not polling here: give the unused budget lease back */
            (void)tvc_budget_release(&journal, (int64_t)time(NULL));
            rc = 0;
            break;
        }
        if (stop_requested) {
            tvc_job_abort(&job);
            cli_progress_end();
            fprintf(stderr, "tvc: interrupted; the job stays in the journal (tvc resume)\n");
            exit(EX_DEADLINE);
        }
        if (nap)
            sleep_ms(nap > 200 ? 200 : nap);
    }
    cli_progress_end();
    (void)o;
    return rc;
}

static int report_job(const struct cli_opts *o, int rc)
{
    int in_dl = job.rec.phase == TVC_PHASE_DOWNLOADING;
    const struct tvc_api_result *res = cli_answer(&job);
    int code = cli_exit_code(rc, res, in_dl);
    if (o->json) {
        cli_print_json(o, &job, res, rc, in_dl, rc == 0 && !o->no_wait ? job.rec.out : NULL,
                       rc == 0 && job.have_storyboard_file ? job.rec.storyboard_out : NULL,
                       rc == 0 && !o->no_wait ? job.video_sha256 : NULL,
                       rc == 0 && !o->no_wait ? (int64_t)job.video_bytes : -1, job.api_requests);
    } else if (rc == 0 && o->no_wait) {
        printf("recordId %s\ntaskId %s\n", job.rec.record_id, job.rec.task_id);
    } else if (rc == 0) {
        char hex[65];
        tvc_hex(job.video_sha256, 32, hex);
        printf("video %s\nbytes %llu\nsha256 %s\n", job.rec.out, (unsigned long long)job.video_bytes, hex);
        if (job.have_storyboard_file)
            printf("storyboard %s\n", job.rec.storyboard_out);
        printf("recordId %s\napiRequests %u\n", job.rec.record_id, job.api_requests);
    }
    if (rc < 0) {
        cli_error(o, rc, res);
        if (http.tls_error && !o->quiet)
            fprintf(stderr, "tvc: (mbedTLS error -0x%04x)\n", (unsigned)-http.tls_error);
        if (rc == TVC_ERR_OUTCOME_UNKNOWN)
            fprintf(stderr, "tvc: the generate request went out but no usable answer came (%s);\n"
                            "tvc: it was NOT re-sent. Check your account before trying again (journal id %s)\n",
                    job.rec.last_error, job.rec.id);
    }
    return code;
}

static void job_hooks(const struct cli_opts *o)
{
    job.poll_ms = (uint32_t)(o->poll_interval * 1000.0);
    job.deadline_ms = (uint32_t)(o->timeout * 1000.0);
    job.per_hour = o->per_hour;
    job.on_event = cli_progress_event;
    job.user = NULL;
    job.hash = &sha;
    cli_forget_answer();
}

static int cmd_generate(const struct cli_opts *o)
{
    struct tvc_gen_params p;
    const char *why = NULL;
    int rc;

    memset(&p, 0, sizeof p);
    p.ad_theme = o->theme;
    p.voiceover = o->voiceover;
    p.reference_url = o->reference_url;
    p.duration = o->duration;
    p.landscape = o->landscape;
    if (!o->theme)
        return usage_error("generate needs --theme TEXT%s", NULL);
    rc = tvc_api_validate(&p, &why);
    if (rc < 0) {
        fprintf(stderr, "tvc: invalid input: %s\n", why ? why : tvc_strerror(rc));
        return EX_USAGE;
    }
    if ((rc = load_key(o)) || (rc = setup_net(o, 1)) || (rc = default_state_dir(o)))
        return rc;
    if (absolute(o->out, out_path, sizeof out_path, !o->out) < 0 ||
        (o->storyboard_out && absolute(o->storyboard_out, sb_path, sizeof sb_path, 0) < 0))
        return usage_error("output path too long%s", NULL);
    if (make_parent(out_path) < 0 || (o->storyboard_out && make_parent(sb_path) < 0))
        return EX_STORAGE;
    job_hooks(o);
    rc = tvc_job_start_new(&job, &port, &http, &journal, o->base_url, api_key, &p, out_path,
                           o->storyboard_out ? sb_path : NULL);
    if (rc == TVC_ERR_NOSPACE) {
        long room = (long)TVC_API_BUF - (long)strlen(o->base_url) - 25;
        fprintf(stderr, "tvc: the request is too long: theme, voiceover and reference URL must "
                        "fit in %ld bytes of JSON (TVC_API_BUF), or a path is over %d bytes; "
                        "nothing was sent\n", room > 0 ? room : 0, TVC_PATH_MAX - 1);
        return cli_exit_code(rc, NULL, 0);
    }
    if (rc < 0) {
        fprintf(stderr, "tvc: %s\n", tvc_strerror(rc));
        return cli_exit_code(rc, NULL, 0);
    }
    rc = run_job(o, o->no_wait);
    return report_job(o, rc);
}

static int cmd_wait(const struct cli_opts *o)
{
    static struct tvc_job_rec rec;
    int rc;
    if (!o->record_id || !o->record_id[0])
        return usage_error("wait needs --record-id ID%s", NULL);
    if (strlen(o->record_id) >= sizeof rec.record_id)
        return usage_error("record id too long%s", NULL);
    if ((rc = load_key(o)) || (rc = setup_net(o, 1)) || (rc = default_state_dir(o)))
        return rc;
    memset(&rec, 0, sizeof rec);
    rec.phase = TVC_PHASE_POLLING;
    memcpy(rec.record_id, o->record_id, strlen(o->record_id) + 1); /* length checked above */
    rec.duration = 10;
    rec.created_unix = (int64_t)time(NULL);
    if (absolute(o->out, rec.out, sizeof rec.out, !o->out) < 0 ||
        (o->storyboard_out && absolute(o->storyboard_out, rec.storyboard_out, sizeof rec.storyboard_out, 0) < 0))
        return usage_error("output path too long%s", NULL);
    if (make_parent(rec.out) < 0 || (o->storyboard_out && make_parent(rec.storyboard_out) < 0))
        return EX_STORAGE;
    job_hooks(o);
    rc = tvc_job_start_existing(&job, &port, &http, &journal, o->base_url, api_key, &rec);
    if (rc < 0) {
        fprintf(stderr, "tvc: %s\n", tvc_strerror(rc));
        return EX_USAGE;
    }
    tvc_journal_save(&journal, &job.rec); /* survive a power cut while waiting */
    rc = run_job(o, 0);
    return report_job(o, rc);
}

/* 32 random bits from the port, for the retry policy's jitter. */
static uint32_t rnd32(void)
{
    uint8_t r[4] = {0, 0, 0, 0};
    if (port.entropy(port.ctx, r, sizeof r) != 0)
        return (uint32_t)port.now_ms(port.ctx) * 2654435761u;
    return (uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16 | (uint32_t)r[3] << 24;
}

/* The library's retry policy (tvc_retry.h), deadline --timeout from now. */
static void retry_begin(const struct cli_opts *o, struct tvc_retry *rt)
{
    tvc_retry_init(rt, port.now_ms(port.ctx) + (uint64_t)(o->timeout * 1000.0), 0);
}

/* A failed attempt: TVC_ERR_AGAIN after waiting as the policy says (the
 * note says why), or the final error. */
static int retry_wait(struct tvc_retry *rt, int err, int http_status, int64_t retry_after_s,
                      const char *what, const char *why)
{
    uint32_t wait = 0;
    int rc = tvc_retry_next(rt, err, http_status, retry_after_s, port.now_ms(port.ctx), rnd32(),
                            &wait);
    if (rc != TVC_ERR_AGAIN)
        return rc;
    cli_note("%s: %s; trying again in %.1f s", what, why, wait / 1000.0);
    while (wait && !stop_requested) {
        uint32_t nap = wait > 200 ? 200 : wait;
        sleep_ms(nap);
        wait -= nap;
    }
    return TVC_ERR_AGAIN;
}

static int cmd_status(const struct cli_opts *o)
{
    static struct tvc_api api;
    static struct tvc_api_result res;
    struct tvc_retry rt;
    int rc;
    if ((!o->record_id || !o->record_id[0]) && (!o->task_id || !o->task_id[0]))
        return usage_error("status needs --record-id ID or --task-id ID%s", NULL);
    if ((rc = load_key(o)) || (rc = setup_net(o, 1)))
        return rc;
    tvc_api_init(&api, &http, o->base_url, api_key);
    /* One call, retried by the job engine's policy (tvc_retry.h): network
     * trouble, malformed answers, 429 and 5xx, within --timeout. */
    retry_begin(o, &rt);
    http.end_by = rt.deadline; /* an answer dripping in ends with --timeout too */
    do {
        uint64_t t = port.now_ms(port.ctx);
        uint64_t left = rt.deadline > t ? rt.deadline - t : 1;
        /* a stalled answer ends with --timeout, not an I/O timeout later */
        api.io_timeout_ms = left < TVC_HTTP_IO_TIMEOUT_MS ? (uint32_t)left : 0;
        api.connect_timeout_ms = left < TVC_HTTP_CONNECT_TIMEOUT_MS ? (uint32_t)left : 0;
        tvc_api_result_init(&res);
        rc = tvc_api_start_status(&api, o->record_id, o->task_id);
        if (rc == 0)
            do
                rc = tvc_api_step(&api, 1000, &res);
            while (rc == TVC_ERR_AGAIN);
        /* A failed job is a state the call reports, in either of the API's
         * two forms; everything else non-2xx means the call itself failed. */
        if (rc == 0 && res.code == TVC_API_GENERATION_FAILED) {
            res.state = TVC_STATE_FAILED;
            break;
        }
        if (rc == 0 && res.http_status >= 200 && res.http_status < 300)
            break;
        if (rc == 0)
            rc = retry_wait(&rt, res.code != TVC_API_NONE ? TVC_ERR_API : TVC_ERR_HTTP_STATUS,
                            res.http_status, res.retry_after_s, "status",
                            res.code_raw[0] ? res.code_raw : "server error");
        else
            rc = retry_wait(&rt, rc == TVC_ERR_NOSPACE ? TVC_ERR_API_PROTOCOL : rc, 0, -1,
                            "status", tvc_strerror(rc));
    } while (rc == TVC_ERR_AGAIN && !stop_requested);
    if (rc == TVC_ERR_AGAIN) {
        tvc_http_client_close(&http);
        fprintf(stderr, "tvc: interrupted\n");
        return EX_DEADLINE;
    }
    /* a later stalled attempt reset the answer: the 5xx that caused the
     * retries still names the end */
    if (rc < 0 && rc == rt.cause && rt.cause_status && !res.http_status) {
        res.http_status = rt.cause_status;
        if (rc == TVC_ERR_API && res.http_status == 429) /* the contract's only 429 code */
            res.code = TVC_API_RATE_LIMIT_EXCEEDED;
    }
    if (o->json) {
        cli_print_json(o, NULL, &res, rc, 0, NULL, NULL, NULL, -1, api.requests);
    } else if (rc == 0) {
        printf("status %s\n", res.state_raw[0] ? res.state_raw
                               : res.state == TVC_STATE_FAILED ? "failed" : "(none)");
        if (res.record_id[0]) printf("recordId %s\n", res.record_id);
        if (res.current_step >= 0) printf("currentStep %d\n", res.current_step);
        if (res.step_name[0]) printf("stepName %s\n", res.step_name);
        if (res.storyboard_image_url[0]) printf("storyboardImageUrl %s\n", res.storyboard_image_url);
        if (res.video_url[0]) printf("videoUrl %s\n", res.video_url);
        if (res.error[0]) printf("error %s\n", res.error);
        if (res.code_raw[0]) printf("errorCode %s\n", res.code_raw);
    }
    if (rc < 0) {
        cli_error(o, rc, &res);
        if (http.tls_error && !o->quiet)
            fprintf(stderr, "tvc: (mbedTLS error -0x%04x)\n", (unsigned)-http.tls_error);
    }
    tvc_http_client_close(&http);
    return cli_exit_code(rc, &res, 0);
}

struct resume_ctx {
    const struct cli_opts *o;
    int worst;
    int count;
};

static int resume_one(void *user, const char *name)
{
    static struct tvc_job_rec rec;
    struct resume_ctx *r = user;
    int rc, code;

    if (tvc_journal_load(&journal, name, &rec) < 0) {
        cli_note("skipping damaged journal file %s", name);
        return 0;
    }
    if (!strncmp(name, "inflight-", 9)) {
        /* Only a marker: the generate may or may not have reached the
         * service.  Record that and never send it again. */
        char jname[64];
        struct tvc_job_rec done;
        snprintf(jname, sizeof jname, "job-%s.json", rec.id);
        if (tvc_journal_load(&journal, jname, &done) == 0)
            return 0; /* answered after all: the job file speaks */
        rec.phase = TVC_PHASE_UNKNOWN;
        snprintf(rec.last_error, sizeof rec.last_error, "generate outcome unknown (interrupted)");
        tvc_journal_save(&journal, &rec);
        cli_note("job %s: a generate was in flight when interrupted: outcome unknown, NOT re-sent", rec.id);
        if (r->o->json) {
            memset(&job, 0, sizeof job);
            job.rec = rec;
            cli_print_json(r->o, &job, NULL, TVC_ERR_OUTCOME_UNKNOWN, 0, NULL, NULL, NULL, -1, 0);
        }
        if (!r->worst)
            r->worst = EX_UNKNOWN;
        r->count++;
        return 0;
    }
    if (rec.phase != TVC_PHASE_POLLING && rec.phase != TVC_PHASE_DOWNLOADING)
        return 0;
    cli_note("resuming job %s (recordId %s)", rec.id, rec.record_id);
    job_hooks(r->o);
    rc = tvc_job_start_existing(&job, &port, &http, &journal, r->o->base_url, api_key, &rec);
    if (rc == 0)
        rc = run_job(r->o, 0);
    code = report_job(r->o, rc);
    if (code && !r->worst)
        r->worst = code;
    r->count++;
    return 0;
}

static int cmd_resume(const struct cli_opts *o)
{
    struct resume_ctx r;
    int rc;
    if ((rc = load_key(o)) || (rc = setup_net(o, 1)) || (rc = default_state_dir(o)))
        return rc;
    memset(&r, 0, sizeof r);
    r.o = o;
    if (o->json)
        cli_json_begin_list();
    rc = tvc_journal_list(&journal, resume_one, &r);
    if (o->json)
        cli_json_end_list(r.count);
    if (rc < 0) {
        fprintf(stderr, "tvc: cannot read the journal in %s\n", state_dir);
        return EX_STORAGE;
    }
    if (!r.count)
        cli_note("nothing to resume in %s", state_dir);
    return r.worst;
}

static int cmd_download(const struct cli_opts *o)
{
    static struct tvc_dl dl;
    struct tvc_url u;
    struct tvc_retry rt;
    int rc;
    if (!o->url || !o->out)
        return usage_error("download needs URL and --out FILE%s", NULL);
    rc = tvc_url_parse(o->url, strlen(o->url), &u);
    if (rc < 0) {
        fprintf(stderr, "tvc: bad URL: %s\n", tvc_strerror(rc));
        return EX_USAGE;
    }
    if ((rc = setup_net(o, u.scheme == TVC_SCHEME_HTTPS)))
        return rc;
    if (make_parent(o->out) < 0)
        return EX_STORAGE;
    /* Retried by the library's policy (tvc_retry.h) within --timeout,
     * resuming the part file each time: network trouble, truncation, 429
     * and 5xx; never storage, trust or other statuses.  --timeout bounds
     * the retries; a transfer in progress is not cut by it. */
    retry_begin(o, &rt);
    do {
        dl.progress = cli_progress_dl;
        dl.hash = &sha;
        rc = tvc_dl_start(&dl, &http, &port, o->url, o->out);
        if (rc == 0)
            do {
                rc = tvc_dl_step(&dl, 250);
                if (stop_requested) {
                    tvc_dl_abort(&dl);
                    cli_progress_end();
                    fprintf(stderr, "tvc: interrupted; run the same command again to resume\n");
                    return EX_STORAGE;
                }
            } while (rc == TVC_ERR_AGAIN);
        cli_progress_end();
        if (rc < 0)
            rc = retry_wait(&rt, rc, rc == TVC_ERR_HTTP_STATUS ? dl.http_status : 0, -1,
                            "download interrupted", tvc_strerror(rc));
    } while (rc == TVC_ERR_AGAIN && !stop_requested);
    if (rc == TVC_ERR_AGAIN) {
        fprintf(stderr, "tvc: interrupted; run the same command again to resume\n");
        return EX_STORAGE;
    }
    if (rc == 0) {
        char hex[65];
        tvc_hex(dl.sha256, 32, hex);
        if (o->json) {
            cli_print_json(o, NULL, NULL, 0, 1, o->out, NULL, dl.sha256, (int64_t)dl.bytes, 0);
        } else {
            printf("file %s\nbytes %llu\nsha256 %s\n", o->out, (unsigned long long)dl.bytes, hex);
        }
        return EX_DONE;
    }
    if (rc == TVC_ERR_HTTP_STATUS)
        fprintf(stderr, "tvc: download failed: HTTP %d\n", dl.http_status);
    else
        fprintf(stderr, "tvc: download failed: %s\n", tvc_strerror(rc));
    if (o->json)
        cli_print_json(o, NULL, NULL, rc, 1, NULL, NULL, NULL, -1, 0);
    return cli_exit_code(rc, NULL, 1);
}

int main(int argc, char **argv)
{
    struct cli_opts o;
    struct sigaction sa;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    (void)signal(SIGPIPE, SIG_IGN); /* cannot fail for a valid signal */
    if (!strcmp(o.cmd, "generate"))
        rc = cmd_generate(&o);
    else if (!strcmp(o.cmd, "status"))
        rc = cmd_status(&o);
    else if (!strcmp(o.cmd, "wait"))
        rc = cmd_wait(&o);
    else if (!strcmp(o.cmd, "resume"))
        rc = cmd_resume(&o);
    else if (!strcmp(o.cmd, "download"))
        rc = cmd_download(&o);
    else
        return usage_error("unknown command %s", o.cmd);
    /* a connection kept alive for a next request that will not come
     * (generate --no-wait, download) ends here, with close_notify */
    tvc_http_client_close(&http);
    /* The result printed on stdout is part of the answer: a write that
     * failed (a full disk, a closed pipe) must not end as a success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "tvc: cannot write the result to standard output\n");
        if (rc == EX_DONE)
            rc = EX_STORAGE;
    }
    return rc;
}
