#!/bin/sh
# Run the full-flow image (make BOARD=cortex-m4 fw-flow) on QEMU's
# mps2-an386 with its LAN9118 on QEMU's user-mode network, against the
# bundled simulator (tests/sim/nanophoto_sim.py) on 127.0.0.1, which the
# guest reaches at 10.0.2.2.
# usage: run_flow.sh [--demo] build/cortex-m4/fwflow/flow.elf
#
# Three runs of the image against one simulator, each a fresh boot (empty
# RAM store):
#   1. unknown CA: the image trusts a CA that did not sign the simulator's
#      certificate; it must end with TVC_ERR_TLS_UNTRUSTED (exit status 21,
#      the negated error code) and no HTTP request may reach the simulator;
#   2. the whole flow: generate, poll, storyboard and video over TLS; the
#      SHA-256 and byte count the image printed must be the simulator's;
#   3. the same with the simulator resetting the connection (TCP RST) once
#      in the middle of the video: the job resumes the download with a Range
#      request from what it kept (the resume path the POSIX build uses) and
#      still ends with the simulator's SHA-256.
# --demo (make demo BOARD=cortex-m4) runs only the whole flow, shows the
# UART as it comes, and checks the hash at the end.
#
# The simulator names its listeners api.sim.test, static.sim.test and
# video.sim.test (names its certificate carries); the image's host table
# maps each NAME:PORT to 10.0.2.2.  Seed, base URL, CA file, key file and
# host entries go in through semihosting (-append); nothing secret is in
# the image.  The simulator is bounded (--max-seconds) and stopped by its
# pid; QEMU runs under timeout.  Ends with "N passed, N failed"; exits 0
# only when all passed.
set -u
demo=0
if [ "${1:-}" = --demo ]; then
    demo=1
    shift
fi
elf=${1:?usage: run_flow.sh [--demo] flow.elf}
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

pass=0
fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { # description, then a command that must succeed
    d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
finish() {
    if [ "$fail" != 0 ]; then
        echo "simulator log (tail):"
        tail -n 20 "$dir/sim/sim.log" 2>/dev/null | sed 's/^/  /'
    fi
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
    exit $?
}

key="fw-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$key" > "$dir/key"
python3 "$here/sim/nanophoto_sim.py" --state-dir "$dir/sim" --keys "$key:100" \
    --host api.sim.test --static-host static.sim.test --video-host video.sim.test \
    --step-seconds 0.3 --video-bytes "$video_bytes" --max-seconds $((3 * limit + 30)) \
    --max-requests 500 >"$dir/sim.out" 2>&1 &
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

# The simulator's admin API (HTTPS on its API port, the simulator's CA).
# usage: sim_admin GET|POST path [json] ; prints the answer's body
sim_admin() {
    python3 - "$api" "$ca" "$@" <<'EOF'
import http.client, ssl, sys
port, ca, method, path = sys.argv[1:5]
body = sys.argv[5] if len(sys.argv) > 5 else None
ctx = ssl.create_default_context(cafile=ca)
c = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=10)
c.sock = ctx.wrap_socket(__import__("socket").create_connection(("127.0.0.1", int(port)), 10),
                         server_hostname="api.sim.test")
c.request(method, path, body=body, headers={"Content-Type": "application/json"})
r = c.getresponse()
sys.stdout.write(r.read().decode())
EOF
}
# usage: sim_stat EXPR ; EXPR is Python over the stats object s
sim_stat() {
    sim_admin GET /__sim/stats >"$dir/stats.json" || return 1
    python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$dir/stats.json"
}

