# Host unit tests for the hypervisor's pure-logic modules.
#
# Included by the top-level Makefile, or run on its own from the repository
# root:   make -f tests/host/host.mk host-tests
#
# host-tests builds every test (with AddressSanitizer and UBSan) into
# build/host/ and runs them all. A test program exits 0 when all its tests
# pass and 1 when some printed FAIL; any other status (a sanitizer report
# exits 86, a signal) adds a FAIL line for the program. A test that fails
# to build is reported the same way, and the others still run; the target
# itself succeeds so that tools/summarize can count the PASS/FAIL lines.
#
# host-freestanding-check compiles each pure hv/ file with the
# hypervisor's freestanding flags, to catch host-only assumptions.
#
# Note: public/ has headers named like C library ones (features.h,
# errno.h), so host builds reach it with -iquote rather than -I; otherwise
# <stdio.h> would pick up public/features.h.

HOST_MK_FILE := $(lastword $(MAKEFILE_LIST))

HOST_CC ?= gcc
HOST_CFLAGS ?= -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
               -fno-sanitize-recover=all -Ihv -iquote public
HOST_BUILD ?= build/host
HOST_FS_CC ?= gcc
HOST_FS_CFLAGS ?= -std=c11 -O2 -ffreestanding -fno-builtin -nostdlib -mno-red-zone \
                  -mcmodel=kernel -fno-pic -fno-stack-protector -mgeneral-regs-only \
                  -Wall -Wextra -Werror -Ihv -Ipublic

# Each test: tests/host/test_<name>.c plus the hv/ sources it exercises (and
# the tests/host/ sources of a fake it shares with other tests).
# hv/lib/string.c is never linked here: the C library provides those
# functions (test_string.c includes it under other names to test it).
# To add a test: append its name to HOST_TESTS and set HOST_SRCS_<name>,
# here or before this file is included (rules are made at include time).
HOST_TESTS += string format frame_alloc cmdline multiboot elf
HOST_SRCS_string := hv/lib/string.c
HOST_SRCS_format := hv/lib/format.c
HOST_SRCS_frame_alloc := hv/mm/frame_alloc.c
HOST_SRCS_cmdline := hv/boot/cmdline.c hv/lib/format.c
HOST_SRCS_multiboot := hv/boot/multiboot.c hv/boot/mb1.c hv/boot/mb2.c hv/boot/memmap.c \
                       hv/lib/format.c
HOST_SRCS_elf := hv/dom/elf.c hv/dom/elf_notes.c hv/dom/elf_features.c hv/lib/format.c

# Tests of other modules that live in tests/host as well.
HOST_TESTS += acpi_s5 runqueue layout
HOST_SRCS_acpi_s5 ?= hv/arch/x86_64/acpi_s5.c
# Processors listed in a MADT (dom0_max_vcpus default).
HOST_TESTS += acpi_madt
HOST_SRCS_acpi_madt := hv/arch/x86_64/acpi_madt.c hv/arch/x86_64/acpi_madt_irq.c
HOST_SRCS_runqueue ?= hv/sched/runqueue.c
# The vCPU scheduler's decisions, on a fake clock.
HOST_TESTS += sched
HOST_SRCS_sched := hv/sched/sched_core.c hv/sched/runqueue.c
HOST_SRCS_layout ?= hv/dom/layout.c hv/lib/format.c

# The page-type and reference-count core of PV memory management.
HOST_TESTS += page_type
HOST_SRCS_page_type := hv/mm/page_type.c hv/mm/page_type_validate.c

# Which segment descriptors a guest may use (LDT pages).
HOST_TESTS += descriptor_check
HOST_SRCS_descriptor_check := hv/arch/x86_64/descriptor_check.c

# Which I/O ports the hardware domain may really reach.
HOST_TESTS += ioport_policy
HOST_SRCS_ioport_policy := hv/arch/x86_64/ioport_policy.c
# Decoding a guest's port I/O, the virtual IOPL and I/O bitmap rules.
HOST_TESTS += io_insn
HOST_SRCS_io_insn := hv/arch/x86_64/io_insn.c
# physdev_op's PIRQ limit and the IRQ/PCI sub-ops answered without machinery.
HOST_TESTS += physdev_policy
HOST_SRCS_physdev_policy := hv/arch/x86_64/physdev_policy.c

# Event channels: the pure core (port table, 2-level rules, every EVTCHNOP),
# and the FIFO ABI (queues, event words, guest frames, the growing table).
# Each fakes its own domains; tests/host/evtchn_fake.[ch] hold the hooks and
# EVTCHNOP wrappers they share, evtchn_fake_noguest.c the refusal of guest
# frames for the tests that have none.
EVTCHN_TEST_SRCS := hv/evtchn/evtchn_core.c hv/evtchn/evtchn_fifo.c tests/host/evtchn_fake.c
HOST_TESTS += evtchn evtchn_fifo
HOST_SRCS_evtchn := $(EVTCHN_TEST_SRCS) tests/host/evtchn_fake_noguest.c
HOST_SRCS_evtchn_fifo := $(EVTCHN_TEST_SRCS)
# ... and between domains: four fake domains, dying and gone ones, against a model.
HOST_TESTS += evtchn_model
HOST_SRCS_evtchn_model = $(HOST_SRCS_evtchn)

