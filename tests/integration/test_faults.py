#!/usr/bin/python3
"""Fault injection: the real `tvc` binary against the simulator's hostile answers,
the network, the disk and its own journal (issue 9, item 4).

usage: test_faults.py PATH/TO/tvc
Each case checks: the documented exit status (README "Exit status"), no crash or
sanitizer report, no run past its --timeout, nothing at the final output path
unless the run succeeded, and a journal that `tvc resume` can still use (resume
is run afterwards and must finish the job or give a documented status).

Cases already in test_cli.py are not repeated here: an unresolvable API host
(t_dns_failure_not_unknown), a reset before any answer byte (status_reset in
t_faults_recovered), a stalled check-status and generate (t_deadline,
t_generate_stall), garbage and a 64 KiB header line (t_deadline_names_bad_answers),
invalid JSON, HTML and empty bodies (status_malformed), 500/503 until the deadline
(t_deadline_names_server_error), 429 with no room to wait (t_429_no_room), a video
cut by a close (t_download_cut_resumed) and a kill -9 then resume (t_sigkill_then_resume).
Prints "N passed, N failed" last.
"""
import sys

sys.dont_write_bytecode = True

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli as tc  # noqa: E402  (Sim, Env, check, eq, sha; TVC from argv[1])
from test_cli import check, eq, sha  # noqa: E402

# exit statuses (README "Exit status")
DONE, NET, DEADLINE, UNKNOWN, STORAGE, SERVER, RATE = 0, 8, 9, 10, 11, 12, 5
SAN_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "Segmentation fault")
NEW_FAULTS = {"status_raw": 0, "generate_raw": 0, "status_5xx": 0, "raw_kind": None,
              "drip_ms": None, "stall_seconds": None, "video_cut_times": None, "video_cut_mode": None}


def reset(sim, **faults):
    base = dict(NEW_FAULTS)
    base.update(faults)
    sim.reset(**base)


def run(env, *args, timeout=60, limit=None, **kw):
    """env.run, plus: bounded by @p limit seconds of wall time, no sanitizer report."""
    t0 = time.time()
    rc, out, err = env.run(*args, timeout=timeout, **kw)
    took = time.time() - t0
    for m in SAN_MARKS:
        check(m not in err, "crash or sanitizer report: " + err[-800:])
    check(rc >= 0, "killed by signal %d" % -rc)
    if limit is not None:
        check(took < limit, "%s took %.1f s, over %.1f s" % (args[0], took, limit))
    return rc, out, err


def jobs(env):
    """The journal's job files, parsed (a file that does not parse fails the test)."""
    out = {}
    for f in sorted(os.listdir(env.state)) if os.path.isdir(env.state) else []:
        if f.startswith(("job-", "inflight-")) and f.endswith(".json"):
            with open(os.path.join(env.state, f)) as fh:
                out[f] = json.load(fh)
    return out


def resume_finishes(env, sim, out_path, what):
    """`tvc resume` with the faults cleared: exit 0 and the right bytes at out_path."""
    reset(sim)
    rc, out, err = run(env, "resume", "--json", limit=30)
    eq(rc, DONE, "%s: resume (%s)" % (what, err[-300:]))
    res = json.loads(out)
    check(res["count"] >= 1, "%s: resume found the job" % what)
    rid = res["jobs"][-1]["recordId"]
    eq(sha(out_path), sim.stats()["records"][rid]["video_sha256"], "%s: bytes after resume" % what)
    check(not os.path.exists(out_path + ".part"), "%s: part file left" % what)
    for name, j in jobs(env).items():
        check(j["phase"] in ("done", "failed", "unknown"), "%s: %s left %s" % (what, name, j["phase"]))


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connection refused
    return port


# ---------------------------------------------------------------- the network

