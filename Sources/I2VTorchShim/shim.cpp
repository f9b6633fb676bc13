// The libtorch side of i2v_torch.h: each entry point is one ATen call (or a handful), wrapped so that every
// C++ exception becomes an error status plus a thread-local message. Builds against Debian's libtorch 1.13 (CPU)
// and against libtorch 2.x (CPU or CUDA); version differences are confined to this file.
#include "i2v_torch.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/api/include/torch/version.h>

#if TORCH_VERSION_MAJOR >= 2 && __has_include(<c10/core/CachingDeviceAllocator.h>) && !defined(I2V_NO_DEVICE_ALLOCATOR)
// libtorch >= 2.9: the CUDA caching allocator's statistics through the device-generic interface, so the shim
// needs no CUDA headers. Scripts/build-shim.sh retries with I2V_NO_DEVICE_ALLOCATOR where this does not compile.
#include <c10/core/CachingDeviceAllocator.h>
#define I2V_HAS_DEVICE_ALLOCATOR 1
#endif

#if defined(I2V_WITH_CUDA)
// Built where the CUDA runtime headers exist (Scripts/build-shim.sh passes -DI2V_WITH_CUDA): CUDA graphs.
#include <ATen/cuda/CUDAGraph.h>
#include <cuda_runtime_api.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <memory>
#include <optional>
#endif

#include <dlfcn.h>


#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#if TORCH_VERSION_MAJOR >= 2
#define I2V_HAS_SDPA 1
#if TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 1
#define I2V_SDPA_HAS_SCALE 1
#endif
#endif

struct i2v_tensor_s {
  at::Tensor t;
};
struct i2v_generator_s {
  at::Generator g;
};
#if defined(I2V_WITH_CUDA)
struct i2v_graph_s {
  at::cuda::CUDAGraph graph;
};
#else
struct i2v_graph_s {};
#endif

namespace {

thread_local std::string last_error_text;

void set_error(const std::string &message) { last_error_text = message; }

// The shim function's name without its prefix ("impl_convolution" -> "convolution"), for error messages.
std::string op_name(const char *fn) {
  std::string n = fn;
  return n.rfind("impl_", 0) == 0 ? n.substr(5) : n;
}

// Wraps a body so that no exception escapes and autograd is off. c10::Error::what() carries a C++ backtrace in
// some builds; users get the message only. A failed allocation gets its own status and names the operation.
template <typename F> i2v_status guarded(const char *fn, F &&body) {
  try {
    c10::InferenceMode inference;
    body();
    return 0;
  } catch (const c10::OutOfMemoryError &e) {
    set_error("out of memory in " + op_name(fn) + ": " + e.what_without_backtrace());
    return I2V_STATUS_OUT_OF_MEMORY;
  } catch (const std::bad_alloc &) {
    set_error("out of host memory in " + op_name(fn));
    return I2V_STATUS_OUT_OF_MEMORY;
  } catch (const c10::Error &e) {
    // libtorch 1.x reports a failed CPU allocation as a plain enforce failure.
    std::string m = e.what_without_backtrace();
    if (m.find("can't allocate memory") != std::string::npos || m.find("out of memory") != std::string::npos) {
      set_error("out of memory in " + op_name(fn) + ": " + m);
      return I2V_STATUS_OUT_OF_MEMORY;
    }
    set_error(m);
  } catch (const std::exception &e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception in libtorch");
  }
  return 1;
}

// Host round trips made by the calling thread (see host_sync_count in i2v_torch.h): per thread, so one
// generation's count is not disturbed by others running beside it.
thread_local uint64_t host_syncs = 0;
void count_sync() { host_syncs++; }

struct ShimError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const at::Tensor &T(i2v_tensor h) {
  if (h == nullptr) throw ShimError("null tensor handle");
  return h->t;
}

c10::optional<at::Tensor> opt(i2v_tensor h) {
  if (h == nullptr) return c10::nullopt;
  return h->t;
}

// Operations of this thread that produced a tensor (see call_count in i2v_torch.h).
thread_local uint64_t calls_made = 0;

void put(i2v_tensor *out, at::Tensor t) {
  calls_made++;
  if (out == nullptr) throw ShimError("null output pointer");
  *out = new i2v_tensor_s{std::move(t)};
}

at::ScalarType scalar_type(int32_t d) {
  switch (d) {
  case I2V_FLOAT32: return at::kFloat;
  case I2V_FLOAT16: return at::kHalf;
  case I2V_BFLOAT16: return at::kBFloat16;
  case I2V_INT64: return at::kLong;
  case I2V_UINT8: return at::kByte;
  case I2V_FLOAT64: return at::kDouble;
  case I2V_INT32: return at::kInt;
  case I2V_BOOL: return at::kBool;
  }
  throw ShimError("unknown dtype code " + std::to_string(d));
}

int32_t dtype_code(at::ScalarType s) {
  switch (s) {
  case at::kFloat: return I2V_FLOAT32;
  case at::kHalf: return I2V_FLOAT16;
  case at::kBFloat16: return I2V_BFLOAT16;
  case at::kLong: return I2V_INT64;
  case at::kByte: return I2V_UINT8;
  case at::kDouble: return I2V_FLOAT64;
  case at::kInt: return I2V_INT32;
  case at::kBool: return I2V_BOOL;
  default: throw ShimError(std::string("tensor has a dtype i2v does not use: ") + c10::toString(s));
  }
}

c10::Device device_of(i2v_device d) {
  switch (d.type) {
  case I2V_DEVICE_CPU: return c10::Device(c10::kCPU);
  case I2V_DEVICE_CUDA: return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(d.index));
  }
  throw ShimError("unknown device type " + std::to_string(d.type));
}

