import Glibc

/// A failed system call, with the errno it left behind and where it was made.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32
    public let fileID: String
    public let line: Int

    public init(_ operation: String, code: Int32 = errno, fileID: String = #fileID, line: Int = #line) {
        self.operation = operation
        self.code = code
        self.fileID = fileID
        self.line = line
    }

    public var description: String { "\(operation): \(String(cString: strerror(code))) (at \(fileID):\(line))" }
}
