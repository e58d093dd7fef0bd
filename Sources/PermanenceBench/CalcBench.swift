import ArgumentParser
import PermanenceCore

/// Runs `calc`-style working-day offsets through the precomputed index.
struct CalcBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calc", abstract: "Run N calc-style working-day offsets (random starts and offsets, three calendars).")

    @Option(help: "Number of offsets.")
    var count: Int = 1_000_000

    func run() throws {
        let calendars = Nation.allCases.map { WorkingCalendar(nation: $0) }
        let calculators = calendars.map { DateCalculator(zone: .europeLondon, calendar: $0) }
        var rng = SplitMix(state: 7)
        let first = LocalDate(year: 2020, month: 1, day: 1)!.dayNumber
        // Inputs are generated first so only the arithmetic is timed.
        var inputs: [(Int, LocalDate, Offset)] = []
        inputs.reserveCapacity(count)
        for i in 0..<count {
            let start = LocalDate(dayNumber: first + Int(rng.next() % 3650))
            let amount = Int(rng.next() % 121) - 60
            inputs.append((i % 3, start, Offset(amount, .workingDays)))
        }
        var checksum = 0
        let t0 = monotonicSeconds()
        for (c, start, offset) in inputs {
            checksum &+= try calculators[c].addToDate(offset, start).dayNumber
        }
        let elapsed = monotonicSeconds() - t0
        print("calc benchmark: \(count) working-day offsets over 3 calendars (checksum \(checksum))")
        print(String(format: "  elapsed         %.3f s  (%.1f million offsets/s, %.0f ns each)", elapsed, Double(count) / elapsed / 1e6, elapsed / Double(count) * 1e9))
        print(String(format: "  peak memory     %.1f MiB", peakResidentMiB()))
    }
}
