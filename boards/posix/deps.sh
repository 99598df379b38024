#!/bin/sh
# Make sure the Debian packages libtvc builds (and tests) with are present.
# usage: deps.sh build|demo|test|cross|src|fwdemo|fuzz|bench|linux-cross CC
#   fuzz: what the libFuzzer harnesses need (CC is clang): clang's fuzzer
#   runtime (libclang-rt-14-dev); test checks it too.
#   cross: the Cortex-M toolchain (CC is the cross compiler) and the host's
#   jsmn header it is given; test checks the cross toolchain too (make test
#   builds BOARD=cortex-m4) and QEMU, which runs its firmware test image.
#   src: what boards/fetch-src.sh needs to unpack Debian source packages
#   (dpkg-source and the decompressors).
#   linux-cross: an ARM Linux cross compiler (CC is arm-linux-gnueabihf-gcc or
#   aarch64-linux-gnu-gcc) with its static C library, the host's jsmn header
#   copied for it, and qemu-user, which runs its programs (test checks both
#   too: make test builds and runs BOARD=linux-armhf and linux-aarch64).
#   fwdemo: what make demo BOARD=cortex-m4 runs besides the cross build:
#   QEMU, openssl and python3 (the simulator).
# Installs what is missing when run as root on a Debian system; otherwise
# stops and prints the exact command to run.
set -u
what=${1:-build}
cc=${2:-cc}

pkgs=""
# Build: mbedTLS and jsmn headers, found by the compiler that will use them.
have_header() { printf '#include <%s>\n' "$1" | $cc -E -x c - >/dev/null 2>&1; }
if [ "$what" = fwdemo ]; then
    : # the cross build checks its own (deps.sh cross)
elif [ "$what" = cross ] || [ "$what" = linux-cross ]; then
    # jsmn's one header is found by the host compiler and copied for the
    # cross build (the portable core includes no mbedTLS header)
    printf '#include <jsmn.h>\n' | cc -E -x c - >/dev/null 2>&1 || pkgs="$pkgs libjsmn-dev"
else
    [ "$what" = src ] || have_header mbedtls/ssl.h || pkgs="$pkgs libmbedtls-dev"
    [ "$what" = src ] || have_header jsmn.h || pkgs="$pkgs libjsmn-dev"
fi
if [ "$what" = src ]; then
    command -v dpkg-source >/dev/null 2>&1 || pkgs="$pkgs dpkg-dev"
    command -v xz >/dev/null 2>&1 || pkgs="$pkgs xz-utils"
    command -v bzip2 >/dev/null 2>&1 || pkgs="$pkgs bzip2"
fi
if [ "$what" = cross ] || [ "$what" = test ]; then
    xcc=arm-none-eabi-gcc
    [ "$what" = cross ] && xcc=$cc
    if ! command -v "$xcc" >/dev/null 2>&1; then
        pkgs="$pkgs gcc-arm-none-eabi libnewlib-arm-none-eabi"
    else
        # the C library headers the core uses, from newlib
        printf '#include <string.h>\n#include <stdint.h>\n' | "$xcc" -E -x c - >/dev/null 2>&1 \
            || pkgs="$pkgs libnewlib-arm-none-eabi"
    fi
fi
# ARM Linux: Debian's cross gcc and its C library (only recommended by the
# gcc package), static libc.a included; qemu-user runs the programs.
linux_cross() { # triplet debian-arch qemu-name
    if ! command -v "$1-gcc" >/dev/null 2>&1; then
        pkgs="$pkgs gcc-$1 libc6-dev-$2-cross"
    else
        [ -f "$("$1-gcc" -print-file-name=libc.a)" ] || pkgs="$pkgs libc6-dev-$2-cross"
    fi
    command -v "$3" >/dev/null 2>&1 || case " $pkgs " in *" qemu-user "*) ;; *) pkgs="$pkgs qemu-user" ;; esac
}
if [ "$what" = linux-cross ]; then
    case $cc in
    *aarch64-linux-gnu-gcc) linux_cross aarch64-linux-gnu arm64 qemu-aarch64 ;;
    *arm-linux-gnueabihf-gcc) linux_cross arm-linux-gnueabihf armhf qemu-arm ;;
    *) # another toolchain (CROSS_COMPILE=...): the user's own, not installed here
       command -v "$cc" >/dev/null 2>&1 || { echo "libtvc: $cc not found" >&2; exit 1; } ;;
    esac
