import ArgumentParser
import FastCGI
import Processes

/// The health check for systemd or a container: the same question `GET /meiduo-email/health`
/// answers, asked of the running service where it listens (its socket, or TCP), so it checks the whole of
/// it (the responder answering, MariaDB, the senders, the queue).
struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the running service: exit 0 when healthy, 1 (with the reason) when not.")

    func run() throws {
        let settings = Startup.inspectionSettings()
        let answer: FastCGIClient.Answer
        do {
            // As the operators' nginx location asks: with its parameter and the bearer token.
            let token = settings.metricsToken.map { [("HTTP_AUTHORIZATION", "Bearer \($0)")] } ?? []
            answer = try FastCGIClient.get(
                settings.socket.address.local, uri: "/meiduo-email/health", extra: [("MEIDUO_OPS", "1")] + token)
        } catch {
            Startup.fail("the service does not answer on \(settings.socket.address.local): \(error)")
        }
        print(String(decoding: answer.body, as: UTF8.self))
        guard answer.status == 200 else { throw ExitCode(1) }
    }
}
