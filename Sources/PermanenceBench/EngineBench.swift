import ArgumentParser
import Dispatch
import Foundation
import PermanenceCore
import PermanenceDaemon

/// Evaluates every shipped rule for a synthetic population of cases with realistic event histories.
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine", abstract: "Evaluate all shipped rules for N synthetic cases; print cases per second and peak memory.")

    @Option(help: "Number of cases.")
    var cases: Int = 100_000

    @Option(help: "Configuration directory.")
    var config: String = "config"

    @Option(help: "Worker threads (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Also plan the notifications of the next 14 days for every case.")
    var plan = false

    @Flag(help: "With --plan: also catch up each open deadline already past some of its notices, as a daemon's first start does.")
    var catchUp = false

    func run() throws {
        let set = try loadShipped(config)
        let now = set.zone.startOfDay(LocalDate(year: 2026, month: 11, day: 23)!)
        let generateStart = monotonicSeconds()
        let population = Population.generate(count: cases, ruleSet: set, now: now)
        let generated = monotonicSeconds() - generateStart
        let eventCount = population.reduce(0) { $0 + $1.kinds.count }
        let kindNames = set.vocabulary.events.map(\.name)
        let memoryBefore = peakResidentMiB()

        let chunks = max(1, threads)
        // A rule set for each thread, as separate processes would have. The daemon shares one between its
        // evaluating threads; now that the evaluator borrows rules without counting references, a shared set
        // measures within this machine's noise of this (0.50-0.57 s against 0.50-0.54 s, six runs each).
        let sets = try [set] + (1..<chunks).map { _ in try loadShipped(config) }
        let totals = Totals(count: chunks)
        let until = now.adding(seconds: 14 * 86_400)
        let start = monotonicSeconds()
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let evaluator = Evaluator(ruleSet: sets[chunk])
            let planner = NotificationPlanner(ruleSet: sets[chunk])
            let zone = sets[chunk].zone
            // Event kind names of this thread's own: events read from the store have strings of their own,
            // and every event sharing one string with another core would bounce its reference count.
            let kindNames = kindNames.map { String(decoding: Array($0.utf8), as: UTF8.self) }
            // Event ids of this thread's own too, for the same reason.
            let ids = (0..<1000).map { "e\($0)" }
            var deadlines = 0
            var open = 0
            var cannot = 0
            var notifications = 0
            // Batches of cases in turn, as the daemon's schedule build hands them to its evaluating threads
            // (`ScheduleBuilder`): neighbouring cases on one thread, not on alternate ones, whose values
            // would share cache lines written by both cores.
            var batch = chunk * Daemon.evaluationBatch
            while batch < population.count {
                for i in batch..<min(batch + Daemon.evaluationBatch, population.count) {
                    let p = population[i]
                    let evaluation = evaluator.evaluate(p.caseRecord, events: p.events(kindNames: kindNames, ids: ids))
                    deadlines += evaluation.deadlines.count
                    for d in evaluation.deadlines {
                        let s = d.status(at: now, zone: zone)
                        if s.isOpen { open += 1 } else if s == .cannotCompute || s == .waiting { cannot += 1 }
                    }
                    if plan { notifications += planner.plan(evaluation, from: now, until: until, catchUp: catchUp).count }
                }
                batch += chunks * Daemon.evaluationBatch
            }
            totals.set(chunk, [deadlines, open, cannot, notifications])
        }
        let elapsed = monotonicSeconds() - start
        let sum = totals.sum()
        print("engine benchmark: \(set.rules.count) rules in \(set.packs.count) packs, \(threads) thread(s)")
        print(String(format: "  population      %d cases, %d events (generated in %.2f s)", cases, eventCount, generated))
        print(String(format: "  deadlines       %d (%d open, %d waiting for their anchor or cannot be computed)", sum[0], sum[1], sum[2]))
        if plan { print("  notifications   \(sum[3]) in the next 14 days\(catchUp ? ", and the rung each open deadline already passed" : "")") }
        print(String(format: "  evaluation      %.3f s  (%.0f cases/s; target < 0.5 s for 100,000, moonshot 0.3 s)", elapsed, Double(cases) / elapsed))
        print(String(format: "  peak memory     %.1f MiB (%.1f MiB after generating the population; target < 300 MB)", peakResidentMiB(), memoryBefore))
    }
}

/// Per-thread counters, written once per thread.
final class Totals: @unchecked Sendable {
    private var values: [[Int]]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: [0, 0, 0, 0], count: count) }

    func set(_ i: Int, _ v: [Int]) {
        lock.lock()
        values[i] = v
        lock.unlock()
    }

    func sum() -> [Int] {
        values.reduce([0, 0, 0, 0]) { a, b in zip(a, b).map { $0 + $1 } }
    }
}
