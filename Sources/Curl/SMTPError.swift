import CCurl

/// A failed SMTP transaction: curl's error, the server's last reply code if it answered, and
/// where it was raised.
public struct SMTPError: Error, CustomStringConvertible, Sendable {
    public let curlCode: UInt32
    /// The last SMTP reply code (e.g. 550), 0 if the server never answered.
    public let replyCode: Int
    public let message: String
    public let fileID: String
    public let line: Int

    init(curlCode: UInt32, replyCode: Int, message: String, fileID: String = #fileID, line: Int = #line) {
        self.curlCode = curlCode
        self.replyCode = replyCode
        self.message = message
        self.fileID = fileID
        self.line = line
    }

    public var description: String {
        (replyCode > 0 ? "SMTP \(replyCode): \(message)" : message) + " (at \(fileID):\(line))"
    }

    /// The server refused for good (a 5xx reply): sending again will not help.
    public var isPermanent: Bool { (500..<600).contains(replyCode) }

    /// Nothing came back from the server: the connection failed or was dropped.
    var isConnectionLevel: Bool { replyCode == 0 }
}
