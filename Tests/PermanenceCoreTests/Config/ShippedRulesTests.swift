import Foundation
import Testing

@testable import PermanenceCore

/// The rule packs in `config/rules.d` cover every timescale of the source documents.
@Suite struct ShippedRulesTests {
    /// Every row id of `shared/DEADLINES.md`, by document.
    static let deadlineRows = [
        // 000 Leicestershire
        "allocate-permanence-sw", "profile-on-linkmaker", "profile-at-ff-meeting", "interagency-discussion",
        "matching-meeting", "validation-visit", "decision-to-proceed", "cpr-to-medical-adviser", "panel-outcome-to-carers",
        "final-intro-plan", "carer-support-contact", "carer-virtual-contact", "post-placement-visit",
        "six-week-support-visit", "first-review", "statutory-visits", "closure-summary",
        // 001 Calderdale
        "initial-ppm (PLO)", "initial-ppm (looked after)", "ppm-recurring", "ppm-after-final-order", "first-cla-review",
        "second-cla-review", "allocate-family-finder", "adoption-medical-booked / -done", "adoption-plan-weeks",
        "link-response", "decision-after-family-visit", "services-in-place", "support-plan-review", "adoption-application",
        "exception-report-week-40", "placement-suitability-review", "ltf-annual-review",
        // 002 Mosaic workflow
        "family-finding-review",
        // 003 practitioners' guide
        "placement-planning-meeting", "first-cic-review", "second-cic-review (plan agreed)", "court-timetable",
        // 004 Scotland
        "planning-meeting-72h", "early-review (PACE)", "minutes-distributed", "lac-report-before-review", "six-week-review",
        "three-month-review", "pre-permanence-review", "pre-permanence-report", "kinship-assessment",
        "permanence-recommendation", "further-review", "permanence-panel",
    ]

    @Test func theShippedConfigurationIsValid() throws {
        let set = try shippedRuleSet()
        #expect(set.packs.count == 11)
        #expect(set.rules.count >= Self.deadlineRows.count)
    }

    @Test func everyRowOfDeadlinesIsCovered() throws {
        let set = try shippedRuleSet()
        let covered = Set(set.rules.flatMap { [$0.id] + $0.covers })
        for row in Self.deadlineRows {
            #expect(covered.contains(row), "no rule covers '\(row)'")
        }
        // Every rule cites its source.
        for r in set.rules { #expect(!r.source.isEmpty, "\(r.id) has no source") }
    }

    @Test func theRowListMatchesSharedDeadlinesWhenPresent() throws {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/DEADLINES.md")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return }
        var rows: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| id") {
            let cell = line.split(separator: "|", omittingEmptySubsequences: false)[1].trimmingCharacters(in: .whitespaces)
            let id = cell.replacingOccurrences(of: "**", with: "")
            if id.contains("(28-day ROA)") { rows.append("first-review"); continue }
            rows.append(id)
        }
        // 002 is a workflow description with no table; its timescale is the 3-month family-finding review.
        rows.append("family-finding-review")
        #expect(Set(rows) == Set(Self.deadlineRows))
    }

    @Test func theFourRulesUsersAskAboutFirst() throws {
        let set = try shippedRuleSet()
        func rule(_ id: String) throws -> Rule { try #require(set.rules.first { $0.id == id }) }
        let visit = try rule("post-placement-visit")
        // Each placement for adoption starts them again (the period's start is the anchor).
        #expect(visit.scope == "adoptive-placement" && visit.anchor.isEmpty && visit.due == Offset(72, .hours) && visit.metBy == ["visit"])
        #expect(visit.mootIf.isEmpty && visit.recurrence == nil)
        let review = try rule("adoption-review-28-day")
        #expect(review.scope == "adoptive-placement" && review.due == Offset(28, .days) && review.metBy == ["review"])
        #expect(review.recurrence == Recurrence(every: [Offset(3, .months), Offset(6, .months)]))
        let exception = try rule("exception-report-week-40")
        #expect(exception.scope == "authority-to-place" && exception.anchor.isEmpty && exception.due == Offset(40, .weeks))
        #expect(exception.metBy == ["exception-report"] && exception.mootIf == ["adoption-application-lodged"])
        let ff = try rule("family-finding-review")
        #expect(ff.anchor.first == "family-finding-started" && ff.due == Offset(3, .months))
        let over = ["match-agreed", "placed-for-adoption", "adoption-order", "ceased-looked-after"]
        #expect(ff.metBy == ["family-finding-review"] && ff.mootIf == over)
        #expect(ff.recurrence == Recurrence(every: [Offset(3, .months)], until: over))
    }

    @Test func statutoryReviewAndVisitTimescales() throws {
        let set = try shippedRuleSet()
        let byID = Dictionary(uniqueKeysWithValues: set.rules.map { ($0.id, $0) })
        #expect(byID["cppcr-reviews"]?.due == Offset(20, .workingDays))
        #expect(byID["cppcr-reviews"]?.recurrence?.every == [Offset(3, .months), Offset(6, .months)])
        #expect(byID["cppcr-visits"]?.recurrence?.every == [Offset(6, .weeks)])
        #expect(byID["aar-weekly-visits"]?.due == Offset(1, .weeks))
        #expect(byID["lac-scotland-reviews"]?.due == Offset(6, .weeks))
        #expect(byID["lac-scotland-visits"]?.recurrence?.every == [Offset(3, .months)])
    }

    @Test func everyStatutoryRuleIsListedByNationInTheRulesDocument() throws {
        // docs/rules.md lists every statutory timescale per nation, with its citation.
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let byNation = doc.components(separatedBy: "## Statutory timescales by nation").last ?? ""
        let set = try shippedRuleSet()
        let statutory = Set(set.packs.filter(\.statutory).map(\.id))
        let rules = set.rules.filter { statutory.contains($0.pack) }
        #expect(rules.count > 40)
        for r in rules { #expect(byNation.contains("`\(r.id)`"), "docs/rules.md does not list \(r.id)") }
    }

    @Test func theEventsDocumentIsUpToDate() throws {
        // docs/events.md is generated by `permanenced vocabulary`; every event must appear in it.
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/events.md"), encoding: .utf8)
        let set = try shippedRuleSet()
        for e in set.vocabulary.events { #expect(doc.contains("| `\(e.name)` |"), "docs/events.md lacks \(e.name)") }
        for r in set.vocabulary.roles { #expect(doc.contains("| `\(r.name)` |"), "docs/events.md lacks role \(r.name)") }
    }
}
