#!/usr/bin/python3
"""Integration tests: the real `tvc` binary against the bundled simulator.

usage: test_cli.py PATH/TO/tvc
Every simulator runs on 127.0.0.1, is bounded in time and requests, and is
stopped by its process id.  Prints "N passed, N failed" last.
"""
import sys

sys.dont_write_bytecode = True

import hashlib  # noqa: E402
import json  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import ssl  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import urllib.request  # noqa: E402

from simproc import SimProcess  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(HERE, "..", "sim", "nanophoto_sim.py")
TVC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/tvc"
# A program built for another architecture runs through its emulator, e.g.
# TVC_EXEC_WRAP=qemu-aarch64 for BOARD=linux-aarch64 (tests/run.sh sets it).
TVC_CMD = os.environ.get("TVC_EXEC_WRAP", "").split() + [TVC]
KEY = "itest-key-0123456789"
OTHER_KEY = "other-key-abcdef"
POOR_KEY = "poor-key"


class Sim(SimProcess):
    """One simulator process with its own state directory."""

    def __init__(self, work, name, *extra):
        SimProcess.__init__(self, os.path.join(work, "sim-" + name), [
            "--keys", "%s:400,%s:40,%s:0" % (KEY, OTHER_KEY, POOR_KEY),
            "--step-seconds", "0.3", "--video-bytes", "300000",
            "--max-seconds", "600", "--max-requests", "20000"] + list(extra))

    def reset(self, **faults):
        self.admin("reset-counters", {})
        base = {"generate_no_answer": 0, "generate_stall": 0, "status_reset": 0, "status_stall": 0,
                "status_429": 0, "status_503": 0, "status_malformed": 0, "status_bad_status": 0,
                "status_500": 0, "status_garbage": 0, "status_big_header": 0,
                "retry_after": "auto", "retry_after_date": 0, "video_cut": 0, "video_no_etag": 0,
                "redirect_video": 0, "chunked": 0, "keepalive": 1, "fail_mode": "http200",
                "media_bps": 0}
        base.update(faults)
        self.admin("faults", base)


class Env:
    def __init__(self, work, sim):
        self.sim = sim
        self.dir = tempfile.mkdtemp(dir=work)
        self.state = os.path.join(self.dir, "state")
        self.keyfile = os.path.join(self.dir, "key")
        with open(self.keyfile, "w") as f:
            f.write(KEY + "\n")

    def common(self, key_file=None):
        return ["--base-url", self.sim.base, "--cacert", self.sim.ca,
                "--api-key-file", key_file or self.keyfile, "--state-dir", self.state,
                "--poll-interval", "0.1"]

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, *args, timeout=90, key_file=None, common=True, env=None):
        cmd = TVC_CMD + list(args) + (self.common(key_file) if common else [])
        e = dict(os.environ)
        e.pop("NANOPHOTO_API_KEY", None)
        if env:
            e.update(env)
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=self.dir, env=e)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def popen(self, *args):
        cmd = TVC_CMD + list(args) + self.common()
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.dir)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(a, b, what):
    if a != b:
        raise AssertionError("%s: %r != %r" % (what, a, b))


def no_key_anywhere(env, *texts):
    for t in texts:
        check(KEY not in t, "API key printed")
    for root, _, files in os.walk(env.dir):
        for f in files:
            p = os.path.join(root, f)
            if f == "key":
                continue
            with open(p, "rb") as fh:
                check(KEY.encode() not in fh.read(), "API key written to " + p)


# ---------------------------------------------------------------- tests

def t_happy_path_every_option(w, sim):
    env = Env(w, sim)
    sim.reset()
    rc, out, err = env.run("generate", "--theme", "Nike running shoes - feel the speed",
                           "--voiceover", "Run faster. Run stronger.",
                           "--reference-url", "https://example.com/ref.jpg",
                           "--duration", "15", "--aspect", "landscape",
                           "--out", "v/ad.mp4", "--storyboard-out", "sb.png", "--json")
    eq(rc, 0, "exit status (stderr: %s)" % err)
    res = json.loads(out)
    st = sim.stats()
    rec = st["records"][res["recordId"]]
    eq(res["status"], "completed", "status")
    eq(res["videoFile"], env.path("v/ad.mp4"), "videoFile")
    eq(res["storyboardFile"], env.path("sb.png"), "storyboardFile")
    eq(res["videoSha256"], rec["video_sha256"], "sha256 reported")
    eq(sha(env.path("v/ad.mp4")), rec["video_sha256"], "sha256 on disk")
    eq(res["videoBytes"], os.path.getsize(env.path("v/ad.mp4")), "videoBytes")
    with open(env.path("sb.png"), "rb") as f:
        eq(f.read(8), b"\x89PNG\r\n\x1a\n", "PNG signature")
    p = rec["params"]
    eq(p.get("videoDuration"), "15", "duration sent as a string")
    eq(p.get("aspectRatio"), "landscape", "aspect")
    eq(p.get("referenceImageUrl"), "https://example.com/ref.jpg", "reference url")
    eq(p.get("voiceoverScript"), "Run faster. Run stronger.", "voiceover")
    eq(st["generate_requests"], 1, "one generate")
    check(res["apiRequests"] >= 2, "apiRequests counted")
    eq(res["apiRequests"], st["generate_requests"] + st["check_status_requests"], "apiRequests")
    check(not st["auth_seen_on_media"], "Authorization sent to a media host")
    check("step" in err, "progress shown")
    check(not os.path.exists(env.path("v/ad.mp4.part")), "part file left")
    no_key_anywhere(env, out, err)


