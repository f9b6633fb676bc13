import ArgumentParser
import Foundation
import I2VApp
import I2VServe

struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "A local web page and HTTP API: a job queue over the same pipeline, the model loaded once.",
    discussion: """
      Open the printed address in a browser: drop an image, see the crop the model
      gets, type a prompt (live token count), pick a preset, watch the job's
      progress, play and download the video. Jobs run one at a time on the model
      loaded by the first one; the queue (settings, states, outputs, errors,
      timings) is kept in OUTPUT_DIR/.i2v-serve/queue.sqlite, so a restart loses
      nothing: queued jobs run, and a job that was running when the server died is
      marked interrupted and can be queued again. Videos and their provenance
      sidecars are written into --output-dir (named by the server) through the
      same checks and atomic writers as `i2v generate`.

      Safety: by default the server listens on 127.0.0.1 only and answers only to
      loopback names. Any other --host needs an access token: --token, or one is
      generated and printed with the address (?token=...); every request must carry
      it (the page keeps it in a cookie). Uploads are limited (--max-upload-mb)
      and images are read by content with the CLI's pixel limit. There are no
      CORS headers: only the served page can use the API.

      The HTTP API is documented in docs/openapi.yaml (README: "Web page and API").

      Examples:
        i2v serve
        i2v serve --model ~/models/i2vgen-xl --output-dir ~/videos
        i2v serve --host 0.0.0.0 --port 8080             # prints a token to share
        i2v serve --host 192.168.1.20 --token "$(cat ~/.i2v-token)"
        curl -F image=@cat.png -F 'settings={"prompt":"a cat turning its head","preset":"fast"}' \\
          http://127.0.0.1:7860/api/jobs
      """
  )

  @Option(name: .long, help: "Address to listen on (default: loopback only; any other needs a token).")
  var host = "127.0.0.1"
  @Option(name: .long, help: "Port (0: any free port, printed).") var port = 7860
  @Option(name: .long, help: ArgumentHelp("Access token for every request (at least 16 characters: letters, digits, "
    + "- _ . ~); generated when --host is not loopback and none is given.", valueName: "token"))
  var token: String?
  @Option(name: .long, help: "Folder for the videos and sidecars (created if needed); the queue lives inside it.")
  var outputDir = "i2v-output"
  @Option(name: .long, help: "Jobs that may wait behind the running one (more: HTTP 429).") var queueLimit = 32
  @Option(name: .long, help: "Largest upload, in MB.") var maxUploadMb = 32
  @OptionGroup var modelOptions: ModelOptions
  @Flag(name: .shortAndLong, help: "Print only errors (not each job's progress lines).") var quiet = false

  var settings: ServeSettings {
    var s = ServeSettings()
    s.host = host
    s.port = port
    s.token = token
    s.outputDir = outputDir
    s.queueLimit = queueLimit
    s.maxUploadBytes = maxUploadMb << 20
    s.model = modelOptions.settings(single: false)  // the model stays loaded between jobs
    return s
  }

  func validate() throws {
    do { try settings.validate() } catch let e as SettingsError { throw ValidationError(e.message) }
    if maxUploadMb > 4096 { throw ValidationError("--max-upload-mb must be at most 4096 (got \(maxUploadMb))") }
  }

  func run() throws {
    let quiet = self.quiet
    let log: @Sendable (String) -> Void = { line in
      if !quiet || line.hasPrefix("error") { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
    let server: I2VServer
    do { server = try I2VServer(settings, log: log) } catch { throw fail("\(error)") }
    for id in server.interruptedAtStart {
      log("job \(id) was running when the last server stopped: marked interrupted (re-queue it from the page)")
    }
    let host = self.host
    do {
      try server.runBlocking { url in
        // stdout: the address alone on its line, for scripts; the rest goes to stderr.
        print("i2v serve: \(url)")
        fflush(stdout)
        log("model \(server.modelPath); videos in \(server.paths.outputDir)"
          + (ServeSettings.isLoopback(host) ? "" : "; every request needs the token in the address (from other "
            + "machines, with this machine's name or address in place of \(host))"))
      }
    } catch {
      throw fail("\(error)")
    }
  }
}
