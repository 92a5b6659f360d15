/**
 * @file engines.c
 * @brief Step 10 under real engines: podman (through conmon) and containerd (through its
 *        runc v2 shim) run the default image with build/solutions/nook as their runtime.
 *
 * 10-nook.c calls nook the way an engine does; here the engines call it themselves, with
 * every flag and file they pass runc. What each test expects was first seen with runc
 * (`--runtime /usr/bin/runc`, `--runc-binary /usr/bin/runc`) on this machine; where nook
 * differs on purpose the test says why — nook-init is the container's PID 1, so a SIGTERM
 * reaches the command (runc's PID 1 is the command, which ignores it), and `top` and
 * `task ps` list init too.
 *
 * Nothing here touches the machine's own engines, images or network:
 *  - podman keeps everything under a scratch directory of the group's (--root, --runroot,
 *    --tmpdir), makes cgroups itself (--cgroup-manager cgroupfs) and writes events to a
 *    file (no systemd, no journal); every container has --network none. The image is the
 *    default one, `podman import`ed; `podman system reset` removes it all at the end;
 *  - containerd is a daemon of the group's own: its config, root, state, socket and the
 *    shim's runtime state (--runc-root) in a scratch directory; it is killed at the end.
 *    The image is the default one as an OCI archive (tests/oci/oci-archive), imported.
 * This machine lacks CAP_SYS_RESOURCE: podman's default rlimits (nofile 1048576) cannot be
 * set here, so every podman run keeps them where they are (--ulimit), as runc needs too.
 *
 * Each group skips its tests, saying why, where its engine is not installed: a
 * participant's machine. `make deps-engines` installs both; the maintainers' `make check`
 * does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/** Seconds one engine command (or a short script of them) may take. */
#define ENGINE_TIMEOUT 60

static char nook_bin[PATH_MAX], image[PATH_MAX];
static char podman_dir[64];	       /* podman's storage, run and tmp directories */
static char ctd_dir[64];	       /* containerd's config, root, state, socket */
static const char *podman_missing;     /* why the podman tests skip, or NULL */
static const char *containerd_missing; /* why the containerd tests skip, or NULL */
static char podman_broken[512];	       /* what failed in podman's setup: each test fails */
static char containerd_broken[512];    /* the same for containerd */

/**
 * Skip the test, saying @p why, unless @p why is NULL (its engine is there); then fail it
 * if the group's setup failed, saying what did (@p broken).
 */
static void
need(const char *why, const char *broken)
{
	if (why) {
		print_message("  skipped: %s\n", why);
		skip();
	}
	if (broken[0])
		fail_msg("the engine's setup failed: %s", broken);
}

/** Run @p script with /bin/sh -c, to its end or @p timeout_s. */
static void
sh(struct run *r, int timeout_s, const char *script)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};

	run_argv(r, timeout_s, argv);
}

/** Is every one of the NULL-terminated @p paths an executable? Else the first that is not. */
static const char *
missing(const char *const *paths)
{
	for (; *paths; paths++)
		if (access(*paths, X_OK) != 0)
			return *paths;
	return NULL;
}

/**
 * The runtime and the image, as absolute paths (engines run elsewhere); false if none.
 * NOOK_ENGINES_RUNTIME=/usr/bin/runc runs the same tests on runc, to compare.
 */
static bool
find_nook_and_image(void)
{
	const char *img = getenv("NOOK_IMAGE"), *runtime = getenv("NOOK_ENGINES_RUNTIME");

	return realpath(runtime && *runtime ? runtime : step_path("nook"), nook_bin) &&
	       realpath(img && *img ? img : "build/images/busybox", image);
}

/** A directory /tmp/nook-TAG-XXXXXX into @p dir (64 bytes), kept for the whole group. */
static bool
group_dir(char *dir, const char *tag)
{
	snprintf(dir, 64, "/tmp/nook-%s-XXXXXX", tag);
	return mkdtemp(dir) != NULL;
}

/* ---- podman ---------------------------------------------------------------------------- */