std::vector<int64_t> dims(const int64_t *p, int32_t n) {
  if (n < 0 || n > I2V_MAX_DIMS) throw ShimError("bad number of dimensions: " + std::to_string(n));
  if (n > 0 && p == nullptr) throw ShimError("null shape pointer");
  return std::vector<int64_t>(p, p + n);
}

void copy_string(const std::string &s, char *buf, size_t len) {
  if (buf == nullptr || len == 0) return;
  size_t n = std::min(s.size(), len - 1);
  std::memcpy(buf, s.data(), n);
  buf[n] = 0;
}

// The 1.13 fallback for attention: the same math as PyTorch's reference path (softmax(q·kᵀ·scale + mask)·v).
at::Tensor attention_math_full(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                               const c10::optional<at::Tensor> &mask, bool causal, double scale) {
  auto scores = at::matmul(q, k.transpose(-2, -1));
  scores.mul_(scale);
  if (causal) {
    auto L = q.size(-2), S = k.size(-2);
    auto keep = at::ones({L, S}, q.options().dtype(at::kBool)).tril();
    scores.masked_fill_(keep.logical_not(), -std::numeric_limits<double>::infinity());
  }
  if (mask) {
    if (mask->scalar_type() == at::kBool)
      scores.masked_fill_(mask->logical_not(), -std::numeric_limits<double>::infinity());
    else
      scores.add_(*mask);
  }
  return at::matmul(at::softmax(scores, -1), v);
}

// Bounded memory: the score matrix of all batch·heads rows at once is (B·H, L, S); at 512x512x16 that is tens of
// gigabytes. Rows of q are independent, so compute slices of at most score_budget() bytes of scores and write them
// into one output. Same values as the whole computation (each slice runs the same kernels on the same rows).
// I2V_MATH_ATTENTION_SLICE_MB overrides the slice size (0 = one slice: the old, unbounded behaviour) so the
// saving can be measured with one binary.
int64_t score_budget() {
  static const int64_t budget = [] {
    const char *v = std::getenv("I2V_MATH_ATTENTION_SLICE_MB");
    int64_t mb = v ? std::atoll(v) : 256;
    return mb > 0 ? mb << 20 : std::numeric_limits<int64_t>::max();
  }();
  return budget;
}

at::Tensor attention_math(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                          const c10::optional<at::Tensor> &mask, bool causal, double scale) {
  int64_t L = q.size(-2), S = k.size(-2);
  int64_t rows = q.numel() / std::max<int64_t>(1, L * q.size(-1));
  int64_t elt = static_cast<int64_t>(q.element_size());
  int64_t budget = score_budget();
  if (mask || q.dim() < 3 || rows * L * S * elt <= budget || k.sizes() != v.sizes() ||
      q.sizes().slice(0, q.dim() - 2) != k.sizes().slice(0, k.dim() - 2))
    return attention_math_full(q, k, v, mask, causal, scale);
  // Slices of whole rows while a row's scores fit; else (few rows, many tokens: the VAE's single-head attention
  // over every latent pixel) slices of queries within a row, each query's softmax being its own. Causal masks
  // depend on absolute positions, so those are only sliced by rows.
  int64_t q_step = causal ? L : std::min(L, std::max<int64_t>(1, budget / (S * elt)));
  int64_t r_step = q_step < L ? 1 : std::max<int64_t>(1, budget / (L * S * elt));
  auto Q = q.reshape({rows, L, q.size(-1)}), K = k.reshape({rows, S, k.size(-1)}), V = v.reshape({rows, S, v.size(-1)});
  auto out = at::empty({rows, L, v.size(-1)}, q.options());
  for (int64_t r = 0; r < rows; r += r_step) {
    int64_t n = std::min(r_step, rows - r);
    auto Kr = K.narrow(0, r, n), Vr = V.narrow(0, r, n);
    for (int64_t l = 0; l < L; l += q_step) {
      int64_t m = std::min(q_step, L - l);
      out.narrow(0, r, n).narrow(1, l, m).copy_(attention_math_full(Q.narrow(0, r, n).narrow(1, l, m), Kr, Vr, mask,
                                                                    causal, scale));
    }
  }
  auto shape = q.sizes().vec();
  shape.back() = v.size(-1);
  return out.reshape(shape);
}

// CUDA device names come from the driver API, loaded lazily, so this file needs no CUDA headers and the CPU
// build stays free of CUDA.
using cu_init_fn = int (*)(unsigned);
using cu_device_get_fn = int (*)(int *, int);
using cu_device_get_name_fn = int (*)(char *, int, int);
using cu_device_total_mem_fn = int (*)(size_t *, int);

bool cuda_driver_name(int32_t index, std::string &name, uint64_t &memory) {
  static void *lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (lib == nullptr) return false;
  auto init = reinterpret_cast<cu_init_fn>(dlsym(lib, "cuInit"));
  auto get = reinterpret_cast<cu_device_get_fn>(dlsym(lib, "cuDeviceGet"));
  auto get_name = reinterpret_cast<cu_device_get_name_fn>(dlsym(lib, "cuDeviceGetName"));
  auto total = reinterpret_cast<cu_device_total_mem_fn>(dlsym(lib, "cuDeviceTotalMem_v2"));
  if (!init || !get || !get_name || init(0) != 0) return false;
  int dev = 0;
  if (get(&dev, index) != 0) return false;
  char buf[256] = {0};
  if (get_name(buf, sizeof(buf) - 1, dev) != 0) return false;
  name = buf;
  size_t bytes = 0;
  if (total && total(&bytes, dev) == 0) memory = bytes;
  return true;
}

