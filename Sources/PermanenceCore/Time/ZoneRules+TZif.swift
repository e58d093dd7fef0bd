/// Reading compiled zone files (RFC 8536 TZif, as in /usr/share/zoneinfo). The caller reads the bytes.
extension ZoneRules {
    /// Zone rules from the bytes of a TZif file; the footer's POSIX rule extends them to `toYear`.
    public init(identifier: String, tzif bytes: [UInt8], toYear: Int = 2200) throws {
        func fail(_ what: String) -> FormatError { FormatError(description: "\(identifier): not a TZif file (\(what))") }
        guard bytes.count >= 44, bytes[0] == 0x54, bytes[1] == 0x5A, bytes[2] == 0x69, bytes[3] == 0x66 else {
            throw fail("bad magic")
        }
        func be(_ at: Int, _ width: Int) throws -> Int {
            guard at + width <= bytes.count else { throw fail("truncated") }
            var v = 0
            for k in 0..<width { v = v << 8 | Int(bytes[at + k]) }
            if width == 4 && v >= 0x8000_0000 { v -= 0x1_0000_0000 }
            if width == 8 { v = Int(truncatingIfNeeded: UInt64(truncatingIfNeeded: v)) }
            return v
        }
        struct Header { var isut, isstd, leap, time, type, char: Int }
        func header(at p: Int) throws -> Header {
            Header(
                isut: try be(p + 20, 4), isstd: try be(p + 24, 4), leap: try be(p + 28, 4),
                time: try be(p + 32, 4), type: try be(p + 36, 4), char: try be(p + 40, 4))
        }
        let version = bytes[4]
        var p = 0
        var h = try header(at: 0)
        var timeWidth = 4
        if version >= 0x32 {  // '2' or later: skip the v1 block, use the 64-bit one
            p = 44 + h.time * 4 + h.time + h.type * 6 + h.char + h.leap * 8 + h.isstd + h.isut
            h = try header(at: p)
            timeWidth = 8
        }
        var q = p + 44
        var times: [Int] = []
        for _ in 0..<h.time { times.append(try be(q, timeWidth)); q += timeWidth }
        var indices: [Int] = []
        for _ in 0..<h.time { indices.append(try be(q, 1)); q += 1 }
        var types: [(offset: Int, isDST: Bool, abbr: Int)] = []
        for _ in 0..<h.type {
            types.append((try be(q, 4), try be(q + 4, 1) != 0, try be(q + 5, 1)))
            q += 6
        }
        guard q + h.char <= bytes.count, !types.isEmpty else { throw fail("truncated") }
        let chars = Array(bytes[q..<q + h.char])
        q += h.char + h.leap * (timeWidth + 4) + h.isstd + h.isut
        func abbreviation(_ index: Int) -> String {
            guard index < chars.count else { return "" }
            let end = chars[index...].firstIndex(of: 0) ?? chars.count
            return String(decoding: chars[index..<end], as: UTF8.self)
        }
        func period(_ t: Int) throws -> Period {
            guard t < types.count else { throw fail("bad type index") }
            return Period(offset: types[t].offset, abbreviation: abbreviation(types[t].abbr), isDST: types[t].isDST)
        }
        var transitions = times
        var periods = [try period(0)]
        for index in indices { periods.append(try period(index)) }
        // Footer: "\n<TZ rule>\n" carries the zone beyond the table.
        if timeWidth == 8, q < bytes.count, bytes[q] == 0x0A, let end = bytes[(q + 1)...].firstIndex(of: 0x0A), end > q + 1 {
            let footer = String(decoding: bytes[(q + 1)..<end], as: UTF8.self)
            let rule = try POSIXRule(footer)
            let lastYear = transitions.last.map { LocalDateTime(wallSeconds: $0).date.year } ?? 1970
            for generated in rule.transitions(fromYear: lastYear, toYear: toYear)
            where generated.at > (transitions.last ?? Int.min) {
                transitions.append(generated.at)
                periods.append(generated.period)
            }
            if rule.dst == nil, periods.last?.offset != rule.stdOffset {
                periods[periods.count - 1] = Period(offset: rule.stdOffset, abbreviation: rule.stdName, isDST: false)
            }
        }
        self.init(identifier: identifier, transitions: transitions, periods: periods)
    }
}