/**
 * $P: podman with the group's storage, nook as its runtime; $U: what every run takes (the
 * rlimits, $UL, and no network); $IMG: the image's name in that storage.
 */
static void
podman_env(void)
{
	char p[PATH_MAX + 512];

	snprintf(p, sizeof(p),
		 "podman --root %s/storage --runroot %s/run --tmpdir %s/tmp --cgroup-manager "
		 "cgroupfs --events-backend file --runtime %s",
		 podman_dir, podman_dir, podman_dir, nook_bin);
	setenv("P", p, 1);
	setenv("UL", "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024", 1);
	setenv("U", "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network none", 1);
	setenv("IMG", "nook-engines-busybox", 1);
	setenv("IMAGE", image, 1);
	setenv("PDIR", podman_dir, 1);
}

/**
 * Run @p script in $PDIR: conmon leaves a file "oom" in its working directory when the
 * OOM killer struck (under runc too), and must not leave it in the tree.
 */
static void
podman_sh(struct run *r, const char *script)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "cd \"$PDIR\" || exit 99; %s", script);
	sh(r, ENGINE_TIMEOUT, cmd);
}

static int
podman_setup(void **state)
{
	static const char *const tools[] = {"/usr/bin/podman", "/usr/bin/conmon", NULL};
	const char *absent = missing(tools);
	struct run r;

	(void)state;
	if (geteuid() != 0)
		return podman_missing = "needs root", 0;
	if (absent) {
		snprintf(podman_broken, sizeof(podman_broken),
			 "%s is not installed (make deps-engines)", absent);
		podman_missing = strdup(podman_broken);
		podman_broken[0] = '\0';
		return 0;
	}
	if (!find_nook_and_image() || !group_dir(podman_dir, "engines-podman"))
		return podman_missing = "no build/solutions/nook or image (make)", 0;
	podman_env();
	sh(&r, ENGINE_TIMEOUT, "tar -C \"$IMAGE\" -c . | $P import - $IMG >/dev/null");
	if (r.status != 0)
		snprintf(podman_broken, sizeof(podman_broken),
			 "podman import failed (status %d): %.400s", r.status, r.err);
	return 0;
}

/** Everything podman made, gone: containers, image, storage (and its mounts). */
static int
podman_teardown(void **state)
{
	struct run r;

	(void)state;
	if (!podman_dir[0])
		return 0;
	sh(&r, ENGINE_TIMEOUT,
	   "$P system reset --force >/dev/null 2>&1; "
	   "grep -o \" $PDIR/[^ ]*\" /proc/self/mounts | sort -r | xargs -r umount -l; "
	   "rm -rf \"$PDIR\"");
	if (r.status != 0)
		print_message("  warning: could not remove %s: %s\n", podman_dir, r.err);
	return 0;
}

static void
podman_runs_a_command_and_passes_its_status(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	podman_sh(&r, "$P run --rm $U $IMG echo hi");
	expect_run(&r, r.status == 0 && strcmp(r.out, "hi\n") == 0, "podman run echo hi");
	podman_sh(&r, "$P run --rm $U $IMG sh -c 'exit 7'");
	expect_run(&r, r.status == 7, "the command's exit status, 7, through podman");
	/* found missing at create, as runc does: podman then says 127, not 126 */
	podman_sh(&r, "$P run --rm $U $IMG /no/such/command");
	expect_run(&r, r.status == 127, "a missing command: podman's 127");
	podman_sh(&r, "$P ps -a -q | wc -l");
	expect_run(&r, strcmp(r.out, "0\n") == 0, "--rm left no container");
}

