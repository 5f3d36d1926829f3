import CMariaDB

/// The bind array and column buffers a result set is fetched into, at fixed heap addresses
/// (Connector/C keeps pointers to them), freed with the object.
final class ResultBuffers {
    private struct Column {
        let isInteger: Bool
    }

    private let columns: [Column]
    let binds: UnsafeMutablePointer<MYSQL_BIND>

    private static let initialColumnCapacity = 256

    /// Buffers for the columns `metadata` describes (none when it is nil).
    init(metadata: UnsafeMutablePointer<MYSQL_RES>?) {
        var columns: [Column] = []
        var unsigned: [Bool] = []
        if let metadata, let fields = mysql_fetch_fields(metadata) {
            for index in 0..<Int(mysql_num_fields(metadata)) {
                columns.append(Column(isInteger: Self.isInteger(fields[index].type)))
                unsigned.append(fields[index].flags & UInt32(UNSIGNED_FLAG) != 0)
            }
        }
        self.columns = columns
        binds = .allocate(capacity: max(columns.count, 1))
        binds.initialize(repeating: MYSQL_BIND(), count: max(columns.count, 1))
        for (index, column) in columns.enumerated() {
            let capacity = column.isInteger ? MemoryLayout<Int64>.size : Self.initialColumnCapacity
            binds[index].buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
            binds[index].buffer_length = UInt(capacity)
            binds[index].buffer_type = column.isInteger ? MYSQL_TYPE_LONGLONG : MYSQL_TYPE_STRING
            binds[index].is_unsigned = unsigned[index] ? 1 : 0
            binds[index].length = .allocate(capacity: 1)
            binds[index].length.initialize(to: 0)
            binds[index].is_null = .allocate(capacity: 1)
            binds[index].is_null.initialize(to: 0)
            binds[index].error = .allocate(capacity: 1)
            binds[index].error.initialize(to: 0)
        }
    }

    deinit {
        for index in columns.indices {
            binds[index].buffer.deallocate()
            binds[index].length.deallocate()
            binds[index].is_null.deallocate()
            binds[index].error.deallocate()
        }
        binds.deallocate()
    }

    var isEmpty: Bool { columns.isEmpty }

    /// Binds the buffers to `statement`'s current result set.
    func bind(to statement: UnsafeMutablePointer<MYSQL_STMT>) throws {
        guard columns.isEmpty || mysql_stmt_bind_result(statement, binds) == 0 else { throw MariaDBError(statement: statement) }
    }

    /// Every row of `statement`'s current result set.
    func fetchAll(from statement: UnsafeMutablePointer<MYSQL_STMT>) throws -> [Row] {
        var rows: [Row] = []
        while true {
            let status = mysql_stmt_fetch(statement)
            if status == MYSQL_NO_DATA { return rows }
            guard status == 0 || status == MYSQL_DATA_TRUNCATED else { throw MariaDBError(statement: statement) }
            rows.append(try currentRow(of: statement))
        }
    }

    private func currentRow(of statement: UnsafeMutablePointer<MYSQL_STMT>) throws -> Row {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.count)
        for (index, column) in columns.enumerated() {
            let bind = binds[index]
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
                    values.append(.bytes(try Self.fetchLong(statement, column: index, length: length)))
                }
            }
        }
        return Row(values)
    }

    /// A value longer than its column buffer is fetched again, whole, into a buffer of its size.
    private static func fetchLong(_ statement: UnsafeMutablePointer<MYSQL_STMT>, column: Int, length: Int) throws -> [UInt8] {
        var whole = [UInt8](repeating: 0, count: length)
        var actual: UInt = 0
        let status = whole.withUnsafeMutableBytes { buffer -> Int32 in
            var bind = MYSQL_BIND()
            bind.buffer_type = MYSQL_TYPE_STRING
            bind.buffer = buffer.baseAddress
            bind.buffer_length = UInt(length)
            return withUnsafeMutablePointer(to: &actual) { actualPointer in
                bind.length = actualPointer
                return mysql_stmt_fetch_column(statement, &bind, UInt32(column), 0)
            }
        }
        guard status == 0 else { throw MariaDBError(statement: statement) }
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
