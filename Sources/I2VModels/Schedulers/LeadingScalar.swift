import I2VTensor

extension Tensor {
  /// `c * self` as diffusers writes it, c a 0-dim float32 CPU tensor. For a float16/bfloat16 tensor, PyTorch's CPU
  /// `mul` keeps a scalar that comes second in float32 (`self * c`, i.e. `self * Double(c)` here) but casts one that
  /// comes first to the tensor's type before multiplying (`mul_kernel` in BinaryOpsKernel.cpp checks operand 2
  /// only); CUDA's symmetric kernel keeps either in float32. Identical to `self * Double(c)` for float32 tensors.
  func scaled(byLeading c: Float) throws -> Tensor {
    try self * Double(device.kind == .cpu ? dtype.rounded(c) : c)
  }
}
