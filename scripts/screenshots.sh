#!/usr/bin/env bash
# Takes the desktop window's screenshots in docs/ (README "Screenshots"):
#   screenshot-light.png      the window in Chinese (the system's language), light palette
#   screenshot-dark.png       the same with a dark system palette (qt6ct, Breeze Dark's colours)
#   screenshot-english.png    the same with --lang en
#   screenshot-formatting.png the room up close, with a draft in the input
#   screenshot-tray-menu.png  the tray icon with the unread total, and its menu, in icewm's tray
# How: a real chat-server on a free port with a temporary database; accounts and tokens made with
# its admin commands; a Chinese team's conversation sent through the protocol (Node with the ws
# package of tests/browser); then, as a SCREENSHOT FIXTURE ONLY, the stored times moved back over
# three days with sqlite3 while the server is stopped (no client can backdate a message, rightly);
# then chat-client under Xvfb in the icewm window manager, whose tray hosts the tray icon.
# Usage: [BUILD_DIR=build] [SCREENSHOT_DIR=docs] [SCREENSHOTS="light dark ..."] \
#            scripts/screenshots.sh [--no-build]
#   --no-build: use the programs in BUILD_DIR as they are. SCREENSHOTS: take only these.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
out=${SCREENSHOT_DIR:-$root/docs}
export TZ=${SCREENSHOT_TZ:-Asia/Shanghai} # the team's clock, for the day separators

# Screenshot-only tools (the build's and the fonts come from install-deps.sh itself).
tools=(xvfb xdotool xclip x11-utils imagemagick icewm qt6ct sqlite3 pngquant)
command -v node > /dev/null || tools+=(nodejs)
command -v npm > /dev/null || tools+=(npm)
"$root/scripts/install-deps.sh" "${tools[@]}"
[ "${1:-}" = --no-build ] ||
    BUILD_DIR=$build "$root/scripts/build.sh" --target chat-server chat-client
