# nook — build a container from scratch, one kernel primitive per step.
#
#   make                          build every step from solutions/ into build/solutions/
#   make TREE=steps               build your workspace (steps/ over solutions/) into build/steps/
#   make check                    everything CI checks (needs root)
#   make check TREE=steps STEP=NN the tests of steps 01..NN on your workspace
#   make check-exercises          prove that each step's tests fail with its exercise blank
#   make check-lessons            re-run the lessons' transcripts and compare
#   make check-cgroup2            run the cgroup tests under a cgroup-v2-only kernel in qemu
#   make steps                    regenerate steps/ from the EXERCISE regions of solutions/
#   make docs                     the API and the lessons as one site, in build/docs/html
#   make image                    the default image: build/images/busybox, from busybox-static
#   make demo | make shell        a tour of every step | a shell in the newest step
#   make deps                     install the Debian packages nook needs
#   make VARIANT=san ...          the same with AddressSanitizer and UBSan, in build/san/
#   make format | format-check    clang-format the C sources | check they are formatted
#   make test-oci                 step 10: build/solutions/nook driven as engines drive runc
#   make install [PREFIX= DESTDIR=] install the runtime, nook, into PREFIX/bin

# A step is a program solutions/NN-topic.c; adding one is adding that file.
STEPS := $(sort $(basename $(notdir $(wildcard solutions/[0-9][0-9]-*.c))))
TREE ?= solutions
VARIANT ?=
# The newest step by default; STEP=NN tests steps 01..NN.
STEP ?= $(firstword $(subst -, ,$(lastword $(STEPS))))

# qemu-system-x86 and linux-image-amd64: `make check-cgroup2` boots Debian's kernel (from
# /boot) under qemu, to test step 06 on cgroup v2 whatever the host runs.
DEB_PACKAGES := build-essential pkg-config libcmocka-dev libcap-dev libseccomp-dev libjansson-dev libmnl-dev \
	doxygen busybox-static clang-format iproute2 util-linux procps uidmap libcap2-bin \
	qemu-system-x86 linux-image-amd64

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
# Libraries the stages use (step 04: rtnetlink through libmnl, ...).
LDLIBS := $(shell pkg-config --libs libmnl) -lcap -lseccomp -ljansson

