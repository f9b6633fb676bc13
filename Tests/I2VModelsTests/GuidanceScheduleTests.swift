import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor
import Testing

/// `--guidance-schedule`: the per-step scales, their checks, and the pipeline using them at every step.
@Suite(.serialized) struct GuidanceScheduleTests {
  @Test func scalesRunFromStartToEnd() {
    #expect(GuidanceSchedule.constant.scales(start: 9, steps: 4) == [9, 9, 9, 9])
    let linear = GuidanceSchedule(shape: .linear, end: 7).scales(start: 11, steps: 5)
    #expect(linear == [11, 10, 9, 8, 7])
    let cosine = GuidanceSchedule(shape: .cosine, end: 7).scales(start: 11, steps: 5)
    #expect(cosine.first == 11 && cosine.last == 7 && abs(cosine[2] - 9) < 1e-12)
    // Half a cosine: the first and last quarters move less than the middle ones.
    #expect(abs(cosine[0] - cosine[1]) < abs(cosine[1] - cosine[2]))
    #expect(GuidanceSchedule(shape: .cosine, end: 7).scales(start: 11, steps: 1) == [11])
  }

  @Test func endValueIsChecked() {
    #expect(throws: (any Error).self) { try GuidanceSchedule(shape: .linear, end: nil).validate(start: 9) }
    #expect(throws: (any Error).self) { try GuidanceSchedule(shape: .constant, end: 7).validate(start: 9) }
    #expect(throws: (any Error).self) { try GuidanceSchedule(shape: .cosine, end: 1e20).validate(start: 9) }
    #expect(throws: Never.self) { try GuidanceSchedule(shape: .cosine, end: 3).validate(start: 9) }
  }

  /// Guidance runs when any step needs it: a schedule that rises above 1 from 1 still uses both UNet halves.
  @Test func guidanceRunsWhenAnyStepIsAboveOne() {
    var r = ExecutionPathTests.smallRequest()
    r.guidanceScale = 1
    #expect(!r.usesGuidance)
    r.guidanceSchedule = GuidanceSchedule(shape: .linear, end: 5)
    #expect(r.usesGuidance)
  }

  @Test func pipelineUsesEachStepsScale() throws {
    let pipeline = try I2VGenXLPipeline(PipelineDescriptor(modelPath: FixturePaths.fixture("models/tiny-a").path))
    let constant = try pipeline.generate(ExecutionPathTests.smallRequest())
    #expect(constant.guidanceScales == [9, 9, 9])
    var r = ExecutionPathTests.smallRequest()
    r.guidanceScale = 11
    r.guidanceSchedule = GuidanceSchedule(shape: .linear, end: 7)
    let scheduled = try pipeline.generate(r)
    #expect(scheduled.guidanceScales == [11, 9, 7])
    #expect(scheduled.denoisingHostSyncs == 0)
    #expect(try scheduled.framesFloat.maxAbsDifference(constant.framesFloat) > 1e-4, "the schedule changes the video")
    // A schedule that stays at the start value is constant guidance: the same scale every step, so the same frames
    // up to the rounding of libtorch's thread count, which other suites running in parallel change between runs
    // (the parity limit, 1e-3, covers it; a different scale moves the frames far more, as above).
    r.guidanceScale = 9
    r.guidanceSchedule = GuidanceSchedule(shape: .cosine, end: 9)
    let flat = try pipeline.generate(r)
    #expect(flat.guidanceScales == constant.guidanceScales)
    #expect(try flat.framesFloat.maxAbsDifference(constant.framesFloat) < 1e-3)
  }
}
