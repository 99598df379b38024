#!/usr/bin/python3
"""make bench: libtvc beside what a user would pick instead, in one run.

Runs against the bundled simulator (tests/sim/nanophoto_sim.py) on 127.0.0.1, one measurement
after the other, and prints ONE table (also written as CSV to BUILD/bench/bench.csv).  Each row:
what was measured, libtvc's figure, the alternative's, the ratio libtvc/alternative, the target
and whether it was met.  Ratios and instruction counts travel between machines; absolute times
do not.

usage: bench.py --build BUILD [--scale 20] [--jobs 8] [--only ROW,...]
The Makefile's bench target builds what this needs first (boards/bench.mk).
"""
import argparse
import csv
import json
import os
import re
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIM = os.path.join(ROOT, "tests", "sim", "nanophoto_sim.py")
PY = "/usr/bin/python3"
KEY = "bench-key"
MB = 1 << 20


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


# ---- the simulator -----------------------------------------------------------------------------

class Sim:
    def __init__(self, work, name, *extra):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        self.err = open(os.path.join(self.dir, "stderr"), "w")
        self.proc = subprocess.Popen(
            [PY, SIM, "--state-dir", self.dir, "--keys", KEY + ":1000000", "--rate-limit", "0",
             "--max-seconds", "900", "--max-requests", "1000000"] + list(extra),
            stdout=subprocess.DEVNULL, stderr=self.err)
        ready = os.path.join(self.dir, "ready.json")
        t0 = time.time()
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.time() - t0 > 60:
                raise RuntimeError("simulator %s did not start (see %s)" % (name, self.dir))
            time.sleep(0.05)
        with open(ready) as f:
            self.info = json.load(f)
        self.key_file = os.path.join(self.dir, "key")
        with open(self.key_file, "w") as f:
            f.write(KEY + "\n")

    def admin(self, path):
        import http.client
        ctx = ssl.create_default_context(cafile=self.info["ca_file"])
        c = http.client.HTTPSConnection("localhost", self.info["api_port"], context=ctx, timeout=60)
        c.request("GET", "/__sim/" + path)
        data = c.getresponse().read()
        c.close()
        return json.loads(data)

    def stop(self):
        """SIGTERM by pid; the final stats (every connection closed by then) are returned."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.err.close()
        try:
            with open(os.path.join(self.dir, "final-stats.json")) as f:
                return json.load(f)
        except OSError:
            return None


RUNMEASURE = None  # BUILD/bench/runmeasure (tests/bench/runmeasure.c)


def measured(argv):
    """Run argv to completion; (exit status, peak RSS KiB, CPU s user+sys, stdout text), through
    runmeasure: a fork of this Python process would leave its own resident pages in the
    command's ru_maxrss, which survives exec()."""
    fd, rep = tempfile.mkstemp(prefix="tvc-bench-rep-")
    os.close(fd)
    try:
        p = subprocess.run([RUNMEASURE, rep] + list(argv), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, errors="replace")
        with open(rep) as f:
            rc, rss, user, sys_s = f.read().split()
    except (OSError, ValueError) as e:
        log("%s: not measured (%s)" % (argv[0], e))
        return 127, None, None, ""
    finally:
        os.unlink(rep)
    if int(rc) != 0:
        log("%s exited %s: %s" % (argv[0], rc, p.stderr[-400:]))
    return int(rc), int(rss), float(user) + float(sys_s), p.stdout


# ---- the table -----------------------------------------------------------------------------------

ROWS = []


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, int) or float(v).is_integer() and abs(v) >= 100:
        return "{:,}".format(int(v)).replace(",", " ")
    return "%.3g" % v if abs(v) < 100 else "%.0f" % v


def row(what, tvc, alt, target, met, unit="", note=""):
    ratio = None
    if isinstance(tvc, (int, float)) and isinstance(alt, (int, float)) and alt:
        ratio = tvc / alt
    ROWS.append({"what": what, "unit": unit, "libtvc": tvc, "alternative": alt,
                 "ratio": ratio, "target": target,
                 "met": "-" if met is None else ("met" if met else "MISSED"), "note": note})
    log("%s: %s / %s %s" % (what, fmt(tvc), fmt(alt), unit))


