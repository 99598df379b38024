/* The TLS layer (libtvc's mbedTLS transport, src/tls_mbedtls.c, over the
 * host's mbedTLS) fed a recorded server transcript, altered by the input.
 * At start-up one session is recorded against an in-process mbedTLS server
 * (tests/fuzz/tls_replay.c: fixed clock, fixed entropy on both sides), on
 * the test PKI of tests/certs.sh; each input then edits the server's bytes
 * and replays them to a fresh client, which sends the same bytes as live
 * and so reads the altered answers with the recorded keys.
 * Input: byte 0: bytes per receive; then (offset hi, offset lo, value)
 * triples: value 0 truncates there, others XOR that byte; a trailing part
 * after a 0xFF marker byte is spliced in at the last offset.
 * Properties: no crash or sanitizer report; unchanged bytes replay exactly
 * as the live session went; whatever data is delivered is the start of the
 * recorded answer (an altered record is refused, never delivered); an end
 * is called clean only with a close_notify. */
#include "fuzz.h"
#include "tls_replay.h"
#include "tls_server.h"
#include "tvc.h"

static struct tr_transcript T;
static struct tr_result LIVE;
static int ready;
static const char response[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const struct tr_plan plan = {response, 2, 1, 1};
    const char *pki = ts_pki();
    (void)argc;
    (void)argv;
    if (pki == NULL || tr_record(&T, pki, &plan, &LIVE) != 0 || LIVE.handshake_rc != 0 ||
        LIVE.len != sizeof response - 1) {
        fprintf(stderr, "fuzz_tls: could not record a session (handshake %d, %zu bytes)\n",
                LIVE.handshake_rc, LIVE.len);
        abort();
    }
    ready = 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t srv[TR_MAX];
    static struct tr_result r;
    size_t len = T.srv_len, i, chunk, first_change = (size_t)-1;

    if (!ready || size < 1)
        return 0;
    memcpy(srv, T.srv, len);
    chunk = data[0] % 64;
    for (i = 1; i + 3 <= size; i += 3) {
        size_t off = ((size_t)data[i] << 8 | data[i + 1]) % (len + 1);
        if (data[i + 2] == 0xFF) { /* splice the rest in at off */
            size_t add = size - (i + 3);
            if (len + add > TR_MAX)
                add = TR_MAX - len;
            memmove(srv + off + add, srv + off, len - off);
            memcpy(srv + off, data + i + 3, add);
            len += add;
            if (off < first_change)
                first_change = off;
            break;
        }
        if (data[i + 2] == 0) {
            len = off;
        } else if (off < len) {
            srv[off] ^= data[i + 2];
        } else {
            continue;
        }
        if (off < first_change)
            first_change = off;
    }
    tr_replay(&T, srv, len, chunk, &r);
    if (first_change >= T.srv_len && len == T.srv_len) {
        /* nothing changed: exactly what was seen live */
        FZ_CHECK(r.faithful && r.handshake_rc == 0 && r.len == LIVE.len &&
                 memcmp(r.data, LIVE.data, r.len) == 0 && r.end_rc == 0 && r.clean == 1);
    }
    /* whatever arrived is the recorded answer's start (a record that does
     * not authenticate is refused, never delivered) */
    FZ_CHECK(r.len <= LIVE.len && memcmp(r.data, LIVE.data, r.len) == 0);
    if (r.clean)
        FZ_CHECK(r.end_rc == 0);
    return 0;
}