# Which sources a tree is built from: its own directory first, then solutions/.
ifeq ($(TREE),solutions)
OVERLAY :=
else ifeq ($(TREE),steps)
OVERLAY := steps
else ifneq ($(filter blank-%,$(TREE)),)
OVERLAY := $(OUT)/gen/$(TREE)
else
$(error TREE must be solutions, steps or blank-NN, not '$(TREE)')
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
NOOK_SRCS := nook.c $(notdir $(wildcard solutions/cmd_*.c))
LIB_SRCS := $(filter-out 0% 1% $(NOOK_SRCS),$(notdir $(wildcard solutions/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(OBJ)/%.o)
PROGRAMS := $(STEPS:%=$(BIN)/%) $(if $(wildcard solutions/nook.c),$(BIN)/nook)

.PHONY: all programs image deps check test test-unit test-steps test-oci install check-steps check-exercises \
	check-lessons check-cgroup2 steps docs demo shell format format-check clean
.DELETE_ON_ERROR:

all: programs
programs: $(PROGRAMS)

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJ)/libnook.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/nook: $(NOOK_SRCS:%.c=$(OBJ)/%.o) $(OBJ)/libnook.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/%: $(OBJ)/%.o $(OBJ)/libnook.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# The runtime, for engines to find: `make install PREFIX=/usr/local DESTDIR=...`
PREFIX ?= /usr/local
install: $(BIN)/nook
	install -D -m 0755 $(BIN)/nook $(DESTDIR)$(PREFIX)/bin/nook

# ---- the default image ------------------------------------------------------------------

# A minimal root filesystem from Debian's busybox-static, for step 07 on. Made offline;
# shared by every TREE and VARIANT, since nothing in it is compiled.
IMAGE := build/images/busybox
image: $(IMAGE)/bin/busybox
$(IMAGE)/bin/busybox: images/busybox.sh
	@images/busybox.sh $(IMAGE)

# ---- tools and tests (always built from solutions/ and tests/) -------------------------

TEST_CFLAGS = -std=gnu11 -Wall -Wextra -Werror $(SANFLAGS) -Isolutions -Itests/harness \
	-Itests/tools -MMD -MP $(CFLAGS)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(TESTBIN)/unit-%,$(wildcard tests/unit/*.c))
STEP_TESTS := $(STEPS:%=$(TESTBIN)/%)
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
# Unit tests check the pure logic of the tree being built (in practice: solutions/).
$(TESTBIN)/unit-%: $(TESTBIN)/obj/unit-%.o $(TOOL_OBJS) $(OBJ)/libnook.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka $(LDLIBS)
$(TESTBIN)/%: $(TESTBIN)/obj/steps-%.o $(TESTBIN)/obj/harness.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka

# ---- checks ---------------------------------------------------------------------------

# Step tests run the programs of $(TREE); each test binary is one step, its cmocka summary
# printed as it goes. A failing binary does not stop the others: all are run, then judged.
TESTED_STEPS = $(foreach s,$(STEPS),$(if $(shell [ $(firstword $(subst -, ,$s)) -le $(STEP) ] && echo y),$s))
RUN_TESTS = NOOK_BIN=$(BIN) NOOK_PROBE=$(TESTBIN)/probe NOOK_IMAGE=$(IMAGE) tests/run-tests

test-steps: programs image $(STEP_TESTS) $(TESTBIN)/probe
	@$(RUN_TESTS) $(addprefix $(TESTBIN)/,$(TESTED_STEPS))

# Step 10, the OCI runtime: build/solutions/nook driven as engines drive runc.
test-oci: programs image $(TESTBIN)/10-nook $(TESTBIN)/probe
	@$(RUN_TESTS) $(TESTBIN)/10-nook

test-unit: $(UNIT_TESTS)
	@tests/run-tests $(UNIT_TESTS)

# The steps whose tests also run under a cgroup-v2-only kernel, in qemu (among STEP's).
CGROUP2_TESTS = $(filter 06-%,$(TESTED_STEPS))
# `make check` runs that lane when qemu and a kernel are there, and says so when not.
CGROUP2_OPTIONAL :=
CGROUP2_VM = tests/cgroup2-vm $(CGROUP2_OPTIONAL)

ifeq ($(TREE)$(VARIANT),solutions)
# Maintainers' full check: the tests, then that steps/, the exercises and the lessons
# still tell the truth.
check: deps
	@$(MAKE) --no-print-directory test-unit test-steps test-oci
	@$(MAKE) --no-print-directory check-cgroup2 CGROUP2_OPTIONAL=--optional
	@$(MAKE) --no-print-directory check-steps check-exercises check-lessons format-check
	@echo "make check: all passed"
else
check: deps
	@$(MAKE) --no-print-directory $(if $(filter solutions,$(TREE)),test-unit) test-steps
	@$(MAKE) --no-print-directory check-cgroup2 CGROUP2_OPTIONAL=--optional
	@echo "make check ($(TREE)$(if $(VARIANT), $(VARIANT)), steps up to $(STEP)): all passed"
endif

# Step 06's tests again, on a kernel booted with only cgroup v2 (the host may be v1).
check-cgroup2: programs $(CGROUP2_TESTS:%=$(TESTBIN)/%) $(TESTBIN)/probe
	@$(if $(CGROUP2_TESTS),$(CGROUP2_VM) $(BIN) $(TESTBIN) $(CGROUP2_TESTS),\
		echo "check-cgroup2: skipped: no cgroup step among steps up to $(STEP)")

# steps/ is generated; this regenerates it elsewhere and compares, touching nothing.
check-steps: $(TOOLS)/mkexercise
	@rm -rf $(OUT)/gen/steps && mkdir -p $(OUT)/gen/steps
	@$(TOOLS)/mkexercise --out $(OUT)/gen/steps solutions/*.c
	@if diff -r -u steps $(OUT)/gen/steps; then echo "steps/ is in sync with solutions/"; \
	else echo "steps/ is out of date: run 'make steps' and commit it"; exit 1; fi

steps: $(TOOLS)/mkexercise
	@rm -f steps/*.c steps/*.h
	@$(TOOLS)/mkexercise --out steps solutions/*.c
	@echo "steps/ regenerated: $$(ls steps | tr '\n' ' ')"

# For each step NN: a tree with only exercise NN blank. Its tests must fail, and the tests
# of the steps before it (which do not use that exercise) must still pass.
check-exercises: $(TOOLS)/mkexercise $(STEP_TESTS) $(TESTBIN)/probe image
	@for s in $(STEPS); do \
		n=$${s%%-*}; gen=$(OUT)/gen/blank-$$n; \
		rm -rf $$gen $(OUT)/obj/blank-$$n && mkdir -p $$gen && \
		$(TOOLS)/mkexercise --only $$n --out $$gen solutions/*.c || exit 1; \
		$(MAKE) --no-print-directory -s TREE=blank-$$n programs >$$gen.log 2>&1 || \
			{ cat $$gen.log; echo "exercise $$n: the tree with it blank does not build"; exit 1; }; \
		tests/prove-exercise $$n $(OUT)/blank-$$n $(TESTBIN) $(STEPS) || exit 1; \
	done

check-lessons: programs image $(TESTBIN)/probe $(TOOLS)/lessoncheck
	@$(TOOLS)/lessoncheck lessons/*.md

# ---- people --------------------------------------------------------------------------

deps:
	@tests/install-deps $(DEB_PACKAGES)

demo: deps programs image $(TESTBIN)/probe $(TOOLS)/lessoncheck
	@$(TOOLS)/lessoncheck --tour lessons/*.md

# In the image when the newest step takes --rootfs (step 07 on), else on the host's files.
SHELL_STEP = $(BIN)/$(lastword $(STEPS))
shell: deps programs image
	@echo "A shell in step $(lastword $(STEPS))'s container; 'exit' leaves it."
	@if $(SHELL_STEP) --help 2>&1 | grep -q -- '--rootfs'; then \
		$(SHELL_STEP) --rootfs $(IMAGE) -- /bin/sh; \
	else $(SHELL_STEP) -- /bin/sh; fi

docs:
	@mkdir -p build/docs
	@doxygen docs/Doxyfile
	@echo "docs: build/docs/html/index.html"

C_SOURCES = $(wildcard solutions/*.c solutions/*.h tests/*/*.c tests/*/*.h)
format:
	clang-format -i $(C_SOURCES)
format-check:
	@clang-format --dry-run -Werror $(C_SOURCES) && echo "C sources are clang-formatted"

clean:
	rm -rf build

-include $(wildcard $(OBJ)/*.d $(TOOLS)/*.d $(TESTBIN)/obj/*.d)
.SECONDARY:
