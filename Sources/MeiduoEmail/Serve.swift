import ArgumentParser
import FastCGI
import Glibc
import MailPool
import Processes
import Service
import Settings

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service: bind the FastCGI socket, start the responder and the mail senders, supervise them.")

    func run() throws {
        let settings = Startup.settings()
        // Templates are the responder's to check: it stops the service with one line if one is
        // missing, and the supervisor stays small by never loading them.
        let pool: PoolSettings
        do {
            pool = try PoolSettings(settings: settings)
        } catch {
            Startup.fail("\(error)")
        }
        let listener: UnixListener
        let wakeup: (read: Int32, write: Int32)
        do {
            listener = try UnixListener.bind(
                path: settings.socketPath, mode: mode_t(settings.socketMode), group: try groupID(settings.socketGroup))
            wakeup = try Wakeup.makePipe()
        } catch {
            Startup.fail("cannot listen on \(settings.socketPath): \(error)")
        }
        // Root is needed at most for the socket; nothing after this runs as root.
        do {
            try Privileges.drop(to: settings.user)
        } catch {
            Startup.fail("\(error)")
        }
        let responder = Supervisor.Child(
            name: "responder", arguments: ["responder", "--wakeup-fd", "\(ResponderProcess.wakeupFD)"],
            descriptors: [(listener.fd, ResponderProcess.listenerFD), (wakeup.write, ResponderProcess.wakeupFD)])
        let senders = (0..<pool.workers).map { index in
            Supervisor.Child(
                name: "sender \(index + 1)", arguments: ["sender", "--wakeup-fd", "\(SenderProcess.wakeupFD)"],
                descriptors: [(wakeup.read, SenderProcess.wakeupFD)])
        }
        let status = Supervisor(children: [responder] + senders).run()
        unlink(settings.socketPath)
        throw ExitCode(status)
    }

    private func groupID(_ name: String?) throws -> gid_t? {
        guard let name else { return nil }
        guard let group = getgrnam(name) else { throw ValidationError("MEIDUO_SOCKET_GROUP: no group named \(name)") }
        return group.pointee.gr_gid
    }
}

/// The responder child that `serve` starts; not meant to be run by hand.
struct ResponderProcess: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "responder", shouldDisplay: false)
    static let listenerFD: Int32 = 3
    static let wakeupFD: Int32 = 4

    @Option(help: "Descriptor of the pipe that wakes the mail senders.")
    var wakeupFD: Int32?

    func run() throws {
        let settings = Startup.settings()
        Startup.followSupervisor()
        let wakeup = wakeupFD
        let resources: App.Resources
        do {
            resources = try App.Resources(settings: settings)
        } catch {
            Startup.fail("\(error)", status: Supervisor.configurationErrorStatus)
        }
        do {
            let responder = Responder(
                resources: resources, listener: UnixListener(inheritedFD: Self.listenerFD),
                mailQueued: { if let wakeup { Wakeup.ring(wakeup) } })
            throw ExitCode(try responder.run())
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Startup.fail("responder: \(error)")
        }
    }
}

/// A mail-sender child that `serve` starts; not meant to be run by hand.
struct SenderProcess: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sender", shouldDisplay: false)
    static let wakeupFD: Int32 = 3

    @Option(help: "Descriptor of the pipe the responder rings when mail is queued.")
    var wakeupFD: Int32?

    func run() throws {
        let settings = Startup.settings()
        Startup.followSupervisor()
        let pool: PoolSettings
        do {
            pool = try PoolSettings(settings: settings)
        } catch {
            Startup.fail("\(error)", status: Supervisor.configurationErrorStatus)
        }
        do {
            let sender = try Sender(settings: pool, database: settings.database, wakeFD: wakeupFD)
            throw ExitCode(sender.run())
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Startup.fail("sender: \(error)")
        }
    }
}
