import Codecs
internal import MariaDB
import OpenSSL

/// Applies the numbered `.sql` files of a folder in order, once each, and records every file
/// it applied (with a digest of its text) in `meiduo_migrations`.
public enum Migrator {
    public struct Migration: Sendable {
        public let name: String
        public let sql: String

        public init(name: String, sql: String) {
            self.name = name
            self.sql = sql
        }
    }

    public enum Outcome: Equatable, Sendable {
        case applied(String)
        case alreadyApplied(String)
        /// The file changed after it was applied; it is not run again.
        case changedSinceApplied(String)
    }

    public static func apply(_ migrations: [Migration], on connection: Link) throws -> [Outcome] {
        try connection.command(
            """
            CREATE TABLE IF NOT EXISTS meiduo_migrations (
                name VARCHAR(255) NOT NULL PRIMARY KEY,
                digest CHAR(64) NOT NULL,
                applied_at DATETIME(6) NOT NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
            """)
        var recorded: [String: String] = [:]
        for row in try connection.query("SELECT name, digest FROM meiduo_migrations") {
            recorded[try row.requiredString(0)] = try row.requiredString(1)
        }
        var outcomes: [Outcome] = []
        for migration in migrations.sorted(by: { $0.name < $1.name }) {
            let digest = Hex.encode(Digest.sha256(Array(migration.sql.utf8)))
            if let known = recorded[migration.name] {
                outcomes.append(known == digest ? .alreadyApplied(migration.name) : .changedSinceApplied(migration.name))
                continue
            }
            // DDL commits implicitly in MariaDB, so each statement is written to be re-runnable
            // (IF NOT EXISTS) and the file is recorded only after all of it went through.
            for statement in Self.statements(in: migration.sql) {
                try connection.command(statement)
            }
            try connection.execute(
                "INSERT INTO meiduo_migrations (name, digest, applied_at) VALUES (?, ?, NOW(6))",
                [.text(migration.name), .text(digest)])
            outcomes.append(.applied(migration.name))
        }
        return outcomes
    }

    /// Splits a migration file into statements: each ends with `;` at the end of a line, or
    /// with the delimiter a `DELIMITER` line sets (as in the mariadb client), so procedure bodies
    /// can hold `;`. `--` comment lines outside statements are dropped.
    public static func statements(in sql: String) -> [String] {
        var statements: [String] = []
        var current: [Substring] = []
        var delimiter = ";"
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimming(" \t\r")
            if current.isEmpty && (trimmed.isEmpty || trimmed.hasPrefix("--")) { continue }
            if current.isEmpty && trimmed.uppercased().hasPrefix("DELIMITER ") {
                delimiter = trimmed.dropFirst("DELIMITER ".count).trimming()
                continue
            }
            current.append(line)
            if trimmed.hasSuffix(delimiter) {
                var text = current.joined(separator: "\n").trimming()
                text.removeLast(delimiter.count)
                statements.append(text)
                current = []
            }
        }
        let rest = current.joined(separator: "\n").trimming()
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }
}
