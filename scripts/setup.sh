#!/bin/sh
# Everything `npm start` and `npm test` need on a fresh Debian machine with Node 20:
# the npm packages (npm ci, when missing or stale) and, as root, the Vulkan loader and
# Debian's chromium, whose SwiftShader driver gives WebGPU without a GPU.
set -e
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if [ ! -e /usr/lib/chromium/vk_swiftshader_icd.json ] || ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing libvulkan1 and chromium (SwiftShader, WebGPU on the CPU)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libvulkan1 chromium >/dev/null
  else
    echo "setup: no software Vulkan driver; install libvulkan1 and chromium (Debian) for WebGPU without a GPU" >&2
  fi
fi
