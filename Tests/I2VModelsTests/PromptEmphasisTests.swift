import Foundation
import I2VCheckpoint
import I2VTensor
import Testing

@testable import I2VModels

/// A1111's emphasis (`modules/sd_emphasis.py`, `EmphasisOriginal`) and the chunked prompt embeddings, against
/// the embeddings Scripts/make_prompt_fixtures.py computed with the fixture models' own text encoders.
@Suite struct PromptEmphasisTests {
  init() { try? Runtime.setThreads(1) }

  @Test func weightsScaleTokensAndTheMeanIsRestored() throws {
    let generator = try Generator(seed: 3)
    let z = try generator.randn([1, 77, 12]) + 0.25  // a mean away from 0, as real embeddings have
    var weights = [Double](repeating: 1, count: 77)
    weights[5] = 1.5
    weights[6] = 1.21
    weights[9] = 1 / 1.1
    let out = try PromptEncoder.emphasized(z, weights: weights)
    #expect(out.shape == z.shape)
    let before = try z.mean().item(), after = try out.mean().item()
    #expect(Swift.abs(after - before) <= 1e-6 * Swift.abs(before), "mean \(before) -> \(after)")
    // Every position is its weight times one common factor (the rescale).
    let ratio = try (out / z).floats()
    let factor = Double(ratio[0])
    #expect(factor != 1)
    for (i, w) in weights.enumerated() {
      for d in 0..<12 {
        let r = Double(ratio[i * 12 + d])
        #expect(Swift.abs(r - w * factor) <= 1e-5, "position \(i): \(r) vs \(w * factor)")
      }
    }
  }

  @Test func unitWeightsChangeNothing() throws {
    let z = try Generator(seed: 4).randn([1, 77, 12])
    let out = try PromptEncoder.emphasized(z, weights: Array(repeating: 1, count: 77))
    #expect(try out.maxAbsDifference(z) == 0)
    #expect(throws: PipelineError.self) { try PromptEncoder.emphasized(z, weights: [1, 2]) }
  }

  /// A prompt that fits, with or without --long-prompt or the weighted syntax without weights, encodes to the
  /// text encoder's own output for the tokenizer's ids, bit for bit.
  @Test func unweightedOneChunkIsTheEncoderItself() throws {
    let tok = try PromptFixtures.tokenizer.get()
    let encoder = try CLIPTextModel(component: ModelFolder(path: PromptFixtures.root.appendingPathComponent("models/tiny-a").path)
      .component("text_encoder"), dtype: .float32, device: .cpu)
    let prompt = "a red fox running through the snow"
    let ids = try Tensor(tok.encode(prompt).ids.map { Int64($0) }, shape: [1, 77])
    let direct = try encoder.encode(ids: ids, clipSkip: 1)
    for (syntax, long, text) in [(PromptSyntax.plain, false, prompt), (.plain, true, prompt),
                                 (.weighted, false, prompt), (.weighted, true, "a red (fox:1) running through the snow")]
    {
      let layout = try PromptLayout(text, syntax: syntax, longPrompt: long, tokenizer: tok)
      let z = try PromptEncoder.embeddings(layout, textEncoder: encoder)
      #expect(z.shape == [1, 77, 12])
      #expect(try z.maxAbsDifference(direct) == 0, "\(syntax) long \(long)")
    }
  }

  /// Chunks concatenated along the sequence, weights applied per chunk: the reference's embeddings.
  @Test(arguments: PromptFixtures.cases)
  func embeddingsMatchTheReference(_ name: String) throws {
    let tok = try PromptFixtures.tokenizer.get()
    let config = String(name.split(separator: "/")[0])
    let encoder = try CLIPTextModel(component: ModelFolder(path: PromptFixtures.root.appendingPathComponent("models/\(config)").path)
      .component("text_encoder"), dtype: .float32, device: .cpu)
    let plan = try PromptFixtures.plan(name, tokenizer: tok)
    let file = try PromptFixtures.tensors(name)
    for (layout, key) in [(plan.positive, "prompt_embeds"), (plan.negative!, "negative_prompt_embeds")] {
      let ours = try PromptEncoder.embeddings(layout, textEncoder: encoder)
      let reference = try file.tensor(key)
      #expect(ours.shape == reference.shape, "\(name) \(key)")
      let error = try ours.maxAbsDifference(reference)
      #expect(error <= 1e-4, "\(name) \(key): max error \(error)")
      print("prompt embeddings \(name) \(key) \(ours.shape): max abs error \(error)")
    }
  }
}
