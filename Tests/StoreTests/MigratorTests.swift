import Foundation
import Store
import Testing

@Suite struct MigratorTests {
    @Test func splitsOnSemicolonsAtLineEnds() {
        let sql = """
            -- a comment
            CREATE TABLE a (
                id INT -- not the end; really
            );

            INSERT INTO a VALUES (1);
            """
        #expect(Migrator.statements(in: sql) == ["CREATE TABLE a (\n    id INT -- not the end; really\n)", "INSERT INTO a VALUES (1)"])
    }

    @Test func delimiterLinesLetProceduresHoldSemicolons() {
        let sql = """
            ALTER TABLE a ADD COLUMN b INT;
            DELIMITER $$
            CREATE PROCEDURE p()
            BEGIN
                SELECT 1;
                SELECT 2;
            END$$
            DELIMITER ;
            DROP TABLE c;
            """
        #expect(
            Migrator.statements(in: sql) == [
                "ALTER TABLE a ADD COLUMN b INT",
                "CREATE PROCEDURE p()\nBEGIN\n    SELECT 1;\n    SELECT 2;\nEND",
                "DROP TABLE c",
            ])
    }

    @Test func aLastStatementWithoutTerminatorIsKept() {
        #expect(Migrator.statements(in: "SELECT 1;\nSELECT 2\n") == ["SELECT 1", "SELECT 2"])
    }

    /// Whatever the files say: each splits into statements that are whole (no delimiter line,
    /// no trailing terminator), and a procedure keeps the semicolons of its body.
    @Test func everyMigrationOfTheProjectSplitsIntoWholeStatements() throws {
        let folder = #filePath.replacingOccurrences(of: "Tests/StoreTests/MigratorTests.swift", with: "sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            let statements = Migrator.statements(in: text)
            #expect(!statements.isEmpty, "\(file)")
            for statement in statements {
                #expect(!statement.isEmpty, "\(file): \(statement)")
                #expect(!statement.hasSuffix(";"), "\(file): \(statement)")
                #expect(!statement.hasSuffix("$$"), "\(file): \(statement)")
                #expect(!statement.uppercased().contains("DELIMITER "), "\(file): \(statement)")
                if statement.uppercased().contains("PROCEDURE") && statement.uppercased().contains("BEGIN") {
                    #expect(statement.hasSuffix("END"), "\(file): \(statement)")
                    #expect(statement.contains(";"), "\(file): \(statement)")
                }
            }
        }
    }
}
