import Foundation
import Processes
import Testing

@Suite struct WaitStatusTests {
    @Test func exits() {
        #expect(WaitStatus(rawValue: 0).exitStatus == 0)
        #expect(WaitStatus(rawValue: 0).exitedCleanly)
        #expect(WaitStatus(rawValue: 78 << 8).exitStatus == 78)
        #expect(!WaitStatus(rawValue: 78 << 8).exitedCleanly)
        #expect(WaitStatus(rawValue: 1 << 8).description == "exited with status 1")
    }

    @Test func signals() {
        let killed = WaitStatus(rawValue: 9)
        #expect(killed.signal == 9)
        #expect(killed.exitStatus == nil)
        #expect(!killed.exitedCleanly)
        #expect(killed.description == "killed by signal 9")
        #expect(WaitStatus(rawValue: 0x80 | 11).signal == 11, "a core dump is still the signal")
    }
}

@Suite struct FileDescriptorTests {
    @Test func pipesCarryWholeRecordsAndNeverBlock() throws {
        let pipe = try FileDescriptor.pipe()
        defer {
            pipe.read.close()
            pipe.write.close()
        }
        #expect(FileDescriptor.poll([pipe.read], timeout: 0) == [false])
        #expect(pipe.read.readRecords(size: 4, upTo: 8).isEmpty, "empty and non-blocking")
        #expect(pipe.write.writeWhole([1, 2, 3, 4]))
        #expect(pipe.write.writeWhole([5, 6, 7, 8]))
        #expect(pipe.write.writeWhole([9, 10, 11, 12]))
        #expect(pipe.read.unreadBytes == 12, "either end tells")
        #expect(pipe.write.unreadBytes == 12, "either end tells")
        #expect(FileDescriptor.poll([pipe.read], timeout: 1) == [true])
        #expect(pipe.read.readRecords(size: 4, upTo: 2) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(pipe.read.readRecords(size: 4, upTo: 2) == [9, 10, 11, 12])
        #expect(pipe.read.unreadBytes == 0)
    }

    @Test func aFullPipeRefusesAWholeRecordInsteadOfBlocking() throws {
        let pipe = try FileDescriptor.pipe()
        defer {
            pipe.read.close()
            pipe.write.close()
        }
        var written = 0
        while pipe.write.writeWhole([UInt8](repeating: 7, count: 16)) { written += 16 }
        #expect(written >= 4096)
        #expect(pipe.read.unreadBytes == written)
        #expect(!pipe.write.writeWhole([1]))
    }

    @Test func readAllReadsToTheEnd() throws {
        let pipe = try FileDescriptor.pipe()
        let bytes = Array("SECRET_KEY=a=b".utf8) + [0] + Array("X=y".utf8)
        #expect(pipe.write.write(bytes))
        pipe.write.close()
        #expect(try pipe.read.readAll() == bytes)
        pipe.read.close()
    }

    @Test func atomicFilesAppearWholeWithNoTemporaryLeft() throws {
        let folder = NSTemporaryDirectory() + "atomic-\(UUID().uuidString)"
        try AtomicFile.makeDirectory(folder)
        try AtomicFile.makeDirectory(folder)
        try AtomicFile.write(Array("hello".utf8), to: folder + "/a.eml", temporary: folder + "/.a.tmp")
        #expect(FileManager.default.contents(atPath: folder + "/a.eml") == Data("hello".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a.eml"])
        #expect(throws: SystemError.self) { try AtomicFile.write([1], to: folder + "/none/b", temporary: folder + "/none/.b") }
    }
}

@Suite struct ClockTests {
    @Test func iso8601() {
        #expect(Clock.iso8601(0) == "1970-01-01T00:00:00Z")
        #expect(Clock.iso8601(1_764_061_255.25, milliseconds: true) == "2025-11-25T09:00:55.250Z")
    }
}

@Suite struct SystemAccountsTests {
    @Test func knownAccounts() {
        #expect(SystemAccounts.user(named: "root")?.uid == 0)
        #expect(SystemAccounts.user(named: "no-such-user-here") == nil)
        #expect(SystemAccounts.groupID(named: "root") == 0)
        #expect(SystemAccounts.groupID(named: "no-such-group-here") == nil)
    }
}
