# The port conformance kit (tests/conformance/): linked into
# tests/test_port_conformance, built and run on every board that builds the
# tests/test_*.c programs (the kit needs nothing else from the tests).
CONF_OBJ := $(BUILD)/tests/conformance/tvc_conformance.o

$(BUILD)/tests/test_port_conformance: $(BUILD)/tests/test_port_conformance.o $(CONF_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)
