import I2VModels

/// Settings that work but are probably not what the user wants: warnings, never errors. (Values that cannot
/// work — steps or frames below 1, sizes that are not multiples of the VAE's factor — are errors in
/// `GenerationRequest.validate`.)
public enum SafeRanges {
  /// Guidance outside this range still runs; above it colours burn and detail breaks up, below it the video
  /// drifts away from the prompt.
  public static let guidance: ClosedRange<Double> = 5...15
  /// Fewer DDIM steps leave visible noise and smeared motion in final renders.
  public static let finalRenderSteps = 30
  /// The second-order multistep solvers converge in about 20 steps: DPM-Solver++ 2M (Lu et al. 2022,
  /// arXiv:2211.01095) and UniPC, which reports fewer still (Zhao et al. 2023, arXiv:2302.04867; not measured on
  /// this model, so the same threshold).
  public static func finalRenderSteps(_ s: SchedulerKind) -> Int {
    s == .dpmpp2m || s == .unipc ? 20 : finalRenderSteps
  }
  /// I2VGen-XL was trained at multiples of 64 pixels; other sizes run (diffusers pads the UNet's skip
  /// connections) but can show seams and soft edges.
  public static let sizeMultiple = 64

  /// One line per setting outside its comfortable range.
  public static func warnings(for request: GenerationRequest) -> [String] {
    var out = warnings(guidance: request.guidanceScale, steps: request.steps, width: request.width,
                       height: request.height, scheduler: request.scheduler)
    out += warnings(cache: request.featureCache, steps: request.steps)
    if let end = request.guidanceSchedule.end, !guidance.contains(end) {
      out.append("the guidance schedule ends at \(end), outside \(Int(guidance.lowerBound))-\(Int(guidance.upperBound)): "
        + "the last steps will \(end > guidance.upperBound ? "burn colours and break detail" : "follow the prompt loosely")")
    }
    return out
  }

  public static func warnings(guidance g: Double, steps: Int, width: Int, height: Int,
                              scheduler: SchedulerKind = .ddim) -> [String] {
    let finalRenderSteps = finalRenderSteps(scheduler)
    var out: [String] = []
    if g > guidance.upperBound {
      out.append("guidance \(g) is above \(Int(guidance.upperBound)): expect burnt colours and broken detail; "
        + "9-12 suits most prompts (--guidance auto picks one from the prompt)")
    } else if g < guidance.lowerBound {
      let off = g <= 1 ? " (at 1 or below classifier-free guidance is off)" : ""
      out.append("guidance \(g) is below \(Int(guidance.lowerBound)): the video will follow the prompt loosely\(off); "
        + "try 7-10")
    }
    if steps < finalRenderSteps {
      out.append("\(steps) steps is fine for a preview, not for a final render (use \(finalRenderSteps) or "
        + "more, e.g. --preset standard)")
    }
    if width % sizeMultiple != 0 || height % sizeMultiple != 0 {
      out.append("\(width)x\(height) is not a multiple of \(sizeMultiple) in both directions; "
        + "the model was trained on such sizes and others may show seams (e.g. "
        + "\(nearest(width))x\(nearest(height)))")
    }
    return out
  }

  /// `--cache deep:N` always trades quality for speed, by an amount only real weights can show.
  public static func warnings(cache: FeatureCache, steps: Int) -> [String] {
    guard cache != .off else { return [] }
    let e = cache.evaluations(steps: steps)
    return ["--cache \(cache) runs the whole UNet at \(e.full) of \(steps) steps and reuses its deep features at "
      + "the other \(e.shallow) (DeepCache): faster, but the frames differ from --cache off; judge the quality "
      + "on real weights, against a --cache off run of the same seed (i2v's own measurements use random-weight "
      + "models, README \"Feature caching\")"]
  }

  /// The closest positive multiple of 64.
  static func nearest(_ n: Int) -> Int { max(sizeMultiple, (n + sizeMultiple / 2) / sizeMultiple * sizeMultiple) }
}