/** -d, then exec, ps, stop and rm, as a person would use a service container. */
static void
podman_detached_exec_stop_rm(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	podman_sh(&r,
		  "id=$($P run -d $U $IMG sleep 600) || exit 90; short=$(echo $id | cut -c1-12); "
		  "$P exec $id sh -c 'echo $((6 * 7)); exit 3'; echo exec $?; "
		  "[ \"$($P exec $id hostname)\" = $short ] && echo hostname; "
		  "$P ps --format '{{.ID}} {{.Status}}' | grep -c \"^$short Up\"; "
		  "$P stop -t 10 $id >/dev/null || exit 91; "
		  "$P inspect --format '{{.State.Status}} {{.State.ExitCode}}' $id; "
		  "$P rm $id >/dev/null || exit 92; $P ps -a -q | wc -l");
	/* stop's SIGTERM reaches sleep through nook-init: 143 (runc's PID 1 is sleep, which
	 * ignores it, and podman kills it after the 10 s: 137) */
	expect_run(&r,
		   r.status == 0 && strcmp(r.out, "42\nexec 3\nhostname\n1\nexited 143\n0\n") == 0,
		   "podman run -d, exec, stop, rm");
}

/**
 * pause freezes every process (a line printed into the log every 50 ms stops coming),
 * unpause thaws them; top finds the command's processes.
 */
static void
podman_pause_unpause_top(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	podman_sh(
		&r,
		"id=$($P run -d $U $IMG sh -c 'while :; do echo x; sleep 0.05; done') || exit 90; "
		"$P top $id pid args >top; grep -c 'while' top; grep -c 'nook-init  ' top; "
		"$P pause $id >/dev/null || exit 91; "
		"$P inspect --format '{{.State.Status}}' $id; "
		"a=$($P logs $id | wc -l); sleep 1; b=$($P logs $id | wc -l); "
		"[ $a = $b ] && echo frozen; "
		"$P unpause $id >/dev/null || exit 92; "
		"$P inspect --format '{{.State.Status}}' $id; "
		"for i in $(seq 100); do [ $($P logs $id | wc -l) -gt $b ] && break; sleep 0.1; "
		"done; "
		"[ $($P logs $id | wc -l) -gt $b ] && echo thawed; "
		"$P rm -f -t 0 $id >/dev/null");
	expect_run(&r, r.status == 0, "podman top, pause, unpause");
	/* "nook-init" with no run of spaces: its cmdline ends at its first NUL (pid.c) */
	expect_run(&r, strcmp(r.out, "1\n0\npaused\nfrozen\nrunning\nthawed\n") == 0,
		   "top lists the shell, and init without padding; frozen while paused, going "
		   "on once unpaused");
}

/**
 * -it: conmon passes --console-socket; nook makes the pty inside and sends its master
 * there. Keys typed reach the shell; its exit status comes back. script(1) is the
 * terminal podman needs.
 */
static void
podman_interactive_terminal(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	podman_sh(&r, "out=$(printf 'tty\\necho typed-$((6*7))\\nexit 9\\n' | "
		      "script -qec \"$P run --rm -it $U $IMG sh\" /dev/null); echo status $?; "
		      "echo \"$out\" | tr -d '\\r' | grep -c -e '^/dev/pts/0$' -e '^typed-42$'");
	expect_run(&r, strcmp(r.out, "status 9\n2\n") == 0, "podman run -it: typed, answered");
	podman_sh(&r, "id=$($P run -d $U $IMG sleep 600) || exit 90; "
		      "out=$(printf 'echo typed-$((6*7)); exit 8\\n' | "
		      "script -qec \"$P exec -it $id sh\" /dev/null); echo status $?; "
		      "echo \"$out\" | tr -d '\\r' | grep -c '^typed-42$'; "
		      "$P rm -f -t 0 $id >/dev/null");
	expect_run(&r, strcmp(r.out, "status 8\n1\n") == 0, "podman exec -it: typed, answered");
}

/** --memory: a command that needs more is killed by the OOM killer: 137. */
static void
podman_memory_limit_kills(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	podman_sh(&r, "$P run --rm $U --memory 32m $IMG sh -c "
		      "'x=$(head -c 100000000 /dev/zero | tr \"\\0\" a); echo survived'");
	expect_run(&r, r.status == 137 && !strstr(r.out, "survived"), "OOM-killed: 137");
	podman_sh(&r, "$P run --rm $U --memory 32m $IMG sh -c "
		      "'x=$(head -c 1000000 /dev/zero | tr \"\\0\" a); echo survived'");
	expect_run(&r, r.status == 0 && strcmp(r.out, "survived\n") == 0, "1 MB fits in 32m");
}