# Grant tables: the pure core (entries, pins, maptrack, every GNTTABOP).
GRANT_CORE_SRCS := hv/grant/grant_table.c hv/grant/grant_entry.c hv/grant/grant_maptrack.c \
                   hv/grant/grant_map.c hv/grant/grant_copy.c hv/grant/grant_transfer.c \
                   hv/grant/grant_swap.c hv/grant/grant_cache_flush.c
HOST_TESTS += grant
HOST_SRCS_grant := $(GRANT_CORE_SRCS)

# A dead domain's teardown in pieces, waiting while its grants are in use
# (the real page-type core, a fake grant table).
HOST_TESTS += teardown
HOST_SRCS_teardown := hv/core/domain_teardown.c hv/mm/page_type.c hv/mm/page_type_validate.c

# The control domain's interface (domctl, sysctl, hvm_op) over several fake domains.
HOST_TESTS += domain_control
HOST_SRCS_domain_control := hv/core/domctl.c hv/core/sysctl.c hv/core/hvm_op.c hv/core/domain_control.c

# Time: the timer queue, the TSC/system-time arithmetic (header-only), the
# RTC decoding and calendar.
HOST_TESTS += timer timer_clock timer_rtc
HOST_SRCS_timer := hv/core/timer.c
HOST_SRCS_timer_clock :=
HOST_SRCS_timer_rtc := hv/arch/x86_64/rtc.c

# The PV CPUID policy (Xen 4.17's default, minus what Xenolith lacks).
HOST_TESTS += cpuid_policy
HOST_SRCS_cpuid_policy := hv/arch/x86_64/cpuid_policy.c

# The virtual machine-check MSRs.
HOST_TESTS += vmce
HOST_SRCS_vmce := hv/arch/x86_64/vmce.c

# Guest virtual-address checks (header-only).
HOST_TESTS += va
HOST_SRCS_va :=

# The instructions the writable page-table emulation decodes and executes.
HOST_TESTS += insn_decode
HOST_SRCS_insn_decode := hv/arch/x86_64/insn_decode.c hv/arch/x86_64/insn_execute.c

# Writable page tables: which write is an L1 write, applied as mmu_update does.
HOST_TESTS += ptwr
HOST_SRCS_ptwr := hv/mm/ptwr.c hv/mm/pv_mm_pte.c hv/mm/page_type.c hv/mm/page_type_validate.c

# domU boot modules: which modules are domU kernels and initrds, their options.
HOST_TESTS += domu_spec
HOST_SRCS_domu_spec := hv/dom/domu_spec.c hv/lib/format.c

# DEFLATE and gzip decompression (compressed domain kernels), against the
# host's gzip and Python's zlib.
HOST_TESTS += inflate
HOST_SRCS_inflate := hv/lib/inflate.c hv/lib/inflate_huff.c hv/lib/gzip.c hv/lib/crc32.c

# dom0's XenStore core (guests/dom0/xs_*.c) and the guests' heap: guest
# code, so these tests add guest include paths (HOST_CFLAGS_<name>).
DOM0_XS_SRCS := $(wildcard guests/dom0/xs_*.c)
DOM0_XS_CFLAGS := -iquote guests/dom0 -iquote guests/lib
HOST_TESTS += xs_tree xs_perms xs_watch xs_txn xs_proto heap
HOST_SRCS_xs_tree := $(DOM0_XS_SRCS)
HOST_SRCS_xs_perms := $(DOM0_XS_SRCS)
HOST_SRCS_xs_watch := $(DOM0_XS_SRCS)
HOST_SRCS_xs_txn := $(DOM0_XS_SRCS)
HOST_SRCS_xs_proto := $(DOM0_XS_SRCS)
HOST_SRCS_heap := guests/lib/heap.c
HOST_CFLAGS_xs_tree := $(DOM0_XS_CFLAGS)
HOST_CFLAGS_xs_perms := $(DOM0_XS_CFLAGS)
HOST_CFLAGS_xs_watch := $(DOM0_XS_CFLAGS)
HOST_CFLAGS_xs_txn := $(DOM0_XS_CFLAGS)
HOST_CFLAGS_xs_proto := $(DOM0_XS_CFLAGS)
HOST_CFLAGS_heap := $(DOM0_XS_CFLAGS)

