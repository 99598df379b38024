#!/usr/bin/python3
"""The whole `tvc` flow through a real nginx (issue 9, item 6).

usage: test_nginx.py PATH/TO/tvc [--expect-tls TLSv1.3]

Debian's nginx, started here on a free loopback port with a generated
configuration (daemon off, stopped by its pid), terminates TLS with the
simulator's generated certificate and:
- reverse-proxies the API to the simulator, so the framing (chunked: sub_filter
  rewrites the media URLs in the answers, which drops their Content-Length),
  keep-alive and connection handling tvc sees are nginx's;
- serves the storyboard and video files itself from its root, with Range and
  If-Range: a file missing there is fetched once from the simulator and stored
  (proxy_store), later requests come from the file;
- /slow/ serves the same files at a limited rate, for a download killed and
  resumed with Range.
A generate killed while polling is finished by `tvc resume` through nginx.
The access log records $ssl_protocol; with --expect-tls every request must have
negotiated that version (TLSv1.3 for a tvc built on mbedTLS 3.6).
Prints "N passed, N failed" last.
"""
import sys

sys.dont_write_bytecode = True

import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ARGS = sys.argv[1:]
EXPECT_TLS = None
if "--expect-tls" in ARGS:
    i = ARGS.index("--expect-tls")
    EXPECT_TLS = ARGS[i + 1]
    del ARGS[i:i + 2]
sys.argv[1:] = ARGS  # test_cli reads the tvc path from argv[1]
import test_cli as tc  # noqa: E402
from test_cli import check, eq, sha  # noqa: E402

