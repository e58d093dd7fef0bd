/// Where something was written: a file and a 1-based line.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`, as compilers and `check-config` write it.
    public var description: String { "\(file):\(line)" }
}
