/* The shim's public interface is the C API in CTorch's i2v_torch.h; this header only re-exports it. */
#include "i2v_torch.h"
