<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ErrorText</name>
    <message numerus="yes">
        <source>Too many attempts; try again in %n second(s).</source>
        <translation>
            <numerusform>Too many attempts; try again in %n second.</numerusform>
            <numerusform>Too many attempts; try again in %n seconds.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>chat::client::ConnectionController</name>
    <message numerus="yes">
        <source>%n ms</source>
        <translation>
            <numerusform>%n ms</numerusform>
            <numerusform>%n ms</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n second</numerusform>
            <numerusform>%n seconds</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n second(s)…</source>
        <translation>
            <numerusform>Reconnecting in %n second…</numerusform>
            <numerusform>Reconnecting in %n seconds…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n second(s) — %1</source>
        <translation>
            <numerusform>Reconnecting in %n second — %1</numerusform>
            <numerusform>Reconnecting in %n seconds — %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>chat::client::ConversationPane</name>
    <message numerus="yes">
        <source>%n new message(s) ↓</source>
        <translation>
            <numerusform>%n new message ↓</numerusform>
            <numerusform>%n new messages ↓</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n member</numerusform>
            <numerusform>%n members</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n member(s)</source>
        <translation>
            <numerusform>%1 · %n member</numerusform>
            <numerusform>%1 · %n members</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>chat::client::TrayIcon</name>
    <message numerus="yes">
        <source>Chat: %n unread</source>
        <translation>
            <numerusform>Chat: %n unread</numerusform>
            <numerusform>Chat: %n unread</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>chat::client::TypingTracker</name>
    <message numerus="yes">
        <source>%n people are typing…</source>
        <translation>
            <numerusform>%n person is typing…</numerusform>
            <numerusform>%n people are typing…</numerusform>
        </translation>
    </message>
</context>
</TS>
