#!/bin/sh
# Run the TLS smoke test image (make BOARD=cortex-m4 fw-tls-test) on QEMU's
# mps2-an386, twice:
#   1. with a seed, the test PKI of tests/certs.sh, an API key file and a
#      base URL file handed in through semihosting (host files named on
#      the command line; nothing secret is in the image);
#   2. without a seed: TLS must refuse to start (TVC_ERR_ENTROPY).
# usage: run_tls_smoke.sh build/cortex-m4/fwtls/tls_smoke.elf
# The seed is 32 bytes from the host's /dev/urandom, or $TVC_FW_SEED (hex).
# Prints both runs' UART output and ends with one "N passed, N failed"
# line for both; exits 0 only when both runs passed.
set -u
elf=${1:?usage: run_tls_smoke.sh tls_smoke.elf}
limit=${TVC_QEMU_TIMEOUT:-120}
qemu=${QEMU:-qemu-system-arm}
here=$(cd "$(dirname "$0")/.." && pwd)

command -v "$qemu" >/dev/null 2>&1 || { echo "run_tls_smoke: $qemu not found (Debian package qemu-system-arm)"; exit 1; }
[ -f "$elf" ] || { echo "run_tls_smoke: no $elf"; exit 1; }

dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
mkdir "$dir/pki"
sh "$here/certs.sh" "$dir/pki" >/dev/null 2>&1 || { echo "run_tls_smoke: tests/certs.sh failed"; exit 1; }
printf 'sk-fw-smoke-%s\n' "$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')" > "$dir/key"
echo "https://localhost:8443/v1" > "$dir/url"
seed=${TVC_FW_SEED:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}

pass=0
fail=0
run() { # label, -append string
    out=$dir/out
    t0=$(date +%s%N)
    timeout -k 5 "$limit" "$qemu" -M mps2-an386 -nographic -no-reboot \
        -semihosting-config enable=on,target=native \
        -kernel "$elf" -append "$2" </dev/null >"$out" 2>&1
    rc=$?
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    echo "== $1"
    tr -d '\r' <"$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
    echo "qemu-system-arm -M mps2-an386: exit $rc after $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
    [ "$rc" = 124 ] && echo "run_tls_smoke: stopped after ${limit} s"
    line=$(tr -d '\r' <"$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then
        echo "run_tls_smoke: $1: no 'N passed, N failed' line"
        fail=$((fail + 1))
        return
    fi
    echo "$1: $line"
    p=${line%% passed*}
    f=${line#*passed, }; f=${f%% failed*}
    [ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
    pass=$((pass + p))
    fail=$((fail + f))
}
run "with seed and PKI" "seed=$seed ca=$dir/pki/ca.crt key=$dir/key url=$dir/url certs=$dir/pki"
run "without seed" "ca=$dir/pki/ca.crt"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