// ---- library and runtime ----

const char *impl_last_error(void) { return last_error_text.c_str(); }

i2v_status impl_torch_version(char *buf, size_t len) {
  return guarded(__func__, [&] { copy_string(TORCH_VERSION, buf, len); });
}

i2v_status impl_set_num_threads(int32_t n) {
  return guarded(__func__, [&] {
    if (n < 1) throw ShimError("thread count must be at least 1, got " + std::to_string(n));
    at::set_num_threads(n);
  });
}

int32_t impl_get_num_threads(void) { return at::get_num_threads(); }

// The first device count of a CUDA libtorch initialises CUDA; when that fails libtorch only warns and reports
// 0 devices. The warning is caught here so that i2v can say why instead of quietly running on the CPU.
std::string cuda_init_warning;

#if TORCH_VERSION_MAJOR >= 2
struct CapturingWarningHandler : c10::WarningHandler {
  void process(const c10::Warning &w) override { cuda_init_warning += w.msg(); }
};
#else
struct CapturingWarningHandler : c10::WarningHandler {
  void process(const c10::SourceLocation &, const std::string &msg, const bool) override { cuda_init_warning += msg; }
};
#endif

int32_t impl_cuda_device_count(void) {
  static const int32_t count = [] {
    try {
      CapturingWarningHandler handler;
#if TORCH_VERSION_MAJOR >= 2
      c10::WarningUtils::WarningHandlerGuard guard(&handler);
#else
      c10::Warning::WarningHandlerGuard guard(&handler);
#endif
      return static_cast<int32_t>(at::detail::getCUDAHooks().getNumGPUs());
    } catch (const c10::Error &e) {
      cuda_init_warning = e.what_without_backtrace();
      return 0;
    } catch (...) {
      return 0;
    }
  }();
  return count;
}

// Whether this libtorch was built with CUDA (the CPU build's hooks throw on every CUDA query).
bool libtorch_has_cuda() {
  try {
    (void)at::detail::getCUDAHooks().versionCUDART();
    return true;
  } catch (...) {
    return false;
  }
}

i2v_status impl_cuda_device_name(int32_t index, char *buf, size_t len, uint64_t *total_memory) {
  return guarded(__func__, [&] {
    std::string name;
    uint64_t memory = 0;
    if (!cuda_driver_name(index, name, memory)) name = "CUDA device " + std::to_string(index);
    copy_string(name, buf, len);
    if (total_memory) *total_memory = memory;
  });
}

i2v_status impl_synchronize(i2v_device device) {
  return guarded(__func__, [&] {
    auto dev = device_of(device);
    count_sync();
    // A blocking copy to the host waits for the device's current stream, on any libtorch version.
    if (dev.is_cuda()) at::zeros({1}, at::TensorOptions().device(dev)).to(at::kCPU);
  });
}

i2v_status impl_sdpa_backend(char *buf, size_t len) {
  return guarded(__func__, [&] {
#ifdef I2V_HAS_SDPA
    copy_string("at::scaled_dot_product_attention", buf, len);
#else
    copy_string("math (softmax(q k^T) v; libtorch < 2.0 has no fused attention)", buf, len);
#endif
  });
}

// ---- tensor lifecycle and data movement ----

void impl_tensor_free(i2v_tensor t) { delete t; }

i2v_status impl_tensor_info(i2v_tensor h, int64_t *shape, int32_t *ndim, int32_t *dtype, i2v_device *device) {
  return guarded(__func__, [&] {
    const auto &t = T(h);
    if (t.dim() > I2V_MAX_DIMS) throw ShimError("tensor has more than 16 dimensions");
    if (ndim) *ndim = static_cast<int32_t>(t.dim());
    if (shape)
      for (int64_t i = 0; i < t.dim(); i++) shape[i] = t.size(i);
    if (dtype) *dtype = dtype_code(t.scalar_type());
    if (device) {
      device->type = t.device().is_cuda() ? I2V_DEVICE_CUDA : I2V_DEVICE_CPU;
      device->index = t.device().has_index() ? t.device().index() : -1;
    }
  });
}

i2v_status impl_tensor_from_data(const void *data, size_t nbytes, int32_t dtype, const int64_t *shape, int32_t ndim,
                                 i2v_tensor *out) {
  return guarded(__func__, [&] {
    count_sync();
    auto t = at::empty(dims(shape, ndim), at::TensorOptions().dtype(scalar_type(dtype)));
    size_t expected = static_cast<size_t>(t.numel()) * t.element_size();
    if (nbytes != expected)
      throw ShimError("data size " + std::to_string(nbytes) + " bytes does not match shape and dtype (" +
                      std::to_string(expected) + " bytes)");
    if (expected > 0) {
      if (data == nullptr) throw ShimError("null data pointer");
      std::memcpy(t.data_ptr(), data, expected);
    }
    put(out, std::move(t));
  });
}

