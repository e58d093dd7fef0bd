import ArgumentParser
import Dispatch
import Foundation
import PermanenceConfig
import PermanenceCore

/// `permanenced-bench`: prints throughput and memory figures for the engine. Not a test: run it in release mode.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permanenced-bench",
        abstract: "Benchmarks for the deadline engine (run with swift run -c release permanenced-bench).",
        subcommands: [EngineBench.self, CalcBench.self, StoreBench.self, HistoryBench.self, DaemonBench.self, SMTPBench.self, SSDA903Bench.self, ScorecardBench.self])
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

/// Loads the shipped configuration from a directory (default `config`) as the daemon and the CLI do
/// (`ConfigLoader`), so a store the benchmarks make has the rules fingerprint the daemon expects and is
/// not recomputed on its first opening.
func loadShipped(_ path: String) throws -> RuleSet {
    try ConfigLoader.load("\(path)/permanenced.toml").0
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
