import PropertyBased
import Testing

@testable import PermanenceCore

/// The table of event kind names finds exactly the names of the vocabulary, whatever their length and however
/// alike: the evaluator files every event by it, so a kind found wrongly would count a visit as a review.
@Suite struct KindTableTests {
    @Test func everyNameIsFoundAtItsIndexAndNothingElseIs() {
        let names = ["visit", "review", "became-looked-after", "placed-for-adoption", "placed-for-adoption-with-foster-carers",
                     "family-finding-review", "family-finding-started", "a", "", "ppm", "placement-order", "placement-ended"]
        let table = KindTable(names)
        for (i, n) in names.enumerated() {
            #expect(table.index(of: n) == i, "\(n)")
            // The same name in a string of its own (read from a store, not the vocabulary's).
            #expect(table.index(of: String(decoding: Array(n.utf8), as: UTF8.self)) == i, "\(n)")
        }
        for other in ["visits", "Visit", "revie", "became-looked-afte", "placed-for-adoption-with-foster-carer", "family-finding-reviex",
                      "placement-orders", "b", " ", "visit\u{0}"] {
            #expect(table.index(of: other) == nil, "\(other)")
        }
    }

    @Test func namesAlikeInLengthAndAtBothEndsAreToldApart() {
        // Same length, same first and last eight bytes: one hash, told apart by their middles.
        let names = ["placement-AAAA-order-x", "placement-BBBB-order-x", "placement-CCCC-order-x"]
        let table = KindTable(names)
        #expect(names.map(table.index(of:)) == [0, 1, 2])
        #expect(table.index(of: "placement-DDDD-order-x") == nil)
    }

    @Test func aNameWithBytesBeyondASCIIIsFoundByItsBytes() {
        let table = KindTable(["visite-\u{E9}t\u{E9}", "r\u{E9}union"])
        #expect(table.index(of: "visite-\u{E9}t\u{E9}") == 0)
        #expect(table.index(of: "r\u{E9}union") == 1)
        #expect(table.index(of: "reunion") == nil)
        // A name is matched by its bytes, as the vocabulary writes it: the same letters written with a
        // combining accent are another name (and no kind is found).
        #expect(table.index(of: "re\u{301}union") == nil)
    }

    /// Random vocabularies over a few letters (many names alike, of every length around the eight-byte
    /// boundaries), and random names looked up: the table agrees with a search of the list.
    @Test func theTableAgreesWithASearchOfTheList() async {
        let word = Gen.character(in: "a"..."c").string(of: 0...20)
        await propertyCheck(input: word.array(of: 1...60), word.array(of: 0...30)) { names, probes in
            let table = KindTable(names)
            for p in names + probes {
                #expect(table.index(of: p) == names.firstIndex(of: p), "\(p)")
            }
        }
    }
}
