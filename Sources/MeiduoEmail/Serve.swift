import ArgumentParser
import FastCGI
import Glibc
import Service
import Settings

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service: bind the FastCGI socket, start the responder, supervise it.")

    func run() throws {
        let settings = Startup.settings()
        do {
            _ = try App.Resources(settings: settings)
        } catch {
            Startup.fail("\(error)")
        }
        let listener: UnixListener
        do {
            listener = try UnixListener.bind(
                path: settings.socketPath, mode: mode_t(settings.socketMode), group: try groupID(settings.socketGroup))
        } catch {
            Startup.fail("cannot listen on \(settings.socketPath): \(error)")
        }
        let supervisor = Supervisor(children: [
            .init(name: "responder", arguments: ["responder"], descriptors: [(listener.fd, ResponderProcess.listenerFD)]),
        ])
        let status = supervisor.run()
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

    func run() throws {
        let settings = Startup.settings()
        if let parent = getenv(Supervisor.parentVariable).flatMap({ pid_t(String(cString: $0)) }) {
            ChildProcess.followParent(parent)
        }
        do {
            let responder = Responder(resources: try App.Resources(settings: settings), listener: UnixListener(inheritedFD: Self.listenerFD))
            throw ExitCode(try responder.run())
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Startup.fail("responder: \(error)")
        }
    }
}
