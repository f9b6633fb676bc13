import Foundation
import Hummingbird
import I2VApp
import I2VMedia
import I2VModels

/// What the page needs besides jobs: the model and the limits, the presets, a prompt's token count and `auto`
/// guidance, and an image's crop and warnings, each computed by the same code a job runs.
extension ServeRoutes {
  struct ModelInfo: Encodable, Sendable {
    var version: String
    var model: String
    var modelSource: String
    var randomWeights: Bool
    var device: String
    var dtype: String
    var loaded: Bool
    var sizeMultiple: Int
    var maxSide: Int
    var maxGuidance: Double
    var maxTokens: Int
    var maxPixels: Int
    var maxUploadBytes: Int
    var queueLimit: Int
    var formats: [String]
    var schedulers: [String]
    var promptSyntaxes: [String]
    var textCleanups: [String]
    var guidanceSchedules: [String]
    var settingsFields: [String]

    enum CodingKeys: String, CodingKey {
      case version, model, device, dtype, loaded, formats, schedulers
      case modelSource = "model_source", randomWeights = "random_weights", sizeMultiple = "size_multiple"
      case maxSide = "max_side", maxGuidance = "max_guidance", maxTokens = "max_tokens", maxPixels = "max_pixels"
      case maxUploadBytes = "max_upload_bytes", queueLimit = "queue_limit", promptSyntaxes = "prompt_syntaxes"
      case textCleanups = "text_cleanups", guidanceSchedules = "guidance_schedules", settingsFields = "settings_fields"
    }
  }

  struct PresetList: Encodable, Sendable {
    var presets: [PresetSummary]
    var errors: [String]
  }

  func registerInfo(_ t: RouteTable) {
    let server = self.server
    t.on(.get, "/api/model") { _, _ in
      let s = server.session
      let source: String
      switch s.model.source {
      case .argument: source = "argument"
      case .environment: source = "environment"
      case .huggingFaceCache: source = "hugging-face-cache"
      case .bundled: source = "bundled"
      }
      return JSONBody(ModelInfo(
        version: I2VVersion.string, model: s.model.path, modelSource: source, randomWeights: s.model.source == .bundled,
        device: "\(s.device)", dtype: "\(s.dtype)", loaded: server.runner.modelLoaded, sizeMultiple: s.latentScale,
        maxSide: GenerationRequest.maxSide, maxGuidance: GenerationRequest.maxGuidance,
        maxTokens: server.tokenizer.maxContentTokens, maxPixels: server.settings.maxPixels,
        maxUploadBytes: server.settings.maxUploadBytes, queueLimit: server.settings.queueLimit,
        formats: JobSettings.formats, schedulers: SchedulerKind.allCases.map(\.rawValue),
        promptSyntaxes: PromptSyntax.allCases.map(\.rawValue), textCleanups: TextCleanup.allCases.map(\.rawValue),
        guidanceSchedules: GuidanceSchedule.Shape.allCases.map(\.rawValue), settingsFields: JobSettings.allowedFields))
    }

    t.on(.get, "/api/presets") { _, _ in
      try await Self.blocking {
        let catalog = PresetCatalog()
        return JSONBody(PresetList(
          presets: catalog.entries.map { PresetSummary($0.preset, origin: $0.origin.rawValue, overrides: $0.overrides) },
          errors: catalog.errors.map(\.description)))
      }
    }

    t.on(.post, "/api/prompt") { request, context in
      let query = try await request.decode(as: PromptCheck.Query.self, context: context)
      return JSONBody(try await Self.blocking {
        do { return try PromptCheck.answer(query, tokenizer: server.tokenizer) } catch { throw APIError.from(error) }
      })
    }

    t.on(.post, "/api/images/inspect") { request, context in
      let body = try await request.body.collect(upTo: server.settings.maxUploadBytes)
      let q = request.uri.queryParameters
      func number(_ key: String) throws -> Int? {
        guard let text = q.get(key) else { return nil }
        guard let n = Int(text) else { throw APIError(.badRequest, "'\(key)' must be a whole number (got '\(text)')") }
        return n
      }
      let (width, height) = (try number("width"), try number("height"))
      let preset = q.get("preset") ?? "standard"
      return JSONBody(try await Self.blocking {
        do {
          return try ImageCheck.answer(Array(buffer: body), preset: preset, width: width, height: height,
                                       session: server.session, maxPixels: server.settings.maxPixels)
        } catch { throw APIError.from(error) }
      })
    }
  }
}
