// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "permanenced",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "permanenced", targets: ["permanenced"]),
        .executable(name: "permanenced-bench", targets: ["PermanenceBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Pure TOML 1.0 parser that keeps the line of every key (for error messages).
        .target(name: "TOML"),
        // Calendars, offsets, rules, cases, evaluation and notification planning. No I/O.
        .target(name: "PermanenceCore", dependencies: ["TOML", "SMTPCore"]),
        // SQLite's process-wide settings that only C can make (`sqlite3_config` is variadic).
        .target(name: "CSQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The store: SQLite through GRDB (schema, migrations, audit chain, imports, agenda queries).
        .target(
            name: "PermanenceStore",
            dependencies: [
                "PermanenceCore",
                "SMTPCore",
                "CSQLiteTuning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                // HMAC-SHA-256 for the audit chain.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The SMTP conversation (RFC 5321) as a state machine, and MIME/iCalendar composition. No I/O.
        .target(name: "SMTPCore"),
        // The SMTP client's I/O: SwiftNIO channel handlers running SMTPCore, TLS through NIOSSL.
        .target(
            name: "SMTPClient",
            dependencies: [
                "SMTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        // What emails say and when they go: digests, urgent notices, quiet hours, retries. No I/O.
        .target(
            name: "PermanenceMail",
            dependencies: ["PermanenceCore", "SMTPCore", .product(name: "Mustache", package: "swift-mustache")]
        ),
        // libsystemd: sd_journal_sendv, the journal reader and sd_notify (Debian: libsystemd-dev).
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // The daemon's decisions as pure state machines (schedule, delivery, mail, inbox). No I/O.
        .target(name: "PermanenceDaemonCore"),
        // Loading the configuration and rule packs from files (the daemon and the CLI alike).
        .target(name: "PermanenceConfig", dependencies: ["PermanenceCore", "PermanenceMail"]),
        // The systemd glue: the journal (writing and reading back), sd_notify, the log handler, the audit
        // chain's head in the journal.
        .target(
            name: "SystemdSupport",
            dependencies: ["PermanenceCore", "PermanenceStore", "CSystemd", .product(name: "Logging", package: "swift-log")]
        ),
        // The daemon's figures for Prometheus: counters the daemon bumps, gauges set from the store at each
        // scrape, rendered in the text exposition format. No I/O.
        .target(
            name: "PermanenceMetrics",
            dependencies: ["PermanenceCore", "PermanenceStore", .product(name: "Prometheus", package: "swift-prometheus")]
        ),
        // The daemon's I/O: the services of its ServiceGroup running the state machines' actions (store,
        // journal, SMTP, inotify, Dispatch timers).
        .target(
            name: "PermanenceDaemon",
            dependencies: [
                "PermanenceCore",
                "PermanenceDaemonCore",
                "PermanenceConfig",
                "PermanenceStore",
                "PermanenceMail",
                "SMTPCore",
                "SMTPClient",
                "SystemdSupport",
                "PermanenceMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The command-line tool: file I/O and formatting around PermanenceCore.
        .executableTarget(
            name: "permanenced",
            dependencies: [
                "PermanenceCore",
                "PermanenceConfig",
                "SystemdSupport",
                "PermanenceStore",
                "PermanenceDaemon",
                "PermanenceMail",
                "SMTPCore",
                "SMTPClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks that print figures (never timed unit tests).
        .executableTarget(
            name: "PermanenceBench",
            dependencies: [
                "PermanenceCore",
                "PermanenceConfig",
                "PermanenceStore",
                "PermanenceDaemon",
                "PermanenceMail",
                "SMTPCore",
                "SMTPClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the test targets (the shipped configuration, date shorthands).
        .target(name: "TestSupport", dependencies: ["PermanenceCore"], path: "Tests/TestSupport"),
        .testTarget(name: "TOMLTests", dependencies: ["TOML"]),
        .testTarget(
            name: "PermanenceCoreTests",
            dependencies: [
                "PermanenceCore",
                "SMTPCore",
                "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "PermanenceStoreTests",
            dependencies: [
                "PermanenceStore", "PermanenceCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "PermanenceDaemonTests",
            dependencies: ["PermanenceDaemon", "PermanenceDaemonCore", "PermanenceConfig", "SystemdSupport", "PermanenceStore", "PermanenceCore", "TestSupport"]
        ),
        .testTarget(name: "PermanenceDaemonCoreTests", dependencies: ["PermanenceDaemonCore"]),
        .testTarget(name: "PermanenceMetricsTests", dependencies: ["PermanenceMetrics", "PermanenceStore", "PermanenceCore", "TestSupport"]),
        .testTarget(name: "PermanenceConfigTests", dependencies: ["PermanenceConfig", "PermanenceCore", "TestSupport"]),
        .testTarget(name: "SystemdSupportTests", dependencies: ["SystemdSupport", "PermanenceCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SMTPCoreTests", dependencies: ["SMTPCore"]),
        .testTarget(name: "PermanenceMailTests", dependencies: ["PermanenceMail", "PermanenceCore", "SMTPCore", "TestSupport"]),
        .testTarget(
            name: "SMTPClientTests",
            dependencies: [
                "SMTPClient", "SMTPCore", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "permanencedTests",
            dependencies: ["permanenced", "PermanenceDaemon", "PermanenceConfig", "PermanenceMail", "SystemdSupport", "PermanenceCore", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
