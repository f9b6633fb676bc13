import Foundation

/// Every preset visible to `--preset NAME`, where each comes from, which files it hides, and the preset
/// files that could not be read (so `i2v presets` shows a broken user file instead of silently skipping it).
public struct PresetCatalog: Sendable {
  public struct Entry: Sendable {
    public let preset: GenerationPreset
    public let origin: GenerationPreset.Origin
    /// Files with the same name in later folders, which this one overrides.
    public let overrides: [String]
  }

  /// Sorted by name; each name once (the first folder in search order wins, as `--preset NAME` does).
  public let entries: [Entry]
  /// Malformed preset files (each error names the file and the field).
  public let errors: [PresetError]

  public init(folders: [(path: String, origin: GenerationPreset.Origin)] = GenerationPreset.labeledSearchFolders()) {
    var claimed: Set<String> = []  // the first file of a name claims it, broken or not, as `--preset NAME` does
    var found: [String: (preset: GenerationPreset, origin: GenerationPreset.Origin)] = [:]
    var overridden: [String: [String]] = [:]
    var errors: [PresetError] = []
    for (dir, origin) in folders {
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") }
      for file in names.sorted() {
        let path = (dir as NSString).appendingPathComponent(file)
        let name = (file as NSString).deletingPathExtension
        guard claimed.insert(name).inserted else {
          overridden[name, default: []].append(path)
          continue
        }
        do {
          found[name] = (try GenerationPreset(path: path), origin)
        } catch let e as PresetError {
          errors.append(e)
        } catch {
          errors.append(PresetError("\(path): \(error)"))
        }
      }
    }
    entries = found.values.map { Entry(preset: $0.preset, origin: $0.origin, overrides: overridden[$0.preset.name] ?? []) }
      .sorted { $0.preset.name < $1.preset.name }
    self.errors = errors
  }
}
