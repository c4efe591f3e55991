#!/usr/bin/env bash
# The packaging of issue 12, end to end (registered as the CTest test `packaging`):
#   packaging.sh BUILD_DIR SOURCE_DIR VERSION APP_ID
# 1. the manual pages describe every option of the programs' --help;
# 2. desktop-file-validate and appstreamcli validate pass;
# 3. cpack makes chat-server_VERSION_*.deb and chat-client_VERSION_*.deb, with their Debian
#    dependencies, lintian finds no errors, and systemd-analyze verifies the unit;
# 4. as root (or with passwordless sudo), they install with apt-get on this machine, both
#    programs answer --version from /usr/bin, the files and the service's user are there, and
#    the purge (and removing that user) leaves the machine's package list as it was.
#    Otherwise that part is skipped (exit 77).
set -euo pipefail
build=$1 source=$2 version=$3 app_id=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
step() { echo "== [${SECONDS} s] $*"; } # the time so far: where a slow run spends it

for tool in cpack dpkg-deb dpkg-shlibdeps lintian desktop-file-validate appstreamcli \
    systemd-analyze man; do
    command -v "$tool" >/dev/null ||
        { echo "FAIL: $tool is missing (scripts/test.sh installs it)" >&2; exit 1; }
done

# --- 1. manual pages against --help ---------------------------------------------------------
# Every long option --help lists is in the page, as \-\-name (the page may say more).
check_manpage() { # PROGRAM PAGE
    local option
    # The options' column: "  -v, --version", "  --account, --nick <NAME>".
    for option in $(QT_QPA_PLATFORM=offscreen "$1" --help | grep -E '^  -' |
        awk -F'  +' '{ print $2 }' | grep -oE -- '--[a-z][a-z-]*'); do
        # \-\-retain, and not just as the start of \-\-retain\-days
        grep -qE -- "$(sed 's/-/\\\\-/g' <<<"$option")([^a-z\\\\]|\$)" "$2" ||
            fail "$(basename "$2") does not describe $option"
    done
}
step "manual pages cover --help"
check_manpage "$build/server/chat-server" "$source/packaging/man/chat-server.1"
check_manpage "$build/client/app/chat-client" "$source/packaging/man/chat-client.1"
for page in "$source"/packaging/man/*.1; do
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 \
        >/dev/null) || true
    [ -z "$warnings" ] || fail "$(basename "$page"): $warnings"
done

# --- 2. desktop entry and AppStream metadata ------------------------------------------------
step "desktop-file-validate, appstreamcli validate"
desktop-file-validate "$source/packaging/$app_id.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net --explain "$build/packaging/$app_id.metainfo.xml" ||
    fail "appstreamcli validate"

# --- 3. the packages --------------------------------------------------------------------------
step "cpack"
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
    { cat "$work/cpack.log"; echo "FAIL: cpack" >&2; exit 1; }
server_deb=$(echo "$work"/out/chat-server_"$version"_*.deb)
client_deb=$(echo "$work"/out/chat-client_"$version"_*.deb)
[ -f "$server_deb" ] && [ -f "$client_deb" ] ||
    { ls -l "$work/out" >&2; echo "FAIL: no chat-server/chat-client $version packages" >&2; exit 1; }

check_depends() { # DEB PACKAGE...
    local deb=$1 depends
    depends=$(dpkg-deb -f "$deb" Depends)
    shift
    for package in "$@"; do
        grep -qE "(^|, )$package( |,|$)" <<<"$depends" ||
            fail "$(basename "$deb") does not depend on $package: $depends"
    done
}
check_depends "$server_deb" libc6 libqt6core6 libqt6websockets6 libqt6sql6 libqt6sql6-sqlite \
    libsodium23
check_depends "$client_deb" libc6 libqt6widgets6 libqt6websockets6 libqt6keychain1 qt6-qpa-plugins

step "lintian"
# Errors only fail the test; the warnings are printed for whoever reads the log.
lintian --tag-display-limit 0 "$server_deb" "$client_deb" >"$work/lintian.log" 2>&1 || true
cat "$work/lintian.log"
! grep -q '^E: ' "$work/lintian.log" || fail "lintian reports errors"

step "systemd-analyze verify (the packaged unit, its program taken from the package)"
dpkg-deb -x "$server_deb" "$work/root"
unit=$work/root/usr/lib/systemd/system/chat-server.service
if [ -f "$unit" ]; then
    grep -q '^ExecStart=/usr/bin/chat-server ' "$unit" || fail "ExecStart is not /usr/bin/chat-server"
    mkdir -p "$work/unit"
    sed "s|^ExecStart=/usr/bin/chat-server |ExecStart=$work/root/usr/bin/chat-server |" "$unit" \
        >"$work/unit/chat-server.service"
    systemd-analyze verify --man=no "$work/unit/chat-server.service" ||
        fail "systemd-analyze verify"
else
    fail "no /usr/lib/systemd/system/chat-server.service in $(basename "$server_deb")"
fi

# --- 4. installed on this machine ----------------------------------------------------------
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        echo "SKIP: installing needs root or passwordless sudo; steps 1-3 passed" \
            "with $failures failures"
        [ "$failures" -eq 0 ] && exit 77 || exit 1
    fi
fi
for package in chat-server chat-client; do
    if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'installed'; then
        echo "SKIP: $package is installed on this machine already; not replacing it"
        [ "$failures" -eq 0 ] && exit 77 || exit 1
    fi
done

installed_packages() { dpkg-query -W -f='${Package}:${Architecture} ${Status}\n' | sort; }
installed_packages >"$work/before"
had_user=$(getent passwd chat-server || true) had_group=$(getent group chat-server || true)
apt_get() {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 -qq "$@"
}
# Whatever the test installed goes again, even when a check below stops it.
cleanup() {
    installed_packages >"$work/after"
    local added
    added=$(comm -13 "$work/before" "$work/after" | cut -d' ' -f1)
    # shellcheck disable=SC2086 # one word per package
    [ -z "$added" ] || apt_get purge -y $added >/dev/null
    installed_packages >"$work/after"
    # The package keeps the service's user on purge, as Debian does; the test made it, so it
    # removes it.
    if [ -z "$had_user" ] && getent passwd chat-server >/dev/null; then
        "${sudo[@]}" userdel chat-server
    fi
    if [ -z "$had_group" ] && getent group chat-server >/dev/null; then
        "${sudo[@]}" groupdel chat-server
    fi
    cmp -s "$work/before" "$work/after" ||
        { diff "$work/before" "$work/after" >&2; echo "FAIL: the package list changed" >&2; exit 1; }
    rm -rf "$work"
}
trap cleanup EXIT

step "apt-get install ./$(basename "$server_deb") ./$(basename "$client_deb")"
apt_get install -y --no-install-recommends "$server_deb" "$client_deb" >"$work/apt.log" 2>&1 ||
    { cat "$work/apt.log"; echo "FAIL: apt-get install" >&2; exit 1; }

step "--version of the installed programs (the client with no display)"
[ "$(/usr/bin/chat-server --version)" = "chat-server $version" ] ||
    fail "/usr/bin/chat-server --version: $(/usr/bin/chat-server --version 2>&1)"
client_version=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM /usr/bin/chat-client --version 2>&1) ||
    true
[ "$client_version" = "chat-client $version" ] || fail "/usr/bin/chat-client --version: $client_version"

step "installed files"
expected=(
    /usr/bin/chat-server /usr/bin/chat-client
    /usr/share/applications/"$app_id".desktop
    /usr/share/metainfo/"$app_id".metainfo.xml
    /usr/share/icons/hicolor/scalable/apps/"$app_id".svg
    /usr/share/man/man1/chat-server.1.gz /usr/share/man/man1/chat-client.1.gz
    /usr/lib/systemd/system/chat-server.service /usr/lib/sysusers.d/chat-server.conf
    /usr/share/doc/chat-server/copyright /usr/share/doc/chat-client/copyright
)
for size in 16 22 24 32 48 64 128 256; do
    png=/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png
    expected+=("$png")
    [ ! -f "$png" ] || file "$png" | grep -q "PNG image data, $size x $size," ||
        fail "$png is not a $size x $size PNG: $(file -b "$png")"
done
for path in "${expected[@]}"; do
    [ -f "$path" ] || fail "not installed: $path"
done
getent passwd chat-server | grep -q ':/var/lib/chat-server:/usr/sbin/nologin$' ||
    fail "no system user chat-server: $(getent passwd chat-server)"
[ "$(man -w chat-server)" = /usr/share/man/man1/chat-server.1.gz ] || fail "man -w chat-server"
desktop-file-validate /usr/share/applications/"$app_id".desktop || fail "installed .desktop"
# Now with its manual page looked up too (Documentation=man:chat-server(1)).
systemd-analyze verify /usr/lib/systemd/system/chat-server.service ||
    fail "systemd-analyze verify (installed)"

step "apt-get purge"
apt_get purge -y chat-server chat-client >"$work/apt.log" 2>&1 ||
    { cat "$work/apt.log"; fail "apt-get purge"; }
for path in "${expected[@]}"; do
    [ ! -e "$path" ] || fail "left after purge: $path"
done

echo "packaging: $failures failures in ${SECONDS} s"
[ "$failures" -eq 0 ]
