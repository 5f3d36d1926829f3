import CMariaDB
import Glibc

/// A server-side prepared statement. Bind arrays and result buffers are allocated once, at
/// fixed heap addresses, because Connector/C keeps pointers to them between calls.
public final class Statement {
    private let handle: UnsafeMutablePointer<MYSQL_STMT>
    private let parameterCount: Int
    private let parameters: UnsafeMutablePointer<MYSQL_BIND>
    private let parameterLengths: UnsafeMutablePointer<UInt>
    private let integerSlots: UnsafeMutablePointer<Int64>
    private let columns: [Column]
    private let results: UnsafeMutablePointer<MYSQL_BIND>

    private struct Column {
        let isInteger: Bool
        let isUnsigned: Bool
    }

    private static let initialColumnCapacity = 256

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

        var columns: [Column] = []
        if let metadata = mysql_stmt_result_metadata(handle) {
            let count = Int(mysql_num_fields(metadata))
            let fields = mysql_fetch_fields(metadata)!
            for index in 0..<count {
                let field = fields[index]
                columns.append(Column(
                    isInteger: Self.isInteger(field.type),
                    isUnsigned: field.flags & UInt32(UNSIGNED_FLAG) != 0))
            }
            mysql_free_result(metadata)
        }
        self.columns = columns
        results = .allocate(capacity: max(columns.count, 1))
        results.initialize(repeating: MYSQL_BIND(), count: max(columns.count, 1))
        for (index, column) in columns.enumerated() {
            let capacity = column.isInteger ? MemoryLayout<Int64>.size : Self.initialColumnCapacity
            results[index].buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
            results[index].buffer_length = UInt(capacity)
            results[index].buffer_type = column.isInteger ? MYSQL_TYPE_LONGLONG : MYSQL_TYPE_STRING
            results[index].is_unsigned = column.isUnsigned ? 1 : 0
            results[index].length = .allocate(capacity: 1)
            results[index].length.initialize(to: 0)
            results[index].is_null = .allocate(capacity: 1)
            results[index].is_null.initialize(to: 0)
            results[index].error = .allocate(capacity: 1)
            results[index].error.initialize(to: 0)
        }
        // Every stored property is set by now, so a throw here still runs deinit.
        if !columns.isEmpty && mysql_stmt_bind_result(handle, results) != 0 {
            throw MariaDBError(statement: handle)
        }
    }

    deinit {
        mysql_stmt_close(handle)
        for index in columns.indices {
            results[index].buffer.deallocate()
            results[index].length.deallocate()
            results[index].is_null.deallocate()
            results[index].error.deallocate()
        }
        results.deallocate()
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
        var rows: [Row] = []
        while true {
            let status = mysql_stmt_fetch(handle)
            if status == MYSQL_NO_DATA { break }
            guard status == 0 || status == MYSQL_DATA_TRUNCATED else { throw MariaDBError(statement: handle) }
            rows.append(try currentRow())
        }
        return rows
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

    private func currentRow() throws -> Row {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.count)
        for (index, column) in columns.enumerated() {
            let bind = results[index]
            if bind.is_null.pointee != 0 {
                values.append(.null)
            } else if column.isInteger {
                values.append(.int(bind.buffer.load(as: Int64.self)))
            } else {
                let length = Int(bind.length.pointee)
                if length <= Int(bind.buffer_length) {
                    let start = bind.buffer.assumingMemoryBound(to: UInt8.self)
                    values.append(.bytes(Array(UnsafeBufferPointer(start: start, count: length))))
                } else {
                    values.append(.bytes(try fetchLong(column: index, length: length)))
                }
            }
        }
        return Row(values)
    }

    /// A value longer than its column buffer is fetched again, whole, into a buffer of its size.
    private func fetchLong(column: Int, length: Int) throws -> [UInt8] {
        var whole = [UInt8](repeating: 0, count: length)
        var actual: UInt = 0
        let status = whole.withUnsafeMutableBytes { buffer -> Int32 in
            var bind = MYSQL_BIND()
            bind.buffer_type = MYSQL_TYPE_STRING
            bind.buffer = buffer.baseAddress
            bind.buffer_length = UInt(length)
            return withUnsafeMutablePointer(to: &actual) { actualPointer in
                bind.length = actualPointer
                return mysql_stmt_fetch_column(handle, &bind, UInt32(column), 0)
            }
        }
        guard status == 0 else { throw MariaDBError(statement: handle) }
        return whole
    }

    private static func isInteger(_ type: enum_field_types) -> Bool {
        switch type {
        case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_LONG, MYSQL_TYPE_INT24, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_YEAR:
            return true
        default:
            return false
        }
    }
}
