import Addresses
import Settings
import Testing

/// MEIDUO_LISTEN, MEIDUO_SOCKET (its older name), MEIDUO_LISTEN_ALLOW and where the metrics go.
extension SettingsTests {
    func socket(_ values: [String: String]) throws -> SocketSettings {
        try settings(values).socket
    }

    @Test func aUnixSocketByEitherName() throws {
        #expect(try socket(["MEIDUO_SOCKET": "/run/a.sock"]).address == .unix("/run/a.sock"))
        #expect(try socket(["MEIDUO_LISTEN": "/run/a.sock"]).address == .unix("/run/a.sock"))
        // MEIDUO_SOCKET is a path whatever it looks like, as before.
        #expect(try socket(["MEIDUO_SOCKET": "host:9000"]).address == .unix("host:9000"))
        #expect(try socket(["MEIDUO_LISTEN": "/run/a.sock"]).metricsDirectory == "/run/a.sock.metrics")
        #expect(try socket(["MEIDUO_LISTEN": "/run/a.sock", "MEIDUO_LISTEN_ALLOW": "10.0.0.0/8"]).clients == nil)
    }

    @Test func bothNamesAtOnceAreRefused() {
        #expect(
            problem(["MEIDUO_SOCKET": "/run/a.sock", "MEIDUO_LISTEN": "127.0.0.1:9000"])
                == "MEIDUO_LISTEN and MEIDUO_SOCKET are both set: keep MEIDUO_LISTEN only (MEIDUO_SOCKET is its older name)")
    }

    @Test func tcpAdmitsLoopbackByDefault() throws {
        let settings = try socket(["MEIDUO_LISTEN": "127.0.0.1:9000"])
        #expect(settings.address == .tcp(IPAddress("127.0.0.1")!, port: 9000))
        #expect(settings.clients == AllowList.loopback)
    }

    @Test func tcpAdmitsTheListedClients() throws {
        let settings = try socket(["MEIDUO_LISTEN": "[::]:9000", "MEIDUO_LISTEN_ALLOW": "10.0.0.5, 10.1.0.0/16,fd00::/8"])
        #expect(settings.clients?.description == "10.0.0.5/32,10.1.0.0/16,fd00::/8")
        #expect(settings.clients?.admits(IPAddress("::ffff:10.1.2.3")!) == true)
        #expect(settings.clients?.admits(IPAddress("127.0.0.1")!) == false)
    }

    @Test(arguments: [
        ("10.0.0.1/8", "MEIDUO_LISTEN_ALLOW: '10.0.0.1/8' has bits set past its /8 prefix (the range is 10.0.0.0/8)"),
        ("nginx.internal", "MEIDUO_LISTEN_ALLOW: 'nginx.internal' is not an IPv4 or IPv6 address or range"),
        (",", "MEIDUO_LISTEN_ALLOW: lists no address"),
    ])
    func aBadAllowListStopsStartUp(allow: String, message: String) {
        #expect(problem(["MEIDUO_LISTEN": "127.0.0.1:9000", "MEIDUO_LISTEN_ALLOW": allow]) == message)
        #expect(problem(["MEIDUO_SOCKET": "/run/a.sock", "MEIDUO_LISTEN_ALLOW": allow]) == message, "even before TCP is used")
    }

    @Test func aBadListenAddressStopsStartUp() {
        #expect(
            problem(["MEIDUO_LISTEN": "localhost:9000"])
                == "MEIDUO_LISTEN: 'localhost:9000' is not an IP address and port (192.0.2.10:9000, [2001:db8::10]:9000) or a socket path")
        #expect(problem(["MEIDUO_LISTEN": "127.0.0.1:70000"]) == "MEIDUO_LISTEN: '127.0.0.1:70000' needs a port from 1 to 65535")
    }

    @Test func onTCPTheMetricsGoToTheRuntimeFolderByPort() throws {
        #expect(try socket(["MEIDUO_LISTEN": "127.0.0.1:9000"]).metricsDirectory == "./meiduo-email-9000.metrics")
        #expect(
            try socket(["MEIDUO_LISTEN": "127.0.0.1:9000", "RUNTIME_DIRECTORY": "/run/meiduo-email"]).metricsDirectory
                == "/run/meiduo-email/meiduo-email-9000.metrics")
        #expect(
            try socket(["MEIDUO_LISTEN": "127.0.0.1:9000", "RUNTIME_DIRECTORY": "/run/x", "MEIDUO_RUNTIME_DIRECTORY": "/run/y"])
                .metricsDirectory == "/run/y/meiduo-email-9000.metrics")
    }
}
