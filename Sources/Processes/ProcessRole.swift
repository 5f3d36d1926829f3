/// The kinds of process in the service's tree. Each kind's secrets and settings are
/// `Settings`' to describe, its stop grace `Settings`' to compute; what is here is how the tree
/// treats them.
public enum ProcessRole: String, Sendable, CaseIterable {
    /// `serve`: owns the socket, starts, restarts and stops the others; never touches the
    /// database, the shop's Redis or SMTP.
    case supervisor
    /// Answers the requests, and hands new mail to the senders.
    case responder
    /// Delivers mail, from what the responder hands over and from the queue.
    case sender

    /// The roles the supervisor starts.
    public static let children: [ProcessRole] = [.responder, .sender]

    /// When a child of this role is stopped: the producer of mail first (the responder stops
    /// accepting and finishes its requests), then the senders, which deliver or give back what
    /// was handed to them; so nothing is handed over to a sender that has already stopped.
    public var stopStage: Int {
        switch self {
        case .supervisor: 2
        case .responder: 0
        case .sender: 1
        }
    }
}
