/**
 * @file tvc_config.h
 * @brief Every compile-time option of libtvc, each with its default: the
 * feature switches, buffer sizes, field sizes, limits and timeouts.  No other
 * header defines an option.
 *
 * A board overrides options by defining them before this header is read:
 * name a file with `-DTVC_CONFIG_FILE='"my_tvc_config.h"'` and it is included
 * first (or pass -D flags).  Every option here is `#ifndef`-guarded, with its
 * unit, range and default beside it; impossible values stop the build with
 * `#error`.
 */
#ifndef TVC_CONFIG_H
#define TVC_CONFIG_H

#ifdef TVC_CONFIG_FILE
#include TVC_CONFIG_FILE
#endif

/* ------------------------------------------------------------------ */
/* Feature switches: 1 = built in (the default), 0 = compiled out.      */
/* A small board may leave these out; `make check-minimal` builds the   */
/* core with all of them 0.                                             */

/**
 * @brief Retry-After given as an HTTP-date (IMF-fixdate, RFC 850, asctime).
 * 0: tvc_http_retry_after() understands delta-seconds only and answers a
 * date with TVC_ERR_HTTP (unparseable), so the caller's own backoff applies.
 * Possible values: 0, 1.  Default: 1.
 */
#ifndef TVC_FEATURE_HTTP_DATE
#define TVC_FEATURE_HTTP_DATE 1
#endif

/**
 * @brief Human-readable text for every status code.  0: tvc_strerror()
 * returns one short text per error class ("transient failure", ...), still
 * a static string, never NULL.  Possible values: 0, 1.  Default: 1.
 */
#ifndef TVC_FEATURE_STRERROR
#define TVC_FEATURE_STRERROR 1
#endif

/**
 * @brief The request budget (struct tvc_job.per_hour, tvc_budget_*).
 * 0: tvc_budget_take() always returns TVC_ERR_STATE and the job engine
 * never waits for a budget.  Needs TVC_FEATURE_JOURNAL (the budget is kept
 * in the journal's directory).  Possible values: 0, 1.  Default: 1.
 */
#ifndef TVC_FEATURE_BUDGET
#define TVC_FEATURE_BUDGET 1
#endif

/**
 * @brief The power-loss journal (tvc_journal_*).  0: every tvc_journal_*
 * function returns TVC_ERR_STATE (tvc_journal_open() first of all, so no
 * journal can be bound) and the job engine runs without persistence.
 * Possible values: 0, 1.  Default: 1.
 */
#ifndef TVC_FEATURE_JOURNAL
#define TVC_FEATURE_JOURNAL 1
#endif

/**
 * @brief Download resume: the `<path>.part.meta` sidecar and a Range /
 * If-Range request for a kept part.  0: every download starts from byte 0
 * and no sidecar is written or read.  Possible values: 0, 1.  Default: 1.
 */
#ifndef TVC_FEATURE_RESUME
#define TVC_FEATURE_RESUME 1
#endif

/* ------------------------------------------------------------------ */
/* HTTP                                                                */

/**
 * @brief User-Agent sent with every request.
 * Possible values: any string literal without CR/LF.
 * Default: "libtvc/<version>".
 */
#ifndef TVC_USER_AGENT
#define TVC_USER_AGENT "libtvc/" TVC_VERSION_STRING
#endif

/**
 * @brief Most header fields kept per response.
 * Possible values: 8 .. 255.  Default: 64 (CDNs and proxies send many).
 * A response with more fields fails with TVC_ERR_HTTP_TOO_MANY_HEADERS.
 */
#ifndef TVC_HTTP_MAX_HEADERS
#define TVC_HTTP_MAX_HEADERS 64
#endif

/**
 * @brief Redirect hops followed before TVC_ERR_HTTP_REDIRECT_LIMIT.
 * Possible values: 0 .. 20.  Default: 5.
 */
