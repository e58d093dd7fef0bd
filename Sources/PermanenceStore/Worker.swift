import PermanenceCore

/// A member of staff who owns or hears about deadlines.
public struct Worker: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The name emails greet the worker by and name them with (`display-name`), if the admin set one.
    public var displayName: String?
    public var email: String?
    /// Roles the worker can hold (from the vocabulary).
    public var roles: [String]
    /// The worker's line manager: escalations and cover go up this chain.
    public var manager: String?

    public init(id: String, name: String, email: String? = nil, roles: [String] = [], manager: String? = nil, displayName: String? = nil) {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.email = email
        self.roles = roles
        self.manager = manager
    }
}

/// A period a worker is away, with who covers.
public struct Absence: Sendable, Equatable {
    public var worker: String
    public var from: LocalDate
    public var to: LocalDate
    public var deputy: String?

    public init(worker: String, from: LocalDate, to: LocalDate, deputy: String?) {
        self.worker = worker
        self.from = from
        self.to = to
        self.deputy = deputy
    }
}
