# Host fuzzers (libFuzzer) for the hypervisor's parsers of untrusted bytes.
#
# Included by the top-level Makefile, or run on its own from the repository
# root:   make -f tests/fuzz/fuzz.mk fuzz-host [SECONDS=n]
#
#   fuzz-host     builds every harness into build/fuzz/ (clang, libFuzzer,
#                 ASan, UBSan), generates the seeds (build/fuzz/seeds/<name>/),
#                 then runs each fuzzer for SECONDS (default 60), one at a
#                 time, on its corpus build/fuzz/corpus/<name>/ (kept between
#                 runs) plus the fresh seeds. One line per fuzzer:
#                   PASS: fuzz-host/<name>: <N> runs in <S> s, no crash
#                   FAIL: fuzz-host/<name>: <why>
#                 A crashing input is kept in build/fuzz/crashes/<name>/ and
#                 reproduced with: build/fuzz/fuzz_<name> <file>
#   fuzz-host-ci  the same, FUZZ_CI_SECONDS (default 4) per fuzzer: part of
#                 make test
#   fuzz-build    only builds the harnesses
#
# The ELF seeds are the repository's own guests (build/guests/*.elf) and
# build/xenolith when they have been built (make all); the others come from
# tests/fuzz/gen_seeds.py and tests/fuzz/seeds/. See docs/conventions.md.

FUZZ_MK_FILE := $(lastword $(MAKEFILE_LIST))

FUZZ_CC ?= clang
FUZZ_CFLAGS ?= -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -std=c11 -g -O1 \
               -Wall -Wextra -Werror -Ihv -iquote public -Itests/fuzz
FUZZ_BUILD ?= build/fuzz
SECONDS ?= 60
FUZZ_CI_SECONDS ?= 4

# Each fuzzer: tests/fuzz/fuzz_<name>.c plus the hv/ sources it exercises.
FUZZ_TARGETS := multiboot1 multiboot2 memmap cmdline elf layout acpi_s5 acpi_tables rtc insn_decode \
                domu_spec xs_proto xz inflate kimage
FUZZ_MB_SRCS := hv/boot/multiboot.c hv/boot/mb1.c hv/boot/mb2.c hv/boot/memmap.c hv/lib/format.c
FUZZ_SRCS_multiboot1 := $(FUZZ_MB_SRCS)
FUZZ_SRCS_multiboot2 := $(FUZZ_MB_SRCS)
FUZZ_SRCS_memmap := hv/boot/memmap.c hv/lib/format.c
FUZZ_SRCS_cmdline := hv/boot/cmdline.c hv/core/options.c hv/grant/grant_options.c hv/lib/format.c
FUZZ_SRCS_elf := hv/dom/elf.c hv/dom/elf_notes.c hv/dom/elf_features.c hv/dom/layout.c hv/lib/format.c
FUZZ_SRCS_layout := hv/dom/layout.c hv/lib/format.c
FUZZ_SRCS_acpi_s5 := hv/arch/x86_64/acpi_s5.c hv/lib/format.c
FUZZ_SRCS_acpi_tables := hv/arch/x86_64/acpi.c hv/arch/x86_64/acpi_s5.c hv/arch/x86_64/acpi_madt.c \
                         hv/arch/x86_64/acpi_madt_irq.c hv/lib/format.c
FUZZ_SRCS_rtc := hv/arch/x86_64/rtc.c hv/lib/format.c
FUZZ_SRCS_insn_decode := hv/arch/x86_64/insn_decode.c hv/arch/x86_64/insn_execute.c hv/lib/format.c
FUZZ_SRCS_domu_spec := hv/dom/domu_spec.c hv/lib/format.c
# gzip and raw DEFLATE decompression (compressed domain kernels).
FUZZ_SRCS_inflate := hv/lib/inflate.c hv/lib/inflate_huff.c hv/lib/gzip.c hv/lib/crc32.c hv/lib/format.c
# dom0's XenStore core (guest code: its own include path).
FUZZ_SRCS_xs_proto := $(wildcard guests/dom0/xs_*.c) hv/lib/format.c
FUZZ_CFLAGS_xs_proto := -iquote guests/dom0
FUZZ_SRCS_xz := hv/lib/xz_dec.c hv/lib/lzma2_dec.c hv/lib/bcj_x86.c hv/lib/crc32.c hv/lib/crc64.c hv/lib/format.c
# Kernel images (bzImage, .xz, .gz, ELF) and their decompression.
FUZZ_SRCS_kimage := hv/dom/kimage.c hv/lib/xz_dec.c hv/lib/lzma2_dec.c hv/lib/bcj_x86.c hv/lib/crc32.c \
                    hv/lib/crc64.c hv/lib/inflate.c hv/lib/inflate_huff.c hv/lib/gzip.c hv/lib/format.c
