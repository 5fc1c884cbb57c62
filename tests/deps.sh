#!/bin/sh
# Installs the Debian packages `make test` needs when they are missing:
# as root with apt-get, otherwise by printing the one command to run.
# Usage: tests/deps.sh PKG... [-- FOREIGN-ARCH-PKG...]
missing=""; foreign=""; arch_mode=0
for p in "$@"; do
  if [ "$p" = "--" ]; then arch_mode=1; continue; fi
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
  case "$status" in *"install ok installed"*) continue ;; esac
  if [ $arch_mode = 1 ]; then foreign="$foreign $p"; else missing="$missing $p"; fi
done
[ -z "$missing$foreign" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "mossa: missing packages; run:" >&2
  [ -n "$foreign" ] && echo "  sudo dpkg --add-architecture arm64 && sudo apt-get update" >&2
  echo "  sudo apt-get install -y$missing$foreign" >&2
  exit 1
fi
echo "installing:$missing$foreign"
if [ -n "$foreign" ]; then dpkg --add-architecture arm64 || exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || exit 1
apt-get install -y -qq $missing $foreign >/dev/null || exit 1
