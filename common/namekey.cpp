#include "namekey.h"

#include <unicode/unorm2.h>
#include <unicode/uspoof.h>

#include <memory>
#include <utility>

namespace chat::proto {

namespace {

// Rounds of case folding and skeleton at most; a bound so that no input can loop.
constexpr int kMaxRounds = 8;

struct SpoofCheckerCloser
{
    void operator()(USpoofChecker *checker) const { uspoof_close(checker); }
};

// Opened once, on first use (a function-local static is initialised once even when several
// threads arrive together). uspoof_getSkeleton() takes a const checker, which ICU documents as
// safe to call from many threads at once, so no lock is needed.
const USpoofChecker *spoofChecker()
{
    static const std::unique_ptr<USpoofChecker, SpoofCheckerCloser> checker = [] {
        UErrorCode status = U_ZERO_ERROR;
        USpoofChecker *opened = uspoof_open(&status);
        if (U_FAILURE(status)) {
            qWarning("accountNameKey: cannot open ICU's spoof checker: %s", u_errorName(status));
            uspoof_close(opened);
            opened = nullptr;
        }
        return std::unique_ptr<USpoofChecker, SpoofCheckerCloser>(opened);
    }();
    return checker.get();
}

const UChar *icuText(const QString &text)
{
    return reinterpret_cast<const UChar *>(text.utf16());
}

UChar *icuBuffer(QString &text)
{
    return reinterpret_cast<UChar *>(text.data());
}

// Calls an ICU function that writes UTF-16 into a buffer: first with a guess of the size, again
// with the size it asked for when the guess was too small.
template<typename Fill> QString fromIcu(qsizetype guess, Fill fill)
{
    QString out(guess, Qt::Uninitialized);
    UErrorCode status = U_ZERO_ERROR;
    int32_t length = fill(icuBuffer(out), int32_t(out.size()), &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
        out.resize(length);
        status = U_ZERO_ERROR;
        length = fill(icuBuffer(out), int32_t(out.size()), &status);
    }
    if (U_FAILURE(status))
        return {};
    out.resize(length);
    return out;
}

} // namespace

QString accountNameKey(const QString &name)
{
    if (name.isEmpty())
        return {};
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfkcCasefold = unorm2_getNFKCCasefoldInstance(&status);
    const USpoofChecker *checker = spoofChecker();
    if (U_FAILURE(status) || !checker)
        return {};

    const auto foldCase = [&](const QString &text) {
        return fromIcu(text.size() + 8, [&](UChar *dest, int32_t capacity, UErrorCode *s) {
            return unorm2_normalize(nfkcCasefold, icuText(text), int32_t(text.size()), dest,
                                    capacity, s);
        });
    };
    const auto skeleton = [&](const QString &text) {
        // The type argument has been ignored since ICU 58.
        return fromIcu(text.size() + 8, [&](UChar *dest, int32_t capacity, UErrorCode *s) {
            return uspoof_getSkeleton(checker, 0, icuText(text), int32_t(text.size()), dest,
                                      capacity, s);
        });
    };

    const QString folded = foldCase(name);
    if (folded.isEmpty())
        return {}; // nothing but ignorable characters, or ICU failed
    QString key = skeleton(folded);
    // Some prototypes of the skeleton are capitals ("0" becomes "O", Cherokee "Ꭺ" becomes "A"),
    // which one round leaves apart from "o" and "a". So fold and take the skeleton again until
    // nothing changes: with ICU 72, every single code point settles after at most three rounds.
    for (int round = 1; round < kMaxRounds && !key.isEmpty(); ++round) {
        QString next = skeleton(foldCase(key));
        if (next == key)
            break;
        key = std::move(next);
    }
    return key;
}

bool accountNamesCollide(const QString &a, const QString &b)
{
    const QString keyA = accountNameKey(a);
    return !keyA.isEmpty() && keyA == accountNameKey(b);
}

} // namespace chat::proto
