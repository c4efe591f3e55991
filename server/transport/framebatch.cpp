#include "transport/framebatch.h"

namespace chat::server {

namespace {

// RFC 6455 5.2: FIN + text opcode, then the payload length in 7, 7+16 or 7+64 bits. A server's
// frames are not masked.
void appendFrameHeader(QByteArray &out, qsizetype size)
{
    out.append(char(0x81));
    if (size < 126) {
        out.append(char(size));
    } else if (size <= 0xFFFF) {
        out.append(char(126));
        out.append(char((size >> 8) & 0xFF));
        out.append(char(size & 0xFF));
    } else {
        out.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(size) >> shift) & 0xFF));
    }
}

} // namespace

void FrameBatch::append(const QByteArray &json)
{
    m_json.append(json);
    appendFrameHeader(m_wire, json.size());
    m_wire.append(json);
    m_texts.clear();
}

const QList<QString> &FrameBatch::texts() const
{
    if (m_texts.size() != m_json.size()) {
        m_texts.clear();
        m_texts.reserve(m_json.size());
        for (const QByteArray &json : m_json)
            m_texts.append(QString::fromUtf8(json));
    }
    return m_texts;
}

void FrameBatch::clear()
{
    m_json.clear();
    m_wire.resize(0); // keeps its capacity, unlike clear(): the next batch is likely as large
    m_texts.clear();
}

} // namespace chat::server
