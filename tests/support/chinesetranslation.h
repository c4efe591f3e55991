// Tests of what the desktop client shows check the Simplified Chinese its users see: the same
// translations the program installs (client/app/translations.h), loaded before any text is made.
#pragma once

namespace chat::test {

// Installs the zh_CN translations (ours and Qt's); false when ours could not be loaded. Call it
// in initTestCase: QVERIFY(installChineseTranslation()).
[[nodiscard]] bool installChineseTranslation();

} // namespace chat::test