i2v_status impl_tensor_to_data(i2v_tensor h, void *dst, size_t nbytes) {
  return guarded(__func__, [&] {
    count_sync();
    auto t = T(h).to(at::kCPU).contiguous();
    size_t have = static_cast<size_t>(t.numel()) * t.element_size();
    if (nbytes != have)
      throw ShimError("destination holds " + std::to_string(nbytes) + " bytes, tensor has " + std::to_string(have));
    if (have > 0) std::memcpy(dst, t.data_ptr(), have);
  });
}

i2v_status impl_tensor_full(const int64_t *shape, int32_t ndim, double value, int32_t dtype, i2v_device device,
                            i2v_tensor *out) {
  return guarded(__func__, [&] {
    put(out, at::full(dims(shape, ndim), value,
                      at::TensorOptions().dtype(scalar_type(dtype)).device(device_of(device))));
  });
}

i2v_status impl_tensor_arange(double start, double end, double step, int32_t dtype, i2v_device device,
                              i2v_tensor *out) {
  return guarded(__func__, [&] {
    put(out, at::arange(start, end, step, at::TensorOptions().dtype(scalar_type(dtype)).device(device_of(device))));
  });
}

i2v_status impl_tensor_to(i2v_tensor h, int32_t dtype, i2v_device device, i2v_tensor *out) {
  return guarded(__func__, [&] {
    const auto &t = T(h);
    auto dev = device_of(device);
    if (t.device().type() != dev.type()) count_sync();
    put(out, t.to(dev, scalar_type(dtype)));
  });
}

i2v_status impl_tensor_contiguous(i2v_tensor h, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, T(h).contiguous()); });
}

i2v_status impl_tensor_clone(i2v_tensor h, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, T(h).clone()); });
}

i2v_status impl_tensor_copy_(i2v_tensor dst, i2v_tensor src) {
  return guarded(__func__, [&] {
    auto d = T(dst);
    const auto &s = T(src);
    if (d.device().type() != s.device().type()) count_sync();
    d.copy_(s);
  });
}

// ---- random numbers ----

i2v_status impl_generator_new(uint64_t seed, i2v_generator *out) {
  return guarded(__func__, [&] {
    if (out == nullptr) throw ShimError("null output pointer");
    *out = new i2v_generator_s{at::make_generator<at::CPUGeneratorImpl>(seed)};
  });
}

void impl_generator_free(i2v_generator g) { delete g; }

i2v_status impl_randn(i2v_generator g, const int64_t *shape, int32_t ndim, int32_t dtype, i2v_tensor *out) {
  return guarded(__func__, [&] {
    if (g == nullptr) throw ShimError("null generator handle");
    auto shp = dims(shape, ndim);
    auto st = scalar_type(dtype);
    auto f32 = at::TensorOptions().dtype(at::kFloat);
    int64_t n = 1;
    for (auto d : shp) n *= d;
    // PyTorch >= 2.x draws float16/bfloat16 normals in float32 and rounds them, block by block of 16: for
    // n >= 16 it consumes ceil(n/16)*16 uniforms and writes the extra block over the last 16 elements
    // (float32 draws instead take n + 16 uniforms for that tail). libtorch 1.13 computed them in the target
    // dtype. Rebuilding the modern layout from one float32 draw gives the modern stream on every libtorch.
    if (st != at::kFloat && n >= 16 && n % 16 != 0) {
      int64_t full = (n / 16) * 16;
      auto flat = at::randn({full + 16}, g->g, f32);
      auto t = at::cat({flat.narrow(0, 0, n - 16), flat.narrow(0, full, 16)}).reshape(shp);
      put(out, t.to(st));
      return;
    }
    auto t = at::randn(shp, g->g, f32);
    put(out, st == at::kFloat ? t : t.to(st));
  });
}

// ---- views and layout ----

i2v_status impl_reshape(i2v_tensor h, const int64_t *shape, int32_t ndim, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, T(h).reshape(dims(shape, ndim))); });
}

i2v_status impl_permute(i2v_tensor h, const int64_t *p, int32_t ndim, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, T(h).permute(dims(p, ndim))); });
}

i2v_status impl_transpose(i2v_tensor h, int64_t d0, int64_t d1, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, T(h).transpose(d0, d1)); });
}

i2v_status impl_expand(i2v_tensor h, const int64_t *shape, int32_t ndim, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, T(h).expand(dims(shape, ndim))); });
}

i2v_status impl_narrow(i2v_tensor h, int64_t dim, int64_t start, int64_t length, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, T(h).narrow(dim, start, length)); });
}

i2v_status impl_cat(const i2v_tensor *ts, int32_t n, int64_t dim, i2v_tensor *out) {
  return guarded(__func__, [&] {
    if (n <= 0 || ts == nullptr) throw ShimError("cat needs at least one tensor");
    std::vector<at::Tensor> parts;
    parts.reserve(n);
    for (int32_t i = 0; i < n; i++) parts.push_back(T(ts[i]));
    put(out, at::cat(parts, dim));
  });
}

i2v_status impl_repeat(i2v_tensor h, const int64_t *repeats, int32_t n, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, T(h).repeat(dims(repeats, n))); });
}

i2v_status impl_repeat_interleave(i2v_tensor h, int64_t repeats, int64_t dim, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::repeat_interleave(T(h), repeats, dim)); });
}

i2v_status impl_index_select(i2v_tensor h, int64_t dim, i2v_tensor index, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::index_select(T(h), dim, T(index))); });
}

i2v_status impl_constant_pad(i2v_tensor h, const int64_t *pad, int32_t npad, double value, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::constant_pad_nd(T(h), dims(pad, npad), value)); });
}

