/// What `waitpid` said of a child (the W* macros are not imported into Swift).
public struct WaitStatus: Sendable, Equatable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The signal that ended the child, nil if it exited.
    public var signal: Int32? {
        let signal = rawValue & 0x7F
        return signal == 0 ? nil : signal
    }

    /// The exit status, nil if a signal ended the child.
    public var exitStatus: Int32? {
        signal == nil ? (rawValue >> 8) & 0xFF : nil
    }

    public var exitedCleanly: Bool { exitStatus == 0 }

    public var description: String {
        if let signal { return "killed by signal \(signal)" }
        return "exited with status \(exitStatus ?? -1)"
    }
}
