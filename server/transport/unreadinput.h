// What a peer sent that the server has not read yet. A deadline that passes while such input
// waits means the server was busy (a storm of connections), not that the peer was slow: the
// hello and handshake deadlines give those a few more rounds.
#pragma once

#include <QtGlobal>

class QTcpSocket;

namespace chat::server {

// Bytes in the kernel's receive queue of `socket`, not yet read into QTcpSocket (0 where the
// system cannot tell).
[[nodiscard]] qint64 unreadInKernel(const QTcpSocket *socket);

// An HTTP request head that arrived whole and waits, in QTcpSocket's buffer or the kernel, for
// the server to process it. A head still arriving (a peer sending it slowly) is not one.
[[nodiscard]] bool requestWaitsForUs(QTcpSocket *socket);

} // namespace chat::server