def t_default_out_and_plain_output(w, sim):
    env = Env(w, sim)
    sim.reset()
    rc, out, err = env.run("generate", "--theme", "Coffee", "--quiet")
    eq(rc, 0, "exit (%s)" % err)
    eq(err, "", "quiet means no stderr")
    rid = [l.split()[1] for l in out.splitlines() if l.startswith("recordId")][0]
    check(os.path.exists(env.path("tvc-%s.mp4" % rid)), "default output name")


def t_validation_before_traffic(w, sim):
    env = Env(w, sim)
    sim.reset()
    cases = [
        (["generate"], "no theme"),
        (["generate", "--theme", ""], "empty theme"),
        (["generate", "--theme", "   "], "blank theme"),
        (["generate", "--theme", "x", "--duration", "12"], "duration"),
        (["generate", "--theme", "x", "--aspect", "square"], "aspect"),
        (["generate", "--theme", "x", "--reference-url", "data:image/png;base64,iVBORw0KGgo="], "data uri"),
        (["generate", "--theme", "x", "--reference-url", "ftp://example.com/a.png"], "ftp"),
        (["generate", "--theme", b"bad \xff\xfe utf-8"], "not utf-8"),
        (["generate", "--theme", "x", "--api-key", KEY], "key on the command line"),
        (["frobnicate"], "unknown command"),
        (["status"], "status without id"),
        (["generate", "--theme", "x", "--timeout", "-1"], "bad timeout"),
        (["generate", "--theme", "x" * 6000], "body larger than the API work area"),
    ]
    for args, what in cases:
        rc, out, err = env.run(*args)
        eq(rc, 2, what + " (" + err + ")")
        check(KEY not in out + err, "key printed")
    eq(sim.stats()["generate_requests"], 0, "no request went out")
    left = os.listdir(env.state) if os.path.isdir(env.state) else []
    eq([f for f in left if f.startswith(("inflight-", "job-"))], [], "nothing journalled")


def t_no_key(w, sim):
    env = Env(w, sim)
    rc, out, err = env.run("generate", "--theme", "x", "--base-url", sim.base, common=False)
    eq(rc, 2, "no key")
    check("NANOPHOTO_API_KEY" in err, "says how to give a key")


def t_key_from_env(w, sim):
    env = Env(w, sim)
    sim.reset()
    args = ["status", "--record-id", "tvc_nope", "--base-url", sim.base, "--cacert", sim.ca]
    rc, out, err = env.run(*args, common=False, env={"NANOPHOTO_API_KEY": KEY})
    eq(rc, 7, "env key used: RECORD_NOT_FOUND, not LOGIN_REQUIRED (%s)" % err)


def t_error_codes(w, sim):
    env = Env(w, sim)
    bad = env.path("badkey")
    with open(bad, "w") as f:
        f.write("wrong-key\n")
    poor = env.path("poorkey")
    with open(poor, "w") as f:
        f.write(POOR_KEY + "\n")
    other = env.path("otherkey")
    with open(other, "w") as f:
        f.write(OTHER_KEY + "\n")
    sim.reset()
    rc, out, err = env.run("generate", "--theme", "x", "--json", key_file=bad)
    eq(rc, 3, "LOGIN_REQUIRED")
    eq(json.loads(out)["errorCode"], "LOGIN_REQUIRED", "errorCode in JSON")
    rc, out, err = env.run("generate", "--theme", "x", "--json", key_file=poor)
    eq(rc, 4, "INSUFFICIENT_CREDITS")
    res = json.loads(out)
    eq(res["errorCode"], "INSUFFICIENT_CREDITS", "errorCode")
    eq(res["requiredCredits"], 8, "requiredCredits")
    rc, out, err = env.run("generate", "--theme", "x [internal]", "--json")
    eq(rc, 12, "INTERNAL_ERROR")
    rc, out, err = env.run("status", "--record-id", "tvc_doesnotexist", "--json")
    eq(rc, 7, "RECORD_NOT_FOUND")
    rc, out, err = env.run("generate", "--theme", "x", "--no-wait", "--json")
    eq(rc, 0, "no-wait (%s)" % err)
    rid = json.loads(out)["recordId"]
    rc, out, err = env.run("status", "--record-id", rid, "--json", key_file=other)
    eq(rc, 3, "UNAUTHORIZED")
    eq(json.loads(out)["errorCode"], "UNAUTHORIZED", "errorCode")
    st = sim.stats()
    eq(st["credits"][POOR_KEY], 0, "nothing charged to the poor key")


