import Foundation
import I2VCheckpoint
import I2VMedia

extension Provenance {
  /// `--audio`: the sound file as read (hash, length, codec) and what was done with it to fit the video.
  public struct AudioRecord: Codable, Equatable {
    public var path: String
    public var sha256: String
    /// The sound's own length (decoded samples), codec, rate and channels.
    public var durationSeconds: Double
    public var codec: String
    public var sampleRate: Int
    public var channels: Int
    /// "cut" (the default: the sound follows the video's length) or "fit" (`--fit-to-audio` chose the frames).
    public var mode: String
    public var videoSeconds: Double
    /// The track written: "aac" or "opus", its rate and channels, and its length (the video's).
    public var writtenCodec: String
    public var writtenSampleRate: Int
    public var writtenChannels: Int
    public var writtenSeconds: Double
    /// Sound dropped after the video's end, the fade-out over the end, silence added after a shorter sound.
    public var cutSeconds: Double
    public var fadeSeconds: Double
    public var paddedSeconds: Double

    public enum CodingKeys: String, CodingKey {
      case path, sha256, durationSeconds = "duration_seconds", codec, sampleRate = "sample_rate", channels, mode
      case videoSeconds = "video_seconds", writtenCodec = "written_codec", writtenSampleRate = "written_sample_rate"
      case writtenChannels = "written_channels", writtenSeconds = "written_seconds", cutSeconds = "cut_seconds"
      case fadeSeconds = "fade_seconds", paddedSeconds = "padded_seconds"
    }

    public init(_ plan: SoundTrackPlan, written: SoundTrackReport) throws {
      let ms = { (x: Double) in (x * 1000).rounded() / 1000 }
      path = Provenance.absolute(plan.audio.path)
      sha256 = try FileHashCache.hashFile(plan.audio.path)
      durationSeconds = ms(plan.audio.duration)
      codec = plan.audio.codec
      sampleRate = plan.audio.sampleRate
      channels = plan.audio.channels
      mode = plan.fit ? "fit" : "cut"
      videoSeconds = ms(plan.videoSeconds)
      writtenCodec = written.codec
      writtenSampleRate = written.sampleRate
      writtenChannels = written.channels
      writtenSeconds = ms(written.seconds)
      cutSeconds = ms(max(0, plan.audio.duration - written.seconds))
      fadeSeconds = ms(written.fadeSeconds)
      paddedSeconds = ms(written.paddedSeconds)
    }
  }
}
