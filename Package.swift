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
        // glibc's posix_spawn extensions for the process runner (WheelSystem's ChildProcess).
        .target(name: "CSpawn", path: "Sources/CSpawn"),
        // Processes, locks, file trees and writes, digests, threads, path and text helpers:
        // below everything, so the cache, fetching and building share them as siblings.
        .target(
            name: "WheelSystem",
            dependencies: ["CSpawn", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "WheelModel",
            dependencies: ["WheelSystem", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "WheelArchive",
            dependencies: [
                "WheelSystem", "WheelModel", "CArchive", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "WheelStore", dependencies: ["WheelSystem", "WheelModel", "WheelArchive", "CSpawn"]),
        .target(name: "WheelBuild", dependencies: ["WheelSystem", "WheelModel", "WheelArchive", "WheelFetch"]),
        .target(name: "CCurl", path: "Sources/CCurl", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "WheelFetch",
            dependencies: ["WheelSystem", "WheelModel", "CCurl", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "WheelCache",
            dependencies: ["WheelSystem", "WheelModel", "WheelArchive", "WheelStore", "WheelBuild", "WheelFetch"]),
        .executableTarget(
            name: "wheelcache",
            dependencies: [
                "WheelCache",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "WheelSystemTests", dependencies: ["WheelSystem", "TestSupport"]),
        .testTarget(name: "WheelModelTests", dependencies: ["WheelModel", "WheelSystem", "TestSupport"]),
        .testTarget(name: "WheelArchiveTests", dependencies: ["WheelArchive", "WheelSystem", "TestSupport"]),
        .testTarget(name: "WheelStoreTests", dependencies: ["WheelStore", "WheelSystem", "TestSupport"]),
        .testTarget(name: "WheelBuildTests", dependencies: ["WheelBuild", "WheelFetch", "WheelSystem", "TestSupport"]),
        .testTarget(name: "WheelFetchTests", dependencies: ["WheelFetch", "WheelSystem", "TestSupport"]),
        .testTarget(name: "WheelCacheTests", dependencies: ["WheelCache", "WheelSystem", "TestSupport"]),
        .testTarget(name: "wheelcacheTests", dependencies: ["TestSupport"]),
        .testTarget(name: "wheelcacheArgumentTests", dependencies: ["wheelcache", "TestSupport"]),
    ]
)
