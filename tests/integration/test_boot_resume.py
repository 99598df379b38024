#!/usr/bin/python3
"""Resume at boot: what `make install` ships (port/posix/dist/) finishes a
job that was killed mid-poll, against the bundled simulator.

usage: test_boot_resume.py BUILD_DIR
Installs with `make install DESTDIR=<tmp> BUILD=BUILD_DIR`, writes a test
configuration into <tmp>/etc/tvc/tvc.conf (state directory and key file in
<tmp>), then
  - runs the ExecStart= line of the installed systemd unit, parsed and
    expanded as systemd does (EnvironmentFile=, ${VAR} one word, $VAR split
    at spaces), with a service's bare environment, in /,
  - runs the installed init script's start action (and stop, status),
each after a `tvc generate` killed with SIGKILL while polling, and checks
that the job is finished: one generate in all, the video's SHA-256 the
simulator's.  Paths the unit and script name under PREFIX and /etc are used
under DESTDIR.  The simulator is bounded in time and stopped by its pid.
Prints "N passed, N failed" last.
"""
import sys

sys.dont_write_bytecode = True

import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import ssl  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import urllib.request  # noqa: E402

from simproc import SimProcess  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SIM = os.path.join(HERE, "..", "sim", "nanophoto_sim.py")
BUILD = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(REPO, "build")
PREFIX = "/usr/local"
UNIT = PREFIX + "/lib/systemd/system/tvc-resume.service"
INIT = "/etc/init.d/tvc-resume"
CONF = "/etc/tvc/tvc.conf"
KEY = "boot-key-0123456789"
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Sim(SimProcess):
    def __init__(self, work):
        SimProcess.__init__(self, os.path.join(work, "sim"), [
            "--keys", KEY + ":100", "--step-seconds", "0.4", "--video-bytes", "300000",
            "--max-seconds", "300", "--max-requests", "5000"])


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(a, b, what):
    if a != b:
        raise AssertionError("%s: %r != %r" % (what, a, b))


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make_install(dest):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    p = subprocess.run(["make", "-C", REPO, "--no-print-directory", "install", "DESTDIR=" + dest,
                        "PREFIX=" + PREFIX, "BUILD=" + BUILD],
                       capture_output=True, timeout=600, env=env)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    eq(p.returncode, 0, "make install (%s)" % out[-2000:])
    return out


def staged(dest, path):
    """An absolute path of the installed system, as staged under DESTDIR."""
    return dest + path


def env_file(path):
    """systemd's EnvironmentFile= reading (what tvc.conf restricts itself to)."""
    env = {}
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        k, _, v = line.partition("=")
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
            v = v[1:-1]
        env[k.strip()] = v
    return env


def unit_settings(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#;[":
            continue
        k, _, v = line.partition("=")
        out.setdefault(k.strip(), []).append(v.strip())
    return out


def exec_argv(line, env):
    """ExecStart= to argv: ${VAR} is one word (or part of one), a word that
    is exactly $VAR becomes the value split at whitespace (systemd.service)."""
    argv = []
    for word in shlex.split(line):
        m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if m:
            argv.extend(env.get(m.group(1), "").split())
            continue
        argv.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda g: env.get(g.group(1), ""), word))
    return argv


