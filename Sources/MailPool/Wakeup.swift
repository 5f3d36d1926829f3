import Processes

/// The responder's "mail was queued" hint to the senders: one byte down a pipe the supervisor
/// made. The database stays the only record of what is queued; a lost or extra byte costs at
/// most one claim query, and a timer covers what the pipe does not (retries coming due).
public enum Wakeup {
    /// Rings the senders. Never blocks: a full pipe means they already have plenty to wake for.
    public static func ring(_ pipe: FileDescriptor) {
        pipe.signal()
    }
}
