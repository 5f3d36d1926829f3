import Codecs
import Foundation
import Testing

/// Pickles the real Python wrote (Fixtures/make_pickle_corpus.py), each beside what it must read
/// as, or which refusal it must meet.
@Suite struct PickleReaderTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pickles")

    static func cases(hostile: Bool) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.filter { $0.hasSuffix(".pickle") && $0.hasPrefix("hostile_") == hostile }
            .map { String($0.dropLast(".pickle".count)) }.sorted()
    }

    static func load(_ name: String) throws -> (pickle: [UInt8], expected: String) {
        let pickle = try Data(contentsOf: corpus.appendingPathComponent(name + ".pickle"))
        let expected = try String(contentsOf: corpus.appendingPathComponent(name + ".expected"), encoding: .utf8)
        return ([UInt8](pickle), expected.trimmingCharacters(in: .newlines))
    }

    @Test func theCorpusIsThere() {
        #expect(Self.cases(hostile: false).count >= 40, "valid pickles for protocols 2 to 5")
        #expect(Self.cases(hostile: true).count >= 25)
    }

    @Test(arguments: cases(hostile: false))
    func readsWhatPythonWrote(name: String) throws {
        let (pickle, expected) = try Self.load(name)
        let read = PickleReader.read(pickle)
        guard case .success(let value) = read else {
            Issue.record("\(name): \(read)")
            return
        }
        #expect(value.description == expected, "\(name)")
    }

    @Test(arguments: cases(hostile: true))
    func refusesHostilePickles(name: String) throws {
        let (pickle, expected) = try Self.load(name)
        let read = PickleReader.read(pickle)
        guard case .failure(let refusal) = read else {
            Issue.record("\(name) was read: \(read)")
            return
        }
        #expect("refused: \(Self.kind(refusal))" == expected, "\(name): \(refusal)")
    }

    @Test func aSessionsKeysAreFoundBesideOpaqueValues() throws {
        let (pickle, _) = try Self.load("session_with_datetimes_p4")
        guard case .success(let session) = PickleReader.read(pickle) else {
            Issue.record("not read")
            return
        }
        #expect(session["_auth_user_id"] == .string("42"))
        #expect(session["last_login"] == .opaque("datetime.datetime"))
        #expect(session["missing"] == nil)
    }

    @Test func sharedContainersSeeLaterChanges() {
        // [d, d] where d = {} is memoized empty, then filled: both places hold the filled dict.
        let bytes: [UInt8] = [0x80, 0x04, 0x5D, 0x94, 0x7D, 0x94, 0x8C, 0x01, 0x6B, 0x4B, 0x01, 0x73, 0x61, 0x68, 0x01, 0x61, 0x2E]
        #expect(
            PickleReader.read(bytes)
                == .success(.list([.dict([.init(key: .string("k"), value: .int(1))]), .dict([.init(key: .string("k"), value: .int(1))])])))
    }

    @Test func limitsAreTheCallers() {
        var limits = PickleReader.Limits()
        limits.nodes = 3
        #expect(PickleReader.read([0x80, 0x04, 0x4B, 0x01, 0x4B, 0x02, 0x4B, 0x03, 0x87, 0x2E]) == .success(.tuple([.int(1), .int(2), .int(3)])))
        #expect(PickleReader.read([0x80, 0x04, 0x4B, 0x01, 0x4B, 0x02, 0x4B, 0x03, 0x87, 0x2E], limits: limits) == .failure(.tooLarge))
    }

    static func kind(_ refusal: PickleReader.Refusal) -> String {
        switch refusal {
        case .truncated: return "truncated"
        case .noProtocol: return "noProtocol"
        case .unsupportedProtocol: return "unsupportedProtocol"
        case .unsupportedOpcode: return "unsupportedOpcode"
        case .malformed: return "malformed"
        case .forbidden: return "forbidden"
        case .tooDeep: return "tooDeep"
        case .tooLarge: return "tooLarge"
        }
    }
}
