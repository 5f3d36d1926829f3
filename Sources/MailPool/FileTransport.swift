import Codecs
import Processes
import Store

/// Writes each message to `<directory>/<Message-ID>.eml`, atomically. Named by Message-ID, a
/// message delivered twice (a retried lease) is one file, and a reader never sees half a message.
public final class FileTransport: MailTransport {
    private let directory: String

    init(directory: String) throws {
        self.directory = directory
        do {
            try AtomicFile.makeDirectory(directory)
        } catch {
            throw DeliveryError.temporary("cannot create \(directory): \(error)")
        }
    }

    public func deliver(_ mail: Outbox.ClaimedMail) throws(DeliveryError) {
        let name = Self.fileName(for: mail.messageID)
        do {
            try AtomicFile.write(mail.message, to: "\(directory)/\(name)", temporary: "\(directory)/.\(name).\(CurrentProcess.id).tmp")
        } catch {
            throw .temporary("\(error)")
        }
    }

    /// The Message-ID with anything but letters, digits, `.`, `-`, `_` and `@` replaced.
    public static func fileName(for messageID: String) -> String {
        let safe = messageID.utf8.map { byte -> UInt8 in
            ASCII.isAlphanumeric(byte) || ".-_@".utf8.contains(byte) ? byte : UInt8(ascii: "_")
        }
        return String(decoding: safe.prefix(200), as: UTF8.self) + ".eml"
    }
}
