#include "translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QPointer>
#include <QTranslator>

namespace chat::client {

namespace {

// The .qm files qt_add_translations embeds (client/app/CMakeLists.txt).
const QString kOwnDirectory = QStringLiteral(":/i18n");

// Parented to the application, which deletes them at exit; replaced on every call.
QPointer<QTranslator> ownTranslator;
QPointer<QTranslator> qtTranslator;

void removeInstalled()
{
    for (QPointer<QTranslator> *translator : {&ownTranslator, &qtTranslator}) {
        if (!*translator)
            continue;
        QCoreApplication::removeTranslator(*translator);
        delete translator->data();
    }
}

QTranslator *loaded(const QString &fileName, const QString &directory)
{
    auto *translator = new QTranslator(QCoreApplication::instance());
    if (translator->load(fileName, directory))
        return translator;
    delete translator;
    return nullptr;
}

} // namespace

QString installTranslations(const QLocale &locale)
{
    removeInstalled();
    if (locale.language() != QLocale::Chinese) {
        // The source text, with its plural forms ("1 second", "2 seconds") from the _en file.
        ownTranslator = loaded(QStringLiteral("chat-client_en"), kOwnDirectory);
        if (ownTranslator)
            QCoreApplication::installTranslator(ownTranslator);
        return QStringLiteral("en");
    }
    ownTranslator = loaded(QStringLiteral("chat-client_zh_CN"), kOwnDirectory);
    if (!ownTranslator)
        return QStringLiteral("en");
    QCoreApplication::installTranslator(ownTranslator);
    // Qt's own strings (QDialogButtonBox's buttons, a line edit's context menu): Debian's
    // qt6-translations-l10n. Without it those stay English; ours still show.
    qtTranslator =
        loaded(QStringLiteral("qtbase_zh_CN"), QLibraryInfo::path(QLibraryInfo::TranslationsPath));
    if (qtTranslator)
        QCoreApplication::installTranslator(qtTranslator);
    return QStringLiteral("zh_CN");
}

QLocale localeForLanguage(const QString &language)
{
    const QLocale locale(language);
    // QLocale falls back to C for what it cannot parse; "C" itself is no language either.
    if (language.isEmpty() || locale.language() == QLocale::C)
        return QLocale::c();
    return locale;
}

} // namespace chat::client
