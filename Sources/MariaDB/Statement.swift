import CMariaDB

/// A server-side prepared statement. Bind arrays and result buffers are allocated once, at
/// fixed heap addresses, because Connector/C keeps pointers to them between calls.
public final class Statement {
    private let handle: UnsafeMutablePointer<MYSQL_STMT>
    private let parameterCount: Int
    private let parameters: UnsafeMutablePointer<MYSQL_BIND>
    private let parameterLengths: UnsafeMutablePointer<UInt>
    private let integerSlots: UnsafeMutablePointer<Int64>
    private let results: ResultBuffers

    init(connection: UnsafeMutablePointer<MYSQL>, sql: String) throws {
        guard let handle = mysql_stmt_init(connection) else { throw MariaDBError(connection: connection) }
        let prepared = sql.utf8CString.withUnsafeBufferPointer {
            mysql_stmt_prepare(handle, $0.baseAddress, UInt($0.count - 1))
        }
        guard prepared == 0 else {
            let error = MariaDBError(statement: handle)
            mysql_stmt_close(handle)
            throw error
        }
        self.handle = handle
        parameterCount = Int(mysql_stmt_param_count(handle))
        parameters = .allocate(capacity: max(parameterCount, 1))
        parameters.initialize(repeating: MYSQL_BIND(), count: max(parameterCount, 1))
        parameterLengths = .allocate(capacity: max(parameterCount, 1))
        parameterLengths.initialize(repeating: 0, count: max(parameterCount, 1))
        integerSlots = .allocate(capacity: max(parameterCount, 1))
        integerSlots.initialize(repeating: 0, count: max(parameterCount, 1))
        let metadata = mysql_stmt_result_metadata(handle)
        results = ResultBuffers(metadata: metadata)
        if let metadata { mysql_free_result(metadata) }
        // Every stored property is set by now, so a throw here still runs deinit.
        try results.bind(to: handle)
    }

    deinit {
        mysql_stmt_close(handle)
        parameters.deallocate()
        parameterLengths.deallocate()
        integerSlots.deallocate()
    }

    /// Runs a statement that returns no rows; answers the number of rows it matched
    /// (the connection reports found rows, not changed rows).
    @discardableResult
    public func execute(_ values: [SQLValue]) throws -> Int {
        try run(values)
        return Int(mysql_stmt_affected_rows(handle))
    }

    /// The AUTO_INCREMENT value the last `execute` generated.
    public var insertID: Int64 { Int64(mysql_stmt_insert_id(handle)) }

    /// Runs a query and reads every row it returns.
    public func query(_ values: [SQLValue]) throws -> [Row] {
        try run(values)
        defer { mysql_stmt_free_result(handle) }
        return try results.fetchAll(from: handle)
    }

    /// Calls a stored procedure and reads the rows of every result set it sends (whose columns
    /// are known only once it ran), consuming them all so the connection is ready again.
    public func call(_ values: [SQLValue]) throws -> [Row] {
        try run(values)
        var rows: [Row] = []
        while true {
            if mysql_stmt_field_count(handle) > 0 {
                let metadata = mysql_stmt_result_metadata(handle)
                defer { if let metadata { mysql_free_result(metadata) } }
                let buffers = ResultBuffers(metadata: metadata)
                try buffers.bind(to: handle)
                rows += try buffers.fetchAll(from: handle)
                mysql_stmt_free_result(handle)
            }
            let next = mysql_stmt_next_result(handle)
            if next == -1 { return rows }
            guard next == 0 else { throw MariaDBError(statement: handle) }
        }
    }

    private func run(_ values: [SQLValue]) throws {
        precondition(values.count == parameterCount, "statement takes \(parameterCount) parameters, got \(values.count)")
        var copies: [UnsafeMutableRawPointer] = []
        defer { copies.forEach { $0.deallocate() } }
        for (index, value) in values.enumerated() {
            var bind = MYSQL_BIND()
            switch value {
            case .null:
                bind.buffer_type = MYSQL_TYPE_NULL
            case .int(let number):
                integerSlots[index] = number
                bind.buffer_type = MYSQL_TYPE_LONGLONG
                bind.buffer = UnsafeMutableRawPointer(integerSlots + index)
            case .text(let text):
                bind = Self.bytesBind(Array(text.utf8), type: MYSQL_TYPE_STRING, copies: &copies)
            case .bytes(let bytes):
                bind = Self.bytesBind(bytes, type: MYSQL_TYPE_BLOB, copies: &copies)
            }
            parameterLengths[index] = bind.buffer_length
            bind.length = parameterLengths + index
            parameters[index] = bind
        }
        if parameterCount > 0 && mysql_stmt_bind_param(handle, parameters) != 0 {
            throw MariaDBError(statement: handle)
        }
        guard mysql_stmt_execute(handle) == 0 else { throw MariaDBError(statement: handle) }
    }

    private static func bytesBind(_ bytes: [UInt8], type: enum_field_types, copies: inout [UnsafeMutableRawPointer]) -> MYSQL_BIND {
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        copies.append(copy)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        var bind = MYSQL_BIND()
        bind.buffer_type = type
        bind.buffer = copy
        bind.buffer_length = UInt(bytes.count)
        return bind
    }
}
