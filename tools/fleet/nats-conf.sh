#!/usr/bin/env bash
# Write nats-server configuration files for the capture fleet (starts nothing).
#
#   nats-conf.sh hub  DIR N CLIENT_PORT CLUSTER_PORT LEAF_PORT [MONITOR_PORT [ADVERTISE_PORT]]
#       Hub node N (1..3) of the 3-node JetStream cluster "remapd-hub", domain "hub".
#       The ports are bases: node N listens on BASE+N-1 (client, cluster, leafnode,
#       monitor); its routes name the cluster ports of all three nodes. A leaf
#       reconnects to the leafnode address a hub node announces (its own, even with
#       no_advertise); ADVERTISE_PORT+N-1 on 127.0.0.1 replaces it (a TCP proxy in
#       front of node N's leafnode port, so that cutting the proxy cuts the uplink).
#       MONITOR_PORT "" = no monitor. Writes DIR/hub-N.conf, store_dir DIR/hub-N/js.
#   nats-conf.sh leaf DIR HOST CLIENT_PORT LEAF_URLS [MONITOR_PORT]
#       The leaf of sensor HOST: server_name and JetStream domain HOST, store_dir
#       DIR/HOST/js, one leafnode remote whose urls are the comma-separated LEAF_URLS
#       (host:port or nats-leaf://host:port; the hub nodes' leafnode ports, or proxies).
#       Writes DIR/HOST.conf.
#
# Everything listens on 127.0.0.1 only; one account ($G), no authentication; max_payload
# stays at the server's default (1 MB). Prints the path of the file written.
set -euo pipefail

usage() {
	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
die() {
	echo "nats-conf: $*" >&2
	exit 2
}
port() { # NAME VALUE [OFFSET]: a TCP port in 1..65535 once OFFSET is added
	local name=$1 v=$2 off=${3:-0}
	[[ $v =~ ^[0-9]{1,5}$ ]] || die "$name '$v' is not a port number"
	((10#$v + off >= 1 && 10#$v + off <= 65535)) || die "$name $v+$off is outside 1..65535"
	echo $((10#$v + off))
}
host_name() { # a NATS subject token and JetStream domain; must not collide with the hub
	[[ $1 =~ ^[A-Za-z0-9_-]{1,64}$ ]] || die "host name '$1' must match [A-Za-z0-9_-]{1,64}"
	[[ $1 != hub && ! $1 =~ ^hub-[123]$ ]] ||
		die "host name '$1' is reserved (the hub's JetStream domain and server names)"
}
directory() {
	[ -n "$1" ] || die "DIR is empty"
	[[ $1 != *[\"\\]* && $1 != *$'\n'* ]] || die "DIR '$1' contains a quote, backslash or newline"
	mkdir -p "$1" || die "cannot create $1"
	(cd "$1" && pwd)
}

[ $# -ge 1 ] || usage
case $1 in
hub)
	[ $# -ge 6 ] && [ $# -le 8 ] || usage
	dir=$(directory "$2")
	n=$3
	[[ $n =~ ^[123]$ ]] || die "hub node N '$n' must be 1, 2 or 3"
	client=$(port CLIENT_PORT "$4" $((n - 1)))
	cport=$(port CLUSTER_PORT "$5" $((n - 1)))
	lport=$(port LEAF_PORT "$6" $((n - 1)))
	mport=
	[ -z "${7:-}" ] || mport=$(port MONITOR_PORT "$7" $((n - 1)))
	aport=
	[ -z "${8:-}" ] || aport=$(port ADVERTISE_PORT "$8" $((n - 1)))
	routes=()
	for i in 1 2 3; do
		routes+=("\"nats-route://127.0.0.1:$(port CLUSTER_PORT "$5" $((i - 1)))\"")
	done
	conf=$dir/hub-$n.conf
	{
		echo "# hub node $n of 3 (written by tools/fleet/nats-conf.sh)"
		echo "server_name: hub-$n"
		echo "listen: \"127.0.0.1:$client\""
		[ -z "$mport" ] || echo "http: \"127.0.0.1:$mport\""
		echo "jetstream {"
		echo "  store_dir: \"$dir/hub-$n/js\""
		echo "  domain: hub"
		echo "}"
		echo "cluster {"
		echo "  name: remapd-hub"
		echo "  listen: \"127.0.0.1:$cport\""
		echo "  routes: [ $(IFS=,; echo "${routes[*]}" | sed 's/,/, /g') ]"
		echo "}"
		echo "leafnodes {"
		echo "  listen: \"127.0.0.1:$lport\""
		echo "  # other hub nodes' leafnode addresses are not gossiped to leaves"
		echo "  no_advertise: true"
		[ -z "$aport" ] || echo "  advertise: \"127.0.0.1:$aport\""
		echo "}"
	} >"$conf.tmp"
	mv "$conf.tmp" "$conf"
	echo "$conf"
	;;
leaf)
	[ $# -eq 5 ] || [ $# -eq 6 ] || usage
	dir=$(directory "$2")
	host=$3
	host_name "$host"
	client=$(port CLIENT_PORT "$4")
	mport=
	[ -z "${6:-}" ] || mport=$(port MONITOR_PORT "$6")
	urls=()
	IFS=, read -r -a given <<<"$5"
	for u in "${given[@]}"; do
		u=${u#nats-leaf://}
		[[ $u =~ ^([A-Za-z0-9.-]+):([0-9]{1,5})$ ]] || die "leaf URL '$u' is not host:port"
		urls+=("\"nats-leaf://${BASH_REMATCH[1]}:$(port "port of leaf URL '$u'" "${BASH_REMATCH[2]}")\"")
	done
	[ ${#urls[@]} -gt 0 ] || die "LEAF_URLS is empty"
	conf=$dir/$host.conf
	{
		echo "# the leaf of sensor host $host (written by tools/fleet/nats-conf.sh)"
		echo "server_name: \"$host\""
		echo "listen: \"127.0.0.1:$client\""
		[ -z "$mport" ] || echo "http: \"127.0.0.1:$mport\""
		echo "jetstream {"
		echo "  store_dir: \"$dir/$host/js\""
		echo "  domain: \"$host\""
		echo "}"
		echo "leafnodes {"
		echo "  remotes: ["
		echo "    { urls: [ $(IFS=,; echo "${urls[*]}" | sed 's/,/, /g') ] }"
		echo "  ]"
		echo "}"
	} >"$conf.tmp"
	mv "$conf.tmp" "$conf"
	echo "$conf"
	;;
-h | --help) usage ;;
*) die "unknown kind '$1' (hub or leaf); --help for the usage" ;;
esac
