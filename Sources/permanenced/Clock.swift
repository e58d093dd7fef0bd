import Foundation
import PermanenceCore

/// The one place the CLI reads the system clock; the engine always takes "now" as a parameter.
enum Clock {
    static func now() -> Instant {
        Instant(seconds: Int(Date().timeIntervalSince1970))
    }
}
