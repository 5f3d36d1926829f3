import CCurl

/// A failed SMTP transaction: curl's error, and the server's last reply code if it answered.
public struct SMTPError: Error, CustomStringConvertible, Sendable {
    public let curlCode: UInt32
    /// The last SMTP reply code (e.g. 550), 0 if the server never answered.
    public let replyCode: Int
    public let message: String

    public var description: String {
        replyCode > 0 ? "SMTP \(replyCode): \(message)" : message
    }

    /// The server refused for good (a 5xx reply): sending again will not help.
    public var isPermanent: Bool { (500..<600).contains(replyCode) }

    /// Nothing came back from the server: the connection failed or was dropped.
    var isConnectionLevel: Bool { replyCode == 0 }
}