// ---- elementwise math ----

i2v_status impl_unary(int32_t op, i2v_tensor h, i2v_tensor *out) {
  return guarded(__func__, [&] {
    const auto &x = T(h);
    at::Tensor r;
    switch (op) {
    case I2V_UNARY_NEG: r = at::neg(x); break;
    case I2V_UNARY_EXP: r = at::exp(x); break;
    case I2V_UNARY_LOG: r = at::log(x); break;
    case I2V_UNARY_SIN: r = at::sin(x); break;
    case I2V_UNARY_COS: r = at::cos(x); break;
    case I2V_UNARY_SQRT: r = at::sqrt(x); break;
    case I2V_UNARY_RSQRT: r = at::rsqrt(x); break;
    case I2V_UNARY_SILU: r = at::silu(x); break;
    case I2V_UNARY_GELU: r = at::gelu(x, "none"); break;
    case I2V_UNARY_GELU_TANH: r = at::gelu(x, "tanh"); break;
    case I2V_UNARY_SIGMOID: r = at::sigmoid(x); break;
    case I2V_UNARY_TANH: r = at::tanh(x); break;
    case I2V_UNARY_ABS: r = at::abs(x); break;
    case I2V_UNARY_ROUND: r = at::round(x); break;
    case I2V_UNARY_FLOOR: r = at::floor(x); break;
    case I2V_UNARY_CEIL: r = at::ceil(x); break;
    case I2V_UNARY_ERF: r = at::erf(x); break;
    case I2V_UNARY_RECIPROCAL: r = at::reciprocal(x); break;
    case I2V_UNARY_QUICK_GELU: r = x * at::sigmoid(x * 1.702); break; // transformers' QuickGELUActivation
    default: throw ShimError("unknown unary op " + std::to_string(op));
    }
    put(out, std::move(r));
  });
}

i2v_status impl_binary(int32_t op, i2v_tensor ha, i2v_tensor hb, i2v_tensor *out) {
  return guarded(__func__, [&] {
    const auto &a = T(ha);
    const auto &b = T(hb);
    at::Tensor r;
    switch (op) {
    case I2V_BINARY_ADD: r = at::add(a, b); break;
    case I2V_BINARY_SUB: r = at::sub(a, b); break;
    case I2V_BINARY_MUL: r = at::mul(a, b); break;
    case I2V_BINARY_DIV: r = at::div(a, b); break;
    case I2V_BINARY_POW: r = at::pow(a, b); break;
    case I2V_BINARY_MAXIMUM: r = at::maximum(a, b); break;
    case I2V_BINARY_MINIMUM: r = at::minimum(a, b); break;
    case I2V_BINARY_EQ: r = at::eq(a, b); break;
    case I2V_BINARY_LT: r = at::lt(a, b); break;
    case I2V_BINARY_GT: r = at::gt(a, b); break;
    default: throw ShimError("unknown tensor-tensor binary op " + std::to_string(op));
    }
    put(out, std::move(r));
  });
}

i2v_status impl_binary_scalar(int32_t op, i2v_tensor ha, double s, i2v_tensor *out) {
  return guarded(__func__, [&] {
    const auto &a = T(ha);
    at::Tensor r;
    switch (op) {
    case I2V_BINARY_ADD: r = at::add(a, s); break;
    case I2V_BINARY_SUB: r = at::sub(a, s); break;
    case I2V_BINARY_MUL: r = at::mul(a, s); break;
    case I2V_BINARY_DIV: r = at::div(a, s); break;
    case I2V_BINARY_POW: r = at::pow(a, s); break;
    case I2V_BINARY_MAXIMUM: r = at::clamp_min(a, s); break;
    case I2V_BINARY_MINIMUM: r = at::clamp_max(a, s); break;
    case I2V_BINARY_RSUB: r = at::rsub(a, s); break;
    case I2V_BINARY_RDIV: r = at::reciprocal(a) * s; break; // what Python's `s / tensor` runs
    case I2V_BINARY_EQ: r = at::eq(a, s); break;
    case I2V_BINARY_LT: r = at::lt(a, s); break;
    case I2V_BINARY_GT: r = at::gt(a, s); break;
    default: throw ShimError("unknown tensor-scalar binary op " + std::to_string(op));
    }
    put(out, std::move(r));
  });
}

i2v_status impl_clamp(i2v_tensor h, double lo, double hi, int32_t has_lo, int32_t has_hi, i2v_tensor *out) {
  return guarded(__func__, [&] {
    c10::optional<at::Scalar> l, u;
    if (has_lo) l = lo;
    if (has_hi) u = hi;
    put(out, at::clamp(T(h), l, u));
  });
}

i2v_status impl_where(i2v_tensor c, i2v_tensor a, i2v_tensor b, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::where(T(c), T(a), T(b))); });
}

// ---- reductions and scans ----

i2v_status impl_reduce(int32_t op, i2v_tensor h, const int64_t *d, int32_t nd, int32_t keepdim, i2v_tensor *out) {
  return guarded(__func__, [&] {
    const auto &x = T(h);
    auto ds = dims(d, nd);
    if (ds.empty())
      for (int64_t i = 0; i < x.dim(); i++) ds.push_back(i);
    at::Tensor r;
    switch (op) {
    case I2V_REDUCE_SUM: r = at::sum(x, ds, keepdim != 0); break;
    case I2V_REDUCE_MEAN: r = at::mean(x, ds, keepdim != 0); break;
    case I2V_REDUCE_AMAX: r = at::amax(x, ds, keepdim != 0); break;
    case I2V_REDUCE_AMIN: r = at::amin(x, ds, keepdim != 0); break;
    default: throw ShimError("unknown reduction " + std::to_string(op));
    }
    put(out, std::move(r));
  });
}

