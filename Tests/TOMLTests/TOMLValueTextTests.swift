import Testing

@testable import TOML

/// `inlineText` writes a value back so that parsing it gives the same value.
@Suite struct TOMLValueTextTests {
    @Test func everyKindOfValueRoundTrips() throws {
        let doc = try TOMLParser.parse(#"""
            s = "tab\there \"q\" back\\slash \u00e9 \u0001 del\u007F"
            lit = 'C:\path'
            multi = """
            two
            lines"""
            n = -42
            f = 0.5
            b = false
            when = 2026-10-23T14:00:00+01:00
            list = ["a", 'b', [1, 2]]
            inline = { x = 1, "odd key" = "v", y.z = ["w"] }
            [[ladder]]
            after = "0h"
            notify = ["team-manager"]
            [[ladder]]
            after = "1d"
            notify = ["service-manager"]
            """#)
        for k in doc.keys {
            let text = doc[k]!.value.inlineText
            #expect(!text.contains("\n"), "\(k): \(text)")
            let again = try TOMLParser.parse("v = \(text)")
            #expect(again["v"]!.value.inlineText == text, "\(k)")
        }
        #expect(doc["s"]!.value.inlineText == #""tab\there \"q\" back\\slash é \u0001 del\u007F""#)
        #expect(doc["inline"]!.value.inlineText == #"{ x = 1, "odd key" = "v", y = { z = ["w"] } }"#)
        #expect(doc["ladder"]!.value.inlineText == #"[{ after = "0h", notify = ["team-manager"] }, { after = "1d", notify = ["service-manager"] }]"#)
    }
}
