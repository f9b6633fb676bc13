/// Where a download reports progress; the command line draws it on stderr.
public protocol DownloadProgress: AnyObject {
  /// A choice made for the user or a repair (shown even off a terminal).
  func notice(_ text: String)
  /// The transfer starts: `total` bytes will be on disk at the end, `present` of them already are (finished
  /// files and kept partial files).
  func start(total: Int64, present: Int64, files: Int)
  /// A file starts (`resumedAt` > 0: its partial file is continued).
  func file(_ path: String, size: Int64, resumedAt: Int64)
  /// Bytes written (negative when a partial file had to be restarted).
  func advance(_ bytes: Int64)
  /// Everything is fetched (or failed).
  func finish()
}
