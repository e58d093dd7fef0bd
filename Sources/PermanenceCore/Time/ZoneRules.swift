/// The UTC offsets of one time zone over time: a sorted table of transitions searched in O(log n).
///
/// Built from a POSIX TZ rule (`GMT0BST,M3.5.0/1,M10.5.0`) or from the bytes of a TZif file; no file
/// is read here, the caller passes the bytes in.
public struct ZoneRules: Sendable {
    /// The IANA name, e.g. `Europe/London`.
    public let identifier: String
    /// Where the rules came from, e.g. `tzdata 2025b` (the system database's version), or `built-in`; part of
    /// the rule set's fingerprint, so a tzdata upgrade recomputes stored deadlines.
    public var source = "built-in"
    /// UTC seconds at which a new offset starts, ascending.
    let transitions: [Int]
    /// `periods[0]` applies before `transitions[0]`; `periods[i + 1]` from `transitions[i]` on.
    let periods: [Period]

    struct Period: Sendable, Equatable {
        var offset: Int
        var abbreviation: String
        var isDST: Bool
    }

    /// How a wall-clock time was turned into an instant.
    public enum Resolution: Sendable, Equatable {
        /// The wall time exists exactly once.
        case unique
        /// The wall time falls in a spring-forward gap and was moved later by the gap's length.
        case gap(shiftedSeconds: Int)
        /// The wall time happens twice (autumn); the earlier instant was taken.
        case overlap
    }

    /// A change of UTC offset, as the steps of an explanation show it.
    public struct Transition: Sendable, Equatable {
        public let at: Instant
        public let fromOffset: Int
        public let toOffset: Int
        public let fromAbbreviation: String
        public let toAbbreviation: String
    }

    /// `buckets[b]`: transitions before `bucketBase + b << bucketShift`, so a lookup scans at most a few.
    private let buckets: [Int32]
    private let bucketBase: Int
    private static let bucketShift = 22  // about 48 days; transitions are months apart

    init(identifier: String, transitions: [Int], periods: [Period]) {
        precondition(periods.count == transitions.count + 1)
        self.identifier = identifier
        self.transitions = transitions
        self.periods = periods
        // Index the years the engine works in (1970 to 2200); other instants fall back to binary search.
        bucketBase = 0
        let count = (7_300_000_000 >> Self.bucketShift) + 1
        var buckets = [Int32](repeating: 0, count: count)
        var i = 0
        for b in 0..<count {
            let start = b << Self.bucketShift
            while i < transitions.count, transitions[i] < start { i += 1 }
            buckets[b] = Int32(i)
        }
        self.buckets = buckets
    }

    /// A fixed offset with no transitions.
    public static func fixed(identifier: String, offsetSeconds: Int, abbreviation: String) -> ZoneRules {
        ZoneRules(
            identifier: identifier, transitions: [],
            periods: [Period(offset: offsetSeconds, abbreviation: abbreviation, isDST: false)])
    }

    public static let utc = ZoneRules.fixed(identifier: "UTC", offsetSeconds: 0, abbreviation: "UTC")

    /// Europe/London from its current rule (exact from 1996 on), for use when no zone database is at hand.
    public static let europeLondon: ZoneRules = try! ZoneRules(
        identifier: "Europe/London", posixTZ: "GMT0BST,M3.5.0/1,M10.5.0", fromYear: 1996)

    @inline(__always)
    func periodIndex(at instant: Instant) -> Int {
        // Number of transitions at or before the instant.
        let t = instant.seconds
        let b = (t - bucketBase) >> Self.bucketShift
        if b >= 0, b < buckets.count {
            var i = Int(buckets[b])
            while i < transitions.count, transitions[i] <= t { i += 1 }
            return i
        }
        var lo = 0
        var hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if transitions[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Seconds east of UTC in force at an instant.
    public func offset(at instant: Instant) -> Int {
        periods[periodIndex(at: instant)].offset
    }

    /// The abbreviation in force at an instant (`GMT`, `BST`).
    public func abbreviation(at instant: Instant) -> String {
        periods[periodIndex(at: instant)].abbreviation
    }

    /// The wall-clock time at an instant.
    public func localDateTime(at instant: Instant) -> LocalDateTime {
        LocalDateTime(wallSeconds: instant.seconds + offset(at: instant))
    }

    /// The local date at an instant.
    /// The local day a deadline is due on, from its stored instant: an exact deadline's own day, a whole-day
    /// one's the day before its instant (it ends at the next midnight).
    public func dueDay(of dueAt: Instant, exact: Bool) -> LocalDate {
        localDate(at: exact ? dueAt : dueAt.adding(seconds: -1))
    }

    public func localDate(at instant: Instant) -> LocalDate {
        localDateTime(at: instant).date
    }

    /// The instant of a wall-clock time. A time in a spring-forward gap moves later by the gap; a time that
    /// happens twice in autumn resolves to the first occurrence.
    public func resolve(_ local: LocalDateTime) -> (instant: Instant, resolution: Resolution) {
        let wall = local.wallSeconds
        let pb = periodIndex(at: Instant(seconds: wall - 86_400 * 2))
        let before = periods[pb].offset
        // No change within two days either side (almost always): the wall time exists exactly once. The next
        // transition tells, without a second search.
        if pb == transitions.count || transitions[pb] > wall + 86_400 * 2 { return (Instant(seconds: wall - before), .unique) }
        let pa = periodIndex(at: Instant(seconds: wall + 86_400 * 2))
        let after = periods[pa].offset
        var valid: [Int] = []
        for candidate in [before, after, offset(at: Instant(seconds: wall))] where !valid.contains(candidate) {
            if offset(at: Instant(seconds: wall - candidate)) == candidate { valid.append(candidate) }
        }
        switch valid.count {
        case 1:
            return (Instant(seconds: wall - valid[0]), .unique)
        case 0:
            // In a gap: keep the offset from before the gap, which lands after it.
            return (Instant(seconds: wall - before), .gap(shiftedSeconds: after - before))
        default:
            return (Instant(seconds: wall - valid.max()!), .overlap)
        }
    }

    /// The instant of a wall-clock time, ignoring how it was resolved.
    public func instant(_ local: LocalDateTime) -> Instant {
        resolve(local).instant
    }

    /// The instant at which a local date begins (its first existing moment).
    public func startOfDay(_ date: LocalDate) -> Instant {
        instant(LocalDateTime(date: date))
    }

    /// Offset changes strictly after `start` and at or before `end`.
    public func transitions(after start: Instant, through end: Instant) -> [Transition] {
        guard start < end else { return [] }
        var result: [Transition] = []
        var i = periodIndex(at: start)
        while i < transitions.count, transitions[i] <= end.seconds {
            let from = periods[i]
            let to = periods[i + 1]
            if from.offset != to.offset {
                result.append(
                    Transition(
                        at: Instant(seconds: transitions[i]), fromOffset: from.offset, toOffset: to.offset,
                        fromAbbreviation: from.abbreviation, toAbbreviation: to.abbreviation))
            }
            i += 1
        }
        return result
    }
}
