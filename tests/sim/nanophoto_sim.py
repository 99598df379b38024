#!/usr/bin/python3
"""Local NanoPhoto.AI "Sora 2 TVC Ad" API simulator for libtvc's demo and integration tests.

Three HTTPS listeners on 127.0.0.1 (API, static host, video host), a time-driven 3-step
job pipeline, real PNG/MP4 media with Range support, fault switches and an admin API.
Standard library only; bounded by --max-seconds and --max-requests.  See README.md.
"""
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import socketserver  # noqa: E402
import ssl  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import sim_certs  # noqa: E402
from sim_state import (CHECK, GENERATE, IMG_DIR, JOB_CREDITS, MAX_BODY,  # noqa: E402
                       REDIRECT_KINDS, STORM_5XX, VIDEO_DIR, Sim, check_fault, parse_fault_spec,
                       parse_range, validate_generate)


class ClientGone(Exception):
    """The handler dropped the connection on purpose (fault) or the client went away."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "NanoPhotoSim/1"
    sys_version = ""

    @property
    def timeout(self):  # idle keep-alive and slow-body limit, read by setup()
        return self.server.sim.args.idle_seconds

    # ---- plumbing
    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        pass  # our own access log is written per request

    def log_error(self, fmt, *args):
        msg = fmt % args
        if "timed out" not in msg:  # idle keep-alive connections time out all the time
            self.server.sim.event("%s http error: %s" % (self.server.role, msg[:200]))

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def _run(self, fn):
        sim, role = self.server.sim, self.server.role
        if not sim.begin_request():
            self.abort(False)
            return
        self._status, self._note = None, ""
        try:
            path = urlsplit(self.path).path or "/"
        except ValueError:  # e.g. "http://[" as request target
            path = self.path
        auth = self.headers.get("Authorization") is not None
        with sim.lock:
            sim.by_path[path] += 1
        try:
            fn(path)
        except ClientGone:
            self.close_connection = True
        except (OSError, ssl.SSLError) as e:
            self._note = (self._note + " io-error:%s" % type(e).__name__).strip()
            self.close_connection = True
        except Exception:
            sim.event("handler crash: " + traceback.format_exc().replace("\n", " | "))
            self._note = "crash"
            if self._status is None:
                try:
                    self.send_json(500, [("error", "Simulator error"), ("errorCode", "INTERNAL_ERROR")], api=False)
                except OSError:
                    pass
            self.close_connection = True
        finally:
            if role == "api" and not path.startswith("/__sim/"):
                with sim.lock:
                    sim.push(sim.api_requests, {
                        "method": self.command, "path": path, "status": self._status, "auth": auth,
                        "host": self.headers.get("Host"), "content_type": self.headers.get("Content-Type"),
                        "user_agent": self.headers.get("User-Agent"), "note": self._note})
            sim.access(role, self.command, path, self._status, auth, self._note)
            if sim.stop.is_set():
                self.close_connection = True
            sim.end_request()

    def abort(self, reset):
        """Drop the connection without an answer: FIN, or RST when reset is true."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        for f in (self.wfile, self.rfile):
            try:
                f.close()  # drop the makefile references so close() really closes the fd
            except OSError:
                pass
        self.wfile, self.rfile = io.BytesIO(), io.BytesIO()
        try:
            self.connection.close()
        except OSError:
            pass

    def hold(self, seconds):
        """Never answer: keep the socket open until the client closes, a deadline or shutdown."""
        sock, sim = self.connection, self.server.sim
        end = time.monotonic() + seconds
        sock.settimeout(0.2)
        while not sim.stop.is_set() and time.monotonic() < end:
            try:
                if not sock.recv(4096):
                    break
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                break
        self.abort(False)
        raise ClientGone()

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            out = bytearray()
            while True:
                line = self.rfile.readline(4096)
                if not line.endswith(b"\n"):
                    raise ValueError("bad chunk line")
                n = int(line.split(b";")[0].strip() or b"x", 16)
                if n == 0:
                    while self.rfile.readline(4096) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                if len(out) + n > MAX_BODY:
                    raise ValueError("body too large")
                out += self.rfile.read(n)
                self.rfile.readline(8)
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad Content-Length")
        data = self.rfile.read(n) if n else b""
        if len(data) != n:
            raise ClientGone()
        return data

    # ---- answers
    def send_bytes(self, status, body, ctype, headers=(), api=True, head=False):
        sim = self.server.sim
        with sim.lock:
            chunked = api and sim.faults["chunked"] and self.request_version != "HTTP/1.0"
            ext = sim.faults["chunk_ext"]
            close = api and not sim.faults["keepalive"]
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif status != 304:
            self.send_header("Content-Length", str(len(body)))
        if close or self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        if not chunked:
            self.wfile.write(body)
            return
        # Small odd-sized chunks, written in writes that do not line up with them.
        sizes, out, i, k = (1, 7, 3, 13, 31, 5, 61, 127, 17, 251), bytearray(), 0, 0
        while i < len(body):
            n = sizes[k % len(sizes)]
            out += b"%x%s\r\n" % (n if i + n <= len(body) else len(body) - i, b";sim=1" if ext else b"")
            out += body[i:i + n] + b"\r\n"
            i, k = i + n, k + 1
        out += b"0\r\nX-Sim-Trailer: 1\r\n\r\n" if ext else b"0\r\n\r\n"
        wsizes, j, k = (5, 997, 1, 4093, 64), 0, 0
        while j < len(out):
            self.wfile.write(out[j:j + wsizes[k % len(wsizes)]])
            j, k = j + wsizes[k % len(wsizes)], k + 1

    def send_json(self, status, pairs, nulls=(), headers=(), api=True):
        sim = self.server.sim
        body = sim.dumps(pairs, nulls) if api else json.dumps(dict(pairs)).encode()
        self.send_bytes(status, body, sim.api_ctype() if api else "application/json", headers, api)

    def error(self, status, code, msg, extra=(), headers=()):
        self.send_json(status, [("error", msg), ("errorCode", code)] + list(extra), headers=headers)

    def auth_key(self):
        """The caller's key, or None after answering 401."""
        h = self.headers.get("Authorization") or ""
        scheme, _, key = h.strip().partition(" ")
        key = key.strip()
        if scheme.lower() == "bearer" and key in self.server.sim.credits:
            return key
        self.error(401, "LOGIN_REQUIRED", "Authentication required")
        return None

    def rate_ok(self, key):
        wait = self.server.sim.rate_check(key)
        if wait is None:
            return True
        ra = self.server.sim.retry_after(wait)
        self.error(429, "API_KEY_RATE_LIMIT_EXCEEDED",
                   "Rate limit exceeded (%d req/hour)" % self.server.sim.args.rate_limit,
                   headers=[("Retry-After", ra)] if ra else [])
        return False

    @staticmethod
    def parse_json(body):
        def bad_constant(c):
            raise ValueError(c)
        try:
            obj = json.loads(body.decode("utf-8"), parse_constant=bad_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        return obj if isinstance(obj, dict) else None

    # ---- hostile answers (status_raw, generate_raw)
    def raw_json(self, kind, pairs, nulls):
        """The body of a JSON-level raw kind, or the real answer for the framing kinds."""
        sim = self.server.sim
        if kind == "wrong_types":
            # (a number is no wrong type for an id: libtvc reads numeric ids as their text)
            swap = {"success": "yes", "status": 7, "currentStep": "three", "recordId": {"id": 1},
                    "taskId": ["video_x"], "videoUrl": {"url": "x"}, "storyboardImageUrl": False,
                    "storyboardPrompt": 3.5, "stepName": None, "generationTime": "soon"}
            return json.dumps({k: swap.get(k, v) for k, v in pairs}).encode()
        if kind == "missing_fields":
            return json.dumps({"success": True, "_simVersion": 1}).encode()
        if kind == "huge_string":
            # an unknown field holding a 1 MiB string (with escapes) before the real ones
            pad = (r'\u00e9\\\"' + "x" * 246) * 4096  # 256 bytes of JSON text each
            return b'{"_simPad":"' + pad.encode() + b'",' + sim.dumps(pairs, nulls)[1:]
        if kind == "deep_nesting":
            n = 100000
            return b'{"_simDeep":' + b"[" * n + b"]" * n + b"," + sim.dumps(pairs, nulls)[1:]
        return sim.dumps(pairs, nulls)

    def raw_answer(self, kind, pairs, nulls=()):
        """Answer 200 with the real (or a hostile) body, framed or ended in a hostile way."""
        sim = self.server.sim
        body = self.raw_json(kind, pairs, nulls)
        self._note = "fault=raw:" + kind
        self._status = 200
        self.close_connection = True
        w = self.wfile.write
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        cl = b"Content-Length: %d\r\n" % len(body)
        te = b"Transfer-Encoding: chunked\r\n"

        def reset(data):
            w(data)
            time.sleep(0.05)  # let the bytes reach the client before the reset
            self.abort(True)
            raise ClientGone()
        if kind == "reset_headers":
            reset(head[:len(head) - 9])
        if kind == "reset_body":
            reset(head + cl + b"\r\n" + body[:len(body) // 2])
        if kind == "reset_chunk":
            reset(head + te + b"\r\n" + b"%x\r\n" % len(body) + body[:len(body) // 2])
        if kind == "stall_headers":
            w(head + cl + b"\r\n")
            self.hold(sim.faults["stall_seconds"])
        if kind == "drip":
            data, gap = head + cl + b"\r\n" + body, sim.faults["drip_ms"] / 1000.0
            for i in range(len(data)):
                if sim.stop.is_set():
                    break
                w(data[i:i + 1])  # one TLS record per byte
                time.sleep(gap)
            return
        # the rest end with an orderly close (close_notify, then FIN)
        if kind == "short_body":  # a whole, valid JSON answer, but 64 bytes short of its length
            w(head + b"Content-Length: %d\r\n\r\n" % (len(body) + 64) + body)
        elif kind == "bad_chunk_size":
            w(head + te + b"\r\nzz\r\n" + body + b"\r\n0\r\n\r\n")
        elif kind == "chunk_overflow":  # 2^64: one past the largest 64-bit size
            w(head + te + b"\r\n10000000000000000\r\n" + body + b"\r\n0\r\n\r\n")
        elif kind == "long_status_line":
            w(b"HTTP/1.1 200 " + b"O" * 65536 + b"\r\n" + head.split(b"\r\n", 1)[1] + cl + b"\r\n" + body)
        elif kind == "many_headers":  # 300 short fields: few bytes, many more than 64 fields
            w(head + b"".join(b"X-%d: 1\r\n" % i for i in range(300)) + cl + b"\r\n" + body)
        elif kind == "cl_te":
            w(head + cl + te + b"\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
        elif kind == "two_cl":
            w(head + cl + b"Content-Length: %d\r\n\r\n" % (len(body) + 1) + body)
        else:  # the JSON-level kinds, correctly framed
            w(head + cl + b"\r\n" + body)

    # ---- API
    def api_generate(self, body):
        sim = self.server.sim
        with sim.lock:
            sim.c["generate_requests"] += 1
        key = self.auth_key()
        if key is None or not self.rate_ok(key):
            return
        obj = self.parse_json(body)
        err = None
        if obj is None:
            err = ("INVALID_INPUT", "Request body must be a JSON object")
        else:
            err = validate_generate(obj)
        if err is None and "[internal]" in obj["adTheme"]:
            err = ("INTERNAL_ERROR", "Internal server error")
        if err is None and sim.credits[key] < JOB_CREDITS:
            err = ("INSUFFICIENT_CREDITS", "Insufficient credits")
        with sim.lock:
            sim.push(sim.generate_log, {"body": obj if obj is not None else body.decode("utf-8", "replace"),
                                        "errorCode": err[0] if err else None})
        if err:
            status = {"INVALID_INPUT": 400, "REFERENCE_IMAGE_URL_REQUIRED": 400,
                      "INTERNAL_ERROR": 500, "INSUFFICIENT_CREDITS": 402}[err[0]]
            extra = [("requiredCredits", JOB_CREDITS)] if status == 402 else []
            self.error(status, err[0], err[1], extra)
            return
        rec = sim.new_record(key, obj)
        if sim.take("generate_no_answer"):
            self._note = "fault=generate_no_answer"
            self.abort(sim.faults["no_answer_mode"] == "reset")
            raise ClientGone()
        if sim.take("generate_stall"):
            self._note = "fault=generate_stall"
            self.hold(sim.args.max_seconds)
        pairs = [("success", True), ("status", "processing"), ("taskId", rec["taskId"]),
                 ("recordId", rec["recordId"])]
        if sim.take("generate_raw"):
            return self.raw_answer(sim.faults["raw_kind"], pairs)
        self.send_json(200, pairs, nulls=("storyboardPrompt", "storyboardImageUrl"))

    def api_check(self, body):
        sim = self.server.sim
        with sim.lock:
            sim.c["check_status_requests"] += 1
        if sim.take("status_reset"):
            self._note = "fault=status_reset"
            self.abort(True)
            raise ClientGone()
        if sim.take("status_stall"):
            self._note = "fault=status_stall"
            self.hold(sim.faults["stall_seconds"])
        for name, status in (("status_429", 429), ("status_503", 503)):
            if sim.take(name):
                self._note = "fault=" + name
                ra = sim.retry_after(1)
                hdr = [("Retry-After", ra)] if ra else []
                if status == 429:
                    self.error(429, "API_KEY_RATE_LIMIT_EXCEEDED", "Rate limit exceeded", headers=hdr)
                else:
                    self.send_bytes(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>\n",
                                    "text/html", hdr)
                return
        if sim.take("status_5xx"):
            with sim.lock:
                status = STORM_5XX[(sim.fault_hits["status_5xx"] - 1) % len(STORM_5XX)]
            self._note = "fault=status_5xx:%d" % status
            if status == 500:
                self.error(500, "INTERNAL_ERROR", "Internal server error")
            else:
                ra = sim.retry_after(1) if status == 503 else None
                body = b"" if status == 504 else b"<html><body><h1>%d</h1></body></html>\n" % status
                self.send_bytes(status, body, "text/html", [("Retry-After", ra)] if ra else [])
            return
        if sim.take("status_500"):
            self._note = "fault=status_500"
            self.error(500, "INTERNAL_ERROR", "Internal server error")
            return
        if sim.take("status_garbage"):
            # not HTTP at all: bytes a broken middlebox or a wrong service might send
            self._note = "fault=status_garbage"
            self._status = 0
            self.close_connection = True
            self.wfile.write(b"\x16\x03\x01\x00\x02 garbage \xff\xfe\x00 not an HTTP answer\r\n\r\n")
            return
        if sim.take("status_big_header"):
            # a header line far over any client's header buffer
            self._note = "fault=status_big_header"
            self.send_bytes(200, b"{}", "application/json", [("X-Sim-Pad", "a" * 65536)])
            return
        key = self.auth_key()
        if key is None or not self.rate_ok(key):
            return
        obj = self.parse_json(body)
        rid = tid = None
        if obj is not None:
            rid, tid = obj.get("recordId"), obj.get("taskId")
        ok = lambda v: isinstance(v, str) and v != ""  # noqa: E731
        if not ok(rid) and not ok(tid):
            self.error(400, "INVALID_INPUT", "recordId or taskId is required")
            return
        with sim.lock:
            rec = sim.records.get(rid) if ok(rid) else sim.records.get(sim.by_task.get(tid))
            if rec is None:
                answer = (404, [("error", "TVC record not found"), ("errorCode", "RECORD_NOT_FOUND")], ())
            elif rec["key"] != key:
                answer = (403, [("error", "Record not owned by user"), ("errorCode", "UNAUTHORIZED")], ())
            else:
                answer = sim.status_pairs(rec)
        status, pairs, nulls = answer
        if status == 200 and sim.take("status_bad_status"):
            self._note = "fault=status_bad_status"
            pairs = [(k, "weird" if k == "status" else v) for k, v in pairs]
        if status == 200 and sim.take("status_raw"):
            return self.raw_answer(sim.faults["raw_kind"], pairs, nulls)
        if status == 200 and sim.take("status_malformed"):
            self._note = "fault=status_malformed"
            kind = sim.faults["malformed_kind"]
            text = sim.dumps(pairs, nulls)
            bad = {"truncated": text[:max(1, len(text) // 2)], "empty": b"",
                   "html": b"<html><body>Bad Gateway</body></html>"}[kind]
            self.send_bytes(200, bad, "text/html" if kind == "html" else "application/json")
            return
        self.send_json(status, pairs, nulls)

    # ---- admin
    def admin(self, method, path, body):
        sim = self.server.sim
        send = lambda obj, st=200: self.send_bytes(  # noqa: E731
            st, json.dumps(obj, ensure_ascii=True).encode(), "application/json", api=False)
        if method == "GET" and path == "/__sim/stats":
            return send(sim.stats())
        if method == "GET" and path == "/__sim/faults":
            with sim.lock:
                return send(dict(sim.faults))
        if method == "GET" and path.startswith("/__sim/records/"):
            rid = path[len("/__sim/records/"):]
            st = sim.stats()["records"].get(rid)
            if st is None:
                return send({"error": "no such record"}, 404)
            with sim.lock:
                st["storyboardPrompt"] = sim.prompt(sim.records[rid])
            return send(st)
        if method == "POST" and path in ("/__sim/faults", "/__sim/credits"):
            obj = self.parse_json(body)
            if obj is None:
                return send({"error": "want a JSON object"}, 400)
            try:
                with sim.lock:
                    if path == "/__sim/faults":
                        new = {k: check_fault(k, v) for k, v in obj.items()}
                        sim.faults.update(new)
                        sim.event("faults set: %s" % json.dumps(new))
                        return send(dict(sim.faults))
                    for k, v in obj.items():
                        if not isinstance(v, int) or isinstance(v, bool):
                            raise ValueError("credits must be integers")
                    sim.credits.update(obj)
                    return send(dict(sim.credits))
            except ValueError as e:
                return send({"error": str(e)}, 400)
        if method == "POST" and path == "/__sim/reset-counters":
            sim.reset_counters()
            return send({"ok": True})
        if method == "POST" and path == "/__sim/shutdown":
            send({"ok": True})
            sim.trigger_stop("admin shutdown")
            return
        return send({"error": "unknown admin call"}, 404)

    # ---- media
    def media(self, path, head):
        sim, role = self.server.sim, self.server.role
        auth = self.headers.get("Authorization") is not None
        rng_h, ifr = self.headers.get("Range"), self.headers.get("If-Range")
        entry = {"host": role, "method": self.command, "path": path, "query": urlsplit(self.path).query,
                 "range": rng_h,
                 "if_range": ifr, "auth": auth, "status": None, "bytes": 0, "cut": None}
        with sim.lock:
            if auth:
                sim.auth_seen_on_media = True
            sim.push(sim.media_requests, entry)
        base = IMG_DIR if role == "static" else VIDEO_DIR
        parts = path.split("/")
        if len(parts) == 3 and parts[1] in REDIRECT_KINDS:  # /<kind>/<name>
            kind, name = REDIRECT_KINDS[parts[1]], parts[2]
            loc = {"relative": base + name, "chain": "/r/" + name, "loop": path,
                   "absolute": sim.base_url(role) + base + name,
                   "insecure": "http://127.0.0.1:%d%s%s" % (sim.ports[role], base, name)}[kind]
            entry["status"] = 302
            return self.send_bytes(302, b"", "text/plain", [("Location", loc)], api=False, head=head)
        rid = None
        if role == "static" and path.startswith(IMG_DIR + "storyboard-") and path.endswith(".png"):
            rid = path[len(IMG_DIR + "storyboard-"):-4]
        elif role == "video" and path.startswith(VIDEO_DIR) and path.endswith(".mp4"):
            rid = path[len(VIDEO_DIR):-4]
        refused, ver = sim.check_sig(role, rid, urlsplit(self.path).query) if rid else (None, 0)
        if refused is not None:
            # an expired or bad signature, answered as object stores do (an XML error page)
            entry["status"] = refused[0]
            self._note = "media " + refused[1]
            body = ("<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>%s</Message></Error>\n"
                    % refused[1]).encode()
            return self.send_bytes(refused[0], body, "application/xml", api=False, head=head)
        if rid and sim.take("media_html"):
            # a 200 that is an error page (a CDN's or a captive portal's), not the file
            entry["status"] = 200
            self._note = "fault=media_html"
            return self.send_bytes(200, b"<html><body><h1>Link expired</h1></body></html>\n",
                                   "text/html; charset=utf-8", api=False, head=head)
        got = sim.media(role, rid, ver=ver) if rid and "/" not in rid else None
        if got is None:
            entry["status"] = 404
            return self.send_bytes(404, b"Not Found\n", "text/plain", api=False, head=head)
        data, etag, lastmod, _ = got
        no_etag = role == "video" and sim.faults["video_no_etag"]
        hdrs = [("Accept-Ranges", "bytes"), ("Last-Modified", lastmod)]
        if not no_etag:
            hdrs.append(("ETag", etag))
            inm = self.headers.get("If-None-Match")
            if inm and (inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")]):
                entry["status"] = 304
                return self.send_bytes(304, b"", "", hdrs, api=False, head=True)
        rng = parse_range(rng_h, len(data))
        if rng is not None and ifr is not None:
            ifr = ifr.strip()
            if not ((not no_etag and ifr == etag) or ifr == lastmod):
                rng = None  # validator mismatch: the whole, current entity
        ctype = "image/png" if role == "static" else "video/mp4"
        if rng == "unsat":
            entry["status"] = 416
            return self.send_bytes(416, b"", ctype, hdrs + [("Content-Range", "bytes */%d" % len(data))],
                                   api=False, head=head)
        status, first, last = (200, 0, len(data) - 1) if rng is None else (206,) + rng
        if status == 206:
            hdrs.append(("Content-Range", "bytes %d-%d/%d" % (first, last, len(data))))
        entry["status"] = status
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        if head:
            return
        cut = None
        if role == "video" and sim.faults["video_cut"] > 0:
            with sim.lock:
                cuts = sim.cuts[rid]
                if cuts < sim.faults["video_cut_times"] and (cuts > 0 or rng_h is None):
                    cut = sim.faults["video_cut"]
                    sim.cuts[rid] += 1
                    sim.fault_hits["video_cut"] += 1
        end = last + 1 if cut is None else min(last + 1, first + cut)
        bps = sim.faults["media_bps"]
        block = 65536 if not bps else max(1, min(16384, bps // 10))
        pos = first
        while pos < end and not sim.stop.is_set():
            n = min(block, end - pos)
            self.wfile.write(data[pos:pos + n])
            pos += n
            entry["bytes"] = pos - first
            if bps:
                time.sleep(n / float(bps))
        if cut is not None or pos < last + 1:
            entry["cut"] = pos - first
            self._note = "fault=video_cut" if cut is not None else "shutdown"
            self.abort(cut is not None and sim.faults["video_cut_mode"] == "reset")
            raise ClientGone()

    # ---- dispatch
    def _any(self, path, method):
        role = self.server.role
        body = b""
        if method in ("POST", "PUT", "PATCH", "DELETE") or self.headers.get("Content-Length") \
                or self.headers.get("Transfer-Encoding"):
            try:
                body = self.read_body()
            except ValueError:
                self.close_connection = True
                if role == "api" and path == GENERATE:
                    with self.server.sim.lock:
                        self.server.sim.c["generate_requests"] += 1
                return self.error(413, "INVALID_INPUT", "Request body too large or malformed")
        if role == "api":
            if path.startswith("/__sim/"):
                return self.admin(method, path, body)
            if path in (GENERATE, CHECK):
                if method != "POST":
                    return self.send_json(405, [("error", "Method not allowed"), ("errorCode", "METHOD_NOT_ALLOWED")],
                                          headers=[("Allow", "POST")])
                return self.api_generate(body) if path == GENERATE else self.api_check(body)
            return self.error(404, "NOT_FOUND", "Not found")
        if method not in ("GET", "HEAD"):
            return self.send_bytes(405, b"Method not allowed\n", "text/plain", [("Allow", "GET, HEAD")], api=False)
        return self.media(path, method == "HEAD")

    def do_GET(self):
        self._run(lambda p: self._any(p, "GET"))

    def do_HEAD(self):
        self._run(lambda p: self._any(p, "HEAD"))

    def do_POST(self):
        self._run(lambda p: self._any(p, "POST"))

    def do_PUT(self):
        self._run(lambda p: self._any(p, "PUT"))

    def do_DELETE(self):
        self._run(lambda p: self._any(p, "DELETE"))

    def do_PATCH(self):
        self._run(lambda p: self._any(p, "PATCH"))

    def do_OPTIONS(self):
        self._run(lambda p: self._any(p, "OPTIONS"))


def tcp_bytes(sock):
    """(bytes acknowledged by the peer, bytes received) of a TCP socket: the payload on the
    wire, TLS records included (Linux TCP_INFO tcpi_bytes_acked/received), or None."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    except (OSError, AttributeError):
        return None
    if len(info) < 136:
        return None
    return struct.unpack_from("<QQ", info, 120)


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, ctx, sim, role):
        self.ctx, self.sim, self.role = ctx, sim, role
        super().__init__(("127.0.0.1", 0), Handler)

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse DNS lookup
        self.server_name, self.server_port = "localhost", self.server_address[1]

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, so a client that
        # connects and says nothing cannot block the accept loop.
        request.settimeout(10)
        try:
            conn = self.ctx.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
            conn.do_handshake()
        except (OSError, ssl.SSLError) as e:
            self.sim.event("%s TLS handshake failed: %s" % (self.role, e))
            request.close()
            return
        with self.sim.lock:
            tls = self.sim.tls[self.role]
            tls["resumed" if conn.session_reused else "full"] += 1
            self.sim.tls_open[self.role] += 1
        try:
            self.RequestHandlerClass(conn, client_address, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            if conn.fileno() != -1:
                try:
                    conn.settimeout(0.25)
                    conn = conn.unwrap()  # send close_notify on a graceful close
                except (OSError, ssl.SSLError, ValueError):
                    pass
                wire = tcp_bytes(conn)
                conn.close()
            else:
                wire = None
            with self.sim.lock:
                tls = self.sim.tls[self.role]  # (reset-counters may have replaced it)
                self.sim.tls_open[self.role] -= 1
                if wire:
                    tls["bytes_out"] += wire[0]
                    tls["bytes_in"] += wire[1]

    def handle_error(self, request, client_address):
        self.sim.event("%s server error: %s" % (self.role, traceback.format_exc().replace("\n", " | ")))


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Local NanoPhoto Sora 2 TVC API simulator (HTTPS).")
    ap.add_argument("--state-dir", required=True, help="certs, ready file, logs (created if absent)")
    ap.add_argument("--ready-file", help="JSON written once listening (default STATE_DIR/ready.json)")
    ap.add_argument("--keys", default="test-key:100", help="comma list KEY:CREDITS")
    ap.add_argument("--rate-limit", type=int, default=100, help="requests/hour/key (0: off)")
    ap.add_argument("--step-seconds", type=float, default=2.0, help="duration of each of the 3 steps")
    ap.add_argument("--video-bytes", type=int, default=1 << 20, help="video size in bytes")
    ap.add_argument("--prompt-bytes", type=int, default=2048, help="storyboardPrompt length (UTF-8 bytes)")
    ap.add_argument("--max-seconds", type=float, default=600, help="exit after this long")
    ap.add_argument("--max-requests", type=int, default=10000, help="exit after this many requests")
    ap.add_argument("--faults", default="", help="initial faults, comma list name=value")
    ap.add_argument("--host", default="localhost", help="host name in generated URLs")
    ap.add_argument("--static-host", help="host name for storyboard URLs (default --host)")
    ap.add_argument("--video-host", help="host name for video URLs (default --host)")
    ap.add_argument("--seed", default="1", help="seed for ids, field order and nulls")
    ap.add_argument("--key-type", choices=("ec", "rsa"), default="ec", help="certificate keys")
    ap.add_argument("--idle-seconds", type=float, default=30, help="close idle keep-alive connections")
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="run jobs this many times faster; --job-seconds, generationTime, notice delays"
                         " and the rate-limit hour stay in unscaled seconds")
    ap.add_argument("--job-seconds", help="LO-HI: draw each job's length from this range (unscaled s)"
                                          " instead of 3 x --step-seconds")
    a = ap.parse_args(argv)
    if a.time_scale <= 0:
        ap.error("--time-scale must be > 0")
    if a.job_seconds:
        try:
            lo, hi = (float(x) for x in a.job_seconds.split("-"))
        except ValueError:
            ap.error("--job-seconds wants LO-HI")
        if not 0 <= lo <= hi:
            ap.error("--job-seconds wants 0 <= LO <= HI")
        a.job_seconds = (lo, hi)
    if a.step_seconds < 0 or a.max_seconds <= 0 or a.max_requests <= 0 or a.idle_seconds <= 0:
        ap.error("--step-seconds must be >= 0; --max-seconds, --max-requests, --idle-seconds > 0")
    if not 1 <= a.prompt_bytes <= 16 << 20 or not 1 <= a.video_bytes <= 512 << 20:
        ap.error("--prompt-bytes must be 1..16 MiB and --video-bytes 1..512 MiB")
    try:
        parse_fault_spec(a.faults)
    except ValueError as e:
        ap.error(str(e))
    return a


def write_atomic(path, text):
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    args.state_dir = os.path.abspath(args.state_dir)
    os.makedirs(args.state_dir, exist_ok=True)
    ready = os.path.abspath(args.ready_file or os.path.join(args.state_dir, "ready.json"))
    os.makedirs(os.path.dirname(ready), exist_ok=True)
    if os.path.exists(ready):
        os.unlink(ready)
    try:
        sim = Sim(args)
    except ValueError as e:
        print("nanophoto_sim: %s" % e, file=sys.stderr)
        return 2
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sim.trigger_stop("signal %d" % s))
    try:
        certs = sim_certs.make_certs(args.state_dir, args.key_type)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(certs["cert"], certs["key"])
        servers = {role: TLSServer(ctx, sim, role) for role in ("api", "static", "video")}
    except (OSError, RuntimeError, ssl.SSLError, subprocess.SubprocessError) as e:
        sim.event("startup failed: %s" % e)
        print("nanophoto_sim: startup failed: %s" % e, file=sys.stderr)
        return 1
    sim.ports = {role: s.server_address[1] for role, s in servers.items()}
    for role, s in servers.items():
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.1},
                         name="serve-" + role, daemon=True).start()
    info = {"pid": os.getpid(), "api_port": sim.ports["api"], "static_port": sim.ports["static"],
            "video_port": sim.ports["video"], "ca_file": certs["ca"], "ca_der": certs["ca_der"],
            "api_base": "https://%s:%d" % (args.host, sim.ports["api"]),
            "admin": "https://localhost:%d/__sim" % sim.ports["api"],
            "static_base": sim.base_url("static"), "video_base": sim.base_url("video"),
            "log_file": os.path.join(args.state_dir, "sim.log"), "state_dir": args.state_dir}
    write_atomic(ready, json.dumps(info, indent=1) + "\n")
    sim.event("ready: %s" % json.dumps(info))
    deadline = sim.t0 + args.max_seconds
    while not sim.stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            sim.trigger_stop("max-seconds")
            break
        sim.stop.wait(min(left, 0.5))
    for s in servers.values():
        s.shutdown()
        s.server_close()
    grace = time.monotonic() + 2.0
    while sim.active > 0 and time.monotonic() < grace:
        time.sleep(0.05)
    try:
        write_atomic(os.path.join(args.state_dir, "final-stats.json"),
                     json.dumps(sim.stats(), ensure_ascii=True) + "\n")
    except Exception as e:  # the exit must not hang or fail on a stats problem
        sim.event("final stats failed: %s" % e)
    if os.path.exists(ready):
        os.unlink(ready)
    sim.event("exit: %s (%d requests)" % (sim.stop_reason, sim.total_requests))
    sim.log.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # connection threads may still be parked in reads; do not wait for them


if __name__ == "__main__":
    sys.exit(main())
