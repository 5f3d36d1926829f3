import Glibc
import Logging

/// The `serve` process. It stays single-threaded and never touches the database or SMTP: it
/// owns the listening socket, starts each child as a fresh exec of this binary with a
/// subcommand (so no child inherits a half-copied multithreaded runtime), restarts a child that
/// dies, and on SIGTERM/SIGINT stops them in their roles' order (`ProcessRole.stopStage`), each
/// stage within its grace, and exits 0 once every child has stopped cleanly.
public final class Supervisor {
    public struct Child: Sendable {
        public let name: String
        public let role: ProcessRole
        /// Seconds it may take to stop after SIGTERM before it is killed.
        public let stopGrace: Double
        public let arguments: [String]
        /// Parent descriptor → descriptor number in the child.
        public let descriptors: [(FileDescriptor, Int32)]
        /// What this child is handed on `secretsFD`: the secrets its role uses, and no other.
        public let secrets: [UInt8]

        public init(
            name: String, role: ProcessRole, stopGrace: Double, arguments: [String], descriptors: [(FileDescriptor, Int32)], secrets: [UInt8]
        ) {
            self.name = name
            self.role = role
            self.stopGrace = stopGrace
            self.arguments = arguments
            self.descriptors = descriptors
            self.secrets = secrets
        }
    }

    /// What happened to a child, told to the `events` callback with the children running after it.
    public enum Event {
        case started(Child)
        /// It ended; `restarting` unless the tree is stopping.
        case ended(Child, restarting: Bool)
    }

    /// Descriptor number of a child's end of a socket pair on which it asks for its secret
    /// settings (`secretsRequest`), once it has made itself non-dumpable, and receives them
    /// (then end of stream): they never sit in an environment that /proc shows to other
    /// processes of the same user, nor in a pipe that one could open while the child starts.
    public static let secretsFD: Int32 = 9
    public static let secretsRequest: UInt8 = 0x52
    /// How long a new child may take to ask for its secrets.
    static let secretsRequestTimeout = 10.0

    private struct Slot {
        let child: Child
        var pid: pid_t?
        var startedAt: Double = 0
        var quickDeaths = 0
        var restartAt: Double?
    }

    /// A child that lives shorter than this counts as crashing, and is restarted with back-off.
    static let healthyLifetime = 2.0
    static let maximumBackoff = 5.0

    private var slots: [Slot]
    private let environment: [String: String]
    private let events: (Event, [Child]) -> Void
    private let logger = Logger(label: "supervisor")
    private let signals = Signals([SIGTERM, SIGINT, SIGCHLD])

    /// Children get `environment` and, when they ask on `secretsFD`, their secrets. `events`
    /// hears of every start and end.
    public init(children: [Child], environment: [String: String], events: @escaping (Event, [Child]) -> Void) {
        slots = children.map { Slot(child: $0) }
        self.environment = environment.merging([Self.parentVariable: String(getpid())]) { $1 }
        self.events = events
    }

    private var running: [Child] { slots.filter { $0.pid != nil }.map(\.child) }

    /// A child exiting with this status (EX_CONFIG) found the configuration unusable: it said why
    /// on standard error, and restarting it would only fail again, so everything stops.
    public static let configurationErrorStatus: Int32 = 78

    /// Environment variable through which children learn who supervises them.
    public static let parentVariable = "MEIDUO_SUPERVISOR_PID"

    public func run() -> Int32 {
        signals.block()
        Signals.ignoreBrokenPipes()
        Signals.ignoreHangups()
        for index in slots.indices { start(index) }

        while true {
            let signal = signals.wait(timeout: nextRestartDelay())
            switch signal {
            case SIGTERM, SIGINT:
                return shutdown(signal!)
            case SIGCHLD:
                if reap() == .configurationError {
                    return shutdown(SIGTERM, failed: true)
                }
            default:
                break
            }
            restartDue()
        }
    }

    private func now() -> Double {
        Clock.monotonic()
    }

