import Testing

@testable import PermanenceCore

/// 903 tables into the model, child by child: which rows start a period of care, a placement or a legal
/// stage, and which problems refuse the extract (each naming file, line and column).
@Suite struct SSDA903ExtractTests {
    static let episodeColumns = SSDA903Extract.Table.episodes.columns.joined(separator: ",")

    /// Parses `text` (a header row and rows) as CSV.
    func records(_ text: String) throws -> (CSVParser.Record, [CSVParser.Record]) {
        var parser = CSVParser()
        var all = try parser.feed(Array(text.utf8)[...])
        if let last = try parser.finish() { all.append(last) }
        return (all[0], Array(all.dropFirst()))
    }

    func extract(episodes: [String], reviews: [String] = [], placed: [String] = [], prefix: String = "") throws -> SSDA903Extract {
        var x = SSDA903Extract(prefix: prefix)
        let (h, rows) = try records(([Self.episodeColumns] + episodes).joined(separator: "\n") + "\n")
        x.add(try #require(SSDA903Extract.Table.of(h)), header: h, rows: rows, file: "episodes.csv")
        if !reviews.isEmpty {
            let (rh, rr) = try records((["CHILD,DOB,REVIEW,REVIEW_CODE"] + reviews).joined(separator: "\n") + "\n")
            x.add(try #require(SSDA903Extract.Table.of(rh)), header: rh, rows: rr, file: "reviews.csv")
        }
        if !placed.isEmpty {
            let columns = SSDA903Extract.Table.placedAdoption.columns.joined(separator: ",")
            let (ph, pr) = try records(([columns] + placed).joined(separator: "\n") + "\n")
            x.add(try #require(SSDA903Extract.Table.of(ph)), header: ph, rows: pr, file: "placed_for_adoption.csv")
        }
        return x
    }

    func summary(_ m: [SSDA903Extract.Mapped]) -> [String] { m.map { "\($0.date) \($0.kind) \($0.slot)" } }

    /// Extracts come from Windows case systems as often as not: a byte-order mark and CRLF line ends give the
    /// same table and the same events as plain LF.
    @Test func aByteOrderMarkAndCRLFChangeNothing() throws {
        let rows = ["C1,05/01/2025,S,C1,N1,U1,PR1,03/03/2025,X1,,,,", "C1,03/03/2025,P,C2,N1,U4,PR1,,,,,,"]
        let plain = try extract(episodes: rows)
        var windows = SSDA903Extract(prefix: "")
        let text = "\u{FEFF}" + ([Self.episodeColumns] + rows).joined(separator: "\r\n") + "\r\n"
        let (h, r) = try records(text)
        #expect(h.fields.first == "CHILD", "\(h.fields)")
        windows.add(try #require(SSDA903Extract.Table.of(h)), header: h, rows: r, file: "episodes.csv")
        let (a, ai, _) = plain.mapped()
        let (b, bi, _) = windows.mapped()
        #expect(ai.isEmpty && bi.isEmpty, "\(bi)")
        #expect(!a.isEmpty && summary(b) == summary(a), "\(summary(b))")
    }

    /// Short breaks (LS V3, each stay an episode; V4, the agreement an episode) are stays of a series, not
    /// ordinary placements: each starts no placement visits, and the series has the reg 48 reviews and visits.
    @Test func shortBreaksAreStaysOfASeries() throws {
        let v3 = try extract(episodes: [
            "C1,06/02/2026,S,V3,N1,U4,PR1,09/02/2026,E13,,,,",
            "C1,06/03/2026,S,V3,N1,U4,PR1,16/03/2026,E13,,,,",
        ])
        let (a, ai, _) = v3.mapped()
        #expect(ai.isEmpty, "\(ai)")
        #expect(summary(a).filter { $0.contains("placed") } == [
            "2026-02-06 placed-short-break placed:20260206", "2026-03-06 placed-short-break placed:20260306",
        ])
        // An agreement recorded as one episode: its end ends the series.
        let v4 = try extract(episodes: ["C2,06/02/2026,S,V4,N1,U4,PR1,31/12/2026,E13,,,,"])
        let (b, bi, _) = v4.mapped()
        #expect(bi.isEmpty, "\(bi)")
        #expect(summary(b).contains("2026-12-31 short-breaks-ended sb-ended:20261231"), "\(summary(b))")
        #expect(summary(b).contains("2026-02-06 placed-short-break placed:20260206"), "\(summary(b))")
        // Full-time care afterwards (V2) is an ordinary placement again.
        let after = try extract(episodes: [
            "C3,06/02/2026,S,V3,N1,U4,PR1,09/02/2026,E13,,,,",
            "C3,01/06/2026,S,V2,N1,U4,PR1,,,,,,",
        ])
        #expect(summary(after.mapped().events).contains("2026-06-01 placed-foster placed:20260601"))
        // Into care in the same placement (RNE L, V4 to an interim care order): an ordinary placement from then on.
        let order = try extract(episodes: [
            "C4,06/02/2026,S,V4,N1,U4,PR1,01/06/2026,X1,,,,",
            "C4,01/06/2026,L,C1,N1,U4,PR1,,,,,,",
        ])
        let (c, ci, _) = order.mapped()
        #expect(ci.isEmpty, "\(ci)")
        #expect(summary(c).filter { $0.contains("placed") } == [
            "2026-02-06 placed-short-break placed:20260206", "2026-06-01 placed-foster placed:20260601",
        ], "\(summary(c))")
    }

