import Foundation
import Testing

@testable import I2VApp

/// The hub client's pure parts: which files a variant needs, names and paths it accepts, pagination links, the
/// environment it reads, git blob ids.
@Suite struct HubClientTests {
  static func file(_ path: String, lfs: Bool = false) -> HubRepoFile {
    HubRepoFile(path: path, size: 10, gitOID: String(repeating: "a", count: 40), sha256: lfs ? String(repeating: "b", count: 64) : nil)
  }

  /// A listing shaped like ali-vilab/i2vgen-xl's: both variants, PyTorch pickles, the original checkpoint,
  /// a README and images; plus a sharded component.
  static let listing: [HubRepoFile] = [
    ".gitattributes", "README.md", "assets/demo.gif", "i2vgen_xl_00854500.pth", "model_index.json",
    "feature_extractor/preprocessor_config.json",
    "image_encoder/config.json", "image_encoder/model.fp16.safetensors", "image_encoder/model.safetensors",
    "image_encoder/pytorch_model.bin",
    "scheduler/scheduler_config.json",
    "text_encoder/config.json", "text_encoder/model.fp16.safetensors", "text_encoder/model.safetensors",
    "tokenizer/merges.txt", "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json",
    "tokenizer/vocab.json",
    "unet/config.json", "unet/diffusion_pytorch_model.fp16-00001-of-00002.safetensors",
    "unet/diffusion_pytorch_model.fp16-00002-of-00002.safetensors", "unet/diffusion_pytorch_model.safetensors",
    "unet/diffusion_pytorch_model.safetensors.index.fp16.json", "unet/diffusion_pytorch_model.fp16.bin",
    "vae/config.json", "vae/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.bin",
    "vae/extra/notes.json",
  ].map { file($0, lfs: $0.hasSuffix(".safetensors") || $0.hasSuffix(".bin")) }

  static let components = ["feature_extractor", "image_encoder", "scheduler", "text_encoder", "tokenizer", "unet", "vae"]

  @Test func fp16TakesTheHalfPrecisionWeightsShardsIncludedAndFallsBackPerComponent() {
    let s = HubFileSelection.select(Self.listing, components: Self.components, variant: .fp16)
    #expect(s.files.map(\.path) == [
      "feature_extractor/preprocessor_config.json", "image_encoder/config.json", "image_encoder/model.fp16.safetensors",
      "model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json",
      "text_encoder/model.fp16.safetensors", "tokenizer/merges.txt", "tokenizer/special_tokens_map.json",
      "tokenizer/tokenizer_config.json", "tokenizer/vocab.json", "unet/config.json",
      "unet/diffusion_pytorch_model.fp16-00001-of-00002.safetensors",
      "unet/diffusion_pytorch_model.fp16-00002-of-00002.safetensors",
      "unet/diffusion_pytorch_model.safetensors.index.fp16.json", "vae/config.json",
      "vae/diffusion_pytorch_model.safetensors",
    ])
    #expect(s.notes.count == 1 && s.notes[0].hasPrefix("vae has no fp16 weights"), "\(s.notes)")
  }

  @Test func fp32TakesTheFilesWithoutAVariant() {
    let s = HubFileSelection.select(Self.listing, components: Self.components, variant: .fp32)
    let weights = s.files.map(\.path).filter { $0.contains(".safetensors") }
    #expect(weights == ["image_encoder/model.safetensors", "text_encoder/model.safetensors",
                        "unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors"])
    #expect(s.notes.isEmpty)
  }

  @Test func onlyComponentsNamedByTheIndexAreFetched() {
    let s = HubFileSelection.select(Self.listing, components: ["unet"], variant: .fp16)
    #expect(Set(s.files.map { $0.path.split(separator: "/").count == 1 ? $0.path : String($0.path.split(separator: "/")[0]) })
      == ["model_index.json", "unet"])
  }

  @Test func weightNamesFollowDiffusersVariantNaming() {
    #expect(HubFileSelection.weightName("model.safetensors")! == (nil, false))
    #expect(HubFileSelection.weightName("model.fp16.safetensors")! == ("fp16", false))
    #expect(HubFileSelection.weightName("diffusion_pytorch_model-00001-of-00003.safetensors")! == (nil, false))
    #expect(HubFileSelection.weightName("diffusion_pytorch_model.fp16.safetensors.index.json")! == ("fp16", true))
    #expect(HubFileSelection.weightName("diffusion_pytorch_model.safetensors.index.json")! == (nil, true))
    #expect(HubFileSelection.weightName("model.fp16-1-of-x.safetensors") == nil)
    #expect(HubFileSelection.weightName("other.safetensors") == nil)
    #expect(HubFileSelection.weightName("config.json") == nil)
  }

  @Test func repositoryNamesAndPathsAreChecked() {
    #expect(HubAPI.isRepoName("ali-vilab/i2vgen-xl") && HubAPI.isRepoName("a.b/c_d"))
    for bad in ["i2vgen-xl", "a/b/c", "../x", "a/..", "a--b/c", "a b/c", "/x"] { #expect(!HubAPI.isRepoName(bad), "\(bad)") }
    #expect(HubAPI.isSafe("unet/config.json"))
    for bad in ["", "/etc/passwd", "a/../../b", "./a", "a//b", "a\\b"] { #expect(!HubAPI.isSafe(bad), "\(bad)") }
    #expect(HubAPI.quote("refs/pr/1") == "refs%2Fpr%2F1")
  }

  @Test func paginationFollowsTheNextLink() {
    let base = URL(string: "https://huggingface.co/api/models/a/b/tree/c?recursive=True")!
    let h = "<https://huggingface.co/api/models/a/b/tree/c?cursor=xyz>; rel=\"next\""
    #expect(HubAPI.nextLink(h, relativeTo: base)?.absoluteString == "https://huggingface.co/api/models/a/b/tree/c?cursor=xyz")
    #expect(HubAPI.nextLink("</p2>; rel=\"prev\"", relativeTo: base) == nil)
  }

  @Test func environmentFollowsHuggingfaceHub() {
    let e = HubEnvironment(["HF_HOME": "/h", "HF_ENDPOINT": "https://mirror.example/", "HF_HUB_OFFLINE": "yes"])
    #expect(e.cache == "/h/hub" && e.endpoint == "https://mirror.example" && e.offline && e.token == nil)
    #expect(HubEnvironment(["XDG_CACHE_HOME": "/x"]).cache == "/x/huggingface/hub")
    #expect(HubEnvironment(["HF_HUB_CACHE": "/c", "HF_HOME": "/h"]).cache == "/c")
    #expect(!HubEnvironment(["HF_HUB_OFFLINE": "0"]).offline)
    let t = HubEnvironment(["HF_TOKEN": "hf_x"])
    #expect(t.token == "hf_x" && t.tokenSource == "HF_TOKEN")
    #expect(HubEnvironment.repoFolderName("ali-vilab/i2vgen-xl") == "models--ali-vilab--i2vgen-xl")
    #expect(HubEnvironment.cacheCandidates(["HF_HOME": "/h"]).prefix(1) == ["/h/hub"])
  }

  @Test func gitBlobIdsMatchGit() {
    // `git hash-object` of an empty file and of "hello\n".
    #expect(GitBlobHash.of(Data()) == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
    #expect(GitBlobHash.of(Data("hello\n".utf8)) == "ce013625030ba8dba906f756967f9e9ca394464a")
    // Lengths around SHA-1's block and padding boundaries.
    var sha = SHA1()
    sha.update(Array(repeating: 0x61, count: 1_000_000))
    #expect(sha.finalizeHex() == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
  }
}
