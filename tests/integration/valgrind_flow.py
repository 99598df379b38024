#!/usr/bin/python3
"""The tvc program end to end under valgrind (memcheck, full leak check).

usage: valgrind_flow.py PATH/TO/tvc
A few scenarios of the integration flow, each one tvc process run as
    valgrind --leak-check=full --error-exitcode=1 tvc ...
against the bundled simulator over TLS (its own CA, verified), on
127.0.0.1, started here and stopped by its process id.  Each scenario
checks tvc's documented exit status and result, that valgrind reported no
error and no leak ("ERROR SUMMARY: 0 errors", definitely/indirectly/possibly
lost all zero) and that tvc left no file descriptor open at exit beyond
stdin, stdout and stderr.  Valgrind is slow: the scenarios are few, the
video is small, every run is bounded.  Prints "N passed, N failed" last.
"""
import sys

sys.dont_write_bytecode = True

import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import ssl  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

from simproc import SimProcess  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(HERE, "..", "sim", "nanophoto_sim.py")
KEY = "vg-key-0123456789abcdef"
POOR_KEY = "vg-poor-key"
RUN_TIMEOUT = 240  # seconds per tvc run under valgrind


class Sim(SimProcess):
    def __init__(self, work):
        SimProcess.__init__(self, os.path.join(work, "sim"), [
            "--keys", "%s:100,%s:0" % (KEY, POOR_KEY), "--step-seconds", "0.2",
            "--video-bytes", "120000", "--max-seconds", "900", "--max-requests", "5000"])

    def faults(self, **f):
        self.admin("reset-counters", {})
        if f:
            self.admin("faults", f)


class Run:
    """One tvc process under valgrind; its own log, parsed."""
    seq = 0

    def __init__(self, tvc, work, sim, args, key=KEY, stdout_path=None):
        Run.seq += 1
        self.dir = os.path.join(work, "run%d" % Run.seq)
        os.makedirs(self.dir)
        keyfile = os.path.join(self.dir, "key")
        with open(keyfile, "w") as f:
            f.write(key + "\n")
        self.vglog = os.path.join(self.dir, "valgrind.log")
        cmd = ["valgrind", "--leak-check=full", "--error-exitcode=1",
               "--show-leak-kinds=definite,indirect,possible",
               "--errors-for-leak-kinds=definite,indirect,possible",
               "--track-fds=yes", "--log-file=" + self.vglog, tvc] + list(args) + [
               "--base-url", sim.base, "--cacert", sim.ca, "--api-key-file", keyfile,
               "--state-dir", os.path.join(self.dir, "state"), "--poll-interval", "0.1"]
        env = dict(os.environ)
        env.pop("NANOPHOTO_API_KEY", None)
        t0 = time.time()
        if stdout_path is None:
            p = subprocess.run(cmd, capture_output=True, timeout=RUN_TIMEOUT, cwd=self.dir, env=env)
            out = p.stdout
        else:
            with open(stdout_path, "wb") as f:
                p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, timeout=RUN_TIMEOUT,
                                   cwd=self.dir, env=env)
            out = b""
        self.secs = time.time() - t0
        self.rc = p.returncode
        self.out = out.decode("utf-8", "replace")
        self.err = p.stderr.decode("utf-8", "replace")
        with open(self.vglog, errors="replace") as f:
            self.log = f.read()

    def path(self, name):
        return os.path.join(self.dir, name)

    def memcheck_problems(self):
        """What valgrind reported, or [] when the run is clean."""
        bad = []
        m = re.search(r"ERROR SUMMARY: (\d+) errors", self.log)
        if not m:
            bad.append("no ERROR SUMMARY (valgrind did not finish)")
        elif m.group(1) != "0":
            bad.append("%s memcheck errors" % m.group(1))
        for kind in ("definitely", "indirectly", "possibly"):
            m = re.search(kind + r" lost: ([\d,]+) bytes", self.log)
            if m and m.group(1) != "0":
                bad.append("%s lost: %s bytes" % (kind, m.group(1)))
        if "All heap blocks were freed" not in self.log and \
                not re.search(r"definitely lost: 0 bytes", self.log):
            bad.append("no leak summary")
        # --track-fds: every descriptor open at exit is listed, then where it
        # was opened; those tvc inherited (0-2, valgrind's own log) are not tvc's.
        if "FILE DESCRIPTORS:" not in self.log:
            bad.append("no file descriptor report")
        lines = [re.sub(r"^==\d+== ?", "", l) for l in self.log.splitlines()]
        for i, l in enumerate(lines):
            if l.startswith("Open ") and not (i + 1 < len(lines) and
                                               "<inherited from parent>" in lines[i + 1]):
                bad.append("left open at exit: " + l)
        return bad


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def expect(r, rc, what, checks):
    """Collect failures of one scenario: exit status, memcheck, own checks."""
    fails = []
    if r.rc != rc:
        fails.append("%s: exit %d, want %d (stderr: %s)" % (what, r.rc, rc, r.err[-400:]))
    fails += ["%s: %s" % (what, b) for b in r.memcheck_problems()]
    for ok, msg in checks:
        if not ok:
            fails.append("%s: %s" % (what, msg))
    if fails and r.rc == 1:
        fails.append("valgrind log tail:\n" + "\n".join(r.log.splitlines()[-30:]))
    return fails


