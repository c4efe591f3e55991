#!/usr/bin/env bash
# Installs the Debian packages the project needs to build, run and test, if any are missing.
# Uses sudo when not run as root. Safe to run again: it does nothing when all are present.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-qpa-plugins libqt6sql6-sqlite
    libqt6sql6-psql # Qt's PostgreSQL driver (QPSQL): --db postgresql://... (server/store/postgres*)
    libicu-dev # NFKC_Casefold and the confusable skeleton for account names (common/namekey.cpp)
    libsodium-dev # Argon2id for account passwords (server/passwordhasher.cpp)
    qtkeychain-qt6-dev # the desktop client's account tokens in the system keychain
    qt6-tools-dev qt6-l10n-tools # Qt6LinguistTools: lupdate, lrelease, qt_add_translations
    qt6-translations-l10n # Qt's own Chinese (qtbase_zh_CN.qm) for its dialogs and menus
    fonts-noto-cjk fonts-noto-color-emoji
    openssl # libssl for wss://, and the command the TLS tests make certificates with
    librsvg2-bin # rsvg-convert: the icon's PNG sizes, made from its SVG (packaging/install.cmake)
    libqt6svg6 # the SVG image plugin: the client draws its built-in icon (client/app/appidentity.h)
)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "Run as root or install sudo." >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
