// Asks for the server address, remembering it with QSettings. The address may be given as
// host:port, the page's http:// URL and so on (serverurl.h). The account is asked for by the
// login dialog (logindialog.h).
#pragma once

#include <QDialog>
#include <QUrl>

class QLabel;
class QLineEdit;

namespace chat::client {

class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectDialog(QWidget *parent = nullptr);

    // Offers this address instead of the last one (chat-client --url), as given: a problem with
    // it shows when Connect is pressed.
    void setServerAddress(const QString &address);

    // The address as a ws:// or wss:// URL; invalid while the field holds no usable address.
    [[nodiscard]] QUrl serverUrl() const;
    void setError(const QString &message);

    void accept() override;

    // What the dialog offers next time; accept() calls it, and chat-client for --url.
    static void remember(const QUrl &url);
    [[nodiscard]] static QUrl rememberedUrl(); // invalid when none

private:
    QLineEdit *m_url;
    QLabel *m_error;
};

} // namespace chat::client
