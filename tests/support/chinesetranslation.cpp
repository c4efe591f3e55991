#include "chinesetranslation.h"

#include "translations.h"

namespace chat::test {

bool installChineseTranslation()
{
    return chat::client::installTranslations(QLocale(QLocale::Chinese, QLocale::China)) == u"zh_CN";
}

} // namespace chat::test
