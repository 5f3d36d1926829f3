import ArgumentParser
import Foundation
import Store

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the schema files of sql/ in order; files already applied are skipped.")

    @Option(help: "Folder of numbered .sql files.")
    var directory = "sql"

    func run() throws {
        let settings = Startup.settings()
        let migrations: [Migrator.Migration]
        do {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
            migrations = try names.map {
                Migrator.Migration(name: $0, sql: try String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8))
            }
        } catch {
            Startup.fail("cannot read migrations from \(directory): \(error.localizedDescription)")
        }
        let outcomes = Startup.withDatabase(settings) { try Migrator.apply(migrations, on: $0) }
        for outcome in outcomes {
            switch outcome {
            case .applied(let name): print("applied \(name)")
            case .alreadyApplied(let name): print("already applied \(name)")
            case .changedSinceApplied(let name): print("warning: \(name) changed after it was applied; not run again")
            }
        }
    }
}
