// Asks for the server address and nickname, remembering both with QSettings.
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

    [[nodiscard]] QUrl serverUrl() const;
    [[nodiscard]] QString nick() const;
    [[nodiscard]] QString token() const; // empty: the server needs none
    void setError(const QString &message);

    void accept() override;

private:
    QLineEdit *m_url;
    QLineEdit *m_nick;
    QLineEdit *m_token;
    QLabel *m_error;
};

// Checks what a person typed; returns an empty string when it is usable.
[[nodiscard]] QString checkServerUrl(const QUrl &url);

} // namespace chat::client
