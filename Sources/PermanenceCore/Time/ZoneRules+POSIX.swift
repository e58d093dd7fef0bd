/// Reading POSIX TZ strings (the footer of every TZif file), e.g. `GMT0BST,M3.5.0/1,M10.5.0`.
extension ZoneRules {
    /// Error thrown for a TZ string or TZif file that cannot be read.
    public struct FormatError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Zone rules from a POSIX TZ rule, with transitions generated for `fromYear` through `toYear`.
    public init(identifier: String, posixTZ: String, fromYear: Int, toYear: Int = 2200) throws {
        let rule = try POSIXRule(posixTZ)
        var periods = [Period(offset: rule.stdOffset, abbreviation: rule.stdName, isDST: false)]
        let generated = rule.transitions(fromYear: fromYear, toYear: toYear)
        periods.append(contentsOf: generated.map(\.period))
        self.init(identifier: identifier, transitions: generated.map(\.at), periods: periods)
    }
}

/// A parsed POSIX TZ rule.
struct POSIXRule {
    var stdName: String
    var stdOffset: Int
    var dst: (name: String, offset: Int, start: DateRule, end: DateRule)?

    enum DateRule {
        case monthWeekDay(month: Int, week: Int, weekday: Int, time: Int)
        case julianNoLeap(day: Int, time: Int)
        case zeroBased(day: Int, time: Int)

        func wallSeconds(year: Int) -> Int {
            switch self {
            case .monthWeekDay(let month, let week, let weekday, let time):
                // POSIX weekday: 0 = Sunday; week 5 = last.
                let iso = weekday == 0 ? 7 : weekday
                let date = LocalDate.nthWeekday(iso, week == 5 ? -1 : week, month: month, year: year)
                return date.dayNumber * 86_400 + time
            case .julianNoLeap(let day, let time):
                var d = LocalDate(year: year, month: 1, day: 1)!.adding(days: day - 1)
                if LocalDate.isLeapYear(year) && day >= 60 { d = d.adding(days: 1) }
                return d.dayNumber * 86_400 + time
            case .zeroBased(let day, let time):
                return LocalDate(year: year, month: 1, day: 1)!.adding(days: day).dayNumber * 86_400 + time
            }
        }
    }

    init(_ text: String) throws {
        var scanner = Scanner(Array(text.utf8))
        stdName = try scanner.name()
        stdOffset = -(try scanner.time(signed: true))
        if scanner.atEnd {
            dst = nil
            return
        }
        let dstName = try scanner.name()
        var dstOffset = stdOffset + 3600
        if let c = scanner.peek, c != UInt8(ascii: ",") {
            dstOffset = -(try scanner.time(signed: true))
        }
        try scanner.expect(",")
        let start = try scanner.dateRule()
        try scanner.expect(",")
        let end = try scanner.dateRule()
        guard scanner.atEnd else { throw ZoneRules.FormatError(description: "trailing text in TZ rule '\(text)'") }
        dst = (dstName, dstOffset, start, end)
    }

    func transitions(fromYear: Int, toYear: Int) -> [(at: Int, period: ZoneRules.Period)] {
        guard let dst, fromYear <= toYear else { return [] }
        var out: [(at: Int, period: ZoneRules.Period)] = []
        for year in fromYear...toYear {
            // Start times are in standard time, end times in daylight time.
            out.append(
                (dst.start.wallSeconds(year: year) - stdOffset,
                 ZoneRules.Period(offset: dst.offset, abbreviation: dst.name, isDST: true)))
            out.append(
                (dst.end.wallSeconds(year: year) - dst.offset,
                 ZoneRules.Period(offset: stdOffset, abbreviation: stdName, isDST: false)))
        }
        out.sort { $0.at < $1.at }
        return out
    }

    struct Scanner {
        let bytes: [UInt8]
        var i = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[i] }

        func fail(_ what: String) -> ZoneRules.FormatError {
            ZoneRules.FormatError(description: "TZ rule '\(String(decoding: bytes, as: UTF8.self))': \(what)")
        }

        mutating func expect(_ c: Character) throws {
            guard peek == c.asciiValue else { throw fail("expected '\(c)'") }
            i += 1
        }

        mutating func name() throws -> String {
            var out: [UInt8] = []
            if peek == UInt8(ascii: "<") {
                i += 1
                while let c = peek, c != UInt8(ascii: ">") { out.append(c); i += 1 }
                try expect(">")
            } else {
                while let c = peek, (c >= 65 && c <= 90) || (c >= 97 && c <= 122) { out.append(c); i += 1 }
            }
            guard out.count >= 3 else { throw fail("zone name too short") }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func number() throws -> Int {
            var n = 0
            var digits = 0
            while let c = peek, c >= 48, c <= 57 { n = n * 10 + Int(c - 48); i += 1; digits += 1 }
            guard digits > 0 else { throw fail("expected a number") }
            return n
        }

        /// `[+|-]hh[:mm[:ss]]` in seconds.
        mutating func time(signed: Bool) throws -> Int {
            var sign = 1
            if signed || true, let c = peek, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                sign = c == UInt8(ascii: "-") ? -1 : 1
                i += 1
            }
            var seconds = try number() * 3600
            if peek == UInt8(ascii: ":") { i += 1; seconds += try number() * 60 }
            if peek == UInt8(ascii: ":") { i += 1; seconds += try number() }
            return sign * seconds
        }

        mutating func dateRule() throws -> DateRule {
            var rule: DateRule
            if peek == UInt8(ascii: "M") {
                i += 1
                let m = try number()
                try expect(".")
                let w = try number()
                try expect(".")
                let d = try number()
                guard (1...12).contains(m), (1...5).contains(w), (0...6).contains(d) else { throw fail("bad Mm.w.d rule") }
                rule = .monthWeekDay(month: m, week: w, weekday: d, time: 7200)
            } else if peek == UInt8(ascii: "J") {
                i += 1
                rule = .julianNoLeap(day: try number(), time: 7200)
            } else {
                rule = .zeroBased(day: try number(), time: 7200)
            }
            if peek == UInt8(ascii: "/") {
                i += 1
                let t = try time(signed: true)
                switch rule {
                case .monthWeekDay(let m, let w, let d, _): rule = .monthWeekDay(month: m, week: w, weekday: d, time: t)
                case .julianNoLeap(let d, _): rule = .julianNoLeap(day: d, time: t)
                case .zeroBased(let d, _): rule = .zeroBased(day: d, time: t)
                }
            }
            return rule
        }
    }
}
