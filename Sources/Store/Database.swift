import Instruments
internal import MariaDB
import Settings

/// A database failure, as the layers above see it: something went wrong, the details are for
/// the log, never for the client. It records where the failing work was started.
public struct DatabaseError: Error, CustomStringConvertible {
    let underlying: MariaDBError
    public let fileID: String
    public let line: Int

    public var description: String { "\(underlying) (at \(fileID):\(line))" }
    public var isDuplicateKey: Bool { underlying.isDuplicateKey }
    var isTransactionConflict: Bool { underlying.isTransactionConflict }
}

/// The connection lent to the work of `Database.run`: each statement commits on its own.
public struct Link {
    let connection: Connection
}

/// The connection lent to the work of `Database.transaction`, between its BEGIN and its COMMIT.
/// The calls that are only correct together with others (a claim and its update, the outcomes
/// of a batch) take one, so they cannot be called outside a transaction.
public struct Transaction {
    let connection: Connection

    /// For the calls of single statements, made inside this transaction.
    public var link: Link { Link(connection: connection) }
}

/// A thread's handle on MariaDB: one connection, opened on first use and reopened after the
/// server went away, so a restart of MariaDB needs no restart of ours. The only way into the
/// database: nothing outside Store sees the driver.
public final class Database {
    private let options: ConnectionOptions
    private let instruments: DatabaseInstruments?
    private var connection: Connection?
    /// A connection was lost: the next one opened is a reconnection.
    private var lost = false

    /// Once per process, before its threads start.
    public static func prepareProcess() {
        MariaDBLibrary.initialize()
    }

    /// `instruments`: where a process of the service counts failures and reconnections; a
    /// command counts nothing.
    public init(_ settings: DatabaseSettings, instruments: DatabaseInstruments? = nil) {
        options = ConnectionOptions(
            socket: settings.socket, host: settings.host, port: UInt32(settings.port), user: settings.user,
            password: settings.password, database: settings.name, connectTimeout: UInt32(settings.connectTimeout),
            readWriteTimeout: UInt32(settings.readTimeout))
        self.instruments = instruments
    }

    /// Runs `work` on the connection, each statement committing on its own. When a connection
    /// that was already open turns out to be dead at `work`'s first round trip, nothing of
    /// `work` reached the server, so it runs once more on a fresh connection; any later failure
    /// is the caller's.
    public func run<T>(fileID: String = #fileID, line: Int = #line, _ work: (Link) throws -> T) throws -> T {
        try withConnection(fileID: fileID, line: line) { try work(Link(connection: $0)) }
    }

    /// Conflicts (deadlocks, lock waits) a transaction is run again for before giving up.
    static let conflictRetries = 3

    /// Runs `work` in one transaction: committed if it returns, rolled back if it throws. A
    /// transaction the server rolled back to resolve a conflict with another one is run again,
    /// so `work` must be safe to run more than once.
    public func transaction<T>(fileID: String = #fileID, line: Int = #line, _ work: (Transaction) throws -> T) throws -> T {
        var conflicts = 0
        while true {
            do {
                return try withConnection(fileID: fileID, line: line) { connection in
                    try connection.begin()
                    do {
                        let result = try work(Transaction(connection: connection))
                        try connection.commit()
                        return result
                    } catch {
                        try? connection.rollback()
                        throw error
                    }
                }
            } catch let error as DatabaseError where error.isTransactionConflict && conflicts < Self.conflictRetries {
                conflicts += 1
            }
        }
    }

    private func withConnection<T>(fileID: String, line: Int, _ work: (Connection) throws -> T) throws -> T {
        do {
            return try runRetryingStaleConnection(work)
        } catch let error as MariaDBError {
            instruments?.errors.increment()
            throw DatabaseError(underlying: error, fileID: fileID, line: line)
        }
    }

    private func runRetryingStaleConnection<T>(_ work: (Connection) throws -> T) throws -> T {
        let wasOpen = connection != nil
        let current = try open()
        let start = current.roundTrips
        do {
            return try work(current)
        } catch let error as MariaDBError where error.isConnectionFailure {
            connection = nil
            lost = true
            guard wasOpen, current.roundTrips == start + 1 else { throw error }
            do {
                return try work(try open())
            } catch let error as MariaDBError where error.isConnectionFailure {
                connection = nil
                throw error
            }
        }
    }

    private func open() throws -> Connection {
        if let connection { return connection }
        let fresh = try Connection(options)
        connection = fresh
        if lost {
            lost = false
            instruments?.reconnects.increment()
        }
        return fresh
    }
}

/// The driver's calls, on either kind of lent connection, for Store's queries.
protocol Statements {
    var connection: Connection { get }
}

extension Statements {
    func query(_ sql: String, _ values: [SQLValue] = []) throws -> [Row] { try connection.query(sql, values) }
    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue] = []) throws -> Int { try connection.execute(sql, values) }
    func insert(_ sql: String, _ values: [SQLValue]) throws -> Int64 { try connection.insert(sql, values) }
    func call(_ sql: String, _ values: [SQLValue]) throws -> [Row] { try connection.call(sql, values) }
    func command(_ sql: String) throws { try connection.command(sql) }
}

extension Link: Statements {}
extension Transaction: Statements {}