[ -d "$root/tests/browser/node_modules/ws" ] ||
    (cd "$root/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
server_bin=$build/server/chat-server
client_bin=$build/client/app/chat-client

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# --- accounts: NAME DISPLAY (wangfang is the one whose window is shown) --------------------------
accounts=(wangfang:王芳 lilei:李雷 zhangwei:张伟 chenjing:陈静 liuyang:刘洋)
db=$work/seed.sqlite
for entry in "${accounts[@]}"; do
    name=${entry%%:*}
    extra=()
    [ "$name" = liuyang ] && extra=(--admin) # the operator: gives the lobby its title
    "$server_bin" --db "$db" user add "$name" --display "${entry#*:}" "${extra[@]}" > /dev/null
    "$server_bin" --db "$db" token create "$name" --device "screenshots" >> "$work/tokens"
done

start_server() { # DB [options]; sets $port and appends the pid to $pids
    local log=$work/server.$RANDOM.log
    "$server_bin" --host 127.0.0.1 --port 0 --db "$1" "${@:2}" > "$log" 2>&1 &
    pids+=($!)
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's|^listening on ws://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    echo "chat-server did not start:" >&2
    cat "$log" >&2
    exit 1
}
stop_server() { # the last one started
    local pid=${pids[-1]}
    kill -TERM "$pid"
    wait "$pid" || true
    unset 'pids[-1]'
}

# --- the conversation, through the protocol ------------------------------------------------------
cat > "$work/seed.cjs" << 'EOF'
// Sends the conversation and prints, for each message, the SQL that moves its time to the one
// the script gives it (screenshot fixture: see scripts/screenshots.sh).
const fs = require('fs');
const WebSocket = require('ws');
const [port, tokenFile] = process.argv.slice(2);
const tokens = Object.fromEntries(
    fs.readFileSync(tokenFile, 'utf8').trim().split('\n').map((line) => line.split(' ')));

// [who, '#room' or '@account', text, days ago, 'HH:MM' or minutes ago today]
const script = [
    ['lilei', '#dev', '大家早！v2.3 的发布分支已经拉好了：`release/2.3`', 2, '09:41'],
    ['zhangwei', '#dev', '收到，设置页的改动我下午合进去', 2, '09:43'],
    ['chenjing', '#dev', '测试计划在 https://wiki.example.com/qa/v2.3 ，有遗漏的直接在文档里评论', 2, '09:50'],
    ['lilei', '#dev', '**周五 18:00 代码冻结**，之后只修阻塞问题', 2, '09:52'],
    ['liuyang', '#lobby', '周六凌晨 2:00–4:00 机房维护，聊天服务会中断十分钟左右', 2, '10:30'],
    ['chenjing', '#lobby', '楼下新开了一家面馆，中午有人一起吗？', 1, '11:55'],
    ['zhangwei', '#lobby', '+1', 1, '11:56'],
    ['chenjing', '#dev', '2 倍缩放下登录按钮的文字被截断了，截图在 https://tracker.example.com/issues/482', 1, '14:20'],
    ['zhangwei', '#dev', '我看看，应该是按钮高度写死了', 1, '14:26'],
    ['zhangwei', '#dev', '修好了，改成按字体行距算高度：', 1, '15:02'],
    ['zhangwei', '#dev', '```cpp\nconst int height = qCeil(fontMetrics().lineSpacing() * 1.6);\nbutton->setMinimumHeight(height);\n```', 1, '15:02'],
    ['chenjing', '#dev', '*已验证*，工单可以关了 👍', 1, '15:10'],
    ['liuyang', '#ops', '夜里磁盘告警了一次，已扩容到 200 GB', 1, '23:10'],
    ['lilei', '#dev', '下午三点出候选版本，@wangfang 发布说明你来写？', 0, 52],
    ['wangfang', '#dev', '没问题，中午前把草稿发到群里', 0, 49],
    ['liuyang', '#dev', '服务器这边 `chat-server backup` 已经加进定时任务了，每小时一份', 0, 31],
    ['liuyang', '#dev', '恢复步骤写在 https://wiki.example.com/ops/restore', 0, 30],
    ['liuyang', '#ops', '@wangfang 备份恢复演练约在周四上午，可以吗？', 0, 25],
    ['chenjing', '#lobby', '咖啡机修好了 ☕', 0, 20],
    ['lilei', '#dev', '好，**辛苦了**！', 0, 12],
    ['chenjing', '@wangfang', '芳姐，发布说明里记得写上 2 倍缩放的修复', 0, 8],
    ['chenjing', '@wangfang', '测试报告：https://wiki.example.com/qa/v2.3/report', 0, 7],
];

const dayStart = (daysAgo) => {
    const d = new Date();
    d.setHours(0, 0, 0, 0);
    d.setDate(d.getDate() - daysAgo);
    return d.getTime();
};
const timeOf = (daysAgo, at, index) => {
    if (typeof at === 'string') {
        const [h, m] = at.split(':').map(Number);
        return dayStart(daysAgo) + (h * 60 + m) * 60000 + index * 1000;
    }
    // Today's are minutes ago, but not before today (a run just after midnight).
    return Math.max(Date.now() - at * 60000, dayStart(0) + index * 60000);
};

class Peer {
    constructor(name) {
        this.name = name;
        this.waiting = new Map(); // id -> {resolve, reject}
        this.next = 0;
    }
    open() {
        return new Promise((resolve, reject) => {
            this.ws = new WebSocket(`ws://127.0.0.1:${port}/`);
            this.ws.on('open', () => this.ws.send(JSON.stringify(
                {type: 'hello', version: 3, token: tokens[this.name], device: 'screenshots'})));
            this.ws.on('error', reject);
            this.ws.on('message', (data) => {
                const frame = JSON.parse(data);
                if (frame.type === 'welcome') resolve();
                const ref = frame.type === 'message' && frame.from === this.name ? frame.id : frame.ref;
                const wait = ref && this.waiting.get(ref);
                if (frame.type === 'error') {
                    if (!wait) return reject(new Error(`${this.name}: ${data}`));
                    wait.reject(new Error(`${this.name}: ${data}`));
                } else if (wait && (frame.type === 'done' || frame.type === 'message')) {
                    wait.resolve(frame);
                } else {
                    return;
                }
                this.waiting.delete(ref);
            });
        });
    }
    request(body) {
        const id = `${this.name}-${++this.next}`;
        return new Promise((resolve, reject) => {
            this.waiting.set(id, {resolve, reject});
            this.ws.send(JSON.stringify({...body, id}));
        });
    }
}

(async () => {
    const peers = {};
    for (const name of Object.keys(tokens)) {
        peers[name] = new Peer(name);
        await peers[name].open();
    }
    await peers.liuyang.request({type: 'update_room', room: 'lobby', title: '大厅', topic: '全公司公告与闲聊'});
    await peers.lilei.request({type: 'create_room', name: 'dev', title: '开发组', topic: 'v2.3 发布 · 周五 18:00 代码冻结'});
    for (const name of ['zhangwei', 'chenjing', 'liuyang', 'wangfang'])
        await peers.lilei.request({type: 'invite', room: 'dev', name});
    await peers.liuyang.request({type: 'create_room', name: 'ops', title: '运维值班', private: true});
    for (const name of ['lilei', 'wangfang'])
        await peers.liuyang.request({type: 'invite', room: 'ops', name});
    const sql = [];
    for (const [index, [who, where, text, daysAgo, at]] of script.entries()) {
        const target = where.startsWith('@') ? {to: where.slice(1)} : {room: where.slice(1)};
        const ack = await peers[who].request({type: 'send', text, ...target});
        sql.push(`UPDATE messages SET time_ms = ${timeOf(daysAgo, at, index)} WHERE seq = ${ack.seq};`);
    }
    // The rooms were made and filled the morning before the first message.
    const before = dayStart(3) + 9 * 3600000;
    sql.push(`UPDATE messages SET time_ms = ${before} + seq * 1000 WHERE event != '';`);
    sql.push(`UPDATE rooms SET created_ms = ${before};`);
    sql.push(`UPDATE room_members SET joined_ms = ${before};`);
    console.log(sql.join('\n'));
    for (const peer of Object.values(peers)) peer.ws.close();
})().catch((error) => {
    console.error(error.message);
    process.exit(1);
});
EOF
start_server "$db" --rate 0
NODE_PATH=$root/tests/browser/node_modules node "$work/seed.cjs" "$port" "$work/tokens" \
    > "$work/backdate.sql"
stop_server
sqlite3 "$db" < "$work/backdate.sql" # screenshot fixture: the times of three days

# --- the window under Xvfb, in icewm (a window manager with a system tray) -----------------------
exec 3> "$work/display"
screen_w=1280 screen_h=900
Xvfb -displayfd 3 -screen 0 ${screen_w}x${screen_h}x24 -nolisten tcp &
pids+=($!)
exec 3>&-
for _ in $(seq 50); do [ -s "$work/display" ] && break; sleep 0.1; done
DISPLAY=:$(cat "$work/display")
export DISPLAY
export QT_QPA_PLATFORM=xcb
mkdir -p "$work/icewm"
cat > "$work/icewm/preferences" << 'ICEWM'
TaskBarShowWorkspaces=0
TaskBarShowStartMenu=0
TaskBarShowWindowListMenu=0
TaskBarShowCPUStatus=0
TaskBarShowNetStatus=0
TaskBarShowMailboxStatus=0
TaskBarShowShowDesktopButton=0
ShowProgramsMenu=0
ICEWM
cat > "$work/icewm/prefoverride" << 'ICEWM'
TitleFontNameXft="Noto Sans CJK SC:size=10:bold"
NormalTaskBarFontNameXft="Noto Sans CJK SC:size=10"
ActiveTaskBarFontNameXft="Noto Sans CJK SC:size=10:bold"
DesktopBackgroundColor="rgb:4f/6d/86"
DesktopBackgroundImage=""
ICEWM
echo 'Theme="CrystalBlue/default.theme"' > "$work/icewm/theme"
ICEWM_PRIVCFG=$work/icewm icewm > /dev/null 2>&1 &
pids+=($!)
ICEWM_PRIVCFG=$work/icewm icewmbg > /dev/null 2>&1 &
pids+=($!)
sleep 1

# A dark system palette as qt6ct gives one (Breeze Dark's colours), for screenshot-dark.png.
mkdir -p "$work/dark/qt6ct"
cat > "$work/dark/breeze-dark.conf" << 'PALETTE'
[ColorScheme]
active_colors=#ffeff0f1, #ff31363b, #ff4f565d, #ff3f464c, #ff1b1e20, #ff2b3034, #ffeff0f1, #ffffffff, #ffeff0f1, #ff232629, #ff31363b, #ff0f1012, #ff3daee9, #fffcfcfc, #ff1d99f3, #ff9b59b6, #ff2a2e32, #ff000000, #ff31363b, #ffeff0f1, #ff9ea5ab
inactive_colors=#ffeff0f1, #ff31363b, #ff4f565d, #ff3f464c, #ff1b1e20, #ff2b3034, #ffeff0f1, #ffffffff, #ffeff0f1, #ff232629, #ff31363b, #ff0f1012, #ff3daee9, #fffcfcfc, #ff1d99f3, #ff9b59b6, #ff2a2e32, #ff000000, #ff31363b, #ffeff0f1, #ff9ea5ab
disabled_colors=#ff80868b, #ff2d3136, #ff4f565d, #ff3f464c, #ff1b1e20, #ff2b3034, #ff80868b, #ffffffff, #ff80868b, #ff212427, #ff2e3236, #ff0f1012, #ff2d4d5e, #ff80868b, #ff1d6aa6, #ff6f4a7e, #ff272b2e, #ff000000, #ff31363b, #ffeff0f1, #ff6b7075
PALETTE
cat > "$work/dark/qt6ct/qt6ct.conf" << QT6CT
[Appearance]
color_scheme_path=$work/dark/breeze-dark.conf
custom_palette=true
style=Fusion

[Fonts]
general="Sans Serif,9,-1,5,400,0,0,0,0,0,0,0,0,0,0,1"
fixed="Monospace,9,-1,5,400,0,0,0,0,0,0,0,0,0,0,1"
QT6CT

wangfang_token=$(sed -n 's/^wangfang //p' "$work/tokens")

start_client() { # LABEL ENV... -- OPTIONS...; sets $win (the window) and $tray (its tray icon)
    local label=$1 vars=()
    shift
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    mkdir -p "$work/$label/config" "$work/$label/data"
    cp "$db" "$work/run.sqlite" # every window starts from the same unread counts
    start_server "$work/run.sqlite"
    printf '%s\n' "$wangfang_token" | env XDG_CONFIG_HOME="$work/$label/config" \
        XDG_DATA_HOME="$work/$label/data" "${vars[@]}" "$client_bin" \
        --url "ws://127.0.0.1:$port/" --account wangfang --token-store file --token-stdin \
        "$@" > "$work/$label.log" 2>&1 &
    pids+=($!)
    win="" tray=""
    for _ in $(seq 100); do
        for id in $(xdotool search --onlyvisible --class chat-client 2>/dev/null); do
            case $(xdotool getwindowname "$id") in
            *'(wangfang)'*) win=$id ;;
            chat-client) tray=$id ;;
            esac
        done
        [ -n "$win" ] && [ -n "$tray" ] && return 0
        sleep 0.1
    done
    echo "no window (or no tray icon) for $label:" >&2
    cat "$work/$label.log" >&2
    exit 1
}
stop_client() {
    kill "${pids[-1]}"
    wait "${pids[-1]}" 2>/dev/null || true
    unset 'pids[-1]'
    stop_server
}
open_dev_room() { # WIDTH HEIGHT: sizes the window and clicks 开发组, the sidebar's second room
    xdotool windowsize --sync "$win" "$1" "$2"
    sleep 0.5
    xdotool windowmove "$win" 20 20 # icewm places a new window itself: move it once it is there
    sleep 0.5
    xdotool mousemove --window "$win" 60 82 click 1
    sleep 1.5 # its history arrives and the view scrolls to the bottom
}
frame_of() { # the window manager's frame around a window: the ancestor just below the root
    local id=$1 parent
    while parent=$(xwininfo -children -id "$id" |
        sed -n 's/^  Parent window id: \(0x[0-9a-f]*\).*/\1/p') &&
        ! xwininfo -id "$parent" | grep -q '(the root window)'; do
        id=$parent
    done
    echo "$id"
}
save() { # NAME [import options]: a smaller PNG in $out
    import "${@:2}" "$work/$1"
    pngquant --force --quality 70-95 --output "$out/$1" "$work/$1" 2> /dev/null ||
        cp "$work/$1" "$out/$1"
    echo "wrote $out/$1 ($(du -k "$out/$1" | cut -f1) KB)"
}

