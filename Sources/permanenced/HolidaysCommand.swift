import ArgumentParser
import PermanenceCore
import PermanenceConfig

/// `permanenced holidays`: the non-working weekdays of a calendar, as the engine uses them.
struct HolidaysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "holidays",
        abstract: "List the bank holidays and closures of a calendar for a year, with the authority's adjustments.")

    @Option(help: "Calendar name (default: the configured default).")
    var calendar: String?

    @Option(help: "Year (default: the current year).")
    var year: Int?

    @Option(help: "Configuration file (default: $PERMANENCED_CONFIG or /etc/permanenced/permanenced.toml).")
    var config: String?

    func run() throws {
        let set: RuleSet
        do {
            (set, _) = try ConfigLoader.load(ConfigLoader.path(config))
        } catch {
            throw Failure.report("\(error)", status: 1)
        }
        let name = calendar ?? set.configuration.defaultCalendar
        guard let cal = set.calendars[name] else {
            throw Failure.report("unknown calendar '\(name)'; expected one of \(set.calendars.keys.sorted().joined(separator: ", "))", status: 2)
        }
        let y = year ?? set.zone.localDate(at: Clock.now()).year
        let source = BankHolidays.publishedYears.contains(y) ? "published list" : "generated from the rules"
        say("\(cal.name) \(y) (\(cal.nation.displayName), \(source)):")
        for h in cal.holidays(inYear: y) {
            say("  \(h.date)  \(weekdayShort(h.date))  \(h.name)")
        }
    }
}

func weekdayShort(_ d: LocalDate) -> String {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d.weekday - 1]
}
