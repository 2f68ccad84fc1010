# Build fragment for the Xenolith test guests (64-bit PV kernels).
#
# Included by the top-level Makefile, or used alone:
#     make -f guests/guests.mk guests
# Produces $(GUEST_OUT)/<name>.elf for every folder guests/<name>/ that has a
# main.c.  Only `?=` variables or GUEST_-prefixed names are defined here.

GUEST_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
ifeq ($(GUEST_DIR),.)
GUEST_ROOT := ..
else
GUEST_ROOT := $(patsubst %/,%,$(dir $(GUEST_DIR)))
endif

GUEST_OUT ?= $(GUEST_ROOT)/build/guests
GUEST_PUBLIC ?= $(GUEST_ROOT)/public
GUEST_CC ?= gcc
GUEST_LD ?= ld
GUEST_NASM ?= nasm

GUEST_CFLAGS_BASE := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie \
    -fno-stack-protector -fno-asynchronous-unwind-tables \
    -fcf-protection=none -mno-red-zone -mgeneral-regs-only -nostdlib -static \
    -Wall -Wextra -Werror -I$(GUEST_DIR)/lib -I$(GUEST_PUBLIC) -MMD -MP
GUEST_EXTRA_CFLAGS ?=

# Link layouts ("models"): kernel = Linux-style high virtual base with a
# PT_NOTE segment; va0 = linked at virtual address 0, notes only in a
# non-allocated section (the way Mini-OS is linked).
GUEST_CFLAGS_kernel := -mcmodel=kernel \
    -DGUEST_NOTE_VIRT_BASE=0xFFFFFFFF80000000 -DGUEST_NOTE_PADDR_OFFSET=0 \
    '-DGUEST_NOTE_SECTION_FLAGS="a"'
GUEST_CFLAGS_va0 := -mcmodel=small \
    -DGUEST_NOTE_VIRT_BASE=0 -DGUEST_NOTE_PADDR_OFFSET=0 \
    '-DGUEST_NOTE_SECTION_FLAGS=""'
GUEST_LDS_kernel := $(GUEST_DIR)/lib/guest.ld
GUEST_LDS_va0 := $(GUEST_DIR)/lib/guest-va0.ld

# Post-link checks of where the Xen notes ended up ($(1) = the ELF file).
GUEST_READELF ?= readelf
GUEST_CHECK_kernel = $(GUEST_READELF) -lW $(1) | grep -q '^ *NOTE ' || \
    { echo "$(1): no PT_NOTE segment" >&2; rm -f $(1); exit 1; }
GUEST_CHECK_va0 = ! $(GUEST_READELF) -lW $(1) | grep -q '^ *NOTE ' || \
    { echo "$(1): has a PT_NOTE segment" >&2; rm -f $(1); exit 1; }; \
    $(GUEST_READELF) -SW $(1) | grep -Eq '\.note\.Xen +NOTE +0+ [0-9a-f]+ [0-9a-f]+ 00 +0 ' || \
    { echo "$(1): .note.Xen is not a non-allocated SHT_NOTE section" >&2; rm -f $(1); exit 1; }

GUEST_NAMES := $(sort $(patsubst $(GUEST_DIR)/%/main.c,%,$(wildcard $(GUEST_DIR)/*/main.c)))
# Guests linked at VA 0; every other guest uses the kernel layout.
GUEST_VA0_NAMES := startinfo_va0
GUEST_MODEL = $(if $(filter $(1),$(GUEST_VA0_NAMES)),va0,kernel)

GUEST_LIB_C := $(wildcard $(GUEST_DIR)/lib/*.c)
GUEST_LIB_ASM := $(wildcard $(GUEST_DIR)/lib/*.asm)
GUEST_ELFS := $(foreach g,$(GUEST_NAMES),$(GUEST_OUT)/$(g).elf)

.PHONY: guests guests-clean
guests: $(GUEST_ELFS)

guests-clean:
	rm -rf $(GUEST_OUT)

# Runtime objects, one set per link model.
GUEST_LIB_OBJS = $(patsubst $(GUEST_DIR)/lib/%.c,$(GUEST_OUT)/obj/lib-$(1)/%.o,$(GUEST_LIB_C)) \
    $(patsubst $(GUEST_DIR)/lib/%.asm,$(GUEST_OUT)/obj/lib-$(1)/%.o,$(GUEST_LIB_ASM))

define GUEST_MODEL_RULES
$(GUEST_OUT)/obj/lib-$(1)/%.o: $(GUEST_DIR)/lib/%.c $(GUEST_DIR)/guests.mk
	@mkdir -p $$(@D)
	$(GUEST_CC) $(GUEST_CFLAGS_BASE) $(GUEST_CFLAGS_$(1)) $(GUEST_EXTRA_CFLAGS) -c $$< -o $$@

$(GUEST_OUT)/obj/lib-$(1)/%.o: $(GUEST_DIR)/lib/%.asm $(GUEST_DIR)/guests.mk
	@mkdir -p $$(@D)
	$(GUEST_NASM) -f elf64 -o $$@ $$<
endef
$(eval $(call GUEST_MODEL_RULES,kernel))
$(eval $(call GUEST_MODEL_RULES,va0))

# Runtime objects a guest leaves out because its own code defines the same
# names: dom0 is the XenStore server, whose direct calls (dom0/xs.h:
# xs_read, xs_write, ...) are named like the domU client's (lib/xs_client.c).
GUEST_LIB_SKIP_dom0 := xs_client
GUEST_LIB_OBJS_OF = $(filter-out $(foreach n,$(GUEST_LIB_SKIP_$(1)),%/$(n).o),$(call GUEST_LIB_OBJS,$(call GUEST_MODEL,$(1))))

define GUEST_RULES
GUEST_OBJS_$(1) := $(patsubst $(GUEST_DIR)/$(1)/%.c,$(GUEST_OUT)/obj/$(1)/%.o,$(wildcard $(GUEST_DIR)/$(1)/*.c))

$(GUEST_OUT)/obj/$(1)/%.o: $(GUEST_DIR)/$(1)/%.c $(GUEST_DIR)/guests.mk
	@mkdir -p $$(@D)
	$(GUEST_CC) $(GUEST_CFLAGS_BASE) $(GUEST_CFLAGS_$(call GUEST_MODEL,$(1))) $(GUEST_EXTRA_CFLAGS) -c $$< -o $$@

$(GUEST_OUT)/$(1).elf: $$(GUEST_OBJS_$(1)) $(call GUEST_LIB_OBJS_OF,$(1)) $(GUEST_LDS_$(call GUEST_MODEL,$(1)))
	@mkdir -p $$(@D)
	$(GUEST_LD) -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments \
	    -T $(GUEST_LDS_$(call GUEST_MODEL,$(1))) -o $$@ \
	    $$(GUEST_OBJS_$(1)) $(call GUEST_LIB_OBJS_OF,$(1))
	@$(call GUEST_CHECK_$(call GUEST_MODEL,$(1)),$$@)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call GUEST_RULES,$(g))))

-include $(shell find $(GUEST_OUT)/obj -name '*.d' 2>/dev/null)