#ifndef TVC_HTTP_MAX_REDIRECTS
#define TVC_HTTP_MAX_REDIRECTS 5
#endif

/**
 * @brief Longest URL the client can hold (request URL and redirect targets),
 * including the terminating NUL.
 * Possible values: 64 .. 65535.  Default: 1024.
 */
#ifndef TVC_URL_MAX
#define TVC_URL_MAX 1024
#endif

/**
 * @brief Longest host name, including the terminating NUL.
 * Possible values: 16 .. 256.  Default: 256 (DNS allows 253).
 */
#ifndef TVC_HOST_MAX
#define TVC_HOST_MAX 256
#endif

/**
 * @brief Default time allowed for TCP connect plus TLS handshake, in ms.
 * Possible values: 1 .. 2^31-1.  Default: 15000.
 */
#ifndef TVC_HTTP_CONNECT_TIMEOUT_MS
#define TVC_HTTP_CONNECT_TIMEOUT_MS 15000
#endif

/**
 * @brief Default longest silence (no byte sent or received) during a request,
 * in ms, before TVC_ERR_TIMEOUT.
 * Possible values: 1 .. 2^31-1.  Default: 30000.
 */
#ifndef TVC_HTTP_IO_TIMEOUT_MS
#define TVC_HTTP_IO_TIMEOUT_MS 30000
#endif

/**
 * @brief Longest chunk-extension or trailer section accepted, in bytes.
 * Possible values: 64 .. 2^20.  Default: 4096.
 * Longer ones fail with TVC_ERR_HTTP_CHUNK (a server cannot make us read
 * an unbounded line).
 */
#ifndef TVC_HTTP_MAX_CHUNK_LINE
#define TVC_HTTP_MAX_CHUNK_LINE 4096
#endif

/**
 * @brief Default size of the response header buffer a client should be given.
 * Possible values: 256 .. 65535.  Default: 2048.
 * Used by the sizing macros and the `tvc` program; the library itself uses
 * whatever size the caller hands in.
 */
#ifndef TVC_HTTP_HEADER_BUF
#define TVC_HTTP_HEADER_BUF 2048
#endif

/**
 * @brief Default size of the receive buffer a client should be given, bytes.
 * One tvc_http_step() receives at most this much, so it also bounds the work
 * (and the body piece a sink gets) per step.  Over TLS the TLS library keeps
 * its own record buffer; this one only takes the plaintext out of it.
 * Possible values: 64 .. 65535.  Default: 1024 (a board's whole-flow RAM;
 * the tvc program on Linux hands in 16 KiB for fewer steps per megabyte).
 */
#ifndef TVC_HTTP_IO_BUF
#define TVC_HTTP_IO_BUF 1024
#endif

/* ------------------------------------------------------------------ */
/* JSON and files                                                       */

/**
 * @brief Deepest JSON nesting the writer supports.
 * Possible values: 1 .. 32.  Default: 8.
 */
#ifndef TVC_JSON_MAX_DEPTH
#define TVC_JSON_MAX_DEPTH 8
#endif

/**
 * @brief Default number of JSON tokens a caller should hand in for an API answer.
 * Possible values: 16 .. 65535.  Default: 96.
 */
#ifndef TVC_JSON_TOKENS
#define TVC_JSON_TOKENS 96
#endif

/**
 * @brief Longest file path (journal, downloads), including the NUL.
 * Possible values: 32 .. 4096.  Default: 256.
 */
#ifndef TVC_PATH_MAX
#define TVC_PATH_MAX 256
#endif

/**
 * @brief Deepest nesting tvc_json_parse() accepts (one bit per level on
 * the stack); deeper documents are refused as TVC_ERR_JSON.
 * Possible values: 8 .. 4096.  Default: 256.
 */
#ifndef TVC_JSON_PARSE_DEPTH
#define TVC_JSON_PARSE_DEPTH 256
#endif

/* ------------------------------------------------------------------ */
/* API client (tvc_api.h)                                               */

