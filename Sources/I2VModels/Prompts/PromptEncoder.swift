import I2VTensor

/// Prompt embeddings of a `PromptLayout`: every chunk through the text encoder on its own (diffusers'
/// `encode_prompt` for one chunk), its weights applied, the chunks concatenated along the sequence.
public enum PromptEncoder {
  /// (1, 77 · chunks, hidden) in the text encoder's dtype. A chunk without weights is exactly the encoder's
  /// output, so a one-chunk unweighted prompt gives diffusers' embeddings bit for bit.
  public static func embeddings(_ layout: PromptLayout, textEncoder: CLIPTextModel) throws -> Tensor {
    var encoded: [[Int]: Tensor] = [:]  // padding chunks repeat: encode each distinct one once
    var parts: [Tensor] = []
    for chunk in layout.chunks {
      let z: Tensor
      if !chunk.isWeighted, let known = encoded[chunk.ids] {
        z = known
      } else {
        let ids = try Tensor(chunk.ids.map { Int64($0) }, shape: [1, chunk.ids.count])
          .to(.int64, device: textEncoder.device)
        let plain = try textEncoder.encode(ids: ids, clipSkip: 1)
        if !chunk.isWeighted { encoded[chunk.ids] = plain }
        z = chunk.isWeighted ? try emphasized(plain, weights: chunk.weights) : plain
      }
      parts.append(z)
    }
    return parts.count == 1 ? parts[0] : try Tensor.cat(parts, dim: 1)
  }

  /// A1111's emphasis (`modules/sd_emphasis.py`, `EmphasisOriginal`): each position's embedding times its
  /// weight, then the whole chunk rescaled so that its mean is the unweighted mean. Computed in float32 (A1111
  /// multiplies by a float32 tensor, which promotes half-precision embeddings), returned in `z`'s dtype.
  /// - z: (1, L, hidden); weights: L values.
  public static func emphasized(_ z: Tensor, weights: [Double]) throws -> Tensor {
    guard z.rank == 3, z.size(1) == weights.count else {
      throw PipelineError.invalidRequest("prompt weights: \(weights.count) weights for embeddings of shape \(z.shape)")
    }
    let z32 = try z.to(.float32)
    let multipliers = try Tensor(weights.map { Float($0) }, shape: [1, weights.count, 1]).to(.float32, device: z.device)
    let originalMean = try z32.mean()
    let weighted = try z32 * multipliers.expand(z32.shape)
    let newMean = try weighted.mean()
    return try (weighted * (originalMean / newMean)).to(z.dtype)
  }
}
