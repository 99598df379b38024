#!/bin/sh
# Run the conformance image (make BOARD=cortex-m4 fw-conformance: the kit on
# the lwIP port) on QEMU's mps2-an386 with its LAN9118 on QEMU's user-mode
# network, against tests/conformance/conf_peer.py on 127.0.0.1 (the guest
# reaches it at 10.0.2.2).  usage: run_fw_conformance.sh conformance.elf
# QEMU runs under timeout; the peer is stopped by its pid.  Ends with the
# image's "N passed, N failed".
set -u
elf=${1:?usage: run_fw_conformance.sh conformance.elf}
limit=${TVC_QEMU_TIMEOUT:-180}
qemu=${QEMU:-qemu-system-arm}
here=$(cd "$(dirname "$0")" && pwd)

command -v "$qemu" >/dev/null 2>&1 || { echo "run_fw_conformance: $qemu not found"; echo "0 passed, 1 failed"; exit 1; }
[ -f "$elf" ] || { echo "run_fw_conformance: no $elf"; echo "0 passed, 1 failed"; exit 1; }

dir=$(mktemp -d) || exit 1
peer_pid=
cleanup() {
    [ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null && wait "$peer_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

python3 "$here/conf_peer.py" --port-file "$dir/ports" --max-seconds $((limit + 30)) \
    >/dev/null 2>"$dir/peer.log" &
peer_pid=$!
i=0
while [ ! -s "$dir/ports" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ports=$(cat "$dir/ports" 2>/dev/null)
[ -n "$ports" ] || { echo "run_fw_conformance: the peer did not start"; echo "0 passed, 1 failed"; exit 1; }

t0=$(date +%s%N)
timeout -k 5 "$limit" "$qemu" -M mps2-an386 -nographic -no-reboot \
    -semihosting-config enable=on,target=native \
    -nic user,model=lan9118 \
    -kernel "$elf" -append "$ports" </dev/null >"$dir/out" 2>&1
rc=$?
t1=$(date +%s%N)
tr -d '\r' <"$dir/out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
ms=$(( (t1 - t0) / 1000000 ))
echo "qemu-system-arm -M mps2-an386 -nic user,model=lan9118: exit $rc after $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
[ "$rc" = 124 ] && echo "run_fw_conformance: stopped after ${limit} s"
line=$(tr -d '\r' <"$dir/out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
if [ -z "$line" ]; then
    echo "run_fw_conformance: the image printed no 'N passed, N failed' line"
    tail -n 20 "$dir/peer.log"
    echo "0 passed, 1 failed"
    exit 1
fi
p=${line%% passed*}
f=${line#*passed, }; f=${f%% failed*}
[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
echo "$p passed, $f failed"
[ "$f" = 0 ]