def t_failed_job_both_forms(w, sim):
    env = Env(w, sim)
    for mode in ("http200", "http500"):
        sim.reset(fail_mode=mode)
        before = sim.stats()["credits"][KEY]
        rc, out, err = env.run("generate", "--theme", "bad ad [fail]", "--json")
        eq(rc, 6, "failed job (%s): %s" % (mode, err))
        res = json.loads(out)
        eq(res.get("errorCode"), "GENERATION_FAILED", "errorCode " + mode)
        eq(sim.stats()["credits"][KEY], before, "refunded")
        eq(sim.stats()["generate_requests"], 1, "one generate")
        rc, out, err = env.run("status", "--record-id", res["recordId"], "--json")
        eq(rc, 0, "status of a failed job is a successful call (%s): %s" % (mode, err))
        eq(json.loads(out)["status"], "failed", "status failed " + mode)


def t_status_command(w, sim):
    env = Env(w, sim)
    sim.reset()
    rc, out, err = env.run("generate", "--theme", "x", "--no-wait", "--json")
    eq(rc, 0, "submit")
    rid = json.loads(out)["recordId"]
    rc, out, err = env.run("status", "--record-id", rid, "--json")
    eq(rc, 0, "status")
    res = json.loads(out)
    eq(res["recordId"], rid, "recordId")
    check(res["status"] in ("processing", "completed"), "status value")
    rc, out, err = env.run("wait", "--record-id", rid, "--out", "w.mp4", "--json")
    eq(rc, 0, "wait (%s)" % err)
    eq(json.loads(out)["status"], "completed", "completed")
    eq(sha(env.path("w.mp4")), sim.stats()["records"][rid]["video_sha256"], "right bytes")
    eq(sim.stats()["generate_requests"], 1, "wait never generates")
    for faults in ({"status_429": 1, "retry_after": 1}, {"status_reset": 1}, {"status_503": 1},
                   {"status_malformed": 1}):
        sim.reset(**faults)
        rc, out, err = env.run("status", "--record-id", rid, "--json", "--timeout", "30")
        eq(rc, 0, "status retried after %r (%s)" % (faults, err))
        eq(json.loads(out)["recordId"], rid, "answer after the retry")
    sim.reset(status_429=9, retry_after=1)
    rc, out, err = env.run("status", "--record-id", rid, "--json", "--timeout", "1")
    eq(rc, 5, "429 with no room to wait (%s)" % err)
    sim.reset()


def t_429_retry_after(w, sim):
    env = Env(w, sim)
    sim.reset(status_429=2, retry_after=1)
    t0 = time.time()
    rc, out, err = env.run("generate", "--theme", "x", "--json")
    eq(rc, 0, "429 honoured then done (%s)" % err)
    check(time.time() - t0 >= 2.0, "waited Retry-After twice")
    eq(sim.stats()["generate_requests"], 1, "one generate")


def t_429_date_form(w, sim):
    env = Env(w, sim)
    sim.reset(status_429=1, retry_after_date=1, retry_after=2)
    rc, out, err = env.run("generate", "--theme", "x", "--json")
    eq(rc, 0, "429 with HTTP-date (%s)" % err)


def t_429_no_room(w, sim):
    env = Env(w, sim)
    sim.reset(status_429=5, retry_after=3600)
    t0 = time.time()
    rc, out, err = env.run("generate", "--theme", "x", "--json", "--timeout", "20")
    eq(rc, 5, "rate limit with no room to wait (%s)" % err)
    check(time.time() - t0 < 15, "did not wait")


def t_503_retried(w, sim):
    env = Env(w, sim)
    sim.reset(status_503=1, retry_after=1)
    rc, out, err = env.run("generate", "--theme", "x")
    eq(rc, 0, "503 retried (%s)" % err)


def t_generate_no_answer(w, sim):
    for mode in ("close", "reset"):
        env = Env(w, sim)
        sim.reset(generate_no_answer=1, no_answer_mode=mode)
        rc, out, err = env.run("generate", "--theme", "x", "--json")
        eq(rc, 10, "outcome unknown (%s): %s" % (mode, err))
        st = sim.stats()
        eq(st["generate_requests"], 1, "exactly one generate reached the server")
        sim.reset()
        rc, out, err = env.run("resume")
        eq(sim.stats()["generate_requests"], 0, "resume never re-sends generate")


def t_generate_stall(w, sim):
    env = Env(w, sim)
    sim.reset(generate_stall=1, stall_seconds=30)
    t0 = time.time()
    rc, out, err = env.run("generate", "--theme", "x", "--timeout", "4")
    eq(rc, 10, "stalled generate is outcome unknown (%s)" % err)
    eq(sim.stats()["generate_requests"], 1, "not re-sent")
    check(time.time() - t0 < 20, "the deadline bounds a stalled generate")


def t_dns_failure_not_unknown(w, sim):
    env = Env(w, sim)
    t0 = time.time()
    rc, out, err = env.run("generate", "--theme", "x", "--base-url", "https://api.nonexistent.invalid",
                           "--cacert", sim.ca, "--api-key-file", env.keyfile, "--state-dir", env.state,
                           "--timeout", "4", common=False)
    eq(rc, 8, "unresolvable host (%s)" % err)
    check(time.time() - t0 < 15, "bounded by the deadline")
    check("waiting" in err, "retried with backoff: " + err)
    left = os.listdir(env.state) if os.path.isdir(env.state) else []
    eq([f for f in left if f.startswith("inflight-")], [], "no in-flight marker: nothing was sent")
    rc, out, err = env.run("resume")
    eq(rc, 0, "resume has nothing unknown to report (%s)" % err)


