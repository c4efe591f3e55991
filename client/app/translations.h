// The desktop client's language: our strings (translations/chat-client_*.ts, built into the
// program) and Qt's own (its dialogs' buttons, context menus), chosen from a locale. The source
// text is English; Simplified Chinese is the one translation.
#pragma once

#include <QLocale>
#include <QString>

namespace chat::client {

// Installs the translations for `locale` in the running application, replacing any installed
// before. Any Chinese locale gets Simplified Chinese (better than English for zh_TW readers
// too); every other language gets the English source text and Qt's English. Returns the
// language now shown: "zh_CN" or "en".
QString installTranslations(const QLocale &locale);

// The locale a --lang value names ("zh_CN", "zh", "en", "en_GB", …); QLocale::c() when it
// names no language.
[[nodiscard]] QLocale localeForLanguage(const QString &language);

} // namespace chat::client
