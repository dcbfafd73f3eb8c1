#!/bin/sh
# testdeps.sh installs what internal/lab needs to run the real components in
# network namespaces (see /work/shared/reference/real-components.md §3).
# Idempotent: it does nothing when everything is already present. Run as root.
#
# - Debian packages: dnsmasq-base (never "dnsmasq": its init script would start
#   a DNS server in the root netns), isc-dhcp-client, polkitd, python3-dbus,
#   dbus, iproute2, util-linux; installed only when missing (reinstalling
#   polkitd would stop every running polkitd, a lab one included).
# - systemd-resolved is NOT installed (its postinst rewrites /etc/resolv.conf):
#   the .deb of exactly the installed systemd version is downloaded and
#   unpacked into $NB_LAB_CACHE (default /var/cache/network-broker-test).
set -eu

cache=${NB_LAB_CACHE:-/var/cache/network-broker-test}
pkgs="dnsmasq-base isc-dhcp-client polkitd python3-dbus python3-gi dbus iproute2 iputils-ping procps util-linux systemd mandoc make"

if [ "$(id -u)" != 0 ]; then
	echo "testdeps.sh: must run as root" >&2
	exit 1
fi

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done

updated=no
apt_update() {
	[ "$updated" = yes ] && return 0
	apt-get update -q >/dev/null
	updated=yes
}

if [ -n "$missing" ]; then
	echo "testdeps.sh: installing:$missing" >&2
	apt_update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

# systemd-resolved, pinned to the installed systemd: the binary links the
# exact build of libsystemd-shared.
ver=$(dpkg-query -W -f='${Version}' systemd)
dir="$cache/resolved-$ver"
if [ ! -x "$dir/lib/systemd/systemd-resolved" ]; then
	echo "testdeps.sh: unpacking systemd-resolved=$ver into $dir" >&2
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if ! (cd "$tmp" && apt-get download -q "systemd-resolved=$ver" >/dev/null 2>&1); then
		apt_update
		(cd "$tmp" && apt-get download -q "systemd-resolved=$ver" >/dev/null)
	fi
	dpkg -x "$tmp"/systemd-resolved_*.deb "$tmp/root"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
fi
echo "$dir"