/**
 * --pids-limit: pids.max inside, at the container's own /sys/fs/cgroup; forks beyond it
 * fail, and not below it. The sleeps die with the shell: its end is the end of the
 * container's PID namespace.
 */
static void
podman_pids_limit(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	podman_sh(&r, "$P run --rm $U --pids-limit 8 $IMG "
		      "cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null");
	expect_run(&r, strcmp(r.out, "8\n") == 0, "pids.max is 8 inside (v1 or v2)");
	podman_sh(&r, "$P run --rm $U --pids-limit 8 $IMG sh -c "
		      "'i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i + 1)); done; echo ended'");
	/* a fork refused ends busybox's non-interactive shell: "can't fork", status 2 */
	expect_run(&r, r.status == 2 && !strstr(r.out, "ended") && strstr(r.err, "can't fork"),
		   "20 forks under --pids-limit 8: some refused");
	podman_sh(&r, "$P run --rm $U --pids-limit 100 $IMG sh -c "
		      "'i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i + 1)); done; echo ended'");
	expect_run(&r, r.status == 0 && strcmp(r.out, "ended\n") == 0 && !strstr(r.err, "fork"),
		   "20 forks under --pids-limit 100: none refused");
}

/** Capabilities: podman's default set, or none with --cap-drop ALL. */
static void
podman_capabilities(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	podman_sh(&r, "$P run --rm $U $IMG grep -e CapEff -e CapBnd /proc/self/status");
	/* CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP
	 * SETUID SYS_CHROOT: podman's defaults, as runc gives them */
	expect_run(&r, strcmp(r.out, "CapEff:\t00000000800405fb\nCapBnd:\t00000000800405fb\n") == 0,
		   "podman's default capabilities");
	podman_sh(&r, "$P run --rm $U --cap-drop ALL $IMG sh -c "
		      "'grep -e CapEff -e CapBnd /proc/self/status; chown 1 /tmp || echo refused'");
	expect_run(&r,
		   strcmp(r.out, "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\n"
				 "refused\n") == 0,
		   "no capabilities: chown refused");
}

/** --user 1000: that uid, podman's gid 0 and its supplementary group 0 (additionalGids). */
static void
podman_user(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	podman_sh(&r, "$P run --rm $U --user 1000 $IMG sh -c "
		      "'id -u; id -g; id -G; grep CapEff /proc/self/status; touch /etc/x || echo "
		      "refused'");
	expect_run(&r, strcmp(r.out, "1000\n0\n0\nCapEff:\t0000000000000000\nrefused\n") == 0,
		   "uid 1000, groups 0, no capabilities");
}

/** --read-only: the root refuses writes; the tmpfs podman puts on /tmp takes them. */
static void
podman_read_only(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	podman_sh(&r, "$P run --rm $U --read-only $IMG sh -c "
		      "'touch /x 2>/dev/null || echo refused; touch /tmp/x && echo tmp; exit 4'");
	expect_run(&r, r.status == 4 && strcmp(r.out, "refused\ntmp\n") == 0,
		   "a read-only root, a writable /tmp");
	podman_sh(&r, "$P run --rm $U --read-only $IMG touch /x");
	expect_run(&r, r.status == 1 && strstr(r.err, "Read-only file system"),
		   "touch's own failure, 1");
}

/** --network none: a network namespace with lo alone, not the host's (nor the test's). */
static void
podman_network_none(void **state)
{
	struct run r;
	char want[128], ns[64] = "";

	(void)state;
	need(podman_missing, podman_broken);
	if (readlink("/proc/self/ns/net", ns, sizeof(ns) - 1) < 0)
		fail_msg("readlink(/proc/self/ns/net): %s", strerror(errno));
	podman_sh(&r, "$P run --rm $U $IMG sh -c 'ls /sys/class/net; readlink /proc/self/ns/net'");
	snprintf(want, sizeof(want), "lo\n%s\n", ns);
	expect_run(&r, strncmp(r.out, "lo\nnet:[", 8) == 0 && strcmp(r.out, want) != 0,
		   "lo alone, in a namespace of its own");
}