    private func start(_ index: Int) {
        let child = slots[index].child
        do {
            let (ours, theirs) = try FileDescriptor.socketPair()
            defer { ours.close() }
            let pid: pid_t
            do {
                defer { theirs.close() }
                pid = try ChildProcess.spawn(child.arguments, descriptors: child.descriptors + [(theirs, Self.secretsFD)], environment: environment)
            }
            // Nothing is written until the child, non-dumpable by then, asks: whoever could look
            // into it while it started finds an empty socket.
            if FileDescriptor.poll([ours], timeout: Self.secretsRequestTimeout)[0], ours.readRecords(size: 1, upTo: 1) == [Self.secretsRequest] {
                // Well under the socket's buffer, so writing never blocks.
                if !ours.write(child.secrets) { logger.error("cannot hand \(child.name) its settings") }
            } else {
                logger.error("\(child.name) did not ask for its settings in time; it gets none")
            }
            slots[index].pid = pid
            slots[index].startedAt = now()
            slots[index].restartAt = nil
            logger.info("started \(child.name)", metadata: ["pid": "\(pid)"])
            events(.started(child), running)
        } catch {
            logger.error("cannot start \(child.name): \(error)")
            scheduleRestart(index)
        }
    }

    private enum Reaped { case restartable, configurationError }

    private func reap() -> Reaped {
        while true {
            var raw: Int32 = 0
            let pid = waitpid(-1, &raw, WNOHANG)
            guard pid > 0 else { return .restartable }
            guard let index = slots.firstIndex(where: { $0.pid == pid }) else { continue }
            slots[index].pid = nil
            let status = WaitStatus(rawValue: raw)
            if status.exitStatus == Self.configurationErrorStatus {
                logger.critical("\(slots[index].child.name) cannot run with this configuration; stopping")
                events(.ended(slots[index].child, restarting: false), running)
                return .configurationError
            }
            logger.warning("\(slots[index].child.name) \(status); restarting", metadata: ["pid": "\(pid)"])
            events(.ended(slots[index].child, restarting: true), running)
            scheduleRestart(index)
        }
    }

    private func scheduleRestart(_ index: Int) {
        let lived = now() - slots[index].startedAt
        slots[index].quickDeaths = lived < Self.healthyLifetime ? slots[index].quickDeaths + 1 : 0
        let deaths = slots[index].quickDeaths
        let delay = deaths <= 1 ? 0 : min(Self.maximumBackoff, 0.1 * Double(1 << min(deaths, 10)))
        slots[index].restartAt = now() + delay
    }

    private func nextRestartDelay() -> Double? {
        let due = slots.compactMap(\.restartAt).min()
        return due.map { max(0.001, $0 - now()) }
    }

    private func restartDue() {
        let time = now()
        for index in slots.indices where slots[index].pid == nil && (slots[index].restartAt ?? .infinity) <= time {
            start(index)
        }
    }

    /// Stops the children stage by stage: SIGTERM to the stage's, then waiting for them (and
    /// reaping any other that ends meanwhile) until the longest grace among them has passed,
    /// when what is left of the stage is killed.
    private func shutdown(_ signal: Int32, failed: Bool = false) -> Int32 {
        logger.info("stopping on signal \(signal): each role in turn, the responder first")
        var clean = !failed
        for stage in Set(slots.map(\.child.role.stopStage)).sorted() {
            let members = slots.indices.filter { slots[$0].child.role.stopStage == stage }
            for index in members { if let pid = slots[index].pid { kill(pid, SIGTERM) } }
            let deadline = now() + (members.map { slots[$0].child.stopGrace }.max() ?? 0)
            var killed = false
            while members.contains(where: { slots[$0].pid != nil }) {
                if let stopped = reapStopped() {
                    clean = clean && stopped
                    continue
                }
                if !killed && now() > deadline {
                    for index in members { if let pid = slots[index].pid { kill(pid, SIGKILL) } }
                    logger.error("killed what was left of the \(slots[members[0]].child.role.rawValue)s after their grace")
                    killed = true
                    clean = false
                }
                _ = signals.wait(timeout: 0.05)
            }
        }
        let status: Int32 = clean ? 0 : 1
        logger.info("stopped, exit status \(status)")
        return status
    }

    /// Reaps one child that ended, if any, without restarting it: whether it exited cleanly.
    private func reapStopped() -> Bool? {
        var raw: Int32 = 0
        let pid = waitpid(-1, &raw, WNOHANG)
        guard pid > 0, let index = slots.firstIndex(where: { $0.pid == pid }) else { return nil }
        slots[index].pid = nil
        let status = WaitStatus(rawValue: raw)
        logger.info("\(slots[index].child.name) \(status)")
        events(.ended(slots[index].child, restarting: false), running)
        return status.exitedCleanly
    }
}
