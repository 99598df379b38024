#!/usr/bin/env python3
"""HTTP/1.1 server on 127.0.0.1 for the network test image
(tests/firmware/run_net_test.sh).  usage: net_server.py DIR PORTFILE

Serves, keeping connections alive (HTTP/1.1):
  /big.bin      DIR/big.bin with Content-Length
  /chunked.bin  DIR/chunked.bin, chunked, in chunks of varying size
  /small.txt    a few bytes (an HTTP/1.0 request gets them, then the close)
  /reset        no answer: the connection is reset (SO_LINGER 0, close)
Binds port 0 and writes the port to PORTFILE.  Stops by itself after 180 s
or 50 requests; the script also stops it by pid."""
import http.server
import os
import socket
import struct
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("net_server: " + (fmt % args) + "\n")

    def do_GET(self):
        self.server.requests += 1
        d = self.server.dir
        if self.path == "/big.bin":
            with open(os.path.join(d, "big.bin"), "rb") as f:
                data = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif self.path == "/chunked.bin":
            with open(os.path.join(d, "chunked.bin"), "rb") as f:
                data = f.read()
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            pos, size = 0, 1
            while pos < len(data):
                piece = data[pos:pos + size]
                self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                pos += len(piece)
                size = size * 3 + 7 if size < 20000 else 1
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/small.txt":
            body = b"hello from the host\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/reset":
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        else:
            self.send_error(404)


def main():
    d, portfile = sys.argv[1], sys.argv[2]
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    srv.dir = d
    srv.requests = 0
    srv.timeout = 1.0
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(portfile + ".tmp", portfile)
    end = time.monotonic() + 180
    while time.monotonic() < end and srv.requests < 50:
        srv.handle_request()
    srv.server_close()


if __name__ == "__main__":
    main()
