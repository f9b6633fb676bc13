import Testing

@testable import I2VApp

/// `--fit-to-audio` over chained clips: K clips of F frames joined with blend B make K·F − (K−1)(1+B) frames, the
/// smallest F (and with `auto` the fewest K) that reach the sound's frames, with fewer than K frames cut.
@Suite struct AudioClipFitTests {
  @Test func givenClipsShareTheSound() throws {
    let fit = try AudioClipFit(target: 12, clips: 2, maxFramesPerClip: 4, blend: 0)
    #expect(fit.clips == 2 && fit.framesPerClip == 7 && fit.frames == 12)  // 2·7 − 1 = 13, one cut
    let blended = try AudioClipFit(target: 40, clips: 3, maxFramesPerClip: 16, blend: 2)
    #expect(blended.framesPerClip == 16)  // 3·16 − 2·3 = 42 ≥ 40; 15 would give 39
  }

  /// Every target up to 200 frames, clip length and blend.
  @Test func autoTakesTheFewestClipsOfAtMostTheGivenLength() throws {
    var cases = 0
    for target in 1...200 { for most in 2...20 { for blend in 0...((most - 1) / 2) where most - 1 - blend >= 1 {
      guard let fit = try? AudioClipFit(target: target, clips: nil, maxFramesPerClip: most, blend: blend) else {
        #expect(1 + (target - most + most - 2 - blend) / (most - 1 - blend) > ClipChain.maxClips)
        continue
      }
      cases += 1
      let made = ClipJoin.frameCount(clips: fit.clips, framesPerClip: fit.framesPerClip, blend: blend)
      #expect(fit.framesPerClip <= most, "\(target) \(most) \(blend)")
      #expect(made >= target && made - target < fit.clips, "\(target): \(fit) makes \(made)")
      if fit.clips > 1 {
        #expect(made - target < fit.framesPerClip - 1 - blend, "the last clip keeps a frame: \(fit), \(made)")
      }
      if fit.clips > 1 {
        let fewer = ClipJoin.frameCount(clips: fit.clips - 1, framesPerClip: most, blend: blend)
        #expect(fewer < target, "\(fit.clips - 1) clips of \(most) would do for \(target)")
        #expect(ClipJoin.frameCount(clips: fit.clips, framesPerClip: fit.framesPerClip - 1, blend: blend) < target)
      } else {
        #expect(fit.framesPerClip == target)
      }
    } } }
    #expect(cases > 10_000)
  }

  @Test func impossibleFitsSayWhatToChange() {
    #expect(throws: SettingsError.self) { try AudioClipFit(target: 200, clips: 2, maxFramesPerClip: 16, blend: 0) }
    #expect(throws: SettingsError.self) { try AudioClipFit(target: 3, clips: 4, maxFramesPerClip: 16, blend: 0) }
    #expect(throws: SettingsError.self) { try AudioClipFit(target: 30, clips: nil, maxFramesPerClip: 2, blend: 1) }
    #expect(throws: SettingsError.self) { try AudioClipFit(target: 5000, clips: nil, maxFramesPerClip: 16, blend: 0) }
    do {
      _ = try AudioClipFit(target: 200, clips: 2, maxFramesPerClip: 16, blend: 0)
    } catch {
      #expect("\(error)".contains("more --clips, or --clips auto"), "\(error)")
    }
  }
}
