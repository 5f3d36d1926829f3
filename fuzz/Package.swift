// swift-tools-version:6.2
// libFuzzer targets for the pure parsers, kept out of the main package because they only link
// with -sanitize=fuzzer. Build and run them with fuzz/run.
import PackageDescription

let package = Package(
    name: "meiduo-email-fuzz",
    dependencies: [.package(name: "meiduo-email", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzCookies", dependencies: ["FuzzDriver", .product(name: "MeiduoEmailCore", package: "meiduo-email")]),
        .executableTarget(name: "FuzzForm", dependencies: ["FuzzDriver", .product(name: "MeiduoEmailCore", package: "meiduo-email")]),
        .executableTarget(name: "FuzzJSON", dependencies: ["FuzzDriver", .product(name: "MeiduoEmailCore", package: "meiduo-email")]),
        .executableTarget(name: "FuzzPickle", dependencies: ["FuzzDriver", .product(name: "MeiduoEmailCore", package: "meiduo-email")]),
        .executableTarget(name: "FuzzToken", dependencies: ["FuzzDriver", .product(name: "MeiduoEmailCore", package: "meiduo-email")]),
    ]
)