def s_generate_completed(tvc, work, sim):
    """The whole flow: submit, poll, download video and storyboard over TLS."""
    sim.faults()
    r = Run(tvc, work, sim, ["generate", "--theme", "Valgrind ad: \u00e9t\u00e9 \u2603",
                             "--duration", "15", "--aspect", "landscape",
                             "--out", "v/ad.mp4", "--storyboard-out", "sb.png", "--json"])
    checks = []
    try:
        res = json.loads(r.out)
        rec = sim.stats()["records"][res["recordId"]]
        checks.append((res.get("status") == "completed", "status %r" % res.get("status")))
        checks.append((sha(r.path("v/ad.mp4")) == rec["video_sha256"], "video bytes"))
        with open(r.path("sb.png"), "rb") as f:
            checks.append((f.read(8) == b"\x89PNG\r\n\x1a\n", "storyboard PNG"))
        checks.append((not os.path.exists(r.path("v/ad.mp4.part")), "part file left"))
    except (ValueError, KeyError, OSError) as e:
        checks.append((False, "result: %s (stdout %r)" % (e, r.out[:300])))
    return expect(r, 0, "generate", checks), r.secs


def s_download_cut_resumed(tvc, work, sim):
    """A video cut mid-body: the download resumes with Range and completes."""
    sim.faults(video_cut=50000)
    r = Run(tvc, work, sim, ["generate", "--theme", "cut", "--out", "cut.mp4", "--json"])
    checks = []
    try:
        res = json.loads(r.out)
        st = sim.stats()
        checks.append((sha(r.path("cut.mp4")) == st["records"][res["recordId"]]["video_sha256"],
                       "video bytes after resume"))
        checks.append((any((m.get("range") or "").startswith("bytes=50000-")
                           for m in st["media_requests"]), "resumed with Range"))
    except (ValueError, KeyError, OSError) as e:
        checks.append((False, "result: %s (stdout %r)" % (e, r.out[:300])))
    sim.faults(video_cut=0)
    return expect(r, 0, "cut download", checks), r.secs


def s_errors(tvc, work, sim):
    """Error paths free what they hold: no credits (4), unknown record (7),
    a result that cannot be written to stdout (11)."""
    sim.faults()
    r = Run(tvc, work, sim, ["generate", "--theme", "x", "--json"], key=POOR_KEY)
    fails = expect(r, 4, "insufficient credits", [
        ("INSUFFICIENT_CREDITS" in r.out, "errorCode in %r" % r.out[:200])])
    secs = r.secs
    secs += r.secs
    r = Run(tvc, work, sim, ["status", "--record-id", "tvc_doesnotexist", "--json"])
    fails += expect(r, 7, "record not found", [])
    secs += r.secs
    if os.path.exists("/dev/full"):
        # a result that cannot be written is not a success (exit 11) ...
        r = Run(tvc, work, sim, ["generate", "--theme", "x", "--no-wait", "--json"],
                stdout_path="/dev/full")
        fails += expect(r, 11, "result to a full disk", [
            ("standard output" in r.err, "says why: %r" % r.err[-200:])])
        secs += r.secs
        # ... and does not hide the status an error already had
        r = Run(tvc, work, sim, ["status", "--record-id", "tvc_doesnotexist", "--json"],
                stdout_path="/dev/full")
        fails += expect(r, 7, "error result to a full disk", [])
        secs += r.secs
    return fails, secs


def s_submit_wait_download(tvc, work, sim):
    """The other commands' exits: generate --no-wait, wait, download."""
    sim.faults()
    r = Run(tvc, work, sim, ["generate", "--theme", "later", "--no-wait", "--json"])
    secs = r.secs
    try:
        rid = json.loads(r.out)["recordId"]
    except (ValueError, KeyError) as e:
        return expect(r, 0, "submit", [(False, "result: %s" % e)]), secs
    fails = expect(r, 0, "submit", [])
    r = Run(tvc, work, sim, ["wait", "--record-id", rid, "--out", "w.mp4", "--json"])
    secs += r.secs
    checks = []
    url = None
    try:
        res = json.loads(r.out)
        url = res["videoUrl"]
        want = sim.stats()["records"][rid]["video_sha256"]
        checks.append((sha(r.path("w.mp4")) == want, "waited video bytes"))
    except (ValueError, KeyError, OSError) as e:
        checks.append((False, "result: %s (stdout %r)" % (e, r.out[:300])))
    fails += expect(r, 0, "wait", checks)
    if url:
        r = Run(tvc, work, sim, ["download", url, "--out", "d.mp4", "--json"])
        secs += r.secs
        fails += expect(r, 0, "download", [
            (os.path.exists(r.path("d.mp4")) and sha(r.path("d.mp4")) == want, "downloaded bytes")])
    return fails, secs


SCENARIOS = [s_generate_completed, s_download_cut_resumed, s_errors, s_submit_wait_download]


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip())
        return 2
    tvc = os.path.abspath(sys.argv[1])
    if shutil.which("valgrind") is None:
        print("valgrind not installed (make deps-test installs it)")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    work = tempfile.mkdtemp(prefix="tvc-vg-")
    sim = None
    try:
        sim = Sim(work)
        for s in SCENARIOS:
            try:
                fails, secs = s(tvc, work, sim)
            except Exception as e:  # noqa: BLE001 - report and go on
                fails, secs = ["%s: %s: %s" % (s.__name__, type(e).__name__, e)], 0
            if fails:
                failed += 1
                print("FAIL %s" % s.__name__)
                for f in fails:
                    print("     " + f)
            else:
                passed += 1
                print("ok   %s (%.1fs under valgrind)" % (s.__name__, secs))
    finally:
        if sim is not None:
            sim.stop()
        if os.environ.get("TVC_ITEST_KEEP"):
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
