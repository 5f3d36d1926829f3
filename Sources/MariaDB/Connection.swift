import CMariaDB

/// Where and how to reach the server.
public struct ConnectionOptions: Sendable {
    public var socket: String?
    public var host: String?
    public var port: UInt32
    public var user: String
    public var password: String?
    public var database: String
    public var connectTimeout: UInt32
    public var readWriteTimeout: UInt32

    public init(
        socket: String?, host: String?, port: UInt32 = 3306, user: String, password: String?, database: String,
        connectTimeout: UInt32 = 3, readWriteTimeout: UInt32 = 30
    ) {
        self.socket = socket
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.readWriteTimeout = readWriteTimeout
    }
}

/// One client connection, used by one thread at a time. Prepared statements are cached per SQL
/// text for the connection's lifetime and closed with it.
public final class Connection {
    private let handle: UnsafeMutablePointer<MYSQL>
    private var statements: [String: Statement] = [:]

    /// Round trips attempted so far; lets a caller tell whether a failure hit its first one.
    public private(set) var roundTrips = 0
    /// Statements sent that may change data (all but `query`), and whether the last round trip
    /// was one: lets a caller tell whether a failed piece of work may have left changes behind.
    public private(set) var writes = 0
    public private(set) var lastWasWrite = false

    public init(_ options: ConnectionOptions) throws {
        guard let handle = mysql_init(nil) else { throw MariaDBError(code: 2008, message: "out of memory") }
        var connectTimeout = options.connectTimeout
        var ioTimeout = options.readWriteTimeout
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &ioTimeout)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout)
        mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        // Runs on every connect: row locks only, no gap locks, so queue claims (SKIP LOCKED)
        // and outbox inserts do not block or deadlock each other.
        mysql_options(handle, MYSQL_INIT_COMMAND, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        let connected = mysql_real_connect(
            handle, options.host, options.user, options.password, options.database, options.port,
            options.socket, UInt(CLIENT_FOUND_ROWS))
        guard connected != nil else {
            let error = MariaDBError(connection: handle)
            mysql_close(handle)
            throw error
        }
        self.handle = handle
    }

    deinit {
        statements.removeAll()
        mysql_close(handle)
    }

    /// The cached prepared statement for `sql`, preparing it on first use.
    public func statement(_ sql: String) throws -> Statement {
        if let cached = statements[sql] { return cached }
        roundTrips += 1
        lastWasWrite = false
        let prepared = try Statement(connection: handle, sql: sql)
        statements[sql] = prepared
        return prepared
    }

    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        let statement = try statement(sql)
        sendingWrite()
        return try statement.execute(values)
    }

    public func query(_ sql: String, _ values: [SQLValue] = []) throws -> [Row] {
        let statement = try statement(sql)
        roundTrips += 1
        lastWasWrite = false
        return try statement.query(values)
    }

    /// Calls a stored procedure; answers the rows it selected.
    public func call(_ sql: String, _ values: [SQLValue]) throws -> [Row] {
        let statement = try statement(sql)
        sendingWrite()
        return try statement.call(values)
    }

    /// Inserts and answers the generated AUTO_INCREMENT id.
    public func insert(_ sql: String, _ values: [SQLValue]) throws -> Int64 {
        let statement = try statement(sql)
        sendingWrite()
        try statement.execute(values)
        return statement.insertID
    }

    private func sendingWrite() {
        roundTrips += 1
        writes += 1
        lastWasWrite = true
    }

    public func begin() throws {
        try command("START TRANSACTION")
    }

    public func commit() throws {
        sendingWrite()
        guard mysql_commit(handle) == 0 else { throw MariaDBError(connection: handle) }
    }

    public func rollback() throws {
        roundTrips += 1
        guard mysql_rollback(handle) == 0 else { throw MariaDBError(connection: handle) }
    }

    /// Runs one fixed statement that takes no parameters and returns no rows (transaction
    /// control, DDL from migration files), without keeping a prepared copy of it.
    public func command(_ sql: String) throws {
        sendingWrite()
        let failed = sql.utf8CString.withUnsafeBufferPointer {
            mysql_real_query(handle, $0.baseAddress, UInt($0.count - 1))
        }
        guard failed == 0 else { throw MariaDBError(connection: handle) }
        if let result = mysql_store_result(handle) { mysql_free_result(result) }
    }
}
