import Glibc
import Instruments
import Logging
internal import MariaDB
import Processes
import Settings

/// A database failure, as the layers above see it: something went wrong, the details are for
/// the log, never for the client. It records where the failing work was started.
public struct DatabaseError: Error, CustomStringConvertible {
    let underlying: MariaDBError
    public let fileID: String
    public let line: Int

    public var description: String { "\(underlying) (at \(fileID):\(line))" }
    public var isDuplicateKey: Bool { underlying.isDuplicateKey }

    /// A conflict with other writers, or a Galera node outside the primary component, that
    /// outlasted the retries: the request may well succeed a moment later, so it is told so
    /// (503 with `retry_after`) rather than that the database failed.
    public var isBusy: Bool {
        switch DatabaseRetry.cause(of: underlying) {
        case .conflict, .lockWait, .notReady: true
        case .connection, nil: false
        }
    }
}

/// The connection lent to the work of `Database.run`: each statement commits on its own.
public struct Link {
    let connection: Connection
    /// The server is a Galera node: reads that must see other nodes' writes wait for them.
    let galera: Bool
}

/// The connection lent to the work of `Database.transaction`, between its BEGIN and its COMMIT.
/// The calls that are only correct together with others (a claim and its update, the outcomes
/// of a batch) take one, so they cannot be called outside a transaction.
public struct Transaction {
    let connection: Connection
    let galera: Bool

    /// For the calls of single statements, made inside this transaction.
    public var link: Link { Link(connection: connection, galera: galera) }
}

/// A thread's handle on MariaDB: one connection, opened on first use and reopened after the
/// server went away, so a restart of MariaDB needs no restart of ours. The only way into the
/// database: nothing outside Store sees the driver.
///
/// With several nodes (a Galera cluster), a connection goes to the first listed node that
/// answers and is part of the primary component; when it fails, the next one. Work that fails
/// for a reason that may pass (a certification conflict, a node leaving the primary
/// component, a lost connection) runs again as a whole after a short random pause, wherever
/// that is safe (`DatabaseRetry.mayRetry`).
public final class Database {
    private static let logger = Logger(label: "database")
    /// Seconds a node that failed is passed over by this connection's reconnections.
    static let nodeHoldDown = 30.0

    /// One per node, in the listed order.
    private let nodes: [ConnectionOptions]
    private let names: [String]
    private var rotation: NodeRotation
    private let retry = DatabaseRetry()
    private let instruments: DatabaseInstruments?
    private var connection: (connection: Connection, node: Int, galera: Bool)?
    /// A connection was lost: the next one opened is a reconnection.
    private var lost = false

    /// Once per process, before its threads start.
    public static func prepareProcess() {
        MariaDBLibrary.initialize()
    }

    /// `instruments`: where a process of the service counts failures and reconnections; a
    /// command counts nothing.
    public init(_ settings: DatabaseSettings, instruments: DatabaseInstruments? = nil) {
        func options(_ host: String?, _ port: Int) -> ConnectionOptions {
            ConnectionOptions(
                socket: settings.socket, host: host, port: UInt32(port), user: settings.user, password: settings.password,
                database: settings.name, connectTimeout: UInt32(settings.connectTimeout), readWriteTimeout: UInt32(settings.readTimeout))
        }
        if settings.nodes.isEmpty {
            nodes = [options(nil, settings.port)]
            names = [settings.socket ?? "localhost"]
        } else {
            nodes = settings.nodes.map { options($0.host, $0.port) }
            names = settings.nodes.map(\.description)
        }
        rotation = NodeRotation(count: nodes.count, holdDown: Self.nodeHoldDown)
        self.instruments = instruments
    }

    /// Runs `work` on the connection, each statement committing on its own. It runs again, on
    /// a fresh connection when its own failed, when it failed before any of its writes took
    /// effect (a refused or conflicting first write, a stale connection, a connection lost
    /// during a read); `idempotent` work (keyed, so that doing it twice does nothing more)
    /// also when a write's outcome is unknown. Any other failure is the caller's.
    public func run<T>(idempotent: Bool = false, fileID: String = #fileID, line: Int = #line, _ work: (Link) throws -> T) throws -> T {
        try attempts(fileID: fileID, line: line) { connection, galera, progress in
            progress.kind = .statements
            progress.idempotent = idempotent
            return try work(Link(connection: connection, galera: galera))
        }
    }

    /// Runs `work` in one transaction: committed if it returns, rolled back if it throws. A
    /// transaction the server rolled back (a deadlock, a Galera certification conflict, a node
    /// leaving the primary component) or whose connection was lost before its COMMIT is run
    /// again, so `work` must be safe to run more than once; a COMMIT whose outcome is unknown
    /// is not.
    public func transaction<T>(fileID: String = #fileID, line: Int = #line, _ work: (Transaction) throws -> T) throws -> T {
        try attempts(fileID: fileID, line: line) { connection, galera, progress in
            progress.kind = .transaction(committing: false)
            try connection.begin()
            do {
                let result = try work(Transaction(connection: connection, galera: galera))
                progress.kind = .transaction(committing: true)
                try connection.commit()
                return result
            } catch {
                // On a connection that is gone the server has rolled back already, and a
                // ROLLBACK sent into a silent one would wait out the read timeout first.
                if (error as? MariaDBError)?.isConnectionFailure != true {
                    try? connection.rollback()
                }
                throw error
            }
        }
    }

