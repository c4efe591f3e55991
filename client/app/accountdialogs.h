// The account's dialogs besides logging in: 我的设备 (the devices logged in, each with a button
// that ends it) and 修改密码. Both talk to the server through the connection controller.
#pragma once

#include "protocol.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QTreeWidget;

namespace chat::client {

class ConnectionController;

class DevicesDialog : public QDialog
{
    Q_OBJECT
public:
    explicit DevicesDialog(ConnectionController *controller, QWidget *parent = nullptr);

    // Asks the server for the list again.
    void refresh();
    [[nodiscard]] QList<proto::Device> devices() const { return m_devices; }
    // Ends one device (what its row's button does).
    void endDevice(const QString &deviceId);

private:
    void showDevices(const QList<proto::Device> &devices);
    void setError(const QString &message);

    ConnectionController *m_controller;
    QTreeWidget *m_list;
    QLabel *m_error;
    QString m_request; // the list or end_device awaiting its answer
    QList<proto::Device> m_devices;
};

class ChangePasswordDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ChangePasswordDialog(ConnectionController *controller, QWidget *parent = nullptr);
    ~ChangePasswordDialog() override;

    // Checks the fields, asks about an unencrypted connection, and sends the change; the dialog
    // closes when the server has answered yes.
    void accept() override;

private:
    void setError(const QString &message);

    ConnectionController *m_controller;
    QLineEdit *m_old;
    QLineEdit *m_new;
    QLineEdit *m_repeat;
    QLabel *m_error;
    QString m_request;
};

} // namespace chat::client
