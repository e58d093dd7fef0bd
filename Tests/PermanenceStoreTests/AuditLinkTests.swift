import Crypto
import Testing

@testable import PermanenceStore

/// An audit entry's link is the HMAC-SHA-256 of its fields joined by U+001F, in lower-case hex: the same bytes
/// whatever way the link is computed, so every chain written before verifies after.
@Suite struct AuditLinkTests {
    let key = SymmetricKey(data: Array("0123456789abcdef0123456789abcdef".utf8))

    /// Known answers, from Python's `hmac` module over the joined text.
    @Test func linksMatchAnHMACComputedElsewhere() {
        let keyed = HMAC<Crypto.SHA256>(key: key)
        #expect(Store.hash(prev: Store.genesisHash, seq: 1, at: 1_795_392_000, actor: "import:cases.csv", action: "case.open", subject: "case:C1",
                           detail: "plan=adoption calendar=england-and-wales packs= assigned iro=sw0-1 from 1795392000", keyed: keyed)
                == "0c28bec9ef7f98c3131585127c51fbb48946be91c16dc11b85f206d000b667dc")
        #expect(Store.hash(prev: "ab", seq: -7, at: -86_400, actor: "", action: "", subject: "", detail: "r\u{E9}union \u{2014} \u{1F600}", keyed: keyed)
                == "434d56e5bb0b1873b2bcfb91809626cf5a7acc61f725b9918cb06b021d49e834")
    }

    /// Against the MAC of the joined string, over fields of every kind: empty, long, beyond ASCII, and the
    /// extremes of a number.
    @Test func linksAreTheMACOfTheJoinedFields() {
        let keyed = HMAC<Crypto.SHA256>(key: key)
        let texts = ["", "a", "case:C1", String(repeating: "x", count: 300), "caf\u{E9} \u{1F1EC}\u{1F1E7}", "tab\tand\u{1F}unit"]
        let numbers = [0, 1, -1, 9, 10, 1_795_392_000, -86_400, Int.max, Int.min]
        var n = 0
        for a in texts {
            for b in texts {
                let seq = numbers[n % numbers.count], at = numbers[(n * 7 + 3) % numbers.count]
                n += 1
                var mac = HMAC<Crypto.SHA256>(key: key)
                mac.update(data: Array([a, String(seq), String(at), b, a, b + a, a + b].joined(separator: "\u{1F}").utf8))
                let expected = mac.finalize().map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
                #expect(Store.hash(prev: a, seq: seq, at: at, actor: b, action: a, subject: b + a, detail: a + b, keyed: keyed) == expected)
            }
        }
    }
}
