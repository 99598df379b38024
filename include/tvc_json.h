/**
 * @file tvc_json.h
 * @brief JSON decoding (jsmn tokens, plus unescaping and number parsing) and
 * encoding (escaping writer).  No allocation: the caller hands in the token
 * array and every output buffer.
 */
#ifndef TVC_JSON_H
#define TVC_JSON_H

#include "tvc_base.h"
#include "tvc_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Storage for one token.  Opaque: read tokens only through the
 * functions below.  (Same size as a jsmn token; jsmn stays private.)
 */
struct tvc_json_tok {
    int opaque_[4];
};

/** @brief Kind of a JSON value. */
enum tvc_json_kind {
    TVC_JSON_INVALID = 0,
    TVC_JSON_OBJECT,
    TVC_JSON_ARRAY,
    TVC_JSON_STRING,
    TVC_JSON_NUMBER,
    TVC_JSON_TRUE,
    TVC_JSON_FALSE,
    TVC_JSON_NULL
};

/** @brief A parsed document: the text and its tokens (both caller-owned). */
struct tvc_json {
    const char *doc;
    size_t len;
    struct tvc_json_tok *toks;
    int ntok; /**< tokens used; token 0 is the root value */
};

/**
 * @brief Tokenize one complete JSON value (strict grammar, surrounding white
 * space allowed, nothing else after it).
 *
 * Text that is a proper prefix of a valid document (including empty text)
 * gives TVC_ERR_AGAIN; raw control characters in strings, bad escapes and
 * nesting deeper than 256 levels give TVC_ERR_JSON.  UTF-8 and surrogate
 * pairing are checked when a string is read (tvc_json_string()).
 *
 * @param j    filled on success; keeps pointers to @p doc and @p toks
 * @param toks caller's token array; NULL with @p max 0 counts tokens only
 * @return number of tokens (>= 1); TVC_ERR_JSON (malformed, or trailing
 *         data); TVC_ERR_AGAIN (the text ends before the value does);
 *         TVC_ERR_JSON_TOKENS (more than @p max tokens); TVC_ERR_ARG (@p doc
 *         NULL, @p toks NULL with @p max > 0, @p j NULL with @p toks, or
 *         @p len over INT_MAX).
 *
 * @code
 * struct tvc_json_tok toks[TVC_JSON_TOKENS];
 * struct tvc_json j;
 * if (tvc_json_parse(&j, body, body_len, toks, TVC_JSON_TOKENS) > 0) {
 *     int v = tvc_json_find(&j, 0, "status");
 *     char status[32]; size_t n;
 *     if (v >= 0 && tvc_json_string(&j, v, status, sizeof status, &n) == 0) ...
 * }
 * @endcode
 */
int tvc_json_parse(struct tvc_json *j, const char *doc, size_t len,
                   struct tvc_json_tok *toks, unsigned max);

/** @brief Kind of token @p idx (enum tvc_json_kind); TVC_JSON_INVALID if out of range. */
int tvc_json_kind(const struct tvc_json *j, int idx);

/**
 * @brief Raw text of token @p idx: a string without its quotes (still
 * escaped), or the literal text of a number / true / false / null, or the
 * whole text of an object or array.  Valid while the document is.
 * @return 0; TVC_ERR_ARG (index out of range).
 */
int tvc_json_raw(const struct tvc_json *j, int idx, struct tvc_slice *out);

/**
 * @brief Member of object @p obj whose (unescaped) key equals @p key.
 * Only direct members are searched; the first match wins.
 * @return token index of the value; TVC_ERR_NOT_FOUND; TVC_ERR_JSON_TYPE
 *         (@p obj is not an object); TVC_ERR_ARG (bad index, @p key NULL).
 */
int tvc_json_find(const struct tvc_json *j, int obj, const char *key);

/** @brief Index of the token after the whole value at @p idx (skips children).
 * @return that index (j->ntok after the last value); TVC_ERR_ARG (bad index). */
int tvc_json_next(const struct tvc_json *j, int idx);

/**
 * @brief Unescape string token @p idx to UTF-8 into @p out (NUL-terminated).
 *
 * Handles every JSON escape including \\uXXXX and surrogate pairs.
 * When the text does not fit, as much as fits is written, cut at a UTF-8
 * character boundary and NUL-terminated, and TVC_ERR_NOSPACE is returned
 * (so callers may accept a truncated value).  The whole text is still
 * checked, so ESCAPE/UTF8 errors win over NOSPACE; on those out is "".
 *
 * @param outlen set to the bytes written (excluding NUL); may be NULL
 * @return 0; TVC_ERR_NOSPACE (truncated, see above); TVC_ERR_JSON_TYPE (not a
 *         string); TVC_ERR_JSON_ESCAPE (bad escape, lone surrogate, raw
 *         control character); TVC_ERR_UTF8 (invalid UTF-8 in the text);
 *         TVC_ERR_ARG (bad index, @p out NULL with @p cap > 0).
 */
