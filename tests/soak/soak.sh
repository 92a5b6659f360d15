#!/bin/sh
# The soak (issue 12): SOAK_RUNS runs (default 500) of the full container — rootfs, veth,
# memory and pids limits, seccomp — SOAK_JOBS at a time (default 4), each killed with
# SIGKILL, SIGTERM or SIGINT at a random moment in its first 50 ms, or left to finish.
# Then nothing may be left of them: mounts, state directories, cgroups, veths, processes;
# and nook's own descriptors and memory (VmRSS), measured late in a run at run 10 and at
# the last run, must not grow.
#
#   NOOK_BIN=build/solutions NOOK_IMAGE=build/images/busybox tests/soak/soak.sh [RUNS]
#
# Needs root. Everything runs inside a network namespace the soak makes (the host's own
# interfaces are never touched), and every container is named SOAK_PREFIX-N, so that only
# the soak's own leftovers are counted while others run containers beside it. No wall-time
# assertion: waits are bounded (SOAK_HANG seconds for a batch) only so that a hang is
# reported as one, not left to hang the run. Prints one count per kind of leftover, then a
# plain "N passed, N failed" line; exits 1 unless every count is 0.
set -u

NOOK_BIN=${NOOK_BIN:-build/solutions}
NOOK_IMAGE=${NOOK_IMAGE:-build/images/busybox}
RUNS=${1:-${SOAK_RUNS:-500}}
JOBS=${SOAK_JOBS:-4}
HANG=${SOAK_HANG:-120}
NOOK=$NOOK_BIN/09-seccomp
PREFIX=soak$$x$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
NETNS=$PREFIX
RSS_SLACK_KB=${SOAK_RSS_SLACK_KB:-512}

if [ "$(id -u)" != 0 ]; then
	echo "soak: SKIP: needs root"
	exit 0
fi
if [ ! -x "$NOOK" ] || [ ! -x "$NOOK_IMAGE/bin/busybox" ]; then
	echo "soak: $NOOK or $NOOK_IMAGE missing: run 'make programs image' first"
	exit 1
