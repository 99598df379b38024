# The template port (port/skeleton/).  check-skeleton compiles it and the
# conformance kit warning-free for this board and for the Cortex-M4 (the
# kit and the template must build where there is no OS), checks that they
# include no header but tvc_*.h, <stddef.h>, <stdint.h> and <string.h>, and
# links and runs tests/conformance/skeleton_check.c: the template passes
# tvc_port_check(), tvc_port_check_storage() and the kit's port_check case.
SKEL_SRC := $(sort $(wildcard port/skeleton/*.c))
SKEL_OBJ := $(SKEL_SRC:%.c=$(BUILD)/%.o)
SKEL_CHECK := $(BUILD)/port/skeleton/skeleton_check

.PHONY: check-skeleton skeleton-objs
skeleton-objs: $(SKEL_OBJ) $(CONF_OBJ)

$(SKEL_CHECK): $(BUILD)/tests/conformance/skeleton_check.o $(SKEL_OBJ) $(CONF_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

check-skeleton: $(SKEL_CHECK)
	@bad=$$(grep -hE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<' port/skeleton/*.[ch] \
	  tests/conformance/tvc_conformance.[ch] | grep -vE '<(stddef|stdint|string)\.h>' || true); \
	if [ -n "$$bad" ]; then echo "check-skeleton: OS headers in the kit or the template:"; \
	  echo "$$bad"; exit 1; fi
	@$(SKEL_CHECK)
	@$(MAKE) --no-print-directory BOARD=cortex-m4 BUILD=$(BUILD)/cortex-m4 skeleton-objs
	@echo "check-skeleton: port/skeleton and the conformance kit build warning-free for $(BOARD) and cortex-m4"
