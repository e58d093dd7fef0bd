import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceConfig

/// `permanenced calc START OFFSET`: date arithmetic as the rules do it.
struct CalcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calc",
        abstract: "Add an offset to a date or date-time, as the rules do (e.g. 20 working days after 14 December in Scotland).",
        discussion: """
            START is YYYY-MM-DD, a local date-time YYYY-MM-DDTHH:MM[:SS], or one with an offset (±HH:MM or Z).
            OFFSET is [+|-]N followed by h (elapsed hours), d (days), w (weeks), mo (calendar months, clamped to
            the month's end) or wd (working days; day 0 is the start day). Hours need a date-time start.
            Uses the calendars and time zone of the configuration when it exists, the built-in ones otherwise.
            Exit status 2 for any invalid input.
            """)

    /// START and OFFSET; captured raw so that a negative offset such as -3wd is not taken for an option.
    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp("START (date or date-time) and OFFSET (e.g. 72h, 28d, 40w, 3mo, -3wd).", valueName: "start> <offset"))
    var values: [String] = []

    private var args: [String] { values.filter { $0 != "--" } }
    var start: String { args[0] }
    var offset: String { args[1] }

    func validate() throws {
        guard WorkingDays(rawValue: workingDays) != nil else {
            throw ValidationError("--working-days: '\(workingDays)' is not one of \(WorkingDays.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard args.count == 2 else {
            throw ValidationError("expected START and OFFSET, e.g. permanenced calc 2026-12-14 +20wd --calendar scotland")
        }
    }

    @Option(help: "Working-day calendar: england-and-wales, scotland, northern-ireland, or one from the configuration.")
    var calendar: String?

    @Option(help: "Which working days wd counts: local (the calendar with the council's closures) or statutory (weekends and bank holidays only, as regulations define a working day).")
    var workingDays: String = "local"

    @Flag(help: "Print a JSON object with the result and the steps taken.")
    var json = false

    @Option(help: "Configuration file (default: $PERMANENCED_CONFIG or /etc/permanenced/permanenced.toml, if present).")
    var config: String?

    func run() throws {
        let (zone, calendars, defaultCalendar) = try environment(WorkingDays(rawValue: workingDays) ?? .local)
        let name = calendar ?? defaultCalendar
        guard let cal = calendars[name] else {
            throw Failure.report("unknown calendar '\(name)'; expected one of \(calendars.keys.sorted().joined(separator: ", "))", status: 2)
        }
        let calc = DateCalculator(zone: zone, calendar: cal)
        do {
            let point = try TimePoint.parse(start, zone: zone)
            let off = try Offset.parse(offset)
            let result = try calc.calculate(off, from: point)
            let text = Self.format(result.result, zone: zone)
            if json {
                say(JSON.object([
                    ("start", .string(Self.format(point, zone: zone))),
                    ("offset", .string(off.signedDescription)),
                    ("calendar", .string(cal.name)),
                    ("working_days", .string(workingDays)),
                    ("time_zone", .string(zone.identifier)),
                    ("result", .string(text)),
                    ("steps", .array(result.steps.map { .string($0.description) })),
                ]).rendered())
            } else {
                say(text)
            }
        } catch let e as TimePoint.ParseError {
            throw Failure.report("START: \(e)", status: 2)
        } catch let e as Offset.ParseError {
            throw Failure.report("OFFSET: \(e)", status: 2)
        } catch let e as DateCalculator.Failure {
            throw Failure.report(e.description, status: 2)
        }
    }

    /// A date for a date, `YYYY-MM-DDTHH:MM:SS±HH:MM` for a date-time.
    static func format(_ p: TimePoint, zone: ZoneRules) -> String {
        switch p {
        case .date(let d): return d.description
        case .dateTime(_, let i): return zone.iso8601(i)
        }
    }

    private func environment(_ kind: WorkingDays) throws -> (ZoneRules, [String: WorkingCalendar], String) {
        let path = ConfigLoader.path(config)
        if config != nil || FileManager.default.fileExists(atPath: path) {
            do {
                let (set, _) = try ConfigLoader.load(path)
                return (set.zone, kind == .statutory ? set.statutoryCalendars : set.calendars, set.configuration.defaultCalendar)
            } catch {
                throw Failure.report("\(error)", status: 2)
            }
        }
        var calendars: [String: WorkingCalendar] = [:]
        for n in Nation.allCases { calendars[n.rawValue] = WorkingCalendar(nation: n) }
        let zone = (try? ConfigLoader.loadZone("Europe/London", configPath: path)) ?? .europeLondon
        return (zone, calendars, Nation.englandAndWales.rawValue)
    }
}