# Largest input per fuzzer (bytes); the ELF one is as large as its seeds.
FUZZ_MAXLEN_multiboot1 := 16384
FUZZ_MAXLEN_multiboot2 := 16384
FUZZ_MAXLEN_memmap := 2176
FUZZ_MAXLEN_cmdline := 4096
FUZZ_MAXLEN_elf := 0
FUZZ_MAXLEN_layout := 40
FUZZ_MAXLEN_acpi_s5 := 8192
FUZZ_MAXLEN_acpi_tables := 16384
FUZZ_MAXLEN_rtc := 9
FUZZ_MAXLEN_insn_decode := 160
FUZZ_MAXLEN_domu_spec := 8192
FUZZ_MAXLEN_xs_proto := 4096
FUZZ_MAXLEN_xz := 16384
FUZZ_MAXLEN_inflate := 65536
FUZZ_MAXLEN_kimage := 65536

FUZZ_COMMON := tests/fuzz/fake_env.c
FUZZ_HDRS := $(wildcard tests/fuzz/*.h hv/*/*.h hv/arch/*/*.h public/*.h guests/dom0/xs*.h)

.PHONY: fuzz-host fuzz-host-ci fuzz-build fuzz-seeds

define FUZZ_RULE
$(FUZZ_BUILD)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(FUZZ_SRCS_$(1)) $$(FUZZ_COMMON) $$(FUZZ_HDRS)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(FUZZ_CFLAGS_$(1)) -o $$@ tests/fuzz/fuzz_$(1).c $$(FUZZ_SRCS_$(1)) $$(FUZZ_COMMON)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

fuzz-build: $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_TARGETS))

# Seeds are regenerated on every run (cheap), never committed as binaries.
fuzz-seeds:
	@rm -rf $(FUZZ_BUILD)/seeds
	@python3 tests/fuzz/gen_seeds.py $(FUZZ_BUILD)/seeds
	@for f in tests/fuzz/seeds/cmdline/*.txt; do cp "$$f" $(FUZZ_BUILD)/seeds/cmdline/; done
	@for f in build/guests/*.elf build/xenolith /usr/lib/debug/boot/vmlinux-*; do \
	    [ -f "$$f" ] && head -c 4 "$$f" | grep -q "ELF" && cp "$$f" $(FUZZ_BUILD)/seeds/elf/; \
	done; true
	@for f in /sys/firmware/acpi/tables/DSDT /sys/firmware/acpi/tables/SSDT*; do \
	    [ -r "$$f" ] && tail -c +37 "$$f" > $(FUZZ_BUILD)/seeds/acpi_s5/fw-$$(basename $$f) 2>/dev/null; \
	done; true

# Builds each harness on its own (a build failure is one FAIL line), then
# runs them one after the other. The ELF seeds need make all.
fuzz-host:
	@mkdir -p $(FUZZ_BUILD)
	@[ -n "$(wildcard build/guests/*.elf)" ] || $(MAKE) --no-print-directory all >/dev/null 2>&1 || \
	    echo "fuzz-host: make all failed: the ELF seeds are only the generated ones"
	@$(MAKE) --no-print-directory -f $(FUZZ_MK_FILE) FUZZ_BUILD="$(FUZZ_BUILD)" fuzz-seeds
	@$(foreach t,$(FUZZ_TARGETS), \
	    if $(MAKE) --no-print-directory -f $(FUZZ_MK_FILE) FUZZ_CC="$(FUZZ_CC)" FUZZ_BUILD="$(FUZZ_BUILD)" \
	            $(FUZZ_BUILD)/fuzz_$(t) > $(FUZZ_BUILD)/fuzz_$(t).build.log 2>&1; then \
	        tests/fuzz/run-fuzzer $(t) $(SECONDS) $(FUZZ_BUILD) $(FUZZ_MAXLEN_$(t)); \
	    else \
	        sed 's/^/    /' $(FUZZ_BUILD)/fuzz_$(t).build.log; \
	        echo "FAIL: fuzz-host/$(t): build failed (see $(FUZZ_BUILD)/fuzz_$(t).build.log)"; \
	    fi;) true

fuzz-host-ci:
	@$(MAKE) --no-print-directory -f $(FUZZ_MK_FILE) fuzz-host SECONDS=$(FUZZ_CI_SECONDS)
