#!/bin/sh
# Fetch the third-party sources a bare-metal board builds, from Debian's
# source packages, and cache them unpacked under the build directory.
#
# usage: fetch-src.sh [-C cachedir] [name...]       (default: build/src, all)
#
#   name      suite     version   what
#   mbedtls   trixie    3.6.*     mbedTLS 3.6 LTS
#   lwip      bookworm  2.1.3*    lwIP 2.1.3
#
# Each one ends up in <cachedir>/<name>-<upstream version>/, with the link
# <cachedir>/<name> pointing at it (what the board's makefiles use).  A name
# already fetched is left alone, with no network use, so a second run does
# nothing.  Nothing is written outside <cachedir>: the deb-src entries (derived
# from this machine's own Debian sources list) and apt's lists and cache live
# in <cachedir>/apt/, and the machine's apt configuration is not changed.
# The only network peer is the Debian archive this machine already uses
# (or $TVC_DEBIAN_MIRROR, e.g. http://deb.debian.org/debian).
#
# Needs apt-get and dpkg-source (dpkg-dev); boards/posix/deps.sh src
# installs dpkg-dev and the decompressors when run as root.
set -eu

cache=build/src
while getopts C: opt; do
    case $opt in
    C) cache=$OPTARG ;;
    *) echo "usage: $0 [-C cachedir] [mbedtls|lwip]..." >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- mbedtls lwip

die() { echo "fetch-src: $*" >&2; exit 1; }

# The table: name suite version-pattern (a shell case pattern on the
# upstream version).
spec() {
    case $1 in
    mbedtls) echo "trixie 3.6.*" ;;
    lwip) echo "bookworm 2.1.3*" ;;
    *) return 1 ;;
    esac
}
for n in "$@"; do spec "$n" >/dev/null || die "unknown source '$n' (known: mbedtls lwip)"; done