def t_black_hole_is_not_processing(w, sim):
    """A host that accepts TCP and never answers TLS: no job can exist, so
    the deadline ends the run as a network error (8), not 'still processing'
    (9), and the connect + handshake are bounded by --timeout."""
    env = Env(w, sim)
    lsn = socket.socket()
    lsn.bind(("127.0.0.1", 0))
    lsn.listen(50)
    lsn.settimeout(0.2)
    port = lsn.getsockname()[1]
    held, stop = [], threading.Event()

    def accept():
        end = time.time() + 30  # bounded in time
        while not stop.is_set() and time.time() < end and len(held) < 50:
            try:
                held.append(lsn.accept()[0])
            except socket.timeout:
                pass

    th = threading.Thread(target=accept)
    th.start()
    try:
        base = "https://localhost:%d" % port
        for cmd in (["generate", "--theme", "x"], ["status", "--record-id", "r1"]):
            t0 = time.time()
            rc, out, err = env.run(*cmd, "--json", "--timeout", "2", "--base-url", base,
                                   "--cacert", sim.ca, "--api-key-file", env.keyfile,
                                   "--state-dir", env.state, common=False)
            eq(rc, 8, "%s against a black hole (%s)" % (cmd[0], err))
            check(time.time() - t0 < 8, "%s bounded by --timeout" % cmd[0])
            eq(json.loads(out)["apiRequests"], 0, "nothing answered, nothing counted")
    finally:
        stop.set()
        th.join()
        for c in held:
            c.close()
        lsn.close()


def t_plain_http_key_refused(w, sim):
    env = Env(w, sim)
    rc, out, err = env.run("status", "--record-id", "x", "--base-url", "http://api.example.com",
                           "--api-key-file", env.keyfile, common=False)
    eq(rc, 2, "cleartext key refused (%s)" % err)
    check("https" in err, "says why")


def t_sigkill_then_resume(w, sim):
    env = Env(w, sim)
    sim.reset()
    p = env.popen("generate", "--theme", "resume me", "--out", "r.mp4",
                  "--storyboard-out", "r.png")
    deadline = time.time() + 20
    while sim.stats()["check_status_requests"] < 1 and time.time() < deadline:
        time.sleep(0.02)
    p.send_signal(signal.SIGKILL)
    p.wait()
    check(not os.path.exists(env.path("r.mp4")), "no video before resume")
    jobs = [f for f in os.listdir(env.state) if f.startswith("job-")]
    eq(len(jobs), 1, "journalled job")
    rc, out, err = env.run("resume", "--json")
    eq(rc, 0, "resume (%s)" % err)
    st = sim.stats()
    eq(st["generate_requests"], 1, "one generate in total")
    res = json.loads(out)
    eq(res["count"], 1, "one job resumed")
    rid = res["jobs"][0]["recordId"]
    eq(st["records"][rid]["params"]["adTheme"], "resume me", "same record")
    eq(sha(env.path("r.mp4")), st["records"][rid]["video_sha256"], "right file")
    check(os.path.exists(env.path("r.png")), "storyboard too")
    rc, out, err = env.run("resume")
    eq(rc, 0, "second resume has nothing to do")
    eq(sim.stats()["generate_requests"], 1, "still one generate")


def t_resume_from_other_directory(w, sim):
    env = Env(w, sim)
    sim.reset()
    rc, out, err = env.run("generate", "--theme", "x", "--no-wait")
    eq(rc, 0, "submit")
    other = tempfile.mkdtemp(dir=w)
    p = subprocess.run(TVC_CMD + ["resume"] + env.common(), cwd=other, capture_output=True, timeout=60)
    eq(p.returncode, 0, "resume elsewhere")
    mp4 = [f for f in os.listdir(env.dir) if f.endswith(".mp4")]
    eq(len(mp4), 1, "video written where generate ran")


def t_download_cut_resumed(w, sim):
    env = Env(w, sim)
    sim.reset(video_cut=100000)
    rc, out, err = env.run("generate", "--theme", "x", "--out", "cut.mp4", "--json")
    eq(rc, 0, "job with cut download (%s)" % err)
    st = sim.stats()
    rid = json.loads(out)["recordId"]
    eq(sha(env.path("cut.mp4")), st["records"][rid]["video_sha256"], "right bytes after resume")
    ranges = [m for m in st["media_requests"] if m.get("range")]
    check(any(m["range"].startswith("bytes=100000-") for m in ranges), "resumed with Range: %r" % ranges)