fi
if [ "$what" = test ]; then
    linux_cross arm-linux-gnueabihf armhf qemu-arm
    linux_cross aarch64-linux-gnu arm64 qemu-aarch64
fi
if [ "$what" = test ] || [ "$what" = demo ] || [ "$what" = fwdemo ]; then
    command -v openssl >/dev/null 2>&1 || pkgs="$pkgs openssl"
    [ -x /usr/bin/python3 ] || pkgs="$pkgs python3"
fi
if [ "$what" = test ]; then
    command -v clang >/dev/null 2>&1 || pkgs="$pkgs clang"
    # gcc's sanitizer runtimes
    printf 'int main(void){return 0;}\n' | $cc -fsanitize=address,undefined -x c - -o /dev/null >/dev/null 2>&1 \
        || pkgs="$pkgs libasan8 libubsan1"
    # test_http_live runs its own nginx on free ports (never the system service)
    [ -x /usr/sbin/nginx ] || pkgs="$pkgs nginx"
fi
if [ "$what" = test ] || [ "$what" = fwdemo ]; then
    # the Cortex-M4 firmware images run on QEMU's mps2-an386
    command -v qemu-system-arm >/dev/null 2>&1 || pkgs="$pkgs qemu-system-arm"
fi
if [ "$what" = test ]; then
    # make coverage (gcovr), the valgrind run of the flow, make check-static
    command -v gcovr >/dev/null 2>&1 || pkgs="$pkgs gcovr"
    command -v valgrind >/dev/null 2>&1 || pkgs="$pkgs valgrind"
    command -v cppcheck >/dev/null 2>&1 || pkgs="$pkgs cppcheck"
    command -v clang-tidy >/dev/null 2>&1 || pkgs="$pkgs clang-tidy"
fi
if [ "$what" = test ] || [ "$what" = fuzz ]; then
    # libFuzzer harnesses (make fuzz; make test runs them briefly): clang and
    # its sanitizer and fuzzer runtimes
    fcc=clang
    [ "$what" = fuzz ] && fcc=$cc
    command -v "$fcc" >/dev/null 2>&1 || pkgs="$pkgs clang"
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n ? 0 : 0; }\n' \
        | "$fcc" -fsanitize=fuzzer,address,undefined -x c - -o /dev/null >/dev/null 2>&1 \
        || pkgs="$pkgs libclang-rt-14-dev"
    [ "$what" = fuzz ] && { command -v openssl >/dev/null 2>&1 || pkgs="$pkgs openssl"; }
fi
if [ "$what" = bench ]; then
    # make bench: what make test needs (the Cortex-M4 rows build and run the
    # firmware), plus the alternatives it measures beside libtvc: curl, and
    # Debian's http-parser; valgrind counts the parsers' instructions
    sh "$0" test "$cc" || exit 1
    command -v curl >/dev/null 2>&1 || pkgs="$pkgs curl"
    command -v valgrind >/dev/null 2>&1 || pkgs="$pkgs valgrind"
    have_header http_parser.h || pkgs="$pkgs libhttp-parser-dev"
fi
[ -z "$pkgs" ] && exit 0

cmd="apt-get install -y --no-install-recommends$pkgs"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "libtvc: missing:$pkgs (no apt-get here: install the equivalents by hand)" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "libtvc: missing Debian packages:$pkgs" >&2
    echo "run as root:  apt-get update && $cmd" >&2
    exit 1
fi
echo "libtvc: installing$pkgs" >&2
export DEBIAN_FRONTEND=noninteractive
# The nginx package would start and enable a system nginx on port 80 (and
# fail to install if port 80 is taken).  The tests only need the binary, so
# while installing it the Debian policy-rc.d interface denies service starts
# (unless the machine already has a policy), and the unit is disabled after.
policy=""
case " $pkgs " in
*" nginx "*)
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        trap 'rm -f "$policy"' EXIT
        printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy"
    fi ;;
esac
apt-get update -qq >/dev/null 2>&1 || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $pkgs >/dev/null || $cmd
rc=$?
case " $pkgs " in
*" nginx "*)
    # (--now stops one that an existing policy let start)
    if command -v systemctl >/dev/null 2>&1; then
        systemctl disable --now nginx >/dev/null 2>&1
    elif command -v update-rc.d >/dev/null 2>&1; then
        update-rc.d nginx disable >/dev/null 2>&1
        invoke-rc.d nginx stop >/dev/null 2>&1
    fi
    echo "libtvc: installed nginx for the tests; its system service is left stopped and disabled" >&2 ;;
esac
exit $rc
