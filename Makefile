# nook — build a container from scratch, one kernel primitive per step.
# Containers need root: `sudo make demo`, or in a root shell (no sudo there) `make demo`.
#
#   make                          build every step from solutions/ into build/solutions/
#   make TREE=steps               build your workspace (steps/ over solutions/) into build/steps/
#   make check                    everything CI checks (needs root)
#   make check TREE=steps STEP=NN the tests of steps 01..NN on your workspace
#   make check TREE=steps ONLY=NN only step NN's tests on your workspace
#   make hint STEP=NN             the next hint for step NN's exercise (one level more each time)
#   make check-exercises          prove that each step's tests fail with its exercise blank,
#                                 and with each known-wrong answer in tests/mutants/
#                                 (ONLY=NN: exercise NN alone)
#   make check-lessons            re-run the lessons' transcripts and compare
#   make check-cgroup2            step 06 and escape tests on a cgroup-v2-only kernel in qemu
#   make check-escapes            the escape battery: every known attack, from inside step 09
#   make soak-network             200 containers on step 12's default network: nothing left
#   make steps                    regenerate steps/ from the EXERCISE regions of solutions/;
#                                 refuses to overwrite your work in an exercise (FORCE=1 does)
#   make handout                  build/handout/nook(.tar.gz): the tree without the answers
#   make docs                     the API, the lessons and their diagrams as one site, in
#                                 build/docs/html (installs doxygen and graphviz)
#   make image                    the default image: build/images/busybox, from busybox-static
#   make image IMAGE=debian       also build/images/debian: Debian minbase and python3, an OCI
#                                 layout made by mmdebstrap (installs it; downloads; minutes)
#   make demo | make shell        a tour of every step | a shell in the newest step
#   make deps                     install the packages demo and check need (Debian, Ubuntu)
#   make deps-vm                  install qemu and a kernel for check-cgroup2 (full check, CI)
#   make deps-engines             install podman and containerd for test-oci (full check, CI)
#   make deps-images              install skopeo and docker-registry for test-images (full check)
#   make bench                    time each step and runc, crun, unshare (and nook, step 10):
#                                 build/bench/report.md and bench.png; BENCH_RUNS=N for more
#   make bench-smoke              the same, 2 rounds of 10: that it runs (not in make check)
#   make VARIANT=san ...          the same with AddressSanitizer and UBSan, in build/san/
#   make install                  nook-NN-topic and the runtime nook into $(PREFIX)/bin, man pages into
#                                 $(PREFIX)/share/man/man1 (nook-CMD.1 for each command of nook),
#                                 nook-image (the image commands nook runs) into
#                                 $(PREFIX)/libexec/nook (PREFIX=/usr/local, DESTDIR=)
#   make check-man                install into a scratch directory; man renders each page, whose
#                                 options are exactly those --help lists
#   make check-docs               the site in headless Chromium: links, images, diagrams
#   make format | format-check    clang-format the C sources | check they are formatted
#   make test-oci                 step 10: build/solutions/nook driven as engines drive runc,
#                                 and by podman and containerd themselves when installed
#   make test-trace               --trace: each step and nook traced, their stderr read
#   make test-doctor              each error diagnosis caused for real; `nook doctor`'s checks
#   make test-images              step 11: images imported, pulled from a loopback registry, run
#   make test-commit              step 11: --device and CDI devices given to nook run IMAGE
#   make test-monitor             step 11: run -d and its monitor; ps, logs, exec, stop, kill, rm
#   make fuzz [FUZZ_SECONDS=N]    libFuzzer on the option parser and the seccomp profile reader

# A step is a program solutions/NN-topic.c; adding one is adding that file.
STEPS := $(sort $(basename $(notdir $(wildcard solutions/[0-9][0-9]-*.c))))
# Step 10 is no step program but the runtime, build/solutions/nook; its tests are
# tests/steps/10-nook.c, run by `make test-oci`, by STEP=10 and ONLY=10, and by the
# exercise proof.
OCI_STEP := $(if $(wildcard solutions/nook.c),10-nook)
# Step 11 is no program either: images, in the runtime (nook image, nook run IMAGE). Its
# tests, tests/steps/11-images.c, run under test-steps like the others (and alone with
# `make test-images`); its exercise is in image_layer.c.
IMAGE_STEP := $(if $(wildcard solutions/image_layer.c),11-images)
# Every step's tests, in order: the step programs', the runtime's (10) and the images' (11).
ALL_STEPS = $(sort $(STEPS) $(OCI_STEP) $(IMAGE_STEP))
# A hand-out (`make handout`) has no answers in solutions/: there, your work is the tree.
HANDOUT := $(wildcard .handout)
TREE ?= $(if $(HANDOUT),steps,solutions)
VARIANT ?=
# The newest step by default; STEP=NN tests steps 01..NN, ONLY=NN step NN alone.
STEP ?= $(firstword $(subst -, ,$(lastword $(STEPS))))
ONLY ?=

# Nothing below may run a program while make reads this file ($(shell) in a `:=`): the
# targets people type first install the packages (`deps`), and only then build, in a
# second make that reads the file anew. The package lists, per distribution, are in
# tests/install-deps: `deps` what demo and check need, `deps-vm` what check-cgroup2 adds
# (qemu and a kernel to boot) and `deps-engines` what test-oci's engine tests drive nook
# with (podman, containerd), for the maintainers' full `make check` and CI.

