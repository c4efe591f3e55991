// chat-server's command-line options for facing the internet: access (--registration,
// --allow-origin, --cert/--key), deadlines and limits. main.cpp adds them to its parser; every
// default is the HubConfig default and shows in --help. docs/security.md explains each one.
#pragma once

#include "hubconfig.h"

#include <QCommandLineOption>
#include <QList>

QT_BEGIN_NAMESPACE
class QCommandLineParser;
QT_END_NAMESPACE

namespace chat::server {

class SecurityOptions
{
public:
    SecurityOptions();

    void addTo(QCommandLineParser *parser) const;
    // Fills the hardening and account fields of `config`, reading the certificate and key files.
    // Returns an empty string on success, else an error message that names the option.
    [[nodiscard]] QString apply(const QCommandLineParser &parser, HubConfig *config) const;
    // Worth saying on stderr at start-up, but no reason to refuse.
    [[nodiscard]] const QStringList &warnings() const { return m_warnings; }

private:
    explicit SecurityOptions(const HubConfig &defaults); // the defaults shown in --help

    QCommandLineOption m_tokenFile; // removed: refused with a sentence that says what replaces it
    QCommandLineOption m_registration;
    QCommandLineOption m_maxRegistrations;
    QCommandLineOption m_tokenExpiryDays;
    QCommandLineOption m_hashWorkers;
    QCommandLineOption m_cert;
    QCommandLineOption m_key;
    QCommandLineOption m_allowOrigin;
    QCommandLineOption m_pingInterval;
    QCommandLineOption m_handshakeTimeout;
    QCommandLineOption m_helloTimeout;
    QCommandLineOption m_maxMessageBytes;
    QCommandLineOption m_rate;
    QCommandLineOption m_burst;
    QCommandLineOption m_maxConnections;
    QCommandLineOption m_maxPerIp;
    QCommandLineOption m_maxOutboxBytes;
    QCommandLineOption m_maxBytesRate;
    QCommandLineOption m_maxWelcomeBytes;
    QCommandLineOption m_maxAddressBytesRate;
    mutable QStringList m_warnings;
};

} // namespace chat::server
