#!/usr/bin/env python3
"""The conformance kit's peer (protocol in tvc_conformance.h), for a port
that runs somewhere else: a board on the LAN, or an image under QEMU (whose
user network reaches the host's 127.0.0.1 at 10.0.2.2).

usage: conf_peer.py [--bind ADDR] [--port N] [--refuse-port N]
                    [--port-file FILE] [--max-seconds S]

Listens on ADDR:PORT (port 0: any; the chosen one and a port where nothing
listens are written to --port-file as "PORT REFUSE_PORT", and printed).  A
connection sends one command line, then the peer behaves as named:
  echo   sends back every byte it receives; closes in order at EOF
  stall  neither reads nor writes any more (closes when the client has)
  close  sends "bye\\n", then closes in order (FIN)
  reset  closes abortively (SO_LINGER 0: an RST)
  drip   sends TVC_CONF_DRIP_TEXT one byte at a time, 5 ms apart, then FIN
Stops by itself after --max-seconds (default 300); stop it earlier by pid.
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time

DRIP_TEXT = b"one byte at a time, each in its own segment.\n"


def serve(conn):
    conn.settimeout(60)
    try:
        cmd = b""
        while b"\n" not in cmd and len(cmd) < 16:
            b = conn.recv(1)
            if not b:
                return
            cmd += b
        cmd = cmd.strip()
        if cmd == b"echo":
            while True:
                b = conn.recv(65536)
                if not b:
                    break
                conn.sendall(b)
        elif cmd == b"stall":
            # Read nothing, but notice the client leaving (a peek sees the
            # end of stream once nothing is buffered before it, or a reset)
            # and close then, as a server would: the client's stack gets its
            # connection back.
            end = time.monotonic() + 60
            while time.monotonic() < end:
                try:
                    if conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                        break
                except BlockingIOError:
                    pass
                time.sleep(0.05)
        elif cmd == b"close":
            conn.sendall(b"bye\n")
        elif cmd == b"reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif cmd == b"drip":
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for i in range(len(DRIP_TEXT)):
                conn.sendall(DRIP_TEXT[i:i + 1])
                time.sleep(0.005)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--refuse-port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--max-seconds", type=float, default=300)
    a = ap.parse_args()

    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # A small receive buffer: a stalled connection fills up quickly.
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lsn.bind((a.bind, a.port))
    lsn.listen(16)
    # Bound and never listening: connections to it are refused.
    refuse = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    refuse.bind((a.bind, a.refuse_port))
    ports = "%d %d" % (lsn.getsockname()[1], refuse.getsockname()[1])
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(ports + "\n")
        os.rename(a.port_file + ".tmp", a.port_file)
    print(ports, flush=True)

    lsn.settimeout(1.0)
    end = time.monotonic() + a.max_seconds
    while time.monotonic() < end:
        try:
            conn, _ = lsn.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
