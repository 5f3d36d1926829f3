internal import MariaDB

/// The mail queue, `meiduo_outbox`: what the email flow writes.
public enum Outbox {
    /// A claim a new mail is inserted under, held for `seconds`, so it can be handed straight
    /// to a sender (`Handover`).
    public struct Lease: Sendable, Equatable {
        public let claim: Int64
        public let seconds: Double

        public init(claim: Int64, seconds: Double) {
            self.claim = claim
            self.seconds = seconds
        }
    }

    /// A change of address and the mail(s) it queues, as `meiduo_queue_address` takes them.
    public struct Binding: Sendable {
        public var userID: Int64
        public var email: String
        public var messageID: String
        public var message: [UInt8]
        /// The keyed hash of the mail's code and how long it is good for.
        public var code: (hash: [UInt8], lifetime: Int)
        /// The request that asked for it: the same id again queues nothing twice.
        public var requestID: String
        /// Seconds between two mails from the user to one address, mails per user per hour, and
        /// mails to one address per hour from all users; 0 is off.
        public var addressInterval: Int
        public var userHourly: Int
        public var addressHourly: Int
        /// The session asking, and how recently it must have confirmed the password to replace
        /// a verified address; nil: no such rule for this bind.
        public var reauth: (sessionDigest: [UInt8], window: Int)?
        /// Keep a verified address until the new one is verified (EMAIL_RECONFIRMABLE).
        public var reconfirmable: Bool
        /// The notice to the verified address being replaced, if any.
        public var notice: Notice?
        /// Insert the verification mail leased under this, to hand it over; nil: queue it.
        public var lease: Lease?
        /// Refuse, writing nothing, while the oldest due message has waited longer (0: never).
        public var maxQueueLag: Double

        public init(
            userID: Int64, email: String, messageID: String, message: [UInt8], code: (hash: [UInt8], lifetime: Int), requestID: String,
            addressInterval: Int, userHourly: Int, addressHourly: Int, reauth: (sessionDigest: [UInt8], window: Int)?, reconfirmable: Bool,
            notice: Notice?, lease: Lease?, maxQueueLag: Double
        ) {
            self.userID = userID
            self.email = email
            self.messageID = messageID
            self.message = message
            self.code = code
            self.requestID = requestID
            self.addressInterval = addressInterval
            self.userHourly = userHourly
            self.addressHourly = addressHourly
            self.reauth = reauth
            self.reconfirmable = reconfirmable
            self.notice = notice
            self.lease = lease
            self.maxQueueLag = maxQueueLag
        }
    }

    /// The mail to a verified address being replaced, and the digest of the id its undo link
    /// carries (`AddressChanges`).
    public struct Notice: Sendable {
        public let recipient: String
        public let messageID: String
        public let message: [UInt8]
        public let changeDigest: [UInt8]

        public init(recipient: String, messageID: String, message: [UInt8], changeDigest: [UInt8]) {
            self.recipient = recipient
            self.messageID = messageID
            self.message = message
            self.changeDigest = changeDigest
        }
    }

    public enum ThrottleLimit: String, Sendable {
        /// One mail from a user to an address per interval, or the address's hourly cap.
        case address
        /// So many mails per user per hour.
        case user
    }

    public enum BindOutcome: Sendable, Equatable {
        /// Stored and queued (or queued already by an earlier try of the same request);
        /// the next mail may go `retryAfter` seconds from now. `handedOver`: inserted under the
        /// binding's lease, for the caller to pass to a sender.
        case queued(outboxID: Int64, retryAfter: Int, handedOver: Bool)
        /// The address is the user's verified one already: nothing was written.
        case unchanged(retryAfter: Int)
        /// A verified address would be replaced by a session that has not confirmed the
        /// password lately: nothing was written.
        case reauthenticate
        /// Too many mails to that address or from that user lately (`limit`): nothing was written.
        case throttled(retryAfter: Int, limit: ThrottleLimit)
        /// The queue is further behind than the binding allows: nothing was written.
        case busy(retryAfter: Int)
    }

    /// Stores the address and queues its mail in one transaction and one round trip (the
    /// `meiduo_queue_address` procedure of `sql/`).
    public static func bind(_ binding: Binding, on connection: Link) throws -> BindOutcome {
        let rows = try connection.call(
            "CALL meiduo_queue_address(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .int(binding.userID), .text(binding.email), .text(binding.messageID), .bytes(binding.message), .bytes(binding.code.hash),
                .int(Int64(binding.code.lifetime)), .int(Int64(binding.addressInterval)), .int(Int64(binding.userHourly)),
                .int(Int64(binding.addressHourly)), .text(binding.requestID), binding.reauth.map { .bytes($0.sessionDigest) } ?? .null,
                .int(Int64(binding.reauth?.window ?? 0)), SQLValue(binding.reconfirmable), SQLValue(binding.notice?.recipient),
                SQLValue(binding.notice?.messageID), binding.notice.map { .bytes($0.message) } ?? .null,
                binding.notice.map { .bytes($0.changeDigest) } ?? .null, .int(binding.lease?.claim ?? 0),
                .int(microseconds(binding.lease?.seconds ?? 0)), .int(microseconds(binding.maxQueueLag)),
            ])
        guard let row = rows.first else {
            throw MariaDBError(code: MariaDBError.unexpectedRowCode, message: "meiduo_queue_address answered no row")
        }
        let retryAfter = Int(try row.requiredInt(2))
        switch try row.requiredString(0) {
        case "throttled":
            return .throttled(retryAfter: retryAfter, limit: row.string(3).flatMap(ThrottleLimit.init(rawValue:)) ?? .address)
        case "busy":
            return .busy(retryAfter: retryAfter)
        case "unchanged":
            return .unchanged(retryAfter: retryAfter)
        case "reauth":
            return .reauthenticate
        default:
            return .queued(outboxID: try row.requiredInt(1), retryAfter: retryAfter, handedOver: try row.requiredInt(4) == 1)
        }
    }
}