fi
if [ ! -d /sys/fs/cgroup/memory ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
	echo "soak: SKIP: no memory cgroup on this host"
	exit 0
fi

# /run/nook of its own: a tmpfs in a private mount namespace (SOAK_PRIVATE_RUN=0: the
# host's). Others' runtimes on this machine — older builds among them — then cannot sweep
# the soak's killed containers, and nothing counted is theirs.
if [ "${SOAK_PRIVATE_RUN:-1}" != 0 ] && [ -z "${SOAK_IN_NS:-}" ]; then
	export SOAK_IN_NS=1 SOAK_RUNS=$RUNS
	exec unshare -m --propagation private sh -c \
		'mkdir -p /run/nook && mount -t tmpfs -o mode=0711 nook-soak /run/nook && exec sh "$0"' "$0"
fi

work=$(mktemp -d /tmp/nook-soak.XXXXXX) || exit 1
ip netns add "$NETNS" || exit 1
cleanup() {
	ip netns del "$NETNS" 2>/dev/null
	[ -n "${SOAK_KEEP:-}" ] && echo "soak: runs' outputs kept in $work" && return
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A random number from 0 to $1-1.
random() {
	echo $(($(od -An -N2 -tu2 /dev/urandom) % $1))
}

# The full container, named $1, running the shell command $2, inside the soak's netns.
# The address's last byte is free to collide: each container has a netns of its own.
nook() {
	exec nsenter --net="/run/netns/$NETNS" "$NOOK" --name "$PREFIX-$1" \
		--rootfs "$NOOK_IMAGE" --net veth --ip "10.251.$(($1 % 250)).2/24" \
		--memory 64m --pids 50 -- sh -c "$2"
}

# Run $1: start nook, after $3 ms send it signal $2 (or none), wait; its status in $1.rc.
# Started with & by a script, nook inherits SIGINT ignored (finding 8 of issue 12): it
# must take SIGINT all the same.
run_one() {
	(nook "$1" ": $PREFIX-run; echo \$\$ >/tmp/pid; sleep 0.0$(random 9)") \
		</dev/null >"$work/$1.out" 2>"$work/$1.err" &
	p=$!
	echo "$p" >"$work/$1.pid"
	if [ "$2" != none ]; then
		sleep "$(printf '0.%03d' "$3")"
		kill -s "$2" "$p" 2>/dev/null
	fi
	wait "$p" 2>/dev/null
	echo $? >"$work/$1.rc.new" && mv "$work/$1.rc.new" "$work/$1.rc"
}

hung=0
# Wait for runs $@ to end; one still going after HANG seconds is killed and counted.
await() {
	ticks=$((HANG * 10))
	for run in "$@"; do
		while [ ! -s "$work/$run.rc" ] && [ "$ticks" -gt 0 ]; do
			sleep 0.1
			ticks=$((ticks - 1))
		done
		if [ ! -s "$work/$run.rc" ]; then
			echo "soak: run $run hung (signal $(cat "$work/$run.sig")): killed"
			hung=$((hung + 1))
			kill -s KILL "$(cat "$work/$run.pid")" 2>/dev/null
		fi
	done
	wait
}

# Run $1 to its end, measuring nook once its container runs (it has said "up" through
# nook's relay), while it sleeps: "VmRSS-kB fds" in $1.m.
measure() {
	(nook "$1" ": $PREFIX-measure; echo up; sleep 2") </dev/null >"$work/$1.out" 2>"$work/$1.err" &
	p=$!
	for t in $(seq 300); do
		grep -q up "$work/$1.out" 2>/dev/null && break
		sleep 0.1
	done
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status")
	fds=$(ls "/proc/$p/fd" | wc -l)
	echo "$rss $fds" >"$work/$1.m"
	wait "$p" 2>/dev/null
	echo $? >"$work/$1.rc"
	echo "soak: run $1: nook VmRSS $rss kB, $fds descriptors, late in the run"
}

start=$(date +%s)
i=1
while [ "$i" -le "$RUNS" ]; do
	if [ "$i" = 10 ] || [ "$i" = "$RUNS" ]; then
		echo none >"$work/$i.sig"
		measure "$i"
		i=$((i + 1))
		continue
	fi
	batch=""
	while [ "$i" -le "$RUNS" ] && [ "$i" != 10 ] && [ "$i" != "$RUNS" ] &&
		[ $(($(echo "$batch" | wc -w))) -lt "$JOBS" ]; do
		case $(random 8) in
		0) sig=none ;;
		1 | 2 | 3) sig=KILL ;;
		4 | 5) sig=TERM ;;
		*) sig=INT ;;
		esac
		echo "$sig" >"$work/$i.sig"
		run_one "$i" "$sig" "$(random 50)" &
		batch="$batch $i"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	await $batch
	[ $((i % 100)) -lt "$JOBS" ] && [ "$i" -gt "$JOBS" ] &&
		echo "soak: $((i - 1)) runs, $(($(date +%s) - start)) s"
done
elapsed=$(($(date +%s) - start))

# One more, ordinary run: its create sweeps what the SIGKILLed runs left.
(nook 0 ": $PREFIX-final; true") </dev/null >"$work/final.out" 2>"$work/final.err"
final=$?

# What each run ended with, by signal: status and stderr lines.
summary() {
	for run in $(seq "$RUNS"); do
		printf '%s %s %s\n' "$(cat "$work/$run.sig")" "$(cat "$work/$run.rc" 2>/dev/null)" \
			"$(wc -l <"$work/$run.err")"
	done | sort | uniq -c | sort -rn | while read -r n sig rc lines; do
		echo "soak:   $n run(s): signal $sig, exit $rc, $lines line(s) on stderr"
	done
	cat "$work"/*.err | sed "s/$PREFIX-[0-9]*/ID/g" | sort | uniq -c | sort -rn |
		sed 's/^ *\([0-9]*\) /soak:   \1 run(s) said: /'
}