/**
 * @brief Longest storyboardPrompt kept (bytes incl. NUL); longer prompts are
 * cut at a UTF-8 boundary and flagged, never an error.
 * Possible values: 64 .. 65535.  Default: 1024.
 */
#ifndef TVC_API_PROMPT_MAX
#define TVC_API_PROMPT_MAX 1024
#endif

/**
 * @brief Work area of one struct tvc_api, in bytes: it holds the endpoint URL,
 * then the request body while it is sent, then (over the body) the answer as
 * squeezed, the JSON tokens of the answer after it (at least 40 are kept
 * free, 16 bytes each), and the decoded strings (unescaped in place).  A
 * generate body (theme, voiceover, reference URL, escaped) must fit beside
 * the URL; an answer must fit with its tokens.  The job shares this area
 * with its download state.  With the default a generate body of about
 * 3.5 KB (escaped theme + voiceover + reference URL) fits; a longer one is
 * refused with TVC_ERR_NOSPACE before anything is sent.  An answer of about
 * 2.9 KB fits after its long strings are squeezed (a prompt over
 * TVC_API_PROMPT_MAX is cut, so only very long media URLs can overflow it).
 * A call whose URL takes more than half of it, or leaves less than 1152
 * bytes (40 tokens and a 512-byte answer) fails with TVC_ERR_NOSPACE.
 * Possible values: 2048 .. 65535.  Default: 3584.
 */
#ifndef TVC_API_BUF
#define TVC_API_BUF 3584
#endif

/**
 * @brief Size of a record id / task id field (bytes incl. NUL) in
 * struct tvc_api_result and struct tvc_job_rec; a longer id from the
 * service is refused as cut.  Possible values: 16 .. 1024.  Default: 96.
 */
#ifndef TVC_ID_MAX
#define TVC_ID_MAX 96
#endif

/**
 * @brief Size of the error text field of struct tvc_api_result (bytes incl.
 * NUL; longer text is cut).  Possible values: 16 .. 4096.  Default: 160.
 */
#ifndef TVC_API_ERROR_MAX
#define TVC_API_ERROR_MAX 160
#endif

/**
 * @brief Sizes of the short text fields of struct tvc_api_result (bytes
 * incl. NUL; longer text is cut): the status as sent, the errorCode as
 * sent, the current step name and the videoTaskProgress text.
 * Possible values: 8 .. 1024 each.  Defaults: 24, 48, 64, 48.
 */
#ifndef TVC_API_STATE_MAX
#define TVC_API_STATE_MAX 24
#endif
#ifndef TVC_API_CODE_MAX
#define TVC_API_CODE_MAX 48
#endif
#ifndef TVC_API_STEP_MAX
#define TVC_API_STEP_MAX 64
#endif
#ifndef TVC_API_PROGRESS_MAX
#define TVC_API_PROGRESS_MAX 48
#endif

/**
 * @brief Longest member name the answer squeezer remembers (bytes incl.
 * NUL); it only has to tell the API's own keys apart.
 * Possible values: 20 .. 256.  Default: 24 (longest API key + NUL fits).
 */
#ifndef TVC_API_KEY_MAX
#define TVC_API_KEY_MAX 24
#endif

/* ------------------------------------------------------------------ */
/* Job engine (tvc_job.h)                                               */

/**
 * @brief Default overall deadline of a job, ms.  Possible values:
 * 1000 .. 2^32-1.  Default: 900000 (15 min; typical jobs take 2-5 min).
 */
#ifndef TVC_JOB_DEADLINE_MS
#define TVC_JOB_DEADLINE_MS 900000u
#endif

/**
 * @brief Consecutive failed attempts (network errors, malformed answers,
 * 429/5xx) of one step before the job gives up.  Possible values: 1 .. 100.
 * Default: TVC_RETRY_MAX_ATTEMPTS (6).
 */
