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
        .library(name: "WhseClient", targets: ["WhseClient"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // Persistent hash maps for the committed view readers share with the writer (protocol.md 10).
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        // whsed-pgsink's PostgreSQL client (docs/pgsink.md).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Start-up, stop signals and graceful shutdown of the daemon (Sources/whsed/Lifecycle.swift).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // server.metrics: counters and histograms (swift-metrics) exposed as Prometheus text (swift-prometheus).
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1")
    ],
    targets: [
        // libsystemd through pkg-config: sd_listen_fds, sd_notify, sd_journal_send.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // SQLite from the system (Debian's libsqlite3-dev): the on-disk entry index
        // (Sources/WhseServer/EntryIndex.swift).
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
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
        // The client library: blocking and async calls over the socket, typed errors, idempotent retries.
        .target(name: "WhseClient", dependencies: ["WhseProtocol"]),
        // The state machine: every posting, live or replayed, goes through StateMachine.apply / replay and the typed
        // handlers. No I/O of its own beyond the log's append closure; imports neither NIO nor Foundation.
        .target(name: "WhseCore", dependencies: ["Warehouse", "WriteAheadLog", "WhseProtocol"]),
        // The daemon's machinery.
        .target(
            name: "WhseServer",
            dependencies: [
                "WhseCore", "Warehouse", "WriteAheadLog", "WhseProtocol", "CSystemd", "CSQLite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus")
            ]
        ),
        .executableTarget(
            name: "whsed",
            dependencies: [
                "WhseServer", "WriteAheadLog", "Warehouse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus")
            ]
        ),
        .executableTarget(
            name: "whsectl",
            dependencies: [
                "WhseClient", "WhseProtocol", "Warehouse", "WriteAheadLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        // Follows whsed's change feed into PostgreSQL, exactly once per (site, seq) (docs/pgsink.md).
        .executableTarget(
            name: "whsed-pgsink",
            dependencies: [
                "WhseProtocol", "Warehouse",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        // The load generator behind BENCHMARKS.md: standard library, Foundation and Glibc only.
        .executableTarget(name: "whsed-bench"),
        // libFuzzer targets (build with --sanitize=fuzzer, see scripts/fuzz); a plain build links them as no-ops.
        .executableTarget(
            name: "FuzzFramer",
            dependencies: ["WhseServer", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .executableTarget(name: "FuzzRequest", dependencies: ["WhseServer", "WhseCore", "WhseProtocol", "Warehouse"]),
        .executableTarget(name: "FuzzLogScan", dependencies: ["WriteAheadLog"]),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse"]),
        .testTarget(name: "WriteAheadLogTests", dependencies: ["WriteAheadLog"]),
        .testTarget(name: "WhseProtocolTests", dependencies: ["WhseProtocol", "Warehouse"]),
        .testTarget(
            name: "WhseServerTests",
            dependencies: ["WhseServer", "WhseCore", "WhseProtocol", "Warehouse", "WriteAheadLog"]),
        .testTarget(name: "EndToEndTests", dependencies: ["WhseClient", "WhseProtocol", "Warehouse"])
    ]
)
