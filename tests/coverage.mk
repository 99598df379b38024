# Coverage of src/ (gcov, reported by Debian's gcovr): make coverage.
#
# The host suite is built again with --coverage in $(BUILD)/cov (its own
# objects, -O0 so lines and branches map onto the source), the counters are
# zeroed, tests/run.sh runs its unit tests and the CLI integration suite
# (tests/integration/test_cli.py drives the instrumented tvc program), and
# tests/coverage.py prints line and branch coverage per src/ file and in
# total and checks the targets; it counts as one test in tests/run.sh.
# make test builds $(BUILD)/cov with coverage-build and hands it to
# tests/run.sh with the other build directories, so its figures come from
# the same run that counts the tests.  The table is kept in
# $(BUILD)/cov/coverage.txt.

COV_BUILD := $(BUILD)/cov
COV_CFLAGS := -O0 -g --coverage

.PHONY: coverage coverage-build

coverage-build: | deps-test
	@$(MAKE) --no-print-directory BUILD=$(COV_BUILD) CFLAGS='$(COV_CFLAGS)' all tests
	@find $(COV_BUILD) -name '*.gcda' -exec rm -f {} +
	@echo "coverage-build: $(COV_BUILD) built with --coverage, counters zeroed"

coverage: coverage-build
	@sh tests/run.sh $(COV_BUILD) > $(COV_BUILD)/coverage-run.log 2>&1; rc=$$?; \
	  grep -E ': [0-9]+ passed, [0-9]+ failed$$|crashed or hung' $(COV_BUILD)/coverage-run.log; echo; \
	  /usr/bin/python3 tests/coverage.py $(COV_BUILD) | grep -vE '^[0-9]+ passed, [0-9]+ failed$$'; echo; \
	  echo "coverage: the suites' log is $(COV_BUILD)/coverage-run.log; all together:"; \
	  tail -n 1 $(COV_BUILD)/coverage-run.log; exit $$rc
