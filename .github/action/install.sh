#!/bin/sh
# Install a released eventref binary: download the archive for this machine,
# verify it against its published SHA-256 checksum, and unpack the binary.
# Used by action.yml at the repository root; runs anywhere with sh, curl,
# tar (or unzip) and sha256sum (or shasum).
#
# Environment:
#   EVENTREF_VERSION        a release tag such as v0.1.0, or "latest" (default)
#   EVENTREF_INSTALL_DIR    where the binary goes (default: $HOME/.eventref/bin)
#   EVENTREF_DOWNLOAD_BASE  where the archives are; default
#                           https://github.com/eventref/eventref/releases/download/<version>
#                           (or .../releases/latest/download). A file:// URL or a
#                           local folder works too (the tests use one).
#   EVENTREF_TARGET         the Rust target triple (default: detected from uname)
set -eu

die() { echo "eventref install: $*" >&2; exit 1; }

version="${EVENTREF_VERSION:-latest}"
install_dir="${EVENTREF_INSTALL_DIR:-$HOME/.eventref/bin}"
repo="https://github.com/eventref/eventref"

if [ -n "${EVENTREF_TARGET:-}" ]; then
  target="$EVENTREF_TARGET"
else
  os="$(uname -s)"; arch="$(uname -m)"
  case "$arch" in
    x86_64|amd64) arch=x86_64 ;;
    aarch64|arm64) arch=aarch64 ;;
    *) die "no prebuilt binary for the $arch processor; install with: cargo install --locked --git $repo eventref" ;;
  esac
  case "$os" in
    Linux) target="$arch-unknown-linux-musl" ;;
    Darwin) target="$arch-apple-darwin" ;;
    MINGW*|MSYS*|CYGWIN*|Windows_NT) target="x86_64-pc-windows-msvc" ;;
    *) die "no prebuilt binary for $os; install with: cargo install --locked --git $repo eventref" ;;
  esac
fi

case "$target" in
  *windows*) archive="eventref-$target.zip"; exe="eventref.exe" ;;
  *) archive="eventref-$target.tar.gz"; exe="eventref" ;;
esac

if [ -n "${EVENTREF_DOWNLOAD_BASE:-}" ]; then
  base="$EVENTREF_DOWNLOAD_BASE"
elif [ "$version" = latest ]; then
  base="$repo/releases/latest/download"
else
  base="$repo/releases/download/$version"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() { # fetch NAME: copy or download $base/NAME into $work
  case "$base" in
    *://*) curl --proto '=https,file' --fail --silent --show-error --location --retry 3 \
             --output "$work/$1" "$base/$1" || die "cannot download $base/$1" ;;
    *) cp "$base/$1" "$work/$1" 2>/dev/null || die "cannot read $base/$1" ;;
  esac
}

fetch "$archive"
fetch "$archive.sha256"

expected="$(awk '{print $1; exit}' "$work/$archive.sha256")"
if command -v sha256sum >/dev/null 2>&1; then
  actual="$(sha256sum "$work/$archive" | awk '{print $1}')"
else
  actual="$(shasum -a 256 "$work/$archive" | awk '{print $1}')"
fi
[ -n "$expected" ] && [ "$expected" = "$actual" ] \
  || die "checksum mismatch for $archive: expected ${expected:-nothing}, got $actual; nothing was installed"

mkdir -p "$work/unpacked"
case "$archive" in
  *.zip) unzip -q "$work/$archive" -d "$work/unpacked" ;;
  *) tar -xzf "$work/$archive" -C "$work/unpacked" ;;
esac
found="$(find "$work/unpacked" -type f -name "$exe" | head -n 1)"
[ -n "$found" ] || die "$archive holds no $exe"

mkdir -p "$install_dir"
cp "$found" "$install_dir/$exe.tmp"
chmod 755 "$install_dir/$exe.tmp"
mv -f "$install_dir/$exe.tmp" "$install_dir/$exe"

if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$install_dir" >> "$GITHUB_PATH"
fi
echo "eventref install: $install_dir/$exe ($target, $version)"
