/// The UK nation whose law governs a case: which statutory packs apply to it. Wales shares England's bank
/// holidays but not its regulations (the Care Planning, Placement and Case Review (Wales) Regulations 2015
/// replace the English ones), so it is a jurisdiction of its own within the England and Wales calendar.
public enum Jurisdiction: String, CaseIterable, Sendable {
    case england
    case wales
    case scotland
    case northernIreland = "northern-ireland"

    /// `Northern Ireland`, for messages.
    public var displayName: String {
        switch self {
        case .england: return "England"
        case .wales: return "Wales"
        case .scotland: return "Scotland"
        case .northernIreland: return "Northern Ireland"
        }
    }

    /// The bank holidays its working days start from.
    public var nation: Nation {
        switch self {
        case .england, .wales: return .englandAndWales
        case .scotland: return .scotland
        case .northernIreland: return .northernIreland
        }
    }

    /// The jurisdiction a calendar stands for when it does not say: its own name, or its nation's (the
    /// `england-and-wales` calendar is England's; Welsh authorities name the `wales` calendar, or set
    /// `jurisdiction = "wales"` on their own).
    public static func implied(calendar name: String, nation: Nation) -> Jurisdiction {
        if let j = Jurisdiction(rawValue: name) { return j }
        switch nation {
        case .englandAndWales: return .england
        case .scotland: return .scotland
        case .northernIreland: return .northernIreland
        }
    }
}
