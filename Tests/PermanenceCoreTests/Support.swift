import Foundation
import PermanenceCore
@_exported import TestSupport

/// A minimal vocabulary for rule tests.
let testVocabulary = """
    [plans]
    adoption = "Adoption"
    long-term-fostering = "Long-term fostering"

    [roles]
    social-worker = "SW"
    permanence-sw = "Permanence SW"
    team-manager = "TM"
    service-manager = "SM"
    iro = "IRO"
    family-finder = "FF"

    [events.placed-for-adoption]
    means = "Placed"
    [events.visit]
    means = "Visit"
    [events.review]
    means = "Review"
    [events.six-week-review]
    means = "Six-week review"
    counts-as = ["review"]
    [events.adoption-order]
    means = "Adoption order"
    [events.placement-order]
    means = "PO"
    [events.exception-report]
    means = "Exception report"
    [events.adoption-application-lodged]
    means = "Application"
    [events.family-finding-started]
    means = "FF started"
    [events.family-finding-review]
    means = "FF review"
    [events.match-agreed]
    means = "Match"
    [events.final-hearing]
    means = "Hearing"
    [events.profile-live]
    means = "Profile"
    """

/// A rule set from inline TOML, on the built-in Europe/London zone.
func ruleSet(packs: [String], config: String = "", vocabulary: String = testVocabulary, zone: ZoneRules = .europeLondon, directory: String = "") throws -> RuleSet {
    let configuration = try RuleSet.parseConfiguration(SourceFile(path: "\(directory)test.toml", text: config))
    return try RuleSet(
        configuration: configuration, vocabulary: SourceFile(path: "\(directory)vocabulary.toml", text: vocabulary),
        packs: packs.enumerated().map { SourceFile(path: "\(directory)pack\($0.offset).toml", text: $0.element) }, zone: zone)
}

/// Events for one case, written compactly: (id, kind, ISO time).
func events(_ list: [(String, String, String)], caseRef: String = "C1") -> [CaseEvent] {
    list.map { id, kind, at in
        let p = try! TimePoint.parse(at, zone: .europeLondon)
        switch p {
        case .date(let d):
            return CaseEvent(id: id, caseRef: caseRef, kind: kind, at: ZoneRules.europeLondon.startOfDay(d), dateOnly: true)
        case .dateTime(_, let i):
            return CaseEvent(id: id, caseRef: caseRef, kind: kind, at: i)
        }
    }
}

/// A case's full team, one worker per role the shipped rules name, for evaluation and planning tests.
let shippedTeam = [
    "social-worker": "w.adeyemi", "permanence-sw": "s.patel", "team-manager": "r.hughes",
    "service-manager": "d.morgan", "iro": "k.lewis", "family-finder": "f.begum",
]

extension CaseEvaluation {
    /// The id of the event `pick` chooses from each deadline of `rule` that has a date, in order (nil where
    /// the deadline has no such event).
    func ids(_ rule: String, _ pick: (Deadline.Computed) -> Deadline.EventRef?) -> [String?] {
        deadlines.filter { $0.ruleID == rule }.compactMap(\.computed).map { pick($0).map(id) }
    }
}
