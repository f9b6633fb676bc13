import I2VApp
import I2VMedia

/// One line saying what happened to a sound track, for `generate` and `frames-to-video`.
enum SoundTrackText {
  static func line(_ a: Provenance.AudioRecord) -> String {
    line(codec: a.writtenCodec, rate: a.writtenSampleRate, seconds: a.writtenSeconds, cut: a.cutSeconds,
         fade: a.fadeSeconds, padded: a.paddedSeconds, fitted: a.mode == "fit")
  }

  static func line(_ r: SoundTrackReport, source: AudioInfo) -> String {
    line(codec: r.codec, rate: r.sampleRate, seconds: r.seconds, cut: max(0, source.duration - r.seconds),
         fade: r.fadeSeconds, padded: r.paddedSeconds, fitted: false)
  }

  private static func line(codec: String, rate: Int, seconds: Double, cut: Double, fade: Double, padded: Double,
                           fitted: Bool) -> String {
    var what = "sound: \(codec.uppercased()) \(rate) Hz, \(Format.fixed(seconds, 3)) s"
    if fitted { what += " (frames chosen to match it)" }
    if cut > 0.0005 { what += "; \(Format.fixed(cut, 3)) s cut after the video's end" }
    if fade > 0 { what += ", \(Format.fixed(fade, 3)) s fade-out" }
    if padded > 0.0005 { what += "; \(Format.fixed(padded, 3)) s of silence added" }
    return what
  }
}
