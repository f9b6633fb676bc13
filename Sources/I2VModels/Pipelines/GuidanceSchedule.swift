import Foundation

/// How the classifier-free guidance scale changes over the denoising steps. diffusers uses one scale for every
/// step (`constant`); a schedule from strong to gentle guidance (e.g. 11 → 7) pushes motion while it forms and
/// lets detail settle afterwards.
public struct GuidanceSchedule: Sendable, Equatable {
  public enum Shape: String, Sendable, CaseIterable, Codable {
    /// The request's scale at every step (diffusers).
    case constant
    /// From the request's scale to `end`, in equal steps.
    case linear
    /// From the request's scale to `end` along half a cosine: slow at both ends, fastest in the middle.
    case cosine
  }

  public var shape: Shape
  /// The scale at the last step (nil for `constant`).
  public var end: Double?

  public static let constant = GuidanceSchedule(shape: .constant, end: nil)

  public init(shape: Shape, end: Double?) {
    self.shape = shape
    self.end = end
  }

  /// The scale of each of `steps` steps, starting at `start` (the first step) and ending at `end` (the last).
  public func scales(start: Double, steps: Int) -> [Double] {
    guard steps > 0 else { return [] }
    guard shape != .constant, let end, steps > 1 else { return Array(repeating: start, count: steps) }
    return (0..<steps).map { i in
      let progress = Double(i) / Double(steps - 1)
      switch shape {
      case .constant: return start
      case .linear: return start + (end - start) * progress
      case .cosine: return end + (start - end) * (1 + cos(Double.pi * progress)) / 2
      }
    }
  }

  /// Checks the schedule against the request's start scale.
  public func validate(start: Double) throws {
    switch (shape, end) {
    case (.constant, nil): return
    case (.constant, .some):
      throw PipelineError.invalidRequest("a guidance end value needs a schedule (linear or cosine), not constant")
    case (_, nil):
      throw PipelineError.invalidRequest("the \(shape.rawValue) guidance schedule needs an end value (--guidance-end)")
    case (_, .some(let e)):
      guard e.isFinite && e >= 0 && e <= GenerationRequest.maxGuidance else {
        throw PipelineError.invalidRequest(
          "the guidance end must be between 0 and \(Int(GenerationRequest.maxGuidance)) (got \(e))")
      }
    }
  }

  /// The largest scale of the schedule: classifier-free guidance runs when it is above 1.
  public func peak(start: Double) -> Double { max(start, end ?? start) }
}
