// swift-tools-version:6.0
//
// i2v — image-to-video generation with I2VGen-XL, in Swift over a thin C shim on libtorch.
//
// libtorch selection (build time, for the shim library only):
//   LIBTORCH unset  -> Debian's libtorch-dev (headers in /usr/include, libraries on the default path)
//   LIBTORCH=/path  -> a libtorch tree with include/ and lib/ (e.g. .../site-packages/torch of a PyTorch install);
//                      its lib/ is also written into the shim's rpath.
// The Swift code never links libtorch: it loads libi2vtorch.so at run time (see Sources/I2VTensor/Shim.swift).
//
// Media back end (build time):
//   I2V_MEDIA unset -> FFmpeg + the decoders Pillow uses (libpng, libjpeg-turbo, libtiff, libwebp) + giflib: every
//                      input format and MP4 / WebM / GIF / PNG-frame output
//   I2V_MEDIA=png   -> libpng only (CMedia compiled with CM_NO_FFMPEG, nothing else linked): PNG input and PNG-frame
//                      output; everything else fails with a message saying so. For small, carryable binaries
//                      (Scripts/build-device-binary.sh). Build it in its own --scratch-path.
import Foundation
import PackageDescription

let env = ProcessInfo.processInfo.environment
let libtorch = env["LIBTORCH"].flatMap { $0.isEmpty ? nil : $0 }
let mediaPNGOnly = env["I2V_MEDIA"] == "png"

var mediaC: [CSetting] = []
var mediaLink: [LinkerSetting] = [.linkedLibrary("png"), .linkedLibrary("z")]
if mediaPNGOnly {
  mediaC.append(.define("CM_NO_FFMPEG"))
} else {
  mediaLink = [
    .linkedLibrary("avformat"), .linkedLibrary("avcodec"), .linkedLibrary("swscale"), .linkedLibrary("avutil"),
    .linkedLibrary("avfilter"), .linkedLibrary("swresample"),
    .linkedLibrary("jpeg"), .linkedLibrary("tiff"), .linkedLibrary("webpdemux"), .linkedLibrary("webp"),
    .linkedLibrary("gif"),
  ] + mediaLink
}

// Optical flow (`i2v analyze`): OpenCV's core, imgproc and video modules only (Debian's libopencv-video-dev). The
// small PNG-only build leaves OpenCV out as it leaves FFmpeg out (CFlow then answers that it is missing).
var flowCxx: [CXXSetting] = [.unsafeFlags(["-O2"])]
var flowLink: [LinkerSetting] = []
if mediaPNGOnly {
  flowCxx.append(.define("CF_NO_OPENCV"))
} else {
  flowCxx.append(.unsafeFlags(["-I/usr/include/opencv4"]))
  flowLink = [.linkedLibrary("opencv_video"), .linkedLibrary("opencv_imgproc"), .linkedLibrary("opencv_core")]
}

// The carryable build links Swift's runtime statically; a static FoundationNetworking would need libcurl (and its
// dependencies) on the target, so that build leaves `i2v download`'s HTTP out (HubHTTP.swift says so at run time).
let appSwift: [SwiftSetting] = mediaPNGOnly ? [.define("I2V_NO_NETWORK")] : []

var shimCxx: [CXXSetting] = [.unsafeFlags(["-O2", "-Wno-deprecated-declarations", "-Wno-unused-parameter"])]
var shimLink: [LinkerSetting] = [.linkedLibrary("torch_cpu"), .linkedLibrary("c10"), .linkedLibrary("dl")]
if let root = libtorch {
  shimCxx.append(.unsafeFlags(["-I\(root)/include", "-I\(root)/include/torch/csrc/api/include"]))
  shimLink.append(.unsafeFlags(["-L\(root)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(root)/lib"]))
  // CUDA builds register their backend from libtorch_cuda at load time: link it although no symbol is used.
  if FileManager.default.fileExists(atPath: "\(root)/lib/libtorch_cuda.so") {
    shimLink.append(.unsafeFlags(["-Xlinker", "--no-as-needed", "-ltorch_cuda", "-lc10_cuda", "-Xlinker", "--as-needed"]))
  }
}

