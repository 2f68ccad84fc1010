# Xenolith: build, run and test.
#
#   make            hypervisor (build/xenolith) and the test guests
#   make run        boot the default demo under QEMU; exits when its guests shut down
#   make run GUEST=<PV ELF> [GUEST_CMDLINE=..] [BOOT=grub|direct|uefi] [ACCEL=kvm|tcg] [XEN_CMDLINE=..]
#   make run DOMUS="k1.elf k2.elf" [DOMU_MEM=256M] [DOMU_VCPUS=1] [DOMU_CMDLINE=..] [DOMU_INITRD=file]
#                   also boot modules for domUs next to dom0: one "domu memory=.. vcpus=.. -- <cmdline>"
#                   module per kernel, each followed by DOMU_INITRD as an "initrd" module when set
#                   (the syntax: docs/boot-flow.md, "domU boot modules")
#   make run-linux  Debian's Linux kernel as a domU to a busybox shell (downloads it into build/linux/)
#   make test       install what is missing, build everything, run every test:
#                   host unit tests, short host fuzzer runs, the ABI check, QEMU integration tests on
#                   Xenolith, and the same guests on the real Xen 4.17
#   make test-xen   only the last part: the guests on Xen 4.17 (the ABI oracle)
#   make iso        a GRUB rescue ISO (build/xenolith.iso)
#   make bench      boot-time figures
#   make fuzz-host [SECONDS=n]  the host fuzzers of the parsers (tests/fuzz/)

BUILD      := build
CC         := gcc
LD         := ld
NASM       := nasm
HOST_CC    ?= gcc

VERSION    := 0.1
CHANGESET  := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

HV_CFLAGS := -std=c11 -O2 -g -ffreestanding -fpie -fno-stack-protector -fno-asynchronous-unwind-tables \
    -fcf-protection=none -fno-omit-frame-pointer -mno-red-zone -mgeneral-regs-only -nostdlib \
    -Wall -Wextra -Werror -Ihv -iquote public -include hv/lib/compiler.h -MMD -MP \
    -DXENOLITH_VERSION='"$(VERSION)"' -DXENOLITH_CHANGESET='"$(CHANGESET)"' \
    -DXENOLITH_COMPILER='"gcc $(shell $(CC) -dumpfullversion)"'
HV_NASMFLAGS := -f elf64 -g -I$(BUILD)/gen/
HV_LDFLAGS := -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
    -T hv/arch/x86_64/xenolith.ld

