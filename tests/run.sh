#!/bin/sh
# Run every test binary of the given build directories and the integration
# scripts, then print one closing line "N passed, N failed".
#
# usage: run.sh DIR... [-- DIR...]
# The directories after "--" form a second lane that runs at the same time
# as the first (most of the integration suites wait on the simulator's
# clock, so two lanes halve the wall time on two cores); each lane's report
# is printed as a whole when it ends, then the sum.
set -u
if [ -z "${TVC_RUN_LANE:-}" ]; then
    a=""
    b=""
    lane=a
    for d in "$@"; do
        if [ "$d" = -- ]; then lane=b; continue; fi
        if [ $lane = a ]; then a="$a $d"; else b="$b $d"; fi
    done
    if [ -n "$b" ]; then
        tmp=$(mktemp -d) || exit 1
        # shellcheck disable=SC2086
        TVC_RUN_LANE=1 sh "$0" $a >"$tmp/a" 2>&1 &
        pa=$!
        # shellcheck disable=SC2086
        TVC_RUN_LANE=2 sh "$0" $b >"$tmp/b" 2>&1 &
        pb=$!
        wait $pa
        wait $pb
        sed '$d' "$tmp/a"
        sed '$d' "$tmp/b"
        pass=0
        fail=0
        for f in "$tmp/a" "$tmp/b"; do
            line=$(tail -n 1 "$f")
            case $line in
            *" passed, "*" failed") ;;
            *) line="0 passed, 1 failed"; echo "tests/run.sh: a lane ended without its total" ;;
            esac
            pass=$((pass + ${line%% passed*}))
            f2=${line#*passed, }
            fail=$((fail + ${f2%% failed*}))
        done
        rm -rf "$tmp"
        echo "$pass passed, $fail failed"
        [ "$fail" = 0 ]
        exit
    fi
    set -- $a
fi
total_pass=0
total_fail=0
here=$(cd "$(dirname "$0")" && pwd)
run_one() { # name, command...
    t=$1
    shift
    out=$(timeout 900 "$@" 2>&1)
    rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then
        printf '%s\n' "$out" | tail -n 20
        echo "$t: crashed or hung (exit $rc)"
        total_fail=$((total_fail + 1))
        return
    fi
    p=${line%% passed*}
    f=${line#*passed, }; f=${f%% failed*}
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
    [ "$f" != 0 ] && printf '%s\n' "$out" | grep -v '^ok  ' | tail -n 40
    echo "$t: $line"
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}
# Programs built for another Linux architecture (BOARD=linux-armhf,
# linux-aarch64: static binaries) run under Debian's qemu-user, named
# explicitly (binfmt_misc is not relied on).  Prints the emulator for the
# program's ELF machine, or nothing for the host's own.
elf_machine() { od -An -tx1 -j18 -N2 "$1" 2>/dev/null | tr -d ' \n'; }
host_machine=$(elf_machine /bin/sh)
emulator() {
    m=$(elf_machine "$1")
    [ -z "$m" ] || [ "$m" = "$host_machine" ] && return 0
    case $m in
    2800) echo qemu-arm ;;
    b700) echo qemu-aarch64 ;;
    *) echo "tests/run.sh: $1: no emulator for ELF machine $m" >&2; echo false ;;
    esac
}
# The simulator checks itself before anything relies on it (first lane).
[ "${TVC_RUN_LANE:-1}" = 1 ] && run_one tests/sim/selftest.py /usr/bin/python3 "$here/sim/selftest.py"
for dir in "$@"; do
    for t in "$dir"/tests/test_*; do
        [ -x "$t" ] || continue
        case "$t" in *.o|*.d) continue ;; esac
        # tests find their support files (certs.sh) relative to the tree
        # shellcheck disable=SC2046
        run_one "$t" env TVC_TEST_DIR="$here" $(emulator "$t") "$t"
    done
    # The libFuzzer harnesses, a few seconds each from the unit tests' seeds.
    [ -d "$dir/fuzz" ] && run_one "$dir/fuzz: tests/fuzz/run.sh" \
        sh "$here/fuzz/run.sh" "$dir/fuzz" "${TVC_FUZZ_SMOKE_SECONDS:-3}"
    # The real tvc program against the simulator, end to end (under
    # TVC_EXEC_WRAP, the emulator, when built for another architecture).
    [ -x "$dir/tvc" ] && run_one "$dir/tvc: tests/integration/test_cli.py" \
        env TVC_EXEC_WRAP="$(emulator "$dir/tvc")" /usr/bin/python3 "$here/integration/test_cli.py" "$dir/tvc"
    # valgrind, fault injection and nginx: the host's own tvc only (a tvc
    # built for another architecture gets test_cli.py above, under qemu-user).
    tvc_native=""
    [ -x "$dir/tvc" ] && [ -z "$(emulator "$dir/tvc")" ] && tvc_native=1
    # The same flow under valgrind, on a build with neither ASan nor gcov.
    [ -n "$tvc_native" ] && ! ls "$dir"/src/*.gcno >/dev/null 2>&1 && ! grep -qa __asan_init "$dir/tvc" && \
        run_one "$dir/tvc: tests/integration/valgrind_flow.py" /usr/bin/python3 "$here/integration/valgrind_flow.py" "$dir/tvc"
    # Fault injection: hostile answers, network, disk full, torn journals, shared state.
    [ -n "$tvc_native" ] && run_one "$dir/tvc: tests/integration/test_faults.py" \
        /usr/bin/python3 "$here/integration/test_faults.py" "$dir/tvc"
    # The whole flow through a real nginx (TLS, proxy framing, Range from its files).
    # A build linked with mbedTLS 3.6 (make MBEDTLS=3.6: its libraries in
    # $dir/mbedtls) must negotiate TLS 1.3 with nginx.
    nginx_tls=""
    [ -f "$dir/mbedtls/libmbedtls.a" ] && nginx_tls="--expect-tls TLSv1.3"
    # shellcheck disable=SC2086
    [ -n "$tvc_native" ] && run_one "$dir/tvc: tests/integration/test_nginx.py" \
        /usr/bin/python3 "$here/integration/test_nginx.py" "$dir/tvc" $nginx_tls
    # Line and branch coverage of src/ from what ran above (make coverage-build).
    ls "$dir"/src/*.gcno >/dev/null 2>&1 && run_one "$dir: tests/coverage.py" /usr/bin/python3 "$here/coverage.py" "$dir"
    # The core unit tests on the emulated Cortex-M4 (BOARD=cortex-m4).
    [ -f "$dir/fw/tests.elf" ] && run_one "$dir/fw/tests.elf: tests/firmware/run_qemu_tests.sh" \
        sh "$here/firmware/run_qemu_tests.sh" "$dir/fw/tests.elf"
    # The LAN9118 driver, lwIP and the lwIP port on the emulated board,
    # against a server on the host's loopback (QEMU's user network).
    [ -f "$dir/fw/net_test.elf" ] && run_one "$dir/fw/net_test.elf: tests/firmware/run_net_test.sh" \
        sh "$here/firmware/run_net_test.sh" "$dir/fw/net_test.elf"
    # libtvc's TLS glue over mbedTLS 3.6 on the emulated Cortex-M4, no network.
    [ -f "$dir/fwtls/tls_smoke.elf" ] && run_one "$dir/fwtls/tls_smoke.elf: tests/firmware/run_tls_smoke.sh" \
        sh "$here/firmware/run_tls_smoke.sh" "$dir/fwtls/tls_smoke.elf"
    # The whole flow over TLS on lwIP on the emulated board, against the simulator.
    [ -f "$dir/fwflow/flow.elf" ] && run_one "$dir/fwflow/flow.elf: tests/firmware/run_flow.sh" \
        sh "$here/firmware/run_flow.sh" "$dir/fwflow/flow.elf"
    # The port conformance kit on the lwIP port on the emulated board,
    # against tests/conformance/conf_peer.py on the host's loopback.
    [ -f "$dir/fwconf/conformance.elf" ] && run_one "$dir/fwconf/conformance.elf: tests/conformance/run_fw_conformance.sh" \
        sh "$here/conformance/run_fw_conformance.sh" "$dir/fwconf/conformance.elf"
done
# Resume at boot: make install's systemd unit and init script finish a killed
# job (once, with the first build directory's tvc).
[ "${TVC_RUN_LANE:-1}" = 1 ] && [ -x "${1:-}/tvc" ] && run_one "$1/tvc: tests/integration/test_boot_resume.py" \
    /usr/bin/python3 "$here/integration/test_boot_resume.py" "$1"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
