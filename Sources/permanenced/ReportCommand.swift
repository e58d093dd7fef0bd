import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceStore

/// `permanenced report`: figures over the whole authority.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Figures over the whole authority.", subcommands: [ScorecardReport.self])
}

/// `permanenced report scorecard`: the adoption scorecard's timeliness measures over the children adopted in a
/// window, per team and for the whole authority, with each child's figures for the data team to check.
struct ScorecardReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorecard",
        abstract: "The adoption scorecard (A1, A2, A3, A10) over the children adopted from --from to --until, per team and for the authority.",
        discussion: "A child counts in the window its adoption order falls in (--until not included). Teams are the cases' team managers. docs/scorecard.md says how each measure is computed.")

    @Option(help: "The first day of the window (YYYY-MM-DD).") var from: String
    @Option(help: "The day after the window (YYYY-MM-DD): --from 2025-04-01 --until 2026-04-01 is the year ending 31 March 2026.") var until: String
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print one CSV row per child.") var csv = false
    @OptionGroup var options: StoreOptions

    func validate() throws {
        if json && csv { throw ValidationError("give --json or --csv, not both") }
    }

    /// One child's figures, with its case and team.
    struct Row {
        let caseRef: String
        let team: String
        let f: AdoptionScorecard.Figures
    }

    func run() throws {
        let (set, store) = try options.open(creating: false, writing: false)
        let start = try day(from, "--from", set.zone), end = try day(until, "--until", set.zone)
        guard start < end else { throw Failure.report("--until \(until) must be after --from \(from)", status: 2) }
        var rows: [Row] = []
        try store.forEachAdoptedCase(from: set.zone.startOfDay(start), until: set.zone.startOfDay(end)) { c, events in
            guard let f = AdoptionScorecard.figures(of: events, ruleSet: set), let adopted = f.adopted, adopted >= start, adopted < end else { return }
            rows.append(Row(caseRef: c.reference, team: c.assignments["team-manager"] ?? "", f: f))
        }
        let t = set.configuration.scorecard
        if csv {
            print("case,team,entered_care,moved_in,authority_to_place,match,a1_days,a2_days,a10_days,a3_under_14_months,adopted,foster_carer_adoption")
            for r in rows {
                let f = r.f
                let cells: [String] = [
                    r.caseRef, r.team, text(f.enteredCare), text(f.movedIn), text(f.authorityToPlace), text(f.match),
                    text(f.a1Days), text(f.a2Days), text(f.a10Days), f.a3Under(t).map { $0 ? "yes" : "no" } ?? "", text(f.adopted),
                    f.fosterCarerAdoption ? "yes" : "no",
                ]
                print(cells.map(csvField).joined(separator: ","))
            }
            return
        }
        let teams = Dictionary(grouping: rows, by: \.team).sorted { $0.key < $1.key }
        if json {
            func measures(_ list: [Row]) -> JSON {
                let m = Measures(list, t)
                return .object([
                    ("children", .int(list.count)), ("a1_days", m.a1.map { .int($0) } ?? .null), ("a10_days", m.a10.map { .int($0) } ?? .null),
                    ("a2_days", m.a2.map { .int($0) } ?? .null), ("a3_under", .int(m.a3Under)), ("a3_counted", .int(m.a3Counted)),
                    ("a3_percent", m.a3Percent.map { .int($0) } ?? .null),
                ])
            }
            func date(_ d: LocalDate?) -> JSON { .optional(d.map { "\($0)" }) }
            func int(_ i: Int?) -> JSON { i.map { .int($0) } ?? .null }
            say(JSON.object([
                ("from", .string("\(start)")), ("until", .string("\(end)")),
                ("thresholds", .object([("a1", .string("\(t.a1)")), ("a2", .string("\(t.a2)")), ("a3", .string("\(t.a3)"))])),
                ("authority", measures(rows)),
                ("teams", .array(teams.map { team, list in .object([("team", .string(team)), ("measures", measures(list))]) })),
                ("children", .array(rows.map { r in
                    .object([
                        ("case", .string(r.caseRef)), ("team", .string(r.team)), ("entered_care", date(r.f.enteredCare)), ("moved_in", date(r.f.movedIn)),
                        ("authority_to_place", date(r.f.authorityToPlace)), ("match", date(r.f.match)), ("adopted", date(r.f.adopted)),
                        ("foster_carer_adoption", .bool(r.f.fosterCarerAdoption)), ("a10_counts_to", date(r.f.a10MovedIn)),
                        ("a1_days", int(r.f.a1Days)), ("a2_days", int(r.f.a2Days)), ("a10_days", int(r.f.a10Days)),
                        ("a3_under_threshold", r.f.a3Under(t).map { .bool($0) } ?? .null),
                    ])
                })),
            ]).rendered())
            return
        }
        say("Adoption scorecard: children adopted from \(start) to \(end.adding(days: -1)) (thresholds: A1 and A10 \(t.a1.phrase), A2 \(t.a2.phrase), A3 under \(t.a3.phrase))")
        func line(_ name: String, _ list: [Row]) -> String {
            let m = Measures(list, t)
            func days(_ d: Int?) -> String { d.map { "\($0) days" } ?? "-" }
            return "\(name): \(list.count) child(ren); A1 \(days(m.a1)), A10 \(days(m.a10)), A2 \(days(m.a2)), A3 \(m.a3Percent.map { "\($0)%" } ?? "-") (\(m.a3Under) of \(m.a3Counted)) under \(t.a3.phrase)"
        }
        say(line("authority", rows))
        for (team, list) in teams { say(line("team \(team.isEmpty ? "(no team manager)" : team)", list)) }
        if !rows.isEmpty { say("") }
        for r in rows {
            say("\(r.caseRef)  team \(r.team.isEmpty ? "-" : r.team)  entered care \(text(r.f.enteredCare))  moved in \(text(r.f.movedIn))  authority \(text(r.f.authorityToPlace))  match \(text(r.f.match))  adopted \(text(r.f.adopted))  A1 \(text(r.f.a1Days))  A10 \(text(r.f.a10Days))\(r.f.fosterCarerAdoption ? " (foster carer adoption)" : "")  A2 \(text(r.f.a2Days))")
        }
    }

    /// The means (to the nearest day) and the A3 count over children, each measure over the children it applies to.
    struct Measures {
        let a1: Int?, a10: Int?, a2: Int?
        let a3Under: Int, a3Counted: Int
        var a3Percent: Int? { a3Counted == 0 ? nil : Int((Double(a3Under) * 100 / Double(a3Counted)).rounded()) }

        init(_ rows: [Row], _ t: AdoptionScorecard.Thresholds) {
            func mean(_ values: [Int]) -> Int? { values.isEmpty ? nil : Int((Double(values.reduce(0, +)) / Double(values.count)).rounded()) }
            a1 = mean(rows.compactMap(\.f.a1Days))
            a10 = mean(rows.compactMap(\.f.a10Days))
            // Children not placed for adoption before the order, or with no authority to place, are not counted.
            a2 = mean(rows.filter { $0.f.movedIn != nil }.compactMap(\.f.a2Days))
            let a3 = rows.compactMap { $0.f.a3Under(t) }
            a3Under = a3.filter { $0 }.count
            a3Counted = a3.count
        }
    }

    private func text(_ d: LocalDate?) -> String { d.map { "\($0)" } ?? "" }
    private func text(_ i: Int?) -> String { i.map { "\($0)" } ?? "" }

    private func day(_ s: String, _ option: String, _ zone: ZoneRules) throws -> LocalDate {
        guard case .date(let d)? = try? TimePoint.parse(s, zone: zone) else {
            throw Failure.report("\(option): '\(s)' is not a day YYYY-MM-DD", status: 2)
        }
        return d
    }
}
