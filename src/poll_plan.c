/*
 * The learning polling schedule (policy in tvc_poll_plan.h): a completion
 * window from past jobs, sparse polls before it, dense ones inside it,
 * backing off after it; bounded by the documented 5 s and the freshness
 * target, stretched to the request budget, with jitter.
 */
#include <string.h>

#include "chars.h"
#include "tvc_poll_plan.h"

static uint16_t secs(uint32_t ms)
{
    uint32_t s = (ms + 500u) / 1000u;
    return (uint16_t)(s > 65535u ? 65535u : s);
}

void tvc_poll_hist_add(struct tvc_poll_hist *h, uint32_t gen_ms, uint32_t video_ms)
{
    if (!h)
        return;
    if (h->next >= TVC_POLL_HIST)
        h->next = 0;
    h->gen_s[h->next] = secs(gen_ms);
    h->video_s[h->next] = secs(video_ms);
    h->next = (uint8_t)((h->next + 1u) % TVC_POLL_HIST);
    if (h->n < TVC_POLL_HIST)
        h->n++;
}

void tvc_poll_plan_init(struct tvc_poll_plan *p, const struct tvc_poll_hist *h,
                        uint32_t fresh_ms)
{
    uint32_t mn = 0xFFFFFFFFu, mx = 0, m, vmin = 0xFFFFFFFFu;
    unsigned i, n;

    memset(p, 0, sizeof *p);
    if (h)
        p->hist = *h;
    if (p->hist.n > TVC_POLL_HIST)
        p->hist.n = TVC_POLL_HIST;
    p->fresh_ms = fresh_ms ? fresh_ms : TVC_POLL_FRESH_MS;
    if (p->fresh_ms < TVC_POLL_MIN_MS)
        p->fresh_ms = TVC_POLL_MIN_MS;
    n = p->hist.n;
    for (i = 0; i < n; i++) {
        uint32_t g = p->hist.gen_s[i] * 1000u, v = p->hist.video_s[i] * 1000u;
        if (g < mn)
            mn = g;
        if (g > mx)
            mx = g;
        if (v && v < vmin)
            vmin = v;
    }
    if (n == 0) {
        p->lo_ms = TVC_POLL_PRIOR_LO_MS;
        p->hi_ms = TVC_POLL_PRIOR_HI_MS;
        return;
    }
    m = TVC_POLL_MARGIN_MS + mx / (4u * n); /* wide while little is known */
    p->lo_ms = mn > m ? mn - m : 0;
    p->hi_ms = mx + m;
    p->vmin_ms = vmin == 0xFFFFFFFFu ? 0 : vmin;
}

void tvc_poll_plan_seen(struct tvc_poll_plan *p, uint32_t elapsed_ms, int step)
{
    if (step == 1 || step == 2) {
        if (elapsed_ms > p->pre3_ms)
            p->pre3_ms = elapsed_ms;
    } else if (step == 3 && p->seen3_ms == 0) {
        p->seen3_ms = elapsed_ms ? elapsed_ms : 1;
    }
}

uint32_t tvc_poll_plan_lo(const struct tvc_poll_plan *p)
{
    /* The video step starts after the last answer that was not in it, and
     * lasts at least the shortest one seen (measured from first sight, so
     * it is short, never long): completion cannot come earlier.  7/8 of it
     * leaves room for a job faster than any before. */
    uint32_t lo = p->lo_ms;
    if (p->vmin_ms) {
        uint32_t c = p->pre3_ms + p->vmin_ms - p->vmin_ms / 8u;
        if (c > lo)
            lo = c;
    }
    return lo;
}

uint32_t tvc_poll_plan_next(const struct tvc_poll_plan *p, uint32_t t, int per_hour,
                            uint32_t rnd)
{
    uint32_t lo = tvc_poll_plan_lo(p), hi = p->hi_ms > lo ? p->hi_ms : lo;
    uint32_t fresh = p->fresh_ms, dense = TVC_POLL_DENSE_MS, gap, span;

    if (per_hour > 0) { /* a job's dense polls: at most a quarter of the budget */
        /* (tvc_ch_divu: no libgcc 64-bit division on a 32-bit CPU) */
        unsigned rem;
        uint64_t b = tvc_ch_divu(4u * (uint64_t)(hi - lo), (unsigned)per_hour, &rem);
        if (b > dense)
            dense = b > fresh ? fresh : (uint32_t)b;
    }
    if (t < lo) {
        uint32_t d = lo - t, up = rnd % (dense / 5u + 1u);
        if (d <= fresh) {
            gap = d + up > fresh ? d : d + up; /* straight to lo: jittered later, never earlier */
        } else {
            gap = d <= 2u * fresh ? d / 2u : fresh;
            span = gap / 5u;
            gap = gap - span / 2u + rnd % (span + 1u);
            if (gap > fresh)
                gap = fresh;
        }
        return gap < TVC_POLL_MIN_MS ? TVC_POLL_MIN_MS : gap;
    } else if (t <= hi) {
        gap = dense;
    } else {
        uint32_t late = (t - hi) / 4u;
        gap = late > fresh ? fresh : dense + late;
    }
    span = gap / 5u; /* +-10% */
    if (span)
        gap = gap - span / 2u + rnd % (span + 1u);
    if (gap > fresh)
        gap = fresh;
    if (gap < TVC_POLL_MIN_MS)
        gap = TVC_POLL_MIN_MS;
    return gap;
}

void tvc_poll_plan_learn(struct tvc_poll_plan *p, uint32_t gen_ms)
{
    uint32_t video = p->seen3_ms && gen_ms > p->seen3_ms ? gen_ms - p->seen3_ms : 0;
    tvc_poll_hist_add(&p->hist, gen_ms, video);
}
