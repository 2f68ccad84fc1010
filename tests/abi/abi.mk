# tests/abi/abi.mk: checks public/ against the libxen-dev headers.
# Included by the top-level Makefile; also works alone from the repo root:
#   make -f tests/abi/abi.mk abi-test
# Only HOST_CC (?=) and ABI_* variables are defined here.

HOST_CC ?= gcc

ABI_SRC := tests/abi
ABI_OUT := build/abi
ABI_XEN_H := /usr/include/xen/xen.h
ABI_CFLAGS := -std=c11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=all
# libxen-dev only declares the e* register aliases of cpu_user_regs outside
# strict ISO mode, so the reference side is compiled as GNU C.
ABI_THEIRS_CFLAGS := -std=gnu11
# -iquote, not -I: public/ has features.h, sched.h and errno.h, which must not
# shadow the host C library's headers of the same names.
ABI_OURS_CFLAGS := -iquote public
ABI_HEADERS := $(sort $(wildcard public/*.h public/io/*.h public/hvm/*.h))
ABI_LIST_DEPS := $(ABI_SRC)/abi_list.h $(ABI_SRC)/abi_list_ctl.h $(ABI_SRC)/abi_fill.h $(ABI_SRC)/abi_table.h
ABI_OBJS := $(ABI_OUT)/abi_ours.o $(ABI_OUT)/abi_theirs.o \
            $(ABI_OUT)/abi_ctl_ours.o $(ABI_OUT)/abi_ctl_theirs.o \
            $(ABI_OUT)/abi_scan.o $(ABI_OUT)/abi_main.o
ABI_SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
ABI_APT := $(ABI_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: abi-test
abi-test: $(ABI_OUT)/abi-test
	$(ABI_OUT)/abi-test $(ABI_HEADERS)

$(ABI_OUT)/abi-test: $(ABI_OBJS)
	$(HOST_CC) $(ABI_CFLAGS) -o $@ $(ABI_OBJS)

$(ABI_OUT)/abi_ours.o: $(ABI_SRC)/abi_ours.c $(ABI_LIST_DEPS) $(ABI_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(ABI_CFLAGS) $(ABI_OURS_CFLAGS) -c -o $@ $<

$(ABI_OUT)/abi_theirs.o: $(ABI_SRC)/abi_theirs.c $(ABI_LIST_DEPS) | $(ABI_XEN_H)
	@mkdir -p $(@D)
	$(HOST_CC) $(ABI_CFLAGS) $(ABI_THEIRS_CFLAGS) -c -o $@ $<

$(ABI_OUT)/abi_ctl_ours.o: $(ABI_SRC)/abi_ctl_ours.c $(ABI_LIST_DEPS) $(ABI_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(ABI_CFLAGS) $(ABI_OURS_CFLAGS) -c -o $@ $<

$(ABI_OUT)/abi_ctl_theirs.o: $(ABI_SRC)/abi_ctl_theirs.c $(ABI_LIST_DEPS) | $(ABI_XEN_H)
	@mkdir -p $(@D)
	$(HOST_CC) $(ABI_CFLAGS) $(ABI_THEIRS_CFLAGS) -c -o $@ $<

$(ABI_OUT)/abi_scan.o: $(ABI_SRC)/abi_scan.c $(ABI_SRC)/abi_table.h
	@mkdir -p $(@D)
	$(HOST_CC) $(ABI_CFLAGS) -c -o $@ $<

$(ABI_OUT)/abi_main.o: $(ABI_SRC)/abi_main.c $(ABI_SRC)/abi_table.h
	@mkdir -p $(@D)
	$(HOST_CC) $(ABI_CFLAGS) -c -o $@ $<

# The reference headers: install libxen-dev when they are missing.
$(ABI_XEN_H):
	@echo "abi: $@ not found, installing libxen-dev"
	$(ABI_APT) install -y --no-install-recommends libxen-dev || \
	  { $(ABI_APT) update && $(ABI_APT) install -y --no-install-recommends libxen-dev; }
