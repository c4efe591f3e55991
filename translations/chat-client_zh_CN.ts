<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ErrorText</name>
    <message>
        <source>The server refused the connection (HTTP %1%2).</source>
        <translation>服务器拒绝了连接（HTTP %1%2）。</translation>
    </message>
    <message>
        <source>No server is running at this address (connection refused).</source>
        <translation>此地址上没有运行中的服务器（连接被拒绝）。</translation>
    </message>
    <message>
        <source>The server&apos;s host name was not found.</source>
        <translation>找不到服务器的主机名。</translation>
    </message>
    <message>
        <source>The network is unreachable.</source>
        <translation>网络不可达。</translation>
    </message>
    <message>
        <source>The server closed the connection.</source>
        <translation>服务器关闭了连接。</translation>
    </message>
    <message>
        <source>The server did not answer in time.</source>
        <translation>服务器未能及时应答。</translation>
    </message>
    <message>
        <source>The connection failed.</source>
        <translation>连接失败。</translation>
    </message>
    <message>
        <source>The connection failed: %1</source>
        <translation>连接失败：%1</translation>
    </message>
    <message>
        <source>The certificate is not trusted.</source>
        <translation>证书不受信任。</translation>
    </message>
    <message>
        <source>The certificate is not trusted: %1</source>
        <translation>证书不受信任：%1</translation>
    </message>
    <message>
        <source>The server could not understand the request.</source>
        <translation>服务器无法理解这个请求。</translation>
    </message>
    <message>
        <source>The server did not expect this request.</source>
        <translation>服务器没有预料到这个请求。</translation>
    </message>
    <message>
        <source>The server speaks another version of the chat protocol; update the program.</source>
        <translation>服务器使用另一版本的聊天协议，请更新程序。</translation>
    </message>
    <message>
        <source>The nickname cannot be used.</source>
        <translation>昵称不可用。</translation>
    </message>
    <message>
        <source>The nickname is taken.</source>
        <translation>昵称已被占用。</translation>
    </message>
    <message>
        <source>The message is too large.</source>
        <translation>消息太大。</translation>
    </message>
    <message>
        <source>Too much sent too fast; slow down.</source>
        <translation>发送得太快了，请慢一点。</translation>
    </message>
    <message>
        <source>This server does not allow that.</source>
        <translation>此服务器不允许这样做。</translation>
    </message>
    <message>
        <source>The server had a problem; try again.</source>
        <translation>服务器出现问题，请再试一次。</translation>
    </message>
    <message>
        <source>Wrong account name or password.</source>
        <translation>账号名或密码错误。</translation>
    </message>
    <message>
        <source>This login has ended or expired; log in with your password again.</source>
        <translation>登录已结束或已过期，请用密码重新登录。</translation>
    </message>
    <message>
        <source>The account name cannot be used.</source>
        <translation>账号名不可用。</translation>
    </message>
    <message>
        <source>The account name is taken (or looks the same as one that is).</source>
        <translation>账号名已被占用（或与已有的账号名看起来相同）。</translation>
    </message>
    <message>
        <source>The password is too short or too long.</source>
        <translation>密码太短或太长。</translation>
    </message>
    <message>
        <source>Registration is closed on this server: an administrator creates the accounts.</source>
        <translation>此服务器不开放注册：账号由管理员创建。</translation>
    </message>
    <message>
        <source>The invite code is missing, unknown, used up or expired.</source>
        <translation>邀请码缺失、无效、已用完或已过期。</translation>
    </message>
    <message numerus="yes">
        <source>Too many attempts; try again in %n second(s).</source>
        <translation>
            <numerusform>尝试次数过多，请 %n 秒后再试。</numerusform>
        </translation>
    </message>
    <message>
        <source>Too many attempts; try again later.</source>
        <translation>尝试次数过多，请稍后再试。</translation>
    </message>
    <message>
        <source>The server is busy; try again in a moment.</source>
        <translation>服务器正忙，请稍后再试。</translation>
    </message>
    <message>
        <source>This account is disabled.</source>
        <translation>此账号已被停用。</translation>
    </message>
    <message>
        <source>The display name cannot be used.</source>
        <translation>显示名不可用。</translation>
    </message>
    <message>
        <source>That is not allowed.</source>
        <translation>不允许这样做。</translation>
    </message>
    <message>
        <source>There is no such room, or you are not in it.</source>
        <translation>没有这个房间，或你不在其中。</translation>
    </message>
    <message>
        <source>Join the room first.</source>
        <translation>请先加入这个房间。</translation>
    </message>
    <message>
        <source>Only the room&apos;s owner may do that.</source>
        <translation>只有房主可以这样做。</translation>
    </message>
    <message>
        <source>A room with this name exists.</source>
        <translation>已有同名的房间。</translation>
    </message>
    <message>
        <source>The room is private: a member must invite you.</source>
        <translation>这是私密房间：需要成员邀请你。</translation>
    </message>
    <message>
        <source>There is no such account, or it is not in this room.</source>
        <translation>没有这个账号，或对方不在这个房间里。</translation>
    </message>
    <message>
        <source>That is not possible in this room.</source>
        <translation>这个房间里不能这样做。</translation>
    </message>
    <message>
        <source>The limit of rooms this server allows is reached.</source>
        <translation>已达到此服务器允许的房间数上限。</translation>
    </message>
    <message>
        <source>The title or topic is too long or has control characters.</source>
        <translation>标题或话题太长或含有控制字符。</translation>
    </message>
    <message>
        <source>The text is empty, too long or has control characters.</source>
        <translation>内容为空、太长或含有控制字符。</translation>
    </message>
    <message>
        <source>The server refused the request.</source>
        <translation>服务器拒绝了请求。</translation>
    </message>
    <message>
        <source>The server refused the request: %1</source>
        <translation>服务器拒绝了请求：%1</translation>
    </message>
    <message>
        <source>%1 The server says: %2</source>
        <comment>a sentence for the error, then the server&apos;s words</comment>
        <translation>%1服务器说明：%2</translation>
    </message>
