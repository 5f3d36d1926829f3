import Codecs
import Testing

@Suite struct Base64Tests {
    // RFC 4648 §10 test vectors.
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func rfc4648(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
        let unpadded = String(encoded.filter { $0 != "=" })
        #expect(Base64.encode(Array(plain.utf8), alphabet: .url, padded: false) == unpadded)
        #expect(Base64.decode(unpadded, alphabet: .url, padded: false) == Array(plain.utf8))
    }

    @Test func urlAlphabet() {
        #expect(Base64.encode([0xFB, 0xFF], alphabet: .url, padded: false) == "-_8")
        #expect(Base64.decode("-_8", alphabet: .url, padded: false) == [0xFB, 0xFF])
        #expect(Base64.decode("+/8", alphabet: .url, padded: false) == nil)
        #expect(Base64.decode("-_8=", alphabet: .standard) == nil)
    }

    @Test(arguments: ["Zg", "Zg=", "Zh==", "Z===", "Zm9v=", "Zm9\u{0}", "Zm 9v", "=Zm9", "Zm9vY"])
    func strictPaddedDecoding(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func unpaddedRejectsPaddingAndLeftoverBits() {
        #expect(Base64.decode("Zg==", alphabet: .url, padded: false) == nil)
        #expect(Base64.decode("Zh", alphabet: .url, padded: false) == nil)
        #expect(Base64.decode("Z", alphabet: .url, padded: false) == nil)
    }
}

@Suite struct HexTests {
    @Test func roundTrip() {
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.decode("00abff") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("00ABFF") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("0") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}

@Suite struct TrimmingTests {
    @Test func trimsScalarsNotGraphemes() {
        #expect("  a b \t".trimming() == "a b")
        #expect("x\r\n".trimming() == "x", "CR LF is two scalars")
        #expect("\r\n".trimming() == "")
        #expect("--a--".trimming("-") == "a")
        #expect("  美  ".trimming(" ") == "美")
    }
}