i2v_status impl_cumprod(i2v_tensor h, int64_t dim, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::cumprod(T(h), dim)); });
}

i2v_status impl_softmax(i2v_tensor h, int64_t dim, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::softmax(T(h), dim)); });
}

i2v_status impl_argmax(i2v_tensor h, int64_t dim, int32_t keepdim, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::argmax(T(h), dim, keepdim != 0)); });
}

// ---- neural-network primitives ----

i2v_status impl_matmul(i2v_tensor a, i2v_tensor b, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::matmul(T(a), T(b))); });
}

i2v_status impl_linear(i2v_tensor x, i2v_tensor w, i2v_tensor b, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::linear(T(x), T(w), opt(b))); });
}

// --channels-last (see set_channels_last in i2v_torch.h).
bool channels_last = false;
at::MemoryFormat memory_format_for(int64_t dim) {
  return dim == 5 ? at::MemoryFormat::ChannelsLast3d : at::MemoryFormat::ChannelsLast;
}

i2v_status impl_convolution(i2v_tensor x, i2v_tensor w, i2v_tensor b, const int64_t *stride, const int64_t *padding,
                            const int64_t *dilation, int32_t nspatial, int64_t groups, i2v_tensor *out) {
  return guarded(__func__, [&] {
    if (nspatial < 1 || nspatial > 3) throw ShimError("convolution supports 1 to 3 spatial dimensions");
    auto s = dims(stride, nspatial), p = dims(padding, nspatial), d = dims(dilation, nspatial);
    at::Tensor X = T(x), W = T(w);
    c10::optional<at::Tensor> B = opt(b);
    if (channels_last && X.dim() >= 4) X = X.contiguous(memory_format_for(X.dim()));
#if TORCH_VERSION_MAJOR < 2
    // libtorch 1.x accumulates CPU bfloat16 convolutions in bfloat16 (errors ~1 on 512-channel layers); 2.x
    // accumulates in float32. Compute in float32 and round once, as 2.x does.
    bool upcast = X.is_cpu() && X.scalar_type() == at::kBFloat16;
    if (upcast) {
      X = X.to(at::kFloat);
      W = W.to(at::kFloat);
      if (B) B = B->to(at::kFloat);
    }
#else
    bool upcast = false;
#endif
    at::Tensor r;
    // The per-rank entry points are what torch.nn.functional calls, so backend selection matches PyTorch.
    if (nspatial == 1) r = at::conv1d(X, W, B, s, p, d, groups);
    if (nspatial == 2) r = at::conv2d(X, W, B, s, p, d, groups);
    if (nspatial == 3) r = at::conv3d(X, W, B, s, p, d, groups);
    put(out, upcast ? r.to(at::kBFloat16) : std::move(r));
  });
}

i2v_status impl_group_norm(i2v_tensor x, int64_t groups, i2v_tensor w, i2v_tensor b, double eps, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::group_norm(T(x), groups, opt(w), opt(b), eps, /*cudnn_enabled=*/true)); });
}

i2v_status impl_layer_norm(i2v_tensor x, const int64_t *shape, int32_t n, i2v_tensor w, i2v_tensor b, double eps,
                           i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::layer_norm(T(x), dims(shape, n), opt(w), opt(b), eps, /*cudnn_enable=*/true)); });
}

i2v_status impl_embedding(i2v_tensor weight, i2v_tensor ids, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::embedding(T(weight), T(ids))); });
}

i2v_status impl_sdpa(i2v_tensor q, i2v_tensor k, i2v_tensor v, i2v_tensor mask, int32_t is_causal, double scale,
                     i2v_tensor *out) {
  return guarded(__func__, [&] {
    const auto &Q = T(q);
    double s = scale > 0 ? scale : 1.0 / std::sqrt(static_cast<double>(Q.size(-1)));
#if defined(I2V_SDPA_HAS_SCALE)
    put(out, at::scaled_dot_product_attention(Q, T(k), T(v), opt(mask), 0.0, is_causal != 0, s));
#elif defined(I2V_HAS_SDPA)
    if (scale > 0 && std::abs(s * std::sqrt(static_cast<double>(Q.size(-1))) - 1.0) > 1e-12)
      put(out, attention_math(Q, T(k), T(v), opt(mask), is_causal != 0, s));
    else
      put(out, at::scaled_dot_product_attention(Q, T(k), T(v), opt(mask), 0.0, is_causal != 0));
#else
    put(out, attention_math(Q, T(k), T(v), opt(mask), is_causal != 0, s));
#endif
  });
}

i2v_status impl_upsample_nearest2d(i2v_tensor x, int64_t oh, int64_t ow, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::upsample_nearest2d(T(x), {oh, ow})); });
}

i2v_status impl_adaptive_avg_pool2d(i2v_tensor x, int64_t oh, int64_t ow, i2v_tensor *out) {
  return guarded(__func__, [&] { put(out, at::adaptive_avg_pool2d(T(x), {oh, ow})); });
}

// ---- API 2: memory, synchronisation accounting, attention kernels ----

