/// The periods a case has passed through (episodes of care, placements, legal stages), derived from its
/// events in time order, worked out on first use for each kind the case's rules need.
struct CasePeriods {
    /// One period: the position of the event that started it, and of the event that ended it (nil while it
    /// goes on).
    struct Instance: Equatable {
        let start: Int32
        let end: Int32?
    }

    /// Periods of one kind, in time order: memory the case's `CaseIndex` owns (as `Positions` are), so a list
    /// handed to each rule of the case costs no reference count. Valid while the index lives.
    typealias Instances = UnsafeBufferPointer<Instance>

    /// No periods.
    static var none: Instances { Instances(start: nil, count: 0) }

    private let index: CaseIndex
    private let kinds: [CompiledPeriod]
    private let zone: ZoneRules
    /// By period kind, once worked out (an array, not a dictionary: no hashing per rule).
    private var found: [Instances?]

    init(index: CaseIndex, kinds: [CompiledPeriod], zone: ZoneRules) {
        self.index = index
        self.kinds = kinds
        self.zone = zone
        found = Array(repeating: nil, count: kinds.count)
    }

    /// An end recorded on the day a move began, where one of the two has a date only: nothing says which
    /// came first, and it is the previous placement that ended (a date stands at midnight, before a timed
    /// end that day, or the two were entered in the other order).
    private func endsThePrevious(_ end: Int32, openedAt start: Int32) -> Bool {
        let s = Int(start), e = Int(end)
        return (index.dateOnly[s] || index.dateOnly[e]) && zone.localDate(at: index.at[s]) == zone.localDate(at: index.at[e])
    }

    /// Every period of kind `k`, in time order.
    mutating func instances(_ k: Int) -> Instances {
        if let known = found[k] { return known }
        let kind = kinds[k]
        let starts = index.positions(kind.starts)
        let ends = index.positions(kind.ends)
        // Written straight into the index's memory. Each period begins at a start of its own (a start either
        // opens one or is passed over), so there are at most as many as starts.
        let out: UnsafeMutableBufferPointer<Instance> = index.allocate(starts.count)
        var count = 0
        func append(_ period: Instance) {
            precondition(count < out.count)
            out.initializeElement(at: count, to: period)
            count += 1
        }
        var open: Int32?
        // The open period began by ending the previous one (a move).
        var openedByMove = false
        var s = starts.startIndex
        var e = ends.startIndex
        // Merge the two sorted lists; at one position an end is taken before a start (an event can be both
        // only if the vocabulary says so, and then it closes one period and opens the next).
        while s < starts.endIndex || e < ends.endIndex {
            let nextStart = s < starts.endIndex ? starts[s] : Int32.max
            let nextEnd = e < ends.endIndex ? ends[e] : Int32.max
            if nextEnd <= nextStart {
                // An event that both ends this kind of period and starts one (a new placement for adoption
                // ends the last, as any move does) is a move, like a restart.
                var closedByMove = false
                if let o = open, nextEnd > o, !(openedByMove && endsThePrevious(nextEnd, openedAt: o)) {
                    append(Instance(start: o, end: nextEnd))
                    open = nil
                    closedByMove = nextEnd == nextStart
                }
                openedByMove = false
                e += 1
                if closedByMove {
                    open = nextStart
                    openedByMove = true
                    s += 1
                }
            } else {
                if let o = open {
                    if kind.restarts {
                        append(Instance(start: o, end: nextStart))
                        open = nextStart
                        openedByMove = true
                    }
                } else {
                    open = nextStart
                    // A start that is also an end of this kind (the next placement ends a placement for
                    // adoption) after an earlier one (a placement with foster carers) is a move, even if
                    // nothing of this kind was open: a date-only end that day belongs to the placement before.
                    openedByMove = ends.first.map { $0 < nextStart } == true && ends.contains(nextStart)
                }
                s += 1
            }
        }
        if let o = open { append(Instance(start: o, end: nil)) }
        let kept = Instances(rebasing: out[0..<count])
        found[k] = kept
        return kept
    }
}
