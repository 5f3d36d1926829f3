import Addresses
import Testing

@Suite struct ListenAddressTests {
    @Test(arguments: [
        ("meiduo-email.sock", "meiduo-email.sock"), ("/run/meiduo-email/fcgi.sock", "/run/meiduo-email/fcgi.sock"),
        ("./host:9000", "./host:9000"), ("/tmp/a:1", "/tmp/a:1"), ("sock:", "sock:"), ("sock:x1", "sock:x1"),
    ])
    func pathsAreUnixSockets(text: String, path: String) throws {
        #expect(try ListenAddress(text) == .unix(path))
    }

    @Test(arguments: [
        ("127.0.0.1:9000", "127.0.0.1", 9000), ("0.0.0.0:1", "0.0.0.0", 1), ("[::1]:9000", "::1", 9000),
        ("[2001:DB8::10]:65535", "2001:db8::10", 65535), ("[::]:9000", "::", 9000),
    ])
    func hostAndPortIsTCP(text: String, host: String, port: Int) throws {
        #expect(try ListenAddress(text) == .tcp(IPAddress(host)!, port: port))
    }

    @Test(arguments: [
        ("127.0.0.1:0", "'127.0.0.1:0' needs a port from 1 to 65535"), ("127.0.0.1:65536", "'127.0.0.1:65536' needs a port from 1 to 65535"),
        ("[::1]:", "'[::1]:' needs a port from 1 to 65535"), ("[::1]:x", "'[::1]:x' needs a port from 1 to 65535"),
    ])
    func refusesBadPorts(text: String, problem: String) {
        #expect(describe(text) == problem)
    }

    @Test(arguments: ["localhost:9000", "::1:9000", "[::1]9000", "[::1", "[127.0.0.1]:9000", "10.0.0:9000", "[fe80::1%eth0]:9000"])
    func refusesHostsThatAreNotAddresses(text: String) {
        #expect(
            describe(text) == "'\(text)' is not an IP address and port (192.0.2.10:9000, [2001:db8::10]:9000) or a socket path")
    }

    @Test func clientsOnThisHostReachAWildcardThroughLoopback() throws {
        #expect(try ListenAddress("0.0.0.0:9000").local == ListenAddress("127.0.0.1:9000"))
        #expect(try ListenAddress("[::]:9000").local == ListenAddress("[::1]:9000"))
        #expect(try ListenAddress("10.0.0.5:9000").local == ListenAddress("10.0.0.5:9000"))
        #expect(try ListenAddress("x.sock").local == .unix("x.sock"))
    }

    @Test func writesItselfAsItIsWritten() throws {
        #expect(try ListenAddress("[2001:db8::10]:9000").description == "[2001:db8::10]:9000")
        #expect(try ListenAddress("10.0.0.5:9000").description == "10.0.0.5:9000")
    }

    private func describe(_ text: String) -> String? {
        problem { () throws(AddressProblem) in _ = try ListenAddress(text) }
    }
}
