"""State of the NanoPhoto simulator: keys and credits, jobs, rate limits, fault switches,
answer shaping and the request logs behind /__sim/stats.  Standard library only."""
import collections
import email.utils
import hashlib
import json
import math
import os
import random
import threading
import time
from urllib.parse import urlsplit

import sim_media

GENERATE = "/api/sora-2-tvc/generate"
CHECK = "/api/sora-2-tvc/check-status"
JOB_CREDITS = 8
STEP_NAMES = {1: "Generating Storyboard Prompt", 2: "Generating Storyboard", 3: "Generating Ad Video"}
MAX_BODY = 1 << 20
LIST_CAP = 5000          # bounded request logs in the stats
RATE_WINDOW = 3600.0
IMG_DIR, VIDEO_DIR = "/images/sora-tvc/", "/sora/"
REDIRECT_KINDS = {"r": "relative", "ra": "absolute", "rc": "chain", "rl": "loop", "ri": "insecure"}

# name -> (default, allowed values or None for "integer >= 0")
FAULTS = {
    "generate_no_answer": (0, None), "no_answer_mode": ("close", ("close", "reset")),
    "generate_stall": (0, None),
    "status_reset": (0, None), "status_stall": (0, None), "stall_seconds": (60, None),
    "status_429": (0, None), "status_503": (0, None), "status_500": (0, None),
    "status_garbage": (0, None), "status_big_header": (0, None),
    "status_malformed": (0, None), "malformed_kind": ("truncated", ("truncated", "html", "empty")),
    "status_bad_status": (0, None),
    "retry_after": ("auto", "retry"), "retry_after_date": (0, (0, 1)),
    "video_cut": (0, None), "video_cut_times": (1, None),
    "video_cut_mode": ("close", ("close", "reset")), "video_no_etag": (0, (0, 1)),
    "media_bps": (0, None),
    "redirect_video": (0, "redirect"), "redirect_image": (0, "redirect"),
    "chunked": (0, (0, 1)), "chunk_ext": (0, (0, 1)), "keepalive": (1, (0, 1)),
    "fail_mode": ("http200", ("http200", "http500")), "vary": (1, (0, 1)),
    # signed media URLs that expire (see README.md, Faults)
    "media_sign": (0, (0, 1)), "media_resign": (1, (0, 1)), "media_sig_uses": (0, None),
    "media_same_file": (1, (0, 1)), "media_expired_status": (403, (401, 403, 404, 410)),
    "media_html": (0, None),
    "status_raw": (0, None), "generate_raw": (0, None), "raw_kind": ("reset_headers", None),
    "drip_ms": (100, None), "status_5xx": (0, None),
}
# raw_kind values: how status_raw / generate_raw break an answer (README "Faults")
RAW_KINDS = ("reset_headers", "reset_body", "reset_chunk", "stall_headers", "drip", "short_body",
             "bad_chunk_size", "chunk_overflow", "long_status_line", "many_headers", "cl_te",
             "two_cl", "wrong_types", "missing_fields", "huge_string", "deep_nesting")
FAULTS["raw_kind"] = ("reset_headers", RAW_KINDS)
# status_5xx cycles through these: the API's own 500, a proxy's 502 page, 503, an empty 504
STORM_5XX = (502, 504, 500, 503)


def check_fault(name, value):
    """The normalised value of a fault switch; ValueError if the name or value is bad."""
    if name not in FAULTS:
        raise ValueError("unknown fault %r (known: %s)" % (name, ", ".join(sorted(FAULTS))))
    default, allowed = FAULTS[name]
    if value is None:
        return default
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if allowed == "retry":
        if value in ("auto", "none") or (isinstance(value, int) and value >= 0):
            return value
    elif allowed == "redirect":
        if value in (0, "0", "off"):
            return 0
        if value in (1, "1"):
            return "relative"
        if value in REDIRECT_KINDS.values():
            return value
    elif allowed is None:
        if isinstance(value, int) and value >= 0:
            return value
    elif value in allowed:
        return value
    raise ValueError("bad value %r for fault %s" % (value, name))


def parse_fault_spec(spec):
    out = {}
    for item in filter(None, (s.strip() for s in (spec or "").split(","))):
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError("fault %r needs name=value" % item)
        out[name.strip()] = check_fault(name.strip(), value.strip())
    return out


def http_date(ts):
    return email.utils.formatdate(ts, usegmt=True)


def sha256(b):
    return hashlib.sha256(b).hexdigest()


