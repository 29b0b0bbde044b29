// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "wheelcache",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wheelcache", targets: ["wheelcache"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // libarchive's headers at build time (libarchive-dev); the library itself is loaded with
        // dlopen on first use, so start-up and cache hits do not pay for it.
        .target(name: "CArchive", path: "Sources/CArchive", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "WheelModel",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "WheelArchive",
            dependencies: [
                "WheelModel", "CArchive", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // glibc's posix_spawn extensions for the process runner (WheelStore's ChildProcess).
        .target(name: "CSpawn", path: "Sources/CSpawn"),
        .target(
            name: "WheelStore",
            dependencies: [
                "WheelModel", "WheelArchive", "CSpawn",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "WheelBuild", dependencies: ["WheelModel", "WheelArchive", "WheelStore", "WheelFetch"]),
        .target(name: "CCurl", path: "Sources/CCurl", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "WheelFetch",
            dependencies: ["WheelModel", "WheelStore", "CCurl", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "WheelCache",
            dependencies: ["WheelModel", "WheelArchive", "WheelStore", "WheelBuild", "WheelFetch"]),
        .executableTarget(
            name: "wheelcache",
            dependencies: [
                "WheelCache",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "WheelModelTests", dependencies: ["WheelModel", "TestSupport"]),
        .testTarget(name: "WheelArchiveTests", dependencies: ["WheelArchive", "TestSupport"]),
        .testTarget(name: "WheelStoreTests", dependencies: ["WheelStore", "TestSupport"]),
        .testTarget(name: "WheelBuildTests", dependencies: ["WheelBuild", "WheelFetch", "TestSupport"]),
        .testTarget(name: "WheelFetchTests", dependencies: ["WheelFetch", "TestSupport"]),
        .testTarget(name: "WheelCacheTests", dependencies: ["WheelCache", "TestSupport"]),
        .testTarget(name: "wheelcacheTests", dependencies: ["TestSupport"]),
        .testTarget(name: "wheelcacheArgumentTests", dependencies: ["wheelcache", "TestSupport"]),
    ]
)