# Leftovers, counted by kind; the kernel tears down a dead netns's veths and processes
# asynchronously, so counts are taken again (for at most SOAK_SETTLE s, sweeping again
# each time) until all are 0.
count_mounts() { grep -c "/run/nook/$PREFIX-" /proc/self/mountinfo; }
count_states() { ls /run/nook 2>/dev/null | grep -c "^$PREFIX-"; }
count_cgroups() {
	ls -d /sys/fs/cgroup/nook/"$PREFIX"-* /sys/fs/cgroup/*/nook/"$PREFIX"-* 2>/dev/null | wc -l
}
count_veths() { ip -n "$NETNS" -o link show | grep -vc ': lo:'; }
# Every run's command line names $PREFIX-: nook's (--name), its container's (sh -c). The
# pattern, as written, does not match grep's own.
count_procs() { grep -l "$PREFIX[-]" /proc/[0-9]*/cmdline 2>/dev/null | wc -l; }
# A run whose stderr says more than one line broke the one-line rule (a diagnosis's lines,
# "  - CAUSE" after the error, are not counted: solutions/diagnose.c).
count_chatty() {
	n=0
	for f in "$work"/*.err; do
		[ "$(grep -vc '^  - ' "$f")" -gt 1 ] && n=$((n + 1)) && sed 's/^/soak:   chatty: /' "$f"
	done
	echo "$n"
}

settle=${SOAK_SETTLE:-30}
while :; do
	mounts=$(count_mounts) states=$(count_states) cgroups=$(count_cgroups)
	veths=$(count_veths) procs=$(count_procs)
	[ $((mounts + states + cgroups + veths + procs)) = 0 ] && break
	[ "$settle" -le 0 ] && break
	settle=$((settle - 1))
	sleep 1
	# A killed container stays in its cgroup until whoever adopted it reaps it: a sweep
	# that found it busy kept its state, and the next one tries again.
	(nook 0 ": $PREFIX-final; true") </dev/null >/dev/null 2>&1
done
chatty=$(count_chatty)

set -- $(cat "$work/10.m" 2>/dev/null || echo 0 0)
rss10=$1 fds10=$2
set -- $(cat "$work/$RUNS.m" 2>/dev/null || echo 0 0)
rssN=$1 fdsN=$2
grown=0
if [ "$RUNS" -gt 10 ]; then
	[ "$rssN" -gt $((rss10 + RSS_SLACK_KB)) ] && grown=$((grown + 1))
	[ "$fdsN" -gt "$fds10" ] && grown=$((grown + 1))
	[ "$rss10" = 0 ] || [ "$rssN" = 0 ] && grown=$((grown + 1))
fi

echo "soak: $RUNS runs, $JOBS at a time, in $elapsed s; the sweeping run exited $final"
summary
echo "soak: nook at run 10: VmRSS $rss10 kB, $fds10 fds; at run $RUNS: VmRSS $rssN kB, $fdsN fds"
echo "soak: leftovers: mounts $mounts, state dirs $states, cgroups $cgroups, veths $veths," \
	"processes $procs, hung runs $hung, multi-line errors $chatty, fd/RSS growth $grown"
bad=$((mounts + states + cgroups + veths + procs + hung + chatty + grown + (final != 0)))
if [ "$bad" = 0 ]; then
	echo "soak: 1 passed, 0 failed"
	exit 0
fi
ls -d /run/nook/"$PREFIX"-* /sys/fs/cgroup/nook/"$PREFIX"-* /sys/fs/cgroup/*/nook/"$PREFIX"-* 2>/dev/null |
	while read -r left; do
		run=${left##*-}
		echo "soak:   left: $left (run $run: signal $(cat "$work/$run.sig"), exit $(cat "$work/$run.rc"))"
	done
echo "soak: 0 passed, 1 failed"
exit 1