#ifndef TVC_JOB_MAX_ATTEMPTS
#define TVC_JOB_MAX_ATTEMPTS TVC_RETRY_MAX_ATTEMPTS
#endif

/**
 * @brief How many times one job asks check-status again after a media host
 * refused a URL (401, 403, 404, 410, or an error page): a signed URL that
 * expired gets a fresh one this way.  Possible values: 0 .. 100 (0: never).
 * Default: 3 (an expiry, and one more during the download from the new URL,
 * with room to spare; a URL that comes back unchanged ends the job at once).
 */
#ifndef TVC_JOB_MEDIA_REFRESH
#define TVC_JOB_MEDIA_REFRESH 3
#endif

/* ------------------------------------------------------------------ */
/* Retry policy (tvc_retry.h): backoff, Retry-After, attempts            */

/**
 * @brief Longest backoff wait, ms.  Possible values: 2000 .. 3600000.
 * Default: 60000 (60 s).
 */
#ifndef TVC_RETRY_CAP_MS
#define TVC_RETRY_CAP_MS 60000u
#endif

/**
 * @brief Longest Retry-After honoured, s; a longer one is cut to this.
 * Possible values: 1 .. 86400.  Default: 86400 (one day).
 */
#ifndef TVC_RETRY_AFTER_MAX_S
#define TVC_RETRY_AFTER_MAX_S 86400
#endif

/**
 * @brief Consecutive failed attempts before giving up (the first attempt
 * included).  Possible values: 1 .. 100.  Default: 6.
 */
#ifndef TVC_RETRY_MAX_ATTEMPTS
#define TVC_RETRY_MAX_ATTEMPTS 6
#endif

/* ------------------------------------------------------------------ */
/* Journal and budget (tvc_journal.h)                                   */

/**
 * @brief Size of the theme, voiceover and reference-URL labels kept in a
 * journal record, bytes with the NUL; longer text is cut at a UTF-8
 * boundary.  These are only labels for people: generate sends the caller's
 * own strings, and resume never re-sends anything.
 * Possible values: 8 .. 8192.  Default: 64.
 */
#ifndef TVC_JOURNAL_TEXT_MAX
#define TVC_JOURNAL_TEXT_MAX 64
#endif

/**
 * @brief Write buffer of the journal (bytes): records and the budget file go
 * to storage in pieces of this size.  Bigger means fewer, larger writes
 * (kinder to flash), smaller means less RAM.  With 256 a record takes 2
 * writes and a budget file 1.  Possible values: 32 .. 4096.  Default: 256.
 */
#ifndef TVC_JOURNAL_CHUNK
#define TVC_JOURNAL_CHUNK 256
#endif

/**
 * @brief Read buffer of the journal (bytes): records and the budget file
 * are read in pieces of this size (reads do not wear flash).
 * Possible values: 16 .. 4096.  Default: 64.
 */
#ifndef TVC_JOURNAL_READ_BUF
#define TVC_JOURNAL_READ_BUF 64
#endif

/**
 * @brief Requests reserved per budget lease (one write of the budget file
 * per lease).  1 gives one write per request.  It bounds the under-use after
 * a power loss (see tvc_journal.h).  Possible values: 1 .. 1000 requests.
 * Default: 64 (a 2-5 min job with 25-40 polls takes one lease).
 */
#ifndef TVC_BUDGET_LEASE
#define TVC_BUDGET_LEASE 64
#endif

/**
 * @brief Lifetime of a budget lease, seconds: requests are taken from it for
 * this long, then a new lease is taken.  Possible values: 60 .. 3600.
 * Default: 900 (the default job deadline).
 */
#ifndef TVC_BUDGET_LEASE_S
#define TVC_BUDGET_LEASE_S 900
#endif

/**
 * @brief Longest wait tvc_budget_take() asks for when other processes hold
 * open leases (they may give requests back early), seconds.
 * Possible values: 1 .. 3600.  Default: 60.
 */
