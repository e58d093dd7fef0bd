/// The UK jurisdictions whose bank holidays differ.
public enum Nation: String, CaseIterable, Sendable {
    case englandAndWales = "england-and-wales"
    case scotland = "scotland"
    case northernIreland = "northern-ireland"

    /// `England and Wales`, for messages.
    public var displayName: String {
        switch self {
        case .englandAndWales: return "England and Wales"
        case .scotland: return "Scotland"
        case .northernIreland: return "Northern Ireland"
        }
    }
}

/// One day that is not a working day for reasons other than the weekend.
public struct Holiday: Sendable, Equatable {
    public let date: LocalDate
    public let name: String

    public init(date: LocalDate, name: String) {
        self.date = date
        self.name = name
    }
}
