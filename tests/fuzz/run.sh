#!/bin/sh
# Run every libFuzzer harness of a build directory for N seconds each, from
# its seed corpus (BUILD/fuzz/corpus/<harness>/, made by make_corpus.py from
# the unit tests' vectors) and what earlier runs kept (BUILD/fuzz/work/).  A harness passes when
# libFuzzer found no crash, no sanitizer report and no violated property.
# Prints one line per harness and the closing line "N passed, N failed".
# usage: run.sh BUILD_FUZZ_DIR SECONDS
set -u
dir=$(cd "$1" && pwd) || exit 1
secs=$2
here=$(cd "$(dirname "$0")" && pwd)
# (fuzz_tls makes the test PKI with tests/certs.sh)
TVC_TEST_DIR=$(cd "$here/.." && pwd)
export TVC_TEST_DIR
pass=0
fail=0
mkdir -p "$dir/work" "$dir/findings"
for bin in "$dir"/fuzz_*; do
    [ -x "$bin" ] || continue
    case "$bin" in *.o|*.d) continue ;; esac
    name=$(basename "$bin")
    work="$dir/work/$name"
    mkdir -p "$work"
    seeds="$dir/corpus/$name"
    [ -d "$seeds" ] || seeds=""
    log="$dir/work/$name.log"
    # -timeout: one input may not take 10 s; -rss_limit_mb: nor 1.5 GB
    (cd "$here/../.." && nice "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1536 \
        -print_final_stats=1 -artifact_prefix="$dir/findings/$name-" \
        "$work" $seeds) >"$log" 2>&1
    rc=$?
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    if [ "$rc" = 0 ]; then
        echo "ok   $name: ${runs:-?} runs in ${secs}s"
        pass=$((pass + 1))
    else
        tail -n 30 "$log"
        echo "FAIL $name: exit $rc, input kept in $dir/findings/ (log $log)"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
