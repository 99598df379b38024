#!/usr/bin/env python3
"""HTTP/1.1 test server for test_http_plain (the no-mbedTLS build).

Binds 127.0.0.1 on a kernel-chosen port, prints "port N", and serves:
  /cl        a Content-Length body
  /chunked   a chunked body of many small chunks
  /redirect  302 to /cl (empty body, connection kept)
  /close     a body that runs until the server closes
Every answer carries X-Conn (connection number) and X-Req (request number
on that connection), so the client test can see keep-alive reuse from the
server's side.  Its life is bounded by the `timeout` wrapper the test
starts it under, and the test stops it by PID.
"""
import http.server
import sys

CL_BODY = b"hello over plain TCP, framed by Content-Length\n"


def chunk_body():
    return bytes((i * 7 + 3) & 0xFF for i in range(5000))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        self.server.conns += 1
        self.conn_no = self.server.conns
        self.req_no = 0

    def head(self, status, extra=()):
        self.req_no += 1
        self.send_response(status)
        self.send_header("X-Conn", str(self.conn_no))
        self.send_header("X-Req", str(self.req_no))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()

    def do_GET(self):
        if self.path == "/cl":
            self.head(200, [("Content-Length", str(len(CL_BODY)))])
            self.wfile.write(CL_BODY)
        elif self.path == "/chunked":
            self.head(200, [("Transfer-Encoding", "chunked")])
            body, i, n = chunk_body(), 0, 1
            out = b""
            while i < len(body):
                piece = body[i:i + n]
                out += b"%x\r\n" % len(piece) + piece + b"\r\n"
                i += n
                n = n % 97 + 1
            out += b"0\r\n\r\n"
            self.wfile.write(out)
        elif self.path == "/redirect":
            self.head(302, [("Location", "/cl"), ("Content-Length", "0")])
        elif self.path == "/close":
            self.head(200, [("Connection", "close")])
            self.wfile.write(b"until close")
            self.close_connection = True
        else:
            self.head(404, [("Content-Length", "0")])
        self.wfile.flush()


def main():
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    srv.conns = 0
    print("port %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
