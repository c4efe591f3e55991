#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite headless.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# The browser and interop tests (tests/browser, tests/interop) also need Debian's Chromium and
# Node with npm; a Node that is already there is kept, whatever its origin.
test_packages=(chromium)
# The packaging test (tests/packaging) builds the .deb files (dpkg-dev: dpkg-shlibdeps) and
# checks them, the desktop metadata and the unit (systemd-analyze).
test_packages+=(dpkg-dev lintian desktop-file-utils appstream systemd file man-db)
# tst_notifierdbus starts a private session bus for a fake notification service.
test_packages+=(dbus-daemon)
# The cluster test (tests/cluster) puts nodes behind Debian's nginx, running
# deploy/nginx/chat-cluster.conf.
test_packages+=(nginx-light)
# The PostgreSQL tests (tests/support/postgresserver.h) make a throw-away cluster with initdb and
# run it as the postgres user.
test_packages+=(postgresql)
command -v node >/dev/null || test_packages+=(nodejs)
command -v npm >/dev/null || test_packages+=(npm)
"$root/scripts/install-deps.sh" "${test_packages[@]}"
# Their npm packages (playwright-core, ws), exactly as the committed lock file names them.
(cd "$root/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
"$root/scripts/build.sh"
cd "${BUILD_DIR:-$root/build}"
QT_QPA_PLATFORM=offscreen ctest --output-on-failure --parallel 2 --timeout 300