</context>
<context>
    <name>EventText</name>
    <message>
        <source>%1 (%2)</source>
        <comment>display name (account name)</comment>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 created the room</source>
        <translation>%1 创建了房间</translation>
    </message>
    <message>
        <source>%1 joined the room</source>
        <translation>%1 加入了房间</translation>
    </message>
    <message>
        <source>%1 left the room</source>
        <translation>%1 离开了房间</translation>
    </message>
    <message>
        <source>%1 invited %2 to the room</source>
        <translation>%1 邀请 %2 加入了房间</translation>
    </message>
    <message>
        <source>%1 removed %2 from the room</source>
        <translation>%1 把 %2 移出了房间</translation>
    </message>
    <message>
        <source>%1 cleared the topic</source>
        <translation>%1 清除了话题</translation>
    </message>
    <message>
        <source>%1 changed the topic to: %2</source>
        <translation>%1 把话题改为：%2</translation>
    </message>
    <message>
        <source>%1 cleared the title</source>
        <translation>%1 清除了标题</translation>
    </message>
    <message>
        <source>%1 changed the title to: %2</source>
        <translation>%1 把标题改为：%2</translation>
    </message>
    <message>
        <source>%1 made %2 the owner</source>
        <translation>%1 把房主移交给了 %2</translation>
    </message>
    <message>
        <source>%1 changed the room</source>
        <translation>%1 修改了房间</translation>
    </message>