def t_download_command_resumes_across_runs(w, sim):
    env = Env(w, sim)
    sim.reset()
    rc, out, err = env.run("generate", "--theme", "x", "--no-wait", "--json")
    rid = json.loads(out)["recordId"]
    rc, out, err = env.run("wait", "--record-id", rid, "--out", "first.mp4", "--json")
    eq(rc, 0, "wait")
    url = json.loads(out)["videoUrl"]
    want = sim.stats()["records"][rid]["video_sha256"]
    sim.reset(media_bps=60000)
    p = subprocess.Popen(TVC_CMD + ["download", url, "--out", "d.mp4", "--cacert", sim.ca],
                         cwd=env.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 20
    while time.time() < deadline:
        part = env.path("d.mp4.part")
        if os.path.exists(part) and os.path.getsize(part) > 50000:
            break
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    check(not os.path.exists(env.path("d.mp4")), "no final file after a kill")
    rc, out, err = env.run("download", sim.base + "/no/such/file.mp4", "--out", "x.mp4",
                           "--cacert", sim.ca, "--json", common=False)
    eq(rc, 11, "download of a missing file (%s)" % err)
    eq(json.loads(out)["exitCode"], 11, "the JSON's exitCode is the process's")
    have = os.path.getsize(env.path("d.mp4.part"))
    sim.reset()
    rc, out, err = env.run("download", url, "--out", "d.mp4", "--cacert", sim.ca, "--json", common=False)
    eq(rc, 0, "download resumed (%s)" % err)
    eq(sha(env.path("d.mp4")), want, "byte-exact")
    eq(json.loads(out)["videoSha256"], want, "reported sha")
    media = sim.stats()["media_requests"]
    check(any((m.get("range") or "").startswith("bytes=%d-" % have) for m in media), "Range used: %r" % media)
    check(not sim.stats()["auth_seen_on_media"], "no Authorization to media")


def t_certificate_rejected_before_any_byte(w, sim):
    env = Env(w, sim)
    sim.reset()
    other_ca = env.path("other-ca.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", env.path("other-ca.key"), "-out", other_ca, "-days", "2",
                    "-subj", "/CN=not the sim CA"], check=True, capture_output=True)
    args = ["generate", "--theme", "x", "--base-url", sim.base, "--cacert", other_ca,
            "--api-key-file", env.keyfile, "--state-dir", env.state]
    rc, out, err = env.run(*args, common=False)
    eq(rc, 8, "unknown CA refused (%s)" % err)
    check("trust" in err or "CA" in err, "says why: " + err)
    port = sim.base.rsplit(":", 1)[1]
    args = ["generate", "--theme", "x", "--base-url", "https://wrong-name.test:%s" % port,
            "--resolve", "wrong-name.test:%s:127.0.0.1" % port, "--cacert", sim.ca,
            "--api-key-file", env.keyfile, "--state-dir", env.state]
    rc, out, err = env.run(*args, common=False)
    eq(rc, 8, "wrong host name refused (%s)" % err)
    st = sim.stats()
    eq(st["generate_requests"], 0, "no generate reached the server")
    eq(st["check_status_requests"], 0, "nothing reached the server")


def t_escaping_round_trip(w, sim):
    env = Env(w, sim)
    sim.reset()
    theme = 'Say "hi" \\ back\tslash\x01\x1f caf\u00e9 \u4e2d\u6587 \U0001F600 </script>'
    voice = "line1\nline2\r\n\u00ff\u2028 end"
    rc, out, err = env.run("generate", "--theme", theme, "--voiceover", voice, "--no-wait", "--json")
    eq(rc, 0, "submit (%s)" % err)
    rid = json.loads(out)["recordId"]
    p = sim.stats()["records"][rid]["params"]
    eq(p["adTheme"], theme, "adTheme byte-exact")
    eq(p["voiceoverScript"], voice, "voiceover byte-exact")


def t_long_prompt_bounded(w, sim):
    env = Env(w, sim)
    sim.reset()
    rc, out, err = env.run("generate", "--theme", "x", "--json")
    eq(rc, 0, "100 KB storyboardPrompt does not fail the job (%s)" % err)
    res = json.loads(out)
    eq(res.get("storyboardPromptTruncated"), True, "flagged as truncated")
    check(res["storyboardPrompt"].startswith("SC1"), "prompt kept from the start")


def t_faults_recovered(w, sim):
    env = Env(w, sim)
    for faults in ({"status_reset": 2}, {"status_malformed": 1}, {"status_malformed": 1, "malformed_kind": "html"},
                   {"chunked": 1, "chunk_ext": 1}, {"keepalive": 0}, {"redirect_video": "relative"},
                   {"video_no_etag": 1, "video_cut": 50000}):
        sim.reset(**faults)
        rc, out, err = env.run("generate", "--theme", "x", "--json")
        eq(rc, 0, "recovered from %r: %s" % (faults, err))
        st = sim.stats()
        rid = json.loads(out)["recordId"]
        eq(sha(json.loads(out)["videoFile"]), st["records"][rid]["video_sha256"], "bytes %r" % faults)
        eq(st["generate_requests"], 1, "one generate %r" % faults)


def t_unknown_status(w, sim):
    env = Env(w, sim)
    sim.reset(status_bad_status=1)
    rc, out, err = env.run("generate", "--theme", "x")
    eq(rc, 8, "unknown status ends the job (%s)" % err)


def t_deadline(w, sim):
    env = Env(w, sim)
    sim.reset(status_stall=0)
    rc, out, err = env.run("generate", "--theme", "slow", "--timeout", "2")
    eq(rc, 9, "deadline (%s)" % err)
    rc, out, err = env.run("resume", "--max-requests-per-hour", "1000")
    eq(rc, 0, "the job stays resumable (%s)" % err)
    eq(sim.stats()["generate_requests"], 1, "resume does not generate")


