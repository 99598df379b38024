/* Status codes as text, and by what the caller does next. */
#include "tvc_base.h"
#include "tvc_config.h"

#if !TVC_FEATURE_STRERROR
/* Compiled without the texts: one per class of tvc_err_class(). */
const char *tvc_strerror(int err)
{
    static const char *const by_class[] = {
        "ok", "invalid input", "transient failure", "TLS trust failure",
        "protocol error", "local failure", "job failure"};
    int c = tvc_err_class(err);

    return c >= 0 && c < (int)(sizeof by_class / sizeof by_class[0]) ? by_class[c] : "error";
}
#else
/* One packed table, not a switch: each text follows one byte holding its
 * code negated (octal escape) and ends at its NUL; a 0 byte ends the table. */
static const char texts[] =
    "\001" "invalid argument" "\0" /* TVC_ERR_ARG */
    "\002" "buffer too small" "\0" /* TVC_ERR_NOSPACE */
    "\003" "invalid UTF-8" "\0" /* TVC_ERR_UTF8 */
    "\004" "malformed URL" "\0" /* TVC_ERR_URL */
    "\005" "URL scheme must be http or https" "\0" /* TVC_ERR_URL_SCHEME */
    "\006" "credentials in URLs are refused" "\0" /* TVC_ERR_URL_USERINFO */
    "\007" "called in the wrong state" "\0" /* TVC_ERR_STATE */
    "\010" "port incomplete or wrong version" "\0" /* TVC_ERR_PORT */
    "\012" "in progress, call again" "\0" /* TVC_ERR_AGAIN */
    "\013" "timed out" "\0" /* TVC_ERR_TIMEOUT */
    "\014" "host name not resolved" "\0" /* TVC_ERR_DNS */
    "\015" "connection refused or unreachable" "\0" /* TVC_ERR_CONNECT */
    "\016" "connection reset by peer" "\0" /* TVC_ERR_RESET */
    "\017" "connection closed by peer" "\0" /* TVC_ERR_CLOSED */
    "\020" "network I/O error" "\0" /* TVC_ERR_IO */
    "\024" "TLS failure" "\0" /* TVC_ERR_TLS */
    "\025" "TLS certificate not trusted (unknown CA)" "\0" /* TVC_ERR_TLS_UNTRUSTED */
    "\026" "TLS certificate does not match the host" "\0" /* TVC_ERR_TLS_HOSTNAME */
    "\027" "TLS certificate expired or not yet valid" "\0" /* TVC_ERR_TLS_EXPIRED */
    "\030" "TLS certificate refused" "\0" /* TVC_ERR_TLS_CERT */
    "\031" "trust anchors could not be loaded" "\0" /* TVC_ERR_TLS_CA */
    "\036" "malformed HTTP response" "\0" /* TVC_ERR_HTTP */
    "\037" "HTTP header block too large" "\0" /* TVC_ERR_HTTP_HEADERS_TOO_LARGE */
    "\040" "too many HTTP header fields" "\0" /* TVC_ERR_HTTP_TOO_MANY_HEADERS */
    "\041" "obsolete HTTP header line folding" "\0" /* TVC_ERR_HTTP_FOLDING */
    "\042" "invalid or conflicting HTTP message framing" "\0" /* TVC_ERR_HTTP_FRAMING */
    "\043" "malformed chunked encoding" "\0" /* TVC_ERR_HTTP_CHUNK */
    "\044" "connection closed inside the response" "\0" /* TVC_ERR_HTTP_TRUNCATED */
    "\045" "too many redirects" "\0" /* TVC_ERR_HTTP_REDIRECT_LIMIT */
    "\046" "redirect from https to http refused" "\0" /* TVC_ERR_HTTP_REDIRECT_INSECURE */
    "\047" "redirect without a usable Location" "\0" /* TVC_ERR_HTTP_REDIRECT */
    "\050" "malformed JSON" "\0" /* TVC_ERR_JSON */
    "\051" "too many JSON tokens" "\0" /* TVC_ERR_JSON_TOKENS */
    "\052" "bad JSON string escape" "\0" /* TVC_ERR_JSON_ESCAPE */
    "\053" "JSON value of unexpected type" "\0" /* TVC_ERR_JSON_TYPE */
    "\054" "JSON number out of range" "\0" /* TVC_ERR_JSON_RANGE */
    "\055" "not found" "\0" /* TVC_ERR_NOT_FOUND */
    "\062" "aborted by callback" "\0" /* TVC_ERR_ABORTED */
    "\063" "no entropy" "\0" /* TVC_ERR_ENTROPY */
    "\064" "local storage error" "\0" /* TVC_ERR_STORAGE */
    "\074" "unexpected HTTP status" "\0" /* TVC_ERR_HTTP_STATUS */
    "\075" "the API refused the request" "\0" /* TVC_ERR_API */
    /* TVC_ERR_OUTCOME_UNKNOWN */
    "\076" "generate sent but no answer came (outcome unknown, not re-sent)" "\0"
    "\077" "deadline reached before the job finished" "\0" /* TVC_ERR_DEADLINE */
    "\100" "the job failed" "\0" /* TVC_ERR_JOB_FAILED */
    "\101" "request budget exhausted before the deadline" "\0" /* TVC_ERR_BUDGET */
    "\102" "API answer incomplete or with an unknown status" "\0" /* TVC_ERR_API_PROTOCOL */
    "\103" "download answered with a page, not the file" "\0" /* TVC_ERR_MEDIA_TYPE */
    ;

const char *tvc_strerror(int err)
{
    const char *p = texts;

    if (err >= 0)
        return "ok";
    while (*p) {
        if ((unsigned char)*p++ == (unsigned)-err)
            return p;
        while (*p++)
            ;
    }
    return "unknown error";
}
#endif /* TVC_FEATURE_STRERROR */

int tvc_err_class(int err)
{
    if (err >= 0)
        return TVC_CLASS_OK;
    if (err > -10)
        return TVC_CLASS_FIX_INPUT;
    if (err > -20)
        return TVC_CLASS_RETRY;
    if (err > -30)
        return TVC_CLASS_TRUST;
    if (err > -50)
        return err == TVC_ERR_NOT_FOUND ? TVC_CLASS_FIX_INPUT : TVC_CLASS_PROTOCOL;
    if (err > -60)
        return TVC_CLASS_LOCAL;
    return TVC_CLASS_JOB;
}
