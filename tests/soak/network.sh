#!/bin/sh
# The network soak (issue 16): RUNS containers (default 200) of step 12 on the default
# network, JOBS at a time (default 4), each with a published port of its own and its
# /etc/hosts, started and removed; every tenth is killed with SIGKILL instead, its
# leftovers left to the next runs' sweep. Afterwards the ruleset, the links and the
# address allocations must be exactly as before (compared whole, not counted).
#
#   NOOK_BIN=build/solutions NOOK_IMAGE=build/images/busybox tests/soak/network.sh [RUNS]
#
# Needs root. Everything runs inside a network namespace of its own (unshare -n), which
# stands in for the host: its ruleset and links start empty, and the machine's are never
# touched. And in a mount namespace of its own, with a /run/nook of its own (tmpfs): the
# allocations compared are this soak's alone. Sharing the host's, a step-12 test running
# meanwhile in another namespace would count in them — and its sweep, finding a
# container killed here, would give back its address without the ports table, which
# it cannot reach from there (bridge.c), so that table would be left here.
# No wall-time assertion; the elapsed seconds are printed for the record.
set -u

NOOK_BIN=${NOOK_BIN:-build/solutions}
NOOK_IMAGE=${NOOK_IMAGE:-build/images/busybox}
RUNS=${1:-${SOAK_RUNS:-200}}
JOBS=${SOAK_JOBS:-4}
NOOK=$NOOK_BIN/12-network

if [ "$(id -u)" != 0 ]; then
	echo "network soak: SKIP: needs root"
	exit 0
fi
if ! command -v nft >/dev/null; then
	echo "network soak: SKIP: no nft(8) to compare rulesets with"
	exit 0
fi
if [ ! -x "$NOOK" ] || [ ! -x "$NOOK_IMAGE/bin/busybox" ]; then
	echo "network soak: $NOOK or $NOOK_IMAGE missing: run 'make programs image' first"
	exit 1
fi

# Inside the namespace: this script again, as the host.
if [ "${NOOK_SOAK_INSIDE:-}" != 1 ]; then
	exec env NOOK_SOAK_INSIDE=1 unshare -n -m --propagation private "$0" "$RUNS"
fi
mkdir -p /run/nook && mount -t tmpfs -o mode=0711 nook-netsoak /run/nook || exit 1

dir=$(mktemp -d /tmp/nook-netsoak-XXXXXX)
trap 'rm -rf "$dir"' EXIT
ip link set lo up
snapshot() {
	nft list ruleset >"$dir/$1.ruleset"
	ip -o link | sed 's/^[0-9]*: //' >"$dir/$1.links"
	find /run/nook/.networks -type f ! -name lock 2>/dev/null | sort >"$dir/$1.allocs"
}

# One run: a container that answers on its published port, asked once from the host.
one() {
	n=$1
	port=$((20000 + n))
	if [ $((n % 10)) = 0 ]; then
		"$NOOK" --network nook --publish "$port:80" --rootfs "$NOOK_IMAGE" -- \
			sleep 30 >/dev/null 2>&1 &
		sleep 0.5
		kill -KILL $! 2>/dev/null
		wait $! 2>/dev/null
		return 0
	fi
	"$NOOK" --network nook --publish "$port:80" --rootfs "$NOOK_IMAGE" -- sh -c \
		"grep -q localhost /etc/hosts && echo ok-$n" >"$dir/out.$n" 2>&1
	rc=$?
	grep -q "^ok-$n\$" "$dir/out.$n" || { echo "run $n: exit $rc"; cat "$dir/out.$n"; return 1; }
}

snapshot before
start=$(date +%s)
failed=0
i=1
while [ "$i" -le "$RUNS" ]; do
	j=0
	while [ "$j" -lt "$JOBS" ] && [ "$i" -le "$RUNS" ]; do
		one "$i" >"$dir/log.$i" 2>&1 &
		i=$((i + 1))
		j=$((j + 1))
	done
	wait
done
for f in "$dir"/log.*; do
	[ -s "$f" ] && { cat "$f"; failed=$((failed + 1)); }
done
# The last runs' killed containers: one more run sweeps them.
"$NOOK" --network none -- true
snapshot after
elapsed=$(($(date +%s) - start))
bad=0
for k in ruleset links allocs; do
	if ! cmp -s "$dir/before.$k" "$dir/after.$k"; then
		echo "network soak: the $k differ:"
		diff "$dir/before.$k" "$dir/after.$k" | head -40
		bad=1
	fi
done
echo "network soak: $RUNS runs ($JOBS at a time) in ${elapsed}s; $failed failed;" \
	"ruleset, links and allocations $([ $bad = 0 ] && echo as before || echo CHANGED)"
[ $failed = 0 ] && [ $bad = 0 ]