def t_deadline_names_bad_answers(w, sim):
    """Every check-status answer unreadable until the deadline: exit 8, not 9."""
    env = Env(w, sim)
    for faults in ({"status_garbage": 99}, {"status_big_header": 99}, {"status_malformed": 99},
                   {"status_malformed": 99, "malformed_kind": "html"}):
        sim.reset(**faults)
        t0 = time.time()
        rc, out, err = env.run("generate", "--theme", "x", "--json", "--timeout", "3")
        eq(rc, 8, "deadline after %r names the protocol error (%s)" % (faults, err))
        res = json.loads(out)
        eq(res["exitCode"], 8, "JSON exitCode %r" % faults)
        check("deadline" not in res["libError"], "libError names the cause: %r" % res["libError"])
        check(time.time() - t0 < 10, "bounded by --timeout")
        st = sim.stats()
        check(st["check_status_requests"] >= 2, "retried %r" % faults)
        eq(st["generate_requests"], 1, "one generate %r" % faults)
    # the job itself is fine: it stays in the journal and a resume finishes it
    sim.reset()
    rc, out, err = env.run("resume", "--json")
    eq(rc, 0, "resumed after the answers healed (%s)" % err)
    eq(json.loads(out)["count"], 4, "all four jobs resumed")


def t_deadline_names_server_error(w, sim):
    """5xx until the deadline: exit 12, not 9 (the API's own 500 and a proxy's 503)."""
    env = Env(w, sim)
    for faults, code in (({"status_500": 99}, "INTERNAL_ERROR"), ({"status_503": 99, "retry_after": "none"}, None)):
        sim.reset(**faults)
        rc, out, err = env.run("generate", "--theme", "x", "--json", "--timeout", "3")
        eq(rc, 12, "deadline after %r names the server error (%s)" % (faults, err))
        res = json.loads(out)
        eq(res.get("errorCode"), code, "errorCode %r" % faults)
        check(sim.stats()["check_status_requests"] >= 2, "retried %r" % faults)


def t_status_command_gives_up(w, sim):
    """`tvc status` retries with the same policy and reports the same causes."""
    env = Env(w, sim)
    sim.reset()
    rc, out, err = env.run("generate", "--theme", "x", "--no-wait", "--json")
    rid = json.loads(out)["recordId"]
    for faults, want in (({"status_500": 99}, 12), ({"status_garbage": 99}, 8),
                         ({"status_big_header": 99}, 8), ({"status_503": 99, "retry_after": 1}, 12)):
        sim.reset(**faults)
        t0 = time.time()
        rc, out, err = env.run("status", "--record-id", rid, "--json", "--timeout", "3")
        eq(rc, want, "status after %r (%s)" % (faults, err))
        eq(json.loads(out)["exitCode"], want, "JSON exitCode %r" % faults)
        check(time.time() - t0 < 10, "bounded by --timeout")
        check(sim.stats()["check_status_requests"] >= 2, "retried %r" % faults)
        check("trying again" in err, "says it retries: " + err)
    sim.reset(status_500=2)
    rc, out, err = env.run("status", "--record-id", rid, "--json", "--timeout", "30")
    eq(rc, 0, "two 500s then the answer (%s)" % err)
    eq(sim.stats()["check_status_requests"], 3, "three calls")
    sim.reset()


def t_deadline_after_bad_answers_then_processing(w, sim):
    """A bad answer, then "processing" again: the deadline is exit 9."""
    env = Env(w, sim)
    sim.reset(status_malformed=1)
    rc, out, err = env.run("generate", "--theme", "slow", "--json", "--timeout", "3")
    eq(rc, 9, "still processing at the deadline (%s)" % err)
    eq(json.loads(out).get("status"), "processing", "last answer said processing")
    eq(sim.stats()["fault_hits"].get("status_malformed"), 1, "the bad answer was seen")


def t_budget(w, sim):
    env = Env(w, sim)
    sim.reset()
    rc, out, err = env.run("generate", "--theme", "x", "--max-requests-per-hour", "2", "--timeout", "30")
    eq(rc, 9, "budget leaves no room before the deadline (%s)" % err)
    st = sim.stats()
    eq(st["generate_requests"] + st["check_status_requests"], 2, "no more than the budget")
    check(os.path.exists(os.path.join(env.state, "budget")), "budget persisted")


def t_http10_server_without_close_notify(w, sim):
    """Python's own http.server over TLS: bodies until close, no close_notify."""
    env = Env(w, sim)
    cert, key = env.path("peer.pem"), env.path("peer.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"], check=True, capture_output=True)
    portfile = env.path("port")
    peer = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "http10_api.py"), cert, key,
                             portfile, "4"])
    try:
        deadline = time.time() + 10
        while not os.path.exists(portfile) and time.time() < deadline:
            time.sleep(0.05)
        base = "https://localhost:" + open(portfile).read()
        rc, out, err = env.run("generate", "--theme", "x", "--base-url", base, "--cacert", cert,
                               "--api-key-file", env.keyfile, "--state-dir", env.state,
                               "--poll-interval", "0.1", "--out", "p.mp4", "--json", common=False)
        eq(rc, 0, "JSON answers ended by a bare close are checked by their structure (%s)" % err)
        eq(json.loads(out)["videoBytes"], 256 * 40, "video with Content-Length downloaded")
        rc, out, err = env.run("download", base + "/cut.mp4", "--out", "cut.mp4", "--cacert", cert,
                               "--timeout", "3", common=False)
        check(rc in (8, 11), "a length-less body without close_notify is not published: %d %s" % (rc, err))
        check(not os.path.exists(env.path("cut.mp4")), "no final file")
    finally:
        peer.kill()
        peer.wait()