// cudaMemGetInfo from the CUDA runtime libtorch_cuda already loaded (no CUDA headers needed here).
using cuda_get_device_fn = int (*)(int *);
using cuda_set_device_fn = int (*)(int);
using cuda_mem_get_info_fn = int (*)(size_t *, size_t *);

void *cuda_runtime() {
  static void *lib = [] {
    for (const char *name : {"libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", "libcudart.so"}) {
      if (void *h = dlopen(name, RTLD_LAZY | RTLD_NOLOAD)) return h;
    }
    for (const char *name : {"libcudart.so.13", "libcudart.so.12", "libcudart.so"}) {
      if (void *h = dlopen(name, RTLD_LAZY | RTLD_LOCAL)) return h;
    }
    return static_cast<void *>(nullptr);
  }();
  return lib;
}

i2v_status impl_cuda_memory_info(int32_t index, uint64_t *free_bytes, uint64_t *total_bytes) {
  return guarded(__func__, [&] {
    if (impl_cuda_device_count() <= index || index < 0)
      throw ShimError("no CUDA device " + std::to_string(index));
    void *lib = cuda_runtime();
    if (lib == nullptr) throw ShimError("the CUDA runtime library (libcudart) is not loaded");
    auto get = reinterpret_cast<cuda_get_device_fn>(dlsym(lib, "cudaGetDevice"));
    auto set = reinterpret_cast<cuda_set_device_fn>(dlsym(lib, "cudaSetDevice"));
    auto info = reinterpret_cast<cuda_mem_get_info_fn>(dlsym(lib, "cudaMemGetInfo"));
    if (!get || !set || !info) throw ShimError("libcudart lacks cudaMemGetInfo");
    int previous = 0;
    get(&previous);
    if (previous != index) set(index);
    size_t f = 0, t = 0;
    int rc = info(&f, &t);
    if (previous != index) set(previous);
    if (rc != 0) throw ShimError("cudaMemGetInfo failed with CUDA error " + std::to_string(rc));
    if (free_bytes) *free_bytes = f;
    if (total_bytes) *total_bytes = t;
  });
}

i2v_status impl_cuda_memory_stats(int32_t index, i2v_memory_stats *out) {
  return guarded(__func__, [&] {
    if (out == nullptr) throw ShimError("null output pointer");
    *out = i2v_memory_stats{0, 0, 0, 0, 0};
#ifdef I2V_HAS_DEVICE_ALLOCATOR
    if (impl_cuda_device_count() <= index || index < 0) return;
    auto *allocator = c10::getDeviceAllocator(c10::DeviceType::CUDA);
    if (!allocator->initialized()) { out->available = 1; return; }
    auto stats = allocator->getDeviceStats(static_cast<c10::DeviceIndex>(index));
    const auto &a = stats.allocated_bytes[0], &r = stats.reserved_bytes[0]; // [0] = all pools
    *out = i2v_memory_stats{static_cast<uint64_t>(a.current), static_cast<uint64_t>(a.peak),
                            static_cast<uint64_t>(r.current), static_cast<uint64_t>(r.peak), 1};
#endif
  });
}

i2v_status impl_cuda_reset_peak_memory(int32_t index) {
  return guarded(__func__, [&] {
#ifdef I2V_HAS_DEVICE_ALLOCATOR
    if (impl_cuda_device_count() <= index || index < 0) return;
    auto *allocator = c10::getDeviceAllocator(c10::DeviceType::CUDA);
    if (allocator->initialized()) allocator->resetPeakStats(static_cast<c10::DeviceIndex>(index));
#endif
  });
}

i2v_status impl_cuda_empty_cache(void) {
  return guarded(__func__, [&] {
#ifdef I2V_HAS_DEVICE_ALLOCATOR
    if (impl_cuda_device_count() <= 0) return;
    auto *allocator = c10::getDeviceAllocator(c10::DeviceType::CUDA);
    if (allocator->initialized()) allocator->emptyCache();
#endif
  });
}

uint64_t impl_host_sync_count(void) { return host_syncs; }

uint64_t impl_call_count(void) { return calls_made; }

i2v_status impl_set_sdpa_backends(int32_t mask) {
  return guarded(__func__, [&] {
    if (mask < 0 || mask > 15) throw ShimError("attention backend mask must be 0..15, got " + std::to_string(mask));
#ifdef I2V_HAS_SDPA
    bool all = mask == 0;
    auto &ctx = at::globalContext();
    ctx.setSDPUseFlash(all || (mask & I2V_SDPA_FLASH));
    ctx.setSDPUseMemEfficient(all || (mask & I2V_SDPA_EFFICIENT));
    ctx.setSDPUseMath(all || (mask & I2V_SDPA_MATH));
#if TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 3
    ctx.setSDPUseCuDNN(all || (mask & I2V_SDPA_CUDNN));
#endif
#else
    if (mask != 0 && mask != I2V_SDPA_MATH)
      throw ShimError("libtorch " TORCH_VERSION " has no fused attention kernels: only math attention is available");
#endif
  });
}

i2v_status impl_cuda_status(int32_t *state, char *buf, size_t len) {
  return guarded(__func__, [&] {
    int32_t n = impl_cuda_device_count();
    int32_t st = n > 0 ? 1 : (libtorch_has_cuda() ? 2 : 0);
    if (state) *state = st;
    std::string why;
    if (st == 2)
      why = cuda_init_warning.empty() ? std::string("CUDA reports no devices (is a GPU visible to this process?)")
                                      : cuda_init_warning;
    copy_string(why, buf, len);
  });
}

