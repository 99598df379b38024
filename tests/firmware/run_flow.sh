#!/bin/sh
# Run the full-flow image (make BOARD=cortex-m4 fw-flow) on QEMU's
# mps2-an386 with its LAN9118 on QEMU's user-mode network, against the
# bundled simulator (tests/sim/nanophoto_sim.py) on 127.0.0.1, which the
# guest reaches at 10.0.2.2.
# usage: run_flow.sh build/cortex-m4/fwflow/flow.elf
#
# The simulator names its listeners api.sim.test, static.sim.test and
# video.sim.test (names its certificate carries); the image's host table
# maps each NAME:PORT to 10.0.2.2.  Seed, base URL, CA file, key file and
# host entries go in through semihosting (-append); nothing secret is in
# the image.  The simulator is bounded (--max-seconds) and stopped by its
# pid; QEMU runs under timeout.  The SHA-256 and byte count the image
# printed are compared with the simulator's record of the video it served.
# Ends with "N passed, N failed"; exits 0 only when all passed.
set -u
elf=${1:?usage: run_flow.sh flow.elf}
limit=${TVC_QEMU_TIMEOUT:-150}
qemu=${QEMU:-qemu-system-arm}
video_bytes=${TVC_FLOW_VIDEO_BYTES:-300000}
here=$(cd "$(dirname "$0")/.." && pwd)

command -v "$qemu" >/dev/null 2>&1 || { echo "run_flow: $qemu not found"; echo "0 passed, 1 failed"; exit 1; }
[ -f "$elf" ] || { echo "run_flow: no $elf"; echo "0 passed, 1 failed"; exit 1; }

dir=$(mktemp -d) || exit 1
sim_pid=
stop_sim() {
    if [ -n "$sim_pid" ]; then
        kill "$sim_pid" 2>/dev/null
        wait "$sim_pid" 2>/dev/null
        sim_pid=
    fi
}
cleanup() {
    stop_sim
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

key="fw-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$key" > "$dir/key"
python3 "$here/sim/nanophoto_sim.py" --state-dir "$dir/sim" --keys "$key:10" \
    --host api.sim.test --static-host static.sim.test --video-host video.sim.test \
    --step-seconds 0.3 --video-bytes "$video_bytes" --max-seconds $((limit + 30)) \
    >"$dir/sim.out" 2>&1 &
sim_pid=$!
i=0
while [ ! -s "$dir/sim/ready.json" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -s "$dir/sim/ready.json" ]; then
    echo "run_flow: the simulator did not start"
    tail -n 20 "$dir/sim.out"
    echo "0 passed, 1 failed"
    exit 1
fi
ready() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$dir/sim/ready.json" "$1"; }
api=$(ready api_port)
static=$(ready static_port)
video=$(ready video_port)
ca=$(ready ca_file)
seed=${TVC_FW_SEED:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
args="seed=$seed ca=$ca key=$dir/key base=https://api.sim.test:$api"
args="$args resolve=api.sim.test:$api:10.0.2.2 resolve2=static.sim.test:$static:10.0.2.2"
args="$args resolve3=video.sim.test:$video:10.0.2.2 theme=Bare-metal_coffee_ad poll_ms=1000"

t0=$(date +%s%N)
timeout -k 5 "$limit" "$qemu" -M mps2-an386 -nographic -no-reboot \
    -semihosting-config enable=on,target=native \
    -nic user,model=lan9118 \
    -kernel "$elf" -append "$args" </dev/null >"$dir/out" 2>&1
rc=$?
t1=$(date +%s%N)
tr -d '\r' <"$dir/out" | sed "s/seed=[0-9a-f]*/seed=.../"
ms=$(( (t1 - t0) / 1000000 ))
echo "qemu-system-arm -M mps2-an386 -nic user,model=lan9118: exit $rc after $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
[ "$rc" = 124 ] && echo "run_flow: stopped after ${limit} s"

stop_sim
pass=0
fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
[ "$rc" = 0 ] && ok "the image exited 0" || bad "the image exited $rc"
rid=$(tr -d '\r' <"$dir/out" | sed -n 's/^record \(.*\)$/\1/p' | head -n 1)
got_sha=$(tr -d '\r' <"$dir/out" | sed -n 's/^video sha256 \([0-9a-f]*\)$/\1/p' | head -n 1)
got_bytes=$(tr -d '\r' <"$dir/out" | sed -n 's/^video bytes \([0-9]*\)$/\1/p' | head -n 1)
want=$(python3 -c "
import json, sys
st = json.load(open(sys.argv[1]))
r = st.get('records', {}).get(sys.argv[2]) or {}
print('%s %s' % (r.get('video_sha256'), r.get('video_bytes')))" "$dir/sim/final-stats.json" "${rid:-none}" 2>/dev/null)
if [ -n "$got_sha" ] && [ "$got_sha $got_bytes" = "$want" ]; then
    ok "video SHA-256 and size match the simulator's ($want)"
else
    bad "video: image printed '$got_sha $got_bytes', the simulator served '$want'"
fi
# The RAM figures of a passing run, for make size BOARD=cortex-m4, with the
# SHA-256 of the image that printed them (a rebuilt image shows none).
ram="$(dirname "$elf")/ram.txt"
rm -f "$ram"
[ "$fail" = 0 ] && { echo "image $(sha256sum "$elf" | cut -d' ' -f1)"
    tr -d '\r' <"$dir/out" | sed -n '/^RAM (bytes):$/,/^  total /p'; } >"$ram"
if [ "$fail" != 0 ]; then
    echo "simulator log (tail):"
    tail -n 20 "$dir/sim/sim.log" 2>/dev/null | sed 's/^/  /'
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
