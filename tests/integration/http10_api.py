#!/usr/bin/python3
"""A minimal API peer on Python's own http.server, HTTP/1.0 over TLS: JSON
answers end when the connection closes and Python never sends TLS
close_notify.  Legal, common, and the case RFC 9112 section 9.8 is about.

usage: http10_api.py CERT KEY PORTFILE REQUESTS
GET /v.mp4 has a Content-Length; GET /cut.mp4 runs until close."""
import sys

sys.dont_write_bytecode = True

import http.server  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import ssl  # noqa: E402
import threading  # noqa: E402

PORT = [0]
VIDEO = bytes(range(256)) * 40


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.endswith("/generate"):
            body = {"success": True, "status": "processing", "recordId": "r10", "taskId": "t10"}
        else:
            body = {"recordId": "r10", "status": "completed", "currentStep": 3, "success": True,
                    "videoUrl": "https://localhost:%d/v.mp4" % PORT[0], "generationTime": 12.5}
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def do_GET(self):
        self.send_response(200)
        if self.path == "/v.mp4":
            self.send_header("Content-Length", str(len(VIDEO)))
        self.end_headers()
        self.wfile.write(VIDEO)

    def log_message(self, *a):
        pass


def main():
    cert, key, portfile, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    PORT[0] = srv.server_address[1]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Timer(60, lambda: os._exit(0)).start()  # bounded in time
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(PORT[0]))
    os.rename(tmp, portfile)
    for _ in range(count):  # bounded in requests
        srv.handle_request()
    os._exit(0)


if __name__ == "__main__":
    main()
