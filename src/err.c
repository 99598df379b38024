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
const char *tvc_strerror(int err)
{
    if (err >= 0)
        return "ok";
    switch ((enum tvc_err)err) {
    case TVC_OK: return "ok";
    case TVC_ERR_ARG: return "invalid argument";
    case TVC_ERR_NOSPACE: return "buffer too small";
    case TVC_ERR_UTF8: return "invalid UTF-8";
    case TVC_ERR_URL: return "malformed URL";
    case TVC_ERR_URL_SCHEME: return "URL scheme must be http or https";
    case TVC_ERR_URL_USERINFO: return "credentials in URLs are refused";
    case TVC_ERR_STATE: return "called in the wrong state";
    case TVC_ERR_PORT: return "port incomplete or wrong version";
    case TVC_ERR_AGAIN: return "in progress, call again";
    case TVC_ERR_TIMEOUT: return "timed out";
    case TVC_ERR_DNS: return "host name not resolved";
    case TVC_ERR_CONNECT: return "connection refused or unreachable";
    case TVC_ERR_RESET: return "connection reset by peer";
    case TVC_ERR_CLOSED: return "connection closed by peer";
    case TVC_ERR_IO: return "network I/O error";
    case TVC_ERR_TLS: return "TLS failure";
    case TVC_ERR_TLS_UNTRUSTED: return "TLS certificate not trusted (unknown CA)";
    case TVC_ERR_TLS_HOSTNAME: return "TLS certificate does not match the host";
    case TVC_ERR_TLS_EXPIRED: return "TLS certificate expired or not yet valid";
    case TVC_ERR_TLS_CERT: return "TLS certificate refused";
    case TVC_ERR_TLS_CA: return "trust anchors could not be loaded";
    case TVC_ERR_HTTP: return "malformed HTTP response";
    case TVC_ERR_HTTP_HEADERS_TOO_LARGE: return "HTTP header block too large";
    case TVC_ERR_HTTP_TOO_MANY_HEADERS: return "too many HTTP header fields";
    case TVC_ERR_HTTP_FOLDING: return "obsolete HTTP header line folding";
    case TVC_ERR_HTTP_FRAMING: return "invalid or conflicting HTTP message framing";
    case TVC_ERR_HTTP_CHUNK: return "malformed chunked encoding";
    case TVC_ERR_HTTP_TRUNCATED: return "connection closed inside the response";
    case TVC_ERR_HTTP_REDIRECT_LIMIT: return "too many redirects";
    case TVC_ERR_HTTP_REDIRECT_INSECURE: return "redirect from https to http refused";
    case TVC_ERR_HTTP_REDIRECT: return "redirect without a usable Location";
    case TVC_ERR_JSON: return "malformed JSON";
    case TVC_ERR_JSON_TOKENS: return "too many JSON tokens";
    case TVC_ERR_JSON_ESCAPE: return "bad JSON string escape";
    case TVC_ERR_JSON_TYPE: return "JSON value of unexpected type";
    case TVC_ERR_JSON_RANGE: return "JSON number out of range";
    case TVC_ERR_NOT_FOUND: return "not found";
    case TVC_ERR_ABORTED: return "aborted by callback";
    case TVC_ERR_ENTROPY: return "no entropy";
    case TVC_ERR_STORAGE: return "local storage error";
    case TVC_ERR_HTTP_STATUS: return "unexpected HTTP status";
    case TVC_ERR_API: return "the API refused the request";
    case TVC_ERR_OUTCOME_UNKNOWN: return "generate sent but no answer came (outcome unknown, not re-sent)";
    case TVC_ERR_DEADLINE: return "deadline reached before the job finished";
    case TVC_ERR_JOB_FAILED: return "the job failed";
    case TVC_ERR_BUDGET: return "request budget exhausted before the deadline";
    case TVC_ERR_API_PROTOCOL: return "API answer incomplete or with an unknown status";
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