def t_connection_refused(w, sim):
    """Refused on generate: exit 8, nothing journalled; refused while resuming
    a submitted job: exit 8, the job kept; an unresolvable API host while
    resuming: the same; then a resume against the service finishes it."""
    env = tc.Env(w, sim)
    reset(sim)
    dead = "https://localhost:%d" % closed_port()
    common = ["--cacert", sim.ca, "--api-key-file", env.keyfile, "--state-dir", env.state,
              "--poll-interval", "0.1"]
    rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--timeout", "2",
                       "--base-url", dead, *common, common=False, limit=10)
    eq(rc, NET, "generate, connection refused (%s)" % err)
    eq(jobs(env), {}, "nothing journalled when nothing was sent")
    check(not os.path.exists(env.path("v.mp4")), "no output")
    rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--no-wait", "--json")
    eq(rc, DONE, "submit")
    for base in (dead, "https://api.nonexistent.invalid"):
        rc, out, err = run(env, "resume", "--timeout", "2", "--base-url", base, *common,
                           common=False, limit=10)
        eq(rc, NET, "resume against %s (%s)" % (base, err))
        eq([j["phase"] for j in jobs(env).values()], ["polling"], "job still resumable")
    eq(sim.stats()["generate_requests"], 1, "one generate")
    resume_finishes(env, sim, env.path("v.mp4"), "refused")


# ---------------------------------------------------------------- hostile check-status answers

# raw_kind -> documented exit when every check-status answer is that way until --timeout
STATUS_KINDS = [
    ("reset_headers", NET), ("reset_body", NET), ("reset_chunk", NET),
    ("stall_headers", DEADLINE),  # a stall cut by the deadline (README: 9)
    ("drip", DEADLINE),           # 1 byte / 100 ms: ended by the job's deadline, not after minutes
    ("short_body", NET), ("bad_chunk_size", NET), ("chunk_overflow", NET),
    ("long_status_line", NET), ("many_headers", NET), ("cl_te", NET), ("two_cl", NET),
    ("deep_nesting", NET),
]


def t_status_answers(w, sim):
    """Every hostile framing of the check-status answer, until the deadline."""
    for kind, want in STATUS_KINDS:
        env = tc.Env(w, sim)
        reset(sim, status_raw=999, raw_kind=kind)
        out_path = env.path("v.mp4")
        rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--timeout", "2",
                           "--json", limit=8)
        eq(rc, want, "%s: exit (%s)" % (kind, err[-300:]))
        res = json.loads(out)
        eq(res["exitCode"], want, "%s: JSON exitCode" % kind)
        check(sim.stats()["fault_hits"].get("status_raw", 0) >= 1, "%s: the fault was hit" % kind)
        check(not os.path.exists(out_path), "%s: nothing at the final path" % kind)
        eq([j["phase"] for j in jobs(env).values()], ["polling"], "%s: job resumable" % kind)
        resume_finishes(env, sim, out_path, kind)
        eq(sim.stats()["generate_requests"], 0, "%s: resume never generates" % kind)


def t_status_answer_types(w, sim):
    """Well-framed JSON of the wrong types, or without the required fields: the
    job ends at once (exit 8: an unusable answer is not "processing"), and
    stays resumable (it said nothing about the job: before the fault suite
    the journal marked such a job failed, and resume dropped a paid video)."""
    for kind in ("wrong_types", "missing_fields"):
        env = tc.Env(w, sim)
        reset(sim, status_raw=999, raw_kind=kind)
        rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--timeout", "5",
                           "--json", limit=8)
        eq(rc, NET, "%s: exit (%s)" % (kind, err[-300:]))
        check(not os.path.exists(env.path("v.mp4")), "%s: nothing at the final path" % kind)
        (j,) = jobs(env).values()
        check(j["recordId"].startswith("tvc_"), "%s: recordId kept" % kind)
        eq(j["phase"], "polling", "%s: job resumable" % kind)
        resume_finishes(env, sim, env.path("v.mp4"), kind)


def t_status_command_drip(w, sim):
    """`tvc status` against a dripping answer: ended by --timeout (exit 8, a
    network error), not after the whole answer trickled in."""
    env = tc.Env(w, sim)
    reset(sim)
    rc, out, err = run(env, "generate", "--theme", "x", "--no-wait", "--json")
    rid = json.loads(out)["recordId"]
    reset(sim, status_raw=999, raw_kind="drip")
    rc, out, err = run(env, "status", "--record-id", rid, "--json", "--timeout", "2", limit=8)
    eq(rc, NET, "status, dripping answer (%s)" % err[-300:])
    eq(json.loads(out)["exitCode"], NET, "JSON exitCode")