    private func attempts<T>(
        fileID: String, line: Int, _ work: (Connection, Bool, inout DatabaseRetry.Progress) throws -> T
    ) throws -> T {
        var retries = 0
        while true {
            do {
                let wasOpen = connection != nil
                let opened: (Connection, Int, Bool)
                do {
                    opened = try open()
                } catch let error as MariaDBError where DatabaseRetry.cause(of: error) == .notReady && retries < retry.retries {
                    // No node is in the primary component yet: one may be again in a moment.
                    retries += 1
                    instruments?.retried(.notReady)
                    pause(before: retries)
                    continue
                }
                let (current, node, galera) = opened
                let (roundTrips, writes) = (current.roundTrips, current.writes)
                var progress = DatabaseRetry.Progress(kind: .statements)
                do {
                    return try work(current, galera, &progress)
                } catch let error as MariaDBError {
                    guard let cause = DatabaseRetry.cause(of: error) else { throw error }
                    if cause == .connection || cause == .notReady {
                        abandon(node, because: error)
                    }
                    // A transaction's ROLLBACK after the failure is not part of its progress.
                    if case .statements = progress.kind {
                        progress.failedOnWrite = current.lastWasWrite
                        progress.writesBefore = current.writes - writes - (current.lastWasWrite ? 1 : 0)
                        progress.firstOnReusedConnection = wasOpen && current.roundTrips == roundTrips + 1
                    }
                    guard retries < retry.retries, DatabaseRetry.mayRetry(cause, progress) else { throw error }
                    retries += 1
                    instruments?.retried(cause)
                    // A stale connection replaced at once, as before clusters: nothing to wait for.
                    if !(cause == .connection && progress.firstOnReusedConnection) {
                        pause(before: retries)
                    }
                }
            } catch let error as MariaDBError {
                instruments?.errors.increment()
                throw DatabaseError(underlying: error, fileID: fileID, line: line)
            }
        }
    }

    private func pause(before retry: Int) {
        usleep(UInt32(self.retry.delay(before: retry, random: Double.random(in: 0..<1)) * 1_000_000))
    }

    /// Drops the connection to `node`, which is down or outside the primary component, and
    /// passes over it for a while.
    private func abandon(_ node: Int, because error: MariaDBError) {
        connection = nil
        lost = true
        rotation.failed(node, at: Clock.monotonic())
        if nodes.count > 1 {
            Self.logger.warning("database node \(names[node]) failed, the next connection tries another: \(error)")
        }
    }

    /// The open connection, or a new one to the first node, in rotation order, that answers
    /// and is ready; the last node's error when none is.
    private func open() throws -> (Connection, Int, Bool) {
        if let connection { return connection }
        var failure: MariaDBError?
        for node in rotation.order(at: Clock.monotonic()) {
            do {
                let fresh = try Connection(nodes[node])
                let galera = try Self.galeraState(of: fresh)
                rotation.answered(node)
                connection = (fresh, node, galera)
                if lost {
                    lost = false
                    instruments?.reconnects.increment()
                }
                return (fresh, node, galera)
            } catch let error as MariaDBError {
                rotation.failed(node, at: Clock.monotonic())
                failure = error
                if nodes.count > 1 {
                    Self.logger.warning("database node \(names[node]) cannot be used: \(error)")
                }
            }
        }
        throw failure!
    }

    /// Whether the server is a Galera node (checked once per connection, so a plain MariaDB
    /// costs no more per request); a node outside the primary component (`wsrep_ready` off)
    /// counts as not ready, as the statements it would refuse.
    private static func galeraState(of connection: Connection) throws -> Bool {
        let on: Bool
        do {
            on = try connection.query("SELECT @@wsrep_on").first?.bool(0) ?? false
        } catch let error as MariaDBError where error.isUnknownVariable {
            return false
        }
        guard on else { return false }
        let ready = try connection.query("SHOW STATUS LIKE 'wsrep_ready'").first?.string(1)
        guard ready == "ON" else {
            throw MariaDBError.nodeNotReady("wsrep_ready is \(ready ?? "missing"): the node is not part of the primary component")
        }
        return true
    }
}

/// The driver's calls, on either kind of lent connection, for Store's queries.
protocol Statements {
    var connection: Connection { get }
    var galera: Bool { get }
}

extension Statements {
    func query(_ sql: String, _ values: [SQLValue] = []) throws -> [Row] { try connection.query(sql, values) }
    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue] = []) throws -> Int { try connection.execute(sql, values) }
    func insert(_ sql: String, _ values: [SQLValue]) throws -> Int64 { try connection.insert(sql, values) }
    func call(_ sql: String, _ values: [SQLValue]) throws -> [Row] { try connection.call(sql, values) }
    func command(_ sql: String) throws { try connection.command(sql) }

    /// A read that must see every write committed before it on any node (a session started
    /// through another one): on Galera it waits until this node has applied them
    /// (`wsrep_sync_wait`, for this statement only); on a single server it is a plain read.
    func causalQuery(_ sql: String, _ values: [SQLValue] = []) throws -> [Row] {
        try connection.query(galera ? "SET STATEMENT wsrep_sync_wait = 1 FOR " + sql : sql, values)
    }
}

extension Link: Statements {}
extension Transaction: Statements {}
