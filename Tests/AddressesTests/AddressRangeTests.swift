import Addresses
import Testing

@Suite struct AddressRangeTests {
    func range(_ text: String) throws -> AddressRange {
        try AddressRange(text)
    }

    @Test(arguments: [
        ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.0", false), ("192.168.1.0/25", "192.168.1.127", true),
        ("192.168.1.0/25", "192.168.1.128", false), ("172.16.0.0/12", "172.31.255.255", true), ("172.16.0.0/12", "172.32.0.0", false),
        ("127.0.0.2", "127.0.0.2", true), ("127.0.0.2", "127.0.0.3", false), ("0.0.0.0/0", "203.0.113.9", true),
        ("0.0.0.0/0", "::1", false), ("fd00::/8", "fdff:1::5", true), ("fd00::/8", "fe00::1", false),
        ("2001:db8::/33", "2001:db8:7fff::1", true), ("2001:db8::/33", "2001:db8:8000::", false), ("::1", "::1", true),
        ("::1", "127.0.0.1", false), ("::/0", "2001:db8::1", true), ("::/0", "10.0.0.1", false),
        // A dual-stack socket's IPv4 client is its IPv4 address, and a mapped range is the IPv4 one.
        ("127.0.0.0/8", "::ffff:127.0.0.9", true), ("::ffff:10.0.0.0/104", "10.1.2.3", true),
        ("::ffff:10.0.0.0/104", "11.1.2.3", false),
    ])
    func matches(range text: String, address: String, inside: Bool) throws {
        #expect(try range(text).contains(IPAddress(address)!) == inside)
    }

    @Test(arguments: [
        ("10.0.0.1/8", "'10.0.0.1/8' has bits set past its /8 prefix (the range is 10.0.0.0/8)"),
        ("10.0.0.0/33", "'10.0.0.0/33' needs a prefix length from 0 to 32 after the /"),
        ("::/129", "'::/129' needs a prefix length from 0 to 128 after the /"),
        ("10.0.0.0/", "'10.0.0.0/' needs a prefix length from 0 to 32 after the /"),
        ("10.0.0.0/08", "'10.0.0.0/08' needs a prefix length from 0 to 32 after the /"),
        ("10.0.0.0/+8", "'10.0.0.0/+8' needs a prefix length from 0 to 32 after the /"),
        ("nginx.internal", "'nginx.internal' is not an IPv4 or IPv6 address or range"),
        ("10.0.0/8", "'10.0.0/8' is not an IPv4 or IPv6 address or range"),
        ("fd00::1/8", "'fd00::1/8' has bits set past its /8 prefix (the range is fd00::/8)"),
    ])
    func refusesMalformed(text: String, problem: String) {
        #expect(describe(text) == problem)
    }

    @Test func theDefaultListIsLoopbackOnly() throws {
        let loopback = AllowList.loopback
        #expect(loopback.description == "127.0.0.0/8,::1/128")
        #expect(loopback.admits(IPAddress("127.0.0.1")!))
        #expect(loopback.admits(IPAddress("127.1.2.3")!))
        #expect(loopback.admits(IPAddress("::1")!))
        #expect(!loopback.admits(IPAddress("10.0.0.1")!))
        #expect(!loopback.admits(IPAddress("::2")!))
    }

    @Test func aListAdmitsWhatAnyOfItsRangesHolds() throws {
        let list = try AllowList(["10.0.0.5", "192.168.0.0/16", "fd00::/8"])
        #expect(list.admits(IPAddress("10.0.0.5")!))
        #expect(!list.admits(IPAddress("10.0.0.6")!))
        #expect(list.admits(IPAddress("192.168.44.1")!))
        #expect(list.admits(IPAddress("fd12::1")!))
        #expect(!list.admits(IPAddress("127.0.0.1")!))
        #expect(throws: AddressProblem.self) { try AllowList([]) }
        #expect(throws: AddressProblem.self) { try AllowList(["10.0.0.5", "10.0.0.300"]) }
    }

    private func describe(_ text: String) -> String? {
        problem { () throws(AddressProblem) in _ = try AddressRange(text) }
    }
}
