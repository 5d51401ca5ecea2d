#!/bin/sh
# Unpacks Mesa 25's lavapipe (a second software Vulkan driver, faster than SwiftShader and
# with timestamp queries) from Debian bookworm-backports into a folder and writes its ICD
# file; only its runtime libraries from bookworm itself (LLVM 15, libdrm) are installed
# system-wide, as root, where missing. Then, for example:
#   VK_ICD_FILENAMES=/tmp/shallow-gd-lavapipe/lvp.json npm run bench -- --sizes 1024x128x16384
# (Bookworm's own Mesa 22 lavapipe is refused by Dawn; see ../shared/WEBGPU-ON-CPU.md.)
set -eu
dir=${1:-/tmp/shallow-gd-lavapipe}
mkdir -p "$dir/sp" "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/root"
printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$dir/sp/backports.sources"
o="-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts=$dir/sp -o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir/cache"
apt-get $o update -qq
(cd "$dir" && apt-get $o download -qq mesa-vulkan-drivers 2>/dev/null)
dpkg-deb -x "$dir"/mesa-vulkan-drivers_*.deb "$dir/root"
lib="$dir/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"
# Its runtime libraries (LLVM 15, libdrm) come from bookworm itself.
if ldd "$lib" | grep -q 'not found'; then apt-get install -y -qq --no-install-recommends libllvm15 libdrm2 libxcb-shm0 libx11-xcb1 libxcb-randr0 libxcb-present0 libxshmfence1 libwayland-client0 libzstd1; fi
printf '{"file_format_version":"1.0.1","ICD":{"library_path":"%s","api_version":"1.4.305"}}\n' "$lib" > "$dir/lvp.json"
echo "$dir/lvp.json"
