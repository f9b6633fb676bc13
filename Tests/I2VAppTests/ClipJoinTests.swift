import I2VApp
import I2VImage
import Testing

/// The join of chained clips, on 1x1 frames whose single value is their index.
@Suite struct ClipJoinTests {
  func clip(_ values: [UInt8]) -> [RGBImage] {
    values.map { RGBImage(width: 1, height: 1, red: $0, green: $0, blue: $0) }
  }
  func values(_ frames: [RGBImage]) -> [UInt8] { frames.map { $0.pixels[0] } }

  @Test func aCutDropsTheRepeatedFirstFrame() {
    var video = clip([0, 10, 20, 30])
    ClipJoin.append(clip([30, 40, 50, 60]), to: &video, blend: 0)
    #expect(values(video) == [0, 10, 20, 30, 40, 50, 60])
    #expect(ClipJoin.frameCount(clips: 2, framesPerClip: 4, blend: 0) == 7)
  }

  @Test func aBlendCrossFadesTheLastFramesWithTheNext() {
    var video = clip([0, 0, 0, 0, 0])
    let start = ClipJoin.append(clip([0, 90, 90, 200, 200]), to: &video, blend: 2)
    // Frames 3 and 4 become 1/3 and 2/3 of the new clip's frames 1 and 2; its frames 3 and 4 follow.
    #expect(start == 3)
    #expect(values(video) == [0, 0, 0, 30, 60, 200, 200])
    #expect(video.count == ClipJoin.frameCount(clips: 2, framesPerClip: 5, blend: 2))
    #expect(ClipJoin.maxBlend(framesPerClip: 5) == 2 && ClipJoin.maxBlend(framesPerClip: 16) == 7)
  }
}