NGINX = "/usr/sbin/nginx"
SAN_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Nginx:
    """nginx in front of one simulator, on a free port of 127.0.0.1."""

    def __init__(self, work, sim):
        self.root = os.path.join(work, "nginx")
        self.www = os.path.join(self.root, "www")
        for d in ("www/sora", "www/images/sora-tvc", "tmp", "logs"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        self.log = os.path.join(self.root, "logs", "access.log")
        self.err = os.path.join(self.root, "logs", "error.log")
        sd = sim.info["state_dir"]
        self.sim = sim
        for attempt in range(3):
            self.port = free_port()
            self.write_conf(os.path.join(sd, "server.pem"), os.path.join(sd, "server.key"), sim.ca)
            self.out = open(os.path.join(self.root, "nginx.out"), "wb")
            self.proc = subprocess.Popen(
                [NGINX, "-p", self.root, "-c", os.path.join(self.root, "nginx.conf"), "-e", self.err,
                 "-g", "daemon off; master_process off;"], stdout=self.out, stderr=subprocess.STDOUT)
            if self.wait_port():
                break
            self.stop()
            if "Address already in use" not in open(self.err).read():
                raise RuntimeError("nginx did not start: " + open(self.err).read()[-2000:])
        else:
            raise RuntimeError("nginx: no free port")
        self.base = "https://localhost:%d" % self.port

    def wait_port(self):
        end = time.time() + 10
        while time.time() < end and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def write_conf(self, cert, key, ca):
        r, info = self.root, self.sim.info
        upstream_tls = ("proxy_ssl_verify on; proxy_ssl_trusted_certificate %s; proxy_ssl_name localhost; "
                        "proxy_ssl_server_name on; proxy_http_version 1.1; proxy_set_header Connection \"\"; "
                        "proxy_set_header Accept-Encoding \"\";" % ca)
        store = ("proxy_store on; proxy_store_access user:rw group:r all:r; root %s; "
                 "proxy_set_header Range \"\"; proxy_set_header If-Range \"\"; "
                 "proxy_set_header Authorization \"\";" % self.www)
        conf = """
error_log %(r)s/logs/error.log info;
pid %(r)s/nginx.pid;
events { worker_connections 64; }
http {
  client_body_temp_path %(r)s/tmp/body;
  proxy_temp_path %(r)s/tmp/proxy;
  fastcgi_temp_path %(r)s/tmp/fastcgi;
  uwsgi_temp_path %(r)s/tmp/uwsgi;
  scgi_temp_path %(r)s/tmp/scgi;
  map $http_authorization $has_auth { "" no; default yes; }
  log_format t '$ssl_protocol $request_method $uri status=$status range=[$http_range] '
               'ifrange=[$http_if_range] te=[$sent_http_transfer_encoding] '
               'cl=[$sent_http_content_length] conn=$connection n=$connection_requests '
               'up=[$upstream_addr] auth=$has_auth';
  access_log %(r)s/logs/access.log t;
  default_type application/octet-stream;
  types { video/mp4 mp4; image/png png; }
  sendfile on;
  keepalive_timeout 30s;
  upstream sim_api { server 127.0.0.1:%(api)d; keepalive 4; }
  upstream sim_static { server 127.0.0.1:%(static)d; keepalive 4; }
  upstream sim_video { server 127.0.0.1:%(video)d; keepalive 4; }
  server {
    listen 127.0.0.1:%(port)d ssl;
    server_name localhost;
    ssl_certificate %(cert)s;
    ssl_certificate_key %(key)s;
    ssl_protocols TLSv1.2 TLSv1.3;
    root %(www)s;
    location /api/ {
      proxy_pass https://sim_api;
      %(up)s
      proxy_set_header Host localhost:%(api)d;
      sub_filter 'https://localhost:%(static)d/' 'https://localhost:%(port)d/';
      sub_filter 'https://localhost:%(video)d/' 'https://localhost:%(port)d/';
      sub_filter_once off;
      sub_filter_types application/json;
    }
    location /sora/ { error_page 404 = @video; }
    location /images/ { error_page 404 = @image; }
    location @video { proxy_pass https://sim_video; %(up)s %(store)s }
    location @image { proxy_pass https://sim_static; %(up)s %(store)s }
    location /slow/ { alias %(www)s/sora/; limit_rate 60k; }
  }
}
""" % {"r": r, "api": info["api_port"], "static": info["static_port"], "video": info["video_port"],
       "port": self.port, "cert": cert, "key": key, "www": self.www, "up": upstream_tls, "store": store}
        with open(os.path.join(r, "nginx.conf"), "w") as f:
            f.write(conf)

    def lines(self):
        with open(self.log) as f:
            return [l.split() for l in f.read().splitlines() if l.strip()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # by its pid
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()


def field(line, name):
    for w in line:
        if w.startswith(name + "="):
            return w[len(name) + 1:].strip("[]")
    return None


def no_sanitizer(err):
    for m in SAN_MARKS:
        check(m not in err, "sanitizer report: " + err[-800:])


def t_flow_through_nginx(w, sim, ng):
    """generate -> poll -> storyboard -> video, all through nginx."""
    env = tc.Env(w, sim)
    sim.reset()
    args = ["generate", "--theme", "through nginx", "--out", "v.mp4", "--storyboard-out", "sb.png",
            "--json", "--base-url", ng.base, "--cacert", sim.ca, "--api-key-file", env.keyfile,
            "--state-dir", env.state, "--poll-interval", "0.1"]
    rc, out, err = env.run(*args, common=False)
    no_sanitizer(err)
    eq(rc, 0, "flow through nginx (%s)" % err[-500:])
    res = json.loads(out)
    rid = res["recordId"]
    st = sim.stats()
    check(res["videoUrl"].startswith(ng.base + "/sora/"), "videoUrl rewritten to nginx: " + res["videoUrl"])
    eq(sha(env.path("v.mp4")), st["records"][rid]["video_sha256"], "video bytes")
    eq(sha(env.path("sb.png")), st["records"][rid]["storyboard_sha256"], "storyboard bytes")
    eq(st["generate_requests"], 1, "one generate")
    check(not st["auth_seen_on_media"], "no Authorization on media")
    lines = ng.lines()
    api = [l for l in lines if l[2].startswith("/api/sora-2-tvc/")]
    eq(sum(1 for l in api if l[2].endswith("/generate")), 1, "generate through nginx")
    polls = [l for l in api if l[2].endswith("/check-status")]
    eq(len(polls), st["check_status_requests"], "every poll through nginx")
    check(all(field(l, "status") == "200" for l in api), "API answers 200: %r" % api)
    check(all(field(l, "te") == "chunked" for l in api), "nginx framed the API answers chunked")
    check(all(field(l, "auth") == "yes" for l in api), "the key reached the API")
    conns = {}
    for l in api:
        conns.setdefault(field(l, "conn"), []).append(int(field(l, "n")))
    check(any(max(v) > 1 for v in conns.values()), "tvc kept its connection to nginx alive: %r" % conns)
    media = [l for l in lines if l[2].startswith(("/sora/", "/images/"))]
    check(media and all(field(l, "auth") == "no" for l in media), "no key to the media paths")
    check(any(l[2] == "/sora/%s.mp4" % rid and field(l, "status") == "200" for l in media), "video via nginx")
    check(os.path.exists(os.path.join(ng.www, "sora", rid + ".mp4")), "nginx stored the video")
    return rid


def t_download_resume_through_nginx(w, sim, ng, rid):
    """A download from nginx's file, killed, resumed with Range and If-Range (206)."""
    env = tc.Env(w, sim)
    url = ng.base + "/slow/%s.mp4" % rid
    want = sim.stats()["records"][rid]["video_sha256"]
    p = subprocess.Popen([tc.TVC, "download", url, "--out", "d.mp4", "--cacert", sim.ca],
                         cwd=env.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    part, end = env.path("d.mp4.part"), time.time() + 30
    while time.time() < end and not (os.path.exists(part) and os.path.getsize(part) > 60000):
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.communicate()
    have = os.path.getsize(part)
    check(0 < have < 300000, "killed mid-download: %d bytes" % have)
    check(not os.path.exists(env.path("d.mp4")), "no final file after the kill")
    rc, out, err = env.run("download", url, "--out", "d.mp4", "--cacert", sim.ca, "--json", common=False)
    no_sanitizer(err)
    eq(rc, 0, "resumed download (%s)" % err[-500:])
    eq(sha(env.path("d.mp4")), want, "byte-exact after resume")
    slow = [l for l in ng.lines() if l[2] == "/slow/%s.mp4" % rid]
    check(any(field(l, "status") == "206" and field(l, "range").startswith("bytes=%d-" % have)
              and field(l, "ifrange") for l in slow), "resumed with Range and If-Range, 206: %r" % slow)
    check(all(field(l, "up") == "-" for l in slow), "served from nginx's file")


def t_kill_then_resume_through_nginx(w, sim, ng):
    """generate killed while polling; `tvc resume` finishes it through nginx."""
    env = tc.Env(w, sim)
    sim.reset()
    common = ["--base-url", ng.base, "--cacert", sim.ca, "--api-key-file", env.keyfile,
              "--state-dir", env.state, "--poll-interval", "0.1"]
    p = subprocess.Popen([tc.TVC, "generate", "--theme", "killed", "--out", "k.mp4"] + common,
                         cwd=env.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    end = time.time() + 20
    while sim.stats()["check_status_requests"] < 1 and time.time() < end:
        time.sleep(0.02)
    p.send_signal(signal.SIGKILL)
    p.communicate()
    check(not os.path.exists(env.path("k.mp4")), "no video before resume")
    rc, out, err = env.run("resume", "--json", *common, common=False)
    no_sanitizer(err)
    eq(rc, 0, "resume through nginx (%s)" % err[-500:])
    rid = json.loads(out)["jobs"][0]["recordId"]
    eq(sha(env.path("k.mp4")), sim.stats()["records"][rid]["video_sha256"], "bytes after resume")
    eq(sim.stats()["generate_requests"], 1, "one generate")


def t_tls_version(w, sim, ng):
    protos = sorted({l[0] for l in ng.lines()})
    print("note: TLS negotiated with nginx: %s" % ", ".join(protos))
    if EXPECT_TLS:
        eq(protos, [EXPECT_TLS], "negotiated TLS version")
    else:
        check(set(protos) <= {"TLSv1.2", "TLSv1.3"}, "TLS 1.2 or 1.3 only: %r" % protos)


def main():
    passed = failed = 0
    if not os.access(NGINX, os.X_OK):
        print("FAIL %s missing (run: make deps-test)" % NGINX)
        print("0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp(prefix="tvc-nginx-")
    sim = ng = None
    try:
        sim = tc.Sim(work, "nginx", "--step-seconds", "0.1", "--rate-limit", "0")
        ng = Nginx(work, sim)
        rid = None
        for name, fn in (("t_flow_through_nginx", lambda: t_flow_through_nginx(work, sim, ng)),
                         ("t_download_resume_through_nginx",
                          lambda: t_download_resume_through_nginx(work, sim, ng, rid)),
                         ("t_kill_then_resume_through_nginx",
                          lambda: t_kill_then_resume_through_nginx(work, sim, ng)),
                         ("t_tls_version", lambda: t_tls_version(work, sim, ng))):
            t0 = time.time()
            try:
                r = fn()
                if name == "t_flow_through_nginx":
                    rid = r
                passed += 1
                print("ok   %s (%.1fs)" % (name, time.time() - t0))
            except Exception as e:  # noqa: BLE001 - report and go on
                failed += 1
                print("FAIL %s: %s" % (name, e))
                if not isinstance(e, AssertionError):
                    traceback.print_exc(file=sys.stdout)
    except Exception as e:  # noqa: BLE001
        failed += 1
        print("FAIL setup: %s" % e)
        traceback.print_exc(file=sys.stdout)
    finally:
        if ng:
            ng.stop()
        if sim:
            sim.stop()
        if not os.environ.get("TVC_ITEST_KEEP") and not failed:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