def t_status_huge_string(w, sim):
    """A 1 MiB string (with escapes) in an unknown field of every answer: squeezed, done."""
    env = tc.Env(w, sim)
    reset(sim, status_raw=999, raw_kind="huge_string")
    rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--json", limit=30)
    eq(rc, DONE, "huge string (%s)" % err[-300:])
    rid = json.loads(out)["recordId"]
    eq(sha(env.path("v.mp4")), sim.stats()["records"][rid]["video_sha256"], "bytes")


def t_status_raw_once_recovers(w, sim):
    """One hostile answer in the middle of polling is retried and the job finishes."""
    for kind in ("reset_chunk", "two_cl", "short_body"):
        env = tc.Env(w, sim)
        reset(sim, status_raw=1, raw_kind=kind)
        rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--json", limit=20)
        eq(rc, DONE, "%s once (%s)" % (kind, err[-300:]))
        eq(sim.stats()["fault_hits"].get("status_raw"), 1, kind)


# ---------------------------------------------------------------- hostile generate answers

GENERATE_KINDS = ["reset_headers", "reset_body", "drip", "short_body", "chunk_overflow", "cl_te",
                  "wrong_types", "missing_fields", "deep_nesting"]


def t_generate_answers(w, sim):
    """The job exists (and was charged) but its answer is unusable: outcome
    unknown (exit 10), never re-sent, kept in the journal; resume does not
    send it again either."""
    for kind in GENERATE_KINDS:
        env = tc.Env(w, sim)
        reset(sim, generate_raw=1, raw_kind=kind)
        rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--timeout", "2",
                           "--json", limit=8)
        eq(rc, UNKNOWN, "%s: exit (%s)" % (kind, err[-300:]))
        eq(sim.stats()["generate_requests"], 1, "%s: not re-sent" % kind)
        eq([j["phase"] for j in jobs(env).values()], ["unknown"], "%s: kept as unknown" % kind)
        rc, out, err = run(env, "resume", limit=20)
        eq(rc, DONE, "%s: resume (%s)" % (kind, err))
        eq(sim.stats()["generate_requests"], 1, "%s: resume did not re-send" % kind)
    env = tc.Env(w, sim)
    reset(sim, generate_raw=1, raw_kind="huge_string")
    rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--json", limit=30)
    eq(rc, DONE, "generate answer with a 1 MiB string (%s)" % err[-300:])


# ---------------------------------------------------------------- media

def t_video_reset_during_body(w, sim):
    """The video connection reset mid-body, every time: exit 11 at --timeout,
    nothing at the final path, the part file kept (maybe empty: a reset
    discards what the client had not read yet); resume completes it
    (test_cli.py has a cut ended by a close, resumed with Range)."""
    env = tc.Env(w, sim)
    reset(sim, video_cut=20000, video_cut_mode="reset", video_cut_times=999)
    rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--timeout", "3",
                       "--json", limit=10)
    eq(rc, STORAGE, "video reset every time (%s)" % err[-300:])
    check(sim.stats()["fault_hits"].get("video_cut", 0) >= 2, "cut and retried")
    check(not os.path.exists(env.path("v.mp4")), "nothing at the final path")
    check(os.path.exists(env.path("v.mp4.part")), "part file kept")
    eq([j["phase"] for j in jobs(env).values()], ["downloading"], "job resumable")
    resume_finishes(env, sim, env.path("v.mp4"), "video reset")


def t_video_drip(w, sim):
    """The video at 10 bytes/s (one byte every 100 ms): the job's deadline
    ends the download in progress (exit 9, like a stall cut by the deadline;
    11 is for a deadline between download retries), the part file stays;
    resume completes it."""
    env = tc.Env(w, sim)
    reset(sim, media_bps=10)
    rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--timeout", "3",
                       "--json", limit=10)
    eq(rc, DEADLINE, "video drip (%s)" % err[-300:])
    check(not os.path.exists(env.path("v.mp4")), "nothing at the final path")
    eq([j["phase"] for j in jobs(env).values()], ["downloading"], "job resumable")
    resume_finishes(env, sim, env.path("v.mp4"), "video drip")


# ---------------------------------------------------------------- storms

