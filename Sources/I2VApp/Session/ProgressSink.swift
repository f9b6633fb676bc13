/// Where the application reports progress; the command line draws bars and lines, other front ends what suits
/// them.
public protocol ProgressSink: AnyObject {
  /// A status line (hidden when quiet or off a terminal).
  func note(_ text: String)
  /// A warning or a choice made for the user: shown in logs too, hidden only when asked for silence.
  func notice(_ text: String)
  /// Starts a counted activity ("denoising").
  func begin(_ label: String)
  /// Progress of the current activity.
  func update(_ done: Int, of total: Int)
  /// The stage a generation has reached ("loading the model", "encoding prompt", "denoising", "decoding",
  /// "writing"), for front ends that show it as a state (the server's job events); the CLI shows its notes.
  func stage(_ name: String)
}

extension ProgressSink {
  public func stage(_ name: String) {}
}
