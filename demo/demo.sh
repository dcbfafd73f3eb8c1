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
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
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
# ip netns exec execs the broker, so $! is the broker's own PID.
ip netns exec "$ns" "$bin" -config-dir "$dir" > "$dir/log" 2>&1 &
pid=$!
shown=0
show() { # print the log lines that are new, the interesting ones
	total=$(wc -l < "$dir/log")
	tail -n +$((shown + 1)) "$dir/log" | head -n $((total - shown)) |
		grep -E 'msg=(ready|"script output"|"link changed state"|"policy routing)' || true
	shown=$total
}
sleep 0.5
show
step() { echo "== $1"; shift; "$@"; sleep 1.5; show; }
step "link up" ip -n "$ns" link set demo0 up
step "peer down: carrier lost" ip -n "$peer" link set demo0p down
step "peer up: carrier back" ip -n "$peer" link set demo0p up
idx=$(ip netns exec "$ns" cat /sys/class/net/demo0/ifindex)
echo "== policy rules and table $((1000 + idx)) the broker keeps for demo0:"
ip -n "$ns" rule show | grep "lookup $((1000 + idx))" || true
ip -n "$ns" route show table $((1000 + idx))
echo "== JSON the scripts get for demo0 (network-broker -dump, one object a line):"
ip netns exec "$ns" "$bin" -dump -config-dir "$dir" | grep '"Name":"demo0"' | cut -c 1-700
echo "== done; removing the namespaces"