#ifndef TVC_BUDGET_RECHECK_S
#define TVC_BUDGET_RECHECK_S 60
#endif

/**
 * @brief Size of the last-error text kept in a journal record (bytes incl.
 * NUL): the tvc_strerror() text of the error that ended the job, cut to
 * fit.  Possible values: 16 .. 1024.  Default: 64.
 */
#ifndef TVC_JOURNAL_ERROR_MAX
#define TVC_JOURNAL_ERROR_MAX 64
#endif

/**
 * @brief Largest per_hour accepted by tvc_budget_take(); it bounds the size
 * of the budget file (one line per request of the last hour).
 * Possible values: 1 .. 100000.  Default: 1000.
 */
#ifndef TVC_BUDGET_MAX_PER_HOUR
#define TVC_BUDGET_MAX_PER_HOUR 1000
#endif

/* ------------------------------------------------------------------ */
/* Downloads (tvc_download.h)                                           */

/**
 * @brief Part-file bytes hashed per tvc_dl_step() call before a resume, so
 * a large part never makes one step block.  Possible values: 512 .. 2^20.
 * Default: 16384.
 */
#ifndef TVC_DL_HASH_PER_STEP
#define TVC_DL_HASH_PER_STEP 16384
#endif

/**
 * @brief Size of the ETag / Last-Modified validator kept for a resume
 * (bytes incl. NUL; a longer validator means "no resume for this answer").
 * Possible values: 32 .. 1024.  Default: 128.
 */
#ifndef TVC_DL_VALIDATOR_MAX
#define TVC_DL_VALIDATOR_MAX 128
#endif

/* ---- impossible values ---- */
#if (TVC_FEATURE_HTTP_DATE != 0 && TVC_FEATURE_HTTP_DATE != 1) || \
    (TVC_FEATURE_STRERROR != 0 && TVC_FEATURE_STRERROR != 1) || \
    (TVC_FEATURE_BUDGET != 0 && TVC_FEATURE_BUDGET != 1) || \
    (TVC_FEATURE_JOURNAL != 0 && TVC_FEATURE_JOURNAL != 1) || \
    (TVC_FEATURE_RESUME != 0 && TVC_FEATURE_RESUME != 1)
#error "TVC_FEATURE_* switches must be 0 or 1"
#endif
#if TVC_FEATURE_BUDGET && !TVC_FEATURE_JOURNAL
#error "TVC_FEATURE_BUDGET needs TVC_FEATURE_JOURNAL (the budget lives in the journal directory)"
#endif
#if TVC_HTTP_CONNECT_TIMEOUT_MS < 1 || TVC_HTTP_IO_TIMEOUT_MS < 1
#error "TVC_HTTP_CONNECT_TIMEOUT_MS and TVC_HTTP_IO_TIMEOUT_MS must be >= 1"
#endif
#if TVC_JSON_TOKENS < 16 || TVC_JSON_TOKENS > 65535
#error "TVC_JSON_TOKENS must be 16..65535"
#endif
#if TVC_JSON_PARSE_DEPTH < 8 || TVC_JSON_PARSE_DEPTH > 4096
#error "TVC_JSON_PARSE_DEPTH must be 8..4096"
#endif
#if TVC_API_PROMPT_MAX < 64 || TVC_API_PROMPT_MAX > 65535
#error "TVC_API_PROMPT_MAX must be 64..65535"
#endif
#if TVC_API_BUF < 2048 || TVC_API_BUF > 65535
#error "TVC_API_BUF must be 2048..65535"
#endif
#if TVC_ID_MAX < 16 || TVC_ID_MAX > 1024
#error "TVC_ID_MAX must be 16..1024"
#endif
#if TVC_API_ERROR_MAX < 16 || TVC_API_ERROR_MAX > 4096
#error "TVC_API_ERROR_MAX must be 16..4096"
#endif
#if TVC_API_STATE_MAX < 8 || TVC_API_STATE_MAX > 1024 || TVC_API_CODE_MAX < 8 || \
    TVC_API_CODE_MAX > 1024 || TVC_API_STEP_MAX < 8 || TVC_API_STEP_MAX > 1024 || \
    TVC_API_PROGRESS_MAX < 8 || TVC_API_PROGRESS_MAX > 1024
