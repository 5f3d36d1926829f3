import ArgumentParser
import Foundation
import Store

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the schema files of sql/ in order; files already applied are skipped.")

    @Option(help: "Folder of numbered .sql files.")
    var directory = "sql"

    @Option(
        help: ArgumentHelp(
            "A file of `user=NAME` and `password=SECRET` lines: the database account that may change the schema.",
            discussion: "The service's own account (MEIDUO_DB_USER) needs only the grants listed in the README; without this option, it is used."))
    var credentials: String?

    func run() throws {
        var settings = Startup.settings()
        if let credentials {
            guard let text = try? String(contentsOfFile: credentials, encoding: .utf8) else { Startup.fail("cannot read \(credentials)") }
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "user": settings.database.user = parts[1]
                case "password": settings.database.password = parts[1]
                default: Startup.fail("\(credentials): unknown key \(parts[0]) (user, password)")
                }
            }
        }
        let migrations: [Migrator.Migration]
        do {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
            migrations = try names.map {
                Migrator.Migration(name: $0, sql: try String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8))
            }
        } catch {
            Startup.fail("cannot read migrations from \(directory): \(error.localizedDescription)")
        }
        let outcomes = Startup.withDatabase(settings.database) { try Migrator.apply(migrations, on: $0) }
        for outcome in outcomes {
            switch outcome {
            case .applied(let name): print("applied \(name)")
            case .alreadyApplied(let name): print("already applied \(name)")
            case .changedSinceApplied(let name): print("warning: \(name) changed after it was applied; not run again")
            }
        }
    }
}
