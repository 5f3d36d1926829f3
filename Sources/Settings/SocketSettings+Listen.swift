import Addresses

/// MEIDUO_LISTEN and what depends on it: a unix socket (MEIDUO_SOCKET's path, as before) or TCP
/// with an allow-list of clients.
extension SocketSettings {
    static func address(_ environment: Environment) throws -> (ListenAddress, String) {
        let listen = environment.string("MEIDUO_LISTEN")
        if let socket = environment.string("MEIDUO_SOCKET") {
            guard listen == nil else {
                throw Environment.Problem(
                    description: "MEIDUO_LISTEN and MEIDUO_SOCKET are both set: keep MEIDUO_LISTEN only (MEIDUO_SOCKET is its older name)")
            }
            return (.unix(socket), "MEIDUO_SOCKET")
        }
        guard let listen else { return (.unix("meiduo-email.sock"), "MEIDUO_LISTEN") }
        do {
            return (try ListenAddress(listen), "MEIDUO_LISTEN")
        } catch {
            throw Environment.Problem(description: "MEIDUO_LISTEN: \(error)")
        }
    }

    /// Loopback only unless MEIDUO_LISTEN_ALLOW says otherwise; read strictly even on a unix
    /// socket, so a typo never waits for the move to TCP.
    static func clients(_ environment: Environment, address: ListenAddress) throws -> AllowList? {
        var clients = AllowList.loopback
        if environment.string("MEIDUO_LISTEN_ALLOW") != nil {
            do {
                clients = try AllowList(environment.list("MEIDUO_LISTEN_ALLOW"))
            } catch {
                throw Environment.Problem(description: "MEIDUO_LISTEN_ALLOW: \(error)")
            }
        }
        guard case .tcp = address else { return nil }
        return clients
    }

    /// On TCP, `meiduo-email-PORT.metrics` in MEIDUO_RUNTIME_DIRECTORY (by default systemd's
    /// RUNTIME_DIRECTORY, else the current folder): one folder per port, so instances on one host
    /// keep apart.
    static func metricsDirectory(_ environment: Environment, address: ListenAddress) -> String {
        switch address {
        case .unix(let path):
            return path + ".metrics"
        case .tcp(_, let port):
            let folder = environment.string("MEIDUO_RUNTIME_DIRECTORY") ?? environment.string("RUNTIME_DIRECTORY") ?? "."
            return "\(folder)/meiduo-email-\(port).metrics"
        }
    }
}
