import I2VTensor

/// The most memory one transformer block may hold in activations at once. Blocks whose input would need more
/// run in slices of whole sequences (rows of the batch axis): attention and the feed-forward treat every
/// sequence independently, so the result is the same up to the GEMM kernels' rounding, and the peak stays
/// bounded whatever the video size. At 1280x704x16 with CFG, `transformer_in` alone would need about 10 GB in
/// float16 unsliced (its GEGLU projection is 4096 wide for 450k tokens).
public enum ActivationBudget {
  /// Bytes per block; 0 or less = never slice. Set once, before generating (`--block-memory-mb`).
  public static var blockBytes: Int = 1 << 30

  /// Rows per slice for a block of `rows` sequences of `bytesPerRow` activation bytes each.
  public static func rowsPerSlice(rows: Int, bytesPerRow: Int, budget: Int = blockBytes) -> Int {
    guard budget > 0, bytesPerRow > 0, rows > 1 else { return rows }
    return min(rows, max(1, budget / bytesPerRow))
  }

  /// Activation elements per token of a `BasicTransformerBlock` of width `dim` (GEGLU inner 4·dim): input and
  /// residual (2·dim), q, k, v and the attention output (4·dim), the GEGLU projection (8·dim) and the gated
  /// product (4·dim; `Tensor.geglu` computes it without a separate GELU tensor).
  public static func blockElementsPerToken(dim: Int) -> Int { 18 * dim }

  /// Runs `body` on slices of `x` (and of `context`, when it has the same rows) along dimension 0 and writes the
  /// results into one output, or runs it once when everything fits.
  static func sliced(_ x: Tensor, context: Tensor?, bytesPerRow: Int, _ body: (Tensor, Tensor?) throws -> Tensor)
    throws -> Tensor
  {
    let rows = x.size(0)
    let step = rowsPerSlice(rows: rows, bytesPerRow: bytesPerRow)
    guard step < rows else { return try body(x, context) }
    let sliceContext = context.map { $0.size(0) == rows } ?? false
    var out: Tensor? = nil
    var start = 0
    while start < rows {
      let n = min(step, rows - start)
      let part = try body(x.narrow(0, start: start, length: n),
                          sliceContext ? context!.narrow(0, start: start, length: n) : context)
      if out == nil {
        var shape = part.shape
        shape[0] = rows
        out = try Tensor.empty(shape, dtype: part.dtype, device: part.device)
      }
      try out!.narrow(0, start: start, length: n).copy(from: part)
      start += n
    }
    return out!
  }
}
