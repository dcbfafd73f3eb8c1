#!/bin/sh
# demo.sh BINARY — the daemon at work on any Linux machine, networkd or not.
# It makes two throw-away network namespaces joined by a veth pair, runs the
# broker in one of them with the kernel generator, printing hooks and policy
# rules, flaps the link, shows what ran, and removes everything. The
# machine's own network (the root namespace) is never touched. Needs root.
set -eu
bin=$(realpath "$1")
[ "$(id -u)" = 0 ] || { echo "demo: run as root (sudo make demo)" >&2; exit 1; }
ns=nb-demo-$$
peer=nb-demo-peer-$$
dir=$(mktemp -d /tmp/nb-demo.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	ip netns del "$peer" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

ip netns add "$ns"
ip netns add "$peer"
ip -n "$ns" link set lo up
ip -n "$ns" link add demo0 type veth peer name demo0p netns "$peer"
ip -n "$peer" link set demo0p up
ip -n "$ns" addr add 192.0.2.10/24 dev demo0
ip -n "$ns" -6 addr add 2001:db8::10/64 dev demo0 nodad

cat > "$dir/network-broker.yaml" <<YAML
System:
  Generator: kernel   # no systemd-networkd, no D-Bus needed
  User: root          # the demo keeps root; installed, it runs as network-broker
  HookTimeout: 5s
  RoutesDebounce: 100ms
Network:
  Links: demo0
  RoutingPolicyRules: demo0
YAML
for d in carrier no-carrier degraded routable off routes-modified; do
	mkdir -p "$dir/$d.d"
	cat > "$dir/$d.d/10-print" <<'HOOK'
#!/bin/sh
echo "ran $STATE.d for $LINK (ifindex $LINKINDEX): OperationalState=$OperationalState OLD_STATE=$OLD_STATE addresses: $IP_ADDRS $IP6_ADDRS"
HOOK
	chmod 0755 "$dir/$d.d/10-print"
done

echo "== starting network-broker in namespace $ns"
ip netns exec "$ns" "$bin" -config-dir "$dir" 2>&1 | grep --line-buffered -E 'msg=(ready|"script output"|"link changed state"|"policy routing)' &
pid=$!
sleep 0.5
step() { echo "== $1"; shift; "$@"; sleep 1.5; }
step "link up" ip -n "$ns" link set demo0 up
step "peer down: carrier lost" ip -n "$peer" link set demo0p down
step "peer up: carrier back" ip -n "$peer" link set demo0p up
idx=$(cat /sys/class/net/lo/ifindex >/dev/null; ip netns exec "$ns" cat /sys/class/net/demo0/ifindex)
echo "== policy rules and table $((1000 + idx)) the broker keeps for demo0:"
ip -n "$ns" rule show | grep "lookup $((1000 + idx))" || true
ip -n "$ns" route show table $((1000 + idx))
echo "== JSON the scripts get (network-broker -dump):"
ip netns exec "$ns" "$bin" -dump -config-dir "$dir" | head -c 600; echo " ..."
echo "== done; removing the namespaces"
