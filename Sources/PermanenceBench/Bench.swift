import ArgumentParser
import Dispatch
import Foundation
import PermanenceCore

/// `permanenced-bench`: prints throughput and memory figures for the engine. Not a test: run it in release mode.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permanenced-bench",
        abstract: "Benchmarks for the deadline engine (run with swift run -c release permanenced-bench).",
        subcommands: [EngineBench.self, CalcBench.self, StoreBench.self, DaemonBench.self, SMTPBench.self, SSDA903Bench.self, ScorecardBench.self])
}

/// Peak resident memory of this process so far, in MiB (VmHWM).
func peakResidentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kb / 1024
    }
    return .nan
}

/// Seconds on a monotonic clock.
func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// Loads the shipped configuration from a directory (default `config`).
func loadShipped(_ path: String) throws -> RuleSet {
    func read(_ p: String) throws -> SourceFile { SourceFile(path: p, text: try String(contentsOfFile: p, encoding: .utf8)) }
    let configuration = try RuleSet.parseConfiguration(try read("\(path)/permanenced.toml"))
    let packs = try FileManager.default.contentsOfDirectory(atPath: "\(path)/rules.d").filter { $0.hasSuffix(".toml") }.sorted()
    var zone = ZoneRules.europeLondon
    if let data = FileManager.default.contents(atPath: "/usr/share/zoneinfo/Europe/London") {
        zone = try ZoneRules(identifier: "Europe/London", tzif: [UInt8](data))
    }
    return try RuleSet(
        configuration: configuration, vocabulary: try read("\(path)/vocabulary.toml"),
        packs: try packs.map { try read("\(path)/rules.d/\($0)") }, zone: zone)
}

/// A small deterministic generator (SplitMix64), so every run evaluates the same population.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