# The .xz decompressor (kernel payloads), against the host's xz.
HOST_TESTS += xz
HOST_SRCS_xz := hv/lib/xz_dec.c hv/lib/lzma2_dec.c hv/lib/bcj_x86.c hv/lib/crc32.c hv/lib/crc64.c
# Kernel image formats (bzImage, .xz, .gz, ELF) for the domain builder.
HOST_TESTS += kimage
HOST_SRCS_kimage := hv/dom/kimage.c hv/lib/xz_dec.c hv/lib/lzma2_dec.c hv/lib/bcj_x86.c hv/lib/crc32.c \
                    hv/lib/crc64.c hv/lib/inflate.c hv/lib/inflate_huff.c hv/lib/gzip.c hv/lib/format.c

# Pure files that must also build freestanding.
HOST_FS_SRCS := hv/lib/string.c hv/lib/format.c hv/mm/frame_alloc.c hv/boot/cmdline.c \
                hv/boot/multiboot.c hv/boot/mb1.c hv/boot/mb2.c hv/boot/memmap.c \
                hv/dom/elf.c hv/dom/elf_notes.c hv/dom/elf_features.c
HOST_FS_SRCS += hv/mm/page_type.c hv/mm/page_type_validate.c
HOST_FS_SRCS += hv/evtchn/evtchn_core.c hv/evtchn/evtchn_fifo.c
HOST_FS_SRCS += $(GRANT_CORE_SRCS)
HOST_FS_SRCS += hv/core/timer.c hv/arch/x86_64/rtc.c
HOST_FS_SRCS += hv/sched/runqueue.c hv/sched/sched_core.c
HOST_FS_SRCS += hv/arch/x86_64/insn_decode.c hv/arch/x86_64/insn_execute.c hv/mm/ptwr.c hv/mm/pv_mm_pte.c
HOST_FS_SRCS += hv/arch/x86_64/cpuid_policy.c hv/arch/x86_64/vmce.c
HOST_FS_SRCS += hv/arch/x86_64/ioport_policy.c hv/arch/x86_64/io_insn.c hv/arch/x86_64/physdev_policy.c
HOST_FS_SRCS += hv/dom/domu_spec.c
# Decompressors for the domain builder (kernel payloads).
HOST_FS_SRCS += hv/lib/crc32.c hv/lib/crc64.c hv/lib/xz_dec.c hv/lib/lzma2_dec.c hv/lib/bcj_x86.c
HOST_FS_SRCS += hv/lib/inflate.c hv/lib/inflate_huff.c hv/lib/gzip.c
HOST_FS_SRCS += hv/dom/kimage.c
# Guest code, with the guests' include paths.
HOST_FS_SRCS += $(DOM0_XS_SRCS) guests/lib/heap.c

HOST_HDRS := $(wildcard tests/host/*.h hv/*/*.h hv/arch/*/*.h public/*.h public/io/*.h \
               guests/dom0/xs*.h guests/lib/heap.h)

.PHONY: host-tests host-freestanding-check

define HOST_TEST_RULE
$(HOST_BUILD)/test_$(1): tests/host/test_$(1).c $$(HOST_SRCS_$(1)) $$(HOST_HDRS)
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_CFLAGS) $$(HOST_CFLAGS_$(1)) -o $$@ tests/host/test_$(1).c $$(filter-out hv/lib/string.c,$$(HOST_SRCS_$(1)))
endef
$(foreach t,$(HOST_TESTS),$(eval $(call HOST_TEST_RULE,$(t))))

host-tests:
	@mkdir -p $(HOST_BUILD)
	@for t in $(HOST_TESTS); do \
	    if $(MAKE) --no-print-directory -f $(HOST_MK_FILE) HOST_CC="$(HOST_CC)" \
	            HOST_CFLAGS="$(HOST_CFLAGS)" HOST_BUILD="$(HOST_BUILD)" \
	            $(HOST_BUILD)/test_$$t > $(HOST_BUILD)/test_$$t.build.log 2>&1; then \
	        ASAN_OPTIONS="exitcode=86:$$ASAN_OPTIONS" UBSAN_OPTIONS="exitcode=86:$$UBSAN_OPTIONS" \
	            ./$(HOST_BUILD)/test_$$t; st=$$?; \
	        if [ $$st -gt 1 ]; then \
	            echo "FAIL: test_$$t: crashed or aborted (exit status $$st)"; \
	        fi; \
	    else \
	        sed 's/^/    /' $(HOST_BUILD)/test_$$t.build.log; \
	        echo "FAIL: test_$$t: build failed (see $(HOST_BUILD)/test_$$t.build.log)"; \
	    fi; \
	done; true

host-freestanding-check:
	@mkdir -p $(HOST_BUILD)/freestanding
	@fail=0; for f in $(HOST_FS_SRCS); do \
	    o=$(HOST_BUILD)/freestanding/$$(echo $$f | tr / _).o; \
	    if $(HOST_FS_CC) $(HOST_FS_CFLAGS) -c $$f -o $$o; then \
	        echo "PASS: freestanding $$f"; \
	    else \
	        echo "FAIL: freestanding $$f: does not compile freestanding"; fail=1; \
	    fi; \
	done; exit $$fail
