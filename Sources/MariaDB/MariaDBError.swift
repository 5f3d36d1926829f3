import CMariaDB

/// An error reported by the server or by Connector/C, with MariaDB's own error number and where
/// it was raised.
public struct MariaDBError: Error, CustomStringConvertible, Sendable {
    public let code: UInt32
    public let sqlState: String
    public let message: String
    public let fileID: String
    public let line: Int

    public var description: String { "MariaDB error \(code) (\(sqlState)): \(message) (at \(fileID):\(line))" }

    /// The connection is unusable: the server went away, was restarted, or cannot be reached.
    public var isConnectionFailure: Bool {
        switch Int32(code) {
        case CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, CR_SERVER_GONE_ERROR, CR_SERVER_LOST,
            CR_SERVER_LOST_EXTENDED, CR_COMMANDS_OUT_OF_SYNC, ER_CONNECTION_KILLED, ER_SERVER_SHUTDOWN,
            Self.clientInteractionTimeout:
            return true
        default:
            return false
        }
    }

    /// The server's ER_CLIENT_INTERACTION_TIMEOUT (MariaDB 10.6+); Connector/C's headers give
    /// 4031 an older server's name.
    private static let clientInteractionTimeout: Int32 = 4031

    public var isDuplicateKey: Bool { code == ER_DUP_ENTRY }

    /// Not the server's: a row did not hold what the code reading it expected.
    public static let unexpectedRowCode: UInt32 = 9000

    /// The server rolled the transaction back to resolve a deadlock; on Galera, also one that
    /// lost certification to a transaction committed on another node.
    public var isDeadlock: Bool { code == ER_LOCK_DEADLOCK }
    /// The statement waited for a row lock for innodb_lock_wait_timeout and was rolled back.
    public var isLockWaitTimeout: Bool { code == ER_LOCK_WAIT_TIMEOUT }

    /// A Galera node that is not part of the primary component refuses statements with
    /// ER_UNKNOWN_COM_ERROR ("WSREP has not yet prepared node for application use"): nothing ran.
    public var isNodeNotReady: Bool { code == ER_UNKNOWN_COM_ERROR }

    /// ER_ERROR_DURING_COMMIT: the COMMIT failed and the transaction was rolled back; Galera
    /// answers it when the node leaves the primary component while replicating the commit.
    public var isCommitFailure: Bool { code == ER_ERROR_DURING_COMMIT }

    /// What a connection to a node outside the primary component is refused with.
    public static func nodeNotReady(_ message: String, fileID: String = #fileID, line: Int = #line) -> MariaDBError {
        MariaDBError(code: UInt32(ER_UNKNOWN_COM_ERROR), message: message, fileID: fileID, line: line)
    }

    /// The server has no such variable: `@@wsrep_on` on a server built without Galera.
    public var isUnknownVariable: Bool { code == ER_UNKNOWN_SYSTEM_VARIABLE }

    init(connection: UnsafeMutablePointer<MYSQL>?, fileID: String = #fileID, line: Int = #line) {
        code = mysql_errno(connection)
        sqlState = String(cString: mysql_sqlstate(connection))
        message = String(cString: mysql_error(connection))
        self.fileID = fileID
        self.line = line
    }

    init(statement: UnsafeMutablePointer<MYSQL_STMT>, fileID: String = #fileID, line: Int = #line) {
        code = mysql_stmt_errno(statement)
        sqlState = String(cString: mysql_stmt_sqlstate(statement))
        message = String(cString: mysql_stmt_error(statement))
        self.fileID = fileID
        self.line = line
    }

    public init(code: UInt32, message: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.sqlState = "HY000"
        self.message = message
        self.fileID = fileID
        self.line = line
    }
}
