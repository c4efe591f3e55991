#!/usr/bin/env bash
# Brings translations/*.ts up to date with the desktop client's tr() strings (client/ and
# client/app/), then says what is left to translate. The source text is English; the _en file
# holds only the English plural forms ("1 second", "2 seconds") of the %n strings. Translate in Qt Linguist (`linguist`,
# Debian: linguist-qt6) or in the XML; the build turns the .ts into the .qm the program embeds.
#   scripts/update-translations.sh
# No line numbers are kept (-locations none) and removed strings are dropped (-no-obsolete), so
# the file only changes where a string does; lupdate orders it by context.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bins=$(qtpaths6 --query QT_HOST_BINS 2>/dev/null || echo /usr/lib/qt6/bin)
lupdate=${LUPDATE:-$bins/lupdate}
[ -x "$lupdate" ] || { echo "lupdate not found: install qt6-l10n-tools." >&2; exit 1; }

cd "$root"
for ts in translations/chat-client_*.ts; do
    only=()
    [ "$ts" = translations/chat-client_en.ts ] && only=(-pluralonly)
    "$lupdate" -silent -locations none -no-obsolete ${only[@]+"${only[@]}"} -extensions cpp,h \
        client -ts "$ts"
    unfinished=$(grep -c 'type="unfinished"' "$ts" || true)
    echo "$ts: $unfinished unfinished"
done