def t_storm_5xx(w, sim):
    """502, 504, 500, 503 in turn until the deadline: exit 12, job kept."""
    env = tc.Env(w, sim)
    reset(sim, status_5xx=999, retry_after=1)
    rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--timeout", "4",
                       "--json", limit=10)
    eq(rc, SERVER, "5xx storm (%s)" % err[-300:])
    check(sim.stats()["fault_hits"]["status_5xx"] >= 2, "retried")
    check(not os.path.exists(env.path("v.mp4")), "nothing at the final path")
    resume_finishes(env, sim, env.path("v.mp4"), "5xx storm")


def t_storm_429(w, sim):
    """429 with Retry-After: 1 every time: six in a row end the run (exit 5)
    long before the deadline; the job stays resumable."""
    env = tc.Env(w, sim)
    reset(sim, status_429=999, retry_after=1)
    rc, out, err = run(env, "generate", "--theme", "x", "--out", "v.mp4", "--timeout", "60",
                       "--json", limit=20)
    eq(rc, RATE, "429 storm (%s)" % err[-300:])
    eq(sim.stats()["fault_hits"]["status_429"], 6, "six 429 answers")
    eq(json.loads(out).get("errorCode"), "API_KEY_RATE_LIMIT_EXCEEDED", "errorCode")
    resume_finishes(env, sim, env.path("v.mp4"), "429 storm")


# ---------------------------------------------------------------- the disk

def limit_fsize(nbytes):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return pre


def t_disk_full_fsize(w, sim):
    """Files may not grow past 100 kB (RLIMIT_FSIZE, SIGXFSZ ignored) while a
    300 kB video downloads: exit 11, nothing at the final path, the part file
    kept; resume without the limit finishes from where it stopped."""
    env = tc.Env(w, sim)
    reset(sim)
    cmd = [tc.TVC, "generate", "--theme", "x", "--out", "v.mp4", "--json"] + env.common()
    p = subprocess.run(cmd, capture_output=True, timeout=60, cwd=env.dir, preexec_fn=limit_fsize(100000))
    err = p.stderr.decode("utf-8", "replace")
    eq(p.returncode, STORAGE, "disk full (%s)" % err[-300:])
    check(not os.path.exists(env.path("v.mp4")), "nothing at the final path")
    check(0 < os.path.getsize(env.path("v.mp4.part")) <= 100000, "part file kept")
    eq([j["phase"] for j in jobs(env).values()], ["downloading"], "job resumable")
    resume_finishes(env, sim, env.path("v.mp4"), "disk full")
    check(any((m.get("range") or "").startswith("bytes=") for m in sim.stats()["media_requests"]),
          "resumed with Range")


def t_disk_full_tmpfs(w, sim):
    """The output directory is a 128 kB tmpfs (in a private mount namespace,
    when this machine allows mounts): exit 11 and nothing at the final path."""
    env = tc.Env(w, sim)
    mnt = env.path("small")
    os.makedirs(mnt)
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=128k tmpfs '%s'" % mnt],
                           capture_output=True)
    if probe.returncode != 0:
        print("note: t_disk_full_tmpfs: no mount namespace here; RLIMIT_FSIZE case only")
        return
    reset(sim)
    listing = env.path("listing")
    script = ('mount -t tmpfs -o size=128k tmpfs "$1" || exit 99; shift; "$@"; rc=$?; '
              'ls -a "%s" > "%s"; exit $rc' % (mnt, listing))
    cmd = ["unshare", "-m", "sh", "-c", script, "sh", mnt, tc.TVC, "generate", "--theme", "x",
           "--out", os.path.join(mnt, "v.mp4")] + env.common()
    p = subprocess.run(cmd, capture_output=True, timeout=60, cwd=env.dir)
    err = p.stderr.decode("utf-8", "replace")
    eq(p.returncode, STORAGE, "tmpfs full (%s)" % err[-300:])
    left = open(listing).read().split()
    check("v.mp4" not in left, "nothing at the final path: %r" % left)
    check("v.mp4.part" in left, "part file kept: %r" % left)
    # the tmpfs is gone with its namespace: resume starts the file again on the disk below
    resume_finishes(env, sim, os.path.join(mnt, "v.mp4"), "tmpfs full")


# ---------------------------------------------------------------- the journal