let package = Package(
  name: "i2v",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "i2v", targets: ["i2v"]),
    // The shim as its own shared library: built here against the selected libtorch, replaceable at run time.
    .library(name: "i2vtorch", type: .dynamic, targets: ["I2VTorchShim"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // `i2v serve`: the HTTP server, its SQLite job queue, multipart uploads.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
  ],
  targets: [
    // C API between Swift and the shim (header only).
    .target(name: "CTorch", path: "Sources/CTorch"),
    // The shim: ATen behind the C API. Compiled with the libtorch headers; linked into libi2vtorch.so only.
    .target(
      name: "I2VTorchShim",
      dependencies: ["CTorch"],
      path: "Sources/I2VTorchShim",
      cxxSettings: shimCxx,
      linkerSettings: shimLink
    ),
    // Swift tensor layer: Tensor, dtypes, devices, ops, RNG, shim loading.
    .target(
      name: "I2VTensor",
      dependencies: ["CTorch"],
      linkerSettings: [.linkedLibrary("dl")]
    ),
    // Small helpers the lower layers share (temporary-file naming).
    .target(name: "I2VSupport"),
    // Checkpoints: safetensors, diffusers folder layout, strict weight binding.
    .target(name: "I2VCheckpoint", dependencies: ["I2VTensor", "I2VSupport"]),
    // The one image type (8-bit RGB) that media I/O and the models' preprocessing share.
    .target(name: "I2VImage"),
    // Models: CLIP tokenizer, image preprocessing (Pillow-exact resizes), network modules.
    .target(name: "I2VModels", dependencies: ["I2VTensor", "I2VCheckpoint", "I2VImage"]),
    // The application every front end shares: settings, presets, guidance advice and safe ranges, model location
    // and integrity, the generation session, provenance, memory advice, batch planning, manifests and sharding.
    .target(
      name: "I2VApp",
      dependencies: ["I2VModels", "I2VCheckpoint", "I2VTensor", "I2VMedia", "I2VImage", "I2VSupport", "CFlow"],
      swiftSettings: appSwift),
    // Dense optical flow and the per-frame measures of `i2v analyze`: OpenCV (DIS flow, remap, Laplacian) behind a C API.
    .target(name: "CFlow", path: "Sources/CFlow", cxxSettings: flowCxx, linkerSettings: flowLink),
    // Media I/O in C: image decoding through the libraries Pillow uses (libpng, libjpeg-turbo, libtiff, libwebp),
    // giflib and FFmpeg (libavformat/libavcodec/libswscale/libswresample); the encoders, sound tracks. (libpng alone with I2V_MEDIA=png.)
    .target(
      name: "CMedia",
      path: "Sources/CMedia",
      cSettings: mediaC,
      linkerSettings: mediaLink
    ),
    // Media I/O in Swift: RGBImage, ImageLoader, VideoWriter (MP4 / WebM / GIF / PNG frames), atomic output.
    .target(name: "I2VMedia", dependencies: ["CMedia", "I2VImage", "I2VSupport"]),
    // `i2v serve`: the web page and its HTTP API over a persistent job queue, on the same application layer.
    .target(
      name: "I2VServe",
      dependencies: [
        "I2VApp", "I2VModels", "I2VMedia", "I2VImage", "I2VTensor",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "MultipartKit", package: "multipart-kit"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      resources: [.embedInCode("Page")]
    ),
    .executableTarget(
      name: "i2v",
      dependencies: [
        "I2VTensor", "I2VCheckpoint", "I2VModels", "I2VApp", "I2VMedia", "I2VServe",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // The parsers as functions of arbitrary bytes, for libFuzzer (Scripts/fuzz.sh) and the corpus replay tests.
    .target(name: "I2VFuzz", dependencies: ["I2VApp", "I2VCheckpoint", "I2VMedia", "I2VModels", "I2VTensor"]),
    .target(name: "CFuzz", path: "Sources/CFuzz"),
    .executableTarget(name: "i2v-fuzz", dependencies: ["I2VFuzz", "CFuzz"]),
    .testTarget(name: "I2VTensorTests", dependencies: ["I2VTensor", "I2VCheckpoint"]),
    .testTarget(name: "I2VCheckpointTests", dependencies: ["I2VCheckpoint"]),
    // Runs the built i2v executable end to end (depends on it so `swift test` builds it first).
    .testTarget(
      name: "I2VCLITests", dependencies: ["i2v", "I2VCheckpoint", "I2VTensor", "I2VMedia", "I2VSupport", "I2VBrowserTesting"]),
    // Headless Chromium over the DevTools pipe, for the tests that check a page (analyze's report, serve's page).
    .target(name: "I2VBrowserTesting", path: "Tests/BrowserTesting"),
    .testTarget(name: "I2VModelsTests", dependencies: ["I2VModels", "I2VCheckpoint"]),
    .testTarget(name: "I2VAppTests", dependencies: ["I2VApp", "I2VModels", "I2VMedia", "I2VImage"]),
    .testTarget(name: "I2VMediaTests", dependencies: ["I2VMedia", "CMedia"]),
    .testTarget(name: "I2VFuzzTests", dependencies: ["I2VFuzz"]),
    .testTarget(
      name: "I2VServeTests",
      // Also runs the built i2v executable (restart and browser tests), so `swift test` builds it first.
      dependencies: ["i2v", "I2VServe", "I2VApp", "I2VMedia", "I2VBrowserTesting",
                     .product(name: "HummingbirdTesting", package: "hummingbird")]
    ),
  ],
  swiftLanguageModes: [.v5],
  cxxLanguageStandard: .cxx17
)