class Sim:
    """All simulator state, guarded by self.lock (the media cache by self.media_lock)."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.media_lock = threading.Lock()
        self.stop = threading.Event()
        self.stop_reason = None
        self.t0 = time.monotonic()
        self.wall0 = time.time()
        self.ports = {}
        self.credits = {}
        for item in filter(None, (s.strip() for s in args.keys.split(","))):
            k, _, c = item.rpartition(":")
            if not k or not c.isdigit():
                raise ValueError("bad --keys entry %r (want KEY:CREDITS)" % item)
            self.credits[k] = int(c)
        self.faults = {n: d for n, (d, _) in FAULTS.items()}
        self.faults.update(parse_fault_spec(args.faults))
        self.rng = random.Random(args.seed)
        self.records = collections.OrderedDict()
        self.by_task = {}
        self.media_cache = collections.OrderedDict()
        self.total_requests = 0
        self.active = 0
        self.job_counter = 0
        self.scale = args.time_scale  # job times, generationTime and delays are in unscaled s
        self.job_rng = random.Random("%s/jobs" % args.seed)  # job lengths, apart from answer shaping
        self.tls_open = collections.Counter()  # TLS connections open now, per listener
        self.log = open(os.path.join(args.state_dir, "sim.log"), "a", buffering=1, encoding="utf-8")
        self.reset_counters()

    def reset_counters(self):
        with self.lock:
            self.windows = collections.defaultdict(collections.deque)
            self.c = collections.Counter()
            self.by_path = collections.Counter()
            self.fault_hits = collections.Counter()
            self.media_requests = []
            self.api_requests = []
            self.generate_log = []
            self.auth_seen_on_media = False
            self.cuts = collections.Counter()  # video_cut hits per record id
            self.sig_uses = collections.Counter()  # GETs per (role, rid, signature generation)
            # per listener: TLS handshakes (full / resumed) and TCP payload bytes of closed
            # connections (from TCP_INFO: bytes the client sent, bytes it acknowledged)
            self.tls = {r: collections.Counter() for r in ("api", "static", "video")}

    # ---- bookkeeping
    def event(self, msg):
        with self.lock:
            self.log.write("# %s +%.3f %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"),
                                                time.monotonic() - self.t0, msg))

    def access(self, role, method, path, status, auth, note):
        safe = "".join(c if 32 < ord(c) < 127 else "%%%02X" % (ord(c) & 0xFF) for c in path)
        with self.lock:
            self.log.write("%s +%.3f %s %s %s %s auth=%s%s\n" % (
                time.strftime("%Y-%m-%dT%H:%M:%S"), time.monotonic() - self.t0, role, method,
                safe, status if status is not None else "-", "yes" if auth else "no",
                " " + note if note else ""))

    def push(self, lst, item):
        lst.append(item)
        if len(lst) > LIST_CAP:
            del lst[0]

    def trigger_stop(self, reason):
        with self.lock:
            if self.stop_reason is None:
                self.stop_reason = reason
        self.stop.set()

    def begin_request(self):
        with self.lock:
            if self.stop.is_set() or self.total_requests >= self.args.max_requests:
                return False
            self.total_requests += 1
            self.active += 1
            return True

    def end_request(self):
        with self.lock:
            self.active -= 1
            if self.total_requests >= self.args.max_requests:
                self.trigger_stop("max-requests")

    def take(self, name):
        """Consume one unit of a counting fault switch."""
        with self.lock:
            if self.faults[name] > 0:
                self.faults[name] -= 1
                self.fault_hits[name] += 1
                return True
            return False

    def retry_after(self, computed):
        """Retry-After header value (or None) from the fault switches."""
        ra = self.faults["retry_after"]
        if ra == "none":
            return None
        secs = ra if isinstance(ra, int) else computed
        return http_date(time.time() + secs) if self.faults["retry_after_date"] else str(secs)

    def rate_check(self, key):
        """None if the call is allowed (and counted), else the seconds until a slot frees."""
        if self.args.rate_limit <= 0:
            return None
        now = time.monotonic()
        with self.lock:
            w = self.windows[key]
            win = RATE_WINDOW / self.scale
            while w and w[0] <= now - win:
                w.popleft()
            if len(w) >= self.args.rate_limit:
                self.c["rate_limited"] += 1
                return max(1, int(math.ceil((w[0] + win - now) * self.scale)))
            w.append(now)
            return None

    # ---- jobs
    def base_url(self, role):
        host = {"static": self.args.static_host, "video": self.args.video_host}.get(role) or self.args.host
        return "https://%s:%d" % (host, self.ports[role])

    def new_record(self, key, params):
        with self.lock:
            self.job_counter += 1
            n = self.job_counter
            rid = "tvc_" + sha256(("%s/rec/%d" % (self.args.seed, n)).encode())[:24]
            tid = "video_" + sha256(("%s/task/%d" % (self.args.seed, n)).encode())[:24]
            theme = params.get("adTheme", "")
            if self.args.job_seconds:  # one length per job, split 10/20/70 % over the steps
                lo, hi = self.args.job_seconds
                total = self.job_rng.uniform(lo, hi) / self.scale
                steps = (0.1 * total, 0.3 * total, total)
            else:
                s = self.args.step_seconds
                steps = (s, 2 * s, 3 * s)
            rec = {"ends": steps, "checks": 0, "noticed": None,
                   "recordId": rid, "taskId": tid, "key": key, "params": params,
                   "t": time.monotonic(), "wall": time.time(), "fail": "[fail]" in theme,
                   "status": "processing", "step": 1, "refunded": False,
                   "image_path": None, "video_path": None,
                   "sig_gen": 0, "sig_ver": {}, "file_ver": 0}
            self.credits[key] -= JOB_CREDITS
            self.records[rid] = rec
            self.by_task[tid] = rid
            self.c["generate_accepted"] += 1
            return rec

    def refresh(self, rec):
        """Advance a record by elapsed time; refunds a failed job once."""
        ends = rec["ends"]
        el = time.monotonic() - rec["t"]
        if rec["status"] != "processing":
            return
        if el < ends[2]:
            rec["step"] = 1 if el < ends[0] else 2 if el < ends[1] else 3
            return
        rec["step"] = 3
        if rec["fail"]:
            rec["status"] = "failed"
            if not rec["refunded"]:
                self.credits[rec["key"]] = self.credits.get(rec["key"], 0) + JOB_CREDITS
                rec["refunded"] = True
        else:
            rec["status"] = "completed"

    def prompt(self, rec):
        if rec.get("prompt") is None:
            rec["prompt"] = sim_media.make_prompt(rec["recordId"], self.args.prompt_bytes)
        return rec["prompt"]

    def media_urls(self, rec):
        rid = rec["recordId"]
        # The path is fixed when first handed out so a later fault change cannot move it.
        if rec["image_path"] is None:
            k = self.faults["redirect_image"]
            pre = "/%s/" % _prefix(k) if k else IMG_DIR
            rec["image_path"] = pre + "storyboard-%s.png" % rid
        if rec["status"] == "completed" and rec["video_path"] is None:
            k = self.faults["redirect_video"]
            pre = "/%s/" % _prefix(k) if k else VIDEO_DIR
            rec["video_path"] = pre + "%s.mp4" % rid
        q = self.sign(rec) if self.faults["media_sign"] else ""
        img = self.base_url("static") + rec["image_path"] + q
        vid = self.base_url("video") + rec["video_path"] + q if rec["video_path"] else None
        return img, vid

    def sign(self, rec):
        """Re-sign a record's media URLs (every check-status answer, unless media_resign=0):
        '?sig=<generation>-<mac>'.  With media_same_file=0 each new signature serves a new
        version of the files (other bytes, other ETag)."""
        if self.faults["media_resign"] or rec["sig_gen"] == 0:
            rec["sig_gen"] += 1
            if not self.faults["media_same_file"] and rec["sig_gen"] > 1:
                rec["file_ver"] += 1
            rec["sig_ver"][rec["sig_gen"]] = rec["file_ver"]
        return "?sig=%d-%s" % (rec["sig_gen"], self.mac(rec["recordId"], rec["sig_gen"]))

    def mac(self, rid, gen):
        return sha256(("%s/sig/%s/%d" % (self.args.seed, rid, gen)).encode())[:16]

    def check_sig(self, role, rid, query):
        """None when the media request may be served, with the file version it gets;
        else (status, why).  Only for records when media_sign is on."""
        with self.lock:
            rec = self.records.get(rid)
            if not self.faults["media_sign"] or rec is None:
                return None, rec["file_ver"] if rec else 0
            sig = dict(kv.partition("=")[::2] for kv in query.split("&") if kv).get("sig", "")
            gen, _, mac = sig.partition("-")
            if not gen.isdigit() or int(gen) not in rec["sig_ver"] or mac != self.mac(rid, int(gen)):
                return (403, "bad signature"), 0
            gen = int(gen)
            k = (role, rid, gen)
            if self.faults["media_sig_uses"] and self.sig_uses[k] >= self.faults["media_sig_uses"]:
                self.fault_hits["media_sig_expired"] += 1
                return (self.faults["media_expired_status"], "signature expired"), 0
            self.sig_uses[k] += 1
            return None, rec["sig_ver"][gen]

    def media(self, role, rid, any_state=False, ver=None):
        """(bytes, etag, last_modified, sha256) for a record's image or video, or None.

        The video exists once the job completed (any_state: regardless, for hashing).
        ver: the file version (media_same_file=0); None: the record's latest."""
        with self.lock:
            rec = self.records.get(rid)
            if rec:
                self.refresh(rec)
            if rid != "sample" and (rec is None or (role == "video" and rec["status"] != "completed"
                                                    and not any_state)):
                return None
            p = rec["params"] if rec else {}
            wall = rec["wall"] if rec else self.wall0
            latest = rec["file_ver"] if rec else 0
        ver = latest if ver is None else ver
        src = rid if not ver else "%s~v%d" % (rid, ver)  # another version: other bytes
        with self.media_lock:
            ck = (role, rid, ver)
            if ck in self.media_cache:
                self.media_cache.move_to_end(ck)
                return self.media_cache[ck]
            if role == "static":
                data = sim_media.make_storyboard_png(src)
            else:
                dur = 15 if p.get("videoDuration") == "15" else 10
                land = p.get("aspectRatio") == "landscape" if rec else True
                data = sim_media.make_video(src, dur, land, self.args.video_bytes)
            digest = sha256(data)
            if rec and ver == latest:
                rec[role + "_sha256"], rec[role + "_bytes"] = digest, len(data)
                rec[role + "_sha_ver"] = ver
            val = (data, '"%s"' % digest[:24], http_date(int(wall) + ver), digest)
            self.media_cache[ck] = val
            while len(self.media_cache) > 12:
                self.media_cache.popitem(last=False)
            return val

    # ---- answers
    def dumps(self, pairs, nulls=()):
        """JSON text for an API answer: shuffled order, unknown field, optional nulls."""
        with self.lock:
            vary = self.faults["vary"]
            pairs = list(pairs)
            if vary:
                pairs.append(("_simVersion", 1))
                pairs += [(n, None) for n in nulls if self.rng.random() < 0.4]
                self.rng.shuffle(pairs)
                seps = self.rng.choice(((",", ":"), (", ", ": "), (",", ": ")))
                indent = 1 if self.rng.random() < 0.15 else None
            else:
                seps, indent = (",", ":"), None
        return json.dumps(dict(pairs), ensure_ascii=True, separators=seps, indent=indent).encode()

    def api_ctype(self):
        with self.lock:
            if self.faults["vary"] and self.rng.random() < 0.3:
                return "application/json; charset=utf-8"
        return "application/json"

    def status_pairs(self, rec):
        """(http status, pairs, absent-field names) for a check-status answer."""
        self.refresh(rec)
        rid, st = rec["recordId"], rec["status"]
        rec["checks"] += 1
        if st == "completed" and rec["noticed"] is None:  # completion to first answer saying so
            rec["noticed"] = (time.monotonic() - rec["t"] - rec["ends"][2]) * self.scale
        if st == "failed":
            pairs = [("error", "Video generation failed"), ("errorCode", "GENERATION_FAILED"),
                     ("recordId", rid)]
            if self.faults["fail_mode"] == "http500":
                return 500, pairs, ()
            return 200, [("success", False), ("status", "failed")] + pairs, ()
        img, vid = self.media_urls(rec)
        pairs = [("success", True), ("status", st), ("recordId", rid), ("currentStep", rec["step"])]
        if st == "completed":
            gt = rec["ends"][2] * self.scale
            gt = int(gt) if gt == int(gt) else round(gt, 3)
            pairs += [("stepName", "Completed"), ("storyboardPrompt", self.prompt(rec)),
                      ("storyboardImageUrl", img), ("videoUrl", vid), ("generationTime", gt)]
        else:
            pairs.append(("stepName", STEP_NAMES[rec["step"]]))
            if rec["step"] >= 2:
                pairs.append(("storyboardPrompt", self.prompt(rec)))
            if rec["step"] >= 3:
                pairs += [("storyboardImageUrl", img), ("videoTaskProgress", "generating")]
        have = {k for k, _ in pairs}
        absent = [n for n in ("storyboardPrompt", "storyboardImageUrl", "videoTaskProgress",
                              "videoUrl", "generationTime", "error") if n not in have]
        return 200, pairs, absent

    def stats(self):
        with self.lock:
            rids = list(self.records)
        for rid in rids:  # make (and hash) media outside the state lock
            for role in ("static",) if self.records[rid]["fail"] else ("static", "video"):
                r = self.records[rid]
                if r.get(role + "_sha256") is None or r.get(role + "_sha_ver") != r["file_ver"]:
                    self.media(role, rid, any_state=True)
        with self.lock:
            recs = {}
            for rid, r in self.records.items():
                self.refresh(r)
                prompt = self.prompt(r).encode("utf-8", "surrogatepass")
                recs[rid] = {
                    "key": r["key"], "taskId": r["taskId"], "status": r["status"], "step": r["step"],
                    "params": r["params"], "refunded": r["refunded"],
                    "video_sha256": None if r["fail"] else r.get("video_sha256"),
                    "video_bytes": None if r["fail"] else r.get("video_bytes"),
                    "storyboard_sha256": r.get("static_sha256"),
                    "prompt_sha256": sha256(prompt), "prompt_bytes": len(prompt),
                    "video_cuts": self.cuts[rid], "sig_gen": r["sig_gen"], "file_ver": r["file_ver"],
                    "checks": r["checks"], "job_seconds": round(r["ends"][2] * self.scale, 3),
                    "notice_delay_s": None if r["noticed"] is None else round(r["noticed"], 3)}
            return {
                "generate_requests": self.c["generate_requests"],
                "generate_accepted": self.c["generate_accepted"],
                "check_status_requests": self.c["check_status_requests"],
                "rate_limited": self.c["rate_limited"],
                "total_requests": self.total_requests,
                "requests_by_path": dict(self.by_path), "credits": dict(self.credits),
                "records": recs, "auth_seen_on_media": self.auth_seen_on_media,
                "media_requests": [dict(e) for e in self.media_requests],
                "api_requests": list(self.api_requests),
                "generate_log": list(self.generate_log), "faults": dict(self.faults),
                "fault_hits": dict(self.fault_hits), "ports": dict(self.ports),
                "tls": {r: dict(c, open=self.tls_open[r]) for r, c in self.tls.items()},
                "uptime_s": round(time.monotonic() - self.t0, 3)}


