import CTorch

// Neural-network primitives, each one libtorch call with PyTorch's semantics.
extension Tensor {
  public func matmul(_ other: Tensor) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.matmul(handle, other.handle, out) }
  }

  /// `F.linear`: x·Wᵀ + b with W of shape [out, in].
  public func linear(_ weight: Tensor, _ bias: Tensor? = nil) throws -> Tensor {
    try withExtendedLifetime(bias) {
      try Tensor.make { api, out in api.pointee.linear(handle, weight.handle, bias?.handle, out) }
    }
  }

  /// diffusers' `GEGLU` after its projection: `value * gelu(gate)` for `value, gate = chunk(2, dim: -1)`, with
  /// one temporary instead of two (same values).
  public func geglu() throws -> Tensor {
    try Tensor.make { api, out in api.pointee.geglu(handle, out) }
  }

  func convolution(_ weight: Tensor, _ bias: Tensor?, stride: [Int], padding: [Int], dilation: [Int], groups: Int)
    throws -> Tensor
  {
    let n = stride.count
    guard padding.count == n, dilation.count == n else { throw TorchError("convolution parameter ranks differ") }
    let s = stride.map { Int64($0) }, p = padding.map { Int64($0) }, d = dilation.map { Int64($0) }
    return try withExtendedLifetime(bias) {
      try Tensor.make { api, out in
        s.withUnsafeBufferPointer { sp in
          p.withUnsafeBufferPointer { pp in
            d.withUnsafeBufferPointer { dp in
              api.pointee.convolution(handle, weight.handle, bias?.handle, sp.baseAddress, pp.baseAddress,
                                      dp.baseAddress, Int32(n), Int64(groups), out)
            }
          }
        }
      }
    }
  }

  /// The same values in channels-last layout (4-D and 5-D tensors; others unchanged).
  public func channelsLast() throws -> Tensor {
    try Tensor.make { api, out in api.pointee.to_channels_last(handle, out) }
  }

  /// `F.conv2d`.
  public func conv2d(_ weight: Tensor, _ bias: Tensor? = nil, stride: [Int] = [1, 1], padding: [Int] = [0, 0],
                     dilation: [Int] = [1, 1], groups: Int = 1) throws -> Tensor
  {
    try convolution(weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
  }

  /// `F.conv3d`.
  public func conv3d(_ weight: Tensor, _ bias: Tensor? = nil, stride: [Int] = [1, 1, 1], padding: [Int] = [0, 0, 0],
                     dilation: [Int] = [1, 1, 1], groups: Int = 1) throws -> Tensor
  {
    try convolution(weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
  }

  /// `F.group_norm` over (N, C, *): statistics per sample and group across all trailing dimensions.
  public func groupNorm(groups: Int, weight: Tensor?, bias: Tensor?, eps: Double) throws -> Tensor {
    try withExtendedLifetime((weight, bias)) {
      try Tensor.make { api, out in
        api.pointee.group_norm(handle, Int64(groups), weight?.handle, bias?.handle, eps, out)
      }
    }
  }

  /// `F.layer_norm` over the trailing `normalizedShape`.
  public func layerNorm(_ normalizedShape: [Int], weight: Tensor?, bias: Tensor?, eps: Double) throws -> Tensor {
    let dims = normalizedShape.map { Int64($0) }
    return try withExtendedLifetime((weight, bias)) {
      try Tensor.make { api, out in
        dims.withUnsafeBufferPointer {
          api.pointee.layer_norm(handle, $0.baseAddress, Int32(dims.count), weight?.handle, bias?.handle, eps, out)
        }
      }
    }
  }

  /// `F.embedding(ids, weight)` — call on the weight.
  public func embedding(_ ids: Tensor) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.embedding(handle, ids.handle, out) }
  }

  /// `F.scaled_dot_product_attention(q, k, v)` on (…, L, d) tensors. `scale` nil means 1/√d.
  public static func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor? = nil, causal: Bool = false,
                               scale: Double? = nil) throws -> Tensor
  {
    try withExtendedLifetime(mask) {
      try make { api, out in
        api.pointee.sdpa(q.handle, k.handle, v.handle, mask?.handle, causal ? 1 : 0, scale ?? 0, out)
      }
    }
  }

  /// `F.interpolate(mode="nearest")` to an explicit (height, width).
  public func upsampleNearest2d(height: Int, width: Int) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.upsample_nearest2d(handle, Int64(height), Int64(width), out) }
  }

  /// `F.adaptive_avg_pool2d`.
  public func adaptiveAvgPool2d(height: Int, width: Int) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.adaptive_avg_pool2d(handle, Int64(height), Int64(width), out) }
  }
}
