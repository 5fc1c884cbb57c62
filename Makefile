# mossa - build, test and benchmark. `make` builds build/mossa; `make test`
# runs everything (installing missing Debian packages first when root).

CC       ?= cc
CXX      ?= c++
ifeq ($(origin CC),default)
CC       := gcc
endif
ifeq ($(origin CXX),default)
CXX      := g++
endif
PYTHON   ?= /usr/bin/python3
PREFIX   ?= /usr/local
B        := build

WARN     := -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes -Wundef
OPT      ?= -O2 -g
CFLAGS_M := -std=c99 $(OPT) $(WARN) -I.
LIBS     := -lm -lpthread

IMPL     := $(wildcard impl/*.h impl/*.c impl/kernels/*.c) impl/amalgamate.sh LICENSE
CLI_SRC  := $(wildcard examples/cli/*.c)
CLI_HDR  := $(wildcard examples/cli/*.h)
TEST_SRC := $(wildcard tests/*.c)
TEST_HDR := $(wildcard tests/*.h)
BENCH_CC := $(wildcard bench/*.cc)

.PHONY: all amalgamate check-amalgamation test test-unit test-neon test-compile \
        test-cross bench bench-deps compare demo install uninstall deps clean

all: $(B)/mossa

# ---- the single header ---------------------------------------------------
mossa.h: $(IMPL)
	impl/amalgamate.sh > mossa.h.tmp && mv mossa.h.tmp mossa.h

amalgamate: mossa.h

# Fails when the committed mossa.h (HEAD when in git, else the file on disk)
# differs from what impl/ produces.
check-amalgamation:
	@impl/amalgamate.sh > $(B).amalg.tmp; \
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && git cat-file -e HEAD:mossa.h 2>/dev/null; then \
	  git show HEAD:mossa.h > $(B).committed.tmp; else cp mossa.h $(B).committed.tmp; fi; \
	if cmp -s $(B).amalg.tmp $(B).committed.tmp; then rm -f $(B).amalg.tmp $(B).committed.tmp; echo "mossa.h is up to date"; \
	else diff -u $(B).committed.tmp $(B).amalg.tmp | head -20; rm -f $(B).amalg.tmp $(B).committed.tmp; \
	  echo "mossa.h differs from impl/: run 'make amalgamate' and commit it" >&2; exit 1; fi

# ---- the CLI ----------------------------------------------------------------
$(B)/mossa: mossa.h $(CLI_SRC) $(CLI_HDR)
	@mkdir -p $(B)
	$(CC) $(CFLAGS_M) -o $@ $(CLI_SRC) $(LIBS)

# ---- dependencies (Debian) ----------------------------------------------------
DEB_PKGS := check libsleef-dev libbenchmark-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
            qemu-user pkg-config python3-numpy clang pocketsphinx-en-us
DEB_ARM64 := check:arm64 libsubunit-dev:arm64
deps:
	@sh tests/deps.sh $(DEB_PKGS) -- $(DEB_ARM64)

# ---- tests ------------------------------------------------------------------
# Recursive (=), not :=: on a fresh machine `make test` installs check in its
# `deps` step, after the Makefile was parsed, so the flags are asked for late.
TEST_LIBS  = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck) -lsleef $(LIBS)

$(B)/test_mossa: mossa.h $(TEST_SRC) $(TEST_HDR)
	@mkdir -p $(B)
	$(CC) $(CFLAGS_M) -DMOSSA_TEST_HOOKS -o $@ $(TEST_SRC) $(TEST_LIBS)

test-unit: $(B)/test_mossa $(B)/mossa
	MOSSA_CLI=$(B)/mossa $(B)/test_mossa

# Every supported way of compiling the header: C99/C11 under gcc and clang,
# C++11 under g++ and clang++, static, no threads, no stdio, two TUs.
COMPILE_C   := gcc_c99 gcc_c11 clang_c99 clang_c11
COMPILE_CXX := g++ clang++
test-compile: $(addprefix test-compile-,$(COMPILE_C) $(COMPILE_CXX))
	@echo "test-compile: all variants built and ran"
# one target per compiler and standard (test-compile-gcc_c99, ...), so that
# `make test` builds them side by side; each has its own directory
$(addprefix test-compile-,$(COMPILE_C)): test-compile-%: mossa.h
	@set -e; cc=$(word 1,$(subst _, ,$*)); std=-std=$(word 2,$(subst _, ,$*)); o=$(B)/compile/$*; \
	  mkdir -p $$o; echo "  $$cc $$std"; \
	  $$cc $$std $(OPT) $(WARN) -I. -o $$o/two_tu tests/compile/tu_impl.c tests/compile/tu_user.c $(LIBS); \
	  $$o/two_tu; \
	  $$cc $$std $(OPT) $(WARN) -I. -DMOSSA_STATIC -o $$o/static tests/compile/tu_impl.c $(LIBS) -DMOSSA_COMPILE_MAIN; \
	  $$cc $$std $(OPT) $(WARN) -I. -DMOSSA_NO_THREADS -DMOSSA_NO_STDIO -DMOSSA_NO_HUGEPAGES -DMOSSA_NO_AMX -o $$o/bare tests/compile/tu_impl.c -lm -DMOSSA_COMPILE_MAIN; \
	  $$o/bare
$(addprefix test-compile-,$(COMPILE_CXX)): test-compile-%: mossa.h
	@set -e; o=$(B)/compile/$*; mkdir -p $$o; echo "  $* -std=c++11"; \
	  $* -std=c++11 $(OPT) $(filter-out -Wstrict-prototypes,$(WARN)) -I. -x c++ -o $$o/cxx tests/compile/tu_impl.c -x c++ tests/compile/tu_user.c $(LIBS); \
	  $$o/cxx

# NEON: the suite and the CLI cross-compiled for aarch64, run under qemu.
AARCH64_CC := aarch64-linux-gnu-gcc
QEMU       := qemu-aarch64 -L /usr/aarch64-linux-gnu
$(B)/aarch64/test_mossa: mossa.h $(TEST_SRC) $(TEST_HDR)
	@mkdir -p $(B)/aarch64
	$(AARCH64_CC) $(CFLAGS_M) -DMOSSA_TEST_HOOKS -DMOSSA_NO_SLEEF -static -o $@ $(TEST_SRC) \
	  -L/usr/lib/aarch64-linux-gnu -lcheck -lsubunit -lm -lpthread -lrt
$(B)/aarch64/mossa: mossa.h $(CLI_SRC) $(CLI_HDR)
	@mkdir -p $(B)/aarch64
	$(AARCH64_CC) $(CFLAGS_M) -static -o $@ $(CLI_SRC) $(LIBS)
# One target per Check suite (test-neon-svd, ...), the slowest first, so
# that `make test` spreads the emulated run over the cores. The suite list
# is read from the tests, so a new suite cannot be left out.
SUITES      := $(shell sed -n 's/.*suite_create("\([a-z_]*\)").*/\1/p' $(TEST_SRC))
SLOW_SUITES := svd cka tsne analysis alloc kernels
SUITES      := $(filter $(SUITES),$(SLOW_SUITES)) $(filter-out $(SLOW_SUITES),$(SUITES))
test-neon: $(addprefix test-neon-,$(SUITES))
	@echo "test-neon: every suite passed under qemu-aarch64"
test-neon-info: $(B)/aarch64/mossa
	$(QEMU) $(B)/aarch64/mossa info --json
$(addprefix test-neon-,$(SUITES)): test-neon-%: $(B)/aarch64/test_mossa $(B)/aarch64/mossa test-neon-info
	MOSSA_CLI="$(QEMU) $(B)/aarch64/mossa" MOSSA_TEST_EMULATED=1 CK_DEFAULT_TIMEOUT=600 CK_RUN_SUITE=$* \
	  $(QEMU) $(B)/aarch64/test_mossa
.PHONY: test-neon-info $(addprefix test-neon-,$(SUITES)) $(addprefix test-compile-,$(COMPILE_C) $(COMPILE_CXX))

# Cross-checks of the CLI against numpy on generated .npy files.
test-cross: $(B)/mossa
	@set -e; for s in tests/cross_*.py; do [ -e "$$s" ] || continue; echo "  $$s"; \
	  $(PYTHON) $$s $(B)/mossa; done

# `make test` installs what is missing, then runs the parts side by side
# (TEST_JOBS, default one per CPU; each part's output is printed whole
# when it ends). The slowest parts come first.
TEST_JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
TEST_PARTS := check-amalgamation test-neon test-compile test-unit test-cross test-install
test: deps
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target $(TEST_PARTS)
	@echo "make test: all passed"

# ---- benchmarks ---------------------------------------------------------------
BENCH_LIBS := -lbenchmark -lsleef $(LIBS)
$(B)/bench_impl.o: mossa.h bench/bench_impl.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS_M) -O3 -c -o $@ bench/bench_impl.c
$(B)/bench_mossa: $(B)/bench_impl.o $(BENCH_CC) $(wildcard bench/*.h)
	$(CXX) -std=c++17 -O2 -g -Wall -Wextra -Werror -I. -o $@ $(BENCH_CC) $(B)/bench_impl.o $(BENCH_LIBS) $(BENCH_EXTRA_LIBS)

# The peers are bench-time packages: without libopenblas-dev, numpy and
# sklearn fall back to Debian's reference BLAS and LAPACK (libblas3), and a
# ratio against that says nothing. bench and compare install what is missing
# (as root; otherwise the one apt-get line is printed) before they build.
BENCH_PKGS := libbenchmark-dev libsleef-dev libopenblas-dev liblapacke-dev pkg-config \
              python3-numpy python3-scipy python3-sklearn python3-threadpoolctl diction time bc
bench-deps:
	@sh tests/deps.sh $(BENCH_PKGS)

bench: bench-deps
	@$(MAKE) --no-print-directory $(B)/bench_mossa
	$(B)/bench_mossa $(BENCH_ARGS)

compare: bench-deps
	@$(MAKE) --no-print-directory $(B)/mossa
	bench/compare

# ---- demo, install, clean -------------------------------------------------------
demo: $(B)/mossa
	@sh examples/demo.sh $(B)/mossa

$(B)/mossa.pc: Makefile impl/api.h
	@mkdir -p $(B)
	@printf 'prefix=%s\nincludedir=$${prefix}/include\n\nName: mossa\nDescription: single-header layer-by-layer analysis of neural-network representations\nVersion: %s\nCflags: -I$${includedir}\nLibs: -lm -lpthread\n' \
	  "$(PREFIX)" "$$(sed -n 's/^#define MOSSA_VERSION_STRING "\(.*\)"/\1/p' impl/api.h)" > $(B)/mossa.pc

install: $(B)/mossa $(B)/mossa.pc
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 mossa.h $(DESTDIR)$(PREFIX)/include/mossa.h
	install -m 755 $(B)/mossa $(DESTDIR)$(PREFIX)/bin/mossa
	install -m 644 $(B)/mossa.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/mossa.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/mossa.h $(DESTDIR)$(PREFIX)/bin/mossa $(DESTDIR)$(PREFIX)/lib/pkgconfig/mossa.pc

clean:
	rm -rf $(B)

# ---- hardening: sanitizers, fuzzing, ThreadSanitizer, MPI (issue 8) ---------
# tests/tsan_test.c is a standalone program (its own main), not a Check suite.
TEST_SRC := $(filter-out tests/tsan_test.c,$(TEST_SRC))
DEB_PKGS += libclang-rt-14-dev openmpi-bin libopenmpi-dev valgrind

# `make sanitize`: the CLI and the whole Check suite under AddressSanitizer
# (LeakSanitizer included) and UndefinedBehaviorSanitizer; any report fails
# the run. clang's -fsanitize=undefined also checks float->int overflow.
SAN_CC    ?= clang
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_ENV   := ASAN_OPTIONS=detect_leaks=1:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1 \
             UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86 CK_TIMEOUT_MULTIPLIER=4
$(B)/sanitize/mossa: mossa.h $(CLI_SRC) $(CLI_HDR)
	@mkdir -p $(B)/sanitize
	$(SAN_CC) $(CFLAGS_M) $(SAN_FLAGS) -o $@ $(CLI_SRC) $(LIBS)
$(B)/sanitize/test_mossa: mossa.h $(TEST_SRC) $(TEST_HDR)
	@mkdir -p $(B)/sanitize
	$(SAN_CC) $(CFLAGS_M) $(SAN_FLAGS) -DMOSSA_TEST_HOOKS -o $@ $(TEST_SRC) $(TEST_LIBS)
# Sanitized code runs 2-5x slower, so the suites' heavy sweeps take their
# scaled-down sizes (MOSSA_TEST_EMULATED, as under qemu): every test and code
# path still runs, with fewer points.
# One target per suite (sanitize-svd, ...), as for test-neon.
sanitize: $(addprefix sanitize-,$(SUITES))
	@echo "sanitize: every suite passed under ASan and UBSan"
$(addprefix sanitize-,$(SUITES)): sanitize-%: $(B)/sanitize/mossa $(B)/sanitize/test_mossa
	$(SAN_ENV) MOSSA_TEST_EMULATED=1 MOSSA_CLI=$(B)/sanitize/mossa CK_RUN_SUITE=$* $(B)/sanitize/test_mossa

# `make fuzz`: libFuzzer targets (clang + libclang-rt-14-dev) in build/fuzz/.
# `make fuzz-run` runs each for FUZZ_SECONDS on its seed corpus (CI);
# longer local runs: build/fuzz/fuzz_npy -max_total_time=600 CORPUS_DIR tests/fuzz/corpus_npy
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -std=c99 -O1 -g -I. -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS := npy text kernels
FUZZ_SECONDS ?= 20
FUZZ_BINS    := $(addprefix $(B)/fuzz/fuzz_,$(FUZZ_TARGETS))
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h mossa.h
	@mkdir -p $(B)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< -lm -lpthread
fuzz: $(FUZZ_BINS)
fuzz-run: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  rm -rf $(B)/fuzz/work_$$t; mkdir -p $(B)/fuzz/work_$$t; \
	  echo "  fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  dict=""; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
	  $(B)/fuzz/fuzz_$$t $$dict -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(B)/fuzz/crash_$$t- \
	    $(B)/fuzz/work_$$t tests/fuzz/corpus_$$t > $(B)/fuzz/fuzz_$$t.log 2>&1 \
	    || { tail -60 $(B)/fuzz/fuzz_$$t.log; exit 1; }; \
	  grep -E '^stat::number_of_executed_units|^Done' $(B)/fuzz/fuzz_$$t.log | tr '\n' ' '; echo; \
	done

# `make tsan`: concurrent first calls and concurrent work under ThreadSanitizer.
# Each run is a fresh process, so each run races the dispatch initialisation.
TSAN_CC   ?= clang
TSAN_RUNS ?= 5
$(B)/tsan/tsan_test: tests/tsan_test.c mossa.h
	@mkdir -p $(B)/tsan
	$(TSAN_CC) -std=c99 -O1 -g -I. $(WARN) -fsanitize=thread -o $@ $< -lm -lpthread
tsan: $(B)/tsan/tsan_test
	@set -e; for i in $$(seq $(TSAN_RUNS)); do \
	  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(B)/tsan/tsan_test; done

# `make mpi`: the MPI example (examples/mpi/) as build/mossa-mpi.
MPICC      ?= mpicc
MPI_SRC    := $(wildcard examples/mpi/*.c)
MPI_HDR    := $(wildcard examples/mpi/*.h)
MPIRUN     ?= mpirun
MPIRUN_FLAGS := --oversubscribe $(if $(filter 0,$(shell id -u)),--allow-run-as-root) \
                --mca btl self,vader --mca btl_vader_single_copy_mechanism none
$(B)/mossa-mpi: mossa.h $(MPI_SRC) $(MPI_HDR)
	@mkdir -p $(B)
	$(MPICC) $(CFLAGS_M) -o $@ $(MPI_SRC) $(LIBS)
mpi: $(B)/mossa-mpi
test-mpi: $(B)/mossa-mpi $(B)/mossa
	MPIRUN="$(MPIRUN) $(MPIRUN_FLAGS)" sh examples/mpi/test_mpi.sh $(B)/mossa-mpi $(B)/mossa

# `make memcheck` (optional, not in `make test`): the allocation-failure
# suite in one process under valgrind, as a second opinion on leaks and
# invalid accesses next to ASan/LSan.
memcheck: $(B)/test_mossa
	CK_FORK=no CK_RUN_SUITE=alloc CK_DEFAULT_TIMEOUT=0 valgrind --quiet --leak-check=full \
	  --errors-for-leak-kinds=definite,indirect --error-exitcode=99 $(B)/test_mossa

.PHONY: sanitize fuzz fuzz-run tsan mpi test-mpi memcheck $(addprefix sanitize-,$(SUITES))
TEST_PARTS += sanitize fuzz-run tsan test-mpi
# ---- install check ------------------------------------------------------------
# The .pc file bakes in PREFIX, so it is rebuilt on every install: a stale
# one from an earlier PREFIX would point pkg-config at the wrong directory.
.PHONY: $(B)/mossa.pc test-install
# Installs into two temporary prefixes (and once with DESTDIR), then builds
# tests/compile/installed.c with nothing but `pkg-config --cflags --libs mossa`.
test-install: $(B)/mossa
	@set -e; t=$$(mktemp -d); trap 'rm -rf "$$t"' EXIT; \
	for p in "$$t/one" "$$t/two"; do \
	  $(MAKE) --no-print-directory -s install PREFIX="$$p" >/dev/null; \
	  cmp mossa.h "$$p/include/mossa.h"; \
	  "$$p/bin/mossa" info --json | grep -q '"version"'; \
	  pc() { PKG_CONFIG_PATH="$$p/lib/pkgconfig" pkg-config "$$@" mossa; }; \
	  test "$$(pc --variable=prefix)" = "$$p" || { echo "mossa.pc has prefix $$(pc --variable=prefix), not $$p" >&2; exit 1; }; \
	  test "$$(pc --modversion)" = "$$(sed -n 's/^#define MOSSA_VERSION_STRING "\(.*\)"/\1/p' impl/api.h)"; \
	  case " $$(pc --libs) " in *" -lm "*) ;; *) echo "pkg-config --libs lacks -lm" >&2; exit 1;; esac; \
	  case " $$(pc --libs) " in *" -lpthread "*) ;; *) echo "pkg-config --libs lacks -lpthread" >&2; exit 1;; esac; \
	  $(CC) -std=c99 -O1 $(WARN) $$(pc --cflags) -o "$$t/installed" tests/compile/installed.c $$(pc --libs); \
	  "$$t/installed" "$$t/x.npy"; \
	  $(MAKE) --no-print-directory -s uninstall PREFIX="$$p" >/dev/null; \
	  test ! -e "$$p/include/mossa.h" -a ! -e "$$p/bin/mossa" -a ! -e "$$p/lib/pkgconfig/mossa.pc"; \
	done; \
	$(MAKE) --no-print-directory -s install DESTDIR="$$t/stage" PREFIX=/opt/mossa >/dev/null; \
	test -x "$$t/stage/opt/mossa/bin/mossa" -a -f "$$t/stage/opt/mossa/include/mossa.h"; \
	grep -qx 'prefix=/opt/mossa' "$$t/stage/opt/mossa/lib/pkgconfig/mossa.pc"; \
	echo "test-install: install, pkg-config, build, uninstall and DESTDIR all work"

# bench-time peers (never needed at use time)
BENCH_EXTRA_LIBS += -llapacke -lopenblas