#error "TVC_API_STATE_MAX, _CODE_MAX, _STEP_MAX, _PROGRESS_MAX must be 8..1024"
#endif
#if TVC_API_KEY_MAX < 20 || TVC_API_KEY_MAX > 256
#error "TVC_API_KEY_MAX must be 20..256"
#endif
#if TVC_JOURNAL_ERROR_MAX < 16 || TVC_JOURNAL_ERROR_MAX > 1024
#error "TVC_JOURNAL_ERROR_MAX must be 16..1024"
#endif
#if TVC_RETRY_CAP_MS < 2000 || TVC_RETRY_CAP_MS > 3600000
#error "TVC_RETRY_CAP_MS must be 2000 .. 3600000"
#endif
#if TVC_RETRY_AFTER_MAX_S < 1 || TVC_RETRY_AFTER_MAX_S > 86400
#error "TVC_RETRY_AFTER_MAX_S must be 1 .. 86400"
#endif
#if TVC_RETRY_MAX_ATTEMPTS < 1 || TVC_RETRY_MAX_ATTEMPTS > 100
#error "TVC_RETRY_MAX_ATTEMPTS must be 1 .. 100"
#endif
#if TVC_JOB_DEADLINE_MS < 1000
#error "TVC_JOB_DEADLINE_MS must be at least 1000"
#endif
#if TVC_JOB_MEDIA_REFRESH < 0 || TVC_JOB_MEDIA_REFRESH > 100
#error "TVC_JOB_MEDIA_REFRESH must be 0..100"
#endif
#if TVC_JOB_MAX_ATTEMPTS < 1 || TVC_JOB_MAX_ATTEMPTS > 100
#error "TVC_JOB_MAX_ATTEMPTS must be 1..100"
#endif
#if TVC_JOURNAL_TEXT_MAX < 8 || TVC_JOURNAL_TEXT_MAX > 8192
#error "TVC_JOURNAL_TEXT_MAX must be 8..8192"
#endif
#if TVC_JOURNAL_CHUNK < 32 || TVC_JOURNAL_CHUNK > 4096
#error "TVC_JOURNAL_CHUNK must be 32..4096"
#endif
#if TVC_JOURNAL_READ_BUF < 16 || TVC_JOURNAL_READ_BUF > 4096
#error "TVC_JOURNAL_READ_BUF must be 16..4096"
#endif
#if TVC_BUDGET_LEASE < 1 || TVC_BUDGET_LEASE > 1000
#error "TVC_BUDGET_LEASE must be 1..1000"
#endif
#if TVC_BUDGET_LEASE_S < 60 || TVC_BUDGET_LEASE_S > 3600
#error "TVC_BUDGET_LEASE_S must be 60..3600"
#endif
#if TVC_BUDGET_RECHECK_S < 1 || TVC_BUDGET_RECHECK_S > 3600
#error "TVC_BUDGET_RECHECK_S must be 1..3600"
#endif
#if TVC_BUDGET_MAX_PER_HOUR < 1 || TVC_BUDGET_MAX_PER_HOUR > 100000
#error "TVC_BUDGET_MAX_PER_HOUR must be 1..100000"
#endif
#if TVC_DL_HASH_PER_STEP < 512 || TVC_DL_HASH_PER_STEP > 1048576
#error "TVC_DL_HASH_PER_STEP must be 512..1048576"
#endif
#if TVC_DL_VALIDATOR_MAX < 32 || TVC_DL_VALIDATOR_MAX > 1024
#error "TVC_DL_VALIDATOR_MAX must be 32..1024"
#endif

