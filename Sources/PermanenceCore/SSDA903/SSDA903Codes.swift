/// The SSDA903 code lists permanenced reads, and what each code means for its model of periods. The codes
/// are the Department for Education's (children looked after return, 2022-23 to 2024-25 collections, as
/// the DfE's own validator checks them); `docs/ssda903.md` lists every mapping for an admin to check.
public enum SSDA903Codes {
    /// Reason for new episode. `S`: started to be looked after (a new period of care); the rest are
    /// changes inside one: `L` legal status only, `P` placement and carer, `T` placement with the same
    /// carer, `B` legal status and placement and carer, `U` legal status and placement with the same carer.
    public static let rne: Set<String> = ["S", "L", "P", "T", "B", "U"]
    /// RNE codes that start a new placement.
    public static let rnePlacementChange: Set<String> = ["S", "P", "T", "B", "U"]
    /// RNE codes of a change with the same carers (`T`, `U`).
    public static let rneSameCarers: Set<String> = ["T", "U"]

    /// Reason episode ceased. `X1`: the episode row ends and another begins the same day; every other code
    /// ends the period of care. `E11`, `E12`: adopted.
    public static let rec: Set<String> = [
        "X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E8", "E9",
        "E14", "E15", "E16", "E17",
    ]
    public static let recAdopted: Set<String> = ["E11", "E12"]

    /// Accommodated under an agreed series of short-term breaks: `V3` records each stay as an episode, `V4`
    /// the agreement.
    public static let shortBreaks: Set<String> = ["V3", "V4"]

    /// Legal status. `C1` interim care order, `C2` full care order, `D1` freeing order, `E1` placement order,
    /// `V2`-`V4` accommodated under s20, `L1`-`L3` police protection, EPO, child assessment order, `J1`-`J3`
    /// remand, PACE, youth rehabilitation order.
    public static let ls: Set<String> = ["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"]

    /// Placement type to the vocabulary's placement event: one table, from which the mapping, the code list
    /// rows are stored by and the events a placement can be all come. Nil for a temporary move (`T0`-`T4`),
    /// which does not end the placement the child returns to. `P1` depends on the legal status (see
    /// `placement(_:legalStatus:)`).
    private static let placements: [String: String?] = {
        var t: [String: String?] = [:]
        func add(_ codes: [String], _ event: String?) { for c in codes { t[c] = .some(event) } }
        // With the child's current foster carers (A3 with consent, A5 with a placement order): a foster carer
        // adoption, which scorecard A10 counts to the start of the foster placement with them.
        add(["A3", "A5"], "placed-for-adoption-with-foster-carers")
        add(["A4", "A6"], "placed-for-adoption")
        // Relatives or friends: the 903 does not say whether the carer is approved yet or only temporarily
        // (CPPCR 2010 reg 24); the rules that visit weekly until the first review apply, on the side of the child.
        add(["U1", "U2", "U3"], "placed-connected-person")
        add(["U4", "U5", "U6"], "placed-foster")
        add(["P1"], "placed-with-parent")
        add(["K2", "R1", "S1"], "placed-residential")
        add(["K1", "K3", "H5", "P2", "P3", "R2", "R3", "R5", "Z1"], "placed-other")
        add(["T0", "T1", "T2", "T3", "T4"], nil)
        return t
    }()

    /// Placement type to the vocabulary's placement event; `.some(nil)` for a temporary move, nil for a
    /// code the 903 does not have.
    public static func placement(_ place: String, legalStatus: String) -> String?? {
        // With a parent: under an interim care order, reg 28(4) visits weekly until the first review.
        if place == "P1" && legalStatus == "C1" { return "placed-with-parent-ico" }
        return placements[place]
    }

    /// The placement events of a placement for adoption.
    public static let adoptiveEvents: Set<String> = ["placed-for-adoption", "placed-for-adoption-with-foster-carers"]

    /// The events `placement(_:legalStatus:)` gives.
    public static let placementEvents: [String] = Set(placements.values.compactMap { $0 } + ["placed-with-parent-ico", "placed-short-break"]).sorted()

    /// Every placement type `placement(_:legalStatus:)` knows.
    public static let place: Set<String> = Set(placements.keys)

    /// A code list numbered, so that an extract's rows can hold a code in a byte.
    struct List: Sendable {
        let codes: [String]
        private let numbers: [String: UInt8]

        init(_ set: Set<String>) {
            codes = set.sorted()
            numbers = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($0.element, UInt8($0.offset)) })
        }

        func number(_ code: String) -> UInt8? { numbers[code] }

        /// The code numbered `n`, or `unknown` for one a lenient import set aside.
        func code(_ n: UInt8) -> String { Int(n) < codes.count ? codes[Int(n)] : Self.unknown }

        /// How a code set aside reads in the mapping.
        static let unknown = "?"

        static let rne = List(SSDA903Codes.rne)
        static let ls = List(SSDA903Codes.ls)
        static let place = List(SSDA903Codes.place)
        static let rec = List(SSDA903Codes.rec)
    }

    /// The DfE's own 903 validation rule that checks the same thing as a problem the import names, where there
    /// is one (the codes of the public `lac_validator`, data-to-insight/csc-validator-be-903, 2022-23 rules).
    public static func validatorRule(for issue: CSVIssue) -> String? {
        let m = issue.message
        switch issue.column {
        case "DECOM":
            if m.contains("is not a date") { return "141" }
            if m.contains("has not ended: episodes overlap") { return "142" }
            if m.contains("episodes overlap") { return "501" }
            if m.contains("with REC X1") { return "388" }
        case "DEC":
            if m.contains("is not a date") { return "147" }
            if m.contains("is before DECOM") { return "356" }
            if m.contains("empty, but REC") { return "148" }
        case "REC":
            if m.contains("unknown code") { return "149" }
            if m.contains("empty, but DEC") { return "148" }
            if m.contains("no episode follows it") { return "388" }
        case "RNE":
            if m.contains("unknown code") || m.hasSuffix("empty") { return "143" }
            if m.contains("ended the same day with REC X1") { return "431" }
            if m.contains("a new period starts with S") { return "433" }
        case "LS": return "144"
        case "PLACE": return "146"
        case "REVIEW": return m.contains("is not a date") || m.hasSuffix("empty; give the date as DD/MM/YYYY") ? "166" : nil
        case "REVIEW_CODE": return "167"
        case "REASON_PLACED_CEASED": return "120"
        default: break
        }
        return nil
    }

    /// Participation codes of a review.
    public static let reviewCode: Set<String> = ["PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]
    /// Why a decision that the child should be placed for adoption was reversed.
    public static let reasonPlacedCeased: Set<String> = ["RD1", "RD2", "RD3", "RD4"]
}