/**
 * --device: the node made (linux.devices) and let through the device cgroup (the rule
 * podman adds after its deny-all), ":r" opened for reading but not for writing (FUSE's
 * device: one that no default rule allows); --privileged: the host's devices, /dev/kmsg
 * among them, which a container otherwise lacks.
 */
static void
podman_devices(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	if (access("/dev/fuse", F_OK) != 0) {
		print_message("  skipped: no /dev/fuse on this host to pass in\n");
		skip();
	}
	podman_sh(&r, "$P run --rm $U --device /dev/fuse:/dev/myfuse $IMG sh -c "
		      "'(exec 3<>/dev/myfuse) && echo rw; echo x >/dev/null && echo null; "
		      "test -c /dev/kmsg || echo no-kmsg'; "
		      "$P run --rm $U --device /dev/fuse:/dev/myfuse:r $IMG sh -c "
		      "'(exec 3</dev/myfuse) && echo r; (exec 3<>/dev/myfuse) 2>/dev/null || "
		      "echo refused'; "
		      "$P run --rm $U --privileged $IMG sh -c 'test -c /dev/kmsg && echo kmsg'");
	expect_run(&r, strcmp(r.out, "rw\nnull\nno-kmsg\nr\nrefused\nkmsg\n") == 0,
		   "--device rwm, --device :r, --privileged");
}

/** --ipc host: the caller's IPC namespace, shared; without it, one of the container's own. */
static void
podman_ipc_host(void **state)
{
	char ns[64] = "", want[128];
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	if (readlink("/proc/self/ns/ipc", ns, sizeof(ns) - 1) < 0)
		fail_msg("readlink(/proc/self/ns/ipc): %s", strerror(errno));
	podman_sh(&r, "$P run --rm $U --ipc host $IMG readlink /proc/self/ns/ipc; "
		      "$P run --rm $U $IMG readlink /proc/self/ns/ipc");
	snprintf(want, sizeof(want), "%s\n", ns);
	expect_run(&r,
		   strncmp(r.out, want, strlen(want)) == 0 &&
			   strcmp(r.out + strlen(want), want) != 0 &&
			   strncmp(r.out + strlen(want), "ipc:[", 5) == 0,
		   "--ipc host: %s; then one of its own", ns);
}

/**
 * --network ns:PATH: a network namespace the engine did not make, given by path in
 * config.json (linux.namespaces[].path), which nook joins instead of making one — here
 * one this test makes, bound to a file in its directory (the teardown unmounts it).
 */
static void
podman_joins_a_network_namespace(void **state)
{
	struct run r;

	(void)state;
	need(podman_missing, podman_broken);
	podman_sh(&r,
		  "ns=\"$PDIR/netns-$$\"; touch \"$ns\" && unshare --net=\"$ns\" true || exit 90; "
		  "want=$(stat -L -c %i \"$ns\"); "
		  "got=$($P run --rm $UL --network ns:\"$ns\" --read-only $IMG "
		  "stat -L -c %i /proc/self/ns/net) || exit 91; "
		  "umount \"$ns\"; [ \"$got\" = \"$want\" ] && echo joined");
	expect_run(&r, strcmp(r.out, "joined\n") == 0, "the container in the test's namespace");
}

/* ---- containerd --------------------------------------------------------------------------- */

/** $C: ctr on the group's daemon; $RR: the shim's runtime, nook, with its state here. */
static void
containerd_env(void)
{
	char c[512], rr[PATH_MAX + 256];

	snprintf(c, sizeof(c), "ctr --address %s/containerd.sock", ctd_dir);
	snprintf(rr, sizeof(rr), "--runc-binary %s --runc-root %s/runc --fifo-dir %s/fifo",
		 nook_bin, ctd_dir, ctd_dir);
	setenv("C", c, 1);
	setenv("RR", rr, 1);
	setenv("CIMG", "nook.test/busybox:latest", 1);
	setenv("CDIR", ctd_dir, 1);
	setenv("IMAGE", image, 1);
}

