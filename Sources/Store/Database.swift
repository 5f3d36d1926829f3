import Instruments
import MariaDB
import Settings

/// A database failure, as the layers above see it: something went wrong, the details are for
/// the log, never for the client. It records where the failing work was started.
public struct DatabaseError: Error, CustomStringConvertible {
    public let underlying: MariaDBError
    public let fileID: String
    public let line: Int

    public var description: String { "\(underlying) (at \(fileID):\(line))" }
    public var isDuplicateKey: Bool { underlying.isDuplicateKey }
}

/// A thread's handle on MariaDB: one connection, opened on first use and reopened after the
/// server went away, so a restart of MariaDB needs no restart of ours.
public final class Database {
    private let options: ConnectionOptions
    private var connection: Connection?
    /// A connection was lost: the next one opened is a reconnection.
    private var lost = false

    public init(_ settings: DatabaseSettings) {
        options = ConnectionOptions(
            socket: settings.socket, host: settings.host, port: UInt32(settings.port), user: settings.user,
            password: settings.password, database: settings.name, connectTimeout: UInt32(settings.connectTimeout),
            readWriteTimeout: UInt32(settings.readTimeout))
    }

    /// Runs `work` on the connection. When a connection that was already open turns out to be
    /// dead at `work`'s first round trip, nothing of `work` reached the server, so it runs once
    /// more on a fresh connection; any later failure is the caller's.
    public func run<T>(fileID: String = #fileID, line: Int = #line, _ work: (Connection) throws -> T) throws -> T {
        do {
            return try runRetryingStaleConnection(work)
        } catch let error as MariaDBError {
            Instruments.databaseErrors[Instruments.role.rawValue]?.increment()
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

    /// Conflicts (deadlocks, lock waits) a transaction is run again for before giving up.
    static let conflictRetries = 3

    /// Runs `work` in one transaction: committed if it returns, rolled back if it throws. A
    /// transaction the server rolled back to resolve a conflict with another one is run again.
    public func transaction<T>(fileID: String = #fileID, line: Int = #line, _ work: (Connection) throws -> T) throws -> T {
        var conflicts = 0
        while true {
            do {
                return try run(fileID: fileID, line: line) { connection in
                    try connection.begin()
                    do {
                        let result = try work(connection)
                        try connection.commit()
                        return result
                    } catch {
                        try? connection.rollback()
                        throw error
                    }
                }
            } catch let error as DatabaseError where error.underlying.isTransactionConflict && conflicts < Self.conflictRetries {
                conflicts += 1
            }
        }
    }

    private func open() throws -> Connection {
        if let connection { return connection }
        let fresh = try Connection(options)
        connection = fresh
        if lost {
            lost = false
            Instruments.databaseReconnects[Instruments.role.rawValue]?.increment()
        }
        return fresh
    }
}
