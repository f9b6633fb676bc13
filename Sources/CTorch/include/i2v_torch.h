/*
 * i2v_torch.h — the small, stable C API between i2v's Swift code and libtorch.
 *
 * The shim (Sources/I2VTorchShim) implements this API on top of ATen and is built as its own shared library
 * (libi2vtorch.so). The Swift side never links libtorch: it dlopen()s the shim and asks it for the function
 * table below, so a shim built against another libtorch (Debian's 1.13 CPU build, or the CUDA libtorch inside a
 * PyTorch installation) can be dropped in next to an unchanged i2v binary.
 *
 * Conventions
 *   - Every function that can fail returns an i2v_status: 0 on success, non-zero on error. The error text is kept
 *     per thread and read with last_error(). No C++ exception ever crosses this boundary.
 *   - Results are returned through `out` parameters. A returned tensor handle is owned by the caller and must be
 *     released exactly once with tensor_free().
 *   - Every call runs under c10::InferenceMode: there is no autograd anywhere in i2v.
 *   - The table only ever grows at its end; `api_version` tells the Swift side which entries exist.
 *   - Status I2V_STATUS_OUT_OF_MEMORY marks a failed allocation (CUDA or host), so callers can say what to change.
 */
#ifndef I2V_TORCH_H
#define I2V_TORCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define I2V_TORCH_API_VERSION 3
#define I2V_MAX_DIMS 16

typedef int32_t i2v_status;
#define I2V_STATUS_ERROR 1
#define I2V_STATUS_OUT_OF_MEMORY 2

/* Attention kernels libtorch may choose from (set_sdpa_backends); 0 = libtorch's own default choice. */
#define I2V_SDPA_FLASH 1
#define I2V_SDPA_EFFICIENT 2
#define I2V_SDPA_MATH 4
#define I2V_SDPA_CUDNN 8

typedef struct {
  uint64_t allocated;      /* bytes in live tensors now (CUDA caching allocator) */
  uint64_t peak_allocated; /* highest `allocated` since the last reset */
  uint64_t reserved;       /* bytes the allocator holds from the driver now */
  uint64_t peak_reserved;
  int32_t available;       /* 0 when this libtorch cannot report allocator statistics */
} i2v_memory_stats;
typedef struct i2v_tensor_s *i2v_tensor;
typedef struct i2v_generator_s *i2v_generator;
typedef struct i2v_graph_s *i2v_graph;

typedef enum {
  I2V_FLOAT32 = 0,
  I2V_FLOAT16 = 1,
  I2V_BFLOAT16 = 2,
  I2V_INT64 = 3,
  I2V_UINT8 = 4,
  I2V_FLOAT64 = 5,
  I2V_INT32 = 6,
  I2V_BOOL = 7,
} i2v_dtype;

typedef enum { I2V_DEVICE_CPU = 0, I2V_DEVICE_CUDA = 1 } i2v_device_type;

typedef struct {
  int32_t type;  /* i2v_device_type */
  int32_t index; /* -1 = the current device of that type */
} i2v_device;

typedef enum {
  I2V_UNARY_NEG = 0,
  I2V_UNARY_EXP,
  I2V_UNARY_LOG,
  I2V_UNARY_SIN,
  I2V_UNARY_COS,
  I2V_UNARY_SQRT,
  I2V_UNARY_RSQRT,
  I2V_UNARY_SILU,
  I2V_UNARY_GELU,      /* exact erf form */
  I2V_UNARY_GELU_TANH, /* tanh approximation */
  I2V_UNARY_SIGMOID,
  I2V_UNARY_TANH,
  I2V_UNARY_ABS,
  I2V_UNARY_ROUND, /* half to even, like torch.round */
  I2V_UNARY_FLOOR,
  I2V_UNARY_CEIL,
  I2V_UNARY_ERF,
  I2V_UNARY_RECIPROCAL,
  I2V_UNARY_QUICK_GELU, /* x * sigmoid(1.702 x), CLIP's quick_gelu */
} i2v_unary_op;