</context>
<context>
    <name>ServerUrl</name>
    <message>
        <source>The server address “%1” %2</source>
        <translation>服务器地址“%1”%2</translation>
    </message>
    <message>
        <source>Enter the server&apos;s address, for example ws://host:8080/ or host:8080.</source>
        <translation>请输入服务器地址，例如 ws://host:8080/ 或 host:8080。</translation>
    </message>
    <message>
        <source>starts with %1://; a chat server&apos;s address starts with ws://, wss://, http:// or https://, or is just host:port.</source>
        <translation>以 %1:// 开头；聊天服务器的地址以 ws://、wss://、http:// 或 https:// 开头，或者只是 host:port。</translation>
    </message>
    <message>
        <source>has no valid port: give a number from 1 to 65535.</source>
        <translation>没有有效的端口：请给出 1 到 65535 之间的数字。</translation>
    </message>
    <message>
        <source>is not an address like host:8080 or ws://host:8080/.</source>
        <translation>不是 host:8080 或 ws://host:8080/ 这样的地址。</translation>
    </message>
    <message>
        <source>names no server: give a host, for example ws://host:8080/.</source>
        <translation>没有指明服务器：请给出主机，例如 ws://host:8080/。</translation>
    </message>
</context>
<context>
    <name>ValidationText</name>
    <message>
        <source>The nickname</source>
        <translation>昵称</translation>
    </message>
    <message>
        <source>The account name</source>
        <translation>账号名</translation>
    </message>
    <message>
        <source>The display name</source>
        <translation>显示名</translation>
    </message>
    <message>
        <source>The password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>The device name</source>
        <translation>设备名</translation>
    </message>
    <message>
        <source>The invite code</source>
        <translation>邀请码</translation>
    </message>
    <message>
        <source>The token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>The device id</source>
        <translation>设备编号</translation>
    </message>
    <message>
        <source>The message text</source>
        <translation>消息内容</translation>
    </message>
    <message>
        <source>The message id</source>
        <translation>消息编号</translation>
    </message>
    <message>
        <source>The room name</source>
        <translation>房间名</translation>
    </message>
    <message>
        <source>The title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>The topic</source>
        <translation>话题</translation>
    </message>
    <message>
        <source>The page size</source>
        <translation>每页条数</translation>
    </message>
    <message>
        <source>%1 is empty.</source>
        <translation>%1为空。</translation>
    </message>
    <message>
        <source>%1 has %2 characters; at most %3 are allowed.</source>
        <translation>%1有 %2 个字符，最多允许 %3 个。</translation>
    </message>
    <message>
        <source>%1 is longer than %2 characters.</source>
        <translation>%1超过 %2 个字符。</translation>
    </message>
    <message>
        <source>%1 has %2 characters; it needs at least %3.</source>
        <translation>%1只有 %2 个字符，至少需要 %3 个。</translation>
    </message>
    <message>
        <source>%1 is not valid Unicode.</source>
        <translation>%1不是有效的 Unicode 文本。</translation>
    </message>
    <message>
        <source>%1 contains an invisible character (%2) outside an emoji.</source>
        <translation>%1在表情符号之外含有不可见字符（%2）。</translation>
    </message>
    <message>
        <source>%1 contains an invisible or control character (%2).</source>
        <translation>%1含有不可见字符或控制字符（%2）。</translation>
    </message>
    <message>
        <source>%1 contains a control character (%2).</source>
        <translation>%1含有控制字符（%2）。</translation>
    </message>
    <message>
        <source>%1 has no visible character.</source>
        <translation>%1没有可见字符。</translation>
    </message>
    <message>
        <source>%1 contains two spaces in a row.</source>
        <translation>%1含有连续两个空格。</translation>
    </message>
    <message>
        <source>%1 may only hold printable ASCII characters without spaces.</source>
        <translation>%1只能包含可打印的 ASCII 字符，且不能有空格。</translation>
    </message>
    <message>
        <source>%1 may only hold a-z, 0-9, &apos;-&apos; and &apos;_&apos;.</source>
        <translation>%1只能包含 a-z、0-9、“-”和“_”。</translation>
    </message>
    <message>
        <source>A direct room&apos;s name is &quot;@&quot; and two account ids, the lower first, as in &quot;@3-17&quot;.</source>
        <translation>私聊房间的名称是“@”加两个账号编号，小的在前，例如“@3-17”。</translation>
    </message>
    <message>
        <source>%1 is %2; it must be from 1 to %3.</source>
        <translation>%1为 %2，必须在 1 到 %3 之间。</translation>
    </message>
