import ArgumentParser
import FastCGI
import Instruments
import Logging
import MailPool
import Processes
import Service
import Settings
import Store
import Telemetry

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service: bind the FastCGI socket, start the responder and the mail senders, supervise them.")

    func run() throws {
        let settings = Startup.settings()
        // Templates are the responder's to check: it stops the service with one line if one is
        // missing, and the supervisor stays small by never loading them.
        let listener: Listener
        let handover: (read: FileDescriptor, write: FileDescriptor)
        let metrics = settings.socket.metricsDirectory
        if SystemAccounts.isRoot {
            // What root makes for the service's user (a unix socket, the metrics folder) goes
            // where that user cannot plant links.
            do {
                try PrivateDirectory.requireOnlyRootCanChange(folderOf: metrics)
            } catch {
                let variable = if case .tcp = settings.socket.address { "MEIDUO_RUNTIME_DIRECTORY" } else { settings.socket.addressVariable }
                Startup.fail("\(variable): \(error)")
            }
        }
        do {
            listener = try Listener.bind(settings.socket.address, mode: settings.socket.mode, group: settings.socket.groupID)
            handover = try FileDescriptor.pipe()
        } catch {
            Startup.fail("cannot listen on \(settings.socket.address): \(error)")
        }
        do {
            try Telemetry.prepare(directory: metrics, owner: SystemAccounts.isRoot ? settings.runAs : nil)
        } catch {
            Startup.fail("cannot prepare \(metrics) for the metrics: \(error)")
        }
        // Root is needed at most for the socket and that folder; nothing after this runs as root.
        do {
            try Privileges.drop(to: settings.runAs)
        } catch {
            Startup.fail("\(error)")
        }
        do {
            try CurrentProcess.forbidInspection()
        } catch {
            Startup.fail("\(error)")
        }
        let telemetry = Telemetry.start(slot: Self.slot(.supervisor), directory: metrics)
        let instruments = SupervisorInstruments()
        let variables = SystemEnvironment.variables()
        func child(_ role: ProcessRole, number: Int? = nil, descriptors: [(FileDescriptor, Int32)]) -> Supervisor.Child {
            Supervisor.Child(
                name: [role.rawValue, number.map(String.init)].compactMap { $0 }.joined(separator: " "), role: role,
                stopGrace: role.stopGrace(settings), arguments: [role.rawValue] + (number.map { ["--number", "\($0)"] } ?? []),
                descriptors: descriptors, secrets: SecretHandover.encode(variables, for: role))
        }
        let responder = child(
            .responder,
            descriptors: [(FileDescriptor(rawValue: listener.fd), ResponderProcess.listenerFD), (handover.write, ResponderProcess.handoverFD)])
        let senders = (0..<settings.delivery.workers).map { index in
            child(.sender, number: index + 1, descriptors: [(handover.read, SenderProcess.handoverFD)])
        }
        let children = [responder] + senders
        let stopping = ProcessRole.children.map { role in children.filter { $0.role == role }.map(\.stopGrace).max() ?? 0 }.reduce(0, +)
        Logger(label: "supervisor").info("stopping may take up to \(Int(stopping.rounded(.up))) s (systemd's TimeoutStopSec must be longer)")
        let status = Supervisor(children: children, environment: Settings.childEnvironment(variables)) { event, running in
            if case .ended(let child, let restarting) = event {
                telemetry.retire(Self.slot(of: child))
                if restarting { instruments.childRestarts[child.role].increment() }
            }
            for role in ProcessRole.children {
                instruments.childrenUp[role].record(running.filter { $0.role == role }.count)
            }
            telemetry.publish()
        }.run()
        listener.remove(settings.socket.address)
        throw ExitCode(status)
    }

    /// The name a process's metrics snapshot goes by: `supervisor`, `responder`, `sender-1`, …
    static func slot(_ role: ProcessRole, number: Int? = nil) -> String {
        [role.rawValue, number.map(String.init)].compactMap { $0 }.joined(separator: "-")
    }

    static func slot(of child: Supervisor.Child) -> String {
        child.name.split(separator: " ").joined(separator: "-")
    }
}

/// The responder child that `serve` starts; not meant to be run by hand.
struct ResponderProcess: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: ProcessRole.responder.rawValue, shouldDisplay: false)
    static let listenerFD: Int32 = 3
    static let handoverFD: Int32 = 4

    func run() throws {
        Startup.followSupervisor()
        let settings = Startup.settings(fromSupervisor: true, status: Supervisor.configurationErrorStatus)
        let resources: Resources
        do {
            resources = try Resources(settings: settings)
        } catch {
            Startup.fail("\(error)", status: Supervisor.configurationErrorStatus)
        }
        let handover = Handover(pipe: FileDescriptor(rawValue: Self.handoverFD))
        let telemetry = Telemetry.start(slot: Serve.slot(.responder), directory: settings.socket.metricsDirectory)
        do {
            let responder = Responder(
                resources: resources, listener: Listener(inheritedFD: Self.listenerFD), telemetry: telemetry, handover: handover)
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
    static let configuration = CommandConfiguration(commandName: ProcessRole.sender.rawValue, shouldDisplay: false)
    static let handoverFD: Int32 = 3

    @Option(help: "Which of the senders this is, from 1.")
    var number = 1

    func run() throws {
        Startup.followSupervisor()
        let settings = Startup.settings(fromSupervisor: true, role: .sender, status: Supervisor.configurationErrorStatus)
        let telemetry = Telemetry.start(slot: Serve.slot(.sender, number: number), directory: settings.socket.metricsDirectory)
        do {
            let sender = try Sender(
                settings: settings, handover: Handover(pipe: FileDescriptor(rawValue: Self.handoverFD)), telemetry: telemetry, number: number)
            throw ExitCode(sender.run())
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Startup.fail("sender: \(error)")
        }
    }
}