/* (HTTP, URL, JSON) */
#if TVC_HTTP_MAX_HEADERS < 8 || TVC_HTTP_MAX_HEADERS > 255
#error "TVC_HTTP_MAX_HEADERS must be 8..255"
#endif
#if TVC_HTTP_MAX_REDIRECTS < 0 || TVC_HTTP_MAX_REDIRECTS > 20
#error "TVC_HTTP_MAX_REDIRECTS must be 0..20"
#endif
#if TVC_URL_MAX < 64 || TVC_URL_MAX > 65535
#error "TVC_URL_MAX must be 64..65535"
#endif
#if TVC_HOST_MAX < 16 || TVC_HOST_MAX > 256
#error "TVC_HOST_MAX must be 16..256"
#endif
#if TVC_HTTP_HEADER_BUF < 256 || TVC_HTTP_HEADER_BUF > 65535
#error "TVC_HTTP_HEADER_BUF must be 256..65535"
#endif
#if TVC_HTTP_IO_BUF < 64 || TVC_HTTP_IO_BUF > 65535
#error "TVC_HTTP_IO_BUF must be 64..65535"
#endif
#if TVC_JSON_MAX_DEPTH < 1 || TVC_JSON_MAX_DEPTH > 32
#error "TVC_JSON_MAX_DEPTH must be 1..32"
#endif
#if TVC_PATH_MAX < 32 || TVC_PATH_MAX > 4096
#error "TVC_PATH_MAX must be 32..4096"
#endif
#if TVC_HTTP_MAX_CHUNK_LINE < 64 || TVC_HTTP_MAX_CHUNK_LINE > 1048576
#error "TVC_HTTP_MAX_CHUNK_LINE must be 64..1048576"
#endif

/* ------------------------------------------------------------------ */
/* The POSIX port (port/posix/tvc_posix.h); other ports ignore these.   */

/**
 * @brief Most resolve-override entries (each address of a spec uses one).
 * Possible values: 1 .. 255.  Default: 8.
 */
#ifndef TVC_POSIX_MAX_RESOLVE
#define TVC_POSIX_MAX_RESOLVE 8
#endif

/**
 * @brief Most concurrent connections per port instance.
 * Possible values: 1 .. 255.  Default: 4.
 */
#ifndef TVC_POSIX_MAX_SOCKS
#define TVC_POSIX_MAX_SOCKS 4
#endif

/**
 * @brief Most addresses one connect() tries, in order.
 * Possible values: 1 .. 255.  Default: 8.
 */
#ifndef TVC_POSIX_MAX_ADDRS
#define TVC_POSIX_MAX_ADDRS 8
#endif

/**
 * @brief Default time, in ms, one address of a host gets to connect before
 * connect_poll() gives up on it and starts the next one (the last address
 * gets all the time the caller allows).  Keeps a host whose IPv6 route
 * silently drops packets reachable over IPv4 within the connect timeout.
 * 0 disables.  Per instance: see struct tvc_posix::attempt_ms.
 * Possible values: 0 .. 2^31-1.  Default: 3000.
 */
#ifndef TVC_POSIX_ATTEMPT_MS
#define TVC_POSIX_ATTEMPT_MS 3000
#endif

#if TVC_POSIX_MAX_RESOLVE < 1 || TVC_POSIX_MAX_RESOLVE > 255
#error "TVC_POSIX_MAX_RESOLVE must be 1..255"
#endif
#if TVC_POSIX_MAX_SOCKS < 1 || TVC_POSIX_MAX_SOCKS > 255
#error "TVC_POSIX_MAX_SOCKS must be 1..255"
#endif
#if TVC_POSIX_MAX_ADDRS < 1 || TVC_POSIX_MAX_ADDRS > 255
#error "TVC_POSIX_MAX_ADDRS must be 1..255"
#endif

#endif /* TVC_CONFIG_H */
