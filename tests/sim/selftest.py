#!/usr/bin/python3
"""Self-test of the NanoPhoto simulator (stdlib only): starts it, drives every endpoint and
fault over real TLS, checks media byte structure, then stops it by PID.

    /usr/bin/python3 tests/sim/selftest.py        # ends with "N passed, N failed"
"""
import sys

sys.dont_write_bytecode = True

import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import ssl  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zlib  # noqa: E402
import hashlib  # noqa: E402
import shutil  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
STEP = 0.4  # seconds per pipeline step; a job is done after 3 * STEP
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


def start(state, *extra):
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "nanophoto_sim.py"), "--state-dir", state]
                            + list(extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ready = os.path.join(state, "ready.json")
    for _ in range(100):
        if os.path.exists(ready):
            return proc, json.load(open(ready))
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("simulator did not start: %s" % proc.stderr.read().decode())


class Client:
    def __init__(self, info, port=None):
        self.ctx = ssl.create_default_context(cafile=info["ca_file"])
        self.port = port or info["api_port"]
        self.conn = None

    def req(self, method, path, body=None, headers=None, key="test-key"):
        if self.conn is None:
            self.conn = http.client.HTTPSConnection("localhost", self.port, context=self.ctx, timeout=10)
        h = dict(headers or {})
        if key:
            h["Authorization"] = "Bearer " + key
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        try:
            self.conn.request(method, path, body=data, headers=h)
            r = self.conn.getresponse()
            raw = r.read()
        except http.client.IncompleteRead as e:  # body cut short: keep what came
            self.conn.close()
            self.conn = None
            return None, {}, e.partial
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            self.conn = None
            return None, {}, repr(e).encode()
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return r.status, {k.lower(): v for k, v in r.getheaders()}, raw

    def api(self, path, body, **kw):
        st, h, raw = self.req("POST", path, body, {"Content-Type": "application/json"}, **kw)
        try:
            return st, h, json.loads(raw)
        except ValueError:
            return st, h, raw

    def stats(self):
        return json.loads(self.req("GET", "/__sim/stats", key=None)[2])

    def faults(self, **kw):
        return self.req("POST", "/__sim/faults", kw, key=None)[0]


def png_ok(b):
    if b[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    i, idat, types = 8, b"", []
    while i < len(b):
        n, = struct.unpack(">I", b[i:i + 4])
        t, d = b[i + 4:i + 8], b[i + 8:i + 8 + n]
        if zlib.crc32(t + d) & 0xFFFFFFFF != struct.unpack(">I", b[i + 8 + n:i + 12 + n])[0]:
            return False
        types.append(t)
        idat += d if t == b"IDAT" else b""
        if t == b"IHDR":
            w, h, _, ct = struct.unpack(">IIBB", d[:10])
        i += 12 + n
    raw = zlib.decompress(idat)
    return types[0] == b"IHDR" and types[-1] == b"IEND" and len(raw) == h * (1 + w * (1 if ct == 0 else 3))


def mp4_ok(b):
    """Box tree sane, stsz/stco agree with mdat, every sample a valid PNG."""
    found, stack = {}, [(0, len(b))]
    while stack:
        s, e = stack.pop()
        while s < e:
            n, t = struct.unpack(">I4s", b[s:s + 8])
            if n < 8 or s + n > e:
                return False
            found[t] = s
            if t in (b"moov", b"trak", b"mdia", b"minf", b"stbl"):
                stack.append((s + 8, s + n))
            s += n
    s = found[b"stsz"]
    cnt, = struct.unpack(">I", b[s + 16:s + 20])
    sizes = struct.unpack(">%dI" % cnt, b[s + 20:s + 20 + 4 * cnt])
    off, = struct.unpack(">I", b[found[b"stco"] + 16:found[b"stco"] + 20])
    if b[:8][4:] != b"ftyp" or off != found[b"mdat"] + 8 or b[found[b"stsd"] + 20:found[b"stsd"] + 24] != b"png ":
        return False
    for z in sizes:
        if not png_ok(b[off:off + z]):
            return False
        off += z
    return True


def raw_call(info, path, body, limit=5.0):
    """One POST over a raw TLS socket, read to the end: (bytes, how it ended:
    "eof" (close_notify), "cut" (a reset or a bare close) or "timeout", seconds).
    For answers no HTTP library takes."""
    ctx = ssl.create_default_context(cafile=info["ca_file"])
    t0 = time.monotonic()
    s = ctx.wrap_socket(socket.create_connection(("localhost", info["api_port"]), timeout=limit),
                        server_hostname="localhost", suppress_ragged_eofs=False)
    data = json.dumps(body).encode()
    s.sendall(b"POST %s HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer test-key\r\n"
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (path.encode(), len(data)) + data)
    got, how = b"", "eof"
    try:
        while time.monotonic() - t0 < limit:
            b = s.recv(65536)
            if not b:
                break
            got += b
        else:
            how = "timeout"
    except socket.timeout:
        how = "timeout"
    except (OSError, ssl.SSLError):  # a reset, or TCP closed without close_notify
        how = "cut"
    finally:
        s.close()
    return got, how, time.monotonic() - t0


def head_body(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.split(b"\r\n"), body


def check_raw_faults(c, info, rid):
    """status_raw / generate_raw (each raw_kind), drip_ms, status_5xx."""
    S, G = "/api/sora-2-tvc/check-status", "/api/sora-2-tvc/generate"
    want = {
        "reset_headers": lambda h, b, how: how == "cut" and b"\r\n\r\n" not in raw and raw.startswith(b"HTTP/1.1 200"),
        "reset_body": lambda h, b, how: how == "cut" and 0 < len(b) < cl(h),
        "reset_chunk": lambda h, b, how: how == "cut" and b"Transfer-Encoding: chunked" in h and b"\r\n" in b,
        "stall_headers": lambda h, b, how: how in ("cut", "eof") and b == b"" and cl(h) > 0,
        "short_body": lambda h, b, how: how == "eof" and cl(h) == len(b) + 64 and json.loads(b)["recordId"] == rid,
        "bad_chunk_size": lambda h, b, how: b.startswith(b"zz\r\n"),
        "chunk_overflow": lambda h, b, how: b.startswith(b"10000000000000000\r\n"),
        "long_status_line": lambda h, b, how: len(h[0]) > 65536 and json.loads(b)["recordId"] == rid,
        "many_headers": lambda h, b, how: len(h) > 300 and json.loads(b)["recordId"] == rid,
        "cl_te": lambda h, b, how: cl(h) > 0 and b"Transfer-Encoding: chunked" in h,
        "two_cl": lambda h, b, how: len({x for x in h if x.startswith(b"Content-Length:")}) == 2,
        "wrong_types": lambda h, b, how: json.loads(b)["status"] == 7 and isinstance(json.loads(b)["recordId"], dict),
        "missing_fields": lambda h, b, how: "status" not in json.loads(b) and "recordId" not in json.loads(b),
        "huge_string": lambda h, b, how: len(json.loads(b)["_simPad"]) > 900000 and json.loads(b)["recordId"] == rid,
        "deep_nesting": lambda h, b, how: b"[" * 100000 in b and b.endswith(b"}") and cl(h) == len(b),
    }

    def cl(h):
        v = [x.split(b":")[1] for x in h if x.startswith(b"Content-Length:")]
        return int(v[0]) if v else -1

    c.faults(stall_seconds=1, drip_ms=2)
    for kind, ok in want.items():
        c.faults(status_raw=1, raw_kind=kind)
        raw, how, secs = raw_call(info, S, {"recordId": rid})
        h, b = head_body(raw)
        try:
            good = ok(h, b, how)
        except (ValueError, KeyError, TypeError) as e:
            good = "%r" % e
        check("status_raw raw_kind=%s" % kind, good is True, (how, round(secs, 2), raw[:120], raw[-60:]))
    check("status_raw used once", c.api(S, {"recordId": rid})[0] == 200)
    # a fresh job's first answer is short (no prompt yet): drip it
    new = c.api(G, {"adTheme": "drip"})[2]["recordId"]
    c.faults(status_raw=1, raw_kind="drip", drip_ms=10)
    raw, how, secs = raw_call(info, S, {"recordId": new})
    h, b = head_body(raw)
    check("status_raw drip, drip_ms=10: the whole answer, one byte per 10 ms",
          how == "eof" and json.loads(b)["recordId"] == new and secs >= len(raw) * 0.01 * 0.9,
          (how, len(raw), secs))
    before = c.stats()["generate_accepted"]
    c.faults(generate_raw=1, raw_kind="reset_headers", stall_seconds=60, drip_ms=100)
    raw, how, _ = raw_call(info, G, {"adTheme": "raw"})
    check("generate_raw: job created, answer broken", how == "cut" and b"\r\n\r\n" not in raw
          and c.stats()["generate_accepted"] == before + 1, (how, raw[:80]))
    c.faults(status_5xx=4, retry_after=1)
    got = [c.api(S, {"recordId": rid})[:2] for _ in range(4)]
    check("status_5xx: 502, 504, 500, 503 in turn (Retry-After on the 503)",
          [g[0] for g in got] == [502, 504, 500, 503] and got[3][1].get("retry-after") == "1", got)
    check("status_5xx used up", c.api(S, {"recordId": rid})[0] == 200)
    c.faults(retry_after="auto")


def main():
    tmp = tempfile.mkdtemp(prefix="nanosim-")
    proc, info = start(os.path.join(tmp, "a"), "--step-seconds", str(STEP), "--max-seconds", "120",
                       "--keys", "test-key:100,other:100,poor:7", "--video-bytes", "300000",
                       "--prompt-bytes", "100000")
    try:
        run(info)
    finally:
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(10)
        check("SIGTERM: exits 0 within 3 s", rc == 0 and time.monotonic() - t0 < 3, rc)
        check("ready file removed on exit", not os.path.exists(os.path.join(tmp, "a", "ready.json")))
        log = open(os.path.join(tmp, "a", "sim.log")).read()
        check("access log never holds the key", "test-key" not in log and " auth=yes" in log)
    proc, info = start(os.path.join(tmp, "b"), "--rate-limit", "2", "--max-requests", "4", "--max-seconds", "30")
    c = Client(info)
    codes = [c.api("/api/sora-2-tvc/check-status", {"recordId": "x"})[:2] for _ in range(3)]
    check("rate limit: 3rd call 429 with Retry-After",
          [s for s, _ in codes] == [404, 404, 429] and int(codes[2][1].get("retry-after", 0)) > 3000, codes)
    c.stats()
    check("max-requests: exits on its own", proc.wait(5) == 0)
    if not failed:
        shutil.rmtree(tmp, ignore_errors=True)  # kept on failure for sim.log
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def run(info):
    c = Client(info)
    G, S = "/api/sora-2-tvc/generate", "/api/sora-2-tvc/check-status"
    check("ready file fields", all(k in info for k in ("pid", "api_port", "static_port", "video_port",
                                                        "ca_file", "api_base", "admin")))
    try:
        socket.create_connection(("::1", info["api_port"]), timeout=1).close()
        v6 = True
    except OSError:
        v6 = False
    check("listens on 127.0.0.1 only (not ::1)", not v6)
    table = [
        ("no auth", G, {"adTheme": "x"}, None, 401, "LOGIN_REQUIRED"),
        ("bad key", G, {"adTheme": "x"}, "nope", 401, "LOGIN_REQUIRED"),
        ("no theme", G, {}, "test-key", 400, "INVALID_INPUT"),
        ("blank theme", G, {"adTheme": " "}, "test-key", 400, "INVALID_INPUT"),
        ("numeric duration", G, {"adTheme": "x", "videoDuration": 10}, "test-key", 400, "INVALID_INPUT"),
        ("bad aspect", G, {"adTheme": "x", "aspectRatio": "square"}, "test-key", 400, "INVALID_INPUT"),
        ("data uri", G, {"adTheme": "x", "referenceImageUrl": "data:image/png;base64,AA=="}, "test-key",
         400, "REFERENCE_IMAGE_URL_REQUIRED"),
        ("no credits", G, {"adTheme": "x"}, "poor", 402, "INSUFFICIENT_CREDITS"),
        ("internal", G, {"adTheme": "x [internal]"}, "test-key", 500, "INTERNAL_ERROR"),
        ("unknown record", S, {"recordId": "tvc_0"}, "test-key", 404, "RECORD_NOT_FOUND"),
        ("empty status body", S, {}, "test-key", 400, "INVALID_INPUT"),
    ]
    for name, path, body, key, want, code in table:
        st, _, j = c.api(path, body, key=key)
        check("error: " + name, st == want and isinstance(j, dict) and j.get("errorCode") == code
              and "success" not in j and (code != "INSUFFICIENT_CREDITS" or j.get("requiredCredits") == 8), (st, j))
    weird = {"adTheme": "Tab\t\"q\" \\ / \u0001 é 中文 😀", "voiceoverScript": "a\nb\u2028c",
             "videoDuration": "15", "aspectRatio": "landscape"}
    st, _, g = c.api(G, weird)
    check("generate: 200 processing with ids", st == 200 and g.get("success") is True and g["status"] == "processing"
          and g["recordId"].startswith("tvc_") and g["taskId"].startswith("video_"), g)
    rid = g["recordId"]
    check("other key: 403 UNAUTHORIZED", c.api(S, {"recordId": rid}, key="other")[2].get("errorCode") == "UNAUTHORIZED")
    steps, last, raw_seen = [], None, b""
    for _ in range(100):
        st, _, raw = c.req("POST", S, {"recordId": rid}, {"Content-Type": "application/json"})
        last = json.loads(raw)
        steps.append((last["currentStep"], last["stepName"]))
        raw_seen = raw
        if last["status"] != "processing":
            break
        time.sleep(STEP / 4)
    names = [n for _, n in steps]
    check("status walks the 3 steps to Completed", "Generating Storyboard" in names and
          "Generating Ad Video" in names and names[-1] == "Completed" and last["status"] == "completed", steps)
    check("completed answer fields", isinstance(last.get("generationTime"), (int, float)) and
          last["videoUrl"].startswith("https://localhost:%d/sora/" % info["video_port"]) and
          last["storyboardImageUrl"].endswith("/images/sora-tvc/storyboard-%s.png" % rid), last)
    p = last["storyboardPrompt"]
    check("prompt: 100000 bytes, SC1..SC9, escapes and surrogate pairs on the wire",
          len(p.encode()) == 100000 and "SC1:" in p and "SC9:" in p and b"\\ud83c\\udfac" in raw_seen
          and b"\\u4e2d\\u6587" in raw_seen and "é" in p)
    s = c.stats()
    check("stats: exact params round trip", s["records"][rid]["params"] == weird, s["records"][rid]["params"])
    check("stats: credits debited", s["credits"]["test-key"] == 92, s["credits"])
    # media
    m = Client(info, info["static_port"])
    st, h, png = m.req("GET", "/images/sora-tvc/storyboard-%s.png" % rid, key=None)
    check("storyboard PNG valid (CRCs, IDAT size)", st == 200 and png_ok(png) and h.get("etag") and h.get("last-modified"))
    v = Client(info, info["video_port"])
    vpath = "/sora/%s.mp4" % rid
    st, h, vid = v.req("GET", vpath, key=None)
    s = c.stats()["records"][rid]
    check("video: full GET matches stats sha/size", st == 200 and len(vid) == 300000 == s["video_bytes"]
          and hashlib.sha256(vid).hexdigest() == s["video_sha256"])
    check("video: MP4 box tree with PNG samples", mp4_ok(vid))
    et, lm = h["etag"], h["last-modified"]
    cases = [({"Range": "bytes=0-99"}, 206, vid[:100]), ({"Range": "bytes=299900-"}, 206, vid[299900:]),
             ({"Range": "bytes=-10"}, 206, vid[-10:]), ({"Range": "bytes=300000-"}, 416, b""),
             ({"Range": "bytes=5-", "If-Range": et}, 206, vid[5:]),
             ({"Range": "bytes=5-", "If-Range": lm}, 206, vid[5:]),
             ({"Range": "bytes=5-", "If-Range": '"stale"'}, 200, vid)]
    for hdrs, want, body in cases:
        st, rh, got = v.req("GET", vpath, headers=hdrs, key=None)
        check("range %s" % hdrs, st == want and got == body, (st, len(got)))
    check("no Authorization reached media hosts", c.stats()["auth_seen_on_media"] is False)
    v.req("GET", vpath, key="test-key")
    check("Authorization on media is recorded", c.stats()["auth_seen_on_media"] is True)
    # failed job, both fail modes
    _, _, f = c.api(G, {"adTheme": "boom [fail]"})
    time.sleep(3 * STEP + 0.3)
    st, _, j = c.api(S, {"recordId": f["recordId"]})
    check("failed job: 200 success:false GENERATION_FAILED", st == 200 and j.get("success") is False
          and j.get("status") == "failed" and j.get("errorCode") == "GENERATION_FAILED", j)
    check("failed job: credits refunded", c.stats()["credits"]["test-key"] == 92 - 8 + 8)
    c.faults(fail_mode="http500")
    st, _, j = c.api(S, {"recordId": f["recordId"]})
    check("failed job: fail_mode=http500", st == 500 and j.get("errorCode") == "GENERATION_FAILED"
          and "success" not in j, (st, j))
    # faults
    c.faults(status_reset=1)
    check("status_reset: connection dropped", c.api(S, {"recordId": rid})[0] is None)
    c.faults(status_429=1, retry_after=7)
    st, h, j = c.api(S, {"recordId": rid})
    check("status_429 + Retry-After: 7", st == 429 and h.get("retry-after") == "7", (st, h))
    c.faults(status_503=1, retry_after_date=1)
    st, h, _ = c.api(S, {"recordId": rid})
    check("status_503 + HTTP-date Retry-After", st == 503 and h.get("retry-after", "").endswith("GMT"), (st, h))
    c.faults(status_malformed=1, retry_after="auto", retry_after_date=0)
    st, _, j = c.api(S, {"recordId": rid})
    check("status_malformed: 200 with invalid JSON", st == 200 and isinstance(j, bytes))
    c.faults(status_500=1)
    st, _, j = c.api(S, {"recordId": rid})
    check("status_500: 500 INTERNAL_ERROR", st == 500 and j.get("errorCode") == "INTERNAL_ERROR", (st, j))
    c.faults(status_garbage=1)
    check("status_garbage: not an HTTP answer", c.api(S, {"recordId": rid})[0] is None)
    c.faults(status_big_header=1)
    st, h, raw = c.api(S, {"recordId": rid})
    # Python's own client refuses a header line over 64 KiB too
    check("status_big_header: 64 KiB header line", st is None and b"LineTooLong" in raw, (st, raw[:80]))
    check("status faults used once", c.api(S, {"recordId": rid})[0] == 200)
    c.faults(status_bad_status=1)
    check("status_bad_status: weird", c.api(S, {"recordId": rid})[2].get("status") == "weird")
    check_raw_faults(c, info, rid)
    c.faults(chunked=1, chunk_ext=1)
    st, h, j = c.api(S, {"recordId": rid})
    check("chunked answers parse", st == 200 and h.get("transfer-encoding") == "chunked" and j.get("recordId") == rid)
    c.faults(chunked=0, keepalive=0)
    st, h, _ = c.api(S, {"recordId": rid})
    check("keepalive=0: Connection: close", st == 200 and h.get("connection") == "close")
    c.faults(keepalive=1, generate_no_answer=1)
    before = c.stats()["generate_accepted"]
    st, _, _ = c.api(G, {"adTheme": "lost"})
    check("generate_no_answer: no answer, job created", st is None and c.stats()["generate_accepted"] == before + 1)
    c.faults(video_cut=1000)
    st, h, part = v.req("GET", vpath, key=None)
    st2, _, rest = v.req("GET", vpath, headers={"Range": "bytes=%d-" % len(part), "If-Range": et}, key=None)
    check("video_cut: 1000 bytes then close, resume rebuilds the file",
          st is None and part == vid[:1000] and st2 == 206 and part + rest == vid, (st, len(part), st2))
    c.faults(video_cut=500, video_cut_times=2, video_cut_mode="reset")
    hits = c.stats()["fault_hits"].get("video_cut", 0)
    st3, _, part3 = v.req("GET", vpath, headers={"Range": "bytes=100-"}, key=None)
    # a reset may discard what the client had not read yet: any prefix of the 500 bytes
    check("video_cut_mode=reset: at most 500 bytes, then a reset",
          st3 is None and (vid[100:600].startswith(part3) or b"ConnectionReset" in part3)
          and c.stats()["fault_hits"].get("video_cut", 0) == hits + 1, (st3, part3[:60]))
    c.faults(video_cut=0, video_cut_times=1, video_cut_mode="close", redirect_video=1)
    _, _, g2 = c.api(G, {"adTheme": "redirected"})
    time.sleep(3 * STEP + 0.3)
    url = c.api(S, {"recordId": g2["recordId"]})[2]["videoUrl"]
    st, h, _ = v.req("GET", url.split(str(info["video_port"]), 1)[1], key=None)
    check("redirect_video: 302 to a relative Location", st == 302 and h.get("location") == "/sora/%s.mp4"
          % g2["recordId"], (url, st, h))
    run_media_expiry(c, v, info)


def run_media_expiry(c, v, info):
    """Signed media URLs: re-signed per check-status, expiring after N uses, old/new files."""
    G, S = "/api/sora-2-tvc/generate", "/api/sora-2-tvc/check-status"
    c.faults(redirect_video=0, media_sign=1, media_sig_uses=1, media_expired_status=410)
    _, _, g = c.api(G, {"adTheme": "signed"})
    time.sleep(3 * STEP + 0.3)
    u1 = c.api(S, {"recordId": g["recordId"]})[2]["videoUrl"]
    u2 = c.api(S, {"recordId": g["recordId"]})[2]["videoUrl"]
    p1, p2 = (u.split(str(info["video_port"]), 1)[1] for u in (u1, u2))
    check("media_sign: each check-status re-signs the URL", "?sig=1-" in u1 and "?sig=2-" in u2, (u1, u2))
    st, h, a = v.req("GET", p1, key=None)
    st2, h2, b = v.req("GET", p1, key=None)
    check("media_sig_uses=1: a signature serves one GET, then media_expired_status",
          st == 200 and st2 == 410 and b"<Error>" in b and "xml" in h2.get("content-type", ""), (st, st2))
    st, h3, b2 = v.req("GET", p2, headers={"Range": "bytes=10-", "If-Range": h["etag"]}, key=None)
    check("media_same_file=1: the new signature serves the same file (If-Range holds)",
          st == 206 and b2 == a[10:] and h3["etag"] == h["etag"], st)
    st, _, _ = v.req("GET", p2.replace("?sig=2-", "?sig=2-0"), key=None)
    check("media_sign: a bad signature gets 403", st == 403, st)
    c.faults(media_same_file=0)
    u3 = c.api(S, {"recordId": g["recordId"]})[2]["videoUrl"]
    st, h4, d = v.req("GET", u3.split(str(info["video_port"]), 1)[1], key=None)
    rec = c.stats()["records"][g["recordId"]]
    check("media_same_file=0: a new signature serves another file (bytes, ETag); stats follow it",
          st == 200 and d != a and len(d) == len(a) and h4["etag"] != h["etag"]
          and rec["video_sha256"] == hashlib.sha256(d).hexdigest() and rec["file_ver"] == 1, st)
    c.faults(media_same_file=1, media_resign=0)
    u4 = c.api(S, {"recordId": g["recordId"]})[2]["videoUrl"]
    u5 = c.api(S, {"recordId": g["recordId"]})[2]["videoUrl"]
    check("media_resign=0: the URL does not change", u4 == u5 == u3, (u3, u4, u5))
    c.faults(media_sign=0, media_sig_uses=0, media_resign=1, media_html=1)
    st, h, body = v.req("GET", "/sora/sample.mp4", key=None)
    st2, h2, _ = v.req("GET", "/sora/sample.mp4", key=None)
    check("media_html=1: one 200 text/html error page, then the file",
          st == 200 and h.get("content-type", "").startswith("text/html") and b"<html>" in body
          and st2 == 200 and h2.get("content-type") == "video/mp4", (st, h, st2))


if __name__ == "__main__":
    sys.exit(main())
