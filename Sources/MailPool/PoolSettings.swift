/// How the sender children work.
public struct PoolSettings: Sendable {
    /// Sender processes `serve` starts (MEIDUO_MAIL_WORKERS).
    public var workers: Int
    /// How long a claimed message is a sender's own; after that any sender may take it again.
    public var leaseSeconds: Double
    /// Messages claimed at once.
    public var batchSize: Int
    public var retry: RetrySchedule
    /// How often an idle sender looks for retries that came due (new mail wakes it at once).
    public var pollInterval: Double
    /// MAIL FROM: the address of EMAIL_FROM.
    public var envelopeSender: String
    public var transport: TransportSettings
    /// The senders' CPU niceness (MEIDUO_MAIL_NICE): above the responder's 0, so requests win.
    public var niceness: Int32

    public init(
        workers: Int, leaseSeconds: Double, batchSize: Int, retry: RetrySchedule, pollInterval: Double, envelopeSender: String,
        transport: TransportSettings, niceness: Int32 = 10
    ) {
        self.workers = workers
        self.leaseSeconds = leaseSeconds
        self.batchSize = batchSize
        self.retry = retry
        self.pollInterval = pollInterval
        self.envelopeSender = envelopeSender
        self.transport = transport
        self.niceness = niceness
    }
}
