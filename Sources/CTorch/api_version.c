/* The CTorch target only publishes i2v_torch.h to Swift; SwiftPM needs one source file per C target. */
#include "i2v_torch.h"
const int32_t i2v_torch_header_api_version = I2V_TORCH_API_VERSION;
