#!/usr/bin/env bash
# Provides lavapipe (Mesa's CPU Vulkan driver) in .mixden/lavapipe/ for Dawn in Node, where the system has no
# Vulkan driver that Dawn accepts: Debian 12's Mesa 22.3 is refused by Dawn, Mesa 25 from bookworm-backports is
# accepted and runs the same WGSL several times faster than SwiftShader. The system's package sources are not
# changed: the backports suite of the mirror the machine already uses is read into a private list, the packages
# are downloaded and unpacked into the project folder, and src/host/vulkanDriver.ts loads them from there.
# Anything that fails leaves SwiftShader in use and says so once. MIXDEN_LAVAPIPE=0 skips it.
set -uo pipefail
cd "$(dirname "$0")/.."
dest=.mixden/lavapipe
[ "${MIXDEN_LAVAPIPE:-1}" = 0 ] && exit 0
[ -f "$dest/ready" ] && exit 0
say() { echo "setup: $*; Node keeps to SwiftShader" >&2; exit 0; }
command -v apt-get >/dev/null && command -v dpkg >/dev/null || say "no apt-get/dpkg for lavapipe"
[ "$(dpkg --print-architecture)" = amd64 ] || say "lavapipe is provided for amd64 only"
. /etc/os-release 2>/dev/null
[ "${VERSION_CODENAME:-}" = bookworm ] || say "lavapipe is provided on Debian 12 (bookworm) only"
# The machine's own Debian mirror, from its deb822 or one-line sources.
mirror=$(grep -hoE '^URIs: *[^ ]+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n 1)
[ -n "$mirror" ] || mirror=$(grep -hoE '^deb +[^ ]+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n 1)
[ -n "$mirror" ] || say "no Debian mirror found in the apt sources"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/debs"
echo "deb $mirror bookworm-backports main" > "$work/backports.list"
apt_private=(-o Dir::Etc::sourcelist="$work/backports.list" -o Dir::Etc::sourceparts=/dev/null -o Dir::State::Lists="$work/lists" -o APT::Sandbox::User=root)
echo "setup: downloading lavapipe (Mesa 25 from $mirror bookworm-backports) into $dest" >&2
apt-get "${apt_private[@]}" update -qq >/dev/null 2>&1 || say "could not read bookworm-backports from $mirror"
(cd "$work/debs" && apt-get "${apt_private[@]}" download -qq mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports \
  libdrm-amdgpu1/bookworm-backports libdrm-common/bookworm-backports >/dev/null 2>&1) || say "could not download Mesa 25 from bookworm-backports"
# From the ordinary suite: the Vulkan loader and what the driver links that a machine may lack.
(cd "$work/debs" && apt-get -o APT::Sandbox::User=root download -qq libvulkan1 libllvm15 libz3-4 libxcb-dri3-0 libxcb-present0 libxcb-randr0 \
  libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxshmfence1 libwayland-client0 libx11-xcb1 >/dev/null 2>&1) || say "could not download lavapipe's libraries"
rm -rf "$dest" && mkdir -p "$dest/root"
for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$dest/root" || say "could not unpack $(basename "$deb")"; done
[ -f "$dest/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" ] || say "the Mesa package holds no libvulkan_lvp.so"
# The driver list for the Vulkan loader; a library path with a slash is read relative to this file.
printf '{ "file_format_version": "1.0.0", "ICD": { "library_path": "./root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so", "api_version": "1.3.0" } }\n' > "$dest/lvp_icd.json"
touch "$dest/ready"
echo "setup: lavapipe ready in $dest" >&2
