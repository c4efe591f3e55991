// Asks for the server address and nickname, remembering both with QSettings. The address may be
// given as host:port, the page's http:// URL and so on (serverurl.h).
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

    // Offers this address instead of the last one (chat-client --url without --nick), as given:
    // a problem with it shows when Connect is pressed. The nickname has the focus.
    void setServerAddress(const QString &address);
    // Offers this nickname instead of the last one; the address has the focus.
    void setNick(const QString &nick);

    // The address as a ws:// or wss:// URL; invalid while the field holds no usable address.
    [[nodiscard]] QUrl serverUrl() const;
    [[nodiscard]] QString nick() const;
    [[nodiscard]] QString token() const; // empty: the server needs none
    void setError(const QString &message);

    void accept() override;

    // What the dialog offers next time; accept() calls it, and chat-client for --url and --nick.
    static void remember(const QUrl &url, const QString &nick);

private:
    QLineEdit *m_url;
    QLineEdit *m_nick;
    QLineEdit *m_token;
    QLabel *m_error;
};

} // namespace chat::client