TESTS = [
    ("default", [t_happy_path_every_option, t_default_out_and_plain_output, t_validation_before_traffic,
                 t_no_key, t_key_from_env, t_error_codes, t_failed_job_both_forms, t_status_command,
                 t_429_retry_after, t_429_date_form, t_429_no_room, t_503_retried, t_generate_no_answer, t_generate_stall,
                 t_dns_failure_not_unknown, t_black_hole_is_not_processing, t_plain_http_key_refused,
                 t_sigkill_then_resume, t_resume_from_other_directory, t_download_cut_resumed,
                 t_download_command_resumes_across_runs, t_certificate_rejected_before_any_byte,
                 t_escaping_round_trip, t_faults_recovered, t_unknown_status, t_budget,
                 t_deadline_names_bad_answers, t_deadline_names_server_error, t_status_command_gives_up,
                 t_http10_server_without_close_notify], []),
    ("slow", [t_deadline, t_deadline_after_bad_answers_then_processing],
     ["--step-seconds", "5", "--rate-limit", "0"]),
    ("longprompt", [t_long_prompt_bounded], ["--prompt-bytes", "100000"]),
]



# ---------------------------------------------------------------- media URLs that expire

MEDIA_OFF = {"media_sign": 0, "media_sig_uses": 0, "media_resign": 1, "media_same_file": 1,
             "media_expired_status": 403, "media_html": 0}


def media_reset(sim, **faults):
    f = dict(MEDIA_OFF)
    f.update(faults)
    sim.reset(**f)


def video_gets(st, rid):
    return [m for m in st["media_requests"] if m["host"] == "video" and m["path"] == "/sora/%s.mp4" % rid]


def t_media_expired_resigned_same_file_keeps_bytes(w, sim):
    """Cut mid-download; the resume finds the signature expired (403); check-status
    re-signs; the new URL serves the same file: the part is kept, no byte served twice."""
    env = Env(w, sim)
    media_reset(sim, media_sign=1, media_sig_uses=1, video_cut=100000)
    rc, out, err = env.run("generate", "--theme", "x", "--out", "v.mp4", "--json")
    eq(rc, 0, "job finished after an expiry (%s)" % err)
    rid = json.loads(out)["recordId"]
    st = sim.stats()
    eq(sha(env.path("v.mp4")), st["records"][rid]["video_sha256"], "byte-exact")
    gets = video_gets(st, rid)
    eq([g["status"] for g in gets], [200, 403, 206], "cut, expired, resumed: %r" % gets)
    check(gets[0]["query"] != gets[2]["query"], "the resume used the new signature")
    eq(gets[2]["range"], "bytes=100000-", "resumed where the part ended")
    check(gets[2]["if_range"], "with If-Range")
    eq(sum(g["bytes"] for g in gets), 300000, "every byte served once")
    check(json.loads(out)["videoUrl"].endswith(gets[2]["query"]), "the new URL reported")
    check(not st["auth_seen_on_media"], "no key to media")
    no_key_anywhere(env, out, err)


def t_media_expired_changed_file_restarts(w, sim):
    env = Env(w, sim)
    media_reset(sim, media_sign=1, media_sig_uses=1, media_same_file=0, video_cut=100000,
                media_expired_status=410)
    rc, out, err = env.run("generate", "--theme", "x", "--out", "v.mp4", "--json")
    eq(rc, 0, "job finished after an expiry (%s)" % err)
    rid = json.loads(out)["recordId"]
    st = sim.stats()
    eq(sha(env.path("v.mp4")), st["records"][rid]["video_sha256"], "the new file, byte-exact")
    gets = video_gets(st, rid)
    eq([g["status"] for g in gets], [200, 410, 200], "cut, expired, restarted: %r" % gets)
    eq(gets[2]["bytes"], 300000, "the whole new file")


def t_media_url_unchanged_exit_11(w, sim):
    env = Env(w, sim)
    media_reset(sim, media_sign=1, media_sig_uses=1, media_resign=0, video_cut=100000)
    rc, out, err = env.run("generate", "--theme", "x", "--out", "v.mp4", "--json")
    eq(rc, 11, "the same expired URL again: download error (%s)" % err)
    j = json.loads(out)
    eq(j["exitCode"], 11, "JSON exit code")
    eq(j.get("httpStatus"), 403, "the media host's status")
    check(not os.path.exists(env.path("v.mp4")), "nothing at the final path")
    eq(os.path.getsize(env.path("v.mp4.part")), 100000, "the part kept for a resume")
    st = sim.stats()
    eq([g["status"] for g in video_gets(st, j["recordId"])], [200, 403], "no third GET")
    no_key_anywhere(env, out, err)
    # the journal still finishes the job once the host serves again
    media_reset(sim)
    rc, out, err = env.run("resume", "--json")
    eq(rc, 0, "resume (%s)" % err)
    eq(sha(env.path("v.mp4")), st["records"][j["recordId"]]["video_sha256"], "byte-exact after resume")


