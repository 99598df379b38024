#!/bin/sh
# make demo: the whole flow against the bundled simulator, on loopback.
# Starts the simulator, runs `tvc generate` for a sample ad with progress
# shown, leaves the storyboard PNG and the video in demo-out/, prints the
# summary, and stops the simulator by its process id.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
tvc=${1:-$here/build/tvc}
out=$here/demo-out
sim=$out/sim
rm -rf "$out"
mkdir -p "$sim" "$out/state"

/usr/bin/python3 "$here/tests/sim/nanophoto_sim.py" --state-dir "$sim" --ready-file "$sim/ready.json" \
    --keys demo-key:40 --step-seconds 3 --video-bytes 1500000 --max-seconds 300 \
    >"$sim/stdout.log" 2>&1 &
simpid=$!
trap 'kill "$simpid" 2>/dev/null; wait "$simpid" 2>/dev/null' EXIT INT TERM

i=0
while [ ! -s "$sim/ready.json" ]; do
    i=$((i + 1))
    if [ $i -gt 150 ] || ! kill -0 "$simpid" 2>/dev/null; then
        echo "demo: the simulator did not start:" >&2
        cat "$sim/stdout.log" >&2
        exit 1
    fi
    sleep 0.1
done
field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$sim/ready.json" "$1"; }
base=$(field api_base)
ca=$(field ca_file)
umask 077
printf 'demo-key\n' > "$out/api-key"

echo "demo: simulator up at $base (pid $simpid)"
echo "demo: tvc generate --theme 'Nike running shoes - feel the speed' --duration 15 --aspect landscape ..."
"$tvc" generate \
    --theme "Nike running shoes - feel the speed" \
    --voiceover "Run faster. Run stronger. Nike." \
    --duration 15 --aspect landscape \
    --out "$out/ad.mp4" --storyboard-out "$out/storyboard.png" \
    --base-url "$base" --cacert "$ca" --api-key-file "$out/api-key" \
    --state-dir "$out/state" --poll-interval 1 --timeout 120
rc=$?
echo
if [ $rc -eq 0 ]; then
    echo "demo: done. Files in demo-out/:"
    ls -l "$out/ad.mp4" "$out/storyboard.png" | sed 's/^/  /'
else
    echo "demo: tvc exited with status $rc" >&2
fi
exit $rc
