#include "cfuzz.h"

#ifdef I2V_LIBFUZZER
// libFuzzer's entry for programs that keep their own main(): SwiftPM names the executable's entry point, so the
// Swift main hands control to the driver, which calls back into `callback` for every input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

static int (*current)(const uint8_t *data, size_t size);

int i2v_fuzz_run(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size)) {
  current = callback;
  return LLVMFuzzerRunDriver(argc, argv, callback);
}

// The archive's own main() refers to this symbol; it is never the entry point here (SwiftPM's is).
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return current ? current(data, size) : 0; }
#else
int i2v_fuzz_run(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size)) {
  (void)argc;
  (void)argv;
  (void)callback;
  return -1;
}
#endif
