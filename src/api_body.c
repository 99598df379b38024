/*
 * Request bodies of the two endpoints, and the checks done before any byte
 * is sent: generate costs credits, so a request the server would refuse
 * (or, worse, accept with a wrong meaning) is stopped here.
 */
#include <string.h>

#include "tvc_api.h"
#include "tvc_url.h"

static const char why_params[] = "no generate parameters";
static const char why_theme[] = "adTheme is required and must not be blank";
static const char why_duration[] = "videoDuration must be 10 or 15";
static const char why_url[] =
    "referenceImageUrl must be a public http(s) URL (data: URIs and base64 are refused)";
static const char why_utf8_theme[] = "adTheme is not valid UTF-8";
static const char why_utf8_voice[] = "voiceoverScript is not valid UTF-8";
static const char why_utf8_url[] = "referenceImageUrl is not valid UTF-8";

static int given(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static int blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' && *s != '\v')
            return 0;
    return 1;
}

static int refuse(const char **why, const char *reason, int err)
{
    if (why != NULL)
        *why = reason;
    return err;
}

int tvc_api_validate(const struct tvc_gen_params *p, const char **why)
{
    struct tvc_url u;

    if (why != NULL)
        *why = NULL;
    if (p == NULL)
        return refuse(why, why_params, TVC_ERR_ARG);
    if (p->ad_theme == NULL)
        return refuse(why, why_theme, TVC_ERR_ARG);
    if (tvc_utf8_check(p->ad_theme, strlen(p->ad_theme)) != 0)
        return refuse(why, why_utf8_theme, TVC_ERR_UTF8);
    if (blank(p->ad_theme))
        return refuse(why, why_theme, TVC_ERR_ARG);
    if (p->voiceover != NULL && tvc_utf8_check(p->voiceover, strlen(p->voiceover)) != 0)
        return refuse(why, why_utf8_voice, TVC_ERR_UTF8);
    if (p->duration != 0 && p->duration != 10 && p->duration != 15)
        return refuse(why, why_duration, TVC_ERR_ARG);
    if (given(p->reference_url)) {
        size_t n = strlen(p->reference_url);
        if (tvc_utf8_check(p->reference_url, n) != 0)
            return refuse(why, why_utf8_url, TVC_ERR_UTF8);
        /* Anything tvc_url_parse() refuses (relative text such as base64,
         * data:, ftp:, user@host) is not a URL the server can fetch. */
        if (tvc_url_parse(p->reference_url, n, &u) != 0)
            return refuse(why, why_url, TVC_ERR_ARG);
    }
    return 0;
}

/* "key":"value" (a NULL value writes null). */
static void member(struct tvc_jw *w, const char *key, const char *value)
{
    tvc_jw_key(w, key);
    tvc_jw_cstr(w, value);
}

int tvc_api_generate_body(const struct tvc_gen_params *p, char *buf, size_t cap)
{
    struct tvc_jw w;
    int rc = tvc_api_validate(p, NULL);

    if (rc != 0)
        return rc;
    if (buf == NULL || cap == 0)
        return TVC_ERR_NOSPACE;
    tvc_jw_init(&w, buf, cap);
    tvc_jw_object_begin(&w);
    member(&w, "adTheme", p->ad_theme);
    /* Optional fields are left out rather than sent as null or "": the
     * page documents them as strings, and a strict server may refuse null. */
    if (given(p->voiceover)) {
        member(&w, "voiceoverScript", p->voiceover);
    }
    if (given(p->reference_url)) {
        member(&w, "referenceImageUrl", p->reference_url);
    }
    member(&w, "videoDuration", p->duration == 15 ? "15" : "10"); /* a string, as the page says */
    member(&w, "aspectRatio", p->landscape ? "landscape" : "portrait");
    tvc_jw_object_end(&w);
    return tvc_jw_finish(&w);
}

int tvc_api_status_body(const char *record_id, const char *task_id, char *buf, size_t cap)
{
    struct tvc_jw w;

    if (!given(record_id) && !given(task_id))
        return TVC_ERR_ARG;
    if (buf == NULL || cap == 0)
        return TVC_ERR_NOSPACE;
    tvc_jw_init(&w, buf, cap);
    tvc_jw_object_begin(&w);
    if (given(record_id)) {
        member(&w, "recordId", record_id);
    } else {
        member(&w, "taskId", task_id);
    }
    tvc_jw_object_end(&w);
    return tvc_jw_finish(&w);
}
