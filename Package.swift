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
    ],
    targets: [
        // Pure TOML 1.0 parser that keeps the line of every key (for error messages).
        .target(name: "TOML"),
        // Calendars, offsets, rules, cases, evaluation and notification planning. No I/O.
        .target(name: "PermanenceCore", dependencies: ["TOML"]),
        // The store: SQLite through GRDB (schema, migrations, audit chain, imports, agenda queries).
        .target(
            name: "PermanenceStore",
            dependencies: [
                "PermanenceCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The command-line tool: file I/O and formatting around PermanenceCore.
        .executableTarget(
            name: "permanenced",
            dependencies: [
                "PermanenceCore",
                "PermanenceStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks that print figures (never timed unit tests).
        .executableTarget(
            name: "PermanenceBench",
            dependencies: [
                "PermanenceCore",
                "PermanenceStore",
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
                "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "PermanenceStoreTests",
            dependencies: ["PermanenceStore", "PermanenceCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "permanencedTests", dependencies: ["permanenced"]),
    ],
    swiftLanguageModes: [.v6]
)