#if defined(I2V_WITH_CUDA)
// The capture runs on a side stream (CUDA cannot capture the legacy default stream), ordered after the work
// already queued on the current stream, and the current stream waits for it at the end.
struct Capture {
  Capture(c10::cuda::CUDAStream o, c10::cuda::CUDAStream s)
      : graph(std::make_unique<i2v_graph_s>()), origin(o), stream(s) {}
  std::unique_ptr<i2v_graph_s> graph;
  c10::cuda::CUDAStream origin;
  c10::cuda::CUDAStream stream;
  std::optional<c10::cuda::CUDAStreamGuard> guard;
};
thread_local std::unique_ptr<Capture> capture;

// `later` waits (on the device) for the work queued on `first` so far.
void order_streams(const c10::cuda::CUDAStream &first, const c10::cuda::CUDAStream &later) {
  cudaEvent_t event;
  C10_CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
  C10_CUDA_CHECK(cudaEventRecord(event, first.stream()));
  C10_CUDA_CHECK(cudaStreamWaitEvent(later.stream(), event, 0));
  C10_CUDA_CHECK(cudaEventDestroy(event));
}

int32_t impl_graphs_supported(void) { return impl_cuda_device_count() > 0 ? 1 : 0; }

i2v_status impl_graph_capture_begin(i2v_device device) {
  return guarded(__func__, [&] {
    if (device.type != I2V_DEVICE_CUDA) throw ShimError("CUDA graphs capture CUDA work only");
    if (capture) throw ShimError("a CUDA graph capture is already under way on this thread");
    auto index = static_cast<c10::DeviceIndex>(device.index < 0 ? 0 : device.index);
    auto origin = c10::cuda::getCurrentCUDAStream(index);
    auto stream = c10::cuda::getStreamFromPool(false, index);
    order_streams(origin, stream);
    auto c = std::make_unique<Capture>(origin, stream);
    c->guard.emplace(stream);
    c->graph->graph.capture_begin();
    capture = std::move(c);
  });
}

i2v_status impl_graph_capture_end(i2v_graph *out) {
  return guarded(__func__, [&] {
    if (!capture) throw ShimError("no CUDA graph capture is under way on this thread");
    auto c = std::move(capture);
    try {
      c->graph->graph.capture_end();
    } catch (...) {
      c->guard.reset();
      throw;
    }
    c->guard.reset();
    order_streams(c->stream, c->origin);
    if (out == nullptr) throw ShimError("null output pointer");
    *out = c->graph.release();
  });
}

i2v_status impl_graph_replay(i2v_graph g) {
  return guarded(__func__, [&] {
    if (g == nullptr) throw ShimError("null graph handle");
    g->graph.replay();
  });
}

void impl_graph_free(i2v_graph g) { delete g; }
#else
int32_t impl_graphs_supported(void) { return 0; }

i2v_status impl_graph_capture_begin(i2v_device) {
  return guarded(__func__, [&] { throw ShimError("this shim was built without CUDA graph support"); });
}

i2v_status impl_graph_capture_end(i2v_graph *) {
  return guarded(__func__, [&] { throw ShimError("this shim was built without CUDA graph support"); });
}

i2v_status impl_graph_replay(i2v_graph) {
  return guarded(__func__, [&] { throw ShimError("this shim was built without CUDA graph support"); });
}

void impl_graph_free(i2v_graph g) { delete g; }
#endif

i2v_status impl_set_channels_last(int32_t on) {
  return guarded(__func__, [&] { channels_last = on != 0; });
}

i2v_status impl_to_channels_last(i2v_tensor h, i2v_tensor *out) {
  return guarded(__func__, [&] {
    const auto &t = T(h);
    put(out, t.dim() == 4 || t.dim() == 5 ? t.contiguous(memory_format_for(t.dim())) : t);
  });
}

i2v_status impl_empty(const int64_t *shape, int32_t ndim, int32_t dtype, i2v_device device, i2v_tensor *out) {
  return guarded(__func__, [&] {
    put(out, at::empty(dims(shape, ndim), at::TensorOptions().dtype(scalar_type(dtype)).device(device_of(device))));
  });
}

// diffusers' GEGLU is `value * gelu(gate)`; the GELU result is the only new tensor and takes the product in
// place. Elementwise multiplication commutes exactly, so the values are those of the two-step form.
i2v_status impl_geglu(i2v_tensor h, i2v_tensor *out) {
  return guarded(__func__, [&] {
    const auto &x = T(h);
    if (x.dim() == 0 || x.size(-1) % 2 != 0) throw ShimError("geglu needs an even last dimension");
    auto parts = x.chunk(2, -1);
    at::Tensor r = at::gelu(parts[1], "none");
    r.mul_(parts[0]);
    put(out, std::move(r));
  });
}

#define I2V_TABLE_ENTRY(ret, name, params) impl_##name,
const i2v_torch_api api_table = {
    I2V_TORCH_API_VERSION,
    static_cast<int32_t>(sizeof(i2v_torch_api)),
    I2V_TORCH_FUNCTIONS(I2V_TABLE_ENTRY)};
#undef I2V_TABLE_ENTRY

} // namespace

extern "C" __attribute__((visibility("default"))) const i2v_torch_api *i2v_torch_get_api(int32_t min_version) {
  if (min_version > I2V_TORCH_API_VERSION) return nullptr;
  return &api_table;
}
