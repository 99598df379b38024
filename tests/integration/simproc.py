"""The bundled simulator (tests/sim/nanophoto_sim.py) as a child process, for the
integration scripts: started on 127.0.0.1 with a state directory of its own, bounded by the
--max-seconds / --max-requests the caller passes, waited for through its ready file, and
stopped by its pid (SIGTERM, then SIGKILL after 10 s)."""
import json
import os
import signal
import ssl
import subprocess
import time
import urllib.request

SIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sim", "nanophoto_sim.py")


class SimProcess:
    """One simulator; state_dir is created, args are nanophoto_sim.py's options."""

    def __init__(self, state_dir, args):
        self.dir = state_dir
        os.makedirs(self.dir)
        ready = os.path.join(self.dir, "ready.json")
        self.log = open(os.path.join(self.dir, "stdout.log"), "wb")
        self.proc = subprocess.Popen(["/usr/bin/python3", SIM, "--state-dir", self.dir,
                                      "--ready-file", ready] + list(args),
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while not os.path.exists(ready):
            if time.time() > deadline or self.proc.poll() is not None:
                self.stop()
                with open(self.log.name, errors="replace") as f:
                    raise RuntimeError("simulator did not start: " + f.read())
            time.sleep(0.05)
        time.sleep(0.05)
        with open(ready) as f:
            self.info = json.load(f)
        self.base = self.info["api_base"]
        self.ca = self.info["ca_file"]
        self.ctx = ssl.create_default_context(cafile=self.ca)

    def admin(self, path, body=None):
        """GET (body None) or POST (JSON body) on the admin API; the decoded answer."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + "/__sim/" + path, data=data,
                                     method="GET" if body is None else "POST")
        with urllib.request.urlopen(req, context=self.ctx, timeout=10) as r:
            return json.loads(r.read())

    def stats(self):
        return self.admin("stats")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()