def _prefix(kind):
    return {v: k for k, v in REDIRECT_KINDS.items()}[kind]


def parse_range(value, size):
    """None (serve the whole entity), "unsat" (416) or an inclusive (first, last)."""
    if not value:
        return None
    v = value.strip()
    if not v.lower().startswith("bytes=") or "," in v:
        return None  # multiple ranges: serving the full entity is allowed (RFC 9110 14.2)
    a, sep, b = v[6:].strip().partition("-")
    a, b = a.strip(), b.strip()
    if not sep or (a and not a.isdigit()) or (b and not b.isdigit()) or (not a and not b):
        return None
    if not a:
        n = int(b)
        return (max(0, size - n), size - 1) if n > 0 and size > 0 else "unsat"
    first = int(a)
    last = size - 1 if not b else int(b)
    if b and last < first:
        return None
    if first >= size:
        return "unsat"
    return first, min(last, size - 1)


def validate_generate(obj):
    """(errorCode, message) for a bad generate body, or None."""
    theme = obj.get("adTheme")
    if not isinstance(theme, str) or not theme.strip():
        return "INVALID_INPUT", "Ad theme is required"
    ref = obj.get("referenceImageUrl")
    if ref is not None:
        try:
            u = urlsplit(ref.strip()) if isinstance(ref, str) else None
        except ValueError:  # e.g. "http://[::1"
            u = None
        if u is None or u.scheme.lower() not in ("http", "https") or not u.netloc:
            return ("REFERENCE_IMAGE_URL_REQUIRED",
                    "API calls require referenceImageUrl (public URL); base64 is not supported")
    vo = obj.get("voiceoverScript")
    if vo is not None and not isinstance(vo, str):
        return "INVALID_INPUT", "voiceoverScript must be a string"
    if obj.get("videoDuration") not in (None, "10", "15"):  # the string, not the number
        return "INVALID_INPUT", 'videoDuration must be "10" or "15"'
    if obj.get("aspectRatio") not in (None, "portrait", "landscape"):
        return "INVALID_INPUT", 'aspectRatio must be "portrait" or "landscape"'
    return None