/** The daemon's config: everything under the group's directory, no CRI (no Kubernetes). */
static bool
write_containerd_config(void)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/config.toml", ctd_dir);
	if (!(f = fopen(path, "we")))
		return false;
	fprintf(f,
		"version = 2\n"
		"root = \"%s/root\"\n"
		"state = \"%s/state\"\n"
		"disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
		"[grpc]\n  address = \"%s/containerd.sock\"\n"
		"[ttrpc]\n  address = \"%s/containerd.sock.ttrpc\"\n"
		"[debug]\n  address = \"\"\n"
		"[metrics]\n  address = \"\"\n"
		"[plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"%s/opt\"\n",
		ctd_dir, ctd_dir, ctd_dir, ctd_dir, ctd_dir);
	return fclose(f) == 0;
}

/**
 * Start the daemon (its PID in $CDIR/pid), wait for it to answer, import the image; else
 * say what failed into containerd_broken.
 */
static void
start_containerd(void)
{
	const size_t size = sizeof(containerd_broken);
	struct run r;

	if (!write_containerd_config()) {
		snprintf(containerd_broken, size, "writing its config: %s", strerror(errno));
		return;
	}
	sh(&r, RUN_TIMEOUT,
	   "containerd --config \"$CDIR/config.toml\" </dev/null >\"$CDIR/log\" 2>&1 & "
	   "echo $! >\"$CDIR/pid\"; "
	   "for i in $(seq 200); do $C version >/dev/null 2>&1 && exit 0; sleep 0.1; done; "
	   "exit 1");
	if (r.status != 0) {
		sh(&r, RUN_TIMEOUT, "tail -n 3 \"$CDIR/log\""); /* the directory goes at the end */
		snprintf(containerd_broken, size, "containerd did not answer within 20 s: %.400s",
			 r.out);
		return;
	}
	sh(&r, ENGINE_TIMEOUT,
	   "tests/oci/oci-archive \"$IMAGE\" \"$CDIR/image.tar\" $CIMG && "
	   "$C images import \"$CDIR/image.tar\" >/dev/null");
	if (r.status != 0)
		snprintf(containerd_broken, size, "ctr images import failed (status %d): %.400s",
			 r.status, r.err);
}

static int
containerd_setup(void **state)
{
	static const char *const tools[] = {"/usr/bin/containerd", "/usr/bin/ctr",
					    "/usr/bin/containerd-shim-runc-v2", NULL};
	const char *absent = missing(tools);

	(void)state;
	if (geteuid() != 0)
		return containerd_missing = "needs root", 0;
	if (absent) {
		snprintf(containerd_broken, sizeof(containerd_broken),
			 "%s is not installed (make deps-engines)", absent);
		containerd_missing = strdup(containerd_broken);
		containerd_broken[0] = '\0';
		return 0;
	}
	if (!find_nook_and_image() || !group_dir(ctd_dir, "engines-containerd"))
		return containerd_missing = "no build/solutions/nook or image (make)", 0;
	containerd_env();
	start_containerd();
	return 0;
}

/**
 * Every task killed and deleted (each shim exits with its task), every container, then the
 * daemon; its snapshots unmounted, its directory removed.
 */
static int
containerd_teardown(void **state)
{
	struct run r;

	(void)state;
	if (!ctd_dir[0])
		return 0;
	sh(&r, ENGINE_TIMEOUT,
	   "for t in $($C task ls -q 2>/dev/null); do $C task kill -a -s KILL $t; done; "
	   "for t in $($C task ls -q 2>/dev/null); do $C task rm -f $t; done; "
	   "for c in $($C containers ls -q 2>/dev/null); do $C containers rm $c; done; "
	   "pid=$(cat \"$CDIR/pid\" 2>/dev/null) && kill $pid 2>/dev/null && "
	   "for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done; "
	   "grep -o \" $CDIR/[^ ]*\" /proc/self/mounts | sort -r | xargs -r umount -l; "
	   "rm -rf \"$CDIR\"");
	if (r.status != 0)
		print_message("  warning: could not remove %s: %s\n", ctd_dir, r.err);
	return 0;
}

