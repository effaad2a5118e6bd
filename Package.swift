// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "whsed",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "whsed", targets: ["whsed"]),
        .executable(name: "whsectl", targets: ["whsectl"]),
        .executable(name: "whsed-bench", targets: ["whsed-bench"]),
        .executable(name: "whsed-pgsink", targets: ["whsed-pgsink"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // Persistent hash maps for the committed view readers share with the writer (protocol.md 10).
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        // whsed-pgsink's PostgreSQL client (docs/pgsink.md).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // libsystemd through pkg-config: sd_listen_fds, sd_notify, sd_journal_send.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // The pure domain: no I/O, no clock.
        .target(
            name: "Warehouse",
            dependencies: [.product(name: "HashTreeCollections", package: "swift-collections")]
        ),
        // The file journal: framing, checksums, fsync, segments, snapshots, recovery.
        .target(name: "WriteAheadLog"),
        // The wire contract shared by daemon and client.
        .target(name: "WhseProtocol", dependencies: ["Warehouse"]),
        // The daemon's machinery.
        .target(
            name: "WhseServer",
            dependencies: [
                "Warehouse", "WriteAheadLog", "WhseProtocol", "CSystemd",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "whsed",
            dependencies: [
                "WhseServer", "WriteAheadLog", "Warehouse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "whsectl",
            dependencies: [
                "WhseProtocol", "Warehouse", "WriteAheadLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Follows whsed's change feed into PostgreSQL, exactly once per (site, seq) (docs/pgsink.md).
        .executableTarget(
            name: "whsed-pgsink",
            dependencies: [
                "WhseProtocol",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The load generator behind BENCHMARKS.md: standard library, Foundation and Glibc only.
        .executableTarget(name: "whsed-bench"),
        // libFuzzer targets (build with --sanitize=fuzzer, see scripts/fuzz); a plain build links them as no-ops.
        .executableTarget(
            name: "FuzzFramer",
            dependencies: ["WhseServer", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .executableTarget(name: "FuzzRequest", dependencies: ["WhseServer", "WhseProtocol", "Warehouse"]),
        .executableTarget(name: "FuzzLogScan", dependencies: ["WriteAheadLog"]),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse"]),
        .testTarget(name: "WriteAheadLogTests", dependencies: ["WriteAheadLog"]),
        .testTarget(name: "WhseProtocolTests", dependencies: ["WhseProtocol", "Warehouse"]),
        .testTarget(name: "WhseServerTests", dependencies: ["WhseServer", "WhseProtocol", "Warehouse", "WriteAheadLog"]),
        .testTarget(name: "EndToEndTests", dependencies: ["WhseProtocol", "Warehouse"]),
    ]
)