wanted() { [[ " ${SCREENSHOTS:-light dark english formatting tray-menu} " == *" $1 "* ]]; }
zh=(LANG=zh_CN.UTF-8 LANGUAGE=zh_CN)

if wanted light; then
    start_client light "${zh[@]}" --
    open_dev_room 1100 800
    save screenshot-light.png -frame -window "$(frame_of "$win")"
    stop_client
fi

if wanted dark; then
    start_client dark "${zh[@]}" QT_QPA_PLATFORMTHEME=qt6ct XDG_CONFIG_HOME="$work/dark" --
    open_dev_room 1100 800
    save screenshot-dark.png -frame -window "$(frame_of "$win")"
    stop_client
fi

if wanted english; then
    start_client english LANG=en_US.UTF-8 LANGUAGE=en -- --lang en
    open_dev_room 1100 800
    save screenshot-english.png -frame -window "$(frame_of "$win")"
    stop_client
fi

# The room up close: three days, code, links, a mention, and a draft with markup in the input
# (pasted: xdotool's typing of characters the keymap lacks loses some of them).
if wanted formatting; then
    start_client formatting "${zh[@]}" --
    open_dev_room 900 820
    printf '%s' '草稿在这里：https://wiki.example.com/release/2.3 **请过目**' |
        xclip -selection clipboard -loops 1 &
    pids+=($!)
    sleep 0.3
    xdotool mousemove --window "$win" 400 784 click 1 key ctrl+v # into the input
    sleep 0.5
    save screenshot-formatting.png -frame -window "$(frame_of "$win")"
    kill "${pids[-1]}" 2> /dev/null || true # xclip, should the paste have failed
    unset 'pids[-1]'
    stop_client
fi

# The tray icon's menu (right click) over the window, at the bottom right of the screen.
if wanted tray-menu; then
    start_client tray "${zh[@]}" --
    xdotool windowsize --sync "$win" 800 560
    sleep 0.5
    xdotool windowmove "$win" 470 300 # under the menu
    sleep 1
    xdotool mousemove --window "$tray" 12 12 click 3
    sleep 1
    menu=""
    for id in $(xdotool search --onlyvisible --class chat-client); do
        [ "$id" != "$win" ] && [ "$id" != "$tray" ] && menu=$id
    done
    [ -n "$menu" ] || { echo "the tray menu did not open" >&2; exit 1; }
    eval "$(xdotool getwindowgeometry --shell "$menu")" # X Y of the menu
    left=$((X - 300)) top=$((Y - 90)) # and some of the window beside and above it
    save screenshot-tray-menu.png -window root \
        -crop "$((screen_w - left))x$((screen_h - top))+$left+$top" +repage
    xdotool key Escape
    stop_client
fi