</context>
<context>
    <name>chat::client::ChangePasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>After the change, all other devices are logged out.</source>
        <translation>修改后，其他设备都会退出登录。</translation>
    </message>
    <message>
        <source>Current password:</source>
        <translation>当前密码：</translation>
    </message>
    <message>
        <source>New password:</source>
        <translation>新密码：</translation>
    </message>
    <message>
        <source>Repeat it:</source>
        <translation>再输入一次：</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>修改</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Enter the current password.</source>
        <translation>请输入当前密码。</translation>
    </message>
    <message>
        <source>The new password needs %1 to %2 characters.</source>
        <translation>新密码需要 %1 到 %2 个字符。</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
    <message>
        <source>Not connected to the server; connect and try again.</source>
        <translation>未连接到服务器，请连接后再试。</translation>
    </message>
</context>
<context>
    <name>chat::client::ChatWindow</name>
    <message>
        <source>Keep running in the tray when closed</source>
        <translation>关闭窗口后在托盘中继续运行</translation>
    </message>
    <message>
        <source>Browse/create rooms</source>
        <translation>浏览/创建房间</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>聊天(&amp;C)</translation>
    </message>
    <message>
        <source>Co&amp;nnect to a server…</source>
        <translation>连接服务器(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Browse/create rooms…</source>
        <translation>浏览/创建房间(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出程序(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Room</source>
        <translation>房间(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Account</source>
        <translation>账号(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Log in…</source>
        <translation>登录(&amp;L)…</translation>
    </message>
    <message>
        <source>Set &amp;display name…</source>
        <translation>设置显示名(&amp;D)…</translation>
    </message>
    <message>
        <source>Change &amp;password…</source>
        <translation>修改密码(&amp;P)…</translation>
    </message>
    <message>
        <source>My d&amp;evices…</source>
        <translation>我的设备(&amp;E)…</translation>
    </message>
    <message>
        <source>Log &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <source>You were removed from the room: %1</source>
        <translation>你已被移出房间：%1</translation>
    </message>
    <message>
        <source>You left the room: %1</source>
        <translation>已离开房间：%1</translation>
    </message>
    <message>
        <source>Reading the stored login…</source>
        <translation>正在读取登录凭据…</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Chat — %1</source>
        <translation>聊天 — %1</translation>
    </message>
    <message>
        <source>The password was changed; the other devices were logged out.</source>
        <translation>密码已修改，其他设备已退出登录。</translation>
    </message>
    <message>
        <source>Set display name</source>
        <translation>设置显示名</translation>
    </message>
    <message>
        <source>Display name (shown next to the account name; empty clears it):</source>
        <translation>显示名（显示在账号名旁边，留空则清除）：</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The display name was not changed: %1</source>
        <translation>显示名未修改：%1</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Members %1 · online %2</source>
        <translation>成员 %1 · 在线 %2</translation>
    </message>
</context>
<context>
    <name>chat::client::ConnectDialog</name>
    <message>
        <source>Connect to a chat server</source>
        <translation>连接聊天服务器</translation>
    </message>
    <message>
        <source>host:8080, ws://host:8080/ or the web page&apos;s http:// address</source>
        <translation>host:8080、ws://host:8080/ 或网页的 http:// 地址</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>chat::client::ConnectionController</name>
    <message numerus="yes">
        <source>%n ms</source>
        <translation>
            <numerusform>%n 毫秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n second(s)…</source>
        <translation>
            <numerusform>%n 秒后重新连接…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n second(s) — %1</source>
        <translation>
            <numerusform>%n 秒后重新连接 — %1</numerusform>
        </translation>
    </message>
    <message>
        <source>The server closed the connection.</source>
        <translation>服务器关闭了连接。</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Offline: %1</source>
        <translation>离线：%1</translation>
    </message>
    <message>
        <source>Connected: %1</source>
        <translation>已连接：%1</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>已退出登录</translation>
    </message>
    <message>
        <source>Not connected to the server; connect and try again.</source>
        <translation>未连接到服务器，请连接后再试。</translation>
    </message>
    <message>
        <source>The server did not answer within %1.</source>
        <translation>服务器在 %1内没有应答。</translation>
    </message>
    <message>
        <source>The server stopped answering (nothing received for %1).</source>
        <translation>服务器已停止应答（%1内没有收到任何消息）。</translation>
    </message>
    <message>
        <source>The server did not confirm the logout: %1</source>
        <translation>服务器未确认退出登录：%1</translation>
    </message>
    <message>
        <source>Desktop · %1</source>
        <translation>桌面 · %1</translation>
    </message>
    <message>
        <source>Login needed</source>
        <translation>需要登录</translation>
    </message>
    <message>
        <source>The new password needs %1 to %2 characters.</source>
        <translation>新密码需要 %1 到 %2 个字符。</translation>
    </message>
    <message>
        <source>Choose a room first.</source>
        <translation>请先选择一个房间。</translation>
    </message>
    <message>
        <source>There is nothing to change.</source>
        <translation>没有要修改的内容。</translation>
    </message>
</context>
<context>
    <name>chat::client::Conversation</name>
    <message>
        <source>The message was not sent: %1</source>
        <translation>消息未能发送：%1</translation>
    </message>
    <message>
        <source>Unsent messages cannot be saved (%1); quitting now loses them.</source>
        <translation>未发送的消息无法保存（%1），现在退出会丢失。</translation>
    </message>
    <message>
        <source>The connection was lost before the server answered.</source>
        <translation>连接已断开，未收到服务器的答复。</translation>
    </message>
</context>
<context>
    <name>chat::client::ConversationPane</name>
    <message>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Write a message: Enter sends, Shift+Enter starts a new line</source>
        <translation>输入消息：回车发送，Shift+回车换行</translation>
    </message>
    <message numerus="yes">
        <source>%n new message(s) ↓</source>
        <translation>
            <numerusform>%n 条新消息 ↓</numerusform>
        </translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>复制链接</translation>
    </message>
    <message>
        <source>Quote</source>
        <translation>引用</translation>
    </message>
    <message>
        <source>Mention</source>
        <translation>提及</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Direct conversation with %1: it begins with the first message</source>
        <translation>与 %1 的私聊：发出第一条消息后开始</translation>
    </message>
    <message>
        <source>No room selected</source>
        <translation>未选择房间</translation>
    </message>
    <message>
        <source>Direct conversation with %1</source>
        <translation>与 %1 的私聊</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n 位成员</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n member(s)</source>
        <translation>
            <numerusform>%1 · %n 位成员</numerusform>
        </translation>
    </message>
    <message>
        <source>Send a direct message</source>
        <translation>发消息</translation>
    </message>
</context>
<context>
    <name>chat::client::DevicesDialog</name>
    <message>
        <source>My devices</source>
        <translation>我的设备</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <source>Logged in</source>
        <translation>登录时间</translation>
    </message>
    <message>
        <source>An ended device needs the password again to log in.</source>
        <translation>结束一台设备后，它需要重新输入密码才能登录。</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Not connected to the server: the devices cannot be read.</source>
        <translation>未连接到服务器，无法读取设备列表。</translation>
    </message>
    <message>
        <source>Not connected to the server: the device cannot be ended.</source>
        <translation>未连接到服务器，无法结束设备。</translation>
    </message>
    <message>
        <source>(unnamed)</source>
        <translation>（未命名）</translation>
    </message>
    <message>
        <source> (this device)</source>
        <translation>（本设备）</translation>
    </message>
    <message>
        <source>End</source>
        <translation>结束</translation>
    </message>
</context>
<context>
    <name>chat::client::EditRoomDialog</name>
    <message>
        <source>Change title/topic</source>
        <translation>修改标题/话题</translation>
    </message>
    <message>
        <source>empty shows the room name</source>
        <translation>留空则显示房间名</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <source>Topic:</source>
        <translation>话题：</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>chat::client::FileTokenVault</name>
    <message>
        <source>The login cannot be saved (%1); you will have to log in again next time.</source>
        <translation>登录凭据无法保存（%1），下次启动需要重新登录。</translation>
    </message>
</context>
<context>
    <name>chat::client::KeychainTokenVault</name>
    <message>
        <source>No system keychain was found; the login is kept in a file only you can read</source>
        <translation>未找到系统钥匙串，登录凭据保存在仅本用户可读的文件中</translation>
    </message>
</context>
<context>
    <name>chat::client::LoginDialog</name>
    <message>
        <source>The connection is not encrypted: the password would cross the network as plain text, where others may see it. Send it anyway?</source>
        <translation>连接未加密：密码会以明文经过网络，可能被他人看到。仍要发送吗？</translation>
    </message>
    <message>
        <source>Log in to the chat server</source>
        <translation>登录聊天服务器</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>optional: when the server needs an invitation</source>
        <translation>可选：服务器需要邀请时填写</translation>
    </message>
    <message>
        <source>optional: shown next to the account name</source>
        <translation>可选：显示在账号名旁边</translation>
    </message>
    <message>
        <source>Account name:</source>
        <translation>账号名：</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>Invite code:</source>
        <translation>邀请码：</translation>
    </message>
    <message>
        <source>Display name:</source>
        <translation>显示名：</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation>服务器：%1</translation>
    </message>
    <message>
        <source> (not encrypted)</source>
        <translation>（未加密）</translation>
    </message>
    <message>
        <source>Account name 1–%1 characters; password %2–%3 characters. After logging in this device keeps a login token; the password is not stored.</source>
        <translation>账号名 1–%1 个字符；密码 %2–%3 个字符。登录后本设备保存登录凭据，密码不会被保存。</translation>
    </message>
    <message>
        <source>After logging in this device keeps a login token; the password is not stored.</source>
        <translation>登录后本设备保存登录凭据，密码不会被保存。</translation>
    </message>
    <message>
        <source>Enter the password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <source>The password needs %1 to %2 characters.</source>
        <translation>密码需要 %1 到 %2 个字符。</translation>
    </message>
    <message>
        <source>The connection is not encrypted</source>
        <translation>连接未加密</translation>
    </message>
    <message>
        <source>Send anyway</source>
        <translation>仍然发送</translation>
    </message>
    <message>
        <source>Don&apos;t send</source>
        <translation>不发送</translation>
    </message>
</context>
<context>
    <name>chat::client::MemberListModel</name>
    <message>
        <source>%1 · owner</source>
        <translation>%1 · 房主</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
</context>
<context>
    <name>chat::client::MessageDelegate</name>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>sending…</source>
        <translation>发送中…</translation>
    </message>
    <message>
        <source>%1 · sending…</source>
        <translation>%1 · 发送中…</translation>
    </message>
</context>
<context>
    <name>chat::client::NotifierDBus</name>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
</context>
<context>
    <name>chat::client::RoomActions</name>
    <message>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <source>All messages</source>
        <translation>所有消息</translation>
    </message>
    <message>
        <source>Mentions only</source>
        <translation>仅提及我时</translation>
    </message>
    <message>
        <source>Nothing</source>
        <translation>不通知</translation>
    </message>
    <message>
        <source>&amp;Invite…</source>
        <translation>邀请(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Remove a member…</source>
        <translation>移除成员(&amp;R)…</translation>
    </message>
    <message>
        <source>Change &amp;title/topic…</source>
        <translation>修改标题/话题(&amp;T)…</translation>
    </message>
    <message>
        <source>Transfer &amp;ownership…</source>
        <translation>移交房主(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Leave</source>
        <translation>离开(&amp;L)</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <comment>what failed: why</comment>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Nobody else is in the room.</source>
        <translation>房间里没有其他成员。</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Invite</source>
        <translation>邀请</translation>
    </message>
    <message>
        <source>Who to invite to this room (account name):</source>
        <translation>邀请谁加入这个房间（账号名）：</translation>
    </message>
    <message>
        <source>Inviting failed</source>
        <translation>邀请失败</translation>
    </message>
    <message>
        <source>Invited %1</source>
        <translation>已邀请 %1</translation>
    </message>
    <message>
        <source>Remove a member</source>
        <translation>移除成员</translation>
    </message>
    <message>
        <source>Who to remove from the room:</source>
        <translation>把谁移出房间：</translation>
    </message>
    <message>
        <source>Removing failed</source>
        <translation>移除失败</translation>
    </message>
    <message>
        <source>Changing failed</source>
        <translation>修改失败</translation>
    </message>
    <message>
        <source>Transfer ownership</source>
        <translation>移交房主</translation>
    </message>
    <message>
        <source>Make this member the owner (you stay a member):</source>
        <translation>把房主移交给（你仍是成员）：</translation>
    </message>
    <message>
        <source>Transferring failed</source>
        <translation>移交失败</translation>
    </message>
    <message>
        <source>Leave the room</source>
        <translation>离开房间</translation>
    </message>
    <message>
        <source>Leave “%1”? To come back you join again (a private room needs someone to invite you).</source>
        <translation>离开“%1”？之后需要重新加入（私密房间需要别人邀请）。</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>离开</translation>
    </message>
    <message>
        <source>Leaving failed</source>
        <translation>离开失败</translation>
    </message>
    <message>
        <source>Send a direct message</source>
        <translation>发消息</translation>
    </message>
    <message>
        <source>Remove from the room</source>
        <translation>移出房间</translation>
    </message>
</context>
<context>
    <name>chat::client::RoomDelegate</name>
    <message>
        <source>%1: %2</source>
        <comment>sender: last message</comment>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>chat::client::RoomsDialog</name>
    <message>
        <source>Join</source>
        <translation>加入</translation>
    </message>
    <message>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <source>Private (joined by invitation only)</source>
        <translation>私密（只能通过邀请加入）</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <source>Browse/create rooms</source>
        <translation>浏览/创建房间</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>房间</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>话题</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>lowercase letters, digits, - and _, e.g. dev</source>
        <translation>小写字母、数字、- 和 _，如 dev</translation>
    </message>
    <message>
        <source>optional, e.g. Development</source>
        <translation>可选，如 开发组</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>Public rooms</source>
        <translation>公开房间</translation>
    </message>
    <message>
        <source>Create a room</source>
        <translation>创建房间</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <source>Topic:</source>
        <translation>话题：</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Cannot get the list of rooms: %1</source>
        <translation>无法获取房间列表：%1</translation>
    </message>
    <message>
        <source>Joined</source>
        <translation>已加入</translation>
    </message>
</context>
<context>
    <name>chat::client::TrayIcon</name>
    <message>
        <source>Show window</source>
        <translation>显示窗口</translation>
    </message>
    <message>
        <source>Mute all notifications</source>
        <translation>全部静音</translation>
    </message>
    <message>
        <source>Keep running in the tray</source>
        <translation>在托盘中继续运行</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message numerus="yes">
        <source>Chat: %n unread</source>
        <translation>
            <numerusform>聊天：%n 条未读</numerusform>
        </translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
</context>
<context>
    <name>chat::client::TypingTracker</name>
    <message numerus="yes">
        <source>%n people are typing…</source>
        <translation>
            <numerusform>%n 人正在输入…</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 typing…</source>
        <translation>%1 正在输入…</translation>
    </message>
    <message>
        <source>, </source>
        <comment>between the names of people typing</comment>
        <translation>、</translation>
    </message>
</context>
</TS>