    @Test func tablesAreToldApartByTheirColumns() throws {
        let (h, _) = try records(" child ,decom,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n")
        #expect(SSDA903Extract.Table.of(h) == .episodes)
        let (r, _) = try records("CHILD,DOB,REVIEW,REVIEW_CODE\n")
        #expect(SSDA903Extract.Table.of(r) == .reviews)
        let (other, _) = try records("case_ref,event,at\n")
        #expect(SSDA903Extract.Table.of(other) == nil)
    }

    /// A period of care with a move (X1 then P), a legal status change (L), a temporary move (T codes are
    /// not a new placement) and an end; then a second period (S again).
    @Test func periodsPlacementsAndLegalStages() throws {
        let x = try extract(episodes: [
            "C1,05/01/2025,S,C1,N1,U6,PR1,12/03/2025,X1,,,,",
            "C1,12/03/2025,P,C1,N1,U3,PR1,01/05/2025,X1,CARPL,,,",
            "C1,01/05/2025,L,C2,N1,U3,PR1,20/06/2025,X1,,,,",
            "C1,20/06/2025,P,C2,N1,T2,PR1,27/06/2025,X1,,,,",
            "C1,27/06/2025,P,C2,N1,U3,PR1,15/08/2025,E4A,,,,",
            "C1,01/10/2025,S,V2,N1,P1,PR4,,,,,,",
        ], prefix: "LA-")
        let (m, issues, _) = x.mapped()
        #expect(issues.isEmpty, "\(issues)")
        #expect(m.allSatisfy { $0.caseRef == "LA-C1" })
        #expect(summary(m) == [
            "2025-01-05 became-looked-after lac:20250105",
            "2025-01-05 placed-foster placed:20250105",
            "2025-03-12 placed-connected-person placed:20250312",
            "2025-05-01 final-order co:20250105",
            // Back from the holiday (T2) to the same carer: the placement goes on.
            "2025-08-15 ceased-looked-after ended:20250105",
            "2025-10-01 became-looked-after lac:20251001",
            "2025-10-01 placed-with-parent placed:20251001",
        ])
    }

    @Test func aPlacementOrderAndAnAdoptionOrderEndThePeriod() throws {
        let x = try extract(episodes: [
            "C2,04/03/2024,S,C1,N1,P1,PR1,02/12/2024,X1,,,,",
            "C2,02/12/2024,L,E1,N1,U5,PR1,03/02/2025,X1,,,,",
            "C2,03/02/2025,T,E1,N1,A5,PR1,15/10/2025,E11,,,,",
        ])
        let (m, issues, _) = x.mapped()
        #expect(issues.isEmpty, "\(issues)")
        #expect(summary(m) == [
            "2024-03-04 became-looked-after lac:20240304",
            // With a parent under an interim care order: weekly visits until the first review.
            "2024-03-04 placed-with-parent-ico placed:20240304",
            "2024-12-02 placement-order po:20240304",
            "2025-02-03 placed-for-adoption-with-foster-carers placed:20250203",
            "2025-10-15 adoption-order ended:20240304",
        ])
    }

    /// At home under an interim care order, then a full care order with the child still at home (RNE L, C1 to
    /// C2): the final order is recorded in the same placement, which ends the interim order's visits and asks
    /// for one within a week of the order, then 6-weekly (`cppcr-visits-after-care-order-at-home`, reg 28(5));
    /// no new placement starts.
    @Test func aCareOrderAtHomeIsRecordedInTheSamePlacement() throws {
        let x = try extract(episodes: [
            "C3,06/10/2025,S,C1,N1,P1,PR4,12/01/2026,X1,,,,",
            "C3,12/01/2026,L,C2,N1,P1,PR4,,,,,,",
        ])
        let (m, issues, _) = x.mapped()
        #expect(issues.isEmpty, "\(issues)")
        #expect(summary(m) == [
            "2025-10-06 became-looked-after lac:20251006",
            "2025-10-06 placed-with-parent-ico placed:20251006",
            "2026-01-12 final-order co:20251006",
        ])
    }

    /// Two rows starting on one day (a placement changed twice that day): the later placement stands.
    @Test func twoPlacementsOnOneDayTheLaterStands() throws {
        let x = try extract(episodes: [
            "C1,05/01/2025,S,C1,N1,U6,PR1,05/01/2025,X1,,,,",
            "C1,05/01/2025,P,C1,N1,K2,PR1,,,,,,",
        ])
        let (m, issues, _) = x.mapped()
        #expect(issues.isEmpty, "\(issues)")
        #expect(summary(m) == ["2025-01-05 became-looked-after lac:20250105", "2025-01-05 placed-residential placed:20250105"])
    }

    /// A disrupted adoption: out of the adoptive placement into foster care ends it (the CPPCR reviews
    /// suspended while it lasted resume); a placement order revoked, and a second one, are stages of their own.
    @Test func aDisruptionEndsTheAdoptivePlacementAndARevocationIsRecorded() throws {
        let x = try extract(episodes: [
            "C1,12/02/2024,S,C1,N1,U6,PR1,11/11/2024,X1,,,,",
            "C1,11/11/2024,L,E1,N1,U6,PR1,03/03/2025,X1,,,,",
            "C1,03/03/2025,P,E1,N1,A6,PR1,19/05/2025,X1,,,,",
            "C1,19/05/2025,P,E1,N1,U6,PR1,01/09/2025,X1,,,,",
            "C1,01/09/2025,L,C2,N1,U6,PR1,01/12/2025,X1,,,,",
            "C1,01/12/2025,L,E1,N1,U6,PR1,,,,,,",
        ])
        let (m, issues, _) = x.mapped()
        #expect(issues.isEmpty, "\(issues)")
        #expect(summary(m) == [
            "2024-02-12 became-looked-after lac:20240212", "2024-02-12 placed-foster placed:20240212",
            "2024-11-11 placement-order po:20240212", "2025-03-03 placed-for-adoption placed:20250303",
            "2025-05-19 placement-ended left:20250519", "2025-05-19 placed-foster placed:20250519",
            "2025-09-01 placement-order-revoked por:20240212#1", "2025-09-01 final-order co:20240212",
            "2025-12-01 placement-order po:20240212#2",
        ])
    }

    /// A yearly return: a child's first row continues the period the store has open; reviews in it count.
    @Test func aContinuationGoesOnFromThePeriodTheStoreHasOpen() throws {
        let x = try extract(episodes: ["C1,01/04/2025,P,C2,N1,U4,PR1,,,,,,"], reviews: ["C1,01/01/2015,10/05/2025,PN1"])
        // Without it, the period's start is not known (below); with it, the period goes on.
        #expect(x.mapped().issues.isEmpty && summary(x.mapped().events).first == "2025-04-01 looked-after-before lac-before:20250401")
        let (m, issues, _) = x.mapped(openPeriod: { $0 == "C1" ? .init(start: LocalDate(year: 2023, month: 6, day: 1)!) : nil })
        #expect(issues.isEmpty, "\(issues)")
        #expect(summary(m) == ["2025-04-01 placed-foster placed:20250401", "2025-05-10 review review:20250510"])
    }

    @Test func badRowsAreNamedByFileLineAndColumn() throws {
        let x = try extract(episodes: [
            "C1,05/01/2025,S,C1,N1,Q9,PR1,,,,,,",
            "C2,31/02/2025,S,C1,N1,U6,PR1,,,,,,",
            "C3,05/01/2025,S,C1,N1,U6,PR1,01/01/2025,E4A,,,,",
            "C4,05/01/2025,S,XX,N1,U6,PR1,,,,,,",
            "C5,2025-01-05,S,C1,N1,U6,PR1,,,,,,",
        ])
        let text = x.mapped().issues.map(\.description)
        #expect(text.contains("episodes.csv:2: PLACE: child C1: unknown placement type 'Q9'"), "\(text)")
        #expect(text.contains("episodes.csv:3: DECOM: child C2: '31/02/2025' is not a date DD/MM/YYYY"), "\(text)")
        #expect(text.contains("episodes.csv:4: DEC: child C3: 2025-01-01 is before DECOM 2025-01-05"), "\(text)")
        #expect(text.contains { $0.hasPrefix("episodes.csv:5: LS: child C4: unknown code 'XX'") }, "\(text)")
        #expect(text.contains("episodes.csv:6: DECOM: child C5: '2025-01-05' is not a date DD/MM/YYYY"), "\(text)")
        #expect(x.mapped().events.isEmpty, "nothing is imported from an extract with problems")
    }

    @Test func inconsistentHistoriesAreRefused() throws {
        let x = try extract(episodes: [
            // Overlap: the second starts before the first ended.
            "O1,05/01/2025,S,C1,N1,U6,PR1,01/03/2025,X1,,,,",
            "O1,20/02/2025,P,C1,N1,U4,PR1,,,,,,",
            // The first row in the file continues a period whose start is not in it.
            "K1,05/01/2025,P,C1,N1,U6,PR1,,,,,,",
            // X1 says a new episode the same day, but the next starts later.
            "G1,05/01/2025,S,C1,N1,U6,PR1,01/03/2025,X1,,,,",
            "G1,08/03/2025,P,C1,N1,U4,PR1,,,,,,",
        ], reviews: [
            "R1,01/01/2015,10/02/2025,PN1",
            "O2,01/01/2015,10/02/2025,PN1",
        ] + ["E1,01/01/2015,01/12/2024,PN1"])
        var x2 = x
        let (h, rows) = try records(Self.episodeColumns + "\nE1,05/01/2025,S,C1,N1,U6,PR1,,,,,,\n")
        x2.add(.episodes, header: h, rows: rows, file: "more.csv")
        let text = x2.mapped().issues.map(\.description)
        #expect(text.contains { $0.hasPrefix("episodes.csv:3: DECOM: child O1: this episode starts on 2025-02-20, before the one at line 2 ended (2025-03-01)") }, "\(text)")
        // K1's first row continues a period whose start is not in the file: not a problem any more (below).
        #expect(!text.contains { $0.contains("child K1") }, "\(text)")
        #expect(text.contains { $0.hasPrefix("episodes.csv:6: DECOM: child G1: the episode at line 5 ended 2025-03-01 with REC X1") }, "\(text)")
        #expect(text.contains("reviews.csv:2: CHILD: child R1: not in the Episodes table; every child of the extract has episodes"), "\(text)")
        #expect(text.contains("reviews.csv:4: REVIEW: child E1: a review on 2024-12-01, when the child was not looked after"), "\(text)")
    }

    /// A child whose first row continues a period of care that began before the extract is imported: the
    /// period's start is marked as not known (`looked-after-before` on the first row's day), the legal status
    /// it already had invents no order date, and a placement the child was already in (RNE L) invents no
    /// placement date; a placement change (RNE P) is a placement that starts that day.
    @Test func aPeriodThatBeganBeforeTheExtractIsMarkedNotKnown() throws {
        let x = try extract(episodes: [
            "K1,05/01/2025,P,E1,N1,U6,PR1,01/03/2025,X1,,,,",
            "K1,01/03/2025,P,E1,N1,A5,PR1,,,,,,",
            "K2,05/01/2025,L,C2,N1,U4,PR1,,,,,,",
        ], reviews: ["K1,01/01/2015,10/02/2025,PN1", "K2,01/01/2015,20/01/2025,PN1"])
        let (m, issues, _) = x.mapped()
        #expect(issues.isEmpty, "\(issues)")
        #expect(summary(m.filter { $0.caseRef == "K1" }) == [
            "2025-01-05 looked-after-before lac-before:20250105", "2025-01-05 placed-foster placed:20250105",
            "2025-02-10 review review:20250210", "2025-03-01 placed-for-adoption-with-foster-carers placed:20250301",
        ], "\(summary(m))")
        // No placement order (E1 was already in force) and no care order date (C2) is made up.
        #expect(summary(m.filter { $0.caseRef == "K2" }) == [
            "2025-01-05 looked-after-before lac-before:20250105", "2025-01-20 review review:20250120",
        ], "\(summary(m))")
        // A review the extract gives before the first row: the period was already open then, so the marker moves
        // back to that day and the review counts (the cycles go on from it).
        let early = try extract(episodes: ["K3,01/03/2025,P,C2,N1,U4,PR1,,,,,,"], reviews: ["K3,01/01/2015,10/01/2025,PN1"])
        let (k3, k3Issues, _) = early.mapped()
        #expect(k3Issues.isEmpty, "\(k3Issues)")
        #expect(summary(k3) == [
            "2025-01-10 looked-after-before lac-before:20250301", "2025-01-10 review review:20250110", "2025-03-01 placed-foster placed:20250301",
        ], "\(summary(k3))")
    }

    /// `--lenient` sets aside a problem confined to one field or row and imports the child, saying what it read
    /// instead; the reading keeps reminding where a fact could hide a duty. Strict names the same problems.
    @Test func lenientSetsAsideFieldsAndRowsAndKeepsTheChild() throws {
        let x = try extract(episodes: [
            // F1: the last episode has REC but no DEC: it may not have ended, so it stays open.
            "F1,05/01/2025,S,C1,N1,U6,PR1,,E13,,,,",
            // F2: an unknown placement type: a placement of a type not known (general visits).
            "F2,05/01/2025,S,C1,N1,Q9,PR1,,,,,,",
            // F3: DEC before DECOM: the episode stays open.
            "F3,05/01/2025,S,C1,N1,U6,PR1,01/01/2025,E13,,,,",
            // F4: two episodes open at once: the first is taken to end when the second starts (X1).
            "F4,05/01/2025,S,C1,N1,U6,PR1,,,,,,", "F4,03/03/2025,P,C1,N1,U4,PR1,,,,,,",
            // F5: the last row ends X1 with nothing after it: still open.
            "F5,05/01/2025,S,C1,N1,U6,PR1,03/03/2025,X1,,,,",
            // F6: an unreadable DECOM on a second row: that row is set aside.
            "F6,05/01/2025,S,C1,N1,U6,PR1,03/03/2025,X1,,,,", "F6,3 March,P,C1,N1,U4,PR1,,,,,,",
            // F7: an RNE not in the code list on the first row (not read as a start: the period's start is not
            // known) and an LS not in it on the second (taken to be unchanged: no order is recorded from it).
            "F7,05/01/2025,Z,C2,N1,U6,PR1,03/03/2025,X1,,,,", "F7,03/03/2025,P,Q1,N1,U4,PR1,,,,,,",
            // F8: X1 on 3 March, then a row starting 10 March: the period goes on.
            "F8,05/01/2025,S,C1,N1,U6,PR1,03/03/2025,X1,,,,", "F8,10/03/2025,P,C1,N1,U4,PR1,,,,,,",
            // F9: a first row whose RNE is not a code: not read as a start (the start is not known).
            "F9,05/01/2025,Z,C2,N1,U6,PR1,,,,,,",
            // H1: its only row cannot be read (no DECOM): left out, and said.
            "H1,5 Jan,S,C1,N1,U6,PR1,,,,,,",
        ], reviews: [
            // F1: a review before the period began is set aside; the child stays.
            "F1,01/01/2015,01/12/2024,PN1", "F1,01/01/2015,20/01/2025,PN9",
            // F1: a review before the child was born is set aside.
            "F1,01/01/2015,01/12/2014,PN1",
            // G1: only in Reviews: its periods cannot be worked out, so it is left out.
            "G1,01/01/2015,20/01/2025,PN1",
        ], placed: [
            // F1: a reason for reversing the decision that is not in the code list: set aside, the decision counts.
            "F1,01/01/2015,10/02/2025,,RD9",
        ])
        let strict = x.mapped()
        #expect(strict.events.isEmpty)
        #expect(strict.issues.contains { $0.description == "episodes.csv:2: DEC: child F1: empty, but REC says the episode ceased: give the date" }, "\(strict.issues)")

        let (m, issues, skipped) = x.mapped(lenient: true)
        #expect(skipped == ["G1", "H1"], "\(issues)")
        #expect(issues.count == 2 && issues.contains { $0.description.contains("child G1: not in the Episodes table") }, "\(issues)")
        #expect(issues.contains { $0.description.contains("child H1: no episode row of the child can be read") }, "\(issues)")
        #expect(summary(m.filter { $0.caseRef == "F8" && $0.kind != "data-set-aside" }) == [
            "2025-01-05 became-looked-after lac:20250105", "2025-01-05 placed-foster placed:20250105", "2025-03-10 placed-foster placed:20250310",
        ], "\(summary(m))")
        #expect(summary(m.filter { $0.caseRef == "F9" && $0.kind != "data-set-aside" }) == [
            "2025-01-05 looked-after-before lac-before:20250105", "2025-01-05 placed-foster placed:20250105",
        ], "\(summary(m))")
        func of(_ c: String) -> [String] { summary(m.filter { $0.caseRef == c && $0.kind != "data-set-aside" }) }
        #expect(of("F1") == [
            "2025-01-05 became-looked-after lac:20250105", "2025-01-05 placed-foster placed:20250105", "2025-01-20 review review:20250120",
            "2025-02-10 best-interest-decision bid:20250210",
        ])
        #expect(of("F2") == ["2025-01-05 became-looked-after lac:20250105", "2025-01-05 placed placed:20250105"])
        #expect(of("F3") == ["2025-01-05 became-looked-after lac:20250105", "2025-01-05 placed-foster placed:20250105"])
        #expect(of("F4") == ["2025-01-05 became-looked-after lac:20250105", "2025-01-05 placed-foster placed:20250105", "2025-03-03 placed-foster placed:20250303"])
        #expect(of("F5") == ["2025-01-05 became-looked-after lac:20250105", "2025-01-05 placed-foster placed:20250105"])
        #expect(of("F6") == ["2025-01-05 became-looked-after lac:20250105", "2025-01-05 placed-foster placed:20250105"])
        #expect(of("F7") == [
            "2025-01-05 looked-after-before lac-before:20250105", "2025-01-05 placed-foster placed:20250105", "2025-03-03 placed-foster placed:20250303",
        ], "\(summary(m))")
        // Each fact set aside is kept in the child's history, with what was set aside and why.
        let asides = m.filter { $0.kind == "data-set-aside" }
        #expect(asides.contains { $0.caseRef == "F1" && $0.note?.contains("DEC: child F1: empty, but REC says the episode ceased: give the date; REC is set aside: the episode may not have ended") == true }, "\(asides)")
        #expect(asides.contains { $0.caseRef == "F1" && $0.note?.contains("a review on 2024-12-01, when the child was not looked after; the review is set aside") == true }, "\(asides)")
        #expect(asides.contains { $0.caseRef == "F4" && $0.note?.contains("episodes overlap; the episode at line 5 is taken to have ended on 2025-03-03") == true }, "\(asides)")
        #expect(asides.contains { $0.caseRef == "F1" && $0.note?.contains("2014-12-01 is before the child's date of birth; the review is set aside") == true }, "\(asides)")
        #expect(asides.contains { $0.caseRef == "F5" && $0.note?.contains("no episode follows it; the episode is taken to be still open") == true }, "\(asides)")
        var copy = x
        let (_, _, setAside) = copy.forEachChild(lenient: true, openPeriod: { _ in nil }) { _, _ in }
        #expect(Set(setAside.compactMap(\.child)) == ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"], "\(setAside)")
        #expect(setAside.contains { $0.child == "F7" && $0.column == "RNE" && SSDA903Codes.validatorRule(for: $0) == "143" }, "\(setAside)")
        #expect(setAside.contains { $0.child == "F7" && $0.column == "LS" && SSDA903Codes.validatorRule(for: $0) == "144" }, "\(setAside)")
        #expect(setAside.allSatisfy { $0.action != nil })
        #expect(setAside.contains { $0.column == "REASON_PLACED_CEASED" && $0.child == "F1" && SSDA903Codes.validatorRule(for: $0) == "120" }, "\(setAside)")
        #expect(m.contains { $0.caseRef == "F1" && $0.kind == "best-interest-decision" })
        #expect(setAside.contains { $0.description.hasSuffix("REVIEW_CODE: child F1: unknown code 'PN9'; expected one of PN0, PN1, PN2, PN3, PN4, PN5, PN6, PN7; REVIEW_CODE is set aside (no deadline uses it); the review counts") }, "\(setAside)")
        // The DfE validation rule that checks the same thing.
        #expect(setAside.first { $0.child == "F3" }.flatMap(SSDA903Codes.validatorRule) == "356")
        #expect(setAside.first { $0.child == "F1" && $0.column == "DEC" }.flatMap(SSDA903Codes.validatorRule) == "148")
    }

    /// `--lenient`: the children with problems are left out and named; the others come through whole.
    @Test func lenientLeavesOutTheChildrenWithProblems() throws {
        let x = try extract(episodes: [
            "A1,05/01/2025,S,C1,N1,U6,PR1,,,,,,",
        ], reviews: ["A1,01/01/2015,30/01/2025,PN1", "A1,01/01/2015,30/01/2025,PN1", "K1,01/01/2015,30/01/2025,PN1"])
        let (m, issues, skipped) = x.mapped(lenient: true)
        #expect(skipped == ["K1"])
        #expect(issues.count == 1)
        // Two review rows on one day are one review (two would meet the next of the series too).
        #expect(summary(m) == [
            "2025-01-05 became-looked-after lac:20250105", "2025-01-05 placed-foster placed:20250105",
            "2025-01-30 review review:20250130",
        ])
        #expect(x.mapped(lenient: false).events.isEmpty)
    }

    /// Placed for adoption with consent (A3), then a placement order with the same carers (A5, RNE U): one
    /// adoptive placement, whose AAR visits and reviews run from the day the child was placed. Foster carers
    /// becoming the adopters (U4 to A5, RNE T) is a new placement for adoption.
    @Test func aNewAuthorityForTheSameAdoptivePlacementStartsNothing() throws {
        let x = try extract(episodes: [
            "C1,04/03/2024,S,V2,N1,U4,PR1,02/09/2024,X1,,,,",
            "C1,02/09/2024,T,V2,N1,A3,PR1,14/11/2024,X1,,,,",
            "C1,14/11/2024,U,E1,N1,A5,PR1,,,,,,",
        ])
        let (m, issues, _) = x.mapped()
        #expect(issues.isEmpty, "\(issues)")
        #expect(summary(m) == [
            "2024-03-04 became-looked-after lac:20240304", "2024-03-04 placed-foster placed:20240304",
            "2024-09-02 placed-for-adoption-with-foster-carers placed:20240902", "2024-11-14 placement-order po:20240304",
        ])
    }

    /// Every placement code the mapping knows is in the list the rows are stored by, and the other way round.
    @Test func everyPlacementCodeIsKnownToTheMapping() {
        for code in SSDA903Codes.place { #expect(SSDA903Codes.placement(code, legalStatus: "C2") != nil, "\(code)") }
        #expect(SSDA903Codes.placement("Q9", legalStatus: "C2") == nil)
        #expect(SSDA903Codes.List.place.codes.count == SSDA903Codes.place.count)
    }

    /// Child by child, in order of id, one child's events at a time; once a child has a problem, no later
    /// child is handed on unless lenient, but every child is still checked.
    @Test func childrenAreHandedOnOneAtATimeAndNotAfterAProblem() throws {
        var x = try extract(episodes: [
            "B2,05/01/2025,S,C1,N1,U6,PR1,,,,,,",
            "A1,05/01/2025,S,C1,N1,U6,PR1,,,,,,",
            // C3 and E5: two episodes open at once (a problem found when the child is mapped).
            "C3,05/01/2025,S,C1,N1,U6,PR1,,,,,,", "C3,06/01/2025,P,C1,N1,U4,PR1,,,,,,",
            "D4,05/01/2025,S,C1,N1,U6,PR1,,,,,,",
            "E5,05/01/2025,S,C1,N1,U6,PR1,,,,,,", "E5,06/01/2025,P,C1,N1,U4,PR1,,,,,,",
        ], reviews: ["A1,01/01/2015,30/01/2025,PN1"])
        var seen: [String] = []
        let (issues, skipped, _) = x.forEachChild(lenient: false, openPeriod: { _ in nil }) { ref, events in
            seen.append(ref)
            #expect(events.allSatisfy { $0.caseRef == ref })
        }
        #expect(seen == ["A1", "B2"])
        #expect(skipped == ["C3", "E5"])
        #expect(issues.count == 2, "\(issues)")
        var lenient: [String] = []
        _ = x.forEachChild(lenient: true, openPeriod: { _ in nil }) { ref, events in
            lenient.append("\(ref):\(events.count)")
        }
        // Lenient: the overlap is set aside (the first episode taken to end when the second starts), and C3 and
        // E5 come through with it, each with the fact set aside in its history.
        #expect(lenient == ["A1:3", "B2:2", "C3:4", "D4:2", "E5:4"])
    }

    /// A yearly return whose first row for a child placed for adoption changes the authority with the same
    /// carers (A3 in last year's file, A5 in this one): the adoptive placement the store has goes on. A row
    /// that only goes on gives nothing, and the child is not handed on at all.
    @Test func aYearlyReturnGoesOnFromThePlacementTheStoreHas() throws {
        var x = try extract(episodes: ["C1,01/04/2025,U,E1,N1,A5,PR1,,,,,,", "C2,01/04/2025,L,C2,N1,U4,PR1,,,,,,"])
        let open = SSDA903Extract.OpenPeriod(start: LocalDate(year: 2024, month: 9, day: 2)!, placement: "placed-for-adoption")
        var handed: [String] = []
        let (issues, _, _) = x.forEachChild(lenient: false, openPeriod: { _ in open }) { ref, events in
            handed.append(ref)
            #expect(events.isEmpty == false)
        }
        #expect(issues.isEmpty, "\(issues)")
        #expect(handed.isEmpty, "neither child gives an event: C1's placement and order go on, C2's care order goes on")
        let fresh = SSDA903Extract.OpenPeriod(start: LocalDate(year: 2024, month: 9, day: 2)!, placement: "placed-foster")
        let (m, _, _) = x.mapped(lenient: true, openPeriod: { $0 == "C1" ? fresh : nil })
        #expect(summary(m.filter { $0.caseRef == "C1" }) == ["2025-04-01 placed-for-adoption-with-foster-carers placed:20250401"], "from foster care, the adoptive placement starts")
    }
}