class Box:
    """One installed system under DESTDIR, with a state dir and key file."""

    def __init__(self, work, sim, name):
        self.dir = os.path.join(work, name)
        self.dest = os.path.join(self.dir, "dest")
        os.makedirs(self.dest)
        self.install_log = make_install(self.dest)
        self.tvc = staged(self.dest, PREFIX + "/bin/tvc")
        self.state = os.path.join(self.dir, "var-lib-tvc")
        self.keyfile = os.path.join(self.dir, "api-key")
        with open(self.keyfile, "w") as f:
            f.write(KEY + "\n")
        os.chmod(self.keyfile, 0o600)
        self.sim = sim
        self.video = os.path.join(self.dir, "player", "ad.mp4")
        os.makedirs(os.path.dirname(self.video))

    def configure(self, extra=""):
        with open(staged(self.dest, CONF), "w") as f:
            f.write("# test configuration\nTVC_STATE_DIR=%s\nTVC_API_KEY_FILE=%s\n"
                    "TVC_BASE_URL=%s\nTVC_CA_FILE=%s\n"
                    "TVC_RESUME_ARGS=\"--poll-interval 0.1 --json\"\n%s"
                    % (self.state, self.keyfile, self.sim.base, self.sim.ca, extra))

    def killed_job(self, theme):
        """`tvc generate` as the player would run it, killed mid-poll."""
        before = self.sim.stats()["check_status_requests"]
        p = subprocess.Popen([self.tvc, "generate", "--theme", theme, "--out", self.video,
                              "--base-url", self.sim.base, "--cacert", self.sim.ca,
                              "--api-key-file", self.keyfile, "--state-dir", self.state,
                              "--poll-interval", "0.1", "--quiet"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.dir)
        deadline = time.time() + 30
        while self.sim.stats()["check_status_requests"] <= before and time.time() < deadline:
            if p.poll() is not None:
                break
            time.sleep(0.02)
        check(p.poll() is None, "generate still polling when killed (exit %r)" % p.poll())
        p.send_signal(signal.SIGKILL)
        p.wait()
        check(not os.path.exists(self.video), "no video before the resume")
        jobs = [f for f in os.listdir(self.state) if f.startswith("job-")]
        eq(len(jobs), 1, "one journalled job")

    def finished(self, theme, generates):
        st = self.sim.stats()
        eq(st["generate_requests"], generates, "generate never sent again")
        recs = [r for r in st["records"].values() if r["params"].get("adTheme") == theme]
        eq(len(recs), 1, "one record for the theme")
        check(os.path.exists(self.video), "video written")
        eq(sha(self.video), recs[0]["video_sha256"], "video matches the simulator's")


# ---------------------------------------------------------------- tests

def t_install_layout(work, sim):
    box = Box(work, sim, "layout")
    unit = staged(box.dest, UNIT)
    init = staged(box.dest, INIT)
    conf = staged(box.dest, CONF)
    for p in (box.tvc, unit, init, conf):
        check(os.path.isfile(p), "installed: " + p)
    check(os.stat(init).st_mode & stat.S_IXUSR, "init script executable")
    s = unit_settings(unit)
    check("network-online.target" in " ".join(s.get("After", [])), "After=network-online.target")
    check("network-online.target" in " ".join(s.get("Wants", [])), "Wants=network-online.target")
    eq(s.get("EnvironmentFile"), [CONF], "EnvironmentFile")
    eq(s.get("Type"), ["oneshot"], "Type")
    argv = exec_argv(s["ExecStart"][0], {})
    eq(argv[:2], [PREFIX + "/bin/tvc", "resume"], "ExecStart runs tvc resume")
    text = open(init).read()
    check("@" not in re.sub(r"#.*", "", text), "init script fully substituted")
    check("Required-Start:    $network" in text, "init script starts after $network")
    p = subprocess.run(["sh", "-n", init], capture_output=True)
    eq(p.returncode, 0, "init script syntax")
    # The configuration sets both things the boot run needs, as absolute paths.
    env = env_file(conf)
    check(env.get("TVC_STATE_DIR", "").startswith("/"), "tvc.conf sets TVC_STATE_DIR")
    check(env.get("TVC_API_KEY_FILE", "").startswith("/etc/"), "tvc.conf sets TVC_API_KEY_FILE")
    # A second install keeps an edited configuration.
    with open(conf, "a") as f:
        f.write("# edited by the owner\n")
    out = make_install(box.dest)
    check(open(conf).read().endswith("# edited by the owner\n"), "make install kept tvc.conf")
    check("kept" in out, "make install says it kept it")


def t_systemd_execstart_resumes(work, sim):
    box = Box(work, sim, "systemd")
    box.configure()
    gen = sim.stats()["generate_requests"]
    box.killed_job("boot resume via systemd")
    s = unit_settings(staged(box.dest, UNIT))
    env = {"PATH": SERVICE_PATH, "LANG": "C"}
    for f in s["EnvironmentFile"]:
        env.update(env_file(staged(box.dest, f.lstrip("-"))))
    argv = exec_argv(s["ExecStart"][0], env)
    eq(argv[0], PREFIX + "/bin/tvc", "program")
    argv[0] = staged(box.dest, argv[0])
    p = subprocess.run(argv, capture_output=True, timeout=120, cwd="/", env=env)
    out, err = p.stdout.decode(), p.stderr.decode()
    eq(p.returncode, 0, "boot command exit (%s)" % err)
    res = json.loads(out)
    eq(res["count"], 1, "one job resumed")
    box.finished("boot resume via systemd", gen + 1)
    check(KEY not in out + err, "key not printed")
    # Run again, as at the next boot: nothing left to do.
    p = subprocess.run(argv, capture_output=True, timeout=60, cwd="/", env=env)
    eq(p.returncode, 0, "second boot")
    eq(json.loads(p.stdout.decode())["count"], 0, "nothing to resume the second time")


def become_init():
    """Orphans (the init script's background resume) become our children,
    so that we can reap them as init does (PR_SET_CHILD_SUBREAPER)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(36, 1, 0, 0, 0) == 0


def reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def gone(pid):
    reap(pid)
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def wait_not_running(run, pid, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        reap(pid)
        if run("status").returncode == 3:
            return True
        time.sleep(0.1)
    return False


def t_init_script_start(work, sim):
    box = Box(work, sim, "sysv")
    log = os.path.join(box.dir, "tvc-resume.log")
    pidf = os.path.join(box.dir, "tvc-resume.pid")
    box.configure("TVC_LOG_FILE=%s\nTVC_PID_FILE=%s\n" % (log, pidf))
    gen = sim.stats()["generate_requests"]
    box.killed_job("boot resume via init.d")
    env = {"PATH": SERVICE_PATH, "LANG": "C", "TVC_CONF": staged(box.dest, CONF),
           "TVC_BIN": box.tvc}
    init = staged(box.dest, INIT)

    def run(action):
        return subprocess.run(["/bin/sh", init, action], capture_output=True, timeout=30,
                              cwd="/", env=env)

    # Power is cut again during the boot-time resume: stop kills it, the
    # job stays journalled, the next start finishes it.
    p = run("start")
    eq(p.returncode, 0, "start (%s)" % p.stderr.decode())
    check(b"started" in p.stdout, "start says so")
    pid = int(open(pidf).read())
    p = run("stop")
    eq(p.returncode, 0, "stop")
    check(wait_not_running(run, pid, 10), "stopped")
    deadline = time.time() + 10
    while not gone(pid) and time.time() < deadline:
        time.sleep(0.05)
    check(gone(pid), "the resume process is gone")
    p = run("start")
    eq(p.returncode, 0, "start again (%s)" % p.stderr.decode())
    pid = int(open(pidf).read())
    st = run("status")
    check(st.returncode in (0, 3), "status answers 0 or 3")
    check(wait_not_running(run, pid, 120), "the boot resume ended within 120 s")
    text = open(log).read()
    box.finished("boot resume via init.d", gen + 1)
    check('"count":1' in text.replace(" ", ""), "log has the resumed job: " + text[-500:])
    check(KEY not in text, "key not logged")
    # Without its configuration the script refuses (LSB 6: not configured).
    env["TVC_CONF"] = os.path.join(box.dir, "absent.conf")
    eq(run("start").returncode, 6, "start without tvc.conf")


TESTS = [t_install_layout, t_systemd_execstart_resumes, t_init_script_start]


def main():
    passed = failed = 0
    work = tempfile.mkdtemp(prefix="tvc-boot-")
    sim = None
    try:
        become_init()
        sim = Sim(work)
        for t in TESTS:
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
        if sim is not None:
            sim.stop()
        if not os.environ.get("TVC_ITEST_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