def print_table(csv_path):
    cols = [("what", "measured"), ("unit", "unit"), ("libtvc", "libtvc"), ("alternative", "alternative"),
            ("ratio", "ratio"), ("target", "target"), ("met", "")]
    cells = [[h for _, h in cols]]
    for r in ROWS:
        cells.append([r["what"], r["unit"], fmt(r["libtvc"]), fmt(r["alternative"]),
                      "-" if r["ratio"] is None else "%.2f" % r["ratio"], r["target"], r["met"]])
    w = [max(len(c[i]) for c in cells) for i in range(len(cols))]
    for k, c in enumerate(cells):
        print("| " + " | ".join(c[i].ljust(w[i]) for i in range(len(cols))) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w[i] + 2) for i in range(len(cols))) + "|")
    notes = [(r["what"], r["note"]) for r in ROWS if r["note"]]
    if notes:
        print()
        for what, n in notes:
            print("- %s: %s" % (what, n))
    with open(csv_path, "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["measured", "unit", "libtvc", "alternative", "ratio", "target", "met", "note"])
        for r in ROWS:
            wr.writerow([r["what"], r["unit"], r["libtvc"], r["alternative"],
                         "" if r["ratio"] is None else "%.4f" % r["ratio"], r["target"], r["met"], r["note"]])


# ---- rows ------------------------------------------------------------------------------------------

def rows_flash(a):
    """make size BOARD=cortex-m4 (core total) and the fw-flow image's map split."""
    try:
        with open(os.path.join(a.bench_dir, "size-cortex-m4.txt")) as f:
            size = f.read()
    except OSError:
        log("no size-cortex-m4.txt: flash rows skipped")
        return
    m = re.search(r"core flash \(text\+data\), all objects:\s+(\d+)", size)
    core = int(m.group(1)) if m else None
    split = subprocess.run([PY, os.path.join(ROOT, "boards", "cortex-m4", "map_split.py"),
                            os.path.join(a.build, "cortex-m4", "fwflow", "flow.map")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    with open(os.path.join(a.bench_dir, "flow-map-split.txt"), "w") as f:
        f.write(split)
    whole = mbed = None
    for line in split.splitlines():
        nums = [int(x) for x in re.findall(r"\b\d+\b", line)]
        if re.match(r"\s*(total|all)\b", line, re.I) and nums:
            whole = nums[0]
        if re.match(r"\s*mbedTLS\b", line) and nums:
            mbed = nums[0]
    row("flash: libtvc core (Cortex-M4, -Os)", core, None, "report", None, "bytes",
        "make size BOARD=cortex-m4; no bare-metal alternative builds here (curl needs an OS), "
        "so no ratio")
    row("flash: whole fw-flow image", whole, None, "report", None, "bytes",
        "make BOARD=cortex-m4 fw-flow, split by boards/cortex-m4/map_split.py%s"
        % ("; mbedTLS alone %d" % mbed if mbed else ""))


def rows_device_ram(a):
    elf = os.path.join(a.build, "cortex-m4", "fwflow", "flow.elf")
    if not os.path.exists(elf) or not shutil.which("qemu-system-arm"):
        log("no fw-flow image or QEMU: device RAM rows skipped")
        return
    out = subprocess.run(["sh", os.path.join(ROOT, "tests", "firmware", "run_flow.sh"), "--demo", elf],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    with open(os.path.join(a.bench_dir, "run-flow.txt"), "w") as f:
        f.write(out)
    got = {}
    for key, pat in (("static", r"static w/o arena\s+(\d+)"), ("arena", r"mbedTLS arena peak\s+(\d+)"),
                     ("stack", r"stack peak\s+(\d+)"), ("total", r"\btotal\s+(\d+)")):
        m = re.search(pat, out)
        got[key] = int(m.group(1)) if m else None
    note = "tests/firmware/run_flow.sh --demo on QEMU mps2-an386 (TLS on lwIP, whole job)"
    row("device RAM: static .data+.bss without the mbedTLS arena", got["static"], None, "report", None, "bytes", note)
    row("device RAM: mbedTLS arena peak", got["arena"], None, "report", None, "bytes")
    row("device RAM: stack peak", got["stack"], None, "report", None, "bytes")
    row("device RAM: total", got["total"], None, "report", None, "bytes")


def rows_rss(a, work):
    """Peak RSS of a whole tvc generate (50 MB video over TLS) vs curl fetching the same video."""
    sim = Sim(work, "rss", "--step-seconds", "0.3", "--video-bytes", str(50 * MB))
    try:
        state = os.path.join(work, "rss-state")
        rc, rss, _, _ = measured([a.tvc, "generate", "--theme", "Bench: coffee ad", "--out",
                                  os.path.join(work, "rss.mp4"), "--state-dir", state,
                                  "--base-url", sim.info["api_base"], "--cacert", sim.info["ca_file"],
                                  "--api-key-file", sim.key_file, "--poll-interval", "0.3", "--quiet"])
        rid = [r for r in sim.admin("stats")["records"]][-1]
        srss = None
        static = os.path.join(a.bench_dir, "tvc-static-mbedtls")
        if os.path.exists(static):
            src, srss, _, _ = measured([static, "generate", "--theme", "Bench: coffee ad", "--out",
                                        os.path.join(work, "rss2.mp4"), "--state-dir", state,
                                        "--base-url", sim.info["api_base"], "--cacert", sim.info["ca_file"],
                                        "--api-key-file", sim.key_file, "--poll-interval", "0.3", "--quiet"])
            srss = srss if src == 0 else None
        url = "%s/sora/%s.mp4" % (sim.info["video_base"], rid)
        crc, crss, _, _ = measured(["curl", "-sS", "--cacert", sim.info["ca_file"], "-o",
                                    os.path.join(work, "rss-curl.mp4"), url])
        same = os.path.getsize(os.path.join(work, "rss.mp4")) == os.path.getsize(os.path.join(work, "rss-curl.mp4"))
    finally:
        sim.stop()
    ok = rc == 0 and crc == 0 and same
    row("Linux peak RSS: tvc generate (poll + 50 MB video, TLS) vs curl (video only)",
        rss if ok else None, crss if ok else None, "<= 0.20", ok and rss <= 0.2 * crss, "KiB",
        "ru_maxrss of each process (tests/bench/runmeasure.c: fork, exec, wait4); curl %s; "
        "tvc as make builds it, Debian's mbedTLS as shared libraries" % curl_version())
    if srss is not None:
        row("Linux peak RSS: the same, tvc with mbedTLS linked statically", srss if ok else None,
            crss if ok else None, "<= 0.20", ok and srss <= 0.2 * crss, "KiB",
            "BUILD/bench/tvc-static-mbedtls: the same objects, libmbed*.a instead of .so")


def curl_version():
    try:
        v = subprocess.run(["curl", "--version"], stdout=subprocess.PIPE, text=True).stdout.split()
        return v[1] if len(v) > 1 else "?"
    except OSError:
        return "?"


def curl_loop(sim, jobs, scale, errors):
    """The service's documented loop (its TypeScript example): generate, then check-status every
    5 s until done, each request a fresh curl (a new connection and a full TLS handshake).
    The 5 s are kept as a cadence, so that curl's start-up, multiplied by the time scale, does
    not stretch the loop."""
    ca, api = sim.info["ca_file"], sim.info["api_base"]
    base = ["curl", "-sS", "--cacert", ca, "-H", "Authorization: Bearer " + KEY,
            "-H", "Content-Type: application/json"]
    for i in range(jobs):
        body = json.dumps({"adTheme": "Bench: running shoes", "videoDuration": "10",
                           "aspectRatio": "portrait"})
        try:
            gen = json.loads(subprocess.run(base + ["--data", body, api + "/api/sora-2-tvc/generate"],
                                            stdout=subprocess.PIPE, check=True).stdout)
            rid = gen["recordId"]
            t0 = time.monotonic()
            k = 0
            while True:  # every 5 s from generate (setInterval): curl's own time is not added
                k += 1
                time.sleep(max(0.0, t0 + k * 5.0 / scale - time.monotonic()))
                st = json.loads(subprocess.run(base + ["--data", json.dumps({"recordId": rid}),
                                                       api + "/api/sora-2-tvc/check-status"],
                                               stdout=subprocess.PIPE, check=True).stdout)
                if st.get("status") in ("completed", "failed"):
                    break
        except (subprocess.CalledProcessError, ValueError, KeyError) as e:
            errors.append("curl loop job %d: %s" % (i, e))
            return


def rows_polling(a, work):
    """Requests, notice delay, bytes and handshakes per job: libtvc's default schedule (time-scaled
    job engine, tests/bench/bench_job.c) and the fixed 5 s curl loop, each against its own
    simulator (same seed: the same job lengths), at the same time."""
    scale = a.scale
    extra = ["--time-scale", str(scale), "--job-seconds", "120-300", "--video-bytes", "100000",
             "--idle-seconds", "%.3f" % (30.0 / scale), "--seed", "bench"]
    s_tvc = Sim(work, "poll-tvc", *extra)
    s_loop = Sim(work, "poll-loop", *extra)
    errors = []
    out_dir = os.path.join(work, "poll-out")
    os.makedirs(out_dir)
    t0 = time.time()
    try:
        th = threading.Thread(target=curl_loop, args=(s_loop, a.jobs, scale, errors))
        th.start()
        rc, _, _, out = measured([a.bench_job, s_tvc.info["api_base"], s_tvc.info["ca_file"],
                                  os.path.join(work, "poll-state"), out_dir, str(scale), str(a.jobs)])
        th.join()
    finally:
        st_tvc, st_loop = s_tvc.stop(), s_loop.stop()
    log("polling runs took %.0f s (scale %g, %d jobs each)" % (time.time() - t0, scale, a.jobs))
    if rc != 0 or errors or not st_tvc or not st_loop:
        log("polling rows failed: rc %s %s" % (rc, errors))
        return

    def per_job(st):
        recs = [r for r in st["records"].values() if r["status"] == "completed"]
        n = len(recs)
        reqs = [r["checks"] + 1 for r in recs]
        delays = sorted(r["notice_delay_s"] for r in recs if r["notice_delay_s"] is not None)
        tls = st["tls"]["api"]
        return {"n": n, "req": statistics.mean(reqs), "median": statistics.median(delays),
                "worst": delays[-1], "bytes": (tls.get("bytes_in", 0) + tls.get("bytes_out", 0)) / n,
                "up": tls.get("bytes_in", 0) / n,
                "full": tls.get("full", 0) / n, "resumed": tls.get("resumed", 0) / n,
                "lengths": [r["job_seconds"] for r in recs]}

    t, l = per_job(st_tvc), per_job(st_loop)
    for name, st in (("libtvc", st_tvc), ("loop", st_loop)):
        log("%s per job (length s, requests, notice delay s): %s" % (name, " ".join(
            "%.0f/%d/%.1f" % (r["job_seconds"], r["checks"] + 1, r["notice_delay_s"] or -1)
            for r in st["records"].values())))
    jl = t["lengths"]
    note = ("%d jobs each, lengths %.0f-%.0f s (median %.0f) drawn by the simulator from 2-5 min, "
            "time-scaled x%g; counted at the simulator" % (t["n"], min(jl), max(jl), statistics.median(jl), scale))
    row("API requests per job (default schedule vs fixed 5 s loop)", t["req"], l["req"], "<= 0.40",
        t["req"] <= 0.4 * l["req"], "requests", note)
    row("notice delay after completion, median", t["median"], l["median"], "<= 5 s",
        t["median"] <= 5.0, "s (unscaled)")
    row("notice delay after completion, worst", t["worst"], l["worst"], "report", None, "s (unscaled)")
    row("API bytes on the wire per job (video excluded) vs curl per request", round(t["bytes"]),
        round(l["bytes"]), "<= 0.33", t["bytes"] <= l["bytes"] / 3.0, "bytes",
        "TCP payload both ways on the API listener (TCP_INFO), TLS records included; client to "
        "server: libtvc %.0f, curl %.0f; most of the rest is the answers' 2 KB storyboardPrompt, "
        "repeated in every answer from step 2 on" % (t["up"], l["up"]))
    row("full TLS handshakes per job (API)", t["full"], l["full"], "<= 1", t["full"] <= 1.0, "handshakes",
        "libtvc also resumed %.1f per job (session tickets; the simulator closes connections idle "
        "for 30 s unscaled); curl: a new process, so a full handshake, per request" % t["resumed"])


def rows_cpu(a, work):
    """CPU for a 200 MB video over TLS: tvc download (hashes as it goes) vs curl + sha256sum."""
    sim = Sim(work, "cpu", "--video-bytes", str(200 * MB))
    try:
        url = "%s/sora/sample.mp4" % sim.info["video_base"]
        ca = sim.info["ca_file"]
        # warm the simulator's media cache (it builds the 200 MB file on first use)
        subprocess.run(["curl", "-sS", "--cacert", ca, "-r", "0-0", "-o", "/dev/null", url])
        best, digests = {}, {}
        for _ in range(a.cpu_rounds):
            for name, tvc in a.tvc_builds:
                f = os.path.join(work, "cpu-%s.mp4" % name)
                rc, _, cpu, out = measured([tvc, "download", url, "--out", f, "--cacert", ca, "--quiet"])
                m = re.search(r"sha256 ([0-9a-f]{64})", out)
                if rc == 0 and m:
                    best[name] = min(best.get(name, 1e9), cpu)
                    digests.setdefault(name, set()).add(m.group(1))
                if os.path.exists(f):
                    os.unlink(f)
            f = os.path.join(work, "cpu-curl.mp4")
            rc1, _, c1, _ = measured(["curl", "-sS", "--cacert", ca, "-o", f, url])
            rc2, _, c2, out = measured(["sha256sum", f])
            if rc1 == 0 and rc2 == 0:
                best["curl"] = min(best.get("curl", 1e9), c1 + c2)
                digests.setdefault("curl", set()).add(out.split()[0])
            if os.path.exists(f):
                os.unlink(f)
    finally:
        sim.stop()
    for name, _ in a.tvc_builds:
        t, c = best.get(name), best.get("curl")
        if digests.get(name) != digests.get("curl") or len(digests.get("curl", ())) != 1:
            log("download CPU (%s): digests differ: %s" % (name, digests))
            t = None  # a wrong hash is no result
        row("download CPU, 200 MB over TLS (%s) vs curl + sha256sum" % name, t, c, "<= 1.5",
            None if t is None or c is None else t <= 1.5 * c, "CPU s",
            "user+sys of each process (wait4), best of %d; tvc hashes as it writes (with the x86 SHA "
            "extensions when the CPU has them: tvc_posix_sha256_init), curl writes and sha256sum "
            "reads the file back; the digests are compared" % a.cpu_rounds
            if name == a.tvc_builds[0][0] else "")


def capture_answers(work):
    """Raw API answers as the simulator sends them (answer shaping on): the same bytes feed both
    parsers.  generate, check-status in each step and completed, and error answers."""
    sim = Sim(work, "answers", "--step-seconds", "0.4")
    files = []
    try:
        ctx = ssl.create_default_context(cafile=sim.info["ca_file"])
        import socket

        def raw(path, body, key=KEY):
            s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", sim.info["api_port"])),
                                server_hostname="localhost")
            b = json.dumps(body).encode()
            s.sendall(("POST %s HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer %s\r\n"
                       "Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                       % (path, key, len(b))).encode() + b)
            data = b""
            while True:
                d = s.recv(65536)
                if not d:
                    break
                data += d
            s.close()
            f = os.path.join(work, "answer-%02d.http" % len(files))
            with open(f, "wb") as fh:
                fh.write(data)
            files.append(f)
            return data

        gen = raw("/api/sora-2-tvc/generate", {"adTheme": "Bench answers", "videoDuration": "10"})
        rid = json.loads(gen.split(b"\r\n\r\n", 1)[1])["recordId"]
        t0 = time.time()
        for when in (0.1, 0.5, 0.9, 1.3, 1.4, 1.5):
            time.sleep(max(0, t0 + when - time.time()))
            raw("/api/sora-2-tvc/check-status", {"recordId": rid})
        raw("/api/sora-2-tvc/check-status", {"recordId": "tvc_nope"})
        raw("/api/sora-2-tvc/check-status", {"recordId": rid}, key="wrong")
    finally:
        sim.stop()
    return files


def callgrind_ir(a, mode, files, reps):
    out = os.path.join(a.bench_dir, "callgrind.%s.out" % mode)
    fn = {"http": "bench_tvc_http", "hp": "bench_hp", "api": "bench_tvc_api", "jsmn": "bench_jsmn"}[mode]
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                        "--toggle-collect=" + fn, a.parse_bench, mode, str(reps)] + files,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    m = re.search(r"parses (\d+)", p.stdout)
    if p.returncode != 0 or not m:
        log("callgrind %s failed: %s" % (mode, p.stderr[-400:]))
        return None
    ir = None
    with open(out) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                ir = int(line.split()[1])
    return None if ir is None else ir / int(m.group(1))


def rows_parsers(a, work):
    if not shutil.which("valgrind"):
        log("no valgrind: parser rows skipped")
        return
    files = capture_answers(work)
    http, hp = callgrind_ir(a, "http", files, 20), callgrind_ir(a, "hp", files, 20)
    sizes = [os.path.getsize(f) for f in files]
    row("HTTP response parse, instructions per answer (vs http-parser)", http and round(http),
        hp and round(hp), "report", None, "instructions",
        "callgrind, %d simulator answers (%d-%d bytes, shaped as the service varies them), x20; "
        "libtvc also copies the header block for lookups; http-parser %s only calls back"
        % (len(files), min(sizes), max(sizes), hp_version()))
    api, jsmn = callgrind_ir(a, "api", files, 20), callgrind_ir(a, "jsmn", files, 20)
    row("answer decode, instructions per answer (jsmn + libtvc checks vs bare jsmn)", api and round(api),
        jsmn and round(jsmn), "report", None, "instructions",
        "libtvc: grammar check, jsmn, field lookup, UTF-8 and type checks, unescaping in place; "
        "bare jsmn: tokens only")


def hp_version():
    try:
        with open("/usr/include/http_parser.h") as f:
            t = f.read()
        v = [re.search(r"HTTP_PARSER_VERSION_%s (\d+)" % k, t).group(1) for k in ("MAJOR", "MINOR", "PATCH")]
        return ".".join(v)
    except (OSError, AttributeError):
        return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--scale", type=float, default=20.0)
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--cpu-rounds", type=int, default=3)
    ap.add_argument("--tvc-36", help="a tvc built against mbedTLS 3.6, for a second CPU row")
    ap.add_argument("--only", default="", help="comma list: flash,ram,rss,poll,cpu,parse")
    a = ap.parse_args()
    a.build = os.path.abspath(a.build)
    a.bench_dir = os.path.join(a.build, "bench")
    a.tvc = os.path.join(a.build, "tvc")
    a.bench_job = os.path.join(a.bench_dir, "bench_job")
    a.parse_bench = os.path.join(a.bench_dir, "parse_bench")
    global RUNMEASURE
    RUNMEASURE = os.path.join(a.bench_dir, "runmeasure")
    a.tvc_builds = [("mbedTLS %s, Debian" % header_version("/usr/include/mbedtls/version.h"), a.tvc)]
    if a.tvc_36 and os.path.exists(a.tvc_36):
        v = header_version(os.path.join(a.build, "src", "mbedtls", "include", "mbedtls", "build_info.h"))
        a.tvc_builds.append(("mbedTLS %s, source -O2" % v, os.path.abspath(a.tvc_36)))
    only = set(filter(None, a.only.split(",")))
    work = tempfile.mkdtemp(prefix="tvc-bench-")
    t0 = time.time()
    try:
        for name, fn in (("flash", rows_flash), ("ram", rows_device_ram), ("rss", rows_rss),
                         ("poll", rows_polling), ("cpu", rows_cpu), ("parse", rows_parsers)):
            if only and name not in only:
                continue
            t1 = time.time()
            try:
                fn(a, work) if fn.__code__.co_argcount == 2 else fn(a)
            except Exception as e:  # noqa: BLE001 - one failed row must not lose the others
                log("%s rows failed: %r" % (name, e))
            log("%s: %.0f s" % (name, time.time() - t1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    csv_path = os.path.join(a.bench_dir, "bench.csv")
    print("make bench (%s, %.0f s)" % (time.strftime("%Y-%m-%d"), time.time() - t0))
    print()
    print_table(csv_path)
    print()
    print("CSV: %s" % os.path.relpath(csv_path))
    return 0 if ROWS else 1


def header_version(path):
    try:
        with open(path) as f:
            return re.search(r'MBEDTLS_VERSION_STRING\s+"([^"]+)"', f.read()).group(1)
    except (OSError, AttributeError):
        return "?"


if __name__ == "__main__":
    sys.exit(main())
