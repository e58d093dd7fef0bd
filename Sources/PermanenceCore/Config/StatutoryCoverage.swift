/// Whether a case's nation has its statutory timescales among the case's rules, and what the packs that
/// apply to it knowingly leave out. `check-config` reports it for each nation's default packs, `status` for
/// the open cases.
public struct StatutoryCoverage: Sendable, Equatable {
    public let jurisdiction: Jurisdiction
    /// Statutory packs that apply to the case.
    public let statutoryPacks: [String]
    /// Each applying pack's `gaps`, with the pack's id.
    public let gaps: [(pack: String, text: String)]

    /// Nothing to warn about.
    public var isComplete: Bool { !statutoryPacks.isEmpty && gaps.isEmpty }

    /// One line for an admin, or nil when nothing is missing.
    public var warning: String? {
        if statutoryPacks.isEmpty {
            return "no statutory rule pack applies to \(jurisdiction.displayName): its reviews and visits are not tracked; add the nation's statutory pack to default-packs (or the case's packs)"
        }
        guard !gaps.isEmpty else { return nil }
        return gaps.map { "\($0.pack): \($0.text)" }.joined(separator: "; ")
    }

    public static func == (a: StatutoryCoverage, b: StatutoryCoverage) -> Bool {
        a.jurisdiction == b.jurisdiction && a.statutoryPacks == b.statutoryPacks && a.gaps.map(\.pack) == b.gaps.map(\.pack)
    }
}

extension RuleSet {
    /// The statutory coverage of a case with this calendar and `packs` column (empty: the default packs).
    public func statutoryCoverage(calendar: String, packs casePacks: [String]) -> StatutoryCoverage {
        let jurisdiction = jurisdictions[calendar] ?? .england
        let selected = casePacks.isEmpty ? configuration.defaultPacks : casePacks
        let applying = packs.filter { p in
            (selected.isEmpty || selected.contains(p.id)) && (p.nations.isEmpty || p.nations.contains(jurisdiction))
        }
        return StatutoryCoverage(
            jurisdiction: jurisdiction, statutoryPacks: applying.filter(\.statutory).map(\.id),
            gaps: applying.compactMap { p in p.gaps.map { (p.id, $0) } } + applying.filter { $0.statutory && !$0.disabled.isEmpty }.map { p in
                (p.id, "switched off locally, so not tracked: " + p.disabled.map { "\($0.id) (\($0.origin("enabled")))" }.joined(separator: ", "))
            })
    }
}
