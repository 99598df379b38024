#!/bin/sh
# Run the network test image (make BOARD=cortex-m4 net-test) on QEMU's
# mps2-an386 with its LAN9118 on QEMU's user-mode network, against
# tests/firmware/net_server.py on 127.0.0.1 (the guest reaches it at
# 10.0.2.2).  usage: run_net_test.sh build/cortex-m4/fw/net_test.elf
#
# Makes a 1 MB file and a chunked one, starts the server (port 0; it writes
# its port to a file), finds a port nobody listens on, boots the image with
# "-append PORT CLOSED_PORT", then checks the byte counts and CRC-32s the
# image printed against the files.  QEMU runs under timeout; the server is
# stopped by its pid.  Ends with "N passed, N failed": the image's cases
# plus this script's two comparisons.
set -u
elf=${1:?usage: run_net_test.sh net_test.elf}
limit=${TVC_QEMU_TIMEOUT:-120}
qemu=${QEMU:-qemu-system-arm}
here=$(cd "$(dirname "$0")" && pwd)

command -v "$qemu" >/dev/null 2>&1 || { echo "run_net_test: $qemu not found"; echo "0 passed, 1 failed"; exit 1; }
[ -f "$elf" ] || { echo "run_net_test: no $elf"; echo "0 passed, 1 failed"; exit 1; }

dir=$(mktemp -d) || exit 1
srv_pid=
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# 1 MB plus an odd tail (not a whole number of words or segments)
python3 -c "
import os, sys
open(sys.argv[1] + '/big.bin', 'wb').write(os.urandom(1048576 + 3))
open(sys.argv[1] + '/chunked.bin', 'wb').write(os.urandom(200001))
" "$dir"
python3 "$here/net_server.py" "$dir" "$dir/port" 2>"$dir/server.log" &
srv_pid=$!
i=0
while [ ! -s "$dir/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$dir/port" 2>/dev/null)
[ -n "$port" ] || { echo "run_net_test: the server did not start"; echo "0 passed, 1 failed"; exit 1; }
closed=$(python3 -c "
import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()")

t0=$(date +%s%N)
timeout -k 5 "$limit" "$qemu" -M mps2-an386 -nographic -no-reboot \
    -semihosting-config enable=on,target=native \
    -nic user,model=lan9118 \
    -kernel "$elf" -append "$port $closed" </dev/null >"$dir/out" 2>&1
rc=$?
t1=$(date +%s%N)
tr -d '\r' <"$dir/out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
ms=$(( (t1 - t0) / 1000000 ))
echo "qemu-system-arm -M mps2-an386 -nic user,model=lan9118: exit $rc after $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
[ "$rc" = 124 ] && echo "run_net_test: stopped after ${limit} s"

line=$(tr -d '\r' <"$dir/out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
if [ -z "$line" ]; then
    echo "run_net_test: the image printed no 'N passed, N failed' line"
    sed 's/^/  /' "$dir/server.log" | tail -n 20
    echo "0 passed, 1 failed"
    exit 1
fi
p=${line%% passed*}
f=${line#*passed, }; f=${f%% failed*}

# what the image received against the files
compare() { # name file
    want=$(python3 -c "
import sys, zlib
d = open(sys.argv[1], 'rb').read()
print('bytes=%d crc32=%08x' % (len(d), zlib.crc32(d)))" "$2")
    got=$(tr -d '\r' <"$dir/out" | sed -n "s/^$1: .*\(bytes=[0-9]* crc32=[0-9a-f]*\).*/\1/p" | head -n 1)
    if [ "$got" = "$want" ]; then
        echo "ok   $1: image and file agree ($want)"
        p=$((p + 1))
    else
        echo "FAIL $1: image got '$got', the file is '$want'"
        f=$((f + 1))
    fi
}
compare big "$dir/big.bin"
compare chunked "$dir/chunked.bin"
[ "$f" != 0 ] && sed 's/^/  /' "$dir/server.log" | tail -n 20
[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
echo "$p passed, $f failed"
[ "$f" = 0 ]