def t_media_html_200_refused(w, sim):
    env = Env(w, sim)
    media_reset(sim, media_html=1)
    rc, out, err = env.run("generate", "--theme", "x", "--out", "v.mp4", "--json")
    eq(rc, 11, "an HTML page instead of the video (%s)" % err)
    check(not os.path.exists(env.path("v.mp4")), "nothing at the final path")
    part = env.path("v.mp4.part")
    check(not os.path.exists(part) or b"<html>" not in open(part, "rb").read(), "no page in the part")
    check("page" in err, "says why: " + err)
    st = sim.stats()
    eq(st["check_status_requests"] >= 2, True, "check-status asked again for the URL")
    no_key_anywhere(env, out, err)


def t_key_never_written(w, sim):
    """A full job and a run of failing ones with one state directory: the key is in no
    byte of stdout, stderr, the journal, the budget, the part and meta sidecars, the
    outputs or any other file the program wrote."""
    env = Env(w, sim)
    outs = []

    def run(*a, **kw):
        rc, out, err = env.run(*a, **kw)
        outs.extend([out, err])
        return rc

    media_reset(sim)
    eq(run("generate", "--theme", "x", "--out", "ok.mp4", "--storyboard-out", "sb.png", "--json"), 0, "full job")
    rc = run("generate", "--theme", "x", "--out", "env.mp4", common=False,
             env={"NANOPHOTO_API_KEY": KEY}, *["--base-url", sim.base, "--cacert", sim.ca,
                                                "--state-dir", env.state, "--poll-interval", "0.1"])
    eq(rc, 0, "key from the environment")
    media_reset(sim, media_sign=1, media_sig_uses=1, media_resign=0, video_cut=100000)
    eq(run("generate", "--theme", "x", "--out", "expired.mp4", "--json"), 11, "expired media (part + meta kept)")
    media_reset(sim, media_html=1)
    eq(run("generate", "--theme", "x", "--out", "html.mp4"), 11, "error page")
    media_reset(sim, generate_no_answer=1)
    eq(run("generate", "--theme", "x", "--json"), 10, "outcome unknown (journal record)")
    media_reset(sim, status_malformed=20, malformed_kind="html")
    eq(run("generate", "--theme", "x", "--timeout", "4", "--json"), 8, "malformed answers to the deadline")
    media_reset(sim)
    eq(run("generate", "--theme", "x [fail]", "--json"), 6, "failed job")
    eq(run("status", "--record-id", "tvc_nope", "--json"), 7, "unknown record")
    other_ca = env.path("other-ca.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", env.path("other-ca.key"), "-out", other_ca, "-days", "2",
                    "-subj", "/CN=not the sim CA"], check=True, capture_output=True)
    eq(run("generate", "--theme", "x", "--json", "--base-url", sim.base, "--cacert", other_ca,
           "--api-key-file", env.keyfile, "--state-dir", env.state, common=False), 8, "TLS refused")
    written = [os.path.relpath(os.path.join(r, f), env.dir) for r, _, fs in os.walk(env.dir) for f in fs]
    for want in ("state/budget", "expired.mp4.part", "expired.mp4.part.meta", "ok.mp4", "sb.png"):
        check(want in written, "%s written (the scan covers it): %r" % (want, written))
    check(any(f.startswith("state/job-") for f in written), "journal records scanned: %r" % written)
    no_key_anywhere(env, *outs)
    eq(run("resume", "--json"), 0, "resume finishes what can be finished")
    check(os.path.exists(env.path("expired.mp4")), "the expired job finished from its part")
    no_key_anywhere(env, *outs)


TESTS.append(("media", [t_media_expired_resigned_same_file_keeps_bytes, t_media_expired_changed_file_restarts,
                        t_media_url_unchanged_exit_11, t_media_html_200_refused, t_key_never_written], []))


def main():
    only = os.environ.get("TVC_ITEST_ONLY")
    passed = failed = 0
    work = tempfile.mkdtemp(prefix="tvc-itest-")
    try:
        for name, tests, extra in TESTS:
            tests = [t for t in tests if not only or only in t.__name__]
            if not tests:
                continue
            sim = Sim(work, name, *extra)
            try:
                for t in tests:
                    t0 = time.time()
                    try:
                        t(work, sim)
                        passed += 1
                        if os.environ.get("TVC_TEST_VERBOSE"):
                            print("ok   %s (%.1fs)" % (t.__name__, time.time() - t0))
                    except Exception as e:  # noqa: BLE001 - report and go on
                        failed += 1
                        print("FAIL %s: %s" % (t.__name__, e))
                        if not isinstance(e, AssertionError):
                            traceback.print_exc(file=sys.stdout)
            finally:
                sim.stop()
    finally:
        if not os.environ.get("TVC_ITEST_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