def t_journal_truncated_everywhere(w, sim):
    """A job file torn at every byte offset: `tvc resume` skips it as damaged
    (exit 0, nothing used), never crashes; the whole file resumes the job."""
    env = tc.Env(w, sim)
    reset(sim)
    rc, out, err = run(env, "generate", "--theme", "torn \u00e9 \"quoted\"", "--out", "v.mp4",
                       "--no-wait", "--json")
    eq(rc, DONE, "submit")
    (name,) = jobs(env)
    path = os.path.join(env.state, name)
    whole = open(path, "rb").read()
    dead = "https://localhost:%d" % closed_port()  # a loaded job would try it: exit 8
    common = ["--cacert", sim.ca, "--api-key-file", env.keyfile, "--state-dir", env.state,
              "--base-url", dead, "--timeout", "1"]
    bad = []
    for n in range(len(whole)):
        with open(path, "wb") as f:
            f.write(whole[:n])
        p = subprocess.run([tc.TVC, "resume", "--quiet"] + common, capture_output=True, timeout=30)
        e = p.stderr.decode("utf-8", "replace")
        if p.returncode != DONE or any(m in e for m in SAN_MARKS):
            bad.append((n, p.returncode, e[-200:]))
        check(open(path, "rb").read() == whole[:n], "resume rewrote a torn file at %d" % n)
    eq(bad, [], "torn job file: resume must skip it")
    with open(path, "wb") as f:
        f.write(whole)
    resume_finishes(env, sim, env.path("v.mp4"), "whole journal")


def t_inflight_and_budget_truncated_everywhere(w, sim):
    """The in-flight marker of a generate killed while waiting for its answer,
    torn at every byte offset: skipped as damaged (exit 0); whole, it is
    reported once as outcome unknown (exit 10) and never re-sent.  The budget
    file torn at every offset: a documented status (8 or, counted as a full
    window, 9), never a crash."""
    env = tc.Env(w, sim)
    reset(sim, generate_stall=1, stall_seconds=30)
    p = env.popen("generate", "--theme", "killed in flight", "--out", "v.mp4")
    end = time.time() + 20
    while sim.stats()["generate_requests"] < 1 and time.time() < end:
        time.sleep(0.02)
    time.sleep(0.2)
    p.send_signal(signal.SIGKILL)
    p.communicate()
    names = list(jobs(env))
    eq(len(names), 1, "one journal file: %r" % names)
    check(names[0].startswith("inflight-"), "an in-flight marker: %r" % names)
    path = os.path.join(env.state, names[0])
    whole = open(path, "rb").read()
    dead = "https://localhost:%d" % closed_port()
    common = ["--cacert", sim.ca, "--api-key-file", env.keyfile, "--state-dir", env.state,
              "--base-url", dead, "--timeout", "1"]
    bad = []
    for n in range(len(whole) + 1):
        for f in os.listdir(env.state):
            if f.startswith("job-"):
                os.unlink(os.path.join(env.state, f))
        with open(path, "wb") as f:
            f.write(whole[:n])
        p = subprocess.run([tc.TVC, "resume", "--quiet"] + common, capture_output=True, timeout=30)
        e = p.stderr.decode("utf-8", "replace")
        want = UNKNOWN if n == len(whole) else DONE
        if p.returncode != want or any(m in e for m in SAN_MARKS):
            bad.append((n, p.returncode, e[-200:]))
    eq(bad, [], "torn in-flight marker")
    eq(sim.stats()["generate_requests"], 1, "never re-sent")
    # the budget file, torn: a polling job to resume against a refused host
    reset(sim)
    env2 = tc.Env(w, sim)
    rc, out, err = run(env2, "generate", "--theme", "x", "--no-wait", "--json")
    eq(rc, DONE, "submit")
    budget = os.path.join(env2.state, "budget")
    whole = open(budget, "rb").read()
    common[common.index("--state-dir") + 1] = env2.state
    common[common.index("--api-key-file") + 1] = env2.keyfile
    bad, seen = [], set()
    for n in range(len(whole) + 1):
        with open(budget, "wb") as f:
            f.write(whole[:n])
        p = subprocess.run([tc.TVC, "resume", "--quiet"] + common, capture_output=True, timeout=30)
        e = p.stderr.decode("utf-8", "replace")
        seen.add(p.returncode)
        if p.returncode not in (NET, DEADLINE) or any(m in e for m in SAN_MARKS):
            bad.append((n, p.returncode, e[-200:]))
    eq(bad, [], "torn budget file")
    print("note: torn budget file: exit statuses %s" % sorted(seen))
    os.unlink(budget)
    resume_finishes(env2, sim, env2.path("tvc-%s.mp4" % json.loads(out)["recordId"]), "budget")


