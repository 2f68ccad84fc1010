# make fuzz [SEED=n] [SEEDS="n m ..."] [COUNT=n] [FUZZ_ARGS="avoid=... trace_from=..."]
#
# Boots the fuzz guest (guests/fuzz) as dom0 on Xenolith once per seed and
# judges each run as tests/integration/run judges a test (Test result line,
# exit status, frame accounting, no hypervisor panic, no timeout): a one-entry
# list is handed to that script.  Serial logs: build/fuzz-logs/seed-<n>.log.
# Prints "PASS: fuzz/seed=<n>/count=<n>: ..." or "FAIL: fuzz/seed=<n>/count=<n>: <why>".

SEED      ?= 1
SEEDS     ?= $(SEED)
COUNT     ?= 100000
FUZZ_ARGS ?=
# TCG does some 5000-10000 calls per second here: a generous limit.
FUZZ_TIMEOUT ?= $(shell echo $$(( 90 + $(COUNT) / 1000 )))

.PHONY: fuzz
fuzz: $(BUILD)/xenolith $(BUILD)/guests/fuzz.elf
	@mkdir -p $(BUILD)/fuzz-logs; \
	 failed=0; \
	 for s in $(SEEDS); do \
	     list=$(BUILD)/fuzz-logs/.seed-$$s.list; \
	     echo "seed-$$s | fuzz | seed=$$s count=$(COUNT) $(FUZZ_ARGS) | SUCCESS | xenolith | make fuzz | dom0_mem=64M loglvl=info" > $$list; \
	     out=$$(tests/integration/run --hv xenolith --boot direct --list $$list --timeout $(FUZZ_TIMEOUT) \
	            --log-dir $(BUILD)/fuzz-logs 2>&1 | grep -E '^(PASS|FAIL):'); \
	     mv -f $(BUILD)/fuzz-logs/xenolith-direct-seed-$$s.log $(BUILD)/fuzz-logs/seed-$$s.log 2>/dev/null; \
	     rm -f $$list; \
	     log=$(BUILD)/fuzz-logs/seed-$$s.log; \
	     rate=$$(grep -a -o '[0-9]* calls/s' $$log | tail -n 1); \
	     case "$$out" in \
	     PASS:*) echo "PASS: fuzz/seed=$$s/count=$(COUNT): $${rate:-?}, log $$log" ;; \
	     *) failed=1; \
	        why=$$(printf '%s' "$$out" | sed 's/^FAIL: [^:]*: //'); \
	        detail=$$(grep -a -m1 -o 'FUZZ FAILURE: .*' $$log | tr -d '\r'); \
	        echo "FAIL: fuzz/seed=$$s/count=$(COUNT): $${why:-no result}$${detail:+ ($$detail)}; log $$log"; \
	        grep -a -A1 -m1 'last call #' $$log | tr -d '\r' | sed 's/^/#   /' ;; \
	     esac; \
	 done; \
	 [ $$failed = 0 ]