ifeq ($(VARIANT),san)
OUT := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(VARIANT),)
OUT := build
SANFLAGS :=
else
$(error VARIANT must be empty or san, not '$(VARIANT)')
endif

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror
ALL_CFLAGS = -std=gnu11 $(WARN) $(SANFLAGS) -Isolutions -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
# Libraries the stages use (step 04: rtnetlink through libmnl, ...). Named, not asked of
# pkg-config: make reads this before `deps` has installed them.
# libyaml: CDI specs (cdi_yaml.c), which `nook run IMAGE --device` reads, so nook has it.
LDLIBS := -lmnl -lnftnl -lcap -lseccomp -ljansson -lz -lyaml
# The image side — what pull, image import/inspect/prune, images and rmi need — is a second
# program, nook-image, which nook execs for those commands (image_tool() in nook.c): every
# shared library nook loads is start latency for `nook run`, `create` and `state` (49
# libraries with these, 10 without; tests/bench/profile.md). A new file used only by image
# commands goes into IMAGE_TOOL_SRCS, its libraries into IMAGE_TOOL_LIBS (never LDLIBS), and
# a new image command's entry point gets a `#pragma weak` in nook.c. `ldd build/solutions/nook`
# must not list them. What `nook run IMAGE` needs (opening the store, reading a manifest or
# config from disk) stays in nook, without those libraries.
IMAGE_TOOL_SRCS := cmd_pull.c cmd_image.c cmd_image_import.c cmd_image_inspect.c \
	cmd_image_prune.c cmd_images.c cmd_rmi.c image_add.c image_digest.c image_import.c \
	image_layer.c image_policy.c image_prune.c image_ref.c image_registry.c \
	image_identity.c image_lookaside.c image_signature.c image_trust.c image_rootless.c \
	image_partial.c \
	cmd_commit.c cmd_cp.c image_commit.c image_cp.c image_pack.c
IMAGE_TOOL_LIBS := -larchive -lcurl -lcrypto -lgpgme

# Which sources a tree is built from: its own directory first, then solutions/.
ifeq ($(TREE),solutions)
OVERLAY :=
else ifeq ($(TREE),steps)
OVERLAY := steps
else ifneq ($(filter blank-% mutant-%,$(TREE)),)
OVERLAY := $(OUT)/gen/$(TREE)
else
$(error TREE must be solutions, steps, blank-NN or mutant-NN-name, not '$(TREE)')
endif
ifneq ($(OVERLAY),)
# An exercise left blank leaves names unused: a warning is a hint then, not an error.
WARN += -Wno-error=unused-parameter -Wno-error=unused-variable \
	-Wno-error=unused-but-set-variable -Wno-error=unused-function \
	-Wno-error=maybe-uninitialized
endif
vpath %.c $(OVERLAY) solutions

BIN := $(OUT)/$(TREE)
OBJ := $(OUT)/obj/$(TREE)
TOOLS := $(OUT)/tools
TESTBIN := $(OUT)/tests
# The runtime, step 10: build/solutions/nook, one file per subcommand (cmd_*.c).
NOOK_SRCS := nook.c $(filter-out $(IMAGE_TOOL_SRCS),$(notdir $(wildcard solutions/cmd_*.c)))
LIB_SRCS := $(filter-out 0% 1% $(NOOK_SRCS) $(IMAGE_TOOL_SRCS),$(notdir $(wildcard solutions/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(OBJ)/%.o)
# nook-image's own: its commands, linked in whole, and the rest as a library.
IMAGE_CMD_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(filter cmd_%,$(IMAGE_TOOL_SRCS)))
IMAGE_LIB_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(filter-out cmd_%,$(IMAGE_TOOL_SRCS)))
PROGRAMS := $(STEPS:%=$(BIN)/%) $(if $(wildcard solutions/nook.c),$(BIN)/nook $(BIN)/nook-image)

.PHONY: fuzz fuzz-deps FORCE
.PHONY: all programs image deps deps-vm deps-engines deps-images check test test-unit test-steps test-oci test-engines test-images test-commit test-monitor check-steps \
	check-exercises check-lessons check-cgroup2 check-old-glibc check-handout check-escapes soak soak-network test-faults test-trace test-doctor \
	steps handout docs run-docs man install uninstall check-man check-docs demo bench bench-smoke run-bench run-bench-smoke \
	shell run-check run-demo run-shell hint format format-check clean
.DELETE_ON_ERROR:

all: programs
programs: $(PROGRAMS)
ifneq ($(HANDOUT),)
# A hand-out's lessons run build/solutions/NN-topic, as in the full tree: there, that is
# the participant's own build.
programs: build/solutions
build/solutions:
	@mkdir -p build && ln -sfn steps $@
