import Glibc
import Store

/// Writes each message to `<directory>/<Message-ID>.eml`, atomically: into a temporary file,
/// synced, then renamed. Named by Message-ID, a message delivered twice (a retried lease) is
/// one file, and a reader never sees half a message.
final class FileTransport: MailTransport {
    private let directory: String

    init(directory: String) throws {
        self.directory = directory
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw DeliveryError.temporary("cannot create \(directory): \(String(cString: strerror(errno)))")
        }
    }

    func deliver(_ mail: Outbox.ClaimedMail) throws(DeliveryError) {
        let name = Self.fileName(for: mail.messageID)
        let temporary = "\(directory)/.\(name).\(getpid()).tmp"
        let final = "\(directory)/\(name)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open \(temporary)") }
        let written = mail.message.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        let synced = written && fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, final) == 0 else {
            let error = failure("write \(final)")
            unlink(temporary)
            throw error
        }
    }

    private func failure(_ what: String) -> DeliveryError {
        .temporary("\(what): \(String(cString: strerror(errno)))")
    }

    /// The Message-ID with anything but letters, digits, `.`, `-`, `_` and `@` replaced.
    static func fileName(for messageID: String) -> String {
        let safe = messageID.utf8.map { byte -> UInt8 in
            let allowed = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "@")
            return allowed ? byte : UInt8(ascii: "_")
        }
        return String(decoding: safe.prefix(200), as: UTF8.self) + ".eml"
    }
}