# usage: run_image NAME CA_FILE ; the UART in $dir/NAME.out (seed hidden),
# QEMU's exit status in $rc (through a file: sh has no pipefail)
run_image() {
    name=$1
    seed=${TVC_FW_SEED:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
    args="seed=$seed ca=$2 key=$dir/key base=https://api.sim.test:$api"
    args="$args resolve=api.sim.test:$api:10.0.2.2 resolve2=static.sim.test:$static:10.0.2.2"
    args="$args resolve3=video.sim.test:$video:10.0.2.2 theme=Bare-metal_coffee_ad poll_ms=1000"
    echo "== run: $name"
    t0=$(date +%s%N)
    { timeout -k 5 "$limit" "$qemu" -M mps2-an386 -nographic -no-reboot \
        -semihosting-config enable=on,target=native -nic user,model=lan9118 \
        -kernel "$elf" -append "$args" </dev/null 2>&1; echo $? >"$dir/$name.rc"; } \
        | tr -d '\r' | sed 's/seed=[0-9a-f]*/seed=.../' >"$dir/$name.out" &
    qpid=$!
    [ "$demo" = 1 ] && tail -n +1 --pid=$qpid -f "$dir/$name.out"
    wait $qpid
    [ "$demo" = 1 ] || cat "$dir/$name.out"
    rc=$(cat "$dir/$name.rc")
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    echo "qemu-system-arm -M mps2-an386 -nic user,model=lan9118: exit $rc after $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
    [ "$rc" = 124 ] && echo "run_flow: stopped after ${limit} s"
    return 0
}
printed() { sed -n "s/^$2 \\(.*\\)\$/\\1/p" "$dir/$1.out" | head -n 1; }

# The whole flow; checks the video against the simulator's record.
flow_ok() {
    name=$1
    [ "$rc" = 0 ] && ok "$name: the image exited 0" || bad "$name: the image exited $rc"
    rid=$(printed "$name" record)
    got="$(printed "$name" 'video sha256') $(printed "$name" 'video bytes')"
    want=$(sim_stat "'%s %s' % ((s['records'].get('${rid:-none}') or {}).get('video_sha256'), (s['records'].get('${rid:-none}') or {}).get('video_bytes'))")
    if [ "$got" = "$want" ]; then
        ok "$name: video SHA-256 and size match the simulator's ($want)"
    else
        bad "$name: video: image printed '$got', the simulator served '$want'"
    fi
}

if [ "$demo" = 1 ]; then
    echo "simulator on 127.0.0.1 (api $api, static $static, video $video); the board reaches it at 10.0.2.2"
    run_image demo "$ca"
    flow_ok demo
    finish
fi

# 1. unknown CA: refused in the handshake, before any request
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=libtvc unknown test CA" -keyout "$dir/other.key" -out "$dir/other-ca.pem" \
    >/dev/null 2>&1 || bad "openssl could not make the unknown CA"
before=$(sim_stat "len(s['api_requests']), len(s['media_requests']), s['generate_requests']")
run_image unknown-ca "$dir/other-ca.pem"
check "unknown CA: exit status 21 (TVC_ERR_TLS_UNTRUSTED)" [ "$rc" = 21 ]
check "unknown CA: the job ended with the untrusted-certificate error (-21)" \
    grep -q "^\\[ *[0-9]* ms\\] job ended: .*(-21)" "$dir/unknown-ca.out"
after=$(sim_stat "len(s['api_requests']), len(s['media_requests']), s['generate_requests']")
check "unknown CA: no request reached the simulator ($after)" [ "$before" = "$after" ]
check "unknown CA: the simulator saw the handshake fail" grep -q "TLS handshake failed" "$dir/sim/sim.log"

# 2. the whole flow
run_image flow "$ca"
f0=$fail
flow_ok flow
# The RAM figures of this passing run, for make size BOARD=cortex-m4, with
# the SHA-256 of the image that printed them (a rebuilt image shows none).
# Only this run's: the reset run below needs more arena for the resume.
ram="$(dirname "$elf")/ram.txt"
rm -f "$ram"
[ "$fail" = "$f0" ] && { echo "image $(sha256sum "$elf" | cut -d' ' -f1)"
    sed -n '/^RAM (bytes):$/,/^  total /p' "$dir/flow.out"; } >"$ram"

# 3. a reset in the middle of the video, then the resume
cut=$((video_bytes / 3))
sim_admin POST /__sim/faults "{\"video_cut\": $cut, \"video_cut_mode\": \"reset\"}" >/dev/null \
    || bad "could not set the simulator's faults"
run_image reset "$ca"
flow_ok reset
rid=$(printed reset record)
check "reset: the simulator cut the video once" [ "$(sim_stat "s['records']['${rid:-none}']['video_cuts']")" = 1 ]
resumed=$(sim_stat "[(e['range'], e['if_range']) for e in s['media_requests'] if e['host'] == 'video' and '${rid:-none}' in e['path'] and e['range']]")
echo "reset: ranged video requests after the cut (Range, If-Range): $resumed"
check "reset: the download resumed with Range past byte 0 and If-Range" \
    python3 -c "import sys; r=eval(sys.argv[1]); sys.exit(0 if r and int(r[0][0][6:].split('-')[0]) > 0 and r[0][1] else 1)" "$resumed"
finish
