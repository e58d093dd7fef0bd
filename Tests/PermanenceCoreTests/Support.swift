import Foundation
import PermanenceCore
@_exported import TestSupport

/// A minimal vocabulary for rule tests.


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
