/* Progress on stderr: a live line on a terminal, one plain line per change
 * otherwise.  Never prints the API key (it never sees it). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int quiet, tty, line_open;
static const struct tvc_port *port;
static uint64_t t0, dl_t0, last_draw;
static int last_step = -2, last_state = -1, last_pct = -1, last_what = 0;

void cli_progress_init(const struct cli_opts *o, const struct tvc_port *p)
{
    quiet = o->quiet;
    tty = isatty(2);
    port = p;
    t0 = p->now_ms(p->ctx);
}

static double elapsed(void)
{
    return (double)(port->now_ms(port->ctx) - t0) / 1000.0;
}

static void emit(const char *text)
{
    if (tty) {
        fprintf(stderr, "\r\033[K%s", text);
        line_open = 1;
    } else {
        fprintf(stderr, "%s\n", text);
    }
    (void)fflush(stderr); /* progress: nothing to do if stderr fails */
}

void cli_progress_end(void)
{
    if (tty && line_open) {
        fputc('\n', stderr);
        line_open = 0;
    }
}

void cli_note(const char *fmt, ...)
{
    va_list ap;
    if (quiet)
        return;
    cli_progress_end();
    va_start(ap, fmt);
    fputs("tvc: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void human(double v, char *out, size_t cap)
{
    if (v >= 1048576.0)
        snprintf(out, cap, "%.1f MB", v / 1048576.0);
    else if (v >= 1024.0)
        snprintf(out, cap, "%.1f KB", v / 1024.0);
    else
        snprintf(out, cap, "%.0f B", v);
}

static void draw_download(int what, uint64_t have, int64_t total)
{
    char line[200], h[32], t[32], r[32], bar[24];
    uint64_t now = port->now_ms(port->ctx);
    double secs = (double)(now - dl_t0) / 1000.0;
    int pct = total > 0 ? (int)(have * 100 / (uint64_t)total) : -1;
    int i;

    if (what != last_what) {
        last_what = what;
        dl_t0 = now;
        last_pct = -1;
        secs = 0;
    }
    if (tty) {
        if (now - last_draw < 100 && (total < 0 || (int64_t)have < total))
            return;
    } else if (pct >= 0 ? pct / 25 == last_pct / 25 && last_pct >= 0 : last_pct >= 0) {
        last_pct = pct < 0 ? 0 : pct;
        return;
    }
    last_draw = now;
    last_pct = pct < 0 ? 0 : pct;
    human((double)have, h, sizeof h);
    if (total >= 0)
        human((double)total, t, sizeof t);
    else
        snprintf(t, sizeof t, "?");
    r[0] = '\0';
    if (secs > 0.2) {
        human((double)have / secs, r, sizeof r - 2);
        memcpy(r + strlen(r), "/s", 3); /* human() left room for it */
    }
    for (i = 0; i < 20; i++)
        bar[i] = (pct >= 0 && i < pct / 5) ? '#' : '.';
    bar[20] = '\0';
    if (pct >= 0)
        snprintf(line, sizeof line, "[%6.1fs] %s [%s] %3d%% %s / %s  %s", elapsed(),
                 what == 1 ? "storyboard" : "video", bar, pct, h, t, r);
    else
        snprintf(line, sizeof line, "[%6.1fs] %s %s  %s", elapsed(),
                 what == 1 ? "storyboard" : "video", h, r);
    emit(line);
}

void cli_progress_dl(void *user, uint64_t have, int64_t total)
{
    (void)user;
    if (!quiet)
        draw_download(2, have, total);
}

void cli_progress_event(void *user, const struct tvc_job *j, int event)
{
    char line[200];
    (void)user;
    if (event == TVC_EV_SUBMITTED || event == TVC_EV_STATUS)
        cli_keep_answer(&j->res);
    if (quiet)
        return;
    switch (event) {
    case TVC_EV_SUBMITTED:
        cli_progress_end();
        fprintf(stderr, "tvc: submitted: recordId %s\n", j->rec.record_id);
        break;
    case TVC_EV_STATUS:
        if (j->res.current_step == last_step && j->res.state == last_state && !tty)
            break;
        last_step = j->res.current_step;
        last_state = j->res.state;
        if (j->res.http_status != 200) {
            snprintf(line, sizeof line, "[%6.1fs] status: HTTP %d %s", elapsed(), j->res.http_status,
                     j->res.code_raw);
        } else if (j->res.current_step > 0) {
            snprintf(line, sizeof line, "[%6.1fs] step %d/3: %s%s%s", elapsed(), j->res.current_step,
                     j->res.step_name[0] ? j->res.step_name : "processing",
                     j->res.video_task_progress[0] ? " - " : "", j->res.video_task_progress);
        } else {
            snprintf(line, sizeof line, "[%6.1fs] %s", elapsed(),
                     j->res.state_raw[0] ? j->res.state_raw : "waiting");
        }
        emit(line);
        break;
    case TVC_EV_WAITING:
        snprintf(line, sizeof line, "[%6.1fs] waiting %.1fs before retrying", elapsed(),
                 j->wait_reason_ms / 1000.0);
        emit(line);
        last_step = -2;
        break;
    case TVC_EV_DOWNLOAD:
        draw_download(j->dl_what, j->dl_have, j->dl_total);
        break;
    case TVC_EV_DONE:
        cli_progress_end();
        break;
    default:
        break;
    }
}
