#!/bin/sh
# Packs, here, what a bare lent GPU machine needs to run `shallow-gd bench` (see the device
# tool and docs/BENCHMARKS.md, "Rerunning on a lent GPU"): the Vulkan/EGL loader .debs, this
# machine's Node binary, the runtime node_modules (Dawn's linux-x64 build, TensorFlow.js for
# the peer, at package-lock.json's versions) and the CLI bundle. Everything lands in .gl/
# (ignored through .git/info/exclude) and dist-cli/: name both in the run's `carry`.
set -eu
cd "$(dirname "$0")/../.."
grep -qx '/.gl/' .git/info/exclude || echo /.gl/ >> .git/info/exclude
mkdir -p .gl /tmp/amd64/partial
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
apt-get $o update -qq
(cd .gl && apt-get $o download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
xz -T0 -6 -c "$(command -v node)" > .gl/node.xz
locked() { node -p "require('./package-lock.json').packages['node_modules/$1'].version"; }
mods="webgpu@$(locked webgpu) @tensorflow/tfjs-core@$(locked @tensorflow/tfjs-core) @tensorflow/tfjs-backend-webgpu@$(locked @tensorflow/tfjs-backend-webgpu)"
tmp=$(mktemp -d)
(cd "$tmp" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent $mods)
# Dawn ships every platform's build; the lent machines are x86-64 Linux.
find "$tmp/node_modules/webgpu/dist" -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
tar -C "$tmp" -cJf .gl/node_modules.tar.xz node_modules
rm -rf "$tmp"
npm run -s build:cli
du -sh .gl dist-cli
