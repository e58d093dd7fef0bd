import PermanenceCore

/// Synthetic cases with event histories shaped like real ones: care entry, placements of several types
/// with moves, visits and reviews at roughly the statutory rhythm (some late), family finding, orders,
/// placement for adoption with some disruptions and second placements, and re-entries to care.
///
/// Held compactly (a kind and a time per event), as rows in a store would be, and turned into `CaseEvent`
/// values one case at a time, as the daemon does when it reads a case.
struct Population {
    let caseRecord: ChildCase
    let kinds: [UInt16]
    let times: [Int]

    /// The case's events as the engine takes them; ids are shared small strings.
    func events(kindNames: [String], ids: [String]) -> [CaseEvent] {
        var out: [CaseEvent] = []
        out.reserveCapacity(kinds.count)
        for i in kinds.indices {
            out.append(CaseEvent(
                id: ids[i], caseRef: caseRecord.reference, kind: kindNames[Int(kinds[i])], at: Instant(seconds: times[i])))
        }
        return out
    }

    static func generate(count: Int, ruleSet: RuleSet, now: Instant) -> [Population] {
        var rng = SplitMix(state: 42)
        let englandPacks = ["england-statutory", "england-adoption-statutory", "leicestershire-family-finding",
                            "calderdale-permanence", "mosaic-permanence-workflow", "england-practitioners-guide"]
        let scotlandPacks = ["scotland-statutory", "scotland-permanence-process", "mosaic-permanence-workflow"]
        let plans = ["adoption", "long-term-fostering", "reunification", "special-guardianship", "adoption"]
        let assignments = ["social-worker": "sw", "permanence-sw": "psw", "team-manager": "tm", "iro": "iro",
                           "family-finder": "ff", "service-manager": "sm", "practice-manager": "pm"]
        // Kinds are taken from one array so every event shares the same string storage.
        let kinds = ruleSet.vocabulary.events.map(\.name)
        func kind(_ name: String) -> String { kinds.first { $0 == name }! }
        let k = (
            lookedAfter: kind("became-looked-after"), placed: kind("placed"), visit: kind("visit"), review: kind("review"),
            ppm: kind("ppm"), gateway: kind("gateway-decision"), po: kind("placement-order"),
            ffStarted: kind("family-finding-started"), ffReview: kind("family-finding-review"),
            pfa: kind("placed-for-adoption"), hearing: kind("final-hearing"), planning: kind("placement-planning-meeting"),
            bid: kind("best-interest-decision"), ltfMatch: kind("ltf-match"), issued: kind("proceedings-issued"),
            early: kind("early-review"), sixWeek: kind("six-week-review"), report: kind("lac-report-submitted"),
            ceased: kind("ceased-looked-after"), ended: kind("placement-ended"),
            types: ["placed-foster", "placed-connected-person", "placed-residential", "placed-with-parent", "placed-kinship"].map(kind)
        )
        var out: [Population] = []
        out.reserveCapacity(count)
        for n in 0..<count {
            let scotland = n % 5 == 4
            let plan = plans[Int(rng.next() % UInt64(plans.count))]
            let ref = "C\(n)"
            // Arrays and dictionaries of its own, as each case read from the store has: one buffer shared by
            // every case would have both cores bump its reference count for every case.
            let c = ChildCase(
                reference: ref, plan: plan, calendar: scotland ? "scotland" : "england-and-wales",
                packs: (scotland ? scotlandPacks : englandPacks).map { $0 },
                assignments: Dictionary(uniqueKeysWithValues: assignments.map { ($0.key, $0.value) }))
            // Came into care 0 to 3 years ago, at a working-hours time.
            let start = now.adding(seconds: -Int(rng.next() % (3 * 365 * 86_400)) - 86_400)
            var list: [(kind: UInt16, at: Int)] = []
            func add(_ kind: String, _ at: Instant) {
                guard at <= now || kind == k.hearing else { return }
                list.append((UInt16(ruleSet.eventKind(kind)!), at.seconds))
            }
            func days(_ d: Int) -> Int { d * 86_400 }
            func jitter(_ maxDays: Int) -> Int { Int(rng.next() % UInt64(maxDays * 86_400 + 1)) }
            add(k.lookedAfter, start)
            add(n % 7 == 0 ? k.placed : k.types[Int(rng.next() % UInt64(k.types.count))], start.adding(seconds: 7200))
            // Moves: a third of cases have one to three more placements in the same period of care.
            if n % 3 == 0 {
                for m in 1...(1 + Int(rng.next() % 3)) {
                    add(k.types[Int(rng.next() % UInt64(k.types.count))], start.adding(seconds: days(60 * m) + jitter(30)))
                }
            }
            // Re-entry: one case in ten went home after a few months and came back into care.
            if n % 10 == 1 {
                let home = start.adding(seconds: days(90) + jitter(60))
                add(k.ceased, home)
                let back = home.adding(seconds: days(60) + jitter(60))
                add(k.lookedAfter, back)
                add(k.types[0], back.adding(seconds: 3600))
            }
            add(k.planning, start.adding(seconds: days(2) + jitter(2)))
            if scotland {
                add(k.early, start.adding(seconds: days(18) + jitter(6)))
                add(k.sixWeek, start.adding(seconds: days(40) + jitter(6)))
                add(k.report, start.adding(seconds: days(12)))
            } else {
                add(k.issued, start.adding(seconds: days(3)))
                add(k.gateway, start.adding(seconds: -days(5)))
            }
            // Visits roughly every 5-7 weeks, reviews on the statutory rhythm with some slippage.
            var t = start.adding(seconds: days(5) + jitter(4))
            while t <= now {
                add(k.visit, t)
                t = t.adding(seconds: days(35) + jitter(14))
            }
            t = start.adding(seconds: days(25) + jitter(8))
            var gap = 90
            while t <= now {
                add(k.review, t)
                t = t.adding(seconds: days(gap) + jitter(20))
                gap = 180
            }
            t = start.adding(seconds: days(10))
            while t <= now {
                add(k.ppm, t)
                t = t.adding(seconds: days(38) + jitter(10))
            }
            if plan == "adoption" || plan == "long-term-fostering" {
                let ff = start.adding(seconds: days(200) + jitter(60))
                add(k.ffStarted, ff)
                add(k.ffReview, ff.adding(seconds: days(88) + jitter(10)))
                add(k.ffReview, ff.adding(seconds: days(180) + jitter(20)))
            }
            if plan == "adoption" {
                add(k.bid, start.adding(seconds: days(120)))
                add(k.po, start.adding(seconds: days(182) + jitter(30)))
                add(k.hearing, start.adding(seconds: days(182)))
                let placed = start.adding(seconds: days(300) + jitter(100))
                add(k.pfa, placed)
                add(k.visit, placed.adding(seconds: days(2)))
                add(k.review, placed.adding(seconds: days(26)))
                // A disruption in one adoption case in eight, and a second placement for adoption.
                if n % 8 == 3 {
                    let ended = placed.adding(seconds: days(50) + jitter(30))
                    add(k.ended, ended)
                    let again = ended.adding(seconds: days(90) + jitter(60))
                    add(k.pfa, again)
                    add(k.visit, again.adding(seconds: days(2)))
                    add(k.review, again.adding(seconds: days(27)))
                }
            } else if plan == "long-term-fostering" {
                add(k.ltfMatch, start.adding(seconds: days(400)))
            }
            list.sort { $0.at < $1.at }
            out.append(Population(caseRecord: c, kinds: list.map(\.kind), times: list.map(\.at)))
        }
        return out
    }
}
