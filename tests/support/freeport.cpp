#include "freeport.h"

#include <QHostAddress>
#include <QTcpServer>

namespace chat::test {

quint16 freePort()
{
    // Bound and released at once: the program binds it a moment later (another could take it in
    // between, which on a test machine does not happen in practice).
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

} // namespace chat::test