endif

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJ)/libnook.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(OBJ)/libnook-image.a: $(IMAGE_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/nook: $(NOOK_SRCS:%.c=$(OBJ)/%.o) $(OBJ)/libnook.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/nook-image: $(NOOK_SRCS:%.c=$(OBJ)/%.o) $(IMAGE_CMD_OBJS) $(OBJ)/libnook-image.a \
		$(OBJ)/libnook.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(IMAGE_TOOL_LIBS) $(LDLIBS)

$(BIN)/%: $(OBJ)/%.o $(OBJ)/libnook.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# ---- the default image ------------------------------------------------------------------

# A minimal root filesystem from Debian's busybox-static, for step 07 on. Made offline;
# shared by every TREE and VARIANT, since nothing in it is compiled.
IMAGE := build/images/busybox
# `make image IMAGE=debian` asks for a real distribution image as well: Debian minbase with
# python3, an OCI layout built by mmdebstrap from Debian's packages (network: Debian's
# mirror), which step 11's tests import and run where it is built. IMAGE stays the busybox
# image every test runs in.
DEBIAN_IMAGE := build/images/debian
ifeq ($(IMAGE),debian)
override IMAGE := build/images/busybox
WANT_DEBIAN := 1
endif
image: $(IMAGE)/bin/busybox $(if $(WANT_DEBIAN),$(DEBIAN_IMAGE)/index.json)
$(IMAGE)/bin/busybox: images/busybox.sh
	@images/busybox.sh $(IMAGE)
$(DEBIAN_IMAGE)/index.json: images/debian.sh
	@tests/install-deps image-debian
	@images/debian.sh $(DEBIAN_IMAGE)

# ---- tools and tests (always built from solutions/ and tests/) -------------------------

TEST_CFLAGS = -std=gnu11 -Wall -Wextra -Werror $(SANFLAGS) -Isolutions -Itests/harness \
	-Itests/tools -MMD -MP $(CFLAGS)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(TESTBIN)/unit-%,$(wildcard tests/unit/*.c))
STEP_TESTS := $(STEPS:%=$(TESTBIN)/%) $(OCI_STEP:%=$(TESTBIN)/%) $(IMAGE_STEP:%=$(TESTBIN)/%)
TOOL_OBJS := $(TOOLS)/exercise.o $(TOOLS)/lesson.o

$(TOOLS)/%.o: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<
$(TOOLS)/mkexercise: $(TOOLS)/mkexercise.o $(TOOLS)/exercise.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(TOOLS)/lessoncheck: $(TOOLS)/lessoncheck.o $(TOOLS)/lesson.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^

$(TESTBIN)/obj/%.o: tests/harness/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<
$(TESTBIN)/obj/steps-%.o: tests/steps/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<
$(TESTBIN)/obj/unit-%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<
$(TESTBIN)/probe: tests/helpers/probe.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -static -o $@ $<
# The attacker the escape battery runs inside containers: static, like the probe.
$(TESTBIN)/attack: tests/escapes/attack.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -static -o $@ $<
$(TESTBIN)/obj/escapes-%.o: tests/escapes/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<
$(TESTBIN)/escapes: $(TESTBIN)/obj/escapes-escapes.o $(TESTBIN)/obj/harness.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka -lcap
# Unit tests check the pure logic of the tree being built (in practice: solutions/).
$(TESTBIN)/unit-%: $(TESTBIN)/obj/unit-%.o $(TESTBIN)/obj/harness.o $(TOOL_OBJS) $(OBJ)/libnook-image.a $(OBJ)/libnook.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka $(IMAGE_TOOL_LIBS) $(LDLIBS)
$(TESTBIN)/%: $(TESTBIN)/obj/steps-%.o $(TESTBIN)/obj/harness.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka

# ---- checks ---------------------------------------------------------------------------

# Step tests run the programs of $(TREE); each test binary is one step, its cmocka summary
# printed as it goes. A failing binary does not stop the others: all are run, then judged.
# (A deferred `=`: the shell compares numbers only when a recipe needs the list.)
STEP_NUMBER = $(firstword $(subst -, ,$1))
TESTED_STEPS = $(strip $(foreach s,$(ALL_STEPS),$(if $(shell [ $(call STEP_NUMBER,$s) \
	$(if $(ONLY),-eq $(ONLY),-le $(STEP)) ] 2>/dev/null && echo y),$s)))
TESTED = $(if $(ONLY),step $(ONLY) only,steps up to $(STEP))
RUN_TESTS = NOOK_BIN=$(BIN) NOOK_PROBE=$(TESTBIN)/probe NOOK_IMAGE=$(IMAGE) tests/run-tests

test-steps: programs image $(STEP_TESTS) $(TESTBIN)/probe
	@$(if $(TESTED_STEPS),$(RUN_TESTS) $(addprefix $(TESTBIN)/,$(TESTED_STEPS)),\
		echo "test-steps: no step matches STEP=$(STEP) ONLY=$(ONLY) (steps: $(ALL_STEPS))"; exit 1)

# Step 10, the OCI runtime: build/solutions/nook driven as engines drive runc (10-nook),
# then by the engines themselves (tests/oci/engines.c: podman, containerd; each skips,
# saying so, where it is not installed — `make deps-engines` installs them).
test-oci: programs image $(TESTBIN)/10-nook $(TESTBIN)/engines $(TESTBIN)/probe
	@$(RUN_TESTS) $(TESTBIN)/10-nook $(TESTBIN)/engines
# The engines alone: the full check's test-steps has run 10-nook already (STEP is 12).
test-engines: programs image $(TESTBIN)/engines $(TESTBIN)/probe
	@$(RUN_TESTS) $(TESTBIN)/engines
$(TESTBIN)/obj/oci-%.o: tests/oci/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<
$(TESTBIN)/engines: $(TESTBIN)/obj/oci-engines.o $(TESTBIN)/obj/harness.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka

# Step 11, images: import, pull from a registry on loopback (docker-registry and skopeo,
# `make deps-images`, which the full check runs; without them those tests skip, saying so),
# and nook run IMAGE. test-steps runs them too (STEP=11 and up, ONLY=11): this is them alone,
# and the container commands' (test-monitor).
test-images: programs image $(TESTBIN)/11-images $(TESTBIN)/11-monitor
	@$(RUN_TESTS) $(TESTBIN)/11-images $(TESTBIN)/11-monitor
$(TESTBIN)/11-images: $(TESTBIN)/obj/steps-11-images.o $(TESTBIN)/obj/harness.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka -larchive
# Step 11, the container commands: run -d and its monitor, ps, logs, exec, stop, kill, rm,
# inspect, and run's options (tests/steps/11-monitor.c).
test-monitor: programs image $(TESTBIN)/11-monitor
	@$(RUN_TESTS) $(TESTBIN)/11-monitor
$(TESTBIN)/11-monitor: $(TESTBIN)/obj/steps-11-monitor.o $(TESTBIN)/obj/harness.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka
# Step 11, what a container gets beyond its image: --device nodes and CDI devices (specs
# in a scratch directory, never /etc/cdi).
test-commit: programs image $(TESTBIN)/11-commit
	@$(RUN_TESTS) $(TESTBIN)/11-commit
$(TESTBIN)/11-commit: $(TESTBIN)/obj/steps-11-commit.o $(TESTBIN)/obj/harness.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka

test-unit: $(UNIT_TESTS) $(TOOLS)/mkexercise
	@tests/run-tests $(UNIT_TESTS)
	@tests/mkexercise-test $(abspath $(TOOLS)/mkexercise)
	@tests/install-deps-test

# The steps whose tests also run under a cgroup-v2-only kernel, in qemu (among STEP's).
CGROUP2_TESTS = $(filter 06-%,$(TESTED_STEPS))
# ... and the escape battery, when it runs (ESCAPES, below): every attack but findings 10
# and 11 (nook's command line, not the kernel; and step 01, which the VM does not hold).
CGROUP2_ESCAPES = !(10),!(11)
# `make check` runs that lane when qemu and a kernel are there, and says so when not.
CGROUP2_OPTIONAL :=
CGROUP2_VM = tests/cgroup2-vm $(CGROUP2_OPTIONAL)

# ... and the cgroup diagnoses of tests/doctor (cgroup_e*: EBUSY, ENOENT, EOPNOTSUPP, EACCES
# caused on a pure v2 hierarchy), and Debian's kernel.unprivileged_userns_clone turned off
# (a sysctl of the whole machine: only on the VM's), in a check of solutions/.
CGROUP2_DOCTOR = $(filter solutions,$(TREE))

# The escape battery attacks step 09's container: part of a check of solutions/ up to 09.
ESCAPES = $(and $(filter solutions,$(TREE)),$(filter 09-%,$(TESTED_STEPS)))

ifeq ($(TREE)$(VARIANT)$(ONLY),solutions)
# Maintainers' full check: the tests (the cgroup-v2 lane too: `deps-vm` installs what it
# needs; and the engine tests: `deps-engines`), then that steps/, the exercises and the lessons still tell the truth, and that
# the man pages and the site (in headless Chromium) are whole.
check: deps
	@$(MAKE) --no-print-directory deps-vm
	@$(MAKE) --no-print-directory deps-engines deps-images
	@$(MAKE) --no-print-directory run-check
run-check:
	@$(MAKE) --no-print-directory programs && $(BIN)/nook doctor
	@$(MAKE) --no-print-directory test-unit test-steps test-engines test-commit test-monitor \
		test-trace test-doctor
	@$(MAKE) --no-print-directory test-faults soak SOAK_RUNS=50 soak-network
	@$(MAKE) --no-print-directory check-cgroup2
	@$(MAKE) --no-print-directory check-steps check-exercises check-lessons check-old-glibc \
		check-handout format-check check-man check-docs
	@$(if $(ESCAPES),$(MAKE) --no-print-directory check-escapes)
	@$(MAKE) --no-print-directory fuzz
	@echo "make check: all passed"
else
# A participant's check: the core packages only; the cgroup-v2 lane runs when qemu and a
# kernel happen to be there (`make deps-vm`), and says why not when they are not.
check: deps
	@$(MAKE) --no-print-directory run-check
run-check:
	@$(MAKE) --no-print-directory $(if $(filter solutions,$(TREE)),test-unit) test-steps
	@$(MAKE) --no-print-directory check-cgroup2 CGROUP2_OPTIONAL=--optional
	@$(if $(ESCAPES),$(MAKE) --no-print-directory check-escapes)
	@echo "make check ($(TREE)$(if $(VARIANT), $(VARIANT)), $(TESTED)): all passed"
endif

# The soak (issue 12): SOAK_RUNS runs (500) of the full container, killed at random, then
# nothing may be left of them; and the fault tests: each injected fault, one line, no trace.
SOAK_RUNS ?= 500
soak: programs image
	@NOOK_BIN=$(BIN) NOOK_IMAGE=$(IMAGE) tests/soak/soak.sh $(SOAK_RUNS)
# Issue 16: 200 containers on the default network, a tenth of them killed, then the
# ruleset, the links and the allocations exactly as before (about 20 s here).
soak-network: programs image
	@NOOK_BIN=$(BIN) NOOK_IMAGE=$(IMAGE) tests/soak/network.sh $(NETWORK_SOAK_RUNS)
NETWORK_SOAK_RUNS ?= 200
test-faults: programs image $(TESTBIN)/faults $(TESTBIN)/failclone $(TESTBIN)/probe
	@NOOK_FAILCLONE=$(TESTBIN)/failclone $(RUN_TESTS) $(TESTBIN)/faults
$(TESTBIN)/faults: $(TESTBIN)/obj/faults-faults.o $(TESTBIN)/obj/harness.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka
$(TESTBIN)/obj/faults-%.o: tests/faults/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<
# --trace (issue 18): each step program and nook run with it, their stderr read.
test-trace: programs image $(TESTBIN)/trace
	@$(RUN_TESTS) $(TESTBIN)/trace
$(TESTBIN)/trace: $(TESTBIN)/obj/trace-trace.o $(TESTBIN)/obj/harness.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka
$(TESTBIN)/obj/trace-%.o: tests/trace/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<
# Issue 18: each diagnosis of an error caused for real, and `nook doctor` on this machine
# and on a scratch one whose checks fail (tests/doctor).
test-doctor: programs image $(TESTBIN)/doctor $(TESTBIN)/failclone
	@NOOK_FAILCLONE=$(TESTBIN)/failclone $(RUN_TESTS) $(TESTBIN)/doctor
$(TESTBIN)/doctor: $(TESTBIN)/obj/doctor-doctor.o $(TESTBIN)/obj/harness.o $(OBJ)/libnook.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka $(LDLIBS)
$(TESTBIN)/obj/doctor-%.o: tests/doctor/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<
$(TESTBIN)/failclone: tests/faults/failclone.c
	$(CC) $(TEST_CFLAGS) -o $@ $< -lseccomp

# Step 06's tests again, on a kernel booted with only cgroup v2 (the host may be v1), the
# escape battery's attacks (CGROUP2_ESCAPES) when step 09 is among the tested steps, and
# doctor's cgroup diagnoses (CGROUP2_DOCTOR).
check-cgroup2: programs $(CGROUP2_TESTS:%=$(TESTBIN)/%) $(TESTBIN)/probe \
		$(if $(ESCAPES),image $(TESTBIN)/escapes $(TESTBIN)/attack) \
		$(if $(CGROUP2_DOCTOR),$(TESTBIN)/doctor)
	@$(if $(CGROUP2_TESTS),NOOK_IMAGE=$(IMAGE) NOOK_ESCAPES='$(CGROUP2_ESCAPES)' $(CGROUP2_VM) \
		$(BIN) $(TESTBIN) $(CGROUP2_TESTS) $(if $(ESCAPES),escapes) \
		$(if $(CGROUP2_DOCTOR),doctor),\
		echo "check-cgroup2: skipped: no cgroup step among $(TESTED)")

# The escape battery (tests/escapes): each known attack run by a static program inside
# step 09's container, as root and with --userns, each expected refused. RUNC=1 runs the
# same attacks under runc too and compares (tests/escapes/runc-compare).
check-escapes: programs image $(TESTBIN)/escapes $(TESTBIN)/attack
	@NOOK_BIN=$(BIN) NOOK_ATTACK=$(TESTBIN)/attack NOOK_IMAGE=$(IMAGE) \
		$(if $(RUNC),tests/escapes/runc-compare $(TESTBIN),tests/run-tests $(TESTBIN)/escapes)

# A hand-out's solutions/ has no answers: nothing to compare steps/ or the exercises with.
NOT_IN_HANDOUT = $(if $(HANDOUT),@echo "$@: not in a hand-out: it needs the answers in\
	solutions/ and a hand-out has none ($@ is for the full tree)"; exit 1)

# steps/ is generated; this regenerates it in memory and compares, touching nothing. Only
# outside the exercise regions: work in an exercise is yours (said, and fine).
check-steps: $(TOOLS)/mkexercise
	$(NOT_IN_HANDOUT)
	@$(TOOLS)/mkexercise --check steps solutions/*.c

# Refuses, naming the files, when it would overwrite work in an exercise; FORCE=1 does.
steps: $(TOOLS)/mkexercise
	$(NOT_IN_HANDOUT)
	@$(TOOLS)/mkexercise --update steps $(if $(FORCE),--force) solutions/*.c
	@echo "steps/ regenerated: $$(ls steps | tr '\n' ' ')"

# A university's hand-out: this tree (its files known to git) with the exercise regions of
# solutions/ blank too, so that nothing in it holds an answer; as a directory and a tarball.
HANDOUT_DIR := build/handout/nook
handout: $(TOOLS)/mkexercise
	$(NOT_IN_HANDOUT)
	@git ls-files --error-unmatch Makefile >/dev/null 2>&1 || \
		{ echo "handout: needs a git checkout (it copies the files git knows)"; exit 1; }
	@rm -rf build/handout && mkdir -p $(HANDOUT_DIR)
	@git ls-files -z -- . ':!tests/mutants' | tar --null -T - -cf - | tar -xf - -C $(HANDOUT_DIR)
	@$(TOOLS)/mkexercise --out $(HANDOUT_DIR)/steps solutions/*.c
	@for f in $(HANDOUT_DIR)/steps/*; do \
		tail -n +2 $$f >$(HANDOUT_DIR)/solutions/$${f##*/} || exit 1; done
	@printf '%s\n' "A hand-out: solutions/ has its EXERCISE regions blank, as steps/ does." \
		"Your work goes in steps/; 'make check' checks it (TREE=steps is the default here)." \
		>$(HANDOUT_DIR)/.handout
	@tar -C build/handout -czf build/handout/nook.tar.gz nook
	@echo "handout: $(HANDOUT_DIR) and build/handout/nook.tar.gz, without the answers"

# The hand-out holds no answer, builds, and its step tests fail as unsolved work does.
check-handout: handout
	@tests/handout-test build/handout/nook.tar.gz

# For each step NN: a tree with only exercise NN blank. Its tests must fail, and the tests
# of the steps before it (which do not use that exercise) must still pass — or their
# programs be the very files solutions/ built, as when the exercise is in a file only the
# runtime links (step 10's cmd_start.c): those are not run again. Then one tree per
# known-wrong answer tests/mutants/NN-name.c (see tests/tools/exercise.h), with that code in
# exercise NN's place: step NN's tests must fail. The trees are built side by side first
# (each starts from solutions' objects and compiles the file it changes), then tested one
# after the other, so that no test runs beside another.
# ONLY=NN proves exercise NN alone (its blank tree and its mutants).
MUTANTS = $(filter $(if $(ONLY),$(ONLY)-%,%),\
	$(sort $(basename $(notdir $(wildcard tests/mutants/[0-9][0-9]-*.c)))))
EXERCISE_STEPS = $(filter $(if $(ONLY),$(ONLY)-%,%),$(ALL_STEPS))
EXERCISE_TREES = $(foreach s,$(EXERCISE_STEPS),blank-$(firstword $(subst -, ,$s))) \
	$(MUTANTS:%=mutant-%)
exercise_args = $(if $(filter blank-%,$1),--only $(word 2,$(subst -, ,$1)),\
	--mutant tests/mutants/$(patsubst mutant-%,%,$1).c)
# A tree builds only the programs its proof runs (linking every program in each of some 80
# trees was most of the CPU time check-exercises took): blank-NN's, those of the steps up
# to NN; mutant-NN-name's, step NN's. A step's programs are its own (NN-topic; the
# runtime for 10; the runtime and nook-image, which has the image commands, for 11) and
# the ones its tests' source names in quotes ("01-uts" in 10-nook.c, "nook" in
# 12-network.c). Every other program of the tree is solutions' own, so that a test
# running one not named so would run the right answer, which can make it pass, never
# fail for want of a program (not a wrong answer caught).
PROGRAM_NAMES = $(notdir $(PROGRAMS))
own_programs = $(if $(filter $(OCI_STEP),$1),nook,$(if $(filter $(IMAGE_STEP),$1),nook nook-image,$1))
step_programs = $(filter $(PROGRAM_NAMES),$(call own_programs,$1) \
	$(patsubst "%",%,$(shell grep -oh '"[0-9a-z-]*"' tests/steps/$1.c)))
steps_upto = $(foreach s,$(ALL_STEPS),$(if $(filter $(call STEP_NUMBER,$s),\
	$(firstword $(sort $(call STEP_NUMBER,$s) $1))),$s))
tree_steps = $(if $(filter blank-%,$1),$(call steps_upto,$(word 2,$(subst -, ,$1))),\
	$(foreach s,$(ALL_STEPS),$(if $(filter $(word 2,$(subst -, ,$1)),\
	$(call STEP_NUMBER,$s)),$s)))
tree_programs = $(sort $(foreach s,$(call tree_steps,$1),$(call step_programs,$s)))

check-exercises: $(TOOLS)/mkexercise $(STEP_TESTS) $(TESTBIN)/probe image
	$(NOT_IN_HANDOUT)
	@$(MAKE) --no-print-directory TREE=solutions programs
	@$(MAKE) --no-print-directory -j$$(nproc) $(EXERCISE_TREES:%=exercise-tree-%)
	@$(if $(EXERCISE_STEPS),,echo "check-exercises: no step matches ONLY=$(ONLY)"; exit 1)
	@for s in $(EXERCISE_STEPS); do \
		n=$${s%%-*}; \
		tests/prove-exercise $$n $(OUT)/blank-$$n $(TESTBIN) $(OUT)/solutions $(ALL_STEPS) || \
			exit 1; \
		for m in $(MUTANTS); do \
			[ "$${m%%-*}" = "$$n" ] || continue; \
			tests/prove-mutant $$m tests/mutants/$$m.c $(OUT)/mutant-$$m $(TESTBIN) $$s || exit 1; \
		done; \
	done

# exercise-tree-blank-NN, exercise-tree-mutant-NN-name: generate and build that tree.
exercise-tree-%: $(TOOLS)/mkexercise
	@rm -rf $(OUT)/gen/$* $(OUT)/obj/$* $(OUT)/$* && mkdir -p $(OUT)/gen/$* $(OUT)/obj/$*
	@$(TOOLS)/mkexercise $(call exercise_args,$*) --out $(OUT)/gen/$* solutions/*.c
	@cp -p $(OUT)/obj/solutions/*.o $(OUT)/obj/$*/
	@$(MAKE) --no-print-directory -s TREE=$* \
		$(or $(addprefix $(OUT)/$*/,$(call tree_programs,$*)),programs) \
		>$(OUT)/gen/$*.log 2>&1 || \
		{ cat $(OUT)/gen/$*.log; echo "$*: the tree does not build"; exit 1; }
	@for p in $(PROGRAM_NAMES); do \
		[ -e $(OUT)/$*/$$p ] || cp -p $(OUT)/solutions/$$p $(OUT)/$*/ || exit 1; done

check-lessons: programs image $(TESTBIN)/probe $(TOOLS)/lessoncheck
	@$(TOOLS)/lessoncheck lessons/*.md

# nook needs no glibc newer than 2.35 (Ubuntu 22.04): see tests/old-glibc.
check-old-glibc: programs
	@tests/old-glibc $(OUT) $(PROGRAMS)

# ---- benchmark ------------------------------------------------------------------------

# `make bench`: the driver (tests/bench/bench.c) times every step program, the unshare
# floor, runc and crun on one OCI bundle (and the step-10 runtime once it is built), in
# interleaved rounds; tests/bench/run writes the report and the chart. Not in `make check`:
# timing on a busy machine is no test. `bench-smoke` is the quick proof that it runs.
BENCH_OUT := $(OUT)/bench
$(TESTBIN)/bench: tests/bench/bench.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $<

bench bench-smoke: deps
	@tests/install-deps bench
	@$(MAKE) --no-print-directory run-$@
run-bench: programs image $(TESTBIN)/bench
	@tests/bench/run $(TESTBIN)/bench $(BIN) $(IMAGE) $(BENCH_OUT)
run-bench-smoke: programs image $(TESTBIN)/bench
	@tests/bench/smoke-test $(TESTBIN)/bench $(BIN) $(IMAGE) $(OUT)/bench-smoke

# ---- fuzzing ------------------------------------------------------------------------

# libFuzzer targets (tests/fuzz/NAME.c), built with clang under ASan and UBSan whatever
# VARIANT says, in build/fuzz/. Each runs FUZZ_SECONDS from the checked-in corpus
# tests/fuzz/corpus/NAME/ (read only) plus what earlier runs found (build/fuzz/corpus/NAME/);
# a finding stops the run and leaves its input as build/fuzz/crash-*, leak-* or timeout-*.
# Reproduce one: build/fuzz/fuzz-NAME build/fuzz/crash-...
# The targets run side by side: FUZZ_SECONDS in all, not that many for each in turn.
comma := ,
FUZZ_CC := clang-14
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(basename $(notdir $(wildcard tests/fuzz/*.c)))
FUZZ_OUT := build/fuzz
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Isolutions -Itests/fuzz -MMD -MP \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	$(FUZZ_EXTRA)
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(LIB_SRCS) $(filter-out cmd_%,$(IMAGE_TOOL_SRCS)))
FUZZ_OPTS := -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

# Rebuilt when the flags change (FUZZ_EXTRA), not only the sources.
$(FUZZ_OUT)/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(FUZZ_CFLAGS)' | cmp -s - $@ || echo '$(FUZZ_CFLAGS)' >$@
FORCE:
$(FUZZ_OUT)/obj/%.o: solutions/%.c $(FUZZ_OUT)/flags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_CFLAGS)) -c -o $@ $<
$(FUZZ_OUT)/fuzz-%: tests/fuzz/%.c $(FUZZ_LIB_OBJS) $(FUZZ_OUT)/flags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_OBJS) $(IMAGE_TOOL_LIBS) $(LDLIBS)

fuzz-deps:
	@tests/install-deps fuzz

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(FUZZ_OUT)/fuzz-%)
	@pids=; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_OUT)/corpus/$$t; \
		echo "fuzz-$$t: $(FUZZ_SECONDS) s"; \
		$(FUZZ_OUT)/fuzz-$$t $(FUZZ_OPTS) -artifact_prefix=$(FUZZ_OUT)/ \
			$$(test -f tests/fuzz/$$t.dict && echo -dict=tests/fuzz/$$t.dict) \
			$(FUZZ_OUT)/corpus/$$t tests/fuzz/corpus/$$t >$(FUZZ_OUT)/$$t.log 2>&1 & \
		pids="$$pids $$!"; \
	done; \
	status=0; set -- $(FUZZ_TARGETS); \
	for p in $$pids; do \
		t=$$1; shift; \
		if wait $$p; then \
			echo "fuzz-$$t: $$(grep -E '^(Done|stat::peak_rss_mb)' $(FUZZ_OUT)/$$t.log | tr -s ' \n' ' ')"; \
		else \
			tail -40 $(FUZZ_OUT)/$$t.log; echo "fuzz-$$t: a finding, see $(FUZZ_OUT)/$$t.log"; status=1; \
		fi; \
	done; \
	exit $$status
-include $(wildcard $(FUZZ_OUT)/obj/*.d)

# ---- people --------------------------------------------------------------------------

deps:
	@tests/install-deps core
deps-vm:
	@tests/install-deps vm
deps-engines:
	@tests/install-deps engines
deps-images:
	@tests/install-deps images

# `deps` first, then the build in a second make (see the top): never side by side, even
# under -j, and with the libraries it installed.
# The next hint for step STEP's exercise: one level more each time (tests/tools/hint).
hint:
	@tests/tools/hint $(STEP)

demo shell: deps
	@$(MAKE) --no-print-directory run-$@

# The tour starts with `nook doctor`: what this machine lacks, and how to fix it, before a
# step fails for want of it.
run-demo: programs image $(TESTBIN)/probe $(TOOLS)/lessoncheck
	@$(BIN)/nook doctor || echo "demo: the steps above cannot run here; the tour goes on"
	@$(TOOLS)/lessoncheck --tour lessons/*.md

# In the image when the newest step takes --rootfs (step 07 on), else on the host's files.
SHELL_STEP = $(BIN)/$(lastword $(STEPS))
run-shell: programs image
	@echo "A shell in step $(lastword $(STEPS))'s container; 'exit' leaves it."
	@if $(SHELL_STEP) --help 2>&1 | grep -q -- '--rootfs'; then \
		$(SHELL_STEP) --rootfs $(IMAGE) -- /bin/sh; \
	else $(SHELL_STEP) -- /bin/sh; fi

# The site: the lessons, the diagrams (docs/diagrams.md, drawn by Graphviz) and the API.
# Doxygen's warnings are errors (docs/Doxyfile): a broken reference fails the build.
docs:
	@tests/install-deps docs
	@$(MAKE) --no-print-directory run-docs
run-docs:
	@mkdir -p build/docs
	@doxygen docs/Doxyfile
	@echo "docs: build/docs/html/index.html"

# ---- install ----------------------------------------------------------------------------

# `make install [PREFIX=/usr/local] [DESTDIR=]`: each step program as nook-NN-topic in
# $(PREFIX)/bin, its man page in $(PREFIX)/share/man/man1; the runtime nook, nook(1) and
# nook-CMD(1) for each of its commands. A page is what the program itself prints with the
# hidden --help-man NAME (solutions/man.c, command.c), from the option tables --help prints
# and the parser reads: a page cannot drift from its program. `nook --help-man` names the
# runtime's pages, so a new command is installed with its page. `make check-man` installs
# into a scratch directory, has man(1) render each page (warnings are failures) and checks
# that each page lists exactly the options its --help lists.
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MAN1DIR = $(PREFIX)/share/man/man1
# nook-image, the image commands nook execs (image_tool(), nook.c): in ../libexec/nook/
# relative to nook's directory, where nook looks.
LIBEXECDIR = $(PREFIX)/libexec/nook
MAN_PAGES := $(STEPS:%=$(OUT)/man/$(TREE)/nook-%.1)

$(OUT)/man/$(TREE)/nook-%.1: $(BIN)/%
	@mkdir -p $(@D)
	$< --help-man nook-$* >$@

man: $(MAN_PAGES)
install: programs $(MAN_PAGES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR)
	@for s in $(STEPS); do \
		echo "install $(BIN)/$$s $(DESTDIR)$(BINDIR)/nook-$$s"; \
		install -m 755 $(BIN)/$$s $(DESTDIR)$(BINDIR)/nook-$$s || exit 1; \
		install -m 644 $(OUT)/man/$(TREE)/nook-$$s.1 $(DESTDIR)$(MAN1DIR)/nook-$$s.1 || exit 1; \
	done
	$(if $(filter $(BIN)/nook,$(PROGRAMS)),install -m 755 $(BIN)/nook $(DESTDIR)$(BINDIR)/nook)
	$(if $(filter $(BIN)/nook,$(PROGRAMS)),install -D -m 755 $(BIN)/nook-image \
		$(DESTDIR)$(LIBEXECDIR)/nook-image)
	@$(if $(filter $(BIN)/nook,$(PROGRAMS)),for p in $$($(BIN)/nook --help-man); do \
		echo "install $(DESTDIR)$(MAN1DIR)/$$p.1"; \
		$(BIN)/nook --help-man $$p >$(DESTDIR)$(MAN1DIR)/$$p.1 || exit 1; \
	done)
uninstall:
	rm -f $(STEPS:%=$(DESTDIR)$(BINDIR)/nook-%) $(STEPS:%=$(DESTDIR)$(MAN1DIR)/nook-%.1)
	rm -f $(DESTDIR)$(BINDIR)/nook $(DESTDIR)$(MAN1DIR)/nook.1
	@[ ! -x $(BIN)/nook ] || for p in $$($(BIN)/nook --help-man); do \
		rm -f $(DESTDIR)$(MAN1DIR)/$$p.1; done
	rm -f $(DESTDIR)$(LIBEXECDIR)/nook-image
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null

check-man:
	@tests/install-deps docs-check
	@tests/man-test "$(MAKE)"

# The built site in headless Chromium (tests/docs/site-test.js): every page reachable from
# the main page, every local link and anchor, every image and diagram, each lesson's
# navigation; screenshots of the main page and lesson 04 in build/docs/. About 30 s.
check-docs: docs
	@tests/install-deps docs-check
	@node tests/docs/site-test.js build/docs/html docs/diagrams build/docs

# tests/mutants/ holds function bodies, not files clang-format can read.
C_SOURCES = $(filter-out tests/mutants/%,$(wildcard solutions/*.c solutions/*.h tests/*/*.c tests/*/*.h))
format:
	clang-format -i $(C_SOURCES)
format-check:
	@clang-format --dry-run -Werror $(C_SOURCES) && echo "C sources are clang-formatted"

clean:
	rm -rf build

-include $(wildcard $(OBJ)/*.d $(TOOLS)/*.d $(TESTBIN)/obj/*.d)
.SECONDARY:
