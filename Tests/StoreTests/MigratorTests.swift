import Foundation
import Testing
@testable import Store

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
        #expect(Migrator.statements(in: sql) == [
            "ALTER TABLE a ADD COLUMN b INT",
            "CREATE PROCEDURE p()\nBEGIN\n    SELECT 1;\n    SELECT 2;\nEND",
            "DROP TABLE c",
        ])
    }

    @Test func aLastStatementWithoutTerminatorIsKept() {
        #expect(Migrator.statements(in: "SELECT 1;\nSELECT 2\n") == ["SELECT 1", "SELECT 2"])
    }

    @Test func theProjectsOwnMigrationsSplit() throws {
        let text = try String(contentsOfFile: #filePath.replacingOccurrences(of: "Tests/StoreTests/MigratorTests.swift", with: "sql/0004_outbox_claims_and_bind.sql"), encoding: .utf8)
        let statements = Migrator.statements(in: text)
        #expect(statements.count == 2)
        #expect(statements[1].hasPrefix("CREATE OR REPLACE PROCEDURE meiduo_bind_email(") && statements[1].hasSuffix("END"))
    }
}