int tvc_json_string(const struct tvc_json *j, int idx, char *out, size_t cap,
                    size_t *outlen);

/**
 * @brief Compare string token @p idx, unescaped, with @p s.
 * @return 1 equal, 0 different or not a valid string.
 */
int tvc_json_string_eq(const struct tvc_json *j, int idx, const char *s);

/**
 * @brief Integer value of number token @p idx.  A number with a fraction or
 * exponent is accepted only when its value is a whole number (180.0, 1e3).
 * @return 0; TVC_ERR_JSON_TYPE (not a number, or not whole);
 *         TVC_ERR_JSON_RANGE (outside int64_t); TVC_ERR_ARG (bad index,
 *         @p v NULL).
 */
int tvc_json_int(const struct tvc_json *j, int idx, int64_t *v);

/**
 * @brief Number token @p idx as fixed point: its value times 10^@p decimals,
 * rounded to the nearest integer (halves away from zero), exactly, with no
 * floating point ("180.5", 3 -> 180500; "1.5e3", 0 -> 1500; "0.0005", 3 -> 1;
 * "1e-9", 3 -> 0).  Digits beyond the 19th that do not fall off by the
 * scaling make the value out of range.
 * @param decimals 0 .. 18
 * @return 0; TVC_ERR_JSON_TYPE (not a number); TVC_ERR_JSON_RANGE (the scaled
 *         value is outside int64_t); TVC_ERR_ARG (bad index, @p v NULL,
 *         @p decimals > 18).
 */
int tvc_json_fixed(const struct tvc_json *j, int idx, unsigned decimals, int64_t *v);

/** @brief Boolean value.  @return 0; TVC_ERR_JSON_TYPE (not true or false);
 * TVC_ERR_ARG (bad index, @p v NULL). */
int tvc_json_bool(const struct tvc_json *j, int idx, int *v);

/** @brief 1 when token @p idx is null, 0 otherwise. */
int tvc_json_is_null(const struct tvc_json *j, int idx);

/**
 * @brief Check a run of bytes is valid UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF).
 * @return 0; TVC_ERR_UTF8.
 */
int tvc_utf8_check(const char *s, size_t len);

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

/**
 * @brief JSON writer into a caller buffer.  Errors are sticky: after the
 * first failure every call is a no-op and tvc_jw_finish() reports it, so a
 * body can be written without checking each call.
 */
struct tvc_jw {
    char *buf;
    size_t cap;
    size_t len;
    int err;
    int depth;
    uint32_t need_comma; /**< bit per depth */
    uint32_t in_object;  /**< bit per depth: 1 object, 0 array */
    int after_key;
};

/** @brief Start writing into @p buf of @p cap bytes. */
void tvc_jw_init(struct tvc_jw *w, char *buf, size_t cap);
void tvc_jw_object_begin(struct tvc_jw *w);
void tvc_jw_object_end(struct tvc_jw *w);
void tvc_jw_array_begin(struct tvc_jw *w);
void tvc_jw_array_end(struct tvc_jw *w);
/** @brief Member key (escaped as needed); must be followed by one value. */
void tvc_jw_key(struct tvc_jw *w, const char *key);
/** @brief String value of @p len bytes; invalid UTF-8 sets TVC_ERR_UTF8. */
void tvc_jw_string(struct tvc_jw *w, const char *s, size_t len);
/** @brief NUL-terminated string value; NULL writes null. */
void tvc_jw_cstr(struct tvc_jw *w, const char *s);
void tvc_jw_int(struct tvc_jw *w, int64_t v);
/**
 * @brief Number @p v / 10^@p decimals written as a decimal (180500, 3 ->
 * 180.5; 7, 3 -> 0.007), exact, no floating point.  @p decimals <= 18.
 */
void tvc_jw_fixed(struct tvc_jw *w, int64_t v, unsigned decimals);
void tvc_jw_bool(struct tvc_jw *w, int v);
void tvc_jw_null(struct tvc_jw *w);

/**
 * @brief Finish: NUL-terminates the text.
 * @return length written (excluding NUL); the first error met
 *         (TVC_ERR_NOSPACE, TVC_ERR_UTF8, TVC_ERR_STATE for unbalanced
 *         nesting or a key without value, TVC_ERR_ARG).
 */
int tvc_jw_finish(struct tvc_jw *w);

#ifdef __cplusplus
}
#endif
#endif /* TVC_JSON_H */
