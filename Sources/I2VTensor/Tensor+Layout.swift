import CTorch

// Views, reshapes and joins. Negative dimensions count from the end, as in PyTorch.
extension Tensor {
  func normalizedDim(_ d: Int, rank r: Int? = nil) throws -> Int {
    let n = r ?? rank
    let v = d < 0 ? d + n : d
    guard v >= 0 && v < max(n, 1) else { throw TorchError("dimension \(d) out of range for a \(n)-d tensor") }
    return v
  }

  /// `reshape`; one entry may be -1.
  public func reshape(_ shape: [Int]) throws -> Tensor {
    let dims = shape.map { Int64($0) }
    return try Tensor.make { api, out in
      dims.withUnsafeBufferPointer { api.pointee.reshape(handle, $0.baseAddress, Int32(dims.count), out) }
    }
  }

  public func reshape(_ shape: Int...) throws -> Tensor { try reshape(shape) }

  public func permute(_ order: [Int]) throws -> Tensor {
    let dims = order.map { Int64($0) }
    return try Tensor.make { api, out in
      dims.withUnsafeBufferPointer { api.pointee.permute(handle, $0.baseAddress, Int32(dims.count), out) }
    }
  }

  public func permute(_ order: Int...) throws -> Tensor { try permute(order) }

  public func transpose(_ d0: Int, _ d1: Int) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.transpose(handle, Int64(d0), Int64(d1), out) }
  }

  public func expand(_ shape: [Int]) throws -> Tensor {
    let dims = shape.map { Int64($0) }
    return try Tensor.make { api, out in
      dims.withUnsafeBufferPointer { api.pointee.expand(handle, $0.baseAddress, Int32(dims.count), out) }
    }
  }

  /// `narrow(dim, start, length)`: a view of `length` entries along `dim`.
  public func narrow(_ dim: Int, start: Int, length: Int) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.narrow(handle, Int64(dim), Int64(start), Int64(length), out) }
  }

  public func unsqueeze(_ dim: Int) throws -> Tensor {
    let d = try normalizedDim(dim, rank: rank + 1)
    var s = shape
    s.insert(1, at: d)
    return try reshape(s)
  }

  public func squeeze(_ dim: Int) throws -> Tensor {
    let d = try normalizedDim(dim)
    guard shape[d] == 1 else { return self }
    var s = shape
    s.remove(at: d)
    return try reshape(s)
  }

  /// `flatten(start, end)`.
  public func flatten(_ start: Int = 0, _ end: Int = -1) throws -> Tensor {
    let s = try normalizedDim(start), e = try normalizedDim(end)
    guard s <= e else { throw TorchError("flatten: start \(start) after end \(end)") }
    let merged = shape[s...e].reduce(1, *)
    return try reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
  }

  /// `torch.chunk`: `n` pieces of size ceil(size/n) (the last may be smaller; fewer pieces if they run out).
  public func chunk(_ n: Int, dim: Int = 0) throws -> [Tensor] {
    let d = try normalizedDim(dim)
    guard n > 0 else { throw TorchError("chunk count must be positive") }
    let size = shape[d]
    let step = (size + n - 1) / n
    return try split(max(step, 1), dim: d)
  }

  /// `torch.split` with a fixed piece size.
  public func split(_ pieceSize: Int, dim: Int = 0) throws -> [Tensor] {
    let d = try normalizedDim(dim)
    guard pieceSize > 0 else { throw TorchError("split size must be positive") }
    var parts: [Tensor] = []
    var start = 0
    while start < shape[d] {
      let len = min(pieceSize, shape[d] - start)
      parts.append(try narrow(d, start: start, length: len))
      start += len
    }
    return parts
  }

  /// `torch.cat`.
  public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
    guard !tensors.isEmpty else { throw TorchError("cat of no tensors") }
    let handles: [OpaquePointer?] = tensors.map { $0.handle }
    return try withExtendedLifetime(tensors) {
      try make { api, out in
        handles.withUnsafeBufferPointer { api.pointee.cat($0.baseAddress, Int32(handles.count), Int64(dim), out) }
      }
    }
  }

  /// `Tensor.repeat` (tiles the whole tensor).
  public func repeated(_ repeats: [Int]) throws -> Tensor {
    let dims = repeats.map { Int64($0) }
    return try Tensor.make { api, out in
      dims.withUnsafeBufferPointer { api.pointee.repeat(handle, $0.baseAddress, Int32(dims.count), out) }
    }
  }

  /// `torch.repeat_interleave(x, repeats, dim)`.
  public func repeatInterleave(_ repeats: Int, dim: Int) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.repeat_interleave(handle, Int64(repeats), Int64(dim), out) }
  }

  public func indexSelect(_ dim: Int, _ index: Tensor) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.index_select(handle, Int64(dim), index.handle, out) }
  }

  /// `F.pad(x, pad, value=...)`: `pad` lists (before, after) pairs starting from the last dimension.
  public func pad(_ pad: [Int], value: Double = 0) throws -> Tensor {
    let dims = pad.map { Int64($0) }
    return try Tensor.make { api, out in
      dims.withUnsafeBufferPointer { api.pointee.constant_pad(handle, $0.baseAddress, Int32(dims.count), value, out) }
    }
  }
}