HV_C_SRCS   := $(shell find hv -name '*.c' | sort)
HV_ASM_SRCS := $(wildcard boot/*.asm) $(wildcard hv/arch/x86_64/*.asm)
HV_OBJS     := $(patsubst %.c,$(BUILD)/obj/%.o,$(HV_C_SRCS)) $(patsubst %.asm,$(BUILD)/obj/%.o,$(HV_ASM_SRCS))

.PHONY: all hv run test test-xen iso bench clean deps
all: hv guests

hv: $(BUILD)/xenolith

$(BUILD)/gen/layout.inc: hv/arch/x86_64/layout.h
	@mkdir -p $(dir $@)
	$(CC) -E -dM -x c $< | grep -v '^#define __' | sed 's/^#define/%define/' > $@

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.asm $(BUILD)/gen/layout.inc
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) $(HV_NASMFLAGS) $< -o $@

$(BUILD)/xenolith: $(HV_OBJS) hv/arch/x86_64/xenolith.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS)
	$(Q)tools/check-image $@

-include $(HV_OBJS:.o=.d)

# Fragments: host unit tests, ABI check, test guests, QEMU integration tests.
include tests/host/host.mk
include tests/abi/abi.mk
include guests/guests.mk
include tests/integration/integration.mk
include tests/integration/fuzz.mk
include tests/fuzz/fuzz.mk

deps:
	@tools/install-deps

iso: $(BUILD)/xenolith guests
	tools/make-iso --hv $(BUILD)/xenolith --guest $(BUILD)/guests/hello.elf --out $(BUILD)/xenolith.iso

# The default demo: the hello guest as dom0; with GUEST=, any PV kernel. With
# DOMUS and no GUEST, dom0 is guests/dom0, the services domain (docs/dom0.md):
# the domUs' console back end, XenStore and toolstack; it powers the machine
# off once every domU has ended (GUEST_CMDLINE="shutdown_after=<s>" asks them
# to power off first), with the poweroff code only if each powered off cleanly
# (tools/run-qemu then exits 0, else 3).
# With neither GUEST nor DOMUS, `make run` is the demo: dom0 and two domUs
# that find each other in XenStore and talk over a shared ring (guests/ringdemo,
# printing through their console rings, which dom0 serves).
ifeq ($(origin GUEST)$(DOMUS),undefined)
RUN_DEMO      := 1
endif
RUN_OWN_DOM0  := $(if $(filter undefined,$(origin GUEST)),$(if $(DOMUS),1))
GUEST         ?= $(BUILD)/guests/$(if $(DOMUS)$(RUN_DEMO),dom0,hello).elf
# One domU and this project's dom0: serial input goes to the domU's console
# from the start (dom0's attach=; Ctrl-] gives it back to dom0's shell).
GUEST_CMDLINE ?= $(if $(RUN_OWN_DOM0),$(if $(filter 1,$(words $(DOMUS))),attach=1))
XEN_CMDLINE   ?= console=com1 loglvl=info
BOOT          ?= direct
ACCEL         ?= auto
# With DOMUS: 256 MiB for the hypervisor and dom0 plus DOMU_MEM per domU.
MEMORY        ?= $(if $(DOMUS),$(if $(filter %M,$(DOMU_MEM)),$(shell expr 256 + $(words $(DOMUS)) \* $(patsubst %M,%,$(DOMU_MEM)))M,2048M),256M)
# Long enough for an interactive session with a domU (a shell); the demo
# and the test guests end by themselves well before.
TIMEOUT       ?= $(if $(DOMUS),1800,120)
# DOMU=1: dom0 gets a domU-style start_info (console and xenstore rings), as
# Mini-OS needs even when it is the only domain.
DOMU          ?=
RUN_CMDLINE    = $(XEN_CMDLINE)$(if $(filter-out 0,$(DOMU)), dom0_start_info=domu)
# DOMUS="k1 k2 ...": domU kernels given as boot modules after dom0's, all with
# the same DOMU_MEM, DOMU_VCPUS, DOMU_CMDLINE and (when set) DOMU_INITRD.
DOMUS         ?=
DOMU_MEM      ?= 256M
DOMU_VCPUS    ?= 1
DOMU_CMDLINE  ?=
DOMU_INITRD   ?=
DEMO_DOMU      = --module "$(BUILD)/guests/ringdemo.elf domu name=ring-$(1) memory=16M -- role=$(1) peer=$(2) console=ring quiet=1"
RUN_DOMU_ARGS  = $(if $(RUN_DEMO),$(call DEMO_DOMU,back,2) $(call DEMO_DOMU,front,1),$(RUN_DOMUS_GIVEN))
RUN_DOMUS_GIVEN = $(foreach k,$(DOMUS),--module "$(k) domu memory=$(DOMU_MEM) vcpus=$(DOMU_VCPUS)$(if $(DOMU_CMDLINE), -- $(DOMU_CMDLINE))" \
                 $(if $(DOMU_INITRD),--module "$(DOMU_INITRD) initrd"))
run: $(BUILD)/xenolith guests
	tools/run-qemu --hv $(BUILD)/xenolith --hv-kind xenolith --hv-cmdline "$(RUN_CMDLINE)" \
	    --guest "$(GUEST)" --guest-cmdline "$(GUEST_CMDLINE)" --boot $(BOOT) --accel $(ACCEL) \
	    --memory $(MEMORY) --timeout $(TIMEOUT) $(RUN_DOMU_ARGS)

# Debian's stock Linux kernel as a domU with a busybox initramfs, its shell on
# the serial line (tools/fetch-linux downloads linux-image-amd64 and
# busybox-static into build/linux/; `poweroff -f` in the shell ends the run).
# LINUX_CMDLINE adds to the kernel's command line (xlmode=test: the fork+exec
# check of guests/linux/init instead of the shell).
LINUX_CMDLINE ?=
.PHONY: run-linux
run-linux: $(BUILD)/xenolith guests
	@set -e; files=$$(tools/fetch-linux); \
	 $(MAKE) --no-print-directory run DOMUS="$$(echo "$$files" | sed -n 1p)" \
	     DOMU_INITRD="$$(echo "$$files" | sed -n 2p)" DOMU_CMDLINE="console=hvc0 $(LINUX_CMDLINE)"

# Every suite prints PASS:/FAIL:/SKIP: lines into one log; the summary counts them.
test:
	@tools/install-deps
	@mkdir -p $(BUILD)
	@rm -f $(BUILD)/test.log
	@$(MAKE) --no-print-directory all 2>&1 | tee -a $(BUILD)/test.log | tail -n 5; \
	 if [ $${PIPESTATUS[0]} -ne 0 ]; then echo "FAIL: build: make all failed" | tee -a $(BUILD)/test.log; fi
	@$(MAKE) --no-print-directory host-tests 2>&1 | tee -a $(BUILD)/test.log | grep -E '^(PASS|FAIL|SKIP):' || true
	@$(MAKE) --no-print-directory fuzz-host-ci 2>&1 | tee -a $(BUILD)/test.log | grep -E '^(PASS|FAIL|SKIP):' || true
	@$(MAKE) --no-print-directory abi-test 2>&1 | tee -a $(BUILD)/test.log | grep -E '^(PASS|FAIL|SKIP):' || true
	@$(MAKE) --no-print-directory integration-tests 2>&1 | tee -a $(BUILD)/test.log | grep -E '^(PASS|FAIL|SKIP):' || true
	@tests/integration/run-demo 2>&1 | tee -a $(BUILD)/test.log | grep -E '^(PASS|FAIL|SKIP):' || true
	@$(MAKE) --no-print-directory minios-test 2>&1 | tee -a $(BUILD)/test.log | grep -E '^(PASS|FAIL|SKIP):' || true
	@$(MAKE) --no-print-directory linux-test 2>&1 | tee -a $(BUILD)/test.log | grep -E '^(PASS|FAIL|SKIP):' || true
	@$(MAKE) --no-print-directory test-xen 2>&1 | tee -a $(BUILD)/test.log | grep -E '^(PASS|FAIL|SKIP):' || true
	@tools/summarize $(BUILD)/test.log

bench: $(BUILD)/xenolith guests
	tools/bench --hv $(BUILD)/xenolith --hello $(BUILD)/guests/hello.elf --guest $(BUILD)/guests/bench.elf

clean:
	rm -rf $(BUILD)

SHELL := /bin/bash