static void
containerd_runs_a_command_and_passes_its_status(void **state)
{
	char id[64], cmd[256];
	struct run r;

	(void)state;
	need(containerd_missing, containerd_broken);
	unique_name(id, "ctr");
	snprintf(cmd, sizeof(cmd), "$C run --rm $RR $CIMG %s echo hi", id);
	sh(&r, ENGINE_TIMEOUT, cmd);
	expect_run(&r, r.status == 0 && strcmp(r.out, "hi\n") == 0, "ctr run echo hi");
	unique_name(id, "ctr");
	snprintf(cmd, sizeof(cmd),
		 "$C run --rm $RR $CIMG %s sh -c 'exit 7'; echo status $?; "
		 "$C containers ls -q | grep -c %s",
		 id, id);
	sh(&r, ENGINE_TIMEOUT, cmd);
	expect_run(&r, strcmp(r.out, "status 7\n0\n") == 0, "status 7, and --rm removed it");
	/* no hostname in ctr's config: the host's name, in a UTS namespace of its own */
	{
		char host[128], ns[64] = "", want[256];

		if (gethostname(host, sizeof(host)) < 0 ||
		    readlink("/proc/self/ns/uts", ns, sizeof(ns) - 1) < 0)
			fail_msg("gethostname, readlink: %s", strerror(errno));
		unique_name(id, "ctr");
		snprintf(cmd, sizeof(cmd),
			 "$C run --rm $RR $CIMG %s sh -c 'hostname; readlink /proc/self/ns/uts'",
			 id);
		sh(&r, ENGINE_TIMEOUT, cmd);
		snprintf(want, sizeof(want), "%s\nuts:[", host);
		expect_run(&r, strncmp(r.out, want, strlen(want)) == 0 && !strstr(r.out, ns),
			   "the host's name (\"%s\"), not its UTS namespace", host);
	}
	/* the shim's runtime state: the container was there, and delete removed it */
	sh(&r, RUN_TIMEOUT, "ls \"$CDIR/runc/default\" | wc -l");
	expect_run(&r, strcmp(r.out, "0\n") == 0, "nothing left in the shim's --runc-root");
}

/** -d; `task exec` joins it (its status comes back); `task kill` ends it (SIGTERM). */
static void
containerd_detached_exec_kill(void **state)
{
	char id[64], cmd[1024];
	struct run r;

	(void)state;
	need(containerd_missing, containerd_broken);
	unique_name(id, "ctr");
	snprintf(cmd, sizeof(cmd),
		 "id=%s; $C run -d $RR $CIMG $id sleep 600 >/dev/null || exit 90; "
		 "$C task ls | grep -c \"^$id .* RUNNING\"; "
		 "$C task exec --fifo-dir \"$CDIR/fifo\" --exec-id x1 $id sh -c "
		 "'echo $((6 * 7)); exit 4'; echo exec $?; "
		 "[ $($C task ps $id | tail -n +2 | wc -l) -ge 2 ] && echo listed; "
		 "$C task kill $id || exit 91; "
		 "for i in $(seq 100); do $C task ls | grep -q \"^$id .* STOPPED\" && break; "
		 "sleep 0.1; done; $C task ls | grep -c \"^$id .* STOPPED\"; "
		 "$C task rm $id >/dev/null 2>&1; $C containers rm $id; "
		 "ls \"$CDIR/runc/default\" | grep -c $id",
		 id);
	sh(&r, ENGINE_TIMEOUT, cmd);
	expect_run(&r, strcmp(r.out, "1\n42\nexec 4\nlisted\n1\n0\n") == 0,
		   "run -d, task exec, task ps, task kill, rm");
}

/**
 * `task kill --all -s KILL` (the shim's `kill --all ID 9`): the task stops, and the exec'd
 * process is gone with it. (Any death of PID 1 ends its namespace too: what this adds to
 * `task kill` is the flag, taken, and the cgroup's processes found.)
 */
static void
containerd_kill_all(void **state)
{
	char id[64], cmd[1024], secs[32];
	struct run r;

	(void)state;
	need(containerd_missing, containerd_broken);
	unique_name(id, "ctr");
	/* the exec'd sleep, found on the host by its own number of seconds */
	setenv("SECS", (snprintf(secs, sizeof(secs), "%d", 100000 + getpid()), secs), 1);
	snprintf(cmd, sizeof(cmd),
		 "id=%s; $C run -d $RR $CIMG $id sleep 600 >/dev/null || exit 90; "
		 "$C task exec -d --fifo-dir \"$CDIR/fifo\" --exec-id x1 $id sleep $SECS || exit "
		 "92; "
		 "for i in $(seq 100); do pgrep -f \"^sleep $SECS$\" >/dev/null && break; sleep "
		 "0.1; "
		 "done; pgrep -f \"^sleep $SECS$\" | wc -l; "
		 "$C task kill --all -s KILL $id || exit 91; "
		 "for i in $(seq 100); do $C task ls | grep -q \"^$id .* STOPPED\" && break; "
		 "sleep 0.1; done; $C task ls | grep -c \"^$id .* STOPPED\"; "
		 "for i in $(seq 100); do pgrep -f \"^sleep $SECS$\" >/dev/null || break; sleep "
		 "0.1; "
		 "done; pgrep -f \"^sleep $SECS$\" | wc -l; "
		 "$C task rm $id >/dev/null 2>&1; $C containers rm $id",
		 id);
	sh(&r, ENGINE_TIMEOUT, cmd);
	expect_run(&r, strcmp(r.out, "1\n1\n0\n") == 0,
		   "kill --all: the exec'd process is gone too");
}

/** `ctr run -t`: the shim's console socket; the pty made inside. */
static void
containerd_terminal(void **state)
{
	char id[64], cmd[512];
	struct run r;

	(void)state;
	need(containerd_missing, containerd_broken);
	unique_name(id, "ctr");
	snprintf(cmd, sizeof(cmd),
		 "out=$(printf 'tty; echo typed-$((6*7)); exit 5\\n' | "
		 "script -qec \"$C run --rm -t $RR $CIMG %s sh\" /dev/null); echo status $?; "
		 "echo \"$out\" | tr -d '\\r' | grep -c -e '^/dev/pts/0$' -e '^typed-42$'",
		 id);
	sh(&r, ENGINE_TIMEOUT, cmd);
	expect_run(&r, strcmp(r.out, "status 5\n2\n") == 0, "ctr run -t: typed, answered");
}

int
main(void)
{
	const struct CMUnitTest podman[] = {
		cmocka_unit_test(podman_runs_a_command_and_passes_its_status),
		cmocka_unit_test(podman_detached_exec_stop_rm),
		cmocka_unit_test(podman_pause_unpause_top),
		cmocka_unit_test(podman_interactive_terminal),
		cmocka_unit_test(podman_memory_limit_kills),
		cmocka_unit_test(podman_pids_limit),
		cmocka_unit_test(podman_capabilities),
		cmocka_unit_test(podman_user),
		cmocka_unit_test(podman_read_only),
		cmocka_unit_test(podman_network_none),
		cmocka_unit_test(podman_joins_a_network_namespace),
		cmocka_unit_test(podman_ipc_host),
		cmocka_unit_test(podman_devices),
	};
	const struct CMUnitTest containerd[] = {
		cmocka_unit_test(containerd_runs_a_command_and_passes_its_status),
		cmocka_unit_test(containerd_detached_exec_kill),
		cmocka_unit_test(containerd_kill_all),
		cmocka_unit_test(containerd_terminal),
	};
	int failed = cmocka_run_group_tests_name("podman", podman, podman_setup, podman_teardown);

	return failed + cmocka_run_group_tests_name("containerd", containerd, containerd_setup,
						    containerd_teardown);
}
