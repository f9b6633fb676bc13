#ifndef I2V_CFUZZ_H
#define I2V_CFUZZ_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver (LLVMFuzzerRunDriver) on the process's arguments with `callback` as the target. Only in
/// builds made by Scripts/fuzz.sh (-DI2V_LIBFUZZER, linked with -sanitize=fuzzer); elsewhere it returns -1.
int i2v_fuzz_run(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