typedef enum {
  I2V_BINARY_ADD = 0,
  I2V_BINARY_SUB,
  I2V_BINARY_MUL,
  I2V_BINARY_DIV,
  I2V_BINARY_POW,
  I2V_BINARY_MAXIMUM,
  I2V_BINARY_MINIMUM,
  I2V_BINARY_RSUB, /* scalar form only: scalar - tensor */
  I2V_BINARY_RDIV, /* scalar form only: scalar / tensor */
  I2V_BINARY_EQ,   /* result is bool */
  I2V_BINARY_LT,
  I2V_BINARY_GT,
} i2v_binary_op;

typedef enum {
  I2V_REDUCE_SUM = 0,
  I2V_REDUCE_MEAN,
  I2V_REDUCE_AMAX,
  I2V_REDUCE_AMIN,
} i2v_reduce_op;

/* The function table. X(return type, name, parameter list). Append only. */
#define I2V_TORCH_FUNCTIONS(X)                                                                                  \
  /* ---- library and runtime ---- */                                                                         \
  X(const char *, last_error, (void))                                                                          \
  X(i2v_status, torch_version, (char *buf, size_t len))                                                        \
  X(i2v_status, set_num_threads, (int32_t n))                                                                  \
  X(int32_t, get_num_threads, (void))                                                                          \
  X(int32_t, cuda_device_count, (void))                                                                        \
  X(i2v_status, cuda_device_name, (int32_t index, char *buf, size_t len, uint64_t *total_memory))             \
  X(i2v_status, synchronize, (i2v_device device))                                                              \
  X(i2v_status, sdpa_backend, (char *buf, size_t len))                                                         \
  /* ---- tensor lifecycle and data movement ---- */                                                          \
  X(void, tensor_free, (i2v_tensor t))                                                                         \
  X(i2v_status, tensor_info,                                                                                   \
    (i2v_tensor t, int64_t *shape, int32_t *ndim, int32_t *dtype, i2v_device *device))                         \
  X(i2v_status, tensor_from_data,                                                                              \
    (const void *data, size_t nbytes, int32_t dtype, const int64_t *shape, int32_t ndim, i2v_tensor *out))     \
  X(i2v_status, tensor_to_data, (i2v_tensor t, void *dst, size_t nbytes))                                      \
  X(i2v_status, tensor_full,                                                                                   \
    (const int64_t *shape, int32_t ndim, double value, int32_t dtype, i2v_device device, i2v_tensor *out))     \
  X(i2v_status, tensor_arange,                                                                                 \
    (double start, double end, double step, int32_t dtype, i2v_device device, i2v_tensor *out))                \
  X(i2v_status, tensor_to, (i2v_tensor t, int32_t dtype, i2v_device device, i2v_tensor *out))                 \
  X(i2v_status, tensor_contiguous, (i2v_tensor t, i2v_tensor *out))                                            \
  X(i2v_status, tensor_clone, (i2v_tensor t, i2v_tensor *out))                                                 \
  X(i2v_status, tensor_copy_, (i2v_tensor dst, i2v_tensor src))                                                \
  /* ---- random numbers (CPU generator, same stream as torch.Generator("cpu").manual_seed) ---- */           \
  X(i2v_status, generator_new, (uint64_t seed, i2v_generator *out))                                            \
  X(void, generator_free, (i2v_generator g))                                                                   \
  X(i2v_status, randn, (i2v_generator g, const int64_t *shape, int32_t ndim, int32_t dtype, i2v_tensor *out)) \
  /* ---- views and layout ---- */                                                                            \
  X(i2v_status, reshape, (i2v_tensor t, const int64_t *shape, int32_t ndim, i2v_tensor *out))                 \
  X(i2v_status, permute, (i2v_tensor t, const int64_t *dims, int32_t ndim, i2v_tensor *out))                  \
  X(i2v_status, transpose, (i2v_tensor t, int64_t dim0, int64_t dim1, i2v_tensor *out))                       \
  X(i2v_status, expand, (i2v_tensor t, const int64_t *shape, int32_t ndim, i2v_tensor *out))                  \
  X(i2v_status, narrow, (i2v_tensor t, int64_t dim, int64_t start, int64_t length, i2v_tensor *out))          \
  X(i2v_status, cat, (const i2v_tensor *ts, int32_t n, int64_t dim, i2v_tensor *out))                         \
  X(i2v_status, repeat, (i2v_tensor t, const int64_t *repeats, int32_t n, i2v_tensor *out))                   \
  X(i2v_status, repeat_interleave, (i2v_tensor t, int64_t repeats, int64_t dim, i2v_tensor *out))             \
  X(i2v_status, index_select, (i2v_tensor t, int64_t dim, i2v_tensor index, i2v_tensor *out))                 \
  X(i2v_status, constant_pad, (i2v_tensor t, const int64_t *pad, int32_t npad, double value, i2v_tensor *out)) \
  /* ---- elementwise math ---- */                                                                            \
  X(i2v_status, unary, (int32_t op, i2v_tensor t, i2v_tensor *out))                                            \
  X(i2v_status, binary, (int32_t op, i2v_tensor a, i2v_tensor b, i2v_tensor *out))                             \
  X(i2v_status, binary_scalar, (int32_t op, i2v_tensor a, double s, i2v_tensor *out))                          \
  X(i2v_status, clamp,                                                                                         \
    (i2v_tensor t, double lo, double hi, int32_t has_lo, int32_t has_hi, i2v_tensor *out))                     \
  X(i2v_status, where, (i2v_tensor cond, i2v_tensor a, i2v_tensor b, i2v_tensor *out))                         \
  /* ---- reductions and scans ---- */                                                                        \
  X(i2v_status, reduce,                                                                                        \
    (int32_t op, i2v_tensor t, const int64_t *dims, int32_t ndims, int32_t keepdim, i2v_tensor *out))          \
  X(i2v_status, cumprod, (i2v_tensor t, int64_t dim, i2v_tensor *out))                                         \
  X(i2v_status, softmax, (i2v_tensor t, int64_t dim, i2v_tensor *out))                                         \
  X(i2v_status, argmax, (i2v_tensor t, int64_t dim, int32_t keepdim, i2v_tensor *out))                         \
  /* ---- neural-network primitives ---- */                                                                   \
  X(i2v_status, matmul, (i2v_tensor a, i2v_tensor b, i2v_tensor *out))                                         \
  X(i2v_status, linear, (i2v_tensor x, i2v_tensor w, i2v_tensor b_or_null, i2v_tensor *out))                   \
  X(i2v_status, convolution,                                                                                   \
    (i2v_tensor x, i2v_tensor w, i2v_tensor b_or_null, const int64_t *stride, const int64_t *padding,          \
     const int64_t *dilation, int32_t nspatial, int64_t groups, i2v_tensor *out))                              \
  X(i2v_status, group_norm,                                                                                    \
    (i2v_tensor x, int64_t groups, i2v_tensor w_or_null, i2v_tensor b_or_null, double eps, i2v_tensor *out))   \
  X(i2v_status, layer_norm,                                                                                    \
    (i2v_tensor x, const int64_t *normalized_shape, int32_t n, i2v_tensor w_or_null, i2v_tensor b_or_null,     \
     double eps, i2v_tensor *out))                                                                             \
  X(i2v_status, embedding, (i2v_tensor weight, i2v_tensor ids, i2v_tensor *out))                               \
  X(i2v_status, sdpa,                                                                                          \
    (i2v_tensor q, i2v_tensor k, i2v_tensor v, i2v_tensor mask_or_null, int32_t is_causal, double scale,       \
     i2v_tensor *out))                                                                                         \
  X(i2v_status, upsample_nearest2d, (i2v_tensor x, int64_t out_h, int64_t out_w, i2v_tensor *out))             \
  X(i2v_status, adaptive_avg_pool2d, (i2v_tensor x, int64_t out_h, int64_t out_w, i2v_tensor *out))           \
  /* ---- API 2: memory, synchronisation accounting, attention kernels ---- */                               \
  /* Free and total bytes of a CUDA device, as the driver reports them. */                                    \
  X(i2v_status, cuda_memory_info, (int32_t index, uint64_t *free_bytes, uint64_t *total_bytes))               \
  X(i2v_status, cuda_memory_stats, (int32_t index, i2v_memory_stats *out))                                    \
  X(i2v_status, cuda_reset_peak_memory, (int32_t index))                                                      \
  /* Returns cached, unused blocks to the driver (after large components are released). */                   \
  X(i2v_status, cuda_empty_cache, (void))                                                                      \
  /* Calls of this thread that move data between the host and a tensor or wait for a device: tensor_from_data,\
     tensor_to_data, tensor_to/copy_ across devices, synchronize. On a GPU each is a host round trip; the     \
     denoising loop makes none, and a test holds it to that by reading this counter (on CPU too). */         \
  X(uint64_t, host_sync_count, (void))                                                                         \
  /* Restricts the kernels scaled-dot-product attention may use (I2V_SDPA_* bits; 0 = libtorch's default). */ \
  X(i2v_status, set_sdpa_backends, (int32_t mask))                                                             \
  X(i2v_status, empty, (const int64_t *shape, int32_t ndim, int32_t dtype, i2v_device device, i2v_tensor *out))  \
  /* 0: this libtorch has no CUDA; 1: CUDA with at least one device; 2: a CUDA libtorch that found no usable  \
     device (`why` says what CUDA reported when it initialised). */                                          \
  X(i2v_status, cuda_status, (int32_t *state, char *why, size_t len))                                        \
  /* Operations this thread ran that returned a tensor (each one or a few ATen calls): launch overhead.    */  \
  X(uint64_t, call_count, (void))                                                                              \
  /* Convolutions in channels-last layout (NHWC / NDHWC), which cuDNN runs faster for some shapes; on, their  \
     inputs are converted when needed, and weights made channels-last once (to_channels_last). */              \
  X(i2v_status, set_channels_last, (int32_t on))                                                               \
  X(i2v_status, to_channels_last, (i2v_tensor t, i2v_tensor *out))                                             \
  /* CUDA graphs: the work this thread queues on a CUDA device between begin and end is recorded once and     \
     replayed with one launch. Tensors used inside keep their addresses; new inputs are copied into them.     \
     graphs_supported() is 0 where the shim was built without CUDA headers (or on CPU): callers then run     \
     eagerly. */                                                                                             \
  X(int32_t, graphs_supported, (void))                                                                         \
  X(i2v_status, graph_capture_begin, (i2v_device device))                                                      \
  X(i2v_status, graph_capture_end, (i2v_graph *out))                                                          \
  X(i2v_status, graph_replay, (i2v_graph g))                                                                   \
  X(void, graph_free, (i2v_graph g))                                                                           \
  /* Version 3. GEGLU on the last dimension, (..., 2n) -> (..., n): x[..., :n] * gelu(x[..., n:]), the product \
     written into the GELU's result, so the feed-forward holds one n-wide temporary, not two. */              \
  X(i2v_status, geglu, (i2v_tensor x, i2v_tensor *out))

#define I2V_DECLARE_FIELD(ret, name, params) ret(*name) params;
typedef struct i2v_torch_api {
  int32_t api_version;
  int32_t struct_size;
  I2V_TORCH_FUNCTIONS(I2V_DECLARE_FIELD)
} i2v_torch_api;
#undef I2V_DECLARE_FIELD

/* The one exported symbol of the shim. Returns NULL if the shim cannot serve `min_version`. */
const i2v_torch_api *i2v_torch_get_api(int32_t min_version);
typedef const i2v_torch_api *(*i2v_torch_get_api_fn)(int32_t min_version);

#ifdef __cplusplus
}
#endif

#endif /* I2V_TORCH_H */
