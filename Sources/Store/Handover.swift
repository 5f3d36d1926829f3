import Processes

/// The pipe from the responder to the senders. The responder inserts a new mail already leased
/// under its claim and passes the row's id here, so the sender that reads it never claims it:
/// its first write is the outcome. The database stays the record: a hand-over that is lost
/// (a sender died holding it, the service stopped) is claimed from the queue when the lease ends.
///
/// Each record is 16 bytes, the outbox id and the claim, written by one write(2), which a pipe
/// keeps whole; senders read multiples of 16, so no record is ever split between two readers.
/// Id 0 is a ring: mail was queued without a lease, look in the queue.
public struct Handover: Sendable {
    public struct Record: Sendable, Equatable {
        public let id: Int64
        public let claim: Int64

        public init(id: Int64, claim: Int64) {
            self.id = id
            self.claim = claim
        }

        public static let ring = Record(id: 0, claim: 0)
        public var isRing: Bool { id == 0 }
    }

    static let recordSize = 16
    /// Records a pipe may hold unread before the responder queues mail instead of handing it
    /// over: a sixteenth of Linux's default 64 KiB pipe, so a ring always fits after it.
    public static let limit = 256

    public let pipe: FileDescriptor

    public init(pipe: FileDescriptor) {
        self.pipe = pipe
    }

    /// Whether the senders are keeping up with what was handed to them, so a new mail can go
    /// the same way.
    public var hasRoom: Bool {
        let unread = pipe.unreadBytes
        return unread >= 0 && unread < Self.limit * Self.recordSize
    }

    /// Passes a record on; false when the pipe is full or closed.
    @discardableResult
    public func pass(_ record: Record) -> Bool {
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.recordSize)
        for value in [record.id, record.claim] {
            withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
        }
        return pipe.writeWhole(bytes)
    }

    /// Up to `count` records, without waiting.
    public func receive(upTo count: Int) -> [Record] {
        let bytes = pipe.readRecords(size: Self.recordSize, upTo: count)
        return stride(from: 0, to: bytes.count - Self.recordSize + 1, by: Self.recordSize).map { start in
            Record(id: Self.integer(bytes, at: start), claim: Self.integer(bytes, at: start + 8))
        }
    }

    private static func integer(_ bytes: [UInt8], at start: Int) -> Int64 {
        var value: Int64 = 0
        for index in (start..<start + 8).reversed() {
            value = value << 8 | Int64(bytes[index])
        }
        return value
    }
}
