# QEMU integration tests: every test guest of tests/integration/tests.list
# booted as dom0, one fresh QEMU per test.
#
#   make integration-tests   on Xenolith ($(XENOLITH)), by direct multiboot1
#                            and by GRUB multiboot2
#   make test-xen            on the real Xen 4.17 (fetched into build/xen/),
#                            TCG, GRUB multiboot2: the ABI oracle
#
# Usable alone too: make -f tests/integration/integration.mk test-xen

INTEGRATION_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
INTEGRATION_ROOT := $(patsubst %/,%,$(dir $(patsubst %/,%,$(dir $(INTEGRATION_DIR)))))
ifeq ($(INTEGRATION_ROOT),)
INTEGRATION_ROOT := .
endif

XENOLITH ?= build/xenolith
INTEGRATION_JOBS ?= 2
INTEGRATION_BOOTS ?= direct,grub
INTEGRATION_ACCEL ?= auto
INTEGRATION_TIMEOUT ?= 60
TEST_XEN_BOOTS ?= grub
TEST_XEN_TIMEOUT ?= 120
# Limit a run to some tests: make integration-tests INTEGRATION_TESTS="hello badptr"
INTEGRATION_TESTS ?=

# The guests come from guests/guests.mk (included here when used alone).
ifeq ($(GUEST_DIR),)
include $(INTEGRATION_ROOT)/guests/guests.mk
endif

.PHONY: integration-tests test-xen

integration-tests: $(XENOLITH) guests
	@$(INTEGRATION_DIR)/run --hv xenolith --hv-image $(XENOLITH) \
	    --boot $(INTEGRATION_BOOTS) --jobs $(INTEGRATION_JOBS) \
	    --accel $(INTEGRATION_ACCEL) --timeout $(INTEGRATION_TIMEOUT) \
	    $(INTEGRATION_TESTS)

test-xen: guests
	@$(INTEGRATION_DIR)/run --hv xen --boot $(TEST_XEN_BOOTS) \
	    --jobs $(INTEGRATION_JOBS) --timeout $(TEST_XEN_TIMEOUT) \
	    $(INTEGRATION_TESTS)

# Mini-OS, built outside the repository, booted as dom0 with a domU-style
# start_info, then as domUs of guests/dom0 (minios-domu):
# MINIOS=/path/to/mini-os MINIOS_TEST=/path/to/its-CONFIG_TEST-build
# make minios-test (each case without its variable prints a SKIP line).
.PHONY: minios-test
minios-test: $(XENOLITH)
	@$(INTEGRATION_DIR)/minios --hv-image $(XENOLITH) --boot $(INTEGRATION_BOOTS) \
	    --accel $(INTEGRATION_ACCEL) --timeout $(INTEGRATION_TIMEOUT); st=$$?; \
	$(INTEGRATION_DIR)/minios-domu --hv-image $(XENOLITH) --boot $(INTEGRATION_BOOTS) \
	    --accel $(INTEGRATION_ACCEL) || st=1; exit $$st

# Debian's stock Linux kernel (linux-image-amd64) as a domU of guests/dom0
# with a busybox initramfs: fork+exec, two vCPUs, two domUs side by side, the shell over the serial
# line, shutdown through XenStore (linux-domu; tools/fetch-linux downloads
# the packages into build/linux/).
.PHONY: linux-test
linux-test: $(XENOLITH) guests
	@$(INTEGRATION_DIR)/linux-domu --hv-image $(XENOLITH) --boot $(INTEGRATION_BOOTS) \
	    --accel $(INTEGRATION_ACCEL)
