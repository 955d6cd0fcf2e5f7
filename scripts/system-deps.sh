#!/usr/bin/env bash
# Debian libraries Qt needs (offscreen and X11; libpulse0 for Qt Multimedia), a font, Xvfb for a virtual display and
# poppler-utils to look at PDFs. Installs only what is missing, and only when root.
set -euo pipefail
packages=(
  libgl1 libegl1 libopengl0 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6
  libxkbcommon0 libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libxcb-xfixes0 libpulse0 fonts-dejavu-core xvfb xauth poppler-utils
)
command -v dpkg >/dev/null 2>&1 || exit 0
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Qt needs these Debian packages; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