# ---------------------------------------------------------------- shared state

def t_two_processes_one_state_dir(w, sim):
    """Two generates at once in one state directory: both finish, together
    within the shared budget, the budget file counts the requests of both,
    and every journal file stays whole.  (The budget is 100 so that both get
    a lease at once: the first takes TVC_BUDGET_LEASE = 64, the second the
    other 36; with a budget one lease can hold, the second waits for the
    first to give the rest back, up to TVC_BUDGET_RECHECK_S = 60 s.)"""
    env = tc.Env(w, sim)
    reset(sim)
    budget = 100
    procs = [env.popen("generate", "--theme", "twin %d" % i, "--out", "v%d.mp4" % i, "--json",
                       "--max-requests-per-hour", str(budget)) for i in (0, 1)]
    res, outs = [], []
    try:
        for p in procs:
            outs.append(p.communicate(timeout=90))
    finally:
        for p in procs:  # by their own handles, whatever happened
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (out, err) in zip(procs, outs):
        e = err.decode("utf-8", "replace")
        eq(p.returncode, DONE, "twin (%s)" % e[-300:])
        for m in SAN_MARKS:
            check(m not in e, "sanitizer: " + e[-500:])
        res.append(json.loads(out))
    st = sim.stats()
    eq(st["generate_requests"], 2, "two generates")
    used = st["generate_requests"] + st["check_status_requests"]
    check(used <= budget, "shared budget kept: %d > %d" % (used, budget))
    eq(sum(r["apiRequests"] for r in res), used, "each counts its own requests")
    for i, r in enumerate(res):
        eq(sha(env.path("v%d.mp4" % i)), st["records"][r["recordId"]]["video_sha256"], "twin %d bytes" % i)
    eq(sorted(j["phase"] for j in jobs(env).values()), ["done", "done"], "both journals whole")
    lines = open(os.path.join(env.state, "budget")).read().split("\n")
    eq(lines[0], "tvc-budget 2", "budget file whole")
    end = lines.index("end")
    counts = [l.split() for l in lines[1:end]]
    check(all(len(c) == 2 for c in counts), "both leases given back: %r" % lines)
    eq(sum(int(c[1]) for c in counts), used, "the budget file counts the requests of both")
    rc, out, err = run(env, "resume")
    eq(rc, DONE, "nothing left to resume")


TESTS = [t_connection_refused, t_status_answers, t_status_answer_types, t_status_command_drip,
         t_status_huge_string,
         t_status_raw_once_recovers, t_generate_answers, t_video_reset_during_body, t_video_drip,
         t_storm_5xx, t_storm_429,
         t_disk_full_fsize, t_disk_full_tmpfs, t_journal_truncated_everywhere,
         t_inflight_and_budget_truncated_everywhere,
         t_two_processes_one_state_dir]


def main():
    only = os.environ.get("TVC_ITEST_ONLY")
    passed = failed = 0
    work = tempfile.mkdtemp(prefix="tvc-faults-")
    t_all = time.time()
    sim = tc.Sim(work, "faults", "--step-seconds", "0.05", "--rate-limit", "0")
    try:
        sim.admin("credits", {tc.KEY: 100000})
        for t in TESTS:
            if only and only not in t.__name__:
                continue
            t0 = time.time()
            try:
                t(work, sim)
                passed += 1
                print("ok   %s (%.1fs)" % (t.__name__, time.time() - t0))
            except Exception as e:  # noqa: BLE001 - report and go on
                failed += 1
                print("FAIL %s: %s" % (t.__name__, e))
                if not isinstance(e, AssertionError):
                    traceback.print_exc(file=sys.stdout)
    finally:
        sim.stop()
        if not os.environ.get("TVC_ITEST_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)
    print("note: fault suite took %.1f s" % (time.time() - t_all))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