# The upstream part of a Debian version: 1:3.6.6-0.1~deb13u1 -> 3.6.6
upstream() { v=${1#*:}; echo "${v%-*}"; }

# A name is cached when its link resolves to a tree with our stamp
# ("name version from Debian suite") of a version the table still wants.
cached() {
    [ -f "$cache/$1/.fetch-src" ] || return 1
    s=$(spec "$1"); read -r _ v _ < "$cache/$1/.fetch-src" || return 1
    # shellcheck disable=SC2254
    case $(upstream "$v") in ${s#* }) return 0 ;; esac
    return 1
}
todo=""
for n in "$@"; do
    if cached "$n"; then
        echo "fetch-src: $(cat "$cache/$n/.fetch-src") (cached in $cache/$(readlink "$cache/$n"))"
    else
        todo="$todo $n"
    fi
done
[ -n "$todo" ] || exit 0

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script fetches Debian source packages"
command -v dpkg-source >/dev/null 2>&1 || die "dpkg-source not found: install dpkg-dev (sh boards/posix/deps.sh src)"

# --- the Debian archive this machine uses -------------------------------
# The first enabled deb or deb-src entry for a main suite (a codename or
# stable/testing/..., not -security, -updates or -backports), from the
# deb822 .sources files and the one-line sources.list form alike.
# Prints "URI KEYRING" (KEYRING may be "-").
sl=/etc/apt/sources.list
sp=/etc/apt/sources.list.d
eval "$(apt-config shell sl Dir::Etc::sourcelist/f sp Dir::Etc::sourceparts/d)"

debian_archive() {
    {
        for f in "$sp"/*.sources; do [ -f "$f" ] && { cat "$f"; echo; }; done
    } | awk '
        function flush() {
            if (types ~ /(^|[ \t])deb(-src)?([ \t]|$)/ && tolower(enabled) != "no" && uris != "") {
                n = split(suites, s, /[ \t]+/)
                for (i = 1; i <= n; i++)
                    if (s[i] != "" && s[i] !~ /[-\/]/ && uris !~ /security/) {
                        split(uris, u, /[ \t]+/); k = (key ~ /^\// ? key : "-")
                        print u[1], k; found = 1; exit
                    }
            }
            types = uris = suites = key = enabled = ""
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        /^[A-Za-z-]+:/ {
            f = tolower($1); sub(/:$/, "", f); v = $0; sub(/^[^:]*:[ \t]*/, "", v)
            if (f == "types") types = v; else if (f == "uris") uris = v
            else if (f == "suites") suites = v; else if (f == "signed-by") key = v
            else if (f == "enabled") enabled = v
        }
        END { if (!found) flush() }'
    {
        [ -f "$sl" ] && cat "$sl"
        for f in "$sp"/*.list; do [ -f "$f" ] && cat "$f"; done
    } | awk '
        /^[ \t]*(deb|deb-src)[ \t]/ {
            key = "-"; line = $0
            if (match(line, /\[[^]]*\]/)) {
                opts = substr(line, RSTART + 1, RLENGTH - 2)
                line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
                if (match(opts, /signed-by=[^ \t]+/)) key = substr(opts, RSTART + 10, RLENGTH - 10)
            }
            split(line, w, /[ \t]+/); i = (w[1] == "" ? 2 : 1)
            uri = w[i + 1]; suite = w[i + 2]
            if (suite != "" && suite !~ /[-\/]/ && uri !~ /security/) { print uri, key; exit }
        }'
}

if [ -n "${TVC_DEBIAN_MIRROR:-}" ]; then
    uri=$TVC_DEBIAN_MIRROR; key=-
else
    found=$(debian_archive | head -n 1)
    uri=${found% *}; key=${found#* }
    [ -n "$found" ] || die "no Debian archive found in $sl or $sp/*.sources (set TVC_DEBIAN_MIRROR=http://deb.debian.org/debian)"
fi
case $uri in
http://*|https://*|file:/*) ;;
*) die "unsupported archive URI '$uri' (set TVC_DEBIAN_MIRROR)" ;;
esac
[ "$key" = - ] && [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] && key=/usr/share/keyrings/debian-archive-keyring.gpg
opt=""
[ "$key" != - ] && opt="[signed-by=$key] "

# --- one private apt state per source, under the cache ------------------
# (one per source, so that `make -j mbedtls lwip` can fetch both at once)
mkdir -p "$cache" || die "cannot create $cache"
shown=$cache
cache=$(cd "$cache" && pwd)      # apt wants absolute paths

for n in $todo; do
    s=$(spec "$n"); suite=${s% *}; want=${s#* }
    apt=$cache/apt/$n
    rm -rf "$apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$apt/dl" \
        || die "cannot create $apt"
    echo "deb-src ${opt}$uri $suite main" > "$apt/sources.list"
    aptopts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=$apt/sources.list.d
     -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache"
    # apt downloads as its unprivileged _apt user when run as root: let it
    # write where it downloads
    if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
        chown _apt "$apt/dl" 2>/dev/null || true
    fi

    echo "fetch-src: $n: Debian $suite source index from $uri"
    # shellcheck disable=SC2086
    apt-get -q $aptopts update >"$apt/update.log" 2>&1 \
        || { cat "$apt/update.log" >&2; die "apt-get update failed (log: $apt/update.log)"; }
    if grep -q '^[WE]:' "$apt/update.log"; then
        grep '^[WE]:' "$apt/update.log" >&2
        grep -q '^E:\|Failed to fetch' "$apt/update.log" \
            && die "could not read Debian $suite's source index from $uri (log: $apt/update.log)"
    fi

    # shellcheck disable=SC2086
    ver=$(apt-cache $aptopts showsrc --only-source "$n" 2>/dev/null | awk '/^Version:/ { print $2 }' |
        while read -r v; do
            # shellcheck disable=SC2254
            case $(upstream "$v") in $want) echo "$v"; break ;; esac
        done)
    [ -n "$ver" ] || die "Debian $suite carries no $n source matching $want (see apt-cache showsrc $n)"
    echo "fetch-src: $n: downloading $n $ver"
    # shellcheck disable=SC2086
    (cd "$apt/dl" && apt-get -q $aptopts source --download-only --only-source "$n=$ver") \
        >"$apt/source.log" 2>&1 \
        || { cat "$apt/source.log" >&2; die "apt-get source $n=$ver failed"; }
    dsc=""
    for f in "$apt/dl/${n}_"*.dsc; do [ -f "$f" ] && dsc=$f; done
    [ -n "$dsc" ] || die "apt-get source $n=$ver left no .dsc in $apt/dl"
    up=$(upstream "$ver"); dir=$n-${up%+dfsg*}
    # dpkg-source checks every file against the .dsc's checksums (apt has
    # checked the .dsc against the archive's signed index) and applies
    # Debian's patches; it unpacks beside the download, then the tree moves
    # into place whole.
    dpkg-source -q -x "$dsc" "$apt/$dir" >"$apt/unpack.log" 2>&1 \
        || { cat "$apt/unpack.log" >&2; die "dpkg-source -x $dsc failed"; }
    echo "$n $ver from Debian $suite" > "$apt/$dir/.fetch-src"
    rm -rf "${cache:?}/$dir"
    mv "$apt/$dir" "$cache/$dir" || die "cannot move $dir into $cache"
    ln -sfn "$dir" "$cache/$n" || die "cannot link $cache/$n"
    rm -rf "$apt/dl" "$apt"/*.orig.* "$apt/cache" "$apt/lists"
    echo "fetch-src: $(cat "$cache/$dir/.fetch-src") (unpacked in $shown/$dir)"
done
