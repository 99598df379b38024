#!/bin/sh
# Boot the firmware test image (make BOARD=cortex-m4 firmware-tests) on
# QEMU's mps2-an386 and check what it prints on its UART.
# usage: run_qemu_tests.sh build/cortex-m4/fw/tests.elf [-v]
#   -v  the image lists every case (passed to it as its command line)
#
# -nographic puts UART0 on QEMU's stdout; the image ends the run with a
# semihosting exit whose status is QEMU's.  QEMU runs under timeout (it is
# that command's child and is stopped by its pid if the image hangs), and
# -no-reboot turns a reset request into an exit.  Prints the UART output,
# the QEMU run time, and ends with the image's "N passed, N failed" line;
# exits 0 only when QEMU exited 0 and that line says 0 failed.
set -u
elf=${1:?usage: run_qemu_tests.sh tests.elf [-v]}
verbose=${2:-}
limit=${TVC_QEMU_TIMEOUT:-120}
qemu=${QEMU:-qemu-system-arm}

if ! command -v "$qemu" >/dev/null 2>&1; then
    echo "run_qemu_tests: $qemu not found (Debian package qemu-system-arm)"
    exit 1
fi
[ -f "$elf" ] || { echo "run_qemu_tests: no $elf"; exit 1; }

out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT INT TERM
t0=$(date +%s%N)
timeout -k 5 "$limit" "$qemu" -M mps2-an386 -nographic -no-reboot \
    -semihosting-config enable=on,target=native \
    -kernel "$elf" ${verbose:+-append "$verbose"} </dev/null >"$out" 2>&1
rc=$?
t1=$(date +%s%N)
tr -d '\r' <"$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
ms=$(( (t1 - t0) / 1000000 ))
echo "qemu-system-arm -M mps2-an386: exit $rc after $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
[ "$rc" = 124 ] && echo "run_qemu_tests: stopped after ${limit} s"
line=$(tr -d '\r' <"$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
if [ -z "$line" ]; then
    echo "run_qemu_tests: the image printed no 'N passed, N failed' line"
    exit 1
fi
echo "$line"
case "$line" in *" 0 failed") ;; *) exit 1 ;; esac
exit "$rc"
