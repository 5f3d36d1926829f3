import ArgumentParser
import EmailFlow
import Processes
import Settings
import Store
import Views

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Look at the mail queue and act on it.",
        subcommands: [Stats.self, List.self, Retry.self, Purge.self])

    /// For the commands that only look: neither SECRET_KEY nor the service's user is needed.
    static func inspecting<T>(_ work: (Link) throws -> T) -> T {
        Startup.withDatabase(Startup.inspectionSettings().database, work)
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Messages by status and how long the oldest due one has waited: the figures of meiduo_email_outbox_messages and meiduo_email_outbox_oldest_due_age_seconds, and the sent messages kept."
        )

        func run() {
            let (stats, sent) = OutboxCommand.inspecting { (try Outbox.stats(on: $0), try Outbox.sentCount(on: $0)) }
            for state in OutboxState.allCases {
                let count = state == .sent ? sent : stats.messages[state] ?? 0
                print(state.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0) + "\(count)")
            }
            print("oldest due age  \(String(format: "%.3f", stats.oldestDueAge)) s")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest messages, with their last error.")

        @Flag(help: "Only messages that failed for good.")
        var failed = false

        @Option(help: "How many to show.")
        var limit = 50

        func run() {
            let entries = OutboxCommand.inspecting { try Outbox.list(failedOnly: failed, limit: limit, on: $0) }
            print("id\tstatus\tattempts\tcreated\tdue\trecipient\tlast error")
            for entry in entries {
                print(
                    [
                        "\(entry.id)", entry.status.rawValue, "\(entry.attempts)", entry.createdAt, entry.dueAt ?? "-", entry.recipient,
                        entry.lastError ?? "",
                    ].joined(separator: "\t"))
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put failed messages back in the queue, due now, each written afresh (a new link, a new Message-ID).",
            discussion:
                "A failed message's body is deleted with its live link; a retry writes a new one for the user's address as it is now (a new link and code; a notice's new undo link replaces the old one). A verification mail for an address that is no longer the user's (nor pending) is skipped, as is a notice about a change that was undone or superseded."
        )

        @Argument(help: "Outbox ids of failed messages.")
        var ids: [Int64] = []

        @Flag(help: "Every failed message.")
        var allFailed = false

        func validate() throws {
            guard allFailed != !ids.isEmpty else { throw ValidationError("give outbox ids or --all-failed, not both or neither") }
        }

        func run() {
            let settings = Startup.settings()
            let templates: Templates
            do {
                templates = try Templates(
                    directory: settings.templatesDirectory, required: VerificationMail.Body.templates + NoticeMail.Body.templates)
            } catch {
                Startup.fail("\(error)")
            }
            var count = 0
            let database = Startup.database(settings.database)
            do {
                for failed in try database.run({ try Outbox.failed(ids: allFailed ? nil : ids, on: $0) }) {
                    guard let fresh = try Self.rewrite(failed, database: database, settings: settings, templates: templates) else { continue }
                    let requeued = try database.transaction { transaction in
                        guard try Outbox.requeue(failed.id, messageID: fresh.messageID, message: fresh.message, code: fresh.code, in: transaction)
                        else { return false }
                        if let change = fresh.change { try AddressChanges.repoint(change.id, digest: change.digest, in: transaction) }
                        return true
                    }
                    if requeued { count += 1 }
                }
            } catch {
                Startup.fail("\(error)")
            }
            print("re-queued \(count) message\(count == 1 ? "" : "s")")
        }

        /// A failed message written afresh: its verification code, or the change whose undo
        /// link it now carries.
        struct Rewritten {
            let messageID: String
            let message: [UInt8]
            var code: (hash: [UInt8], lifetime: Int)?
            var change: (id: Int64, digest: [UInt8])?
        }

        /// The message a failed one becomes, written afresh for the user's address as it is now;
        /// nil (saying why) when it is no longer wanted.
        static func rewrite(_ failed: Outbox.Failed, database: Database, settings: Settings, templates: Templates) throws -> Rewritten? {
            try database.run { connection in
                guard let user = try Users.find(id: failed.userID, on: connection) else {
                    print("skipped \(failed.id): the user is gone")
                    return nil
                }
                let pending = try PendingEmails.find(userID: user.id, on: connection)
                let now = Clock.unixSeconds()
                switch failed.kind {
                case .verification:
                    guard failed.recipient == pending || (failed.recipient == user.email && !user.emailActive) else {
                        print("skipped \(failed.id): \(failed.recipient) is no longer waiting to be verified")
                        return nil
                    }
                    let fresh = try VerificationMail(userID: user.id, email: failed.recipient, now: now, settings: settings, templates: templates)
                    return Rewritten(messageID: fresh.messageID, message: fresh.message, code: fresh.code)
                case .notice:
                    guard let change = try AddressChanges.latest(userID: user.id, on: connection), change.oldEmail == failed.recipient else {
                        print("skipped \(failed.id): the change it tells of was undone or superseded")
                        return nil
                    }
                    let fresh = try NoticeMail(
                        userID: user.id, to: failed.recipient, newAddress: change.newEmail, username: user.username, now: now, settings: settings,
                        templates: templates)
                    return Rewritten(messageID: fresh.messageID, message: fresh.message, change: (change.id, fresh.changeDigest))
                }
            }
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete sent messages older than a duration.",
            discussion: "The throttle counts the last hour's messages, so durations under 1h are refused.")

        @Option(help: "Age such as 30d, 12h, 90m or 3600s.")
        var sentBefore: String

        func validate() throws {
            guard let seconds = Environment.seconds(sentBefore) else {
                throw ValidationError("--sent-before takes a duration such as 30d, 12h, 90m or 3600s")
            }
            guard seconds >= 3600 else { throw ValidationError("--sent-before must be at least 1h: the throttle counts the last hour's mail") }
        }

        func run() {
            let seconds = Environment.seconds(sentBefore) ?? 0
            let count = Startup.withDatabase(Startup.settings().database) { try Outbox.purgeSent(olderThan: seconds, on: $0) }
            print("deleted \(count) sent message\(count == 1 ? "" : "s")")
        }
    }
}
